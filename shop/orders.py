"""Orders as a customer sees them: ownership-checked lookup and the status answer."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from shop.accounts import linked_customer_id
from shop.i18n import ENGLISH, N_, Translator
from shop.models import GOODS_STAGES, Order, OrderItem, OrderStatus
from shop.replies import TALK_TO_PERSON, Button, Reply, intent_payload

NOT_FOUND = N_(
    "I can't find order {number} on your account. Please check the number "
    "(it's in your order confirmation), or say \"show my orders\"."
)
NOT_LINKED = N_(
    "I don't know which customer you are yet, so I can't show any orders. "
    "Send /start and tap \"Share my phone number\" to link your account."
)
ASK_NUMBER = N_("Which order do you mean? Please send its number, for example 1042.")
NO_ORDERS = N_("I can't see any orders on your account yet.")
RECENT_ORDERS = 5  # orders shown by "show my orders" and offered as buttons
CLOSED = (OrderStatus.delivered.value, OrderStatus.cancelled.value)

# "Order 1042 (placed 19 Nov 2026) is on its way." A whole sentence per status, so that each
# language can order it its own way.
STATUS_TEXT = {
    "placed": N_("Order {number} (placed {date}) has been placed and is waiting to be packed."),
    "packed": N_("Order {number} (placed {date}) is packed and waiting for the carrier."),
    "shipped": N_("Order {number} (placed {date}) is on its way."),
    "out_for_delivery": N_("Order {number} (placed {date}) is out for delivery today."),
    "in_progress": N_("Order {number} (placed {date}) is in progress."),
    "delivered": N_("Order {number} (placed {date}) has been delivered."),
    "cancelled": N_("Order {number} (placed {date}) was cancelled."),
}
STATUS_OTHER = N_("Order {number} (placed {date}): {status}.")

STATUS_SHORT = {  # an order's status in a list or on a button
    "placed": N_("placed"),
    "packed": N_("packed"),
    "shipped": N_("on its way"),
    "out_for_delivery": N_("out for delivery"),
    "in_progress": N_("in progress"),
    "delivered": N_("delivered"),
    "cancelled": N_("cancelled"),
}
STAGE_NAMES = {  # the goods stages; service milestones are named in the shop's own words
    "placed": N_("placed"),
    "packed": N_("packed"),
    "shipped": N_("shipped"),
    "out_for_delivery": N_("out for delivery"),
    "delivered": N_("delivered"),
}

# A run of digits, or an order number in digit groups as the order_id regex finds them
# ("10 425", "10,425", "10.425", "10’425"; nlu/order_id_regex.py GROUP_SEPARATORS).
_ORDER_NUMBER = re.compile(r"(?<!\d)[1-9]\d{0,2}[ \u00a0\u202f\u2009,.'\u2019]\d{3}(?!\d)|\d{3,12}")


def normalise_order_number(raw: str | None) -> str | None:
    """'#1042', 'order no. 1042', ' 1042 ' → '1042', '10 425' → '10425'; None when there is no
    number."""
    if not raw:
        return None
    match = _ORDER_NUMBER.search(str(raw))
    return re.sub(r"\D", "", match.group(0)) if match else None


# What the answers show, in one query built once (each customer message about an order runs
# it; shop/db.py): the order with its items, their products and its stages joined (a few
# items times a few stages: fewer rows than a second query costs).
CUSTOMER_ORDER = (select(Order)
                  .where(Order.number == bindparam("number"), Order.customer_id == bindparam("customer_id"))
                  .options(joinedload(Order.items).joinedload(OrderItem.product), joinedload(Order.stages)))


def find_customer_order(session: Session, *, customer_id: int, number: str) -> Order | None:
    """The order with this number if it belongs to this customer, else None.

    An order of someone else is indistinguishable from one that does not exist.
    """
    return session.scalars(CUSTOMER_ORDER, {"number": number, "customer_id": customer_id}).unique().first()


def order_by_number(session: Session, number: str) -> Order | None:
    """Any customer's order by its number, with its stages (the shop's own integrations only:
    a customer asks through find_customer_order)."""
    return session.scalar(select(Order).where(Order.number == number).options(selectinload(Order.stages)))


def fmt_day(moment: datetime, zone: ZoneInfo, tr: Translator = ENGLISH) -> str:
    """A day with its year in the reader's language: '3 Dec 2026', '3. Dez. 2026'."""
    return tr.date(moment, zone)


def fmt_short_day(moment: datetime, zone: ZoneInfo, tr: Translator = ENGLISH) -> str:
    """A day without its year: '3 Dec', '3. Dez.', '12月3日'."""
    return tr.day(moment, zone)


def stage_label(name: str, tr: Translator = ENGLISH) -> str:
    """A goods stage in the reader's language; a service milestone as the shop named it."""
    if name in STAGE_NAMES and name in GOODS_STAGES:
        return tr._(STAGE_NAMES[name])
    return name.replace("_", " ")


def status_word(status: str, tr: Translator = ENGLISH) -> str:
    """'on its way', 'unterwegs': an order's status in a list or on a button."""
    return tr._(STATUS_SHORT[status]) if status in STATUS_SHORT else status


def items_text(order: Order, tr: Translator = ENGLISH) -> str:
    """'1× Desk lamp, 2× Ceramic mug' (product names are the shop's own words)."""
    return tr.p_("list separator", ", ").join(f"{i.quantity}× {i.product.name}" for i in order.items)


def describe_order(order: Order, *, zone: ZoneInfo, tr: Translator = ENGLISH) -> str:
    """A short, complete status answer: status, timeline, items and total.

    The timeline lists the stages done so far with their dates (the carrier and tracking
    number with the stage that has them) and the next stage with its planned date.
    """
    head = STATUS_TEXT.get(order.status, STATUS_OTHER)
    lines = [tr._(head, number=order.number, date=fmt_day(order.created_at, zone, tr),
                  status=order.status)]
    done = [s for s in order.stages if s.done_at is not None]
    upcoming = [s for s in order.stages if s.done_at is None]
    if done:
        steps = []
        for stage in done:
            assert stage.done_at is not None
            values = {"stage": stage_label(stage.name, tr), "date": fmt_short_day(stage.done_at, zone, tr),
                      "carrier": stage.carrier, "tracking": stage.tracking_number}
            with_carrier = bool(stage.carrier and (stage.tracking_number or stage is done[-1]))
            if with_carrier and stage.tracking_number:
                step = tr._("{stage} {date} with {carrier} (tracking {tracking})", **values)
            elif with_carrier:
                step = tr._("{stage} {date} with {carrier}", **values)
            elif stage.tracking_number:
                step = tr._("{stage} {date} (tracking {tracking})", **values)
            else:
                step = tr._("{stage} {date}", **values)
            steps.append(step)
        lines.append(tr._("Done: {steps}.", steps=tr.p_("list separator", ", ").join(steps)))
    if upcoming and order.status not in CLOSED:
        nxt = upcoming[0]
        if nxt.planned_at:
            lines.append(tr._("Next: {stage}, planned for {date}.", stage=stage_label(nxt.name, tr),
                              date=fmt_day(nxt.planned_at, zone, tr)))
        else:
            lines.append(tr._("Next: {stage}.", stage=stage_label(nxt.name, tr)))
    if order.items:
        lines.append(tr._("Items: {items}. Total: {total}.", items=items_text(order, tr),
                          total=tr.money(order.total, order.currency)))
    return "\n".join(lines)


def customer_orders(session: Session, *, customer_id: int, open_only: bool = False,
                    limit: int | None = None, details: bool = True) -> list[Order]:
    """The customer's orders, newest first (only those not delivered or cancelled if asked),
    with their items, products and stages unless `details` is False (a list of orders shows
    none of them: three queries fewer)."""
    query = (select(Order).where(Order.customer_id == customer_id)
             .order_by(Order.created_at.desc(), Order.id.desc()))
    if details:
        query = query.options(selectinload(Order.items).selectinload(OrderItem.product),
                              selectinload(Order.stages))
    if open_only:
        query = query.where(Order.status.not_in(CLOSED))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query).all())


# A number of 4-6 digits standing alone (the store's order numbers; leading zeros padding it
# aside, "#001042"), not part of a longer number, a decimal or a run of digit groups ("1042.50",
# "10,425", "0176 1042 4411", "0176-1042").
_STANDALONE_NUMBER = re.compile(r"(?<![\d.,])(?<!\d[ -])0*(\d{4,6})(?!\d|[.,]\d|[ -]\d)")
NAMED_ORDERS_SHOWN = 3


def own_orders_in_text(session: Session, *, telegram_user_id: int, text: str) -> list[Order]:
    """The user's own orders whose numbers `text` holds, in the order it names them: for a
    message the model did not take for an order question ("news on 1042??"). A number that is
    no order, someone else's order, or a user linked to no customer give nothing, so the reply
    shows nothing the user does not own."""
    numbers = list(dict.fromkeys(_STANDALONE_NUMBER.findall(text)))[:10]
    if not numbers:
        return []
    customer_id = linked_customer_id(session, telegram_user_id)
    if customer_id is None:
        return []
    found = {order.number: order for order in session.scalars(
        select(Order).where(Order.customer_id == customer_id, Order.number.in_(numbers)))}
    return [found[number] for number in numbers if number in found][:NAMED_ORDERS_SHOWN]


def named_orders_reply(orders: list[Order], *, zone: ZoneInfo, tr: Translator = ENGLISH) -> Reply:
    """What the bot offers for a message it did not understand that names the user's own
    orders: the order questions about them, one tap each (a person, too, for a single order)."""
    if len(orders) == 1:
        number = orders[0].number
        return Reply(tr._("Is this about your order {number}? Here is what I can do with it:", number=number),
                     buttons=(Button(tr._("Where is order {number}?", number=number),
                                     intent_payload("order_status", order_id=number)),
                              Button(tr._("When will order {number} arrive?", number=number),
                                     intent_payload("delivery_status", order_id=number)),
                              Button(tr._(TALK_TO_PERSON), intent_payload("request_human", order_id=number))))
    return order_picker(orders, "order_status", question=tr._("Is this about one of your orders?"),
                        zone=zone, tr=tr)


def order_button(order: Order, intent: str, *, zone: ZoneInfo, tr: Translator = ENGLISH,
                 **entities: str) -> Button:
    """A button naming the order that asks `intent` about it."""
    title = (f"{order.number} · {status_word(order.status, tr)} · "
             f"{fmt_short_day(order.created_at, zone, tr)}")
    return Button(title, intent_payload(intent, order_id=order.number, **entities))


def order_picker(orders: list[Order], intent: str, *, question: str, zone: ZoneInfo,
                 tr: Translator = ENGLISH) -> Reply:
    return Reply(question, buttons=tuple(order_button(o, intent, zone=zone, tr=tr)
                                         for o in orders[:RECENT_ORDERS]))


def resolve_order(
    session: Session, *, customer_id: int, raw_number: str | None, intent: str, zone: ZoneInfo,
    latest_if_none_open: bool = True, tr: Translator = ENGLISH,
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
        return order if order is not None else Reply(tr._(NOT_FOUND, number=number))
    open_orders = customer_orders(session, customer_id=customer_id, open_only=True,
                                  limit=RECENT_ORDERS + 1)
    if len(open_orders) == 1:
        return open_orders[0]
    if len(open_orders) > 1:
        count = _open_count(session, customer_id)
        question = tr.n_("You have {count} open order. Which one do you mean?",
                         "You have {count} open orders. Which one do you mean?", count)
        return order_picker(open_orders, intent, zone=zone, question=question, tr=tr)
    latest = customer_orders(session, customer_id=customer_id, limit=1)
    if not latest:
        return Reply(tr._(NO_ORDERS))
    if latest_if_none_open:
        return latest[0]
    return Reply(tr._("You have no open orders right now."))


def _open_count(session: Session, customer_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Order).where(
        Order.customer_id == customer_id, Order.status.not_in(CLOSED))) or 0


def users_order(
    session: Session, *, telegram_user_id: int, raw_number: str | None, intent: str, zone: ZoneInfo,
    tr: Translator = ENGLISH,
) -> Order | Reply:
    """The order a Telegram user means (resolve_order), or the reply to send instead,
    NOT_LINKED included."""
    customer_id = linked_customer_id(session, telegram_user_id)
    if customer_id is None:
        return Reply(tr._(NOT_LINKED))
    return resolve_order(session, customer_id=customer_id, raw_number=raw_number, intent=intent,
                         zone=zone, tr=tr)


def order_status_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, zone: ZoneInfo,
    tr: Translator = ENGLISH,
) -> Reply:
    """The answer to "where is my order N?" for this Telegram user.

    Without a number: the open order, a choice between open orders, or the latest one.
    """
    found = users_order(session, telegram_user_id=telegram_user_id, raw_number=raw_number,
                        intent="order_status", zone=zone, tr=tr)
    return found if isinstance(found, Reply) else Reply(describe_order(found, zone=zone, tr=tr))


def list_orders_reply(session: Session, *, telegram_user_id: int, zone: ZoneInfo,
                      tr: Translator = ENGLISH) -> Reply:
    """"Show my orders": the recent orders, one line each, with a button per order."""
    customer_id = linked_customer_id(session, telegram_user_id)
    if customer_id is None:
        return Reply(tr._(NOT_LINKED))
    orders = customer_orders(session, customer_id=customer_id, limit=RECENT_ORDERS, details=False)
    if not orders:
        return Reply(tr._(NO_ORDERS))
    total = session.scalar(select(func.count()).select_from(Order)
                           .where(Order.customer_id == customer_id)) or 0
    lines = [tr._("Your recent orders:") if total > len(orders) else tr._("Your orders:")]
    for order in orders:
        lines.append(f"• {order.number} · {fmt_day(order.created_at, zone, tr)} · "
                     f"{status_word(order.status, tr)} · {tr.money(order.total, order.currency)}")
    if total > len(orders):
        older = total - len(orders)
        lines.append(tr.n_("…and {count} older order. Ask about any of them by number.",
                           "…and {count} older orders. Ask about any of them by number.", older))
    lines.append(tr._("Tap one for its details."))
    return Reply("\n".join(lines), buttons=tuple(
        Button(tr._("Order {number}", number=o.number), intent_payload("order_status", order_id=o.number))
        for o in orders))
