"""Proof that the held-out test files share no sentence with the training data.

A test sentence that was also trained on measures memory, not understanding; the check
compares sentences after folding case, annotations and whitespace, so that
"Where is [1042](order_id)?" and "where is  1042?" count as the same sentence. The same
folding holds in every language: full-width forms as their plain ones ("？", "１０４２"), ё as е,
and no space next to a Chinese character, so "订单 1042？" is "订单1042?". It reads every file
under tests/nlu (the first file, wide/ and each language's folder) against everything under
data/ (de/, ru/, zh/ with the rest), and can drop the shared sentences from the held-out
files, which is how a held-out file written blind is made apart from training data written
at the same time ("hallo" is in both, sooner or later).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import yaml

from nlu.data import load_nlu, nlu_files, parse_annotated

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SPACE_BY_HAN = re.compile(rf"\s+(?=[{HAN}])|(?<=[{HAN}])\s+")


def normalise(text: str) -> str:
    """Case folded, annotations stripped, whitespace folded (and none beside Chinese),
    full-width forms plain, ё as е."""
    plain, _ = parse_annotated(text)
    folded = unicodedata.normalize("NFKC", plain).casefold().replace("ё", "е")
    return SPACE_BY_HAN.sub("", re.sub(r"\s+", " ", folded)).strip()


def story_user_texts(path: Path) -> list[str]:
    """User turns written inside stories and rules (`- user: ...`) are sentences too."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        step["user"]
        for section in ("stories", "rules")
        for item in document.get(section) or []
        for step in item.get("steps") or []
        if isinstance(step, dict) and "user" in step
    ]


def training_sentences(data_dir: Path) -> list[str]:
    """Every sentence under data/: NLU examples and the user turns of stories and rules."""
    texts = list(load_nlu(data_dir).examples["text"])
    for path in nlu_files(data_dir):
        texts.extend(story_user_texts(path))
    return texts


def overlap(test_texts: Iterable[str], train_texts: Iterable[str]) -> list[str]:
    """The test sentences whose normalised form also occurs among the training sentences."""
    seen = {normalise(t) for t in train_texts}
    return [t for t in test_texts if normalise(t) in seen]


def heldout_overlap(test_file: Path, data_dir: Path) -> list[str]:
    """The sentences of the held-out file that also appear in data/."""
    return overlap(load_nlu(test_file).examples["text"], training_sentences(data_dir))


def drop_sentences(test_path: Path, texts: Iterable[str]) -> int:
    """Remove the example lines whose sentence is one of `texts` (compared as normalised) from
    the YAML files under `test_path`, keeping every other line, comment and layout as it was;
    returns how many lines went."""
    unwanted = {normalise(t) for t in texts}
    dropped = 0
    for path in nlu_files(test_path):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [
            line for line in lines
            if not (line.startswith(" ") and line.lstrip().startswith("- ")
                    and normalise(line.lstrip()[2:].strip()) in unwanted)
        ]
        if len(kept) != len(lines):
            path.write_text("".join(kept), encoding="utf-8")
            dropped += len(lines) - len(kept)
    return dropped
