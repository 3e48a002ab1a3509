"""The assistant as `make run` starts it: `python -m bot` with its own Rasa server and action
server as children, against the tests' local Bot API.

kill -9 of the bot (what the out-of-memory killer does) leaves none of its servers behind,
and the next start - on the same ports, with a new Bot API that numbers messages from 1
again, as the console's does - carries on with the ticket the first run opened.
"""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

from local_bot_api import LocalBotApi
from shop import demo
from shop.db import make_engine, make_session_factory
from shop.models import Ticket
from tests.bot_process import BotProcess, free_port
from tests.waiting import eventually

TOKEN = "777777:RESTART-E2E"
STAFF_IDS = (demo.OWNER.telegram_user_id, demo.STAFF.telegram_user_id)
pytestmark = pytest.mark.own_rasa  # the bot starts its own Rasa, twice


def open_tickets(database: str) -> list[tuple[int, str]]:
    engine = make_engine(database)
    try:
        with make_session_factory(engine)() as session:
            return [(t.telegram_user_id, t.status) for t in session.scalars(select(Ticket))
                    if t.status in ("waiting", "claimed")]
    finally:
        engine.dispose()


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def people(api: LocalBotApi) -> None:
    for persona in (demo.CUSTOMER, demo.OWNER, demo.STAFF):
        api.user(persona.telegram_user_id, persona.name)


async def test_kill_9_leaves_no_server_behind_and_the_restart_carries_on_with_the_ticket(
        tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shop.db'}"
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": database,
           "RASA_TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
           "RASA_URL": f"http://127.0.0.1:{free_port()}", "ACTION_SERVER_PORT": str(free_port())}

    async with LocalBotApi(token=TOKEN) as api:
        people(api)
        customer = api.user(demo.CUSTOMER.telegram_user_id)
        first = BotProcess(tmp_path, {**env, "TELEGRAM_API_URL": api.base_url}, args=()).start()
        try:
            await customer.send("I want to talk to a person please")
            await customer.wait_for(1, timeout=600)  # Rasa loads its model first
            await eventually(lambda: open_tickets(database) == [(demo.CUSTOMER.telegram_user_id, "waiting")],
                             timeout=30, what="the customer's ticket in the store")
            assert first.proc is not None
            servers = psutil.Process(first.proc.pid).children(recursive=True)
            names = " ".join(" ".join(p.cmdline()) for p in servers)
            assert "rasa_runtime.launcher" in names and "actions" in names, names
        finally:
            first.kill()
        await eventually(lambda: all(gone(p.pid) for p in servers), timeout=60,
                         what=f"the servers {[p.pid for p in servers]} to end with the killed bot")

    async with LocalBotApi(token=TOKEN) as api:  # a new Bot API: message ids from 1 again
        people(api)
        customer = api.user(demo.CUSTOMER.telegram_user_id)
        second = BotProcess(tmp_path, {**env, "TELEGRAM_API_URL": api.base_url}, args=()).start()
        try:
            await customer.send("hello? is anyone there?")
            await eventually(
                lambda: any("hello? is anyone there?" in (m.text or "")
                            for uid in STAFF_IDS for m in api.sent_messages(uid)),
                timeout=600, what="the customer's message relayed to staff after the restart")
            assert open_tickets(database) == [(demo.CUSTOMER.telegram_user_id, "waiting")]
        finally:
            code = await second.terminate(wait=60)
    assert code == 0, second.output[-3000:]
    for run in (first, second):
        assert "Traceback" not in run.output and "UNIQUE constraint" not in run.output, run.output[-3000:]
