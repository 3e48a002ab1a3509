"""The out-of-domain filter (rasa_runtime/components/out_of_domain.py), run inside Rasa's
own environment on a tiny training set: far messages become nlu_fallback, near ones keep
their intent, and the score travels with every parse."""

from __future__ import annotations

import json

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
