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

from shop.accounts import get_account, linked_customer
from shop.models import Customer, Order, OrderKind, OrderStatus, Ticket
from shop.orders import NOT_LINKED, fmt_day, resolve_order
from shop.replies import Button, Reply, intent_payload, payload, read_intent_payload
from shop.tickets import open_ticket

CONFIRM = "confirm"  # the `subject` of the confirm button of a cancellation
KEEP = "keep"  # ... and of its "keep it" button
SHIPPED_STAGES = ("shipped", "out_for_delivery", "delivered")
WITH_A_PERSON = "Until they answer, everything you write here goes to them."


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


def handoff_reply(ticket: Ticket, *, new: bool, text: str) -> Reply:
    """What the customer reads when a request became a ticket; the bot alerts staff at once
    (the `handoff` payload, bot/handoff) and relays the customer's next messages to them."""
    return Reply(custom=payload("handoff", ticket_id=ticket.id, new=new, text=f"{text} {WITH_A_PERSON}"))


def can_cancel(order: Order) -> bool:
    """Cancellable by the bot: nothing has shipped (goods) or started (services)."""
    if order.status in (OrderStatus.cancelled.value, OrderStatus.delivered.value):
        return False
    if order.kind == OrderKind.service.value:
        return order.status == OrderStatus.placed.value and all(s.done_at is None for s in order.stages)
    if order.status not in (OrderStatus.placed.value, OrderStatus.packed.value):
        return False
    return not any(s.done_at is not None for s in order.stages if s.name in SHIPPED_STAGES)


def _summary(order: Order) -> str:
    items = ", ".join(f"{i.quantity}× {i.product.name}" for i in order.items)
    return f"{items}, {order.total:.2f} {order.currency}" if items else f"{order.total:.2f} {order.currency}"


def _asker_and_order(
    session: Session, telegram_user_id: int, raw_number: str | None, *, intent: str, zone: ZoneInfo,
    latest_if_none_open: bool = True,
) -> tuple[Asker, Order] | Reply:
    """Who asks and which of their orders they mean, or the reply when that can't be told
    (not linked, no such order of theirs, several to choose from)."""
    who = asker(session, telegram_user_id)
    if who is None:
        return Reply(NOT_LINKED)
    found = resolve_order(session, customer_id=who.customer.id, raw_number=raw_number, intent=intent,
                          zone=zone, latest_if_none_open=latest_if_none_open)
    return found if isinstance(found, Reply) else (who, found)


def cancel_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, subject: str | None,
    message_text: str | None, now: datetime, zone: ZoneInfo,
) -> Reply:
    """Ask to confirm, cancel on confirmation, or hand a too-late cancellation to a person."""
    found = _asker_and_order(session, telegram_user_id, raw_number, intent="cancel_order", zone=zone,
                             latest_if_none_open=False)
    if isinstance(found, Reply):
        return found
    who, order = found
    if order.status == OrderStatus.cancelled.value:
        return Reply(f"Order {order.number} is already cancelled.")
    if order.status == OrderStatus.delivered.value:
        when = f" on {fmt_day(order.delivered_at, zone)}" if order.delivered_at else ""
        return Reply(f"Order {order.number} was delivered{when}, so it can't be cancelled any "
                     "more. To send it back, say \"I want a refund\".")
    if subject == KEEP:
        return Reply(f"OK, order {order.number} stays as it is.")
    if not can_cancel(order):
        ticket, new = open_ticket(
            session, telegram_user_id=who.telegram_user_id, chat_id=who.chat_id,
            customer_id=who.customer.id, reason="cancel_order", order_id=order.id, now=now,
            details=_details(f"Cancel order {order.number} (status: {order.status})", message_text))
        what = ("it has already left our warehouse" if order.kind == OrderKind.goods.value
                else "work on it has already started")
        return handoff_reply(ticket, new=new, text=(
            f"I can't cancel order {order.number} myself because {what}. I've passed your request "
            f"to our team (ticket #{ticket.id}): a person will reply here about stopping it or "
            "sending it back."))
    if subject == CONFIRM:
        order.status = OrderStatus.cancelled.value
        session.flush()
        return Reply(f"Done: order {order.number} is cancelled and won't be sent. "
                     "If you've already paid, our team will refund you.")
    return Reply(
        f"Cancel order {order.number} ({_summary(order)})? This can't be undone.",
        buttons=(Button(f"Yes, cancel {order.number}",
                        intent_payload("cancel_order", order_id=order.number, subject=CONFIRM)),
                 Button("No, keep it",
                        intent_payload("cancel_order", order_id=order.number, subject=KEEP))))


NOTHING_TO_CONFIRM = ("There's nothing waiting for a yes or no from you right now. What would you like "
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
    now: datetime, zone: ZoneInfo,
) -> Reply:
    """Open a ticket for a new delivery address, with the customer's words."""
    found = _asker_and_order(session, telegram_user_id, raw_number, intent="change_address", zone=zone,
                             latest_if_none_open=False)
    if isinstance(found, Reply):
        return found
    who, order = found
    if order.status in (OrderStatus.delivered.value, OrderStatus.cancelled.value):
        return Reply(f"Order {order.number} is already {order.status}, so its delivery "
                     "address can't be changed any more.")
    ticket, new = open_ticket(
        session, telegram_user_id=who.telegram_user_id, chat_id=who.chat_id,
        customer_id=who.customer.id, reason="change_address", order_id=order.id, now=now,
        details=_details(f"New delivery address for order {order.number} "
                         f"(now: {order.shipping_address or 'none on file'})", message_text))
    late = ("It's already with the carrier, so we'll try to redirect it. "
            if not can_cancel(order) and order.kind == OrderKind.goods.value else "")
    return handoff_reply(ticket, new=new, text=(
        f"I've asked our team to change the delivery address of order {order.number} "
        f"(ticket #{ticket.id}). {late}If you haven't yet, send the full new address in your next "
        "message; a person will confirm the change here."))


def refund_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, message_text: str | None,
    now: datetime, zone: ZoneInfo,
) -> Reply:
    """Open a ticket for a refund, with the customer's words; a person decides."""
    found = _asker_and_order(session, telegram_user_id, raw_number, intent="refund_request", zone=zone)
    if isinstance(found, Reply):
        return found
    who, order = found
    if order.status == OrderStatus.cancelled.value:
        return Reply(f"Order {order.number} is cancelled. If you had paid for it, our team "
                     "refunds it without you asking; say \"talk to a person\" if it hasn't arrived.")
    ticket, new = open_ticket(
        session, telegram_user_id=who.telegram_user_id, chat_id=who.chat_id,
        customer_id=who.customer.id, reason="refund_request", order_id=order.id, now=now,
        details=_details(f"Refund for order {order.number} ({_summary(order)})", message_text))
    hint = (" It hasn't shipped yet, so you can also simply cancel it: say "
            f"\"cancel order {order.number}\"." if can_cancel(order) else "")
    return handoff_reply(ticket, new=new, text=(
        f"I've passed your refund request for order {order.number} to our team (ticket "
        f"#{ticket.id}). If you haven't told me why yet, write it in your next message; a person "
        f"will follow up here.{hint}"))


def _details(what: str, message_text: str | None) -> str:
    said = (message_text or "").strip()
    if not said or said.startswith("/"):  # a button payload, not the customer's words
        return what
    return f"{what}. Customer wrote: «{said[:1000]}»"
