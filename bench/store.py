"""Store benchmarks on SQLite: a demo shop of 100,000 customers / 1,000,000 orders, a
1,000,000-row orders import, and order lookups on that shop (quick: 1/10 of the sizes).

Generation and import run the real admin CLI (`python -m shop ...`) in a subprocess, so
the time is what the owner waits and the memory is the child's own peak RSS, read from
wait4(). The import rate is given net of the CLI's fixed start-up (interpreter, imports,
migration check: the time of `db upgrade`), which would otherwise dominate small files.
Lookups time the bot's query in a fresh session each, after a warm-up. Targets are on
wall time; CPU times are shown beside it, since other work on a shared machine stretches
wall time (on an idle one the two are close).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.table import Row
from shop.db import make_engine
from shop.models import Order
from shop.orders import find_customer_order
from shop.settings import PROJECT_ROOT

SUITE = "store"
SIZES = {True: (10_000, 100_000), False: (100_000, 1_000_000)}
NOW = "2026-11-20T12:00:00+00:00"
LOOKUPS = 2_000
GENERATION_TARGET_S = 180.0
IMPORT_TARGET_ROWS_S = 50_000.0
LOOKUP_TARGET_MS = 2.0
MEMORY_TARGET_MIB = 2048.0


def run(quick: bool) -> list[Row]:
    customers, orders = SIZES[quick]
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        folder = Path(tmp)
        demo_url = f"sqlite:///{folder / 'demo.db'}"
        demo = _cli(demo_url, "demo", "--customers", str(customers), "--orders", str(orders),
                    "--seed", "1", "--now", NOW)
        size = f"{customers:,} customers / {orders:,} orders"
        rows = [
            Row(SUITE, f"demo {size}: time", demo.seconds, "s", f"< {GENERATION_TARGET_S:.0f} s",
                demo.seconds < GENERATION_TARGET_S),
            Row(SUITE, f"demo {size}: CPU time", demo.cpu, "s"),
            _memory_row(f"demo {size}: peak memory", demo.peak),
        ]
        _cli(demo_url, "export", "customers", "--out", str(folder / "customers.csv"))
        export = _cli(demo_url, "export", "orders", "--out", str(folder / "orders.csv"))
        csv_rows = _data_rows(folder / "orders.csv")
        rows.append(Row(SUITE, f"export {csv_rows:,} orders", csv_rows / export.seconds, "rows/s"))

        fresh_url = f"sqlite:///{folder / 'import.db'}"
        _cli(fresh_url, "import", "customers", str(folder / "customers.csv"))
        startup = _cli(fresh_url, "db", "upgrade")
        rows.append(Row(SUITE, "CLI start-up (python -m shop db upgrade)", startup.seconds, "s"))
        for what in ("import", "re-import (no changes)"):
            run = _cli(fresh_url, "import", "orders", str(folder / "orders.csv"))
            rate = csv_rows / max(run.seconds - startup.seconds, 1e-3)
            rows += [
                Row(SUITE, f"{what} {csv_rows:,}-row orders CSV: command", run.seconds, "s"),
                Row(SUITE, f"{what} orders CSV: rate net of start-up", rate, "rows/s",
                    f">= {IMPORT_TARGET_ROWS_S:,.0f} rows/s", rate >= IMPORT_TARGET_ROWS_S),
                Row(SUITE, f"{what} orders CSV: rate by CPU time net of start-up",
                    csv_rows / max(run.cpu - startup.cpu, 1e-3), "rows/s"),
                _memory_row(f"{what} orders CSV: peak memory", run.peak),
            ]
        rows.extend(_lookups(demo_url, orders))
    return rows


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system seconds of the child
    peak: int  # bytes


def _cli(url: str, *args: str) -> Run:
    """Run `python -m shop ARGS` on `url` and measure it."""
    env = {**os.environ, "DATABASE_URL": url, "TZ": "UTC"}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "shop", *args], cwd=PROJECT_ROOT, env=env,
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"python -m shop {' '.join(args)} failed ({child.returncode})")
    # ru_maxrss is in KiB on Linux
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def _memory_row(measure: str, peak: int) -> Row:
    mib = peak / 2**20
    return Row(SUITE, measure, mib, "MiB", f"< {MEMORY_TARGET_MIB:,.0f} MiB",
               mib < MEMORY_TARGET_MIB)


def _data_rows(path: Path) -> int:
    with path.open("rb") as file:
        return sum(block.count(b"\n") for block in iter(lambda: file.read(1 << 20), b"")) - 1


def _lookups(url: str, orders: int) -> list[Row]:
    """Order by number: the bare query, and the bot's ownership-checked lookup with items
    and stages."""
    engine = make_engine(url)
    try:
        rng = np.random.default_rng(3)
        numbers = [str(n) for n in rng.integers(10001, 10001 + orders, LOOKUPS)]
        with Session(engine) as session:
            owners = {number: customer for number, customer in session.execute(
                select(Order.number, Order.customer_id).where(Order.number.in_(numbers[:500]))
            )}

        def bare(session: Session, number: str) -> object:
            return session.scalars(select(Order).where(Order.number == number)).one_or_none()

        def bot(session: Session, number: str) -> object:
            return find_customer_order(session, customer_id=owners[number], number=number)

        rows = []
        for name, lookup, sample in (("order by number", bare, numbers),
                                     ("bot's order lookup (+ items, stages)", bot, list(owners))):
            timings, cpu = [], []
            for i, number in enumerate(sample[:100] + sample):  # the first 100 warm up
                started, started_cpu = time.perf_counter(), time.thread_time()
                with Session(engine) as session:
                    assert lookup(session, number) is not None
                if i >= 100:
                    timings.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.thread_time() - started_cpu) * 1000)
            p95 = float(np.percentile(timings, 95))
            target = lookup is bare  # the target is for the query itself
            rows += [
                Row(SUITE, f"{name}: median", statistics.median(timings), "ms"),
                Row(SUITE, f"{name}: p95", p95, "ms", f"< {LOOKUP_TARGET_MS:g} ms" if target else "",
                    p95 < LOOKUP_TARGET_MS if target else None),
                Row(SUITE, f"{name}: p95 of CPU time", float(np.percentile(cpu, 95)), "ms"),
            ]
        return rows
    finally:
        engine.dispose()
