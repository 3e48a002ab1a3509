""""That helps" under an entry picked from an offer takes that asking off the owner's unanswered
list (the digest, /faq unanswered, "what couldn't the bot answer?"), on the store (SQLite and
PostgreSQL): each step as its action does it, its turn recorded first."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop import turns
from shop.faq import owner, unanswered
from shop.faq.answers import Outcome, answer, helpful, picked, shown_offers
from shop.faq.demo import seed_faq
from shop.faq.retrieval import FaqLibrary
from shop.metrics import support
from shop.metrics.service import compute
from shop.models import BotTurn, FaqEntry, Role, UnansweredQuestion
from shop.owner import unanswered_replies
from shop.periods import parse_period
from shop.replies import Reply
from shop.settings import Settings
from tests import journey_builders as b

OWNER, ANN, BEN, CAT = 52001, 52002, 52003, 52004
SHOWROOM = "is there a car park at the showroom?"  # collected; offers "Do you have a shop I can visit?"
SHOP_VISIT = "Do you have a shop I can visit?"
SALE_RETURN = "can I return a sale item?"  # collected; offers the return entries


class Chat:
    """Customers talking to the FAQ on one store, a minute apart (yesterday)."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        self.clock = now - timedelta(days=1)
        self.library = FaqLibrary()
        seed_faq(session, now=now)
        b.account(session, telegram_user_id=OWNER, role=Role.owner)

    def _turn(self, who: int, intent: str, action: str) -> datetime:
        self.clock += timedelta(minutes=1)
        turns.record_turn(self.session, telegram_user_id=who, intent=intent, confidence=1.0,
                          action=action, now=self.clock)
        return self.clock

    def ask(self, who: int, text: str) -> Outcome:
        at = self._turn(who, "ask_faq", "action_answer_faq")
        return answer(self.session, self.library, text=text, telegram_user_id=who, now=at, collect=True)

    def fallback(self, who: int, text: str) -> None:
        """The fallback's turn: the close entries offered, nothing collected."""
        at = self._turn(who, "nlu_fallback", "action_default_fallback")
        outcome = answer(self.session, self.library, text=text, telegram_user_id=who, now=at, collect=False)
        assert outcome.reply is None and shown_offers(self.session, telegram_user_id=who, outcome=outcome)

    def tap(self, who: int, entry_id: int) -> Reply:
        self._turn(who, "ask_faq", "action_answer_faq")
        return picked(self.session, telegram_user_id=who, entry_id=str(entry_id))

    def helps(self, who: int, entry_id: int) -> None:
        self._turn(who, "faq_helpful", "action_faq_helpful")
        helpful(self.session, telegram_user_id=who, entry_id=str(entry_id))

    def entry(self, question: str) -> FaqEntry:
        found = self.session.scalar(select(FaqEntry).where(FaqEntry.question == question))
        assert found is not None
        return found

    def listed(self) -> list[tuple[str, int]]:
        """The owner's list of the week: (question, times asked)."""
        return [(a.text, a.times) for a in unanswered.top_unanswered(
            self.session, start=self.now - owner.WEEK, end=self.now)]

    def groups(self) -> list[tuple[str, int, int | None]]:
        self.session.expire_all()
        return [(g.text, g.count, g.answered_by_entry_id) for g in self.session.scalars(
            select(UnansweredQuestion).order_by(UnansweredQuestion.id))]

    def links(self) -> list[tuple[int, int | None]]:
        """Each question turn's user and the group its asking counts for."""
        self.session.expire_all()
        return [(t.telegram_user_id, t.unanswered_id) for t in self.session.scalars(
            select(BotTurn).where(BotTurn.action == "action_answer_faq", BotTurn.faq_entry_id.is_(None))
            .order_by(BotTurn.id))]


@pytest.fixture
def chat(session, now) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(session, now)


def test_that_helps_under_a_picked_offer_takes_only_that_asking_off_the_list(chat):
    asked = chat.ask(ANN, SHOWROOM)
    chat.ask(BEN, SHOWROOM)
    shop = chat.entry(SHOP_VISIT)
    assert asked.offers[0].title == SHOP_VISIT and asked.offered_ids[0] == shop.id
    assert chat.listed() == [(SHOWROOM, 2)]

    assert chat.tap(ANN, shop.id).text == shop.answer
    assert chat.listed() == [(SHOWROOM, 2)]  # a tap alone confirms nothing
    chat.helps(ANN, shop.id)
    group_id = chat.session.scalar(select(UnansweredQuestion.id))
    assert chat.groups() == [(SHOWROOM, 1, None)]
    assert chat.links() == [(ANN, None), (BEN, group_id)]  # Ben's asking still counts
    assert chat.listed() == [(SHOWROOM, 1)]
    [digest] = owner.digest_questions(chat.session, now=chat.now)
    assert "asked 1 time this week" in digest and SHOWROOM in digest

    chat.tap(BEN, shop.id)
    chat.helps(BEN, shop.id)
    assert chat.listed() == []  # nobody else asked it: gone from the digest, /faq unanswered and chat
    assert owner.digest_questions(chat.session, now=chat.now) == []
    week_report = owner.week_report(chat.session, telegram_user_id=OWNER, now=chat.now)
    assert week_report == owner.ALL_ANSWERED_THIS_WEEK
    assert [r.text for r in unanswered_replies(chat.session, telegram_user_id=OWNER, period_text=None,
                                               settings=Settings(_env_file=None),  # type: ignore[call-arg]
                                               now=chat.now)] == [owner.ALL_ANSWERED_THIS_WEEK]

    assert chat.groups() == [(SHOWROOM, 0, None)]  # not closed for everyone: only the owner's reply does
    chat.ask(CAT, SHOWROOM)
    assert chat.groups() == [(SHOWROOM, 1, None)]
    assert chat.listed() == [(SHOWROOM, 1)]


def test_that_helps_twice_or_after_a_second_tap_changes_nothing_more(chat):
    chat.ask(ANN, SHOWROOM)
    chat.ask(BEN, SHOWROOM)
    shop = chat.entry(SHOP_VISIT)
    chat.tap(ANN, shop.id)
    chat.helps(ANN, shop.id)
    once = (chat.groups(), chat.links(), chat.listed())
    assert once[0] == [(SHOWROOM, 1, None)] and once[2] == [(SHOWROOM, 1)]

    chat.helps(ANN, shop.id)
    assert (chat.groups(), chat.links(), chat.listed()) == once
    chat.tap(ANN, shop.id)  # the same offer's button again
    chat.helps(ANN, shop.id)
    assert (chat.groups(), chat.links(), chat.listed()) == once
    helpful_turns = chat.session.scalars(select(BotTurn.id).where(BotTurn.helpful.is_(True))).all()
    assert len(helpful_turns) == 2  # each tap's answer is an FAQ answer marked helpful, as before


def test_that_helps_under_an_answer_given_at_once_changes_no_question(chat):
    chat.ask(ANN, SHOWROOM)
    paypal = chat.ask(ANN, "can I pay with paypal?")
    assert paypal.reply is not None and paypal.match is not None and not paypal.offers
    chat.helps(ANN, paypal.match.entry_id)
    assert chat.listed() == [(SHOWROOM, 1)]
    assert chat.groups() == [(SHOWROOM, 1, None)]


def test_a_tap_on_an_entry_not_offered_to_that_customer_changes_no_question(chat):
    offered_to_ann = chat.ask(ANN, SHOWROOM)  # the shop and contact entries
    returns = chat.ask(BEN, SALE_RETURN).offered_ids[0]  # Ben is offered the return entries
    assert offered_to_ann.offered_ids and returns not in offered_to_ann.offered_ids
    chat.tap(ANN, returns)  # a button Ann was never shown (typed, or another's)
    chat.helps(ANN, returns)
    assert sorted(chat.listed()) == [(SALE_RETURN, 1), (SHOWROOM, 1)]
    assert chat.groups() == [(SHOWROOM, 1, None), (SALE_RETURN, 1, None)]


def test_a_tap_on_the_fallbacks_later_offer_answers_that_message_not_the_collected_question(chat):
    chat.ask(ANN, SHOWROOM)
    shop = chat.entry(SHOP_VISIT)
    chat.fallback(ANN, "is the showroom wheelchair accessible?")  # offers the shop entry again
    chat.tap(ANN, shop.id)  # from the fallback's message, the later offer
    chat.helps(ANN, shop.id)
    assert chat.listed() == [(SHOWROOM, 1)]
    chat.tap(ANN, shop.id)  # still the latest offer of it: the fallback's
    chat.helps(ANN, shop.id)
    assert chat.listed() == [(SHOWROOM, 1)]


def test_the_support_metrics_keep_their_definitions(chat):
    """The question's turn stays a turn of its conversation, and only the tap's turn is an FAQ
    answer given (and found helpful): faq_helpfulness 1 of 1, not the question counted too."""
    chat.ask(ANN, SHOWROOM)
    shop = chat.entry(SHOP_VISIT)
    chat.tap(ANN, shop.id)
    chat.helps(ANN, shop.id)
    chat.ask(BEN, SHOWROOM)
    assert chat.listed() == [(SHOWROOM, 1)]

    week = parse_period("last 7 days", now=chat.now)
    assert support.faq_answers(chat.session, week.start, week.end) == (1, 1)
    assert compute(chat.session, "faq_helpfulness", week, now=chat.now).value == pytest.approx(1.0)
    assert compute(chat.session, "bot_resolution_rate", week, now=chat.now).value == pytest.approx(1.0)
    reasons = compute(chat.session, "top_contact_reasons", week, now=chat.now)
    assert list(reasons.table["reason"]) == ["ask_faq"] and list(reasons.table["conversations"]) == [2]
    kept = chat.session.scalars(select(BotTurn).order_by(BotTurn.id))
    assert [(t.telegram_user_id, t.intent) for t in kept] == [  # no turn dropped or added
        (ANN, "ask_faq"), (ANN, "ask_faq"), (ANN, "faq_helpful"), (BEN, "ask_faq")]
