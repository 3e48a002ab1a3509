"""The journey actions by value: a tracker in, messages and events out (over a real store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy import select

from actions.account import ActionGreet
from actions.base import latest_order_number
from actions.delivery import ActionDeliveryStatus
from actions.feedback import ActionGiveFeedback
from actions.handoff import (
    HANDOFF_CLOSE,
    HANDOFF_SURE,
    ActionComplaint,
    ActionDefaultFallback,
    ActionRequestHuman,
)
from actions.metrics import period_text, report_default_period, wants_trend
from actions.order_requests import ActionCancelOrder, ActionChangeAddress, ActionRefundRequest
from actions.orders import ActionListOrders, ActionOrderStatus
from shop import order_requests, ticket_details
from shop.db import transaction
from shop.handoff import STAFF_NO_TICKET
from shop.i18n import ENGLISH
from shop.models import Feedback, Order, Role, Ticket
from shop.orders import NOT_LINKED
from tests import journey_builders as b
from tests.trackers import SENDER, make_tracker, run

USER = SENDER  # make_tracker's default sender
STRANGER = 45602
STAFF = 45603


@pytest.fixture
def sessions(action_store, monkeypatch) -> Any:
    settings, factory = action_store
    monkeypatch.setattr("actions.feedback.store", lambda: (settings, factory))
    now = datetime.now(UTC)
    with transaction(factory) as session:
        person = b.customer(session, name="Tia Tracker", created_at=now - timedelta(days=90))
        b.account(session, telegram_user_id=USER, customer=person)
        b.goods_order(session, owner=person, number="9001", created_at=now - timedelta(days=8), done=5)
        b.goods_order(session, owner=person, number="9002", created_at=now - timedelta(days=1), done=1)
    return factory


@pytest.mark.parametrize("action", [ActionOrderStatus(), ActionDeliveryStatus(), ActionListOrders(),
                                    ActionCancelOrder(), ActionChangeAddress(), ActionRefundRequest()])
async def test_strangers_get_no_order_data_from_any_order_journey(sessions, action):
    messages, _ = await run(action, make_tracker(sender=STRANGER, text="9001", entities={"order_id": "9001"}))
    assert [m["text"] for m in messages] == [NOT_LINKED]


async def test_greeting_a_stranger_offers_the_contact_button(sessions):
    [message], _ = await run(ActionGreet(), make_tracker(sender=STRANGER, text="hi"))
    assert message["text"] is None
    assert message["custom"]["type"] == "contact_request"


async def test_order_status_forgets_the_order_number(sessions):
    [message], events = await run(ActionOrderStatus(), make_tracker(text="where is 9002",
                                                                    entities={"order_id": "9002"}))
    assert message["text"].startswith("Order 9002")
    assert events == [{"event": "slot", "timestamp": None, "name": "order_id", "value": None}]


async def test_cancel_confirm_button_cancels(sessions):
    [ask], _ = await run(ActionCancelOrder(), make_tracker(text="cancel 9002", entities={"order_id": "9002"}))
    assert [btn["payload"] for btn in ask["buttons"]][0] == \
        '/cancel_order{"order_id":"9002","subject":"confirm"}'
    await run(ActionCancelOrder(), make_tracker(text=ask["buttons"][0]["payload"],
                                                entities={"order_id": "9002", "subject": "confirm"}))
    with sessions() as session:
        assert session.scalar(select(Order.status).where(Order.number == "9002")) == "cancelled"


def said_by_bot(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The tracker events after the bot sent `message` and the customer typed something."""
    return [{"event": "bot", "text": message["text"], "data": {"buttons": message["buttons"]}},
            {"event": "action", "name": "action_listen"}]


@pytest.mark.parametrize(("said", "status", "answer"), [
    ("affirm", "cancelled", "Done: order 9002 is cancelled"),
    ("deny", "placed", "OK, order 9002 stays as it is."),
])
async def test_a_typed_yes_or_no_answers_the_cancel_question(sessions, said, status, answer):
    [ask], _ = await run(ActionCancelOrder(), make_tracker(text="cancel 9002", intent="cancel_order",
                                                           entities={"order_id": "9002"}))
    [reply], _ = await run(ActionCancelOrder(), make_tracker(text="yes" if said == "affirm" else "no",
                                                             intent=said, events=said_by_bot(ask)))
    assert reply["text"].startswith(answer)
    with sessions() as session:
        assert session.scalar(select(Order.status).where(Order.number == "9002")) == status


@pytest.mark.parametrize("said", ["affirm", "deny"])
async def test_a_typed_yes_with_no_cancel_question_cancels_nothing(sessions, said):
    [which], _ = await run(ActionOrderStatus(), make_tracker(text="where is 9001",
                                                            entities={"order_id": "9001"}))
    [reply], _ = await run(ActionCancelOrder(), make_tracker(text="yes", intent=said,
                                                             events=said_by_bot(which)))
    assert reply["text"] == order_requests.NOTHING_TO_CONFIRM
    [reply], _ = await run(ActionCancelOrder(), make_tracker(text="yes", intent=said))
    assert reply["text"] == order_requests.NOTHING_TO_CONFIRM
    with sessions() as session:
        assert session.scalar(select(Order.status).where(Order.number == "9002")) == "placed"


async def test_a_good_rating_is_thanked(sessions):
    [message], events = await run(ActionGiveFeedback(), make_tracker(
        text='/give_feedback{"rating":"5","subject":"order:9001"}', intent="give_feedback",
        entities={"rating": "5", "subject": "order:9001"}))
    assert message["text"] == "Thank you for rating order 9001 5/5!"
    assert events == [{"event": "slot", "timestamp": None, "name": "rating", "value": None}]


async def test_a_low_rating_starts_the_reason_form_and_its_answer_opens_a_ticket(sessions):
    [sorry], events = await run(ActionGiveFeedback(), make_tracker(
        text="I'd give you 1 star", intent="give_feedback", entities={"rating": "1"}))
    assert sorry["text"] == "I'm sorry order 9001 disappointed you."
    with sessions() as session:
        feedback = session.scalar(select(Feedback))
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "feedback_reason_form"}
    assert {"event": "slot", "timestamp": None, "name": "feedback_subject",
            "value": str(feedback.id)} in events
    # The form filled feedback_reason from the next message; the rule runs the action again.
    [thanks], events = await run(ActionGiveFeedback(), make_tracker(
        text="Wrong item", intent="complaint",
        slots={"feedback_reason": "Wrong item", "feedback_subject": str(feedback.id)}))
    assert thanks["custom"]["type"] == "handoff"
    assert thanks["custom"]["text"].startswith("Thank you for telling us.")
    assert {e["name"]: e["value"] for e in events} == {"feedback_reason": None, "feedback_subject": None}
    with sessions() as session:
        assert session.scalar(select(Feedback.reason)) == "wrong_item"
        ticket = session.scalar(select(Ticket))
        assert ticket.reason == "low_rating"
        assert ticket_details.render(ticket.details, ENGLISH) == "Rated order 9001 1/5. Reason: Wrong item"


async def test_a_rating_written_out_without_an_entity_is_still_understood(sessions):
    tracker = make_tracker(text="4 stars from me", intent="give_feedback")
    [message], _ = await run(ActionGiveFeedback(), tracker)
    assert message["text"] == "Thank you for rating order 9001 4/5!"


# --- no handoff from doubt (issue 13) -------------------------------------------------------

def said(messages: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The text of the one reply (a handoff payload's text too) and its button payloads."""
    [message] = messages
    custom = message.get("custom") or {}
    return (message.get("text") or custom.get("text") or "",
            [b["payload"] for b in message.get("buttons") or []])


def conversation(*turns: tuple[str, str, float], bot_buttons: list[str] | None = None,
                 before: str | None = None) -> Tracker:
    """User turns (text, intent, confidence); the last is the latest message. `bot_buttons`:
    the bot's message just before it; `before`: the action that ran before it."""
    events: list[dict[str, Any]] = []
    for i, (text, intent, confidence) in enumerate(turns):
        if i == len(turns) - 1:
            if before:
                events.append({"event": "action", "name": before})
            if bot_buttons is not None:
                events.append({"event": "bot", "text": "?", "data": {
                    "buttons": [{"title": p, "payload": p} for p in bot_buttons]}})
        events.append({"event": "user", "text": text,
                       "parse_data": {"intent": {"name": intent, "confidence": confidence}}})
    text, intent, confidence = turns[-1]
    return make_tracker(sender=USER, text=text, intent=intent, confidence=confidence, events=events)


def open_tickets(sessions: Any) -> list[Ticket]:
    with transaction(sessions) as session:
        return list(session.scalars(select(Ticket).where(Ticket.telegram_user_id == USER)))


async def test_a_sure_complaint_opens_a_ticket_with_the_customers_words(sessions) -> None:
    messages, _ = await run(ActionComplaint(), conversation(("the lid was cracked", "complaint", 0.97)))
    text, _ = said(messages)
    assert "passed this on to a person" in text
    [opened] = open_tickets(sessions)
    assert opened.reason == "complaint" and opened.details == "the lid was cracked"


@pytest.mark.parametrize(("action", "intent"), [(ActionComplaint(), "complaint"),
                                                (ActionRequestHuman(), "request_human")])
async def test_an_unsure_one_is_asked_about_and_a_yes_opens_it(sessions, action, intent) -> None:
    messages, _ = await run(action, conversation(("hmm the thing", intent, HANDOFF_SURE - 0.01)))
    text, buttons = said(messages)
    assert "Shall I pass this" in text and buttons == [f"/{intent}", "/deny"]
    assert open_tickets(sessions) == []
    # a typed yes answers the question the bot's last buttons asked
    yes = conversation(("hmm the thing", intent, 0.6), ("yes", "affirm", 0.99), bot_buttons=buttons)
    messages, _ = await run(action, yes)
    assert "a person" in said(messages)[0]
    [opened] = open_tickets(sessions)
    assert opened.reason == intent and opened.details == "hmm the thing"


async def test_a_confident_complaint_unlike_its_training_examples_is_asked_about(sessions) -> None:
    tracker = conversation(("the sole is peeling a little", "complaint", 0.99))
    tracker.latest_message["out_of_domain"] = {"similarity": HANDOFF_CLOSE - 0.05, "intent": "complaint",
                                               "threshold": 0.28, "rejected": False}
    messages, _ = await run(ActionComplaint(), tracker)
    assert "Shall I pass this" in said(messages)[0]
    assert open_tickets(sessions) == []
    tracker.latest_message["out_of_domain"]["similarity"] = HANDOFF_CLOSE
    messages, _ = await run(ActionComplaint(), tracker)
    assert "passed this on to a person" in said(messages)[0]


async def test_staff_asking_for_a_person_get_no_ticket(sessions) -> None:
    """The one rule of both doors (shop.handoff): the shop's team never become tickets."""
    with transaction(sessions) as session:
        b.account(session, telegram_user_id=STAFF, role=Role.staff)
    tracker = conversation(("talk to a person", "request_human", 0.99))
    tracker.sender_id = str(STAFF)
    messages, _ = await run(ActionRequestHuman(), tracker)
    assert messages[0]["text"] == STAFF_NO_TICKET and not messages[0]["custom"]
    with transaction(sessions) as session:
        assert session.scalars(select(Ticket)).all() == []


async def test_a_yes_with_no_question_opens_nothing(sessions) -> None:
    messages, _ = await run(ActionComplaint(), conversation(("yes", "affirm", 0.99), bot_buttons=["/help"]))
    assert said(messages)[0].startswith("Great!")
    assert open_tickets(sessions) == []


async def test_the_pressed_yes_carries_the_customers_words(sessions) -> None:
    pressed = conversation(("my lid is wobbly", "complaint", 0.5), ("/complaint", "complaint", 1.0))
    await run(ActionComplaint(), pressed)
    [opened] = open_tickets(sessions)
    assert opened.details == "my lid is wobbly"


async def test_two_misses_offer_a_person_and_open_nothing(sessions) -> None:
    first = conversation(("blorp", "nlu_fallback", 0.4))
    messages, events = await run(ActionDefaultFallback(), first)
    assert said(messages)[0].startswith("Sorry, I didn't get that")
    second = conversation(("blorp", "nlu_fallback", 0.4), ("zzz", "nlu_fallback", 0.3),
                          before="action_default_fallback")
    second.slots["fallback_count"] = 1.0
    messages, events = await run(ActionDefaultFallback(), second)
    text, buttons = said(messages)
    assert text.startswith("Sorry, I still don't understand") and "/request_human" in buttons
    assert open_tickets(sessions) == []
    # "Talk to a person" after the misses: a ticket that shows staff what was not understood
    pressed = conversation(("blorp", "nlu_fallback", 0.4), ("zzz", "nlu_fallback", 0.3),
                           ("/request_human", "request_human", 1.0), before="action_default_fallback")
    await run(ActionRequestHuman(), pressed)
    [opened] = open_tickets(sessions)
    assert opened.reason == "not_understood" and opened.details == "“blorp”\n“zzz”"


async def test_a_complaint_after_two_misses_is_handed_over_as_a_complaint(sessions) -> None:
    # Not "Sorry, I still don't understand": the model understood this one.
    complaint = conversation(("blorp", "nlu_fallback", 0.4), ("zzz", "nlu_fallback", 0.3),
                             ("third time I'm writing about this and nobody answers", "complaint", 0.95),
                             before="action_default_fallback")
    messages, _ = await run(ActionComplaint(), complaint)
    [opened] = open_tickets(sessions)
    assert opened.reason == "complaint"
    assert opened.details == "third time I'm writing about this and nobody answers"
    assert "still don't understand" not in str(messages)


async def test_a_typed_yes_to_the_person_offered_after_two_misses(sessions) -> None:
    typed = conversation(("blorp", "nlu_fallback", 0.4), ("zzz", "nlu_fallback", 0.3),
                         ("yes", "affirm", 0.99), before="action_default_fallback",
                         bot_buttons=["/request_human", "/help"])
    await run(ActionRequestHuman(), typed)
    [opened] = open_tickets(sessions)
    assert opened.reason == "not_understood" and opened.details == "“blorp”\n“zzz”"


@pytest.mark.parametrize("latest", [
    {"intent": {"name": "out_of_scope", "confidence": 0.99}},
    {"intent": {"name": "nlu_fallback", "confidence": 0.8},
     "out_of_domain": {"similarity": 0.05, "intent": "complaint", "threshold": 0.2, "rejected": True}},
])
async def test_what_is_not_ours_gets_an_honest_answer_and_what_the_bot_can_do(sessions, latest) -> None:
    tracker = conversation(("what's the weather in Paris", "out_of_scope", 0.99))
    tracker.latest_message.update(latest)
    messages, _ = await run(ActionDefaultFallback(), tracker)
    text, buttons = said(messages)
    assert text.startswith("Sorry, that's outside what I can help with")
    assert buttons == ["/order_status", "/list_orders", "/help"]
    assert open_tickets(sessions) == []


@pytest.mark.parametrize(("intent", "confidence"), [("out_of_scope", 0.99), ("nlu_fallback", 0.55)])
async def test_a_message_not_understood_that_names_the_customers_order_offers_that_order(
        sessions, intent, confidence) -> None:
    messages, _ = await run(ActionDefaultFallback(), conversation(("news on 9002??", intent, confidence)))
    text, buttons = said(messages)
    assert text == "Is this about your order 9002? Here is what I can do with it:"
    assert buttons == ['/order_status{"order_id":"9002"}', '/delivery_status{"order_id":"9002"}',
                       '/request_human{"order_id":"9002"}']
    assert open_tickets(sessions) == []


async def test_an_own_order_number_padded_with_zeros_is_found(sessions) -> None:
    tracker = conversation(("news on #009002??", "out_of_scope", 0.99))
    messages, _ = await run(ActionDefaultFallback(), tracker)
    assert said(messages)[0] == "Is this about your order 9002? Here is what I can do with it:"


async def test_a_message_not_understood_that_names_two_of_the_customers_orders_offers_both(sessions) -> None:
    tracker = conversation(("9001 and 9002 ???", "out_of_scope", 0.99))
    messages, _ = await run(ActionDefaultFallback(), tracker)
    text, buttons = said(messages)
    assert text == "Is this about one of your orders?"
    assert buttons == ['/order_status{"order_id":"9001"}', '/order_status{"order_id":"9002"}']


@pytest.mark.parametrize("words", [
    "news on 9003??",  # someone else's order: indistinguishable from none
    "is 7919 a prime number",  # no order at all
    "my card ends 9002.50",  # the digits of a decimal, not a number of its own
    "call 0176 9002 4411",  # a phone number's group
])
async def test_a_number_that_is_not_the_customers_order_gets_the_honest_answer(sessions, words) -> None:
    with transaction(sessions) as session:
        other = b.customer(session, name="Otto Other", created_at=datetime.now(UTC) - timedelta(days=30))
        b.goods_order(session, owner=other, number="9003", created_at=datetime.now(UTC), done=1)
    messages, _ = await run(ActionDefaultFallback(), conversation((words, "out_of_scope", 0.99)))
    text, buttons = said(messages)
    assert text.startswith("Sorry, that's outside what I can help with")
    assert buttons == ["/order_status", "/list_orders", "/help"]


async def test_a_stranger_naming_an_order_number_learns_nothing_about_it(sessions) -> None:
    tracker = make_tracker(sender=STRANGER, text="news on 9002??", intent="out_of_scope", confidence=0.99)
    messages, _ = await run(ActionDefaultFallback(), tracker)
    assert "9002" not in str(messages)
    assert said(messages)[0].startswith("Sorry, that's outside what I can help with")


async def test_a_late_delivery_apologises_and_offers_a_person(sessions) -> None:
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        person = session.scalar(select(Order).where(Order.number == "9002")).customer
        b.goods_order(session, owner=person, number="9003", created_at=now - timedelta(days=10), done=2)
    messages, _ = await run(ActionDeliveryStatus(), make_tracker(intent="delivery_status",
                                                                 entities={"order_id": "9003"}))
    text, buttons = said(messages)
    assert "late by" in text and "sorry" in text
    assert buttons == ['/request_human{"order_id":"9003"}']
    on_time, _ = await run(ActionDeliveryStatus(), make_tracker(intent="delivery_status",
                                                                entities={"order_id": "9002"}))
    assert said(on_time)[1] == []


@pytest.mark.parametrize(("text", "entities", "expected"), [
    ("what was our CSAT in March 2024?", ["in March"], "in March 2024"),
    ("csat in March, 2024", ["in March"], "in March, 2024"),
    ("revenue in March vs February 2024", ["in March", "February"], "in March vs February 2024"),
    ("churn last quarter", ["last quarter"], "last quarter"),
    ("churn", [], None),
])
def test_a_year_right_after_a_period_belongs_to_it(text, entities, expected) -> None:
    latest = {"text": text, "intent": {"name": "ask_metric", "confidence": 1.0},
              "entities": [{"entity": "period", "value": v, "start": text.index(v),
                            "end": text.index(v) + len(v)} for v in entities]}
    assert period_text(make_tracker(sender=USER, latest=latest)) == expected


@pytest.mark.parametrize(("text", "trend", "period"), [
    ("show me the revenue trend this year", True, "last 7 days"),
    ("Umsatz-Verlauf dieses Jahr", True, "last 7 days"),
    ("покажи динамику выручки", True, "last 7 days"),
    ("今年营收的趋势图", True, "last 7 days"),
    ("monthly report", False, "last 30 days"),
    ("Monatsbericht bitte", False, "last 30 days"),
    ("месячный отчёт", False, "last 30 days"),
    ("月报", False, "last 30 days"),
    ("Wochenbericht", False, "last 7 days"),
])
def test_trend_and_month_words_in_four_languages(text, trend, period) -> None:
    assert wants_trend(text) is trend
    assert report_default_period(text) == period


@pytest.mark.parametrize(("entities", "expected"), [
    # DIET took "3" (weeks) for an order number; the regex found the real one
    ([("3", "DIETClassifier"), ("58213", "DIETClassifier"), ("58213", "RegexEntityExtractor")], "58213"),
    ([("7", "DIETClassifier")], None),  # "I'd rate it a 7": no order number at all
    ([("1042", "DIETClassifier")], "1042"),
    ([], None),
])
def test_the_order_number_is_the_one_the_customer_wrote(entities, expected) -> None:
    latest = {"text": "?", "intent": {"name": "order_status", "confidence": 1.0},
              "entities": [{"entity": "order_id", "value": v, "extractor": x} for v, x in entities]}
    assert latest_order_number(make_tracker(latest=latest)) == expected
