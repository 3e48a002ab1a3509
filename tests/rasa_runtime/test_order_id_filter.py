"""The order-number filter (rasa_runtime/components/order_id_filter.py), run inside Rasa's own
environment: DIET's numbers that the regex did not find are dropped, one order number is
kept per number, its value the digits ("10 425" is 10425), and every other entity stays as
it was."""

from __future__ import annotations

import json

from nlu.order_id_regex import GROUP_SEPARATORS
from tests.rasa_runtime.rasa_python import in_rasa

SCRIPT = r"""
import json, sys
from rasa.shared.nlu.training_data.message import Message
from rasa_runtime.components.order_id_filter import OrderIdFilter

component = OrderIdFilter.create(OrderIdFilter.get_default_config(), None, None, None)
cases = json.loads(sys.argv[1])
messages = [Message(data={"text": text, "entities": entities, **(extra[0] if extra else {})})
            for text, entities, *extra in cases]
component.process(messages)
print(json.dumps([{"entities": m.get("entities"), "output": "entities" in m.output_properties}
                  for m in messages]))
"""


def entity(kind: str, value: str, extractor: str, start: int = 0) -> dict[str, object]:
    return {"entity": kind, "value": value, "extractor": extractor, "start": start,
            "end": start + len(value), "confidence_entity": 0.9}


Case = tuple[str, list[dict[str, object]]] | tuple[str, list[dict[str, object]], dict[str, object]]


def filtered(*cases: Case) -> list[list[dict[str, object]]]:
    """Each case's entities after the filter; a case's third item is more of the message's
    data (its intent, the out-of-domain filter's judgement)."""
    result = in_rasa(SCRIPT, json.dumps(cases))
    assert isinstance(result, list)
    assert all(found["output"] for found, (_, entities, *_extra) in zip(result, cases, strict=True)
               if entities)
    return [found["entities"] for found in result]


def test_only_the_regex_order_numbers_stay_once_each_and_other_entities_are_kept() -> None:
    week = entity("period", "last week", "DIETClassifier", 20)
    days, both, alone = filtered(
        # "7 days": DIET's guess, no order number by the regex's rule
        ("it's been 7 days, where is it", [entity("order_id", "7", "DIETClassifier", 10), week]),
        # the same number from DIET and from the regex: the regex's copy, once
        ("where is order 1042", [entity("order_id", "1042", "DIETClassifier", 15),
                                 entity("order_id", "1042", "RegexEntityExtractor", 15)]),
        # DIET tags the year, the regex the order: the order alone
        ("order 58213 placed in 2025", [entity("order_id", "2025", "DIETClassifier", 22),
                                        entity("order_id", "58213", "RegexEntityExtractor", 6)]),
    )
    assert days == [week]
    assert both == [entity("order_id", "1042", "RegexEntityExtractor", 15)]
    assert alone == [entity("order_id", "58213", "RegexEntityExtractor", 6)]


def test_two_different_order_numbers_both_stay_and_a_message_without_entities_is_untouched() -> None:
    two, none = filtered(
        ("1042 and 1043 both late", [entity("order_id", "1042", "RegexEntityExtractor", 0),
                                     entity("order_id", "1043", "RegexEntityExtractor", 9)]),
        ("hello", []),
    )
    assert [e["value"] for e in two] == ["1042", "1043"]
    assert none == []


def test_an_out_of_scope_message_keeps_no_order_number_and_every_other_message_keeps_it() -> None:
    prime = entity("order_id", "7919", "RegexEntityExtractor", 3)
    track = entity("order_id", "10425", "RegexEntityExtractor", 11)
    week = entity("period", "last week", "DIETClassifier", 20)
    order = entity("order_id", "1042", "RegexEntityExtractor", 6)
    outside, far, unsure, understood = filtered(
        # out_of_scope: the number is no order, other entities stay
        ("is 7919 a prime number last week", [prime, week],
         {"intent": {"name": "out_of_scope", "confidence": 0.9}}),
        # rejected by the out-of-domain filter: many such messages are shop messages written
        # unlike the training data, and the next message may need their order
        ("fwd: your order 10425 has shipped", [track],
         {"intent": {"name": "nlu_fallback", "confidence": 0.8},
          "out_of_domain": {"rejected": True, "similarity": 0.1}}),
        # merely unsure: the fallback's buttons carry the order number
        ("order 1042 hmm", [order], {"intent": {"name": "nlu_fallback", "confidence": 0.7},
                                     "out_of_domain": {"rejected": False}}),
        ("order 1042 where", [order], {"intent": {"name": "delivery_status", "confidence": 0.99}}),
    )
    assert outside == [week]
    assert far == [track]
    assert unsure == [order]
    assert understood == [order]


def test_an_order_number_in_groups_becomes_its_digits_once() -> None:
    """Rasa's regex extractor gives the text it matched ("10 425"); the slot and the actions get
    the number the store holds, once however often the message names it."""
    grouped, twice = filtered(
        ("where is order 10 425", [entity("order_id", "10 425", "DIETClassifier", 15),
                                   entity("order_id", "10 425", "RegexEntityExtractor", 15)]),
        ("order 10 425 (10425)", [entity("order_id", "10 425", "RegexEntityExtractor", 6),
                                  entity("order_id", "10425", "RegexEntityExtractor", 14)]),
    )
    assert grouped == [{**entity("order_id", "10 425", "RegexEntityExtractor", 15), "value": "10425",
                        "processors": ["OrderIdFilter"]}]
    assert [(e["value"], e["start"], e["end"]) for e in twice] == [("10425", 6, 12)]


def test_every_group_separator_of_the_regex_is_taken_out_of_the_value() -> None:
    """The regex's separators (nlu/order_id_regex.py), each between "10" and "425": the value the
    component gives is the one tests/nlu_tooling/test_order_id_regex.py scores, the digits."""
    cases = [(f"order 10{sep}425", [entity("order_id", f"10{sep}425", "RegexEntityExtractor", 6)])
             for sep in GROUP_SEPARATORS]
    assert [[e["value"] for e in found] for found in filtered(*cases)] == [["10425"]] * len(GROUP_SEPARATORS)


def test_an_out_of_scope_message_keeps_an_order_number_named_by_an_order_word_just_before_it() -> None:
    """A link to the shop's order page or "under order 20554" in a letter the model refuses still
    names an order; a number far from the word, or after another word, does not."""
    link = "https://shop.example.com/orders/58213/track"
    letter = "I bought the TV in the sale under order 20554 and today it is cheaper"
    russian = "заказ 10425 это не ваш магазин"
    far = "my order from the other shop was late, anyway what is 7919 squared"
    script = "<script>alert(10425)</script>"
    refused = {"intent": {"name": "out_of_scope", "confidence": 0.95}}
    found = filtered(*[(text, [entity("order_id", number, "RegexEntityExtractor", text.index(number))],
                        refused)
                       for text, number in [(link, "58213"), (letter, "20554"), (russian, "10425"),
                                            (far, "7919"), (script, "10425")]])
    assert [[e["value"] for e in kept] for kept in found] == [["58213"], ["20554"], ["10425"], [], []]
