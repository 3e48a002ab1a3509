"""Orders as a customer sees them: ownership-checked lookup and the status answer."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop.accounts import linked_customer
from shop.models import Order
from shop.replies import Reply

NOT_FOUND = (
    "I can't find order {number} on your account. Please check the number "
    "(it's in your order confirmation), or say \"show my orders\"."
)
NOT_LINKED = (
    "I don't know which customer you are yet, so I can't show any orders. "
    "Send /start and tap \"Share my phone number\" to link your account."
)
ASK_NUMBER = "Which order do you mean? Please send its number, for example 1042."

STATUS_TEXT = {
    "placed": "has been placed and is waiting to be packed",
    "packed": "is packed and waiting for the carrier",
    "shipped": "is on its way",
    "out_for_delivery": "is out for delivery today",
    "in_progress": "is in progress",
    "delivered": "has been delivered",
    "cancelled": "was cancelled",
}

_ORDER_NUMBER = re.compile(r"\d{3,12}")


def normalise_order_number(raw: str | None) -> str | None:
    """'#1042', 'order no. 1042', ' 1042 ' → '1042'; None when there is no number."""
    if not raw:
        return None
    match = _ORDER_NUMBER.search(str(raw))
    return match.group(0) if match else None


def find_customer_order(session: Session, *, customer_id: int, number: str) -> Order | None:
    """The order with this number if it belongs to this customer, else None.

    An order of someone else is indistinguishable from one that does not exist.
    """
    return session.scalar(
        select(Order)
        .where(Order.number == number, Order.customer_id == customer_id)
        .options(selectinload(Order.items), selectinload(Order.stages))
    )


def fmt_day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%-d %b %Y")


def describe_order(order: Order, *, zone: ZoneInfo) -> str:
    """A short, complete status answer: status, timeline, items and total."""
    lines = [f"Order {order.number} (placed {fmt_day(order.created_at, zone)}) "
             f"{STATUS_TEXT.get(order.status, order.status)}."]
    done = [s for s in order.stages if s.done_at is not None]
    upcoming = [s for s in order.stages if s.done_at is None]
    if done:
        last = done[-1]
        carrier = f" with {last.carrier}" if last.carrier else ""
        lines.append(f"Latest: {last.name.replace('_', ' ')}{carrier} on {fmt_day(last.done_at, zone)}"
                     + (f" (tracking {last.tracking_number})" if last.tracking_number else "") + ".")
    if upcoming and order.status != "cancelled":
        nxt = upcoming[0]
        when = f", planned for {fmt_day(nxt.planned_at, zone)}" if nxt.planned_at else ""
        lines.append(f"Next: {nxt.name.replace('_', ' ')}{when}.")
    items = ", ".join(f"{i.quantity}× {i.product.name}" for i in order.items)
    if items:
        lines.append(f"Items: {items}. Total: {order.total:.2f} {order.currency}.")
    return "\n".join(lines)


def order_status_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, zone: ZoneInfo
) -> Reply:
    """The answer to "where is my order N?" for this Telegram user."""
    customer = linked_customer(session, telegram_user_id)
    if customer is None:
        return Reply(NOT_LINKED)
    number = normalise_order_number(raw_number)
    if number is None:
        return Reply(ASK_NUMBER)
    order = find_customer_order(session, customer_id=customer.id, number=number)
    if order is None:
        return Reply(NOT_FOUND.format(number=number))
    return Reply(describe_order(order, zone=zone))
