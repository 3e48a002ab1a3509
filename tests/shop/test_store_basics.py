"""The migrated schema holds the demo personas, and timestamps come back aware UTC."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shop import demo
from shop.models import Customer, Order


def test_personas_seed_once_and_orders_belong_to_their_customer(session, now):
    demo.seed_personas(session, now=now)
    demo.seed_personas(session, now=now)
    orders = session.scalars(select(Order).order_by(Order.number)).all()
    assert [o.number for o in orders] == ["1042", "1043", "1044"]
    assert orders[0].customer.name == "Dana Demo"
    assert orders[2].customer.name == "Omar Other"
    assert orders[0].created_at.tzinfo is UTC


def test_naive_datetimes_are_refused(session):
    session.add(Customer(name="Naive", created_at=datetime(2026, 1, 1)))  # noqa: DTZ001
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()
