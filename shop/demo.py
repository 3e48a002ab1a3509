"""Demo data: the fixed personas the console and the tests act as, plus generated shops."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Persona:
    telegram_user_id: int
    name: str
    role: Role


OWNER = Persona(1, "Olivia Owner", Role.owner)
STAFF = Persona(2, "Sam Staff", Role.staff)
CUSTOMER = Persona(1001, "Dana Demo", Role.customer)
OTHER_CUSTOMER = Persona(1002, "Omar Other", Role.customer)
PERSONAS = (OWNER, STAFF, CUSTOMER, OTHER_CUSTOMER)

DEMO_ORDER = "1042"  # Dana's parcel, shipped
DEMO_PROJECT_ORDER = "1043"  # Dana's service project, 3 of 5 milestones done
OTHER_ORDER = "1044"  # Omar's order: Dana must never see it


def seed_personas(session: Session, *, now: datetime) -> None:
    """Create the demo owner, staff, the two demo customers and their orders if absent."""
    if session.scalar(select(Order.id).where(Order.number == DEMO_ORDER)) is not None:
        return
    lamp = Product(sku="LAMP-01", name="Desk lamp", price=Decimal("49.90"), kind="goods")
    mug = Product(sku="MUG-02", name="Ceramic mug", price=Decimal("12.50"), kind="goods")
    site = Product(sku="WEB-SITE", name="Shop website project", price=Decimal("1800.00"), kind="service")
    dana = Customer(
        name=CUSTOMER.name, email="dana@example.com", phone="+4915112345678",
        created_at=now - timedelta(days=400),
    )
    omar = Customer(
        name=OTHER_CUSTOMER.name, email="omar@example.com", phone="+4915187654321",
        created_at=now - timedelta(days=200),
    )
    session.add_all([lamp, mug, site, dana, omar])
    session.flush()

    parcel = Order(
        number=DEMO_ORDER, customer=dana, kind="goods", status="shipped",
        total=Decimal("74.90"), currency="EUR", created_at=now - timedelta(days=3),
        promised_at=now + timedelta(days=2), shipping_address="Dana Demo, Hauptstr. 1, 10115 Berlin",
    )
    parcel.items = [
        OrderItem(product=lamp, quantity=1, unit_price=lamp.price),
        OrderItem(product=mug, quantity=2, unit_price=mug.price),
    ]
    done = {"placed": 3, "packed": 2, "shipped": 1}
    for position, name in enumerate(GOODS_STAGES):
        parcel.stages.append(DeliveryStage(
            position=position, name=name,
            carrier="DHL" if name in ("shipped", "out_for_delivery", "delivered") else None,
            tracking_number="JJD000390007782" if name == "shipped" else None,
            planned_at=now + timedelta(days=position - 2),
            done_at=now - timedelta(days=done[name]) if name in done else None,
        ))
    project = Order(
        number=DEMO_PROJECT_ORDER, customer=dana, kind="service", status="in_progress",
        total=Decimal("1800.00"), currency="EUR", created_at=now - timedelta(days=30),
        promised_at=now + timedelta(days=20),
    )
    project.items = [OrderItem(product=site, quantity=1, unit_price=site.price)]
    milestones = ("brief", "design", "build", "review", "launch")
    for position, name in enumerate(milestones):
        project.stages.append(DeliveryStage(
            position=position, name=name, planned_at=now + timedelta(days=(position - 2) * 7),
            done_at=now - timedelta(days=(3 - position) * 7) if position < 3 else None,
        ))
    other = Order(
        number=OTHER_ORDER, customer=omar, kind="goods", status="placed",
        total=Decimal("12.50"), currency="EUR", created_at=now - timedelta(days=1),
        promised_at=now + timedelta(days=5),
    )
    other.items = [OrderItem(product=mug, quantity=1, unit_price=mug.price)]
    other.stages = [
        DeliveryStage(position=i, name=name, done_at=now - timedelta(days=1) if i == 0 else None,
                      planned_at=now + timedelta(days=i))
        for i, name in enumerate(GOODS_STAGES)
    ]
    session.add_all([parcel, project, other])
    session.add_all([
        TelegramAccount(telegram_user_id=OWNER.telegram_user_id, chat_id=OWNER.telegram_user_id,
                        role=Role.owner.value, display_name=OWNER.name, started=True),
        TelegramAccount(telegram_user_id=STAFF.telegram_user_id, chat_id=STAFF.telegram_user_id,
                        role=Role.staff.value, display_name=STAFF.name, started=True),
        TelegramAccount(telegram_user_id=CUSTOMER.telegram_user_id, chat_id=CUSTOMER.telegram_user_id,
                        role=Role.customer.value, customer=dana, display_name=CUSTOMER.name,
                        started=True),
        TelegramAccount(telegram_user_id=OTHER_CUSTOMER.telegram_user_id,
                        chat_id=OTHER_CUSTOMER.telegram_user_id, role=Role.customer.value,
                        customer=omar, display_name=OTHER_CUSTOMER.name, started=True),
    ])
    session.flush()
