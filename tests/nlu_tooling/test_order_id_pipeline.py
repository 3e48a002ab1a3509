"""Order numbers through the trained model (models/current.tar.gz), not the regex alone: a
message read as out_of_scope keeps no order number unless an order word names it ("order
10425"; rasa_runtime/components/order_id_filter.py).

tests/nlu_tooling/order_id_dev_pipeline.yml holds messages outside a shop's business with
numbers of 4-6 digits ("is 7919 a prime number", "play track 10425"), junk, and shop messages
with their order numbers. Order_id F1 when every number stays: 0.716 (the regex's finds, whatever
the model); dropping those of out_of_scope messages: 0.865 with the model of 2026-12-05 (seed 42)
(precision 0.762: the others are messages the model is unsure of, nlu_fallback, or reads as a
shop intent, and they keep their numbers). Which messages a model reads as out_of_scope moves
with its training, so the floor stands well above keeping every number and a little below
today's figure.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from shop.settings import PROJECT_ROOT

PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
DEV_SET = Path(__file__).with_name("order_id_dev_pipeline.yml")
PARTS = ("outside", "junk", "shop")


def messages() -> list[tuple[str, str, list[str]]]:
    """(part, text, the order numbers in it), in file order."""
    asked = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))
    return [(part, text, [str(n) for n in numbers]) for part in PARTS for text, numbers in asked[part]]


def test_the_set_has_each_kind_of_message() -> None:
    found = Counter(part for part, _text, _numbers in messages())
    assert found["outside"] >= 50 and found["junk"] >= 5 and found["shop"] >= 40
    assert all(not numbers for part, _t, numbers in messages() if part != "shop")
    assert all(numbers for part, _t, numbers in messages() if part == "shop")


@pytest.mark.e2e
@pytest.mark.own_rasa  # loads the model in a process of its own
def test_refused_messages_give_no_order_number_and_shop_messages_keep_theirs(tmp_path: Path) -> None:
    assert MODEL.exists(), "no trained model: run `make model` (make test does)"
    asked = messages()
    intent = {"outside": "out_of_scope", "junk": "out_of_scope", "shop": "order_status"}
    nlu = {"version": "3.1", "nlu": [
        {"intent": intent[part], "examples": "".join(f"- {t}\n" for p, t, _n in asked if p == part)}
        for part in PARTS]}
    (tmp_path / "asked.yml").write_text(yaml.safe_dump(nlu, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    done = subprocess.run(
        [str(PYTHON), "-m", "nlu.rasa_predict", str(MODEL.resolve()), str(tmp_path / "asked.yml"),
         str(tmp_path / "parsed.jsonl")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning", "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert done.returncode == 0, done.stderr[-4000:]
    parsed = {r["text"]: r for r in map(json.loads, (tmp_path / "parsed.jsonl").read_text().splitlines())}
    tp = fp = fn = 0
    for part, text, numbers in asked:
        said = Counter(v for e, v in parsed[text]["entities"] if e == "order_id")
        top = parsed[text]["ranking"][0][0] if parsed[text]["ranking"] else None
        if top == "out_of_scope" and part != "shop":  # a shop message's "order 10425" stays
            assert not said, f"{text!r} was read as out_of_scope but kept {dict(said)}"
        gold = Counter(numbers)
        tp += sum((gold & said).values())
        fp += sum((said - gold).values())
        fn += sum((gold - said).values())
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.82, f"order_id F1 {f1:.3f} (tp {tp}, fp {fp}, fn {fn})"
