"""The weekly digest reaches every reachable owner and no one else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from telegram import Bot

from bot.digest import deliver_digest, ptb_weekday
from bot.services import Services
from local_bot_api import LocalBotApi
from shop import demo
from shop.db import make_engine, make_session_factory
from shop.migrate import upgrade
from shop.models import Role, TelegramAccount
from shop.settings import Settings

TOKEN = "4242:DIGEST"


@pytest_asyncio.fixture(loop_scope="session")
async def setup(tmp_path) -> AsyncIterator[tuple[LocalBotApi, Services]]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        demo.seed_personas(session, now=datetime.now(UTC))
        session.add(TelegramAccount(telegram_user_id=3, chat_id=3, role=Role.owner.value,
                                    started=True, blocked=True))
    engine.dispose()
    async with LocalBotApi(token=TOKEN) as api:
        settings = Settings(_env_file=None, database_url=url, telegram_api_url=api.base_url)  # type: ignore[call-arg]
        async with Services.create(settings) as services:
            yield api, services


@pytest.mark.asyncio(loop_scope="session")
async def test_owner_gets_report_customers_and_blocked_owner_do_not(setup) -> None:
    api, services = setup
    owner = api.user(demo.OWNER.telegram_user_id)
    customer = api.user(demo.CUSTOMER.telegram_user_id)
    blocked_owner = api.user(3)
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        reached = await deliver_digest(bot, services, now=datetime.now(UTC))
    assert reached == [demo.OWNER.telegram_user_id]
    [report] = await owner.wait_for(count=1, timeout=10)
    assert report.text.startswith("Report for")
    assert "Revenue" in report.text
    assert customer.sent_messages() == []
    assert blocked_owner.sent_messages() == []


def test_weekday_numbering_matches_ptb() -> None:
    assert ptb_weekday(0) == 1  # Monday
    assert ptb_weekday(6) == 0  # Sunday
