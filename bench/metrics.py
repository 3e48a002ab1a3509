"""Owner-metric latency on a shop of 100,000 customers and 1,000,000 orders, on SQLite and
PostgreSQL (quick: 10,000 / 100,000).

Each question is timed as the bot answers it: `compute` for the window and the one
before it (plus a trend or ranking where asked), in a fresh session, p50 and p95 over
several runs after one warm-up. The digest is timed with its chart rendered to PNG.
The stores are kept (var/bench/*.db, database cs_bench_metrics_<customers>) and reused.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.metrics_data import NOW, fill, filled
from bench.table import Row
from shop.charts import render
from shop.db import make_engine
from shop.metrics import METRICS, compute, digest
from shop.migrate import upgrade
from shop.periods import parse_period
from shop.settings import PROJECT_ROOT

SUITE = "metrics"
SIZES = {True: (10_000, 100_000), False: (100_000, 1_000_000)}
RUNS = 10
ZONE = "Europe/Berlin"  # not UTC, so trends bucket on local midnights
METRIC_TARGET_MS = 500.0
DIGEST_TARGET_MS = 3000.0
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL") or os.environ.get(
    "TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# (metric, period, trend): every metric on the default window, then the heavier asks.
QUESTIONS = [(metric, "last 30 days", False) for metric in METRICS] + [
    ("revenue", "this year", True),
    ("csat", "last quarter", True),
    ("churn_rate", "last quarter", False),
    ("clv", "this year", False),
    ("top_customers", "this year", False),
    ("bought_together", "last quarter", False),
]
DIGESTS = ("last 7 days", "last month")


def run(quick: bool) -> list[Row]:
    customers, orders = SIZES[quick]
    rows: list[Row] = []
    for backend, open_store in (("sqlite", _sqlite_store), ("postgresql", _postgres_store)):
        engine, built = open_store(customers, orders)
        if engine is None:
            print(f"   {backend}: not reachable, skipped", file=sys.stderr)
            continue
        if built is not None:
            rows.append(Row(SUITE, f"{backend} fill {customers:,} customers / {orders:,} orders",
                            built, "s"))
        # Timings are wall-clock: a busy machine inflates them, so say how busy it was.
        rows.append(Row(SUITE, f"{backend} load average at start (CPUs: {os.cpu_count()})",
                        os.getloadavg()[0], ""))
        try:
            rows.extend(_time_questions(backend, engine, QUESTIONS, DIGESTS))
        finally:
            engine.dispose()
    return rows


def _time_questions(
    backend: str, engine: Engine, questions: list[tuple[str, str, bool]], digests: tuple[str, ...]
) -> list[Row]:
    rows: list[Row] = []
    for metric, words, trend in questions:
        period = parse_period(words, now=NOW, tz=ZONE)
        p50, p95 = _percentiles(engine, lambda s, m=metric, p=period, t=trend: compute(
            s, m, p, now=NOW, trend=t
        ))
        name = f"{backend} {metric} · {words}{' + trend' if trend else ''}"
        rows.append(Row(SUITE, f"{name} p50", p50, "ms"))
        rows.append(Row(SUITE, f"{name} p95", p95, "ms", f"<= {METRIC_TARGET_MS:.0f} ms",
                        p95 <= METRIC_TARGET_MS))
    for words in digests:
        period = parse_period(words, now=NOW, tz=ZONE)
        p50, p95 = _percentiles(engine, lambda s, p=period: render(digest(s, p, now=NOW).chart))
        rows.append(Row(SUITE, f"{backend} digest + chart · {words} p50", p50, "ms"))
        rows.append(Row(SUITE, f"{backend} digest + chart · {words} p95", p95, "ms",
                        f"<= {DIGEST_TARGET_MS:.0f} ms", p95 <= DIGEST_TARGET_MS))
    return rows


def _percentiles(engine: Engine, ask: Callable[[Session], object]) -> tuple[float, float]:
    """p50 and p95 in ms over RUNS runs, each in a fresh session, after one warm-up run."""
    durations = []
    for attempt in range(RUNS + 1):
        with Session(engine) as session:
            started = time.perf_counter()
            ask(session)
            elapsed = (time.perf_counter() - started) * 1000
        if attempt:
            durations.append(elapsed)
    return statistics.median(durations), float(np.percentile(durations, 95))


def _sqlite_store(customers: int, orders: int) -> tuple[Engine, float | None]:
    path = PROJECT_ROOT / "var" / "bench" / f"metrics-{customers}.db"
    engine = make_engine(f"sqlite:///{path}")
    if path.exists():
        upgrade(engine)
        if filled(engine, customers, orders):
            return engine, None
        engine.dispose()
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()
        engine = make_engine(f"sqlite:///{path}")
    return engine, _build(engine, customers, orders)


def _postgres_store(customers: int, orders: int) -> tuple[Engine | None, float | None]:
    name = f"cs_bench_metrics_{customers}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))  # name is ours, not input
    except Exception:  # noqa: BLE001 - no server: the suite reports SQLite only
        return None, None
    finally:
        admin.dispose()
    engine = make_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    upgrade(engine)
    if filled(engine, customers, orders):
        return engine, None
    with engine.begin() as conn:
        conn.execute(text(
            "TRUNCATE customers, products, orders, order_items, feedback, surveys, tickets CASCADE"
        ))
    return engine, _build(engine, customers, orders)


def _build(engine: Engine, customers: int, orders: int) -> float:
    started = time.perf_counter()
    upgrade(engine)
    fill(engine, customers, orders)
    return time.perf_counter() - started
