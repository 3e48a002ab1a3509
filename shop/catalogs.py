"""Keep the message catalogs: extract every message, update every language's catalog.

`make catalogs` (``python -m shop.catalogs``) extracts the messages of the Python code (babel.cfg;
the keywords are shop/i18n.py's `_`, `n_`, `p_`, `N_`, `Nn_` and `L_`) and of domain.yml's responses (text and
button titles, served translated by actions/nlg.py) into shop/locales/messages.pot, then brings
each shop/locales/<lang>/LC_MESSAGES/messages.po up to date: new messages are added untranslated
(or as fuzzy guesses, which are not used until a person checks them), gone ones are dropped.
``python -m shop.catalogs --new fr`` starts a catalog for a new language.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from shop.i18n import DOMAIN, LOCALES_DIR

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
DOMAIN_YML = ROOT / "domain.yml"
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "n_": (1, 2), "p_": ((1, "c"), 2), "Nn_": (1, 2), "L_": None}
WIDTH = 100


def domain_messages(path: Path = DOMAIN_YML) -> Iterator[tuple[str, int]]:
    """The texts and button titles of domain.yml's responses, with a line to cite."""
    text = path.read_text(encoding="utf-8")
    responses = (yaml.safe_load(text) or {}).get("responses") or {}
    for name, variations in responses.items():
        line = next((i for i, row in enumerate(text.splitlines(), 1) if row.strip() == f"{name}:"), 0)
        for variation in variations or []:
            if variation.get("text"):
                yield str(variation["text"]), line
            for button in variation.get("buttons") or []:
                if button.get("title"):
                    yield str(button["title"]), line


def extract() -> Catalog:
    """Every message the assistant can send, as a template catalog."""
    template = Catalog(project="shop-assistant", domain=DOMAIN, charset="utf-8", fuzzy=False)
    with BABEL_CFG.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for message, lineno in domain_messages():
        template.add(message, None, [(DOMAIN_YML.name, lineno)])
    return template


def catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=WIDTH, ignore_obsolete=True, include_previous=False)


def update(template: Catalog) -> list[str]:
    """Bring every language's catalog in line with `template`; the languages updated."""
    done = []
    for path in sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = path.parent.parent.name
        with path.open("rb") as file:
            catalog = read_po(file, locale=language, domain=DOMAIN)
        catalog.update(template, update_header_comment=False)
        write(catalog, path)
        done.append(language)
    return done


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shop.catalogs", description=__doc__.splitlines()[0])
    parser.add_argument("--new", metavar="LANG", help="start a catalog for this language (e.g. fr, pt_BR)")
    args = parser.parse_args(argv)
    template = extract()
    write(template, TEMPLATE)
    say(f"{len(template)} messages in {TEMPLATE.relative_to(ROOT)}")
    if args.new:
        path = catalog_path(args.new)
        if path.exists():
            parser.error(f"{path.relative_to(ROOT)} exists already")
        catalog = Catalog(locale=args.new, domain=DOMAIN, project="shop-assistant", charset="utf-8")
        catalog.update(template)
        write(catalog, path)
        say(f"started {path.relative_to(ROOT)}: translate its messages")
    for language in update(template):
        with catalog_path(language).open("rb") as file:
            catalog = read_po(file, locale=language)
        missing = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
        say(f"{language}: {len(catalog)} messages, {missing} to translate or check")


if __name__ == "__main__":
    main()
