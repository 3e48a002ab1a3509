"""The FAQ actions by value: a tracker in, messages out, turns and questions in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

import actions.base
import actions.faq
from actions.faq import ActionAnswerFaq, ActionFaqHelpful
from actions.handoff import DID_NOT_GET, ActionDefaultFallback
from actions.order_requests import ActionChangeAddress, ActionRefundRequest
from shop.db import transaction
from shop.faq.answers import DONT_KNOW, GLAD, GONE, HELPS, ONE_OF_THESE
from shop.faq.demo import seed_faq
from shop.faq.retrieval import FaqLibrary
from shop.faq.unanswered import top_unanswered
from shop.models import BotTurn, FaqEntry, Ticket, UnansweredQuestion
from shop.replies import TALK_TO_PERSON
from tests import journey_builders as b
from tests.trackers import make_tracker, run

USER = 45701


@pytest.fixture
def sessions(action_store, monkeypatch) -> Any:
    _, factory = action_store
    library = FaqLibrary()
    monkeypatch.setattr(actions.faq, "faq_library", lambda: library)
    with transaction(factory) as session:
        seed_faq(session, now=datetime.now(UTC))
    return factory


def turns(sessions) -> list[BotTurn]:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return list(session.scalars(select(BotTurn).order_by(BotTurn.id)))


async def test_a_question_gets_the_shops_answer_with_its_buttons_and_the_score_is_kept(sessions):
    messages, _ = await run(ActionAnswerFaq(), make_tracker(text="can I pay with paypal?", intent="ask_faq"))
    [message] = messages
    assert "PayPal is available at checkout" in message["text"]
    assert [b["title"] for b in message["buttons"]] == [HELPS, TALK_TO_PERSON]
    [turn] = turns(sessions)
    with transaction(sessions) as session:
        entry = session.scalar(select(FaqEntry).where(FaqEntry.question == "Can I pay with PayPal?"))
    assert (turn.intent, turn.action, turn.faq_entry_id) == ("ask_faq", "action_answer_faq", entry.id)
    assert turn.faq_score is not None and turn.faq_score >= 0.46
    assert message["buttons"][0]["payload"] == f'/faq_helpful{{"faq_entry":"{entry.id}"}}'

    messages, _ = await run(ActionFaqHelpful(), make_tracker(
        text=message["buttons"][0]["payload"], intent="faq_helpful", entities={"faq_entry": str(entry.id)}))
    assert messages[0]["text"] == GLAD
    assert turns(sessions)[0].helpful is True


async def test_an_unknown_question_is_told_so_offered_a_person_and_collected_once_per_meaning(sessions):
    for text in ("do you sell trombones?", "Do you sell trombones", "what about parking near the shop"):
        messages, _ = await run(ActionAnswerFaq(), make_tracker(text=text, intent="ask_faq"))
        assert messages[0]["text"] == DONT_KNOW
        assert [b["title"] for b in messages[0]["buttons"]] == [TALK_TO_PERSON]
    with transaction(sessions) as session:
        groups = [(g.text, g.count) for g in session.scalars(
            select(UnansweredQuestion).order_by(UnansweredQuestion.id))]
    assert groups == [("do you sell trombones?", 2), ("what about parking near the shop", 1)]
    assert [t.unanswered_id is not None for t in turns(sessions)] == [True, True, True]


async def test_the_fallback_tries_the_faq_first_and_collects_nothing(sessions):
    messages, _ = await run(ActionDefaultFallback(), make_tracker(text="is shipping free from 50 euros",
                                                                  intent="nlu_fallback"))
    assert "free from €50" in messages[0]["text"]
    messages, _ = await run(ActionDefaultFallback(), make_tracker(text="glorp", intent="nlu_fallback"))
    assert messages[0]["text"] != DONT_KNOW and "didn't get that" in messages[0]["text"]
    with transaction(sessions) as session:
        assert session.scalar(select(UnansweredQuestion.id)) is None


async def test_a_question_close_to_entries_offers_them_and_a_pick_answers_and_counts(sessions):
    messages, _ = await run(ActionAnswerFaq(), make_tracker(text="is there a car park at the showroom?",
                                                            intent="ask_faq"))
    [message] = messages
    assert message["text"] == ONE_OF_THESE
    *offers, person = message["buttons"]
    assert person["title"] == TALK_TO_PERSON and offers[0]["title"] == "Do you have a shop I can visit?"
    with transaction(sessions) as session:
        shop = session.scalar(select(FaqEntry).where(FaqEntry.question == "Do you have a shop I can visit?"))
        [group] = session.scalars(select(UnansweredQuestion))
    assert offers[0]["payload"] == f'/ask_faq{{"faq_entry":"{shop.id}"}}'
    assert group.text == "is there a car park at the showroom?"  # kept for the owner all the same

    messages, _ = await run(ActionAnswerFaq(), make_tracker(
        text=offers[0]["payload"], intent="ask_faq", entities={"faq_entry": str(shop.id)}))
    assert messages[0]["text"] == shop.answer
    assert [b["title"] for b in messages[0]["buttons"]] == [HELPS, TALK_TO_PERSON]
    assert [(t.unanswered_id is not None, t.faq_entry_id) for t in turns(sessions)] == [
        (True, None), (False, shop.id)]


async def test_an_offered_entry_deleted_before_the_pick_is_said_to_be_gone(sessions):
    with transaction(sessions) as session:
        entry = session.scalar(select(FaqEntry).where(FaqEntry.question == "Do you have a shop I can visit?"))
        entry_id = entry.id
        session.delete(entry)
    messages, _ = await run(ActionAnswerFaq(), make_tracker(
        text=f'/ask_faq{{"faq_entry":"{entry_id}"}}', intent="ask_faq",
        entities={"faq_entry": str(entry_id)}))
    assert messages[0]["text"] == GONE
    assert [b["title"] for b in messages[0]["buttons"]] == [TALK_TO_PERSON]
    assert [t.faq_entry_id for t in turns(sessions)] == [None]


async def test_the_fallback_offers_close_entries_before_the_intents_it_guesses_and_collects_nothing(sessions):
    tracker = make_tracker(text="is the showroom wheelchair accessible?", intent="nlu_fallback")
    tracker.latest_message["intent_ranking"] = [{"name": "order_status", "confidence": 0.4},
                                                {"name": "ask_faq", "confidence": 0.3}]
    messages, _ = await run(ActionDefaultFallback(), tracker)
    assert messages[0]["text"] == DID_NOT_GET
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles[0] == "Do you have a shop I can visit?" and titles[-1] == "Where is my order?"
    with transaction(sessions) as session:
        assert session.scalar(select(UnansweredQuestion.id)) is None


@pytest.mark.parametrize("latest", [
    {"intent": {"name": "out_of_scope", "confidence": 0.95}},
    {"intent": {"name": "nlu_fallback", "confidence": 0.8},  # a "complaint" far from its examples
     "out_of_domain": {"similarity": 0.1, "intent": "complaint", "threshold": 0.28, "rejected": True}},
])
async def test_a_refused_message_close_to_an_entry_is_offered_it_and_what_the_bot_can_do(sessions, latest):
    tracker = make_tracker(text="is the showroom wheelchair accessible?")
    tracker.latest_message.update(latest)
    messages, _ = await run(ActionDefaultFallback(), tracker)
    assert messages[0]["text"] == DID_NOT_GET
    titles = [b["title"] for b in messages[0]["buttons"]]  # the entries offered, then what it can do
    assert titles[0] == "Do you have a shop I can visit?" and "Where is my order?" in titles[1:]
    # far from every entry: the honest refusal alone
    tracker = make_tracker(text="what's the weather in Paris tomorrow?")
    tracker.latest_message.update(latest)
    messages, _ = await run(ActionDefaultFallback(), tracker)
    assert messages[0]["text"].startswith("Sorry, that's outside what I can help with")
    with transaction(sessions) as session:
        assert session.scalar(select(UnansweredQuestion.id)) is None


@pytest.fixture
def one_order(sessions) -> Any:  # type: ignore[no-untyped-def]
    """USER linked to a customer with one open order, 9101: a refund request opens a ticket at once."""
    with transaction(sessions) as session:
        person = b.customer(session, name="Quinn Question", created_at=datetime.now(UTC) - timedelta(days=30))
        b.account(session, telegram_user_id=USER, customer=person)
        b.goods_order(session, owner=person, number="9101", created_at=datetime.now(UTC) - timedelta(days=3),
                      done=4)
    return sessions


def said(message: dict[str, Any]) -> str:
    """A message's text, also when it is a handoff's (custom payload)."""
    return message["text"] or message["custom"]["text"]


def tickets(sessions) -> list[Ticket]:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return list(session.scalars(select(Ticket)))


@pytest.mark.parametrize(("action", "text", "answer", "button"), [
    (ActionRefundRequest(), "how long do I have to return it?", "within 30 days of delivery",
     "Ask for a refund"),
    (ActionRefundRequest(), "when do I get my money back after sending it back",
     "We refund within 5 working days", "Ask for a refund"),
    (ActionRefundRequest(), "Когда вернут деньги после возврата?", "We refund within 5 working days",
     "Ask for a refund"),
])
async def test_a_shop_question_taken_for_a_request_gets_the_faq_answer_and_the_request_one_tap_away(
        one_order, action, text, answer, button):
    [message], events = await run(action, make_tracker(sender=USER, text=text, intent=action.intent))
    assert answer in message["text"]
    assert [b["title"] for b in message["buttons"]] == [HELPS, button, TALK_TO_PERSON]
    assert message["buttons"][1]["payload"] == f"/{action.intent}"
    assert tickets(one_order) == []  # nothing opened on a question
    [turn] = turns(one_order)
    assert turn.faq_entry_id is not None and turn.unanswered_id is None  # answered, nothing collected
    assert events == [{"event": "slot", "timestamp": None, "name": "order_id", "value": None}]

    # the tap on the request goes ahead with it
    tap = make_tracker(sender=USER, text=message["buttons"][1]["payload"], intent=action.intent)
    [ticket_message], _ = await run(action, tap)
    assert "refund request for order 9101" in said(ticket_message)
    assert [t.reason for t in tickets(one_order)] == ["refund_request"]


@pytest.mark.parametrize("text", [
    "I want my money back",  # a request, not a question
    "can I get a refund for 9101?",  # a question that names its order: the request
    "why is the sky blue?",  # a question no entry answers
])
async def test_a_request_or_a_question_no_entry_answers_goes_ahead_as_the_request(one_order, text):
    number = "9101" if "9101" in text else None
    [message], _ = await run(ActionRefundRequest(), make_tracker(
        sender=USER, text=text, intent="refund_request", entities={"order_id": number} if number else None))
    assert "refund request for order 9101" in said(message)
    assert [t.reason for t in tickets(one_order)] == ["refund_request"]


async def test_the_order_talked_about_before_rides_on_the_request_button(one_order):
    [message], _ = await run(ActionRefundRequest(), make_tracker(
        sender=USER, text="and how long do I have to return it?", intent="refund_request",
        slots={"order_id": "9101"}))
    assert "within 30 days of delivery" in message["text"]
    assert message["buttons"][1]["payload"] == '/refund_request{"order_id":"9101"}'
    assert tickets(one_order) == []


async def test_a_question_about_changing_an_address_that_no_entry_answers_goes_to_the_request(one_order):
    [message], _ = await run(ActionChangeAddress(), make_tracker(
        sender=USER, text="can I still change the delivery address?", intent="change_address"))
    assert "9101" in said(message)
    assert not any(b["title"] == HELPS for b in message.get("buttons") or [])


SHOWROOM = "is there a car park at the showroom?"  # collected, and the shop entry offered


def listed(sessions) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """The owner's unanswered list of the week: (question, times asked)."""
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        return [(a.text, a.times) for a in top_unanswered(session, start=now - timedelta(days=7),
                                                          end=now + timedelta(minutes=1))]


async def tap_and_help(button: dict[str, str]) -> None:
    """Tap an offered entry's button, then "That helps" under the answer it shows."""
    entry_id = button["payload"].split('"')[3]
    [shown], _ = await run(ActionAnswerFaq(), make_tracker(text=button["payload"], intent="ask_faq",
                                                           entities={"faq_entry": entry_id}))
    helps = shown["buttons"][0]
    assert (helps["title"], helps["payload"]) == (HELPS, f'/faq_helpful{{"faq_entry":"{entry_id}"}}')
    messages, _ = await run(ActionFaqHelpful(), make_tracker(text=helps["payload"], intent="faq_helpful",
                                                             entities={"faq_entry": entry_id}))
    assert messages[0]["text"] == GLAD


async def test_that_helps_under_a_picked_offer_takes_the_question_off_the_owners_list(sessions):
    [offer], _ = await run(ActionAnswerFaq(), make_tracker(text=SHOWROOM, intent="ask_faq"))
    assert listed(sessions) == [(SHOWROOM, 1)]
    await tap_and_help(offer["buttons"][0])
    assert listed(sessions) == []
    await tap_and_help(offer["buttons"][0])  # again: nothing more changes
    assert listed(sessions) == []
    with transaction(sessions) as session:
        [group] = session.scalars(select(UnansweredQuestion))
        assert (group.count, group.answered_by_entry_id) == (0, None)  # still open for the next asking
    assert [(t.intent, t.unanswered_id, t.helpful) for t in turns(sessions)] == [
        ("ask_faq", None, None), ("ask_faq", None, True), ("faq_helpful", None, None),
        ("ask_faq", None, True), ("faq_helpful", None, None)]


async def test_a_tap_on_the_fallbacks_offer_leaves_the_question_collected_before_it(sessions):
    await run(ActionAnswerFaq(), make_tracker(text=SHOWROOM, intent="ask_faq"))
    [fallback], _ = await run(ActionDefaultFallback(), make_tracker(
        text="is the showroom wheelchair accessible?", intent="nlu_fallback"))
    assert fallback["text"] == DID_NOT_GET
    assert fallback["buttons"][0]["title"] == "Do you have a shop I can visit?"
    await tap_and_help(fallback["buttons"][0])  # answers the fallback's message, not the question
    assert listed(sessions) == [(SHOWROOM, 1)]
