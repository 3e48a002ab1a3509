"""Every language's catalog has every message the code and domain.yml can send, translated, with
exactly the placeholders of the English message: nothing missing, misspelt, extra or unchecked."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from shop import catalogs
from shop.i18n import LOCALES_DIR, available_languages, placeholders, translator

LANGUAGES = [lang for lang in available_languages() if lang != "en"]


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogs.extract()


def read(language: str) -> Catalog:
    with catalogs.catalog_path(language).open("rb") as file:
        return read_po(file, locale=language)


def key(message: Message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return message.context, str(msgid)


def english_placeholders(message: Message) -> set[str]:
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    return set().union(*(placeholders(str(i)) for i in ids))


def test_the_four_languages_are_there():
    assert {"en", "de", "ru", "zh"} <= set(available_languages())


def test_the_template_is_what_the_code_says(template):
    """shop/locales/messages.pot is current: `make catalogs` was run after the texts changed."""
    with (LOCALES_DIR / "messages.pot").open("rb") as file:
        committed = read_po(file)
    assert {key(m) for m in committed if m.id} == {key(m) for m in template if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language, template):
    catalog = read(language)
    translated = {key(m): m for m in catalog if m.id}
    missing, unchecked, wrong = [], [], []
    for message in template:
        if not message.id:
            continue
        found = translated.get(key(message))
        if found is None:
            missing.append(key(message))
            continue
        forms = found.string if isinstance(found.string, tuple | list) else (found.string,)
        if found.fuzzy or not all(forms):
            unchecked.append(key(message))
            continue
        want = english_placeholders(message)
        if isinstance(message.id, tuple | list):
            assert len(forms) == catalog.num_plurals, key(message)
            # every plural form names the value it is about ({count}), a language may say it once
            bad = [f for f in forms if placeholders(f) - want or placeholders(f) | {"count"} < want]
        else:
            bad = [f for f in forms if placeholders(f) != want]
        wrong.extend((key(message), f) for f in bad)
    extra = set(translated) - {key(m) for m in template if m.id}
    assert not missing, f"{language}: untranslated (run make catalogs, then translate): {missing}"
    assert not unchecked, f"{language}: empty or fuzzy: {unchecked}"
    assert not wrong, f"{language}: placeholders differ from the English: {wrong}"
    assert not extra, f"{language}: messages the code no longer has: {extra}"


def test_the_check_fails_on_a_misspelt_placeholder(tmp_path: Path, template, monkeypatch):
    """The test above can fail: a catalog with {nummer} for {number} is caught."""
    source = catalogs.catalog_path("de").read_text(encoding="utf-8")
    broken = source.replace('msgstr "Bestellung {number}"', 'msgstr "Bestellung {nummer}"', 1)
    assert broken != source
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(catalogs, "LOCALES_DIR", tmp_path)
    with pytest.raises(AssertionError, match="placeholders differ"):
        test_every_message_is_translated_with_its_placeholders("de", template)


def test_a_broken_translation_falls_back_to_english_instead_of_failing():
    german = translator("de")
    broken = type(german)(german.language, german.locale, _OneWrong())
    assert broken._("Order {number}", number="1042") == "Order 1042"


class _OneWrong:
    """A catalog whose translation names a placeholder the code does not fill."""

    def gettext(self, message: str) -> str:
        return "Bestellung {nummer}"
