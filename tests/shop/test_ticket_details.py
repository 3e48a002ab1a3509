"""A ticket's details are stored as codes and read in each staff member's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.handoff import cards
from shop import conversation_log, order_requests, ticket_details, tickets
from shop.i18n import ENGLISH, translator
from shop.models import Ticket
from tests import journey_builders as b
from tests.conftest import BERLIN

USER = 61001


@pytest.fixture
def ann(session, now):  # type: ignore[no-untyped-def]
    person = b.customer(session, name="Ann Example", created_at=now - timedelta(days=300))
    b.account(session, telegram_user_id=USER, customer=person)
    return person


def the_ticket(session) -> Ticket:  # type: ignore[no-untyped-def]
    [ticket] = session.scalars(select(Ticket).where(Ticket.telegram_user_id == USER)).all()
    return ticket


def test_a_cancellation_staff_read_in_german_russian_and_chinese(session, now, ann):
    b.goods_order(session, owner=ann, number="7002", created_at=now - timedelta(days=3), done=3)
    order_requests.cancel_reply(session, telegram_user_id=USER, raw_number="7002", subject=None,
                                message_text="bitte stornieren", now=now, zone=BERLIN)
    details = the_ticket(session).details
    assert ticket_details.render(details, ENGLISH) == (
        "Cancel order 7002 (status: on its way). The customer wrote: «bitte stornieren»")
    assert ticket_details.render(details, translator("de")) == (
        "Bestellung 7002 stornieren (Status: unterwegs). Kunde schrieb: „bitte stornieren“")
    assert ticket_details.render(details, translator("ru")) == (
        "Отменить заказ 7002 (статус: в пути). Клиент написал: «bitte stornieren»")
    assert ticket_details.render(details, translator("zh")) == (
        "取消订单7002（状态：运送中）。客户写道：“bitte stornieren”")


def test_a_refund_shows_the_order_with_the_readers_money_format(session, now, ann):
    b.goods_order(session, owner=ann, number="7012", created_at=now - timedelta(days=9), done=5)
    order_requests.refund_reply(session, telegram_user_id=USER, raw_number="7012", message_text=None,
                                now=now, zone=BERLIN)
    details = the_ticket(session).details
    assert ticket_details.render(details, ENGLISH) == "Refund for order 7012 (2× Test mug, 25.00 EUR)."
    assert ticket_details.render(details, translator("de")) == (
        "Erstattung für Bestellung 7012 (2× Test mug, 25,00\u00a0€).")
    assert ticket_details.render(details, translator("zh")) == "订单7012退款（2× Test mug，€25.00）。"


def test_the_cards_details_are_in_the_language_of_the_chat_they_go_to(session, now, ann):
    b.goods_order(session, owner=ann, number="7010", created_at=now, done=1)
    order_requests.change_address_reply(session, telegram_user_id=USER, raw_number="7010",
                                        message_text="an die Bahnhofstr. 5", now=now, zone=BERLIN)
    summary = conversation_log.summary(session, the_ticket(session))
    german = cards.card_text(summary, zone=BERLIN, now=now, tr=translator("de"))
    assert ("Neue Lieferadresse für Bestellung 7010 (bisher keine Adresse hinterlegt). "
            "Kunde schrieb: „an die Bahnhofstr. 5“") in german
    english = cards.card_text(summary, zone=BERLIN, now=now)
    assert "New delivery address for order 7010 (no address on file). The customer wrote:" in english
    assert "Grund: Änderung der Lieferadresse" in german and "Reason: change of delivery address" in english


def test_a_second_reason_adds_a_line_and_plain_words_stay_plain(session, now, ann):
    b.goods_order(session, owner=ann, number="7020", created_at=now - timedelta(days=9), done=5)
    opened, _ = tickets.open_ticket(session, telegram_user_id=USER, chat_id=USER, customer_id=ann.id,
                                    reason="request_human", details="can I talk to someone", now=now)
    assert opened.details == "can I talk to someone"  # the customer's words alone: stored as written
    order_requests.refund_reply(session, telegram_user_id=USER, raw_number="7020",
                                message_text="it broke, money back please", now=now, zone=BERLIN)
    lines = ticket_details.render(the_ticket(session).details, translator("ru")).splitlines()
    assert lines[0] == "can I talk to someone"
    assert lines[1].startswith("Возврат денег за заказ 7020 (")
    assert lines[1].endswith("Клиент написал: «it broke, money back please»")


@pytest.mark.parametrize(("why", "english", "chinese"), [
    ("rasa_unavailable", "The bot could not answer: the language server did not answer.",
     "机器人无法回答：语言服务器没有响应。"),
    ("empty_answer", "The bot could not answer: the bot's answer was empty.",
     "机器人无法回答：机器人的答复为空。"),
])
def test_the_bots_own_failure(why, english, chinese):
    stored = ticket_details.added(None, ticket_details.bot_error(why, "wo bleibt 1042?"))
    assert ticket_details.render(stored, ENGLISH) == f"{english} The customer wrote: «wo bleibt 1042?»"
    assert ticket_details.render(stored, translator("zh")) == f"{chinese}客户写道：“wo bleibt 1042?”"


@pytest.mark.parametrize(("subject", "number", "reason", "said", "german"), [
    ("ticket", 12, None, "nobody answered",
     "Die Hilfe zu Ticket #12 mit 1/5 bewertet. Kunde schrieb: „nobody answered“"),
    ("service", None, "late_delivery", None, "Den Service mit 1/5 bewertet. Grund: Kam zu spät"),
    ("service", None, None, None, "Den Service mit 1/5 bewertet. Kein Grund angegeben."),
])
def test_low_ratings(subject, number, reason, said, german):
    detail = ticket_details.low_rating(subject=subject, number=number, rating=1, reason=reason, said=said)
    assert ticket_details.render(ticket_details.added(None, detail), translator("de")) == german


@pytest.mark.parametrize("stored", [
    "Rated order 5007 2/5. Reason: Arrived damaged",  # written before the codes: shown as it is
    '{"ticket_details": 1, "parts": [{"code": "format_disk", "values": {}}]}',  # not a code of ours
    '{"ticket_details": 1, "parts": [{"code": "refund", "values": "{number.__class__}"}]}',
    '{"ticket_details": 1, "parts": ',  # broken JSON: the customer's own words, perhaps
])
def test_anything_else_is_shown_as_it_is_stored(stored):
    assert ticket_details.decode(stored) == [stored]
    assert ticket_details.render(stored, translator("de")) == stored


def test_a_button_payload_is_not_the_customers_words():
    assert ticket_details.customer_words('/cancel_order{"order_id":"1042"}') is None
    assert ticket_details.customer_words("  ") is None
    assert ticket_details.customer_words("x" * 5000) == "x" * ticket_details.MAX_SAID
