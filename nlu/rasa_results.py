"""Reading what Rasa predicted: the JSON files `rasa test nlu --successes` writes into its
output folder, or the JSON lines of nlu.rasa_predict.

Rasa writes every intent prediction (intent_successes.json + intent_errors.json, with
the fallback undone so the raw top intent and its confidence show) and, per entity
extractor, the messages it got partly right or wrong with all predicted entities.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

PREDICTION_COLUMNS = ["text", "intent", "predicted", "confidence"]
FALLBACK = "nlu_fallback"


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def intent_predictions(out_dir: Path) -> pd.DataFrame:
    """One row per test message: text, gold intent, predicted intent, its confidence."""
    records = _read_json(out_dir / "intent_successes.json") + _read_json(out_dir / "intent_errors.json")
    rows = [
        (
            r["text"],
            r["intent"],
            r["intent_prediction"]["name"],
            float(r["intent_prediction"]["confidence"] or 0.0),
        )
        for r in records
    ]
    return pd.DataFrame(rows, columns=PREDICTION_COLUMNS)


def predicted_entities(out_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """Text → the (entity, value) pairs all extractors together returned for it.

    A message with neither gold nor predicted entities appears in no file: it maps to
    nothing, which is what was predicted.
    """
    found: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(out_dir.glob("*_successes.json")) + sorted(out_dir.glob("*_errors.json")):
        if path.name.startswith(("intent_", "response_selection_")):
            continue
        for record in _read_json(path):
            pairs = found.setdefault(record["text"], set())
            pairs.update((e["entity"], str(e["value"])) for e in record["predicted_entities"])
    return {text: sorted(pairs) for text, pairs in found.items()}


def rasa_report(out_dir: Path, name: str) -> dict[str, Any]:
    """One of Rasa's own reports (intent_report.json, DIETClassifier_report.json, ...)."""
    report: dict[str, Any] = _read_json(out_dir / name) or {}
    return report


def parsed_predictions(path: Path) -> tuple[pd.DataFrame, dict[str, list[tuple[str, str]]]]:
    """The lines nlu.rasa_predict wrote, as (one row per message, text → entities found).

    Each row holds DIET's own top intent and confidence with every fallback undone (the
    FallbackClassifier's and the out-of-domain filter's), and the filter's similarity of
    the message to that intent's training examples (1.0 where the model has no filter), so
    that nlu.metrics.with_fallback can apply any pair of thresholds.
    """
    rows, entities = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        top = next(((name, conf) for name, conf in record["ranking"] if name != FALLBACK), (FALLBACK, 0.0))
        judged = record.get("out_of_domain") or {}
        similarity = float(judged["similarity"]) if judged.get("intent") == top[0] else 1.0
        rows.append((record["text"], record["intent"], top[0], float(top[1] or 0.0), similarity))
        entities[record["text"]] = sorted({(e, str(v)) for e, v in record["entities"]})
    return pd.DataFrame(rows, columns=[*PREDICTION_COLUMNS, "similarity"]), entities
