"""Access and erasure: everything about one customer out; personal data gone, metrics kept."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from shop import demo, privacy
from shop.models import (
    Feedback,
    Message,
    Order,
    Survey,
    TelegramAccount,
    TelegramUsername,
    Ticket,
)


@pytest.fixture
def dana(session, now):  # type: ignore[no-untyped-def]
    """Dana with orders, a rated survey with a comment, a ticket and a conversation."""
    demo.seed_personas(session, now=now)
    customer = privacy.find_customer(session, "dana@example.com")
    parcel = session.scalar(select(Order).where(Order.number == demo.DEMO_ORDER))
    ticket = Ticket(customer_id=customer.id, telegram_user_id=demo.CUSTOMER.telegram_user_id,
                    chat_id=demo.CUSTOMER.telegram_user_id, order_id=parcel.id, status="resolved",
                    reason="complaint", details="Parcel lost, I live at Hauptstr. 1",
                    created_at=now - timedelta(days=1), first_response_at=now,
                    resolved_at=now)
    session.add_all([
        ticket,
        Survey(customer_id=customer.id, order_id=parcel.id, sent_at=now, answered_at=now),
        Feedback(customer_id=customer.id, order_id=parcel.id, rating=2, reason="late_delivery",
                 comment="Call me on 0151 1234 5678", created_at=now),
        # sent before Dana linked her account: found by her Telegram id
        Message(telegram_user_id=demo.CUSTOMER.telegram_user_id, direction="in",
                text="hi, I'm Dana", created_at=now - timedelta(days=2)),
        TelegramUsername(telegram_user_id=demo.CUSTOMER.telegram_user_id, username="dana_d",
                         seen_at=now),
    ])
    session.flush()
    session.add(Message(telegram_user_id=demo.CUSTOMER.telegram_user_id, customer_id=customer.id,
                        ticket_id=ticket.id, direction="in", text="where is my parcel?",
                        created_at=now))
    session.flush()
    return customer


def test_find_customer_by_id_or_email(session, dana):
    assert privacy.find_customer(session, str(dana.id)) is dana
    assert privacy.find_customer(session, " DANA@example.com ") is dana
    with pytest.raises(privacy.CustomerNotFound):
        privacy.find_customer(session, "nobody@example.com")


def test_export_holds_everything_about_the_customer(session, dana):
    record = privacy.customer_record(session, customer_id=dana.id)
    json.dumps(record)  # JSON-ready as it is
    assert record["customer"]["email"] == "dana@example.com"
    assert [o["number"] for o in record["orders"]] == ["1043", "1042"]  # not Omar's 1044
    parcel = record["orders"][1]
    assert [(i["sku"], i["quantity"]) for i in parcel["items"]] == [("LAMP-01", 1), ("MUG-02", 2)]
    assert [s["name"] for s in parcel["stages"]][-1] == "delivered"
    assert parcel["total"] == "74.90"
    assert [t["telegram_user_id"] for t in record["telegram_accounts"]] == [1001]
    assert [u["username"] for u in record["telegram_usernames"]] == ["dana_d"]
    assert [m["text"] for m in record["messages"]] == ["hi, I'm Dana", "where is my parcel?"]
    assert [f["comment"] for f in record["feedback"]] == ["Call me on 0151 1234 5678"]
    assert len(record["tickets"]) == len(record["surveys"]) == 1


def metric_inputs(session):  # type: ignore[no-untyped-def]
    return (
        session.execute(select(Order.number, Order.customer_id, Order.total, Order.status,
                               Order.created_at).order_by(Order.id)).all(),
        session.execute(select(Feedback.rating, Feedback.reason, Feedback.customer_id)).all(),
        session.scalar(select(func.count()).select_from(Survey)),
        session.execute(select(Ticket.created_at, Ticket.first_response_at,
                               Ticket.resolved_at)).all(),
    )


def test_erase_removes_personal_data_and_keeps_metric_inputs(session, dana, now):
    before = metric_inputs(session)
    omar_before = privacy.customer_record(
        session, customer_id=privacy.find_customer(session, "omar@example.com").id)

    erasure = privacy.erase_customer(session, customer_id=dana.id, now=now)
    assert (erasure.messages, erasure.comments, erasure.ticket_details, erasure.addresses,
            erasure.accounts_unlinked) == (2, 1, 1, 1, 1)
    session.expire_all()
    assert (dana.name, dana.email, dana.phone, dana.erased_at) == (
        f"erased customer #{dana.id}", None, None, now)
    assert session.scalars(select(Message.text)).all() == [None, None]
    assert session.scalar(select(Feedback.comment)) is None
    assert session.scalar(select(Ticket.details)) is None
    account = session.scalar(select(TelegramAccount).where(TelegramAccount.telegram_user_id == 1001))
    assert (account.customer_id, account.display_name) == (None, None)
    assert session.scalar(select(func.count()).select_from(TelegramUsername)) == 0
    assert session.scalar(select(Order.shipping_address).where(Order.number == "1042")) is None

    assert metric_inputs(session) == before  # revenue, CSAT, response rate, ticket times
    assert session.scalar(select(func.sum(Order.total)).where(Order.customer_id == dana.id)) \
        == Decimal("1874.90")
    omar = privacy.find_customer(session, "omar@example.com")
    assert privacy.customer_record(session, customer_id=omar.id) == omar_before


def test_erasing_twice_keeps_the_first_date(session, dana, now):
    privacy.erase_customer(session, customer_id=dana.id, now=now)
    again = privacy.erase_customer(session, customer_id=dana.id, now=now + timedelta(days=1))
    assert (again.messages, again.comments, again.accounts_unlinked) == (0, 0, 0)
    assert dana.erased_at == now
