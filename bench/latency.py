"""Latency of one customer message through the whole path, on a big store (issue 5).

A demo shop of 100,000 customers and 1,000,000 orders (quick: 10,000 / 100,000) is
generated once with the admin CLI and kept in var/bench/ (the same seed and date give
the same shop). Ten of its linked customers take turns asking "where is my order N?"
about an order of their own, one message at a time: the time from a send to the bot's
reply arriving at the (local) Bot API covers getUpdates, the bot, Rasa (NLU, dialogue),
the action server and its store query, and sendMessage. Taking turns keeps each
conversation about 40 turns long: Rasa replays a conversation's session on every message,
so one customer asking 400 times in an hour would measure that instead (at 250 turns a
message takes Rasa about 170 ms).
Beside it, the same message posted straight to Rasa's /webhooks/rest/webhook: Rasa's own
round trip (with the action server and the store), so the difference is the bot's share.
The two are measured alternately, so a busy machine weighs on both alike.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.assistant import FAKE_SERVER_LIMITS, TOKEN, bot_polling, free_port, percentile, servers
from bench.table import Row
from local_bot_api import ApiCall, LocalBotApi
from shop.db import make_engine
from shop.models import Order, TelegramAccount
from shop.settings import PROJECT_ROOT, Settings
from shop.startup import prepare_store

SUITE = "latency"
SIZES = {True: (10_000, 100_000), False: (100_000, 1_000_000)}
MESSAGES = {True: 40, False: 200}
WARM_UP = 10
CONVERSATIONS = 10  # customers taking turns
NOW = "2026-11-20T12:00:00+00:00"
TARGET_P50_MS, TARGET_P95_MS = 120.0, 250.0


class ReplyTimes(list[ApiCall]):
    def __init__(self) -> None:
        super().__init__()
        self.last_send = 0.0

    def append(self, call: ApiCall) -> None:
        if call.method == "sendMessage":
            self.last_send = time.monotonic()
        super().append(call)


def big_store(customers: int, orders: int) -> str:
    """The generated shop's URL, generating it (a few minutes) the first time."""
    folder = PROJECT_ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"latency-{customers}-{orders}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        partial = path.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        print(f">> generating a demo shop of {customers:,} customers / {orders:,} orders "
              f"into {path} (once)", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "shop", "demo", "--customers", str(customers),
                        "--orders", str(orders), "--seed", "1", "--now", NOW], cwd=PROJECT_ROOT,
                       env={**os.environ, "DATABASE_URL": f"sqlite:///{partial}", "TZ": "UTC"},
                       check=True, stdout=subprocess.DEVNULL)
        partial.rename(path)
    return url


def askers(url: str, count: int) -> list[tuple[int, str]]:
    """The first `count` linked customers of the store with an order: (telegram id, its number)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(TelegramAccount.telegram_user_id, func.max(Order.number))
                .join(Order, Order.customer_id == TelegramAccount.customer_id)
                .group_by(TelegramAccount.telegram_user_id)
                .order_by(TelegramAccount.telegram_user_id).limit(count)).all()
    finally:
        engine.dispose()
    assert len(rows) == count, f"only {len(rows)} linked customers with orders"
    return [(int(user_id), str(number)) for user_id, number in rows]


async def measure(settings: Settings, count: int) -> tuple[list[float], list[float]]:
    """(whole path, Rasa's own round trip) in ms, alternately, one message at a time."""
    whole, rasa_only = [], []
    people = askers(settings.database_url, CONVERSATIONS)
    async with LocalBotApi(token=TOKEN) as api, httpx.AsyncClient(timeout=60) as client:
        calls = ReplyTimes()
        api.world.calls = calls
        async with bot_polling(settings, api):
            for i in range(WARM_UP + count):
                user_id, number = people[i % len(people)]
                user, question = api.user(user_id, f"Customer {user_id}"), f"where is my order {number}?"
                started = time.monotonic()
                await user.send(question)
                [reply] = await user.wait_for(1, timeout=60)
                assert reply.text and reply.text.startswith(f"Order {number}"), reply.text
                path_ms = (calls.last_send - started) * 1000
                started = time.monotonic()
                response = await client.post(f"{settings.rasa_urls[0]}/webhooks/rest/webhook",
                                             json={"sender": str(user_id), "message": question})
                rasa_ms = (time.monotonic() - started) * 1000
                assert response.json()[0]["text"].startswith(f"Order {number}")
                if i >= WARM_UP:
                    whole.append(path_ms)
                    rasa_only.append(rasa_ms)
                await asyncio.sleep(0.05)
    return whole, rasa_only


def run(quick: bool) -> list[Row]:
    customers, orders = SIZES[quick]
    url = big_store(customers, orders)
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        folder = Path(tmp)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url, rasa_tracker_store_url=f"sqlite:///{folder / 'tracker.db'}",
            rasa_url=f"http://127.0.0.1:{free_port()}", action_server_port=free_port(),
            rasa_model=PROJECT_ROOT / "models" / "current.tar.gz", tz="Europe/Berlin",
            notify_interval=0,  # the generated shop's delivery history is not news to announce
            incoming_limit=0,  # one customer asking a few times a second is the measure here
            **FAKE_SERVER_LIMITS)
        prepare_store(settings, now=datetime.now(UTC), demo_data=False)
        with servers(settings, folder / "logs"):
            whole, rasa_only = asyncio.run(measure(settings, MESSAGES[quick]))
    size = f"{customers // 1000}k customers / {orders // 1000:,}k orders"
    p50, p95 = percentile(whole, 50), percentile(whole, 95)
    bot_share = statistics.median(w - r for w, r in zip(whole, rasa_only, strict=True))
    return [
        Row(SUITE, f"one message, whole path ({size}): p50", p50, "ms", f"<= {TARGET_P50_MS:.0f} ms",
            p50 <= TARGET_P50_MS),
        Row(SUITE, f"one message, whole path ({size}): p95", p95, "ms", f"<= {TARGET_P95_MS:.0f} ms",
            p95 <= TARGET_P95_MS),
        Row(SUITE, "same message, Rasa's own REST round trip: p50", percentile(rasa_only, 50), "ms"),
        Row(SUITE, "same message, Rasa's own REST round trip: p95", percentile(rasa_only, 95), "ms"),
        Row(SUITE, "the bot's share (whole path - Rasa), median", bot_share, "ms"),
    ]
