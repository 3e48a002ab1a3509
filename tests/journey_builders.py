"""Small builders for the customer-journey tests: customers, accounts, orders with stages.

Used by the unit tests (on the `session` fixture, SQLite and PostgreSQL) and by the
end-to-end tests (on the e2e store), so each test makes its own fresh people.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import (
    GOODS_STAGES,
    Customer,
    DeliveryStage,
    Order,
    OrderItem,
    Product,
    Role,
    TelegramAccount,
)
from shop.replies import Reply


def said(reply: Reply) -> str:
    """The text a customer reads: plain, or inside a rich payload (e.g. a handoff)."""
    if reply.text is not None:
        return reply.text
    assert reply.custom is not None
    return str(reply.custom["text"])


def product(session: Session, *, sku: str = "TEST-MUG", name: str = "Test mug",
            price: str = "12.50", kind: str = "goods") -> Product:
    found = session.scalar(select(Product).where(Product.sku == sku))
    if found is None:
        found = Product(sku=sku, name=name, price=Decimal(price), kind=kind)
        session.add(found)
        session.flush()
    return found


def customer(session: Session, *, name: str = "Ann Example", email: str | None = None,
             phone: str | None = None, created_at: datetime) -> Customer:
    made = Customer(name=name, email=email, phone=phone, created_at=created_at)
    session.add(made)
    session.flush()
    return made


def account(session: Session, *, telegram_user_id: int, customer: Customer | None = None,
            role: Role = Role.customer, started: bool = True, blocked: bool = False,
            display_name: str | None = None) -> TelegramAccount:
    made = TelegramAccount(telegram_user_id=telegram_user_id, chat_id=telegram_user_id,
                           role=role.value, customer_id=customer.id if customer else None,
                           started=started, blocked=blocked, display_name=display_name)
    session.add(made)
    session.flush()
    return made


def goods_order(
    session: Session, *, owner: Customer, number: str, created_at: datetime, done: int = 1,
    done_days: Sequence[float] | None = None, promised_at: datetime | None = None,
    status: str | None = None, carrier: str | None = "DHL", tracking: str | None = "JJD0001",
    notified: bool = True, total: str = "25.00",
) -> Order:
    """A parcel with the five goods stages, the first `done` of them done.

    Stage i is planned for created_at + i days and done at created_at + done_days[i]
    (default: i days). `notified` marks the done stages as already announced.
    """
    mug = product(session)
    order = Order(number=number, customer_id=owner.id, kind="goods",
                  status=status or GOODS_STAGES[max(done - 1, 0)], total=Decimal(total),
                  currency="EUR", created_at=created_at,
                  promised_at=promised_at or created_at + timedelta(days=5))
    order.items = [OrderItem(product=mug, quantity=2, unit_price=Decimal(total) / 2)]
    for i, name in enumerate(GOODS_STAGES):
        is_done = i < done
        offset = done_days[i] if done_days is not None and i < len(done_days) else i
        done_at = created_at + timedelta(days=offset) if is_done else None
        order.stages.append(DeliveryStage(
            position=i, name=name,
            carrier=carrier if name in ("shipped", "out_for_delivery", "delivered") else None,
            tracking_number=tracking if name == "shipped" and (is_done or done >= 3) else None,
            planned_at=created_at + timedelta(days=i), done_at=done_at,
            notified_at=done_at if notified else None))
    if done == len(GOODS_STAGES) and status is None:
        order.status = "delivered"
        order.delivered_at = order.stages[-1].done_at
    session.add(order)
    session.flush()
    return order


def project_order(
    session: Session, *, owner: Customer, number: str, created_at: datetime,
    milestones: Sequence[str] = ("brief", "design", "build", "review", "launch"), done: int = 3,
    week: timedelta = timedelta(days=7), promised_at: datetime | None = None,
    notified: bool = True,
) -> Order:
    """A service project: milestone i planned for created_at + (i+1) weeks, the first `done` done on plan."""
    site = product(session, sku="TEST-SITE", name="Website project", price="1800.00", kind="service")
    order = Order(number=number, customer_id=owner.id, kind="service",
                  status="in_progress" if done else "placed", total=Decimal("1800.00"),
                  currency="EUR", created_at=created_at,
                  promised_at=promised_at or created_at + week * (len(milestones) + 1))
    order.items = [OrderItem(product=site, quantity=1, unit_price=Decimal("1800.00"))]
    for i, name in enumerate(milestones):
        planned = created_at + week * (i + 1)
        done_at = planned if i < done else None
        order.stages.append(DeliveryStage(position=i, name=name, planned_at=planned, done_at=done_at,
                                          notified_at=done_at if notified else None))
    session.add(order)
    session.flush()
    return order
