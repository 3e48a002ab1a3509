"""End-to-end fixtures: the real Rasa server, the real action server, the real bot.

Rasa and the action server start once per test session (Rasa needs about a minute to
load its model); the local Bot API and the bot start per test module.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_application
from bot.runtime import running
from bot.services import Services
from local_bot_api import LocalBotApi
from rasa_runtime.supervisor import Supervisor, server_specs
from shop.db import make_engine, make_session_factory
from shop.models import Role, TelegramAccount, Ticket
from shop.settings import PROJECT_ROOT, Settings
from shop.startup import prepare_store
from tests.e2e.handoff_support import STAFF_ROLES, store

TOKEN = "123456:E2E-TEST-TOKEN"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for an isolated assistant: its own store, tracker store and ports."""
    var = tmp_path_factory.mktemp("e2e")
    rasa_port = free_port()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{var / 'shop.db'}",
        rasa_tracker_store_url=f"sqlite:///{var / 'tracker.db'}",
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_server_port=free_port(),
        rasa_model=PROJECT_ROOT / "models" / "current.tar.gz",
        tz="Europe/Berlin",
        # The local Bot API has no flood limits and tests type fast: the limits are tested
        # on their own (tests/bot/test_rate_limits.py), not in every journey.
        telegram_rate_per_chat=0, telegram_rate_per_group=0, incoming_limit=0,
    )
    prepare_store(settings, now=datetime.now(UTC), demo_data=True)
    return settings


@pytest.fixture(scope="session")
def servers(e2e_settings: Settings) -> Iterator[Supervisor]:
    log_dir = Path(str(e2e_settings.database_url).removeprefix("sqlite:///")).parent / "logs"
    with Supervisor(server_specs(e2e_settings), log_dir=log_dir) as supervisor:
        supervisor.start()
        supervisor.wait_ready(timeout=300)
        yield supervisor


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(token=TOKEN)
    await server.start()
    yield server
    await server.stop()


def bot_settings(base: Settings, api: LocalBotApi, **overrides: object) -> Settings:
    return base.model_copy(update={"telegram_api_url": api.base_url, **overrides})


@contextmanager
def store_closing_tickets(settings: Settings, first_user: int,
                          count: int = 10_000) -> Iterator[sessionmaker[Session]]:
    """The e2e store for a module whose customers are Telegram users first_user .. + count - 1;
    the tickets they leave open are resolved afterwards, so other modules' staff queues (the
    store is shared by the whole session) don't see them."""
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    try:
        yield sessions
        with store(sessions) as session:
            for ticket in session.scalars(select(Ticket).where(
                    Ticket.telegram_user_id.between(first_user, first_user + count - 1),
                    Ticket.status != "resolved")):
                ticket.status, ticket.resolved_at = "resolved", datetime.now(UTC)
    finally:
        engine.dispose()


@asynccontextmanager
async def run_bot(settings: Settings) -> AsyncIterator[None]:
    """The real bot (its services and Application, polling or webhook) for `settings`."""
    async with Services.create(settings) as services, \
            running(build_application(services, token=TOKEN), settings):
        yield


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def polling_bot(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi) -> AsyncIterator[None]:
    settings = bot_settings(e2e_settings, api)
    async with run_bot(settings):
        yield


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def webhook_bot(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi) -> AsyncIterator[None]:
    port = free_port()
    settings = bot_settings(e2e_settings, api, webhook_url=f"http://127.0.0.1:{port}/telegram",
                            webhook_port=port, webhook_secret=SecretStr("e2e-secret"))
    async with run_bot(settings):
        yield


@pytest.fixture(scope="module")
def sessions(e2e_settings: Settings) -> Iterator[sessionmaker[Session]]:
    """The shared e2e store, for the staff-desk modules; the demo team's roles are restored
    when the module is done (tests there make and unmake staff)."""
    engine = make_engine(e2e_settings.database_url)
    factory = make_session_factory(engine)
    with store(factory) as session:
        before = {tid: role for tid, role in session.execute(
            select(TelegramAccount.telegram_user_id, TelegramAccount.role)
            .where(TelegramAccount.role.in_(STAFF_ROLES)))}
    yield factory
    with store(factory) as session:
        for account in session.scalars(select(TelegramAccount).where(
                TelegramAccount.role.in_(STAFF_ROLES) | TelegramAccount.telegram_user_id.in_(before))):
            account.role = before.get(account.telegram_user_id, Role.customer.value)
    engine.dispose()
