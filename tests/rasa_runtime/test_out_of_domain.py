"""The out-of-domain filter (rasa_runtime/components/out_of_domain.py), run inside Rasa's
own environment on a tiny training set: far messages become nlu_fallback, near ones keep
their intent, and the score travels with every parse."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.rasa_runtime.rasa_python import in_rasa

SCRIPT = r"""
import json, sys, tempfile
from pathlib import Path
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa_runtime.components.out_of_domain import OutOfDomainFilter

cases = json.loads(sys.argv[1])
train = [Message(data={"text": t, "intent": i}) for i, texts in cases["train"].items() for t in texts]
storage = LocalModelStorage(Path(tempfile.mkdtemp()))
resource = Resource("ood")
config = {**OutOfDomainFilter.get_default_config(), "threshold": cases["threshold"]}
OutOfDomainFilter.create(config, storage, resource, None).train(TrainingData(train))
loaded = OutOfDomainFilter.load(config, storage, resource, None)  # as a served model does
out = []
for text, intent, confidence in cases["parse"]:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "greet", "confidence": 1 - confidence}]
    message = Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})
    loaded.process([message])
    out.append({"intent": message.get("intent")["name"],
                "ranking": [r["name"] for r in message.get("intent_ranking")],
                "judged": message.get("out_of_domain"),
                "output": "out_of_domain" in message.output_properties})
print(json.dumps(out))
"""

TRAIN = {
    "order_status": ["where is my order 1042", "status of order 58213", "has my order shipped yet",
                     "where's my parcel", "is order 7731 on its way"],
    "complaint": ["my parcel arrived damaged", "the box was broken", "you sent me the wrong size"],
    "out_of_scope": ["what's the weather like", "tell me a joke"],
}


def judge(parse: list[tuple[str, str, float]], threshold: float = 0.3) -> list[dict[str, object]]:
    result = in_rasa(SCRIPT, json.dumps({"train": TRAIN, "threshold": threshold, "parse": parse}))
    assert isinstance(result, list)
    return result


def test_far_messages_become_fallback_and_near_ones_keep_their_intent() -> None:
    near, far, html, other_number = judge([
        ("where is my order 1042?", "order_status", 0.95),
        ("how do I transfer money to my savings account", "order_status", 0.97),
        ("<b>hi</b> <script>alert(1)</script>", "complaint", 0.99),
        ("where is my order 99310?", "order_status", 0.9),  # digits are folded: any number is near
    ])
    assert near["intent"] == "order_status" and not near["judged"]["rejected"]
    assert near["output"], "the score must reach /model/parse"
    for rejected in (far, html):
        assert rejected["intent"] == "nlu_fallback"
        assert rejected["judged"]["rejected"] and rejected["judged"]["similarity"] < 0.3
        assert rejected["ranking"][:2] == ["nlu_fallback", rejected["judged"]["intent"]]
    assert other_number["intent"] == "order_status"
    assert other_number["judged"]["similarity"] == near["judged"]["similarity"]


def test_a_refusal_is_left_alone_and_a_zero_threshold_only_records() -> None:
    oos, recorded = judge([("how do I bake bread", "out_of_scope", 0.8),
                           ("how do I bake bread", "complaint", 0.8)], threshold=0.0)
    assert oos["intent"] == "out_of_scope"
    assert recorded["intent"] == "complaint" and recorded["judged"]["rejected"] is False
    assert recorded["judged"]["similarity"] < 0.3
    (exempt,) = judge([("how do I bake bread", "out_of_scope", 0.8)])
    assert exempt["intent"] == "out_of_scope" and exempt["judged"]["rejected"] is False


def test_button_payloads_are_not_judged() -> None:
    (button,) = judge([('/order_status{"order_id":"1042"}', "order_status", 1.0)])
    assert button["intent"] == "order_status" and button["judged"] is None


# --- four languages (issue 17) -------------------------------------------------------------

REAL_DATA = r"""
import json, sys, tempfile
from pathlib import Path
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.message import Message
from rasa_runtime.components.multilingual_tokenizer import MultilingualTokenizer
from rasa_runtime.components.out_of_domain import OutOfDomainFilter

parse = json.loads(sys.argv[1])
tokenizer = MultilingualTokenizer.create(MultilingualTokenizer.get_default_config(), None, None, None)
out = {}
for name, tokenize, calibrate in (("default", True, True), ("uncalibrated", True, False),
                                  ("untokenized", False, False)):
    data = TrainingDataImporter.load_from_dict(
        domain_path="domain.yml", training_data_paths=["data"]).get_nlu_data()
    if tokenize:
        tokenizer.process_training_data(data)
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    resource = Resource("ood")
    config = {**OutOfDomainFilter.get_default_config(), "threshold": 0.28, "calibrate_scripts": calibrate}
    OutOfDomainFilter.create(config, storage, resource, None).train(data)
    loaded = OutOfDomainFilter.load(config, storage, resource, None)
    parses = []
    for text, intent in parse:
        ranking = [{"name": intent, "confidence": 0.95}, {"name": "greet", "confidence": 0.05}]
        message = Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})
        if tokenize:
            tokenizer.process([message])
        loaded.process([message])
        parses.append({**message.get("out_of_domain"), "text": text, "result": message.get("intent")["name"]})
    out[name] = {"scales": loaded.index.scales, "parses": parses}
print(json.dumps(out))
"""

NEAR = [
    ("where's my parcel, order 5512?", "order_status"),
    ("Wo ist denn mein Paket, Bestellung 5512?", "order_status"),
    ("Где моя посылка, заказ 5512?", "order_status"),
    ("我的包裹到哪里了，订单5512？", "order_status"),
    ("我要退钱，东西是坏的", "refund_request"),
]
FAR = [
    ("how many calories are in a banana", "order_status"),
    ("Wie viele Kalorien hat eine Banane?", "order_status"),
    ("Сколько калорий в банане?", "order_status"),
    ("帮我写一首关于春天的诗", "order_status"),
]
Parse = dict[str, Any]


@pytest.fixture(scope="module")
def real_data() -> dict[str, dict[str, Any]]:
    """The filter trained on data/ (all four languages) three ways, in one run of .venv-rasa:
    as configured, without the script calibration, and without the tokenizer's boundaries."""
    result = in_rasa(REAL_DATA, json.dumps(NEAR + FAR))
    assert isinstance(result, dict)
    return result


def test_in_four_languages_near_messages_keep_their_intent_and_far_ones_are_refused(
    real_data: dict[str, dict[str, Any]],
) -> None:
    parses: list[Parse] = real_data["default"]["parses"]
    near, far = parses[: len(NEAR)], parses[len(NEAR):]
    assert [p["result"] for p in near] == [intent for _, intent in NEAR], near
    assert [p["result"] for p in far] == ["nlu_fallback"] * len(FAR), far
    assert [p["script"] for p in near[:4]] == ["latin", "latin", "cyrillic", "han"]


def test_latin_text_is_scored_as_before_and_other_scripts_are_scaled(
    real_data: dict[str, dict[str, Any]],
) -> None:
    scales = real_data["default"]["scales"]
    assert scales["latin"] == 1.0
    assert 0.5 <= scales["cyrillic"] < 1.0 and 0.5 <= scales["han"] < 1.0
    assert real_data["uncalibrated"]["scales"] == {}
    pairs = zip(real_data["default"]["parses"], real_data["uncalibrated"]["parses"], strict=True)
    for calibrated, plain in pairs:
        assert calibrated["raw_similarity"] == plain["similarity"]
        if calibrated["script"] == "latin":
            assert calibrated["similarity"] == plain["similarity"]
        else:
            assert calibrated["similarity"] > plain["similarity"]


def test_chinese_is_compared_word_by_word_not_as_one_long_word(
    real_data: dict[str, dict[str, Any]],
) -> None:
    """Without the tokenizer's word boundaries a Chinese sentence is one char_wb "word", far
    from every example; with them it is as close to its intent as other languages are."""
    unspaced = real_data["untokenized"]["parses"][3]
    words = real_data["uncalibrated"]["parses"][3]
    assert unspaced["text"] == words["text"] == NEAR[3][0]
    assert unspaced["similarity"] < 0.2 < words["similarity"]
