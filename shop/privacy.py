"""A customer's rights of access and erasure (GDPR articles 15 and 17).

Export gathers everything the store holds about one customer. Erasure removes what
identifies them or what they wrote, but keeps the anonymous facts the metrics are
computed from (orders, totals, stages, ratings, surveys, ticket times), so revenue,
CSAT or churn do not change when a customer asks to be forgotten. Both are logged,
since the owner may have to show when a request was honoured.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from shop.models import (
    Base,
    Customer,
    Feedback,
    Message,
    Order,
    OrderItem,
    Survey,
    TelegramAccount,
    TelegramUsername,
    Ticket,
)

logger = logging.getLogger(__name__)


class CustomerNotFound(LookupError):
    pass


def find_customer(session: Session, ref: str) -> Customer:
    """The customer whose id (all digits) or e-mail is `ref`."""
    ref = ref.strip()
    if ref.isdigit():
        customer = session.get(Customer, int(ref))
    else:
        customer = session.scalar(select(Customer).where(func.lower(Customer.email) == ref.lower()))
    if customer is None:
        raise CustomerNotFound(f"no customer with id or e-mail {ref!r}")
    return customer


def _value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(row: Base) -> dict[str, object]:
    return {c.key: _value(getattr(row, c.key)) for c in row.__table__.columns}


def customer_record(session: Session, *, customer_id: int) -> dict[str, Any]:
    """Everything stored about the customer, as JSON-ready data."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(f"no customer with id {customer_id}")
    accounts = list(session.scalars(
        select(TelegramAccount).where(TelegramAccount.customer_id == customer_id)
        .order_by(TelegramAccount.id)
    ))
    orders = session.scalars(
        select(Order).where(Order.customer_id == customer_id).order_by(Order.created_at, Order.id)
        .options(selectinload(Order.items).selectinload(OrderItem.product),
                 selectinload(Order.stages))
    )
    usernames = session.scalars(select(TelegramUsername).where(
        TelegramUsername.telegram_user_id.in_([a.telegram_user_id for a in accounts])))
    record = {
        "customer": _columns(customer),
        "telegram_accounts": [_columns(a) for a in accounts],
        "telegram_usernames": [_columns(u) for u in usernames],
        "orders": [
            {**_columns(order),
             "items": [{**_columns(i), "sku": i.product.sku, "product": i.product.name}
                       for i in order.items],
             "stages": [_columns(s) for s in order.stages]}
            for order in orders
        ],
    }
    for key, model in (("feedback", Feedback), ("surveys", Survey), ("tickets", Ticket)):
        rows = session.scalars(select(model).where(model.customer_id == customer_id)
                               .order_by(model.id))
        record[key] = [_columns(r) for r in rows]
    messages = session.scalars(
        select(Message).where(_messages_of(customer_id, accounts)).order_by(Message.created_at,
                                                                            Message.id)
    )
    record["messages"] = [_columns(m) for m in messages]
    logger.info("exported the data of customer #%s", customer_id)
    return record


def _messages_of(customer_id: int, accounts: list[TelegramAccount]):  # type: ignore[no-untyped-def]
    """Their messages, including those sent from their Telegram account before linking."""
    return or_(Message.customer_id == customer_id,
               Message.telegram_user_id.in_([a.telegram_user_id for a in accounts]))


@dataclass(frozen=True)
class Erasure:
    customer_id: int
    messages: int  # message texts removed
    comments: int  # feedback comments removed
    ticket_details: int
    addresses: int  # shipping addresses removed
    accounts_unlinked: int  # their Telegram accounts, unlinked, names and @usernames removed


def erase_customer(session: Session, *, customer_id: int, now: datetime) -> Erasure:
    """Remove the customer's personal data, keeping anonymised orders and ratings."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(f"no customer with id {customer_id}")
    accounts = list(session.scalars(
        select(TelegramAccount).where(TelegramAccount.customer_id == customer_id)
    ))

    def blank(model: type[Base], column: str, *where: Any) -> int:
        field = getattr(model, column)
        result = session.execute(
            update(model).where(*where, field.is_not(None)).values({column: None})
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    erasure = Erasure(
        customer_id=customer_id,
        messages=blank(Message, "text", _messages_of(customer_id, accounts)),
        comments=blank(Feedback, "comment", Feedback.customer_id == customer_id),
        ticket_details=blank(Ticket, "details", Ticket.customer_id == customer_id),
        addresses=blank(Order, "shipping_address", Order.customer_id == customer_id),
        accounts_unlinked=len(accounts),
    )
    session.execute(delete(TelegramUsername).where(
        TelegramUsername.telegram_user_id.in_([a.telegram_user_id for a in accounts])))
    for account in accounts:
        account.customer_id = None
        account.display_name = None
    customer.name = f"erased customer #{customer_id}"
    customer.email = None
    customer.phone = None
    customer.erased_at = customer.erased_at or now
    session.flush()
    logger.info("erased the personal data of customer #%s: %s", customer_id,
                ", ".join(f"{k}={v}" for k, v in asdict(erasure).items() if k != "customer_id"))
    return erasure
