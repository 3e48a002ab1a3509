"""A large synthetic shop for the metrics benchmark, bulk-inserted with Core executemany.

Deterministic (seeded) and shaped enough for every metric to have work to do: customers
joining over three years, orders spread over the last two, mostly delivered (some late,
some cancelled, a few in USD), baskets with popular pairs, ratings, surveys and tickets.
Not a demo generator (that is shop/demo.py): no names or addresses worth reading.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, Table, func, insert, select, text

from shop.models import Customer, Feedback, Order, OrderItem, Product, Survey, Ticket

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # the benchmark's clock
PRODUCTS = 200
CHUNK = 20_000
DAY = 86400.0


def filled(engine: Engine, customers: int, orders: int) -> bool:
    """Whether the store already holds this shop (so a rerun reuses it)."""
    with engine.connect() as conn:
        counts = conn.execute(
            select(
                select(func.count()).select_from(Customer).scalar_subquery(),
                select(func.count()).select_from(Order).scalar_subquery(),
            )
        ).one()
    return tuple(counts) == (customers, orders)


def fill(engine: Engine, customers: int, orders: int, *, seed: int = 7) -> None:
    """Insert the shop into an empty, migrated store."""
    rng = np.random.default_rng(seed)
    now = NOW.timestamp()
    started = time.perf_counter()

    joined = now - rng.uniform(1, 3 * 365, customers) * DAY
    has_cost = rng.random(customers) < 0.5
    cost = np.round(rng.gamma(2.0, 25.0, customers), 2)
    _insert(engine, Product.__table__, (
        {"id": i + 1, "sku": f"SKU-{i + 1:04d}", "name": f"Product {i + 1}",
         "price": round(float(rng.uniform(5, 300)), 2), "kind": "goods"}
        for i in range(PRODUCTS)
    ))
    _insert(engine, Customer.__table__, (
        {"id": i + 1, "name": f"Customer {i + 1}", "created_at": _at(joined[i]),
         "acquisition_cost": float(cost[i]) if has_cost[i] else None}
        for i in range(customers)
    ))

    # Orders spread evenly over the last two years, each by a customer who had joined by
    # then; earlier customers are favoured (long-time customers buy more often).
    placed = np.sort(now - rng.uniform(0, 2 * 365, orders) * DAY)  # ids in time order
    by_joining = np.argsort(joined)
    joined_before = np.maximum(np.searchsorted(joined[by_joining], placed), 1)
    buyer = by_joining[(joined_before * rng.random(orders) ** 1.5).astype(np.int64)]
    cancelled = rng.random(orders) < 0.03
    delivered = ~cancelled & (placed < now - 10 * DAY) | (~cancelled & (rng.random(orders) < 0.5))
    takes = rng.gamma(3.0, 1.2, orders) * DAY
    arrived = np.minimum(placed + takes, now - 1)
    usd = rng.random(orders) < 0.01
    total = np.round(rng.gamma(2.0, 40.0, orders) + 5, 2)
    _insert(engine, Order.__table__, (
        {"id": i + 1, "number": str(100000 + i), "customer_id": int(buyer[i]) + 1,
         "kind": "goods", "total": float(total[i]), "currency": "USD" if usd[i] else "EUR",
         "status": "cancelled" if cancelled[i] else "delivered" if delivered[i] else "shipped",
         "created_at": _at(placed[i]), "promised_at": _at(placed[i] + 5 * DAY),
         "delivered_at": _at(arrived[i]) if delivered[i] else None}
        for i in range(orders)
    ))

    # Baskets of 1-4 products; product p often comes with p + 1 (the pairs to find).
    size = rng.choice([1, 2, 3, 4], size=orders, p=[0.45, 0.3, 0.17, 0.08])
    popular = rng.zipf(1.3, orders) % PRODUCTS

    def items() -> Iterator[dict[str, object]]:
        line = 0
        for i in range(orders):
            chosen = {int(popular[i])}
            if size[i] > 1:
                chosen.add((int(popular[i]) + 1) % PRODUCTS)
            while len(chosen) < size[i]:
                chosen.add(int(rng.integers(PRODUCTS)))
            for product in chosen:
                line += 1
                yield {"id": line, "order_id": i + 1, "product_id": product + 1, "quantity": 1,
                       "unit_price": 10.0}

    _insert(engine, OrderItem.__table__, items())

    done = np.flatnonzero(delivered)
    rated = done[rng.random(len(done)) < 0.3]
    rating = rng.choice([1, 2, 3, 4, 5], size=len(rated), p=[0.05, 0.05, 0.1, 0.35, 0.45])
    _insert(engine, Feedback.__table__, (
        {"customer_id": int(buyer[o]) + 1, "order_id": int(o) + 1, "rating": int(rating[k]),
         "source": "survey", "created_at": _at(min(arrived[o] + DAY / 2, now - 1))}
        for k, o in enumerate(rated)
    ))
    surveyed = done[rng.random(len(done)) < 0.5]
    answered = rng.random(len(surveyed)) < 0.6
    _insert(engine, Survey.__table__, (
        {"customer_id": int(buyer[o]) + 1, "order_id": int(o) + 1,
         "sent_at": _at(arrived[o] + 3600),
         "answered_at": _at(min(arrived[o] + DAY, now - 1)) if answered[k] else None}
        for k, o in enumerate(surveyed)
    ))
    troubled = np.flatnonzero(rng.random(orders) < 0.02)
    opened = placed[troubled] + DAY
    replied = opened + rng.gamma(1.5, 2.0, len(troubled)) * 3600
    resolved = replied + rng.gamma(2.0, 12.0, len(troubled)) * 3600
    _insert(engine, Ticket.__table__, (
        {"customer_id": int(buyer[o]) + 1, "telegram_user_id": int(buyer[o]) + 1,
         "chat_id": int(buyer[o]) + 1, "order_id": int(o) + 1, "reason": "complaint",
         "status": "resolved" if resolved[k] < now else "human",
         "created_at": _at(min(opened[k], now - 1)),
         "first_response_at": _at(replied[k]) if replied[k] < now else None,
         "resolved_at": _at(resolved[k]) if resolved[k] < now else None}
        for k, o in enumerate(troubled)
    ))
    if engine.dialect.name == "postgresql":
        # VACUUM as well as ANALYZE: index-only scans need the visibility map, which a store
        # in service has from autovacuum but a fresh bulk load lacks until autovacuum runs.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    print(f"   filled {engine.url.render_as_string()} in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(float(epoch), UTC)


def _insert(engine: Engine, table: Table, rows: Iterator[dict[str, object]]) -> None:
    """executemany in chunks: one INSERT, many parameter sets, one transaction per chunk."""
    chunk: list[dict[str, object]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            with engine.begin() as conn:
                conn.execute(insert(table), chunk)
            chunk = []
    if chunk:
        with engine.begin() as conn:
            conn.execute(insert(table), chunk)

