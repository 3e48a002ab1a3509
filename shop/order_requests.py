"""Customers' requests to change an order: cancel it, deliver it elsewhere, refund it.

The bot cancels an order itself while nothing has left the shop (after the customer
confirms with a button); everything else becomes a ticket for a person, with the
customer's own words, and the customer is told what happens next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from shop import ticket_details
from shop.accounts import get_account, linked_customer
from shop.handoff import BACK_BUTTON
from shop.i18n import ENGLISH, N_, Translator, sentences
from shop.models import Customer, Order, OrderKind, OrderStatus, Ticket
from shop.orders import NOT_LINKED, fmt_day, items_text, resolve_order
from shop.replies import Button, Reply, intent_payload, payload, read_intent_payload
from shop.tickets import open_ticket

CONFIRM = "confirm"  # the `subject` of the confirm button of a cancellation
KEEP = "keep"  # ... and of its "keep it" button
SHIPPED_STAGES = ("shipped", "out_for_delivery", "delivered")
WITH_A_PERSON = N_("Until they answer, everything you write here goes to them.")


@dataclass(frozen=True)
class Asker:
    """Who is asking: their Telegram ids and, once linked, their customer record."""

    telegram_user_id: int
    chat_id: int
    customer: Customer


def asker(session: Session, telegram_user_id: int) -> Asker | None:
    customer = linked_customer(session, telegram_user_id)
    if customer is None:
        return None
    account = get_account(session, telegram_user_id)
    chat_id = account.chat_id if account is not None and account.chat_id else telegram_user_id
    return Asker(telegram_user_id, chat_id, customer)


def handoff_reply(ticket: Ticket, *, new: bool, text: str, tr: Translator = ENGLISH) -> Reply:
    """What the customer reads when a request became a ticket; the bot alerts staff at once
    (the `handoff` payload, bot/handoff) and relays the customer's next messages to them."""
    return Reply(custom=payload("handoff", ticket_id=ticket.id, new=new,
                                text=sentences(text, tr._(WITH_A_PERSON)), button=tr._(BACK_BUTTON)))


def can_cancel(order: Order) -> bool:
    """Cancellable by the bot: nothing has shipped (goods) or started (services)."""
    if order.status in (OrderStatus.cancelled.value, OrderStatus.delivered.value):
        return False
    if order.kind == OrderKind.service.value:
        return order.status == OrderStatus.placed.value and all(s.done_at is None for s in order.stages)
    if order.status not in (OrderStatus.placed.value, OrderStatus.packed.value):
        return False
    return not any(s.done_at is not None for s in order.stages if s.name in SHIPPED_STAGES)


def _summary(order: Order, tr: Translator = ENGLISH) -> str:
    total = tr.money(order.total, order.currency)
    return f"{items_text(order, tr)}{tr.p_('list separator', ', ')}{total}" if order.items else total


def _asker_and_order(
    session: Session, telegram_user_id: int, raw_number: str | None, *, intent: str, zone: ZoneInfo,
    latest_if_none_open: bool = True, tr: Translator = ENGLISH,
) -> tuple[Asker, Order] | Reply:
    """Who asks and which of their orders they mean, or the reply when that can't be told
    (not linked, no such order of theirs, several to choose from)."""
    who = asker(session, telegram_user_id)
    if who is None:
        return Reply(tr._(NOT_LINKED))
    found = resolve_order(session, customer_id=who.customer.id, raw_number=raw_number, intent=intent,
                          zone=zone, latest_if_none_open=latest_if_none_open, tr=tr)
    return found if isinstance(found, Reply) else (who, found)


def cancel_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, subject: str | None,
    message_text: str | None, now: datetime, zone: ZoneInfo, tr: Translator = ENGLISH,
) -> Reply:
    """Ask to confirm, cancel on confirmation, or hand a too-late cancellation to a person."""
    found = _asker_and_order(session, telegram_user_id, raw_number, intent="cancel_order", zone=zone,
                             latest_if_none_open=False, tr=tr)
    if isinstance(found, Reply):
        return found
    who, order = found
    number = order.number
    if order.status == OrderStatus.cancelled.value:
        return Reply(tr._("Order {number} is already cancelled.", number=number))
    if order.status == OrderStatus.delivered.value:
        if order.delivered_at:
            return Reply(tr._("Order {number} was delivered on {date}, so it can't be cancelled any "
                              "more. To send it back, say \"I want a refund\".",
                              number=number, date=fmt_day(order.delivered_at, zone, tr)))
        return Reply(tr._("Order {number} was delivered, so it can't be cancelled any "
                          "more. To send it back, say \"I want a refund\".", number=number))
    if subject == KEEP:
        return Reply(tr._("OK, order {number} stays as it is.", number=number))
    if not can_cancel(order):
        ticket, new = open_ticket(
            session, telegram_user_id=who.telegram_user_id, chat_id=who.chat_id,
            customer_id=who.customer.id, reason="cancel_order", order_id=order.id, now=now,
            details=ticket_details.cancel_order(order, message_text))
        text = (tr._("I can't cancel order {number} myself because it has already left our warehouse. "
                     "I've passed your request to our team (ticket #{ticket}): a person will reply here "
                     "about stopping it or sending it back.", number=number, ticket=ticket.id)
                if order.kind == OrderKind.goods.value else
                tr._("I can't cancel order {number} myself because work on it has already started. "
                     "I've passed your request to our team (ticket #{ticket}): a person will reply here "
                     "about stopping it or sending it back.", number=number, ticket=ticket.id))
        return handoff_reply(ticket, new=new, text=text, tr=tr)
    if subject == CONFIRM:
        order.status = OrderStatus.cancelled.value
        session.flush()
        return Reply(tr._("Done: order {number} is cancelled and won't be sent. "
                          "If you've already paid, our team will refund you.", number=number))
    return Reply(
        tr._("Cancel order {number} ({summary})? This can't be undone.", number=number,
             summary=_summary(order, tr)),
        buttons=(Button(tr._("Yes, cancel {number}", number=number),
                        intent_payload("cancel_order", order_id=number, subject=CONFIRM)),
                 Button(tr._("No, keep it"),
                        intent_payload("cancel_order", order_id=number, subject=KEEP))))


NOTHING_TO_CONFIRM = N_("There's nothing waiting for a yes or no from you right now. What would you like "
                        "to do? For example \"where is my order 1042?\" or \"cancel order 1042\".")


def pending_cancellation(last_buttons: list[str]) -> str | None:
    """The order a "Cancel order N? Yes / No" question was about, from the payloads of the
    buttons of the bot's last message; None when that message asked no such question."""
    for text in last_buttons:
        read = read_intent_payload(text)
        if read and read[0] == "cancel_order" and read[1].get("subject") == CONFIRM:
            return read[1].get("order_id")
    return None


def change_address_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, message_text: str | None,
    now: datetime, zone: ZoneInfo, tr: Translator = ENGLISH,
) -> Reply:
    """Open a ticket for a new delivery address, with the customer's words."""
    found = _asker_and_order(session, telegram_user_id, raw_number, intent="change_address", zone=zone,
                             latest_if_none_open=False, tr=tr)
    if isinstance(found, Reply):
        return found
    who, order = found
    if order.status == OrderStatus.delivered.value:
        return Reply(tr._("Order {number} is already delivered, so its delivery address can't be "
                          "changed any more.", number=order.number))
    if order.status == OrderStatus.cancelled.value:
        return Reply(tr._("Order {number} is already cancelled, so its delivery address can't be "
                          "changed any more.", number=order.number))
    ticket, new = open_ticket(
        session, telegram_user_id=who.telegram_user_id, chat_id=who.chat_id,
        customer_id=who.customer.id, reason="change_address", order_id=order.id, now=now,
        details=ticket_details.change_address(order, message_text))
    values = {"number": order.number, "ticket": ticket.id}
    text = (tr._("I've asked our team to change the delivery address of order {number} (ticket #{ticket}). "
                 "It's already with the carrier, so we'll try to redirect it. If you haven't yet, send "
                 "the full new address in your next message; a person will confirm the change here.",
                 **values)
            if not can_cancel(order) and order.kind == OrderKind.goods.value else
            tr._("I've asked our team to change the delivery address of order {number} (ticket #{ticket}). "
                 "If you haven't yet, send the full new address in your next message; a person will "
                 "confirm the change here.", **values))
    return handoff_reply(ticket, new=new, text=text, tr=tr)


def refund_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, message_text: str | None,
    now: datetime, zone: ZoneInfo, tr: Translator = ENGLISH,
) -> Reply:
    """Open a ticket for a refund, with the customer's words; a person decides."""
    found = _asker_and_order(session, telegram_user_id, raw_number, intent="refund_request", zone=zone,
                             tr=tr)
    if isinstance(found, Reply):
        return found
    who, order = found
    if order.status == OrderStatus.cancelled.value:
        return Reply(tr._("Order {number} is cancelled. If you had paid for it, our team refunds it "
                          "without you asking; say \"talk to a person\" if it hasn't arrived.",
                          number=order.number))
    ticket, new = open_ticket(
        session, telegram_user_id=who.telegram_user_id, chat_id=who.chat_id,
        customer_id=who.customer.id, reason="refund_request", order_id=order.id, now=now,
        details=ticket_details.refund(order, message_text))
    text = tr._("I've passed your refund request for order {number} to our team (ticket #{ticket}). "
                "If you haven't told me why yet, write it in your next message; a person will follow "
                "up here.", number=order.number, ticket=ticket.id)
    if can_cancel(order):
        text = sentences(text, tr._("It hasn't shipped yet, so you can also simply cancel it: say "
                                    "\"cancel order {number}\".", number=order.number))
    return handoff_reply(ticket, new=new, text=text, tr=tr)

