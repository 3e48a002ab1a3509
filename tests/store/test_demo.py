"""Generated demo shops: deterministic, realistic, and consistent with the importers' rules."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from shop import demo
from shop.csvio import derived_status
from shop.csvio.deliveries import Stage
from shop.db import make_engine
from shop.migrate import upgrade
from shop.models import (
    GOODS_STAGES,
    Customer,
    DeliveryStage,
    Feedback,
    Order,
    Survey,
    TelegramAccount,
    Ticket,
)
from shop.phones import normalise
from shop.tickets import unalerted
from tests.store.conftest import row_counts, snapshot


def generate(session, now, seed=11, customers=300, orders=2_000):  # type: ignore[no-untyped-def]
    demo.seed_personas(session, now=now)
    return demo.generate_shop(session, customers=customers, orders=orders, seed=seed, now=now)


def test_same_seed_same_shop_other_seed_other_shop(session, now):
    demo.seed_personas(session, now=now)  # once: their accounts are stamped with the clock
    shops = []
    for seed in (11, 11, 12):
        savepoint = session.begin_nested()
        generate(session, now, seed=seed, customers=60, orders=400)
        shops.append(snapshot(session))
        savepoint.rollback()
    assert shops[0] == shops[1]
    assert shops[0]["orders"] != shops[2]["orders"]


@pytest.fixture
def shop(session, now):  # type: ignore[no-untyped-def]
    written = generate(session, now)
    frame = pd.DataFrame(session.execute(select(
        Order.id, Order.number, Order.customer_id, Order.kind, Order.status, Order.created_at,
        Order.promised_at, Order.delivered_at)).all())
    return written, frame


def test_counts_and_personas(session, shop):
    written, orders = shop
    assert written["customers"] == 300 and written["orders"] == 2_000
    assert {k: v for k, v in row_counts(session).items() if k in written} == {
        k: v + {"customers": 2, "orders": 3, "products": 3, "telegram_accounts": 4,
                "order_items": 4, "delivery_stages": 15}.get(k, 0) for k, v in written.items()}
    generated = orders[~orders.number.isin(["1042", "1043", "1044"])].number.astype(int)
    assert generated.min() == demo.GENERATED_NUMBERS_START


def test_customers_buy_once_repeatedly_and_churn(session, shop, now):
    _, orders = shop
    per_customer = orders.groupby("customer_id").created_at.agg(["count", "max"])
    assert (per_customer["count"] == 1).mean() > 0.3  # one-off buyers
    assert (per_customer["count"] >= 3).mean() > 0.2  # repeat buyers
    repeat = per_customer[per_customer["count"] >= 2]
    assert (repeat["max"] < now - timedelta(days=90)).sum() > 10  # churned
    assert orders.created_at.min() >= now - timedelta(days=730)
    assert orders.created_at.max() <= now


def test_deliveries_are_sometimes_late_and_orders_sometimes_cancelled(shop):
    _, orders = shop
    delivered = orders.dropna(subset=["delivered_at"])
    late = (delivered.delivered_at > delivered.promised_at).mean()
    assert 0.05 < late < 0.25
    assert 0.01 < (orders.status == "cancelled").mean() < 0.06
    assert set(orders.kind) == {"goods", "service"}


def test_stages_match_the_order_status(session, shop):
    _, orders = shop
    stages: dict[int, list[Stage]] = {}
    for order_id, position, name, done in session.execute(select(
            DeliveryStage.order_id, DeliveryStage.position, DeliveryStage.name,
            DeliveryStage.done_at)):
        stages.setdefault(order_id, []).append(Stage(position, name, done))
    for order in orders.itertuples():
        timeline = sorted(stages[order.id])
        if order.kind == "goods":
            assert tuple(s.name for s in timeline) == GOODS_STAGES
        else:
            assert len(timeline) >= 3
        derived = derived_status(order.kind, order.status, timeline)
        if derived is not None:  # the importer's rule gives the generated status
            delivered_at = None if pd.isna(order.delivered_at) else order.delivered_at
            assert derived == (order.status, delivered_at), order.number


def test_ratings_are_skewed_and_not_everyone_answers(session, shop):
    ratings = pd.Series(session.scalars(select(Feedback.rating)).all())
    assert ratings.isin([4, 5]).mean() > 0.65
    assert ratings.isin([1, 2]).mean() > 0.03
    sent = session.scalar(select(func.count()).select_from(Survey))
    answered = session.scalar(select(func.count()).select_from(Survey)
                              .where(Survey.answered_at.is_not(None)))
    assert 0.2 < answered / sent < 0.7
    assert session.scalar(select(func.count()).select_from(Feedback)) == answered


def test_tickets_have_response_and_resolution_times(session, shop):
    tickets = session.execute(select(Ticket.created_at, Ticket.first_response_at,
                                     Ticket.resolved_at, Ticket.status)).all()
    assert len(tickets) > 20
    resolved = [t for t in tickets if t.status == "resolved"]
    assert resolved and all(t.created_at <= t.first_response_at <= t.resolved_at
                            for t in resolved)


def test_generated_tickets_count_as_alerted_so_start_up_sends_no_flood(session, shop):
    """Staff heard of each ticket when it was raised; only the newest may still be overdue."""
    assert unalerted(session) == []
    alerted = session.execute(select(Ticket.created_at, Ticket.last_alert_at)).all()
    assert all(t.last_alert_at == t.created_at for t in alerted)


def test_customers_have_valid_phones_and_some_acquisition_costs(session, shop):
    customers = session.execute(select(Customer.phone, Customer.acquisition_cost)).all()
    phones = [c.phone for c in customers if c.phone]
    assert len(phones) > 150 and all(normalise(p) == p for p in phones)
    assert len(set(phones)) == len(phones)
    costs = [c.acquisition_cost for c in customers if c.acquisition_cost is not None]
    assert 0.3 * len(customers) < len(costs) < 0.8 * len(customers)
    linked = session.scalar(select(func.count()).select_from(TelegramAccount)
                            .where(TelegramAccount.customer_id.is_not(None)))
    assert linked > 50


def test_a_store_with_other_data_is_refused(session, now):
    generate(session, now, customers=10, orders=20)
    with pytest.raises(ValueError, match="empty store"):
        demo.generate_shop(session, customers=10, orders=20, seed=1, now=now)


def test_ensure_demo_store_fills_only_an_empty_store(new_database, now):
    engine = make_engine(new_database())
    try:
        upgrade(engine)
        assert demo.ensure_demo_store(engine, now=now, customers=30, orders=100) is True
        with engine.connect() as conn:
            orders = conn.scalar(select(func.count()).select_from(Order))
            numbers = set(conn.scalars(select(Order.number)))
        assert orders == 103 and {"1042", "1043", "1044"} <= numbers
        assert demo.ensure_demo_store(engine, now=now) is False
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Order)) == 103
            # ids were handed out explicitly: the next ordinary insert must still work
            conn.execute(Customer.__table__.insert().values(name="Next", created_at=now))
    finally:
        engine.dispose()


def test_reset_empties_every_table(session, now):
    generate(session, now, customers=10, orders=20)
    demo.reset_store(session)
    assert set(row_counts(session).values()) == {0}


def test_positions_within_groups():
    assert demo._within_group(np.array([2, 0, 3])).tolist() == [0, 1, 0, 1, 2]


def test_orders_need_customers(session, now):
    with pytest.raises(ValueError, match="orders need customers"):
        demo.generate_shop(session, customers=0, orders=5, seed=1, now=now)
