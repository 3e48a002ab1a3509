"""Faults that kill servers, end to end, on servers of this module's own: the assistant keeps
answering (or says clearly why not) and loses nothing.

- Rasa killed, then restarted: the customer is told (a person takes over), and the same
  bot process answers again once Rasa is back. Rasa too slow: told within RASA_TIMEOUT.
- The action server down: a clear message, never silence; back: answers again.
- PostgreSQL unreachable (a proxy is cut): "try again"; reachable: answers.
- The bot process killed with SIGKILL mid-conversation and started again: no message is
  answered twice and none is dropped.

A private Rasa server and action server (own ports, store on PostgreSQL behind a proxy) are
started for the tests that kill them, so this module runs beside the session's servers
(tests/e2e/standalone/__init__.py). The faults that need no kill are in tests/e2e/test_faults.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.base import SORRY
from bot.app import ERROR_REPLY
from local_bot_api import LocalBotApi
from rasa_runtime.supervisor import Supervisor, actions_spec, rasa_spec
from shop import demo
from shop.db import make_engine, make_session_factory
from shop.handoff import STAFF_RASA_DOWN
from shop.models import HandledUpdate, Ticket
from shop.orders import NOT_LINKED
from shop.settings import PROJECT_ROOT, Settings
from tests.bot_harness import prepare_demo_people, store_settings
from tests.bot_process import BotProcess
from tests.e2e.conftest import TOKEN, bot_settings, free_port, run_bot
from tests.e2e.faults_support import BOT_ERROR_OPENING, add_customer, ask
from tests.pg_temp import temporary_database, via_port
from tests.stub_rasa import StubRasa
from tests.tcp_proxy import TcpProxy
from tests.waiting import all_handled, eventually

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.own_rasa]
_people = iter(range(8_820_001, 8_829_999))
STAFF_GROUP = -1009999


# --- Rasa and the action server die and come back (a private pair) -------------------------


@dataclass
class Stack:
    settings: Settings
    supervisor: Supervisor
    sessions: sessionmaker[Session]
    bot_proxy: TcpProxy
    actions_proxy: TcpProxy


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Rasa + action server of this module's own, the store on PostgreSQL behind two proxies
    (one for the bot, one for the action server, so each can lose the database alone)."""
    folder = tmp_path_factory.mktemp("faults")
    with temporary_database("cs_faults") as url:
        host_port = int(url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        bot_proxy, actions_proxy = TcpProxy("127.0.0.1", host_port), TcpProxy("127.0.0.1", host_port)
        bot_proxy.start()
        actions_proxy.start()
        rasa_port, actions_port = free_port(), free_port()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=via_port(url, bot_proxy.port),
            rasa_tracker_store_url=f"sqlite:///{folder / 'tracker.db'}",
            rasa_url=f"http://127.0.0.1:{rasa_port}", action_server_port=actions_port,
            rasa_model=PROJECT_ROOT / "models" / "current.tar.gz", tz="Europe/Berlin",
            telegram_rate_per_chat=0, telegram_rate_per_group=0, incoming_limit=0, rasa_timeout=15,
            staff_chat_id=STAFF_GROUP)  # ticket cards go there, not to the staff's own chat
        prepare_demo_people(settings)
        actions_settings = settings.model_copy(update={"database_url": via_port(url, actions_proxy.port)})
        specs = [actions_spec(actions_settings, name="actions"), rasa_spec(settings, name="rasa")]
        engine = make_engine(url)
        try:
            with Supervisor(specs, log_dir=folder / "logs") as supervisor:
                supervisor.start()
                supervisor.wait_ready(timeout=400)
                yield Stack(settings, supervisor, make_session_factory(engine), bot_proxy, actions_proxy)
        finally:
            engine.dispose()
            bot_proxy.close()
            actions_proxy.close()


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def stack_bot(stack: Stack, api: LocalBotApi) -> AsyncIterator[None]:
    settings = bot_settings(stack.settings, api)
    async with run_bot(settings):
        yield


@pytest.mark.usefixtures("stack_bot")
class TestServersDieAndComeBack:
    async def test_rasa_killed_the_customer_is_told_and_the_bot_recovers_when_it_is_back(
            self, stack: Stack, api: LocalBotApi) -> None:
        ann_id, number = add_customer(stack.sessions, "Ann Outage", next(_people))
        ann, staff, later = api.user(ann_id), api.user(2, "Sam"), api.user(next(_people))
        api.group(STAFF_GROUP, "Staff", members=(staff,))
        assert (await ask(ann, f"where is my order {number}?")).startswith(f"Order {number}")

        stack.supervisor.kill("rasa")
        told = await ask(ann, f"where is my order {number}?", timeout=30)
        assert told.startswith(BOT_ERROR_OPENING)  # a person will answer (the handoff's ticket)
        with stack.sessions() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.telegram_user_id == ann_id)).one()
            assert ticket.reason == "bot_error"
        assert await ask(staff, "hello", timeout=30) == STAFF_RASA_DOWN

        stack.supervisor.start(["rasa"])
        await asyncio.to_thread(stack.supervisor.wait_ready, 400, ["rasa"])
        # The same bot process, its Rasa client and its connection pool: answers again.
        answer = await ask(staff, "hello")
        assert answer not in (STAFF_RASA_DOWN, ERROR_REPLY)
        assert await ask(later, "where is my order 1042?") == NOT_LINKED

    async def test_action_server_down_the_customer_gets_a_clear_message_not_silence(
            self, stack: Stack, api: LocalBotApi) -> None:
        stranger = api.user(next(_people))
        stack.supervisor.kill("actions")
        try:
            told = await ask(stranger, "where is my order 1042?", timeout=30)
            assert told.startswith(BOT_ERROR_OPENING)  # Rasa answered nothing: not silence
        finally:
            stack.supervisor.start(["actions"])
            await asyncio.to_thread(stack.supervisor.wait_ready, 60, ["actions"])
        assert await ask(api.user(next(_people)), "where is my order 1042?") == NOT_LINKED

    async def test_postgres_unreachable_try_again_then_answers_when_it_is_back(
            self, stack: Stack, api: LocalBotApi) -> None:
        # The action server loses the database: its action says "try again".
        stack.actions_proxy.stop()
        try:
            assert await ask(api.user(next(_people)), "where is my order 1042?", timeout=30) == SORRY
        finally:
            stack.actions_proxy.start()
        # The bot loses it: the bot says "try again".
        stack.bot_proxy.stop()
        customer = api.user(next(_people))
        try:
            assert await ask(customer, "where is my order 1042?", timeout=30) == ERROR_REPLY
        finally:
            stack.bot_proxy.start()
        # Both back: stale pooled connections are replaced, and the answers are normal.
        assert await ask(customer, "where is my order 1042?") == NOT_LINKED


async def test_rasa_too_slow_the_customer_is_told_within_the_timeout(tmp_path: Path) -> None:
    settings = store_settings(tmp_path, rasa_timeout=2.0, incoming_limit=0)
    async with LocalBotApi(token=TOKEN) as api, StubRasa(delay=60) as slow:
        settings = bot_settings(settings, api, rasa_url=slow.url)
        customer = api.user(demo.CUSTOMER.telegram_user_id)
        api.user(demo.OWNER.telegram_user_id)
        async with run_bot(settings):
            started = time.monotonic()
            await customer.send("where is my order 1042?")
            [told] = await customer.wait_for(1, timeout=15)
            took = time.monotonic() - started
    assert told.text is not None and told.text.startswith(BOT_ERROR_OPENING)
    assert 2.0 <= took < 8  # told after RASA_TIMEOUT, not after Rasa's minute


# --- the bot process killed ---------------------------------------------------------------------


def handled_updates(database_url: str) -> int:
    """How many updates the bot has recorded as handled in its store."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(HandledUpdate)) or 0
    finally:
        engine.dispose()


def stub_delay(text: str) -> float:
    return 3.0 if text.startswith("slow") else 0.2


async def test_a_killed_bot_restarts_without_losing_or_repeating_a_message(tmp_path: Path) -> None:
    """kill -9 while one message waits for Rasa and a later one was answered but not yet
    confirmed (Telegram confirms in order): after the restart the first is answered, the
    second is not answered again, and the conversation goes on."""
    database = store_settings(tmp_path).database_url
    async with LocalBotApi(token="424242:KILL-TEST") as api, StubRasa(delay=stub_delay) as rasa:
        env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
               "DATABASE_URL": database, "RASA_URL": rasa.url}
        users = [api.user(870_000 + i) for i in range(4)]
        first = BotProcess(tmp_path, env).start()
        try:
            for user in users:  # answered and confirmed before the crash
                await user.send(f"hello {user.id}")
            for user in users:
                await user.wait_for(1, timeout=60)
            await users[0].send("slow question")  # in flight at the crash
            await eventually(lambda: any(text == "slow question" for _, text in rasa.received),
                             what="the slow question at Rasa")
            for user in users[1:]:
                await user.send(f"quick {user.id}")  # answered, not confirmed (behind the slow one)
            for user in users[1:]:
                await user.wait_for(1, timeout=30)
            await eventually(lambda: handled_updates(database) == len(users) * 2 - 1,
                             what="their answers recorded")  # 4 hellos, 3 quick ones
            assert api.pending_updates >= 4
            assert users[0].sent_messages()[-1].text == f"You said: hello {users[0].id}"
        finally:
            first.kill()

        second = BotProcess(tmp_path, env).start()
        try:
            [slow] = await users[0].wait_for(1, timeout=60)
            assert slow.text == "You said: slow question"
            for user in users:
                await user.send(f"after {user.id}")
            for user in users:
                await user.wait_for(1, timeout=30)
            await all_handled(api)  # an answer repeated after the restart would come before this
        finally:
            await second.terminate()

    for user in users:
        texts = [m.text for m in user.sent_messages()]
        expected = [f"You said: hello {user.id}"]
        expected += ["You said: slow question"] if user is users[0] else [f"You said: quick {user.id}"]
        expected += [f"You said: after {user.id}"]
        assert texts == expected, (user.id, texts, first.output[-3000:], second.output[-3000:])
    counts = rasa.counts()
    assert counts["slow question"] == 2  # cut off by the crash, asked again after it
    assert all(counts[f"quick {u.id}"] == 1 for u in users[1:])  # never handled twice
    assert api.pending_updates == 0
