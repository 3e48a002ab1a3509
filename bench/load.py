"""Load: customers writing at Telegram's ceiling for one bot, through the whole assistant.

N simulated customers (default 50) each ask about their own order, wait for the answer and
ask again on a schedule that offers 30 messages a second in all (Telegram's own ceiling for
one bot; BENCH_LOAD_RATE changes it), for 60 s (quick: 10 s), through the local Bot API,
the real bot (polling, rate limiter on with limits the fake server never reaches), the real
Rasa servers and the real action server on a demo store. Rasa is the heaviest process and
works on one core, so the assistant runs as on a two-core machine it should: two Rasa
servers sharing the tracker store (BENCH_LOAD_RASA_SERVERS changes the number).

Each part runs in a process of its own, so that each one's CPU is measured apart: this
process holds the local Bot API and the customers, `python -m bench.load_bot` the bot, the
supervisor Rasa and the action server. Beside the Telegram run, the same messages go straight
through Rasa's REST channel (what the bot sends Rasa for each message: the text and the
reply language as metadata), in conversations of their own: a second set of customers, each
the twin of a Telegram one (its own linked account and order, an order number of as many
digits), sends exactly the messages its twin sent, in the same order, at the same pace, and
so starts from an empty tracker as its twin did and reaches the same conversation length at
every turn. The two runs take turns, in SEGMENTS stretches each (Telegram for a sixth of the
time, then the twins send that sixth's messages, and so on), so that a slower or busier
stretch of the machine weighs on both alike. Rasa's own CPU per turn there, measured in the
same run, is the yardstick for the whole assistant's (bot + Rasa + actions) CPU per answered
message. In both runs the first message of each conversation warms up and is not measured.

Measured: answered messages per second; latency from the customer's send to the bot's reply
arriving at the Bot API (p50/p95/p99); errors (Bot API errors, handler errors); lost replies
(none within 30 s) and duplicated ones (more answers than questions in a chat); the resident
memory and the CPU per answered message of each process.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psutil

from bench.assistant import (
    FAKE_SERVER_LIMITS,
    TOKEN,
    free_port,
    percentile,
    rss_mib,
    servers,
)
from bench.table import Row
from bot.rasa_client import RasaClient
from local_bot_api import ApiCall, FakeUser, LocalBotApi
from shop import accounts
from shop.db import make_engine, make_session_factory, transaction
from shop.i18n import LANGUAGE_KEY, SOURCE_LANGUAGE
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
RATE = float(os.environ.get("BENCH_LOAD_RATE", "30"))  # messages a second offered, all customers
SECONDS = {True: 10.0, False: 60.0}
REPLY_TIMEOUT = 30.0
FIRST_ID = 7_000_001
FIRST_ORDER = 60_000
# Telegram and REST stretches, one after the other, this many times each. With 3 (20 s each),
# Rasa's CPU per turn differed between the two runs by -0.7 to +0.7 ms (zero on average over
# five runs), which moved the ratio by +-0.05: shorter stretches weigh the machine's slower
# moments on both more evenly.
SEGMENTS = 6
TWINS = 20_000  # the REST twin of customer id/order n is n + TWINS (a multiple of the server count)
TARGET_P95_MS, TARGET_CPU_RATIO = 500.0, 1.4
RASA_SERVERS = int(os.environ.get("BENCH_LOAD_RASA_SERVERS", "2"))
BENCH = "bench (local Bot API + customers)"  # this process
BOT = "bot"
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
    sent: dict[int, list[str]] = field(default_factory=dict)  # each customer's questions, in order
    answered: int = 0  # of the questions asked while the CPU was measured (after the warm-up)
    lost: int = 0
    unmatched: int = 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a server and its children so far (of the bench process
    itself: its own only, as its children are the servers, counted on their own)."""
    process = psutil.Process(pid)
    children = process.children(recursive=True) if pid != os.getpid() else []
    return sum(t.user + t.system for t in [process.cpu_times(), *(c.cpu_times() for c in children)])


def make_customers(settings: Settings, count: int) -> list[tuple[int, str, int, str]]:
    """`count` pairs of linked customers with one shipped order each: (telegram id, order
    number) of the one who writes in Telegram, and of its twin, whose conversation goes
    straight to Rasa's REST channel."""
    now = datetime.now(UTC)
    engine = make_engine(settings.database_url)
    pairs = []
    with transaction(make_session_factory(engine)) as session:
        mug = Product(sku="LOAD-MUG", name="Load mug", price=Decimal("9.90"), kind="goods")
        session.add(mug)
        for i in range(count):
            pair: list[int | str] = []
            for twin in (0, TWINS):
                telegram_id, number = FIRST_ID + i + twin, str(FIRST_ORDER + i + twin)
                person = Customer(name=f"Load Customer {i + twin}", email=f"load{i + twin}@example.com",
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
                pair += [telegram_id, number]
            pairs.append((int(pair[0]), str(pair[1]), int(pair[2]), str(pair[3])))
    engine.dispose()
    return pairs


async def customer(user: FakeUser, number: str, calls: ReplyTimes, *, first: float, start: float,
                   until: float, outcome: Outcome, turns: dict[int, int]) -> list[str]:
    """Ask at `first`, then every CUSTOMERS / RATE seconds until `until`: a person waits for
    the answer, so a late answer delays the next question (the offered rate drops when the bot
    lags). `turns` holds where each customer is in QUESTIONS across segments. Latencies count
    from `start`. The questions asked, in order."""
    period = CUSTOMERS / RATE
    asked: list[str] = []
    due = first
    while due < until:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        text = QUESTIONS[turns[user.id] % len(QUESTIONS)].format(n=number)
        turns[user.id] += 1
        sent_at = time.monotonic()
        due = sent_at + period
        await user.send(text)
        outcome.sent.setdefault(user.id, []).append(text)
        asked.append(text)
        try:
            await user.wait_for(1, timeout=REPLY_TIMEOUT)
        except TimeoutError:
            outcome.lost += 1
            continue
        outcome.answered += 1
        replied_at = next((t for t in calls.sends.get(user.id, []) if t >= sent_at), None)
        if replied_at is None:  # what arrived was an earlier question's extra answer
            outcome.unmatched += 1
        elif sent_at >= start:
            outcome.latencies.append(replied_at - sent_at)
    return asked


async def rest_turns(rasa: RasaClient, conversations: list[tuple[int, list[str], dict[str, Any]]],
                     servers_: dict[str, int]) -> tuple[int, dict[str, float]]:
    """Each (sender id, messages, metadata) conversation straight to Rasa's REST channel, at
    the Telegram run's pace and with its stagger, each conversation waiting for its answers;
    the answered turns, and each server's CPU seconds for them."""
    period = CUSTOMERS / RATE
    answered = 0

    async def one(index: int, sender: int, texts: list[str], metadata: dict[str, Any]) -> None:
        nonlocal answered
        due = begin + index * period / len(conversations)
        for text in texts:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            due = time.monotonic() + period
            if await rasa.send(sender, text, metadata=metadata):
                answered += 1

    before = {name: cpu_seconds(pid) for name, pid in servers_.items()}
    begin = time.monotonic()
    await asyncio.gather(*(one(i, *conversation) for i, conversation in enumerate(conversations)))
    return answered, {name: cpu_seconds(pid) - before[name] for name, pid in servers_.items()}


async def warm_up(user: FakeUser, number: str, outcome: Outcome) -> None:
    """Every customer once, unmeasured: connection pools and caches fill."""
    text = QUESTIONS[0].format(n=number)
    await user.send(text)
    outcome.sent.setdefault(user.id, []).append(text)
    await user.wait_for(1, timeout=120)


@asynccontextmanager
async def bot_process(fields: dict[str, object], api: LocalBotApi, folder: Path) -> AsyncIterator[int]:
    """`python -m bench.load_bot` polling `api`; yields its pid once it polls.

    Its start-up calls the Bot API, which answers in this process's event loop: everything
    here waits without blocking it."""
    spec = folder / "bot.json"
    spec.write_text(json.dumps({"settings": {**fields, "telegram_api_url": api.base_url},
                                "token": api.token}), encoding="utf-8")
    log = folder / "bot.log"
    with log.open("w") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.load_bot", str(spec), cwd=PROJECT_ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=err)
    assert process.stdout is not None and process.stdin is not None
    try:
        if (await process.stdout.readline()).strip() != b"ready":
            raise RuntimeError(f"the bench's bot did not start: {log.read_text()[-2000:]}")
        yield process.pid
    finally:
        process.stdin.close()  # its end of file: the bot stops (its last calls reach our Bot API)
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()


@dataclass
class Run:
    outcome: Outcome
    elapsed: float
    memory: dict[str, float]
    cpu: dict[str, float]  # CPU seconds during the Telegram run, per process
    rest_cpu: dict[str, float]  # CPU seconds of Rasa's servers and the action server during the REST run
    rest_turns: int
    duplicated: int
    errors: int


@dataclass
class Twins:
    """The REST twin of each Telegram customer: (twin's sender id, the customer's order number,
    the twin's) by the customer's id, and the metadata the bot sends Rasa for the customer."""
    rasa: RasaClient
    pairs: dict[int, tuple[int, str, str]]
    metadata: dict[int, dict[str, Any]] = field(default_factory=dict)

    def of(self, telegram_id: int, texts: list[str]) -> tuple[int, list[str], dict[str, Any]]:
        """The twin's conversation for the customer's `texts`: its id, the texts with its own
        order number, the customer's metadata."""
        twin, number, twin_number = self.pairs[telegram_id]
        return twin, [t.replace(number, twin_number) for t in texts], self.metadata[telegram_id]

    async def warm_up(self, sent: dict[int, list[str]]) -> None:
        """Each twin's first message, the one its customer warmed up with, unmeasured."""
        first = [self.of(tid, texts[:1]) for tid, texts in sent.items()]
        for at in range(0, len(first), 5):
            await asyncio.gather(*(self.rasa.send(twin, texts[0], metadata=metadata)
                                   for twin, texts, metadata in first[at:at + 5]))


@dataclass
class Turns:
    """What the interleaved runs add up: CPU seconds per process in the Telegram stretches, of
    Rasa's servers and the action server in the REST ones, the REST turns answered, and each
    process's memory halfway through the first stretch."""
    cpu: dict[str, float]
    rest_cpu: dict[str, float]
    rest_answered: int = 0
    memory: dict[str, float] = field(default_factory=dict)


async def take_turns(users: list[tuple[FakeUser, str]], calls: ReplyTimes, outcome: Outcome, twins: Twins,
                     processes: dict[str, int], servers_: dict[str, int], seconds: float) -> Turns:
    """SEGMENTS times: the customers write through the bot for seconds / SEGMENTS, then their
    twins send Rasa the same messages straight, at the same pace."""
    period = CUSTOMERS / RATE
    turns = {user.id: random.Random(user.id).randrange(len(QUESTIONS)) for user, _ in users}
    total = Turns(cpu=dict.fromkeys(processes, 0.0), rest_cpu=dict.fromkeys(servers_, 0.0))
    for segment in range(SEGMENTS):
        began = time.monotonic()
        until = began + seconds / SEGMENTS
        start = began + period if segment == 0 else began  # everyone has asked once
        before = {name: cpu_seconds(pid) for name, pid in processes.items()}
        tasks = [asyncio.create_task(customer(
            user, number, calls, first=began + index * period / len(users), start=start, until=until,
            outcome=outcome, turns=turns)) for index, (user, number) in enumerate(users)]
        if segment == 0:
            await asyncio.sleep(max(0.0, until - time.monotonic()) / 2)
            total.memory = {name: rss_mib(pid, children=name not in (BENCH, BOT))
                            for name, pid in processes.items()}
        asked = await asyncio.gather(*tasks)
        for name, pid in processes.items():
            total.cpu[name] += cpu_seconds(pid) - before[name]
        same = [twins.of(user.id, texts) for (user, _), texts in zip(users, asked, strict=True)]
        answered, used = await rest_turns(twins.rasa, same, servers_)
        total.rest_answered += answered
        for name in servers_:
            total.rest_cpu[name] += used[name]
    return total


async def drive(fields: dict[str, object], settings: Settings, pairs: list[tuple[int, str, int, str]],
                seconds: float, servers_: dict[str, int], folder: Path) -> Run:
    """The Telegram run and its REST yardstick, interleaved (take_turns)."""
    rasa = RasaClient(str(fields["rasa_url"]), timeout=REPLY_TIMEOUT)
    twins = Twins(rasa, {tid: (twin, number, twin_number) for tid, number, twin, twin_number in pairs})
    try:
        async with LocalBotApi(token=TOKEN) as api:
            calls = ReplyTimes()
            api.world.calls = calls
            users = [(api.user(telegram_id, f"Load {telegram_id}"), number)
                     for telegram_id, number, _, _ in pairs]
            async with bot_process(fields, api, folder) as bot_pid:
                processes = {**servers_, BOT: bot_pid, BENCH: os.getpid()}
                outcome = Outcome()
                for first in range(0, len(users), 5):  # a few at a time: a cold Rasa is slow
                    await asyncio.gather(*(warm_up(u, n, outcome) for u, n in users[first:first + 5]))
                # the reply language the bot chose for each customer, as it sends Rasa metadata
                languages = await asyncio.to_thread(reply_languages, settings, list(twins.pairs))
                twins.metadata = {tid: {LANGUAGE_KEY: language} for tid, language in languages.items()}
                await twins.warm_up(outcome.sent)
                turns = await take_turns(users, calls, outcome, twins, processes, servers_, seconds)
                await asyncio.sleep(2.0)  # late or repeated answers have time to show
            answers = {u.id: sum(1 for m in u.chat.outbox if not m.edited) for u, _ in users}
            duplicated = sum(max(0, answers[uid] - len(sent)) for uid, sent in outcome.sent.items())
            errors = len(api.failures)
    finally:
        await rasa.aclose()
    return Run(outcome, seconds - CUSTOMERS / RATE, turns.memory, turns.cpu, turns.rest_cpu,
               turns.rest_answered, duplicated, errors)


def reply_languages(settings: Settings, telegram_ids: list[int]) -> dict[int, str]:
    """The language the bot answered each of these customers in (what it sent Rasa)."""
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            return {tid: accounts.stored_language(session, tid) or SOURCE_LANGUAGE for tid in telegram_ids}
    finally:
        engine.dispose()


def run(quick: bool) -> list[Row]:
    seconds = SECONDS[quick]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        folder = Path(tmp)
        fields: dict[str, object] = {
            "database_url": f"sqlite:///{folder / 'shop.db'}",
            "rasa_tracker_store_url": f"sqlite:///{folder / 'tracker.db'}",
            "rasa_url": ",".join(f"http://127.0.0.1:{free_port()}" for _ in range(RASA_SERVERS)),
            "action_server_port": free_port(),
            "rasa_model": str(PROJECT_ROOT / "models" / "current.tar.gz"), "tz": "Europe/Berlin",
            **FAKE_SERVER_LIMITS}
        settings = Settings(_env_file=None, **fields)  # type: ignore[call-arg, arg-type]
        prepare_store(settings, now=datetime.now(UTC), demo_data=False)
        pairs = make_customers(settings, CUSTOMERS)
        with servers(settings, folder / "logs") as supervisor:
            rasa_names = [f"Rasa server {n}" for n in range(1, RASA_SERVERS + 1)]
            pids = {"action server": supervisor.pid("actions")} | {
                name: supervisor.pid("rasa" if n == 1 else f"rasa-{n}")
                for n, name in enumerate(rasa_names, 1)}
            result = asyncio.run(drive(fields, settings, pairs, seconds, pids, folder))
    outcome = result.outcome
    rate = len(outcome.latencies) / result.elapsed
    ms = sorted(x * 1000 for x in outcome.latencies)
    label = f"{CUSTOMERS} customers at {RATE:.0f} msg/s, {seconds:.0f} s, {RASA_SERVERS} Rasa"
    p95 = percentile(ms, 95)
    rows = [
        Row(SUITE, f"{label}: answered messages/s", rate, "msg/s", f">= {0.95 * RATE:.1f} (keeps up)",
            rate >= 0.95 * RATE),
        Row(SUITE, f"{label}: latency p50", percentile(ms, 50), "ms"),
        Row(SUITE, f"{label}: latency p95", p95, "ms", f"<= {TARGET_P95_MS:.0f} ms", p95 <= TARGET_P95_MS),
        Row(SUITE, f"{label}: latency p99", percentile(ms, 99), "ms"),
        Row(SUITE, f"{label}: Bot API errors", result.errors + outcome.unmatched, "", "0",
            result.errors + outcome.unmatched == 0),
        Row(SUITE, f"{label}: lost replies", outcome.lost, "", "0", outcome.lost == 0),
        Row(SUITE, f"{label}: duplicated replies", result.duplicated, "", "0", result.duplicated == 0),
    ]
    rows += [Row(SUITE, f"memory (RSS): {name}", mib, "MiB") for name, mib in result.memory.items()]
    answered = max(outcome.answered, 1)
    per_message = {name: used / answered * 1000 for name, used in result.cpu.items()}
    rows += [Row(SUITE, f"CPU per answered message ({outcome.answered} messages): {name}", ms_, "ms")
             for name, ms_ in per_message.items()]
    assistant = sum(v for name, v in per_message.items() if name != BENCH)
    turns = max(result.rest_turns, 1)
    rasa_rest = sum(result.rest_cpu[name] for name in rasa_names) / turns * 1000
    actions_rest = result.rest_cpu["action server"] / turns * 1000
    ratio = assistant / rasa_rest if rasa_rest else float("nan")
    rasa_telegram = sum(per_message[name] for name in rasa_names)
    rows += [
        Row(SUITE, "CPU per answered message: Rasa servers", rasa_telegram, "ms"),
        Row(SUITE, "CPU per answered message: the assistant (bot + Rasa + actions)", assistant, "ms"),
        Row(SUITE, f"CPU per REST turn, the same messages ({result.rest_turns} turns): Rasa servers",
            rasa_rest, "ms"),
        Row(SUITE, "CPU per REST turn, the same messages: action server", actions_rest, "ms"),
        Row(SUITE, "the assistant's CPU per message / Rasa's own per REST turn", ratio, "x",
            f"<= {TARGET_CPU_RATIO}", ratio <= TARGET_CPU_RATIO),
        Row(SUITE, "the assistant's CPU per message / (Rasa + actions) per REST turn",
            assistant / (rasa_rest + actions_rest) if rasa_rest + actions_rest else float("nan"), "x"),
    ]
    return rows
