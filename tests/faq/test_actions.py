"""The FAQ actions by value: a tracker in, messages out, turns and questions in the store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

import actions.base
import actions.faq
from actions.faq import ActionAnswerFaq, ActionFaqHelpful
from actions.handoff import DID_NOT_GET, ActionDefaultFallback
from shop.db import transaction
from shop.faq.answers import DONT_KNOW, GLAD, GONE, HELPS, ONE_OF_THESE
from shop.faq.demo import seed_faq
from shop.faq.retrieval import FaqLibrary
from shop.models import BotTurn, FaqEntry, UnansweredQuestion
from shop.replies import TALK_TO_PERSON
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
