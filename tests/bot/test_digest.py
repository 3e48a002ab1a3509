"""The weekly digest reaches every reachable owner and no one else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy.orm import Session
from telegram import Bot

from bot.digest import deliver_digest, ptb_weekday
from bot.services import Services
from local_bot_api import LocalBotApi
from shop import demo, turns
from shop.db import make_engine, make_session_factory
from shop.faq.answers import answer
from shop.faq.retrieval import FaqLibrary
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


@pytest.mark.asyncio(loop_scope="session")
async def test_each_owner_reads_the_digest_in_their_language(setup) -> None:
    """Two owners, German and Chinese: each gets the report and the week's unanswered question in
    their own language, with that language's dates."""
    api, services = setup
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)

    def prepare(session: Session) -> None:
        owner = session.get(TelegramAccount, demo.OWNER.telegram_user_id)
        assert owner is not None
        owner.reply_language = "de"
        session.add(TelegramAccount(telegram_user_id=4, chat_id=4, role=Role.owner.value,
                                    started=True, reply_language="zh"))
        turns.record_turn(session, telegram_user_id=demo.CUSTOMER.telegram_user_id, intent="ask_faq",
                          confidence=1.0, action="action_answer_faq", now=now - timedelta(days=1))
        answer(session, FaqLibrary(), text="Verkauft ihr Posaunen?",
               telegram_user_id=demo.CUSTOMER.telegram_user_id, now=now - timedelta(days=1), collect=True)

    await services.in_transaction(prepare)
    german, chinese = api.user(demo.OWNER.telegram_user_id), api.user(4)
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        reached = await deliver_digest(bot, services, now=now)
    assert reached == [demo.OWNER.telegram_user_id, 4]
    german_texts = [m.text or m.caption or "" for m in await german.wait_for(count=3, timeout=10)]
    chinese_texts = [m.text or m.caption or "" for m in await chinese.wait_for(count=3, timeout=10)]
    assert german_texts[0].startswith("Bericht für 14.–20. Nov. 2026 (im Vergleich zu 7.–13. Nov. 2026)")
    assert "• Der Umsatz" in german_texts[0] or "• Noch keine Daten für „Umsatz“" in german_texts[0]
    assert german_texts[-1].startswith("❓ Unbeantwortet #") and "Posaunen" in german_texts[-1]
    assert chinese_texts[0].startswith("2026年11月14日至20日报告（对比2026年11月7日至13日）")
    assert chinese_texts[-1].startswith("❓ 未回答 #") and "本周被问了 1 次" in chinese_texts[-1]
