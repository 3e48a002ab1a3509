"""Ratings: survey buttons and typed ratings, one per order (updated), low ratings' reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from sqlalchemy import func, select

from shop import ratings
from shop.feedback import open_survey
from shop.i18n import ENGLISH, translator
from shop.models import Feedback, Survey, Ticket
from shop.orders import NOT_FOUND, NOT_LINKED
from shop.settings import PROJECT_ROOT
from shop.ticket_details import render
from tests import journey_builders as b
from tests.conftest import BERLIN

USER = 818181


@pytest.fixture
def ann(session, now):
    person = b.customer(session, name="Ann Example", created_at=now - timedelta(days=300))
    b.account(session, telegram_user_id=USER, customer=person)
    return person


def rate(session, now, rating, subject=None, user=USER):
    return ratings.rate(session, telegram_user_id=user, raw_rating=rating, raw_subject=subject, now=now,
                        zone=BERLIN)


def feedback_rows(session):
    return session.scalars(select(Feedback).order_by(Feedback.id)).all()


def test_survey_button_records_and_a_second_press_updates(session, now, ann):
    order = b.goods_order(session, owner=ann, number="5001", created_at=now - timedelta(days=6), done=5)
    open_survey(session, customer_id=ann.id, order_id=order.id, now=now)
    first = rate(session, now, "4", "order:5001")
    assert first.reply.text == "Thank you for rating order 5001 4/5!" and not first.ask_reason
    second = rate(session, now + timedelta(minutes=1), "5", "order:5001")
    assert second.reply.text == "Thanks, I've updated your rating of order 5001 to 5/5."
    [row] = feedback_rows(session)
    assert (row.rating, row.order_id, row.customer_id, row.source) == (5, order.id, ann.id, "survey")
    survey = session.scalar(select(Survey).where(Survey.order_id == order.id))
    assert survey.answered_at == now


def test_typed_rating_is_about_the_latest_delivered_order(session, now, ann):
    b.goods_order(session, owner=ann, number="5002", created_at=now - timedelta(days=30), done=5)
    newest = b.goods_order(session, owner=ann, number="5003", created_at=now - timedelta(days=8), done=5)
    b.goods_order(session, owner=ann, number="5004", created_at=now - timedelta(days=1), done=2)  # open
    outcome = rate(session, now, "five")
    assert outcome.reply.text == "Thank you for rating order 5003 5/5!"
    [row] = feedback_rows(session)
    assert (row.order_id, row.rating, row.source) == (newest.id, 5, "chat")


def test_typed_rating_without_a_delivered_order_is_about_the_service(session, now, ann):
    assert rate(session, now, "4").reply.text == "Thank you for rating our service 4/5!"
    assert rate(session, now, "3", user=999).reply.text == "Thank you for rating our service 3/5!"
    rows = feedback_rows(session)
    assert [(r.order_id, r.customer_id) for r in rows] == [(None, ann.id), (None, None)]


def test_no_rating_in_the_message_asks_with_buttons(session, now, ann):
    b.goods_order(session, owner=ann, number="5005", created_at=now - timedelta(days=8), done=5)
    outcome = rate(session, now, None)
    assert outcome.reply.text.startswith("How would you rate order 5005?")
    assert [btn.payload for btn in outcome.reply.buttons][0] == \
        '/give_feedback{"rating":"1","subject":"order:5005"}'
    assert feedback_rows(session) == []


def test_rating_someone_elses_order_records_nothing(session, now, ann):
    other = b.customer(session, name="Omar", created_at=now)
    b.goods_order(session, owner=other, number="5006", created_at=now - timedelta(days=8), done=5)
    assert rate(session, now, "1", "order:5006").reply.text == NOT_FOUND.format(number="5006")
    assert rate(session, now, "1", "order:5006", user=999).reply.text == NOT_LINKED
    assert feedback_rows(session) == []


def test_ticket_ratings_are_for_the_customers_own_tickets(session, now, ann):
    mine = Ticket(telegram_user_id=USER, chat_id=USER, customer_id=ann.id, reason="request_human",
                  status="resolved", created_at=now)
    theirs = Ticket(telegram_user_id=999, chat_id=999, reason="request_human", status="resolved",
                    created_at=now)
    session.add_all([mine, theirs])
    session.flush()
    assert rate(session, now, "5", f"ticket:{mine.id}").reply.text == "Thank you for rating our help 5/5!"
    assert "can't find" in rate(session, now, "5", f"ticket:{theirs.id}").reply.text
    [row] = feedback_rows(session)
    assert row.ticket_id == mine.id and row.order_id is None


@pytest.mark.parametrize("rating", ["1", "2"])
def test_low_rating_asks_why_then_stores_the_reason_and_alerts_staff(session, now, ann, rating):
    order = b.goods_order(session, owner=ann, number="5007", created_at=now - timedelta(days=8), done=5)
    outcome = rate(session, now, rating, "order:5007")
    assert outcome.ask_reason and outcome.reply.text == "I'm sorry order 5007 disappointed you."
    assert session.scalars(select(Ticket)).all() == []  # staff hear once the reason is in
    reply = ratings.add_reason(session, telegram_user_id=USER, feedback_id=outcome.feedback_id,
                               text="Arrived damaged", now=now)
    [row] = feedback_rows(session)
    assert (row.reason, row.comment) == ("damaged", None)
    [ticket] = session.scalars(select(Ticket)).all()
    assert (ticket.reason, ticket.order_id, ticket.customer_id) == ("low_rating", order.id, ann.id)
    assert render(ticket.details, ENGLISH) == f"Rated order 5007 {rating}/5. Reason: Arrived damaged"
    assert render(ticket.details, translator("de")) == (
        f"Bestellung 5007 mit {rating}/5 bewertet. Grund: Kam beschädigt an")
    assert reply.custom["type"] == "handoff" and f"ticket #{ticket.id}" in b.said(reply)


def test_a_reason_in_the_customers_own_words_is_a_comment(session, now, ann):
    b.goods_order(session, owner=ann, number="5008", created_at=now - timedelta(days=8), done=5)
    outcome = rate(session, now, "1", None)
    ratings.add_reason(session, telegram_user_id=USER, feedback_id=outcome.feedback_id,
                       text="  the box   was soaking wet ", now=now)
    [row] = feedback_rows(session)
    assert (row.reason, row.comment) == ("other", "the box was soaking wet")
    ticket = session.scalar(select(Ticket))
    assert render(ticket.details, ENGLISH) == ("Rated order 5008 1/5. "
                                               "The customer wrote: «the box was soaking wet»")


def test_a_reason_for_someone_elses_feedback_is_ignored(session, now, ann):
    b.goods_order(session, owner=ann, number="5009", created_at=now - timedelta(days=8), done=5)
    outcome = rate(session, now, "1", "order:5009")
    ratings.add_reason(session, telegram_user_id=999, feedback_id=outcome.feedback_id, text="Wrong item",
                       now=now)
    assert feedback_rows(session)[0].reason is None
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize(("raw", "expected"), [
    ("4", 4), (" five ", 5), ("1", 1), ("4/5", 4), ("3 out of 5", 3), ("0", None), ("6", None),
    ("10", None), ("great", None), (None, None), (4, 4)])
def test_parse_rating(raw, expected):
    assert ratings.parse_rating(raw) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("I'd give you 4 stars", 4), ("five out of five", 5), ("2/5, not great", 2), ("1 star", 1),
    ("order 1042 was fine", None), ("5 minutes late", None)])
def test_rating_in_text(text, expected):
    assert ratings.rating_in_text(text) == expected


def test_the_reason_buttons_in_the_domain_are_the_known_reasons():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    [response] = domain["responses"]["utter_ask_feedback_reason"]
    assert [(btn["title"], btn["payload"]) for btn in response["buttons"]] == [
        (text, text) for text in ratings.REASON_BUTTONS]
