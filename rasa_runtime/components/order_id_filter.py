# Rasa validates its graph by comparing the annotations of connected components, which
# spell them with typing's List/Dict/Text: the old spellings stay here.
# ruff: noqa: UP006, UP035, UP019
"""Order numbers come from the regex alone: an `order_id` entity survives only when the
RegexEntityExtractor found it, once per number, its value the number's digits.

DIET learns `order_id` from the training data and tags numbers well in the sentences it was
trained on, but at one transformer layer it also tags numbers that are no order: "7 days",
"2 of 5", "in 2025" (5-fold cross-validation on the training data, before this component:
order_id precision 0.871, recall 0.992 over DIET and the regex together; docs/nlu-report.md).
The regex in data/nlu/regex.yml states what an order number is (4-6 digits, however written,
not part of a date, an amount or a year after a time word), in the four languages. DIET keeps
every other entity (metric, period, rating); its order numbers are dropped, and the regex's
copy is the one the slot and the actions read.

The regex also finds order numbers written in digit groups ("order 10 425", "Bestellung
10.425", "订单10,425"; nlu/order_id_regex.py GROUP_SEPARATORS), and Rasa's extractor gives the
text it matched as the value: here it becomes the digits, "10425", the number the store holds.
The training data annotates such a number with its digits too (`[10 425](order_id:10425)`), and
nlu/'s evaluation compares the values this component returns, so both read "10425".

It runs inside Rasa (.venv-rasa), named in config.yml after the RegexEntityExtractor and the
EntitySynonymMapper. It has nothing to train.

A message DIET reads as `out_of_scope` keeps no order number ("is 7919 a prime number",
"play track 10425", "transfer 1500 to my savings", a pasted `<script>alert(10425)</script>`)
unless an order word stands right before it: a link to the shop's order page
("https://shop.example.com/orders/58213/track") or "under order 20554" in a long letter the
model refuses still names the order the customer means. The regex judges a number by the words
around it and takes many such numbers for orders; the message is answered with what the bot
can do, not with an order, and its number must not fill the order_id slot for the next message.
Messages the out-of-domain filter rejects keep theirs: it rejects many shop messages written
unlike the training data (a pasted e-mail, a long story with the order in it), and the order
talked about is what the next message needs. Numbers in messages that are merely unsure
(nlu_fallback) stay too: the fallback offers the likely intents with the order number on their
buttons.

Chosen on the development sets through the trained model (the four regex sets and the grouped
one in tests/nlu_tooling, and order_id_dev_pipeline.yml, written for this question before
either rule ran on it: 66 unrelated messages with numbers, 8 junk, 47 shop messages), pooled
order_id F1: 0.973 keeping every number, 0.977 dropping those of `out_of_scope` messages (false
positives 47 -> 23, misses 12 -> 26), 0.940 dropping those of out-of-domain rejections too
(false positives 17, misses 108: the English sets' pasted and story-wrapped shop messages).
Keeping the numbers of `out_of_scope` messages that an order word names (the rule is
shop/order_words.py), on the same six sets through one model (config.yml, seed 42; 1,665
messages): 0.977 -> 0.981, misses 30 -> 23, false positives 19, unchanged. Dropping instead
every number of `nlu_fallback` messages that no order word names lost 144 order numbers (0.909).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from shop.order_words import named_as_order  # plain Python, one rule for Rasa and the actions


def order_number(value: Any) -> str:
    """The digits of an order number as the regex matched it: "10 425", "10,425", "10’425" ->
    "10425"; "1042" stays "1042"."""
    return re.sub(r"\D", "", str(value))


def keep_trusted(entities: List[Dict[Text, Any]], entity: str, trusted: List[str]) -> List[Dict[Text, Any]]:
    """`entities` without the `entity` ones that no `trusted` extractor found, and with one
    (the trusted extractor's) per number, its value the number's digits (this component named
    among its processors where that changed it, as Rasa's EntitySynonymMapper does); every other
    entity unchanged and in its place."""
    kept, seen = [], set()
    for e in entities:
        if e.get(ENTITY_ATTRIBUTE_TYPE) != entity:
            kept.append(e)
            continue
        value = order_number(e.get(ENTITY_ATTRIBUTE_VALUE))
        if e.get(EXTRACTOR) not in trusted or value in seen:
            continue
        seen.add(value)
        if value != e.get(ENTITY_ATTRIBUTE_VALUE):
            e = {**e, ENTITY_ATTRIBUTE_VALUE: value,
                 "processors": [*e.get("processors", []), "OrderIdFilter"]}
        kept.append(e)
    return kept


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class OrderIdFilter(GraphComponent):
    """Drops the order numbers the regex did not find, repeats of one it did, and the order
    numbers of an out_of_scope message that no order word names; gives each kept one the digits
    as its value."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"entity": "order_id", "trusted_extractors": ["RegexEntityExtractor"],
                "refused_intents": ["out_of_scope"]}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> OrderIdFilter:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES)
            if entities:
                kept = keep_trusted(entities, self.config["entity"], list(self.config["trusted_extractors"]))
                if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in self.config["refused_intents"]:
                    text = message.get(TEXT) or ""
                    kept = [e for e in kept if e.get(ENTITY_ATTRIBUTE_TYPE) != self.config["entity"]
                            or named_as_order(text, e.get("start"))]
                message.set(ENTITIES, kept, add_to_output=True)
        return messages
