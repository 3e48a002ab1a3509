"""Rasa NLU training data (YAML, format 3.1) to and from a pandas DataFrame.

One row per example, so that data can be split, counted and compared with pandas; the
other items of the `nlu:` list (regex, synonym, lookup) travel beside it unchanged,
because every training split needs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

COLUMNS = ["intent", "text", "plain", "entities", "source"]

# `[text](entity)` or `[text](entity:value)`: the annotation form this project writes.
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<entity>[^:)]+)(?::(?P<value>[^)]+))?\)")


@dataclass
class NluData:
    """Examples as a DataFrame plus the non-example items (regex, synonym, lookup)."""

    examples: pd.DataFrame
    extras: list[dict[str, Any]] = field(default_factory=list)


def parse_annotated(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Split `where is [1042](order_id)` into its plain text and its entities."""
    plain: list[str] = []
    entities: list[dict[str, Any]] = []
    cursor = 0
    length = 0
    for match in ANNOTATION.finditer(text):
        before = text[cursor : match.start()]
        plain.append(before)
        length += len(before)
        span = match.group("text")
        entities.append(
            {
                "entity": match.group("entity"),
                "value": match.group("value") or span,
                "start": length,
                "end": length + len(span),
            }
        )
        plain.append(span)
        length += len(span)
        cursor = match.end()
    plain.append(text[cursor:])
    return "".join(plain), entities


def _example_lines(block: str) -> list[str]:
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


def read_nlu_file(path: Path) -> NluData:
    """Read one YAML file; a file without an `nlu:` key (rules, stories) gives no rows."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = []
    extras = []
    for item in document.get("nlu", []):
        if "intent" not in item:
            extras.append(item)
            continue
        for text in _example_lines(item["examples"]):
            plain, entities = parse_annotated(text)
            rows.append((item["intent"], text, plain, entities, str(path)))
    return NluData(pd.DataFrame(rows, columns=COLUMNS), extras)


def nlu_files(path: Path) -> list[Path]:
    """The YAML files Rasa would read as training data under a file or folder."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in {".yml", ".yaml"})


def load_nlu(path: Path) -> NluData:
    """All examples and extras under a file or folder, in file order."""
    parts = [read_nlu_file(p) for p in nlu_files(path)]
    frames = [p.examples for p in parts if not p.examples.empty]
    examples = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return NluData(examples, [extra for p in parts for extra in p.extras])


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings as `|` blocks, the way Rasa's own files look."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _represent_str)


def to_yaml(data: NluData) -> str:
    """Rasa YAML for the examples (grouped by intent, first-seen order) and the extras."""
    items: list[dict[str, Any]] = []
    for intent, group in data.examples.groupby("intent", sort=False):
        block = "".join(f"- {text}\n" for text in group["text"])
        items.append({"intent": intent, "examples": block})
    items.extend(data.extras)
    document = {"version": "3.1", "nlu": items}
    return yaml.dump(document, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True)


def single_file(path: Path, workdir: Path) -> Path:
    """`path` itself for a file; for a folder, its examples gathered into one file under
    `workdir` (Rasa's tools and the model caches take one test file)."""
    if path.is_file():
        return path
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"{path.name}.yml"
    target.write_text(to_yaml(load_nlu(path)), encoding="utf-8")
    return target
