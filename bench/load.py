"""Load: many customers writing at once, through the whole assistant, for a fixed time.

N simulated customers (default 50) each ask about their own order, wait for the answer,
pause a second or so (0.5-1.5 s, as a person would) and ask again, for 60 s (quick: 10 s),
through the local Bot API, the real bot (polling, rate limiter on with limits the fake
server never reaches), the real Rasa servers and the real action server on a demo store.
Rasa is the heaviest process and works on one core, so the assistant runs as on a
two-core machine it should: two Rasa servers sharing the tracker store (RASA_URL with two
local URLs; BENCH_LOAD_RASA_SERVERS changes the number), each conversation on one of them.

Measured: sustained answered messages per second; latency from the customer's send to
the bot's reply arriving at the Bot API (p50/p95/p99); errors (Bot API errors, handler
errors); lost replies (none within 30 s) and duplicated ones (more answers than
questions in a chat); the resident memory of the bench process (the bot, with the local
Bot API and the simulated customers), of Rasa and of the action server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psutil

from bench.assistant import (
    FAKE_SERVER_LIMITS,
    TOKEN,
    bot_polling,
    free_port,
    percentile,
    rss_mib,
    servers,
)
from bench.table import Row
from local_bot_api import ApiCall, FakeUser, LocalBotApi
from shop.db import make_engine, make_session_factory, transaction
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
from shop.settings import PROJECT_ROOT, Settings
from shop.startup import prepare_store

SUITE = "load"
CUSTOMERS = int(os.environ.get("BENCH_LOAD_CUSTOMERS", "50"))
SECONDS = {True: 10.0, False: 60.0}
THINK = (0.5, 1.5)  # seconds a customer pauses between an answer and the next question
REPLY_TIMEOUT = 30.0
FIRST_ID = 7_000_001
TARGET_RATE, TARGET_P95_MS = 40.0, 500.0
RASA_SERVERS = int(os.environ.get("BENCH_LOAD_RASA_SERVERS", "2"))
BENCH = "bot + local Bot API + customers"  # this process
QUESTIONS = ("where is my order {n}?", "has {n} shipped?", "show my orders", "when will order {n} arrive?")


class ReplyTimes(list[ApiCall]):
    """The local Bot API's call log that also notes, per chat, when each sendMessage arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.sends: dict[int, list[float]] = {}

    def append(self, call: ApiCall) -> None:
        if call.method == "sendMessage":
            self.sends.setdefault(int(call.params["chat_id"]), []).append(time.monotonic())
        super().append(call)


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, answered in the window
    sent: dict[int, int] = field(default_factory=dict)  # questions per customer, all told
    lost: int = 0
    unmatched: int = 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a server and its children so far (of the bench process
    itself: its own only, as its children are the servers, counted on their own)."""
    process = psutil.Process(pid)
    children = process.children(recursive=True) if pid != os.getpid() else []
    return sum(t.user + t.system for t in [process.cpu_times(), *(c.cpu_times() for c in children)])


def make_customers(settings: Settings, count: int) -> list[tuple[int, str]]:
    """`count` linked customers with one shipped order each; (telegram id, order number)."""
    now = datetime.now(UTC)
    engine = make_engine(settings.database_url)
    people = []
    with transaction(make_session_factory(engine)) as session:
        mug = Product(sku="LOAD-MUG", name="Load mug", price=Decimal("9.90"), kind="goods")
        session.add(mug)
        for i in range(count):
            telegram_id, number = FIRST_ID + i, str(60_000 + i)
            person = Customer(name=f"Load Customer {i}", email=f"load{i}@example.com",
                              created_at=now - timedelta(days=100))
            order = Order(number=number, customer=person, kind="goods", status="shipped",
                          total=Decimal("19.80"), currency="EUR", created_at=now - timedelta(days=2),
                          promised_at=now + timedelta(days=3))
            order.items = [OrderItem(product=mug, quantity=2, unit_price=mug.price)]
            done = [now - timedelta(days=2 - p) if p < 3 else None for p in range(len(GOODS_STAGES))]
            order.stages = [DeliveryStage(position=p, name=name, planned_at=now + timedelta(days=p - 2),
                                          done_at=done[p], notified_at=done[p],  # already announced
                                          carrier="DHL" if p >= 2 else None)
                            for p, name in enumerate(GOODS_STAGES)]
            session.add_all([person, order, TelegramAccount(
                telegram_user_id=telegram_id, chat_id=telegram_id, role=Role.customer.value,
                customer=person, display_name=person.name, started=True)])
            people.append((telegram_id, number))
    engine.dispose()
    return people


async def customer(user: FakeUser, number: str, calls: ReplyTimes, *, start: float, until: float,
                   outcome: Outcome, rng: random.Random) -> None:
    turn = rng.randrange(len(QUESTIONS))
    while time.monotonic() < until:
        text = QUESTIONS[turn % len(QUESTIONS)].format(n=number)
        turn += 1
        sent_at = time.monotonic()
        await user.send(text)
        outcome.sent[user.id] = outcome.sent.get(user.id, 0) + 1
        try:
            await user.wait_for(1, timeout=REPLY_TIMEOUT)
        except TimeoutError:
            outcome.lost += 1
            continue
        replied_at = next((t for t in calls.sends.get(user.id, []) if t >= sent_at), None)
        if replied_at is None:  # what arrived was an earlier question's extra answer
            outcome.unmatched += 1
        elif sent_at >= start:
            outcome.latencies.append(replied_at - sent_at)
        await asyncio.sleep(rng.uniform(*THINK))


async def warm_up(user: FakeUser, number: str, outcome: Outcome) -> None:
    """Every customer once, unmeasured: connection pools and caches fill."""
    await user.send(QUESTIONS[0].format(n=number))
    outcome.sent[user.id] = outcome.sent.get(user.id, 0) + 1
    await user.wait_for(1, timeout=120)


async def drive(settings: Settings, people: list[tuple[int, str]], seconds: float, pids: dict[str, int]
                ) -> tuple[Outcome, float, dict[str, float], dict[str, float], int, int]:
    processes = {**pids, BENCH: os.getpid()}
    async with LocalBotApi(token=TOKEN) as api:
        calls = ReplyTimes()
        api.world.calls = calls
        users = [(api.user(telegram_id, f"Load {telegram_id}"), number) for telegram_id, number in people]
        async with bot_polling(settings, api):
            outcome = Outcome()
            for first in range(0, len(users), 5):  # a few at a time: a cold Rasa is slow
                await asyncio.gather(*(warm_up(u, n, outcome) for u, n in users[first:first + 5]))
            ramp = 2.0  # customers start over two seconds; the window starts when all have
            began = time.monotonic()
            start, until = began + ramp, began + ramp + seconds
            tasks = []
            cpu_before = {name: cpu_seconds(pid) for name, pid in processes.items()}
            for user, number in users:
                tasks.append(asyncio.create_task(customer(user, number, calls, start=start, until=until,
                                                          outcome=outcome, rng=random.Random(user.id))))
                await asyncio.sleep(ramp / len(users))
            await asyncio.sleep(max(0.0, until - time.monotonic()) / 2)
            memory = {name: rss_mib(pid, children=name != BENCH) for name, pid in processes.items()}
            await asyncio.gather(*tasks)
            elapsed = until - start
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in processes.items()}
            await asyncio.sleep(2.0)  # late or repeated answers have time to show
        answers = {u.id: sum(1 for m in u.chat.outbox if not m.edited) for u, _ in users}
        duplicated = sum(max(0, answers[uid] - sent) for uid, sent in outcome.sent.items())
        errors = len(api.failures)
    return outcome, elapsed, memory, cpu, duplicated, errors


def run(quick: bool) -> list[Row]:
    seconds = SECONDS[quick]
    logging.getLogger("bot").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        folder = Path(tmp)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{folder / 'shop.db'}",
            rasa_tracker_store_url=f"sqlite:///{folder / 'tracker.db'}",
            rasa_url=",".join(f"http://127.0.0.1:{free_port()}" for _ in range(RASA_SERVERS)),
            action_server_port=free_port(),
            rasa_model=PROJECT_ROOT / "models" / "current.tar.gz", tz="Europe/Berlin",
            **FAKE_SERVER_LIMITS)
        prepare_store(settings, now=datetime.now(UTC), demo_data=False)
        people = make_customers(settings, CUSTOMERS)
        with servers(settings, folder / "logs") as supervisor:
            pids = {"action server": supervisor.pid("actions")} | {
                f"Rasa server {n}": supervisor.pid("rasa" if n == 1 else f"rasa-{n}")
                for n in range(1, RASA_SERVERS + 1)}
            outcome, elapsed, memory, cpu, duplicated, errors = asyncio.run(
                drive(settings, people, seconds, pids))
    rate = len(outcome.latencies) / elapsed
    ms = sorted(x * 1000 for x in outcome.latencies)
    label = f"{CUSTOMERS} customers, {seconds:.0f} s, {RASA_SERVERS} Rasa"
    rows = [
        Row(SUITE, f"{label}: answered messages/s", rate, "msg/s", f">= {TARGET_RATE:.0f}",
            rate >= TARGET_RATE),
        Row(SUITE, f"{label}: latency p50", percentile(ms, 50), "ms"),
        Row(SUITE, f"{label}: latency p95", percentile(ms, 95), "ms", f"<= {TARGET_P95_MS:.0f} ms",
            percentile(ms, 95) <= TARGET_P95_MS),
        Row(SUITE, f"{label}: latency p99", percentile(ms, 99), "ms"),
        Row(SUITE, f"{label}: Bot API errors", errors + outcome.unmatched, "", "0",
            errors + outcome.unmatched == 0),
        Row(SUITE, f"{label}: lost replies", outcome.lost, "", "0", outcome.lost == 0),
        Row(SUITE, f"{label}: duplicated replies", duplicated, "", "0", duplicated == 0),
    ]
    rows += [Row(SUITE, f"memory (RSS): {name}", mib, "MiB") for name, mib in memory.items()]
    answered = max(len(outcome.latencies), 1)
    rows += [Row(SUITE, f"CPU per answered message: {name}", seconds_used / answered * 1000, "ms")
             for name, seconds_used in cpu.items()]
    return rows

