"""Cancel, change address, refund: what the bot does itself and what goes to a person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop import order_requests, ticket_details
from shop.i18n import ENGLISH
from shop.models import Ticket
from shop.orders import NOT_FOUND, NOT_LINKED
from shop.replies import MAX_CALLBACK_BYTES
from tests import journey_builders as b
from tests.conftest import BERLIN


def staff_read(ticket: Ticket) -> str:
    """The ticket's details as an English-reading staff member's card shows them."""
    return ticket_details.render(ticket.details, ENGLISH)

USER = 717171


@pytest.fixture
def ann(session, now):
    person = b.customer(session, name="Ann Example", created_at=now - timedelta(days=300))
    b.account(session, telegram_user_id=USER, customer=person)
    return person


def cancel(session, now, number, subject=None, text=None):
    return order_requests.cancel_reply(session, telegram_user_id=USER, raw_number=number, subject=subject,
                                       message_text=text, now=now, zone=BERLIN)


def tickets(session):
    return session.scalars(select(Ticket).where(Ticket.telegram_user_id == USER)).all()


@pytest.mark.parametrize("done", [1, 2])  # placed, packed
def test_unshipped_order_is_cancelled_only_after_confirmation(session, now, ann, done):
    order = b.goods_order(session, owner=ann, number="4001", created_at=now - timedelta(days=1), done=done)
    ask = cancel(session, now, "4001", text="cancel order 4001")
    assert ask.text == "Cancel order 4001 (2× Test mug, 25.00 EUR)? This can't be undone."
    assert [btn.payload for btn in ask.buttons] == [
        '/cancel_order{"order_id":"4001","subject":"confirm"}',
        '/cancel_order{"order_id":"4001","subject":"keep"}']
    assert order.status != "cancelled"
    kept = cancel(session, now, "4001", subject=order_requests.KEEP)
    assert kept.text == "OK, order 4001 stays as it is." and order.status != "cancelled"
    done_reply = cancel(session, now, "4001", subject=order_requests.CONFIRM)
    assert done_reply.text.startswith("Done: order 4001 is cancelled")
    assert order.status == "cancelled"
    again = cancel(session, now, "4001", subject=order_requests.CONFIRM)
    assert again.text == "Order 4001 is already cancelled."
    assert tickets(session) == []


@pytest.mark.parametrize("done", [3, 4])  # shipped, out for delivery
def test_shipped_order_becomes_a_ticket_even_when_confirmed(session, now, ann, done):
    order = b.goods_order(session, owner=ann, number="4002", created_at=now - timedelta(days=3), done=done)
    reply = cancel(session, now, "4002", subject=order_requests.CONFIRM,
                   text='/cancel_order{"order_id":"4002"}')
    [ticket] = tickets(session)
    assert ticket.reason == "cancel_order" and ticket.order_id == order.id and ticket.status == "waiting"
    assert staff_read(ticket) in ("Cancel order 4002 (status: on its way).",
                                  "Cancel order 4002 (status: out for delivery).")  # a button payload
    # is not the customer's words
    assert order.status != "cancelled"
    assert reply.custom["type"] == "handoff" and reply.custom["ticket_id"] == ticket.id
    assert f"ticket #{ticket.id}" in b.said(reply) and "already left our warehouse" in b.said(reply)
    assert b.said(reply).endswith(order_requests.WITH_A_PERSON)


def test_delivered_order_cannot_be_cancelled(session, now, ann):
    b.goods_order(session, owner=ann, number="4003", created_at=now - timedelta(days=9), done=5)
    reply = cancel(session, now, "4003")
    assert "can't be cancelled any more" in reply.text and "refund" in reply.text
    assert tickets(session) == []


def test_service_projects(session, now, ann):
    fresh = b.project_order(session, owner=ann, number="4004", created_at=now, done=0)
    assert order_requests.can_cancel(fresh)
    started = b.project_order(session, owner=ann, number="4005", created_at=now - timedelta(days=10), done=1)
    assert not order_requests.can_cancel(started)
    reply = cancel(session, now, "4005", subject=order_requests.CONFIRM)
    assert "work on it has already started" in b.said(reply)
    assert started.status == "in_progress"


def test_cancel_rules_for_strangers_and_other_peoples_orders(session, now, ann):
    other = b.customer(session, name="Omar", created_at=now)
    theirs = b.goods_order(session, owner=other, number="4006", created_at=now)
    unknown = cancel(session, now, "4006", subject=order_requests.CONFIRM)
    assert unknown.text == NOT_FOUND.format(number="4006")
    assert theirs.status == "placed"
    stranger = order_requests.cancel_reply(session, telegram_user_id=1, raw_number="4006",
                                           subject=order_requests.CONFIRM, message_text=None, now=now,
                                           zone=BERLIN)
    assert stranger.text == NOT_LINKED and theirs.status == "placed"


def test_cancel_without_a_number(session, now, ann):
    b.goods_order(session, owner=ann, number="4007", created_at=now - timedelta(days=20), done=5)
    assert cancel(session, now, None).text == "You have no open orders right now."
    b.goods_order(session, owner=ann, number="4008", created_at=now)
    assert cancel(session, now, None).text.startswith("Cancel order 4008")
    b.goods_order(session, owner=ann, number="4009", created_at=now)
    assert cancel(session, now, None).buttons[0].payload.startswith('/cancel_order{"order_id":"40')


def test_confirm_buttons_fit_telegram_for_the_longest_order_number(session, now, ann):
    b.goods_order(session, owner=ann, number="123456789012", created_at=now)
    reply = cancel(session, now, "123456789012")
    assert all(len(("r:" + btn.payload).encode()) <= MAX_CALLBACK_BYTES for btn in reply.buttons)


def test_change_address_opens_a_ticket_with_the_customers_words(session, now, ann):
    order = b.goods_order(session, owner=ann, number="4010", created_at=now, done=1)
    order.shipping_address = "Ann, Hauptstr. 1, Berlin"
    reply = order_requests.change_address_reply(session, telegram_user_id=USER, raw_number="4010",
                                                message_text="ship 4010 to Bahnhofstr. 5, 20095 Hamburg",
                                                now=now, zone=BERLIN)
    [ticket] = tickets(session)
    assert ticket.reason == "change_address" and ticket.order_id == order.id
    assert staff_read(ticket) == ("New delivery address for order 4010 (now: Ann, Hauptstr. 1, Berlin). "
                                  "The customer wrote: «ship 4010 to Bahnhofstr. 5, 20095 Hamburg»")
    assert f"ticket #{ticket.id}" in b.said(reply) and "next message" in b.said(reply)
    # The address sent next (if it reaches the bot) is added to the same ticket.
    order_requests.change_address_reply(session, telegram_user_id=USER, raw_number=None,
                                        message_text="the new address is Bahnhofstr. 7", now=now, zone=BERLIN)
    [same] = tickets(session)
    assert staff_read(same).endswith("\nNew delivery address for order 4010 (now: Ann, Hauptstr. 1, Berlin). "
                                     "The customer wrote: «the new address is Bahnhofstr. 7»")


def test_change_address_of_a_delivered_order_is_refused(session, now, ann):
    b.goods_order(session, owner=ann, number="4011", created_at=now - timedelta(days=9), done=5)
    reply = order_requests.change_address_reply(session, telegram_user_id=USER, raw_number="4011",
                                                message_text="ship 4011 to my office", now=now, zone=BERLIN)
    assert "already delivered" in reply.text and tickets(session) == []


def test_refund_opens_a_ticket(session, now, ann):
    order = b.goods_order(session, owner=ann, number="4012", created_at=now - timedelta(days=9), done=5)
    reply = order_requests.refund_reply(session, telegram_user_id=USER, raw_number=None,
                                        message_text="I want my money back, it broke", now=now, zone=BERLIN)
    [ticket] = tickets(session)
    assert ticket.reason == "refund_request" and ticket.order_id == order.id
    assert staff_read(ticket).endswith(". The customer wrote: «I want my money back, it broke»")
    assert staff_read(ticket).startswith("Refund for order 4012 (")
    assert "refund request for order 4012" in b.said(reply)
    assert order_requests.refund_reply(session, telegram_user_id=2, raw_number="4012", message_text="refund",
                                       now=now, zone=BERLIN).text == NOT_LINKED


@pytest.mark.parametrize(("buttons", "pending"), [
    (['/cancel_order{"order_id":"4001","subject":"confirm"}',
      '/cancel_order{"order_id":"4001","subject":"keep"}'], "4001"),
    (['/order_status{"order_id":"4001"}', '/order_status{"order_id":"4002"}'], None),  # "which order?"
    (['/cancel_order{"order_id":"4001","subject":"keep"}'], None),
    (['/cancel_order{"order_id":"4001","subject":"confirm"'], None),  # not a payload: malformed JSON
    (["Arrived late"], None),
    ([], None),
])
def test_a_typed_yes_finds_the_order_only_in_a_cancel_question(buttons, pending):
    assert order_requests.pending_cancellation(buttons) == pending
