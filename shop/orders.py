"""Orders as a customer sees them: ownership-checked lookup and the status answer."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from shop.accounts import linked_customer
from shop.models import Order, OrderItem, OrderStatus
from shop.replies import Button, Reply, intent_payload

NOT_FOUND = (
    "I can't find order {number} on your account. Please check the number "
    "(it's in your order confirmation), or say \"show my orders\"."
)
NOT_LINKED = (
    "I don't know which customer you are yet, so I can't show any orders. "
    "Send /start and tap \"Share my phone number\" to link your account."
)
ASK_NUMBER = "Which order do you mean? Please send its number, for example 1042."
NO_ORDERS = "I can't see any orders on your account yet."
PICK_ORDER = "You have {count} open orders. Which one do you mean?"
RECENT_ORDERS = 5  # orders shown by "show my orders" and offered as buttons
CLOSED = (OrderStatus.delivered.value, OrderStatus.cancelled.value)

STATUS_TEXT = {
    "placed": "has been placed and is waiting to be packed",
    "packed": "is packed and waiting for the carrier",
    "shipped": "is on its way",
    "out_for_delivery": "is out for delivery today",
    "in_progress": "is in progress",
    "delivered": "has been delivered",
    "cancelled": "was cancelled",
}

STATUS_SHORT = {
    "placed": "placed",
    "packed": "packed",
    "shipped": "on its way",
    "out_for_delivery": "out for delivery",
    "in_progress": "in progress",
    "delivered": "delivered",
    "cancelled": "cancelled",
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


def order_by_number(session: Session, number: str) -> Order | None:
    """Any customer's order by its number, with its stages (the shop's own integrations only:
    a customer asks through find_customer_order)."""
    return session.scalar(select(Order).where(Order.number == number).options(selectinload(Order.stages)))


def fmt_day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%-d %b %Y")


def fmt_short_day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%-d %b")


def stage_label(name: str) -> str:
    return name.replace("_", " ")


def describe_order(order: Order, *, zone: ZoneInfo) -> str:
    """A short, complete status answer: status, timeline, items and total.

    The timeline lists the stages done so far with their dates (the carrier and tracking
    number with the stage that has them) and the next stage with its planned date.
    """
    lines = [f"Order {order.number} (placed {fmt_day(order.created_at, zone)}) "
             f"{STATUS_TEXT.get(order.status, order.status)}."]
    done = [s for s in order.stages if s.done_at is not None]
    upcoming = [s for s in order.stages if s.done_at is None]
    if done:
        steps = []
        for stage in done:
            assert stage.done_at is not None
            step = f"{stage_label(stage.name)} {fmt_short_day(stage.done_at, zone)}"
            if stage.carrier and (stage.tracking_number or stage is done[-1]):
                step += f" with {stage.carrier}"
            if stage.tracking_number:
                step += f" (tracking {stage.tracking_number})"
            steps.append(step)
        lines.append("Done: " + ", ".join(steps) + ".")
    if upcoming and order.status not in CLOSED:
        nxt = upcoming[0]
        when = f", planned for {fmt_day(nxt.planned_at, zone)}" if nxt.planned_at else ""
        lines.append(f"Next: {stage_label(nxt.name)}{when}.")
    items = ", ".join(f"{i.quantity}× {i.product.name}" for i in order.items)
    if items:
        lines.append(f"Items: {items}. Total: {order.total:.2f} {order.currency}.")
    return "\n".join(lines)


def customer_orders(session: Session, *, customer_id: int, open_only: bool = False,
                    limit: int | None = None) -> list[Order]:
    """The customer's orders, newest first (only those not delivered or cancelled if asked)."""
    query = (select(Order).where(Order.customer_id == customer_id)
             .order_by(Order.created_at.desc(), Order.id.desc())
             .options(selectinload(Order.items).selectinload(OrderItem.product),
                      selectinload(Order.stages)))
    if open_only:
        query = query.where(Order.status.not_in(CLOSED))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query).all())


def order_button(order: Order, intent: str, *, zone: ZoneInfo, **entities: str) -> Button:
    """A button naming the order that asks `intent` about it."""
    title = (f"{order.number} · {STATUS_SHORT.get(order.status, order.status)} · "
             f"{fmt_short_day(order.created_at, zone)}")
    return Button(title, intent_payload(intent, order_id=order.number, **entities))


def order_picker(orders: list[Order], intent: str, *, question: str, zone: ZoneInfo) -> Reply:
    return Reply(question, buttons=tuple(order_button(o, intent, zone=zone)
                                         for o in orders[:RECENT_ORDERS]))


def resolve_order(
    session: Session, *, customer_id: int, raw_number: str | None, intent: str, zone: ZoneInfo,
    latest_if_none_open: bool = True,
) -> Order | Reply:
    """The order a customer means, or the reply to send instead.

    With a number: that order if it is theirs, else NOT_FOUND (an order of someone else
    is indistinguishable from one that does not exist). Without: the only open order;
    buttons (asking `intent` again) when several are open; when none is open, the
    newest order if `latest_if_none_open`, else a NO_ORDERS-style answer.
    """
    number = normalise_order_number(raw_number)
    if number is not None:
        order = find_customer_order(session, customer_id=customer_id, number=number)
        return order if order is not None else Reply(NOT_FOUND.format(number=number))
    open_orders = customer_orders(session, customer_id=customer_id, open_only=True,
                                  limit=RECENT_ORDERS + 1)
    if len(open_orders) == 1:
        return open_orders[0]
    if len(open_orders) > 1:
        return order_picker(open_orders, intent, zone=zone,
                            question=PICK_ORDER.format(count=_open_count(session, customer_id)))
    latest = customer_orders(session, customer_id=customer_id, limit=1)
    if not latest:
        return Reply(NO_ORDERS)
    if latest_if_none_open:
        return latest[0]
    return Reply("You have no open orders right now.")


def _open_count(session: Session, customer_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Order).where(
        Order.customer_id == customer_id, Order.status.not_in(CLOSED))) or 0


def users_order(
    session: Session, *, telegram_user_id: int, raw_number: str | None, intent: str, zone: ZoneInfo,
) -> Order | Reply:
    """The order a Telegram user means (resolve_order), or the reply to send instead,
    NOT_LINKED included."""
    customer = linked_customer(session, telegram_user_id)
    if customer is None:
        return Reply(NOT_LINKED)
    return resolve_order(session, customer_id=customer.id, raw_number=raw_number, intent=intent, zone=zone)


def order_status_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, zone: ZoneInfo
) -> Reply:
    """The answer to "where is my order N?" for this Telegram user.

    Without a number: the open order, a choice between open orders, or the latest one.
    """
    found = users_order(session, telegram_user_id=telegram_user_id, raw_number=raw_number,
                        intent="order_status", zone=zone)
    return found if isinstance(found, Reply) else Reply(describe_order(found, zone=zone))


def list_orders_reply(session: Session, *, telegram_user_id: int, zone: ZoneInfo) -> Reply:
    """"Show my orders": the recent orders, one line each, with a button per order."""
    customer = linked_customer(session, telegram_user_id)
    if customer is None:
        return Reply(NOT_LINKED)
    orders = customer_orders(session, customer_id=customer.id, limit=RECENT_ORDERS)
    if not orders:
        return Reply(NO_ORDERS)
    total = session.scalar(select(func.count()).select_from(Order)
                           .where(Order.customer_id == customer.id)) or 0
    lines = ["Your recent orders:" if total > len(orders) else "Your orders:"]
    for order in orders:
        lines.append(f"• {order.number} · {fmt_day(order.created_at, zone)} · "
                     f"{STATUS_SHORT.get(order.status, order.status)} · "
                     f"{order.total:.2f} {order.currency}")
    if total > len(orders):
        older = total - len(orders)
        lines.append(f"…and {older} older order{'s' if older != 1 else ''}. "
                     "Ask about any of them by number.")
    lines.append("Tap one for its details.")
    return Reply("\n".join(lines), buttons=tuple(
        Button(f"Order {o.number}", intent_payload("order_status", order_id=o.number)) for o in orders))
