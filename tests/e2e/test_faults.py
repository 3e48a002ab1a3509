"""Faults on the session's servers, end to end: the assistant keeps answering (or says
clearly why not) and loses nothing.

- The store: a short SQLite write lock is absorbed by the busy timeout; a long one gets
  "try again".
- The Bot API answers 429 and 5xx: every reply still arrives, exactly once.

The faults that kill a server or the bot, or need a Rasa of their own, are in
tests/e2e/standalone/test_server_faults.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest

from actions.base import SORRY
from bot.app import ERROR_REPLY
from local_bot_api import FakeUser, LocalBotApi
from shop.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, make_session_factory
from shop.settings import Settings
from tests.e2e.faults_support import add_customer, ask
from tests.waiting import all_handled

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    # PTB 22 warns inside its own RetryAfter constructor on every 429.
    pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type:DeprecationWarning"),
]
_people = iter(range(8_810_001, 8_819_999))  # apart from other modules' ids in the shared e2e store


# --- the store locked (SQLite, the session's servers) ---------------------------------------


def hold_write_lock(database: str, seconds: float, held: threading.Event) -> None:
    """Another writer: BEGIN IMMEDIATE on the store and keep it for `seconds`."""
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)  # how long a lock lasts against the busy timeout: the time is the point
        connection.execute("ROLLBACK")
    finally:
        connection.close()


@pytest.mark.usefixtures("polling_bot")
class TestTheStoreLocked:
    async def locked_while_asking(self, e2e_settings: Settings, user: FakeUser, text: str,
                                  seconds: float) -> tuple[str, float]:
        held = threading.Event()
        database = e2e_settings.database_url.removeprefix("sqlite:///")
        locker = threading.Thread(target=hold_write_lock, args=(database, seconds, held))
        locker.start()
        await asyncio.to_thread(held.wait, 10)
        started = time.monotonic()
        try:
            answer = await ask(user, text, timeout=seconds + 30)
        finally:
            await asyncio.to_thread(locker.join)
        return answer, time.monotonic() - started

    async def test_a_short_lock_is_absorbed_by_the_busy_timeout(
            self, e2e_settings: Settings, api: LocalBotApi) -> None:
        sessions = make_session_factory(make_engine(e2e_settings.database_url))
        fay_id, number = add_customer(sessions, "Fay Locked", next(_people))
        answer, took = await self.locked_while_asking(e2e_settings, api.user(fay_id),
                                                      f"where is my order {number}?", seconds=2.0)
        assert answer.startswith(f"Order {number}")
        assert took >= 1.5  # it did wait for the lock

    async def test_a_long_lock_gets_a_clear_try_again(self, e2e_settings: Settings, api: LocalBotApi) -> None:
        sessions = make_session_factory(make_engine(e2e_settings.database_url))
        gus_id, number = add_customer(sessions, "Gus Locked", next(_people))
        gus = api.user(gus_id)
        answer, _ = await self.locked_while_asking(e2e_settings, gus, f"where is my order {number}?",
                                                   seconds=SQLITE_BUSY_TIMEOUT_MS / 1000 + 3)
        assert answer in (ERROR_REPLY, SORRY) and "try again" in answer
        assert (await ask(gus, f"where is my order {number}?")).startswith(f"Order {number}")


# --- the Bot API refuses ---------------------------------------------------------------------


@pytest.mark.usefixtures("polling_bot")
class TestTheBotApiRefuses:
    async def test_429_and_5xx_lose_nothing_and_duplicate_nothing(
            self, e2e_settings: Settings, api: LocalBotApi) -> None:
        sessions = make_session_factory(make_engine(e2e_settings.database_url))
        hal_id, number = add_customer(sessions, "Hal Flood", next(_people))
        hal = api.user(hal_id)
        api.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 1",
                      retry_after=1)
        first = await ask(hal, f"where is my order {number}?")
        api.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=2)
        second = await ask(hal, "show my orders")
        api.fail_next("getUpdates", error_code=500, description="Internal Server Error", times=2)
        third = await ask(hal, f"has {number} shipped?")
        assert first.startswith(f"Order {number}") and third.startswith(f"Order {number}")
        assert number in second
        await all_handled(api)  # every retry is inside a handler: nothing more can come
        texts = [m.text for m in hal.sent_messages()]
        assert texts == [first, second, third]  # each once, in order
        refused = [f.error_code for f in api.failures if f.params.get("chat_id") == hal_id]
        assert refused == [429, 502, 502]
