"""Message catalogs and locale formatting: what the assistant says, in the reader's language.

Every text a user reads is an English message id looked up in a gettext catalog
(`shop/locales/<lang>/LC_MESSAGES/messages.po`, kept with `make catalogs`), with named
placeholders filled after translation: ``tr._("Order {number} is cancelled.", number="1042")``.
Constants are marked for extraction with ``N_`` (``Nn_`` for a singular and plural pair) and
translated where they are used.
Dates, numbers and money go through Babel for the reader's locale ("74,90 €", "3. Dez.",
"12月3日").

The .po files are the only source: each is compiled in memory the first time its language is
used (Babel's `read_po` and `write_mo`), so a fresh clone needs no build step and a compiled
file can never be older than its source. English is the message ids themselves.
A language is available when its catalog exists (at start-up); adding one needs no code.
"""

from __future__ import annotations

import gettext
import io
import logging
import string
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TypeAlias
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# Babel locales where the language alone would pick another default than ours: English is
# written the British way the assistant always used ("3 Dec 2026"), Chinese is Simplified.
BABEL_LOCALE = {"en": "en_GB", "zh": "zh_Hans_CN"}
# Money as the assistant always wrote it in English ("74.90 EUR"); other languages use their
# locale's own currency format ("74,90 €").
CURRENCY_PATTERN = {"en": "#,##0.00 ¤¤"}
# The key of the reply language in the metadata the bot sends Rasa with each message; the
# actions and the NLG endpoint read it from the tracker's latest message.
LANGUAGE_KEY = "language"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention, and the extraction keyword
    """Mark a constant for extraction; it is translated where it is used (Translator._)."""
    return message


@dataclass(frozen=True)
class Text:
    """A message whose reader is not known yet: translated where it is sent (Translator.render).

    Made with ``L_("Ticket #{ticket} is resolved.", ticket=17)``. A value may itself be a Text
    or a tuple of them (translated for the same reader), or a function of the Translator
    (a duration, a date). str() is the English text, for logs and English-only callers.
    """

    message: str
    values: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return ENGLISH.render(self)


# What a reader may be shown: plain text (names, the customer's words: never translated), a
# Text, or lines of them (a tuple, one line each).
Readable: TypeAlias = "str | Text | tuple[Readable, ...]"


def L_(message: str, /, **values: object) -> Text:  # noqa: N802 - an extraction keyword, like N_
    """A message to translate later, for whoever reads it; its placeholders' values go with it."""
    return Text(message, tuple(values.items()))


class TextError(ValueError):
    """An error whose message is Readable: `exc.text` is translated for its reader; str() is English."""

    def __init__(self, text: Readable) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return ENGLISH.render(self.text)


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - as N_, for a plural pair
    """Mark a singular and plural pair for extraction; `tr.n_(*pair, count)` translates it."""
    return singular, plural


@cache
def available_languages() -> tuple[str, ...]:
    """English and every language that has a catalog, English first.

    Read once per process, as each catalog is compiled once (`translator`): a new catalog
    takes effect at the next start. (It was asked for several times per message, and each
    time listed the locales folder: about 2% of the bot's CPU and 7% of the action server's
    under the load bench.)
    """
    found = sorted(p.name for p in LOCALES_DIR.iterdir()
                   if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()) if LOCALES_DIR.is_dir() else []
    return (SOURCE_LANGUAGE, *(lang for lang in found if lang != SOURCE_LANGUAGE))


def supported_language(code: str | None) -> str | None:
    """The available language a code names ('de-AT' → 'de', 'zh-hans' → 'zh'), else None."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in available_languages() else None


def language_name(language: str) -> str:
    """A language named in itself, for a button: 'English', 'Deutsch', 'Русский', '中文'."""
    try:
        name = Locale.parse(BABEL_LOCALE.get(language, language)).get_language_name() or language
    except (UnknownLocaleError, ValueError):
        return language
    return name[:1].upper() + name[1:]


# Sentence ends written full width (Chinese, Japanese): the next sentence follows without a space.
FULL_WIDTH_ENDS = ("。", "！", "？", "）")


def sentences(*texts: str) -> str:
    """Translated sentences one after another: a space after '.', none after '。'."""
    joined = ""
    for text in texts:
        joined += ("" if not joined or joined.endswith(FULL_WIDTH_ENDS) else " ") + text
    return joined


def placeholders(message: str) -> set[str]:
    """The named placeholders of a message ('Order {number}' → {'number'})."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(message) if name}
    except ValueError:  # an unbalanced brace: no placeholder can be read
        return set()


@dataclass(frozen=True)
class Translator:
    """One language's messages and formats; `translator(lang)` makes (and caches) them."""

    language: str
    locale: Locale
    catalog: gettext.NullTranslations

    def _(self, message: str, /, **values: object) -> str:
        """The message in this language, its placeholders filled."""
        return self._fill(self.catalog.gettext(message), message, values)

    def n_(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The singular or plural message for `count` (this language's plural rule); {count} is filled."""
        english = singular if count == 1 else plural
        return self._fill(self.catalog.ngettext(singular, plural, count), english,
                          {"count": count, **values})

    def p_(self, context: str, message: str, /, **values: object) -> str:
        """A message whose translation depends on where it stands (a status word, a button)."""
        return self._fill(self.catalog.pgettext(context, message), message, values)

    def render(self, text: Readable) -> str:
        """A Readable in this language: a Text translated (its values too), lines joined."""
        if isinstance(text, Text):
            return self._(text.message, **{name: self._value(value) for name, value in text.values})
        if isinstance(text, tuple):
            return "\n".join(self.render(line) for line in text)
        return text

    def _value(self, value: object) -> object:
        if isinstance(value, Text | tuple):
            return self.render(value)
        if callable(value):
            return value(self)
        return value

    def _fill(self, text: str, english: str, values: dict[str, object]) -> str:
        if not values:
            return text
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            # A broken translation must not cost the customer their answer: English instead.
            log.error("catalog %s: cannot fill %r with %s", self.language, text, sorted(values))
            return english.format(**values)

    # --- formats ------------------------------------------------------------------------

    def date(self, moment: datetime, zone: ZoneInfo) -> str:
        """A day with its year: '3 Dec 2026', '3. Dez. 2026', '2026年12月3日'."""
        return format_skeleton("yMMMd", moment.astimezone(zone), locale=self.locale)

    def day(self, moment: datetime, zone: ZoneInfo) -> str:
        """A day of this year: '3 Dec', '3. Dez.', '3 дек.', '12月3日'."""
        return format_skeleton("MMMd", moment.astimezone(zone), locale=self.locale)

    def money(self, amount: Decimal | float | int, currency: str) -> str:
        """'74.90 EUR' in English, '74,90 €' in German, '€74.90' in Chinese."""
        return format_currency(amount, currency, format=CURRENCY_PATTERN.get(self.language),
                               locale=self.locale, currency_digits=True)

    def number(self, value: Decimal | float | int, digits: int = 0) -> str:
        """A number with this locale's separators and at most `digits` decimals: '1,234.5', '1.234,5'."""
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, fraction: float) -> str:
        """A share as a whole percent: '80%', '80 %'."""
        return format_percent(fraction, locale=self.locale)

    def language_name(self, code: str) -> str:
        """A language named in this one: 'German' in English, 'Deutsch' in German, '德语' in Chinese."""
        try:
            name = Locale.parse(BABEL_LOCALE.get(code, code)).get_language_name(self.locale)
        except (UnknownLocaleError, ValueError):
            return code
        return name or code


@cache
def translator(language: str | None) -> Translator:
    """The translator for `language` (any code Telegram sends); English when it has no catalog."""
    lang = supported_language(language) or SOURCE_LANGUAGE
    if lang == SOURCE_LANGUAGE:
        return ENGLISH
    try:
        locale = Locale.parse(BABEL_LOCALE.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        log.error("no Babel locale for %r; formatting as English", lang)
        locale = Locale.parse(BABEL_LOCALE[SOURCE_LANGUAGE])
    return Translator(lang, locale, _load_catalog(lang))


def _load_catalog(lang: str) -> gettext.NullTranslations:
    path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries stay out, as pybabel compile leaves them
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


# The source language needs no catalog; built without touching the disk (this runs at import).
ENGLISH = Translator(SOURCE_LANGUAGE, Locale.parse(BABEL_LOCALE[SOURCE_LANGUAGE]), gettext.NullTranslations())
