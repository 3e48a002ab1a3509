"""The linear intent classifier (rasa_runtime/components/linear_intents.py), run inside Rasa's
own environment on a tiny training set: its probabilities are averaged with DIET's, so a
message DIET ranks wrong but the linear model knows moves to the right intent, and the
ranking, the confidence and what the FallbackClassifier then judges follow the average."""

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
from rasa_runtime.components.linear_intents import LinearIntentClassifier
from rasa_runtime.components.multilingual_tokenizer import MultilingualTokenizer

cases = json.loads(sys.argv[1])
tokenizer = MultilingualTokenizer(MultilingualTokenizer.get_default_config())
train = TrainingData([Message(data={"text": t, "intent": i})
                      for i, texts in cases["train"].items() for t in texts])
tokenizer.process_training_data(train)
storage = LocalModelStorage(Path(tempfile.mkdtemp()))
resource = Resource("linear")
config = {**LinearIntentClassifier.get_default_config(), "weight": cases["weight"], "min_df": 1}
LinearIntentClassifier.create(config, storage, resource, None).train(train)
loaded = LinearIntentClassifier.load(config, storage, resource, None)  # as a served model does
out = []
for text, diet in cases["parse"]:
    data = {"text": text}
    if diet:
        data["intent"] = {"name": diet[0][0], "confidence": diet[0][1]}
        data["intent_ranking"] = [{"name": n, "confidence": c} for n, c in diet]
    message = Message(data=data)
    tokenizer.process([message])
    loaded.process([message])
    intent = message.get("intent") or {}
    out.append({"intent": intent.get("name"), "confidence": intent.get("confidence"),
                "ranking": [[r["name"], r["confidence"]] for r in message.get("intent_ranking") or []],
                "output": "intent" in message.output_properties})
print(json.dumps(out))
"""

TRAIN = {
    "order_status": ["where is my order 1042", "status of order 58213", "has my order shipped yet",
                     "where's my parcel", "is order 7731 on its way", "track my order"],
    "complaint": ["my parcel arrived damaged", "the box was broken", "you sent me the wrong size",
                  "the item is broken", "this is unacceptable, it came damaged"],
    "greet": ["hello", "hi there", "good morning", "hey"],
}
UNSURE_DIET = [["greet", 0.55], ["order_status", 0.3], ["complaint", 0.15]]


def parse(parse: list[tuple[str, list[list[object]]]], weight: float = 0.6) -> list[dict[str, object]]:
    result = in_rasa(SCRIPT, json.dumps({"train": TRAIN, "weight": weight, "parse": parse}))
    assert isinstance(result, list)
    return result


def test_the_linear_model_moves_a_message_diet_ranks_wrong_and_the_ranking_follows() -> None:
    (moved,) = parse([("my parcel came broken and damaged", UNSURE_DIET)])
    assert moved["intent"] == "complaint"
    assert moved["output"] is True
    ranking = moved["ranking"]
    assert isinstance(ranking, list)
    assert ranking[0][0] == "complaint"
    assert moved["confidence"] == ranking[0][1]
    confidences = [c for _, c in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert abs(sum(confidences) - 1.0) < 1e-3  # both sides are distributions over the intents


def test_the_weight_sets_each_sides_share() -> None:
    diet_only, linear_only = (parse([("my parcel came broken and damaged", UNSURE_DIET)], weight=w)[0]
                              for w in (0.0, 1.0))
    assert diet_only["ranking"] == UNSURE_DIET  # weight 0: DIET's ranking as it was
    assert linear_only["intent"] == "complaint"
    assert linear_only["confidence"] != 0.15


def test_a_sure_diet_and_a_sure_linear_model_agree_and_stay_sure() -> None:
    (agreed,) = parse([("where is my order 20391", [["order_status", 0.98], ["greet", 0.02]])])
    assert agreed["intent"] == "order_status"
    assert isinstance(agreed["confidence"], float) and agreed["confidence"] > 0.7


def test_payloads_and_messages_without_diets_ranking_are_left_alone() -> None:
    payload, unranked = parse([("/greet", [["greet", 1.0]]), ("hello there", [])])
    assert payload["ranking"] == [["greet", 1.0]]
    assert unranked["intent"] is None and unranked["ranking"] == []
