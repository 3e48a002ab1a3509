"""Which language to answer a user in (ARCHITECTURE.md §10).

Their Telegram language to begin with; the language they actually write in when it clearly
differs; their own choice (/language) above both. A short message ("ok", "1042", an emoji,
"спасибо") never switches: it says too little about the language. Cyrillic and Chinese are
told by their script; languages sharing a script (English and German) by py3langid, a small
offline classifier whose model ships inside its wheel, restricted to the available
languages and trusted only above a confidence floor.
"""

from __future__ import annotations

import enum
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from shop.i18n import SOURCE_LANGUAGE, available_languages, supported_language

log = logging.getLogger(__name__)

# Scripts of the languages not written in Latin letters that the assistant may have a
# catalog for; every other language counts as Latin.
SCRIPT_OF = {"ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "sr": "cyrillic",
             "zh": "han", "ja": "han", "el": "greek", "ar": "arabic", "he": "hebrew"}
MIN_WORDS = 3  # an alphabetic script needs this many words...
MIN_LETTERS = 10  # ...and letters to say which language it is
MIN_HAN = 3  # Chinese characters (one is about a word: 好的 is an "ok")
MIN_CONFIDENCE = 0.9  # py3langid's probability among the candidate languages
_WORD = re.compile(r"[^\W\d_]+")


class LanguageSource(enum.StrEnum):
    telegram = "telegram"  # the user's Telegram language (or English when it has no catalog)
    written = "written"  # the language they wrote in, where it clearly differed
    chosen = "chosen"  # picked with /language; only another choice changes it


def script_of(char: str) -> str | None:
    """'latin', 'cyrillic', 'han', 'greek', ... for a letter; None for anything else."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("CJK UNIFIED IDEOGRAPH") or name.startswith("CJK COMPATIBILITY IDEOGRAPH"):
        return "han"
    return name.split(" ")[0].lower() or None


def dominant_script(text: str) -> tuple[str | None, int]:
    """The script most letters of `text` are written in, and how many letters that is."""
    counts: dict[str, int] = {}
    for char in text:
        if (script := script_of(char)) is not None:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None, 0
    script = max(counts, key=lambda s: counts[s])
    return script, counts[script]


def written_language(text: str, languages: tuple[str, ...] | None = None) -> str | None:
    """The available language `text` is clearly written in; None when it is too short or unsure.

    Commands and button payloads ('/start', '/order_status{...}') say nothing about it.
    """
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return None
    languages = languages or available_languages()
    script, letters = dominant_script(text)
    if script is None:
        return None
    candidates = [lang for lang in languages if SCRIPT_OF.get(lang, "latin") == script]
    if not candidates:
        return None
    if script == "han":
        if letters < MIN_HAN:
            return None
    elif len(_WORD.findall(text)) < MIN_WORDS or letters < MIN_LETTERS:
        return None
    if len(candidates) == 1:
        return candidates[0]
    return _classify(text, tuple(candidates))


_identifiers: dict[tuple[str, ...], Any] = {}
_identifiers_lock = threading.Lock()


def _classify(text: str, candidates: tuple[str, ...]) -> str | None:
    """py3langid's answer among `candidates`, if it is sure enough."""
    identifier = _identifier(candidates)
    if identifier is None:
        return None
    lang, probability = identifier.classify(text)
    return str(lang) if float(probability) >= MIN_CONFIDENCE else None


def _identifier(candidates: tuple[str, ...]) -> Any:
    """One py3langid identifier per candidate set, loaded on first use (about a second)."""
    with _identifiers_lock:
        if candidates not in _identifiers:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            known = [lang for lang in candidates if lang in identifier.nb_classes]
            if len(known) < 2:
                log.warning("py3langid knows too few of %s to tell them apart", candidates)
                _identifiers[candidates] = None
            else:
                identifier.set_languages(known)
                _identifiers[candidates] = identifier
        return _identifiers[candidates]


@dataclass(frozen=True)
class ReplyLanguage:
    language: str
    source: LanguageSource


def reply_language(*, current: str | None, source: str | None, telegram_code: str | None,
                   text: str | None) -> ReplyLanguage:
    """The language to answer this message in, and why, given what is remembered.

    - chosen with /language: kept, whatever they write or set in Telegram;
    - written clearly in another available language: that one, remembered as written;
    - remembered from their writing: kept (their Telegram setting does not undo it);
    - otherwise their Telegram language when it has a catalog, else English.
    """
    remembered = supported_language(current)
    if source == LanguageSource.chosen.value and remembered is not None:
        return ReplyLanguage(remembered, LanguageSource.chosen)
    written = written_language(text or "")
    if written is not None and written != remembered:
        return ReplyLanguage(written, LanguageSource.written)
    if source == LanguageSource.written.value and remembered is not None:
        return ReplyLanguage(remembered, LanguageSource.written)
    return ReplyLanguage(supported_language(telegram_code) or SOURCE_LANGUAGE, LanguageSource.telegram)
