"""The SQL loaders on tiny hand-built stores, on SQLite and PostgreSQL: exact edges, and the
same answers whichever way a loader chooses to read the orders."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from shop.metrics import load
from shop.models import Customer, Order, OrderItem, Product

HORIZON = timedelta(days=30)
OCTOBER = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
SEPTEMBER = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def add_orders(session, orders):
    """orders: (customer name, created_at, status); one customer per name."""
    people = {}
    for number, (name, created, status) in enumerate(orders, start=7000):
        customer = people.setdefault(name, Customer(name=name, created_at=at(1, 1, 2024)))
        session.add(Order(number=str(number), customer=customer, total=Decimal("10"),
                          status=status, created_at=created))
    session.flush()


@pytest.fixture
def statements(engine):
    """The SQL statements the test runs, to see how a loader read the orders."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("history", ["long", "short"])
def test_activity_counts_on_the_exact_edges_either_way_the_orders_are_read(
    session, statements, history
):
    # Horizon 30 days. October: active at 1 Oct = an order in [1 Sep, 1 Oct); still active
    # at 1 Nov = an order in [2 Oct, 1 Nov). September: [2 Aug, 1 Sep) and [1 Sep, 1 Oct).
    orders = [
        ("ana", at(9, 1), "delivered"),  # exactly 1 Oct - 30 days: active at 1 Oct
        ("ana", at(10, 15), "delivered"),  # still active at 1 Nov; bought in October
        ("ben", at(10, 1), "delivered"),  # exactly on 1 Oct: bought in October, not active then
        ("cy", at(9, 1) - timedelta(microseconds=1), "delivered"),  # active at 1 Sep only
        ("di", at(9, 15), "cancelled"),  # counts nowhere
        ("di", at(9, 20), "delivered"),  # active at 1 Oct, gone by 1 Nov; bought in September
        ("fay", at(11, 10), "delivered"),  # after both windows: counts nowhere
    ]
    if history == "long":  # the windows are a small part of the history: read by time
        orders.append(("gus", at(1, 1, 2024), "delivered"))
    add_orders(session, orders)
    statements.clear()

    activity = load.customer_activity(session, [OCTOBER, SEPTEMBER], horizon=HORIZON,
                                      buyers=True)

    assert activity == [
        load.Activity(active_at_start=2, still_active=1, buyers=2),  # Ana, Di; Ana; Ana, Ben
        load.Activity(active_at_start=1, still_active=0, buyers=2),  # Cy; -; Ana, Di
    ]
    grouped = next(s for s in statements if "GROUP BY" in s)
    reads_by_time = "orders.created_at >=" in grouped.split("GROUP BY")[0]
    assert reads_by_time is (history == "long")


def test_activity_of_a_store_without_orders_is_zero(session):
    assert load.customer_activity(session, [OCTOBER], horizon=HORIZON, buyers=True) == [
        load.Activity(0, 0, 0)
    ]
    assert load.customer_activity(session, [OCTOBER], horizon=HORIZON) == [
        load.Activity(0, 0, None)
    ]


def test_basket_lines_are_the_window_lines_of_orders_not_cancelled(session):
    lamp = Product(sku="L", name="Lamp", price=Decimal("5"))
    mug = Product(sku="M", name="Mug", price=Decimal("5"))
    ana = Customer(name="Ana", created_at=at(1, 1))
    session.add_all([lamp, mug, ana])

    def order(number, created, *items, status="delivered"):
        session.add(Order(number=number, customer=ana, total=Decimal("10"), status=status,
                          created_at=created,
                          items=[OrderItem(product=p, quantity=1, unit_price=Decimal("5"))
                                 for p in items]))

    order("1", at(10, 2), lamp, mug)
    order("2", at(10, 3), mug, status="cancelled")
    order("3", at(9, 30), lamp)
    order("4", at(10, 31), mug)
    session.flush()

    lines = load.basket_lines(session, *OCTOBER)

    assert list(lines.columns) == ["order_id", "product_id"]
    assert str(lines.dtypes["order_id"]) == str(lines.dtypes["product_id"]) == "int64"
    numbers = {o.id: o.number for o in session.query(Order)}
    got = sorted((numbers[o], p) for o, p in lines.itertuples(index=False))
    assert got == sorted([("1", lamp.id), ("1", mug.id), ("4", mug.id)])
    assert load.basket_lines(session, *SEPTEMBER).shape == (1, 2)
    assert load.basket_lines(session, at(1, 1), at(2, 1)).shape == (0, 2)
