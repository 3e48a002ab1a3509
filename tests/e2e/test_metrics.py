"""Owner metrics through Telegram: a number, a chart; customers and staff are refused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from local_bot_api import BotMessage, FakeUser, LocalBotApi
from shop import demo
from shop.db import make_engine, make_session_factory
from shop.models import Feedback
from shop.owner import REFUSAL
from shop.settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def replies_until(user: FakeUser, done: Callable[[list[BotMessage]], bool],
                        within: float = 60) -> list[BotMessage]:
    """What the bot sent to `user` until `done` holds: owners and staff may also get
    ticket alerts from other tests' open tickets in the shared store meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    seen: list[BotMessage] = []
    while not done(seen):
        seen += await user.wait_for(count=1, timeout=max(0.1, deadline - loop.time()))
    return seen


def texts(messages: list[BotMessage]) -> list[str]:
    return [m.text or "" for m in messages]


@pytest.fixture(scope="module")
def march_ratings(e2e_settings: Settings) -> None:
    """Ratings 5, 5, 4, 2 in March 2024 (CSAT 75%); no other test writes that month."""
    engine = make_engine(e2e_settings.database_url)
    with make_session_factory(engine).begin() as session:
        for day, rating in ((3, 5), (10, 5), (17, 4), (24, 2)):
            session.add(Feedback(rating=rating, created_at=datetime(2024, 3, day, 12, tzinfo=UTC)))
    engine.dispose()


@pytest.mark.usefixtures("polling_bot", "march_ratings")
class TestOwnerMetrics:
    async def test_owner_gets_the_number_with_its_window(self, api: LocalBotApi) -> None:
        owner = api.user(demo.OWNER.telegram_user_id, first_name="Olivia")
        await owner.send("what was our CSAT in March 2024?")
        seen = await replies_until(owner, lambda ms: any("CSAT" in t for t in texts(ms)))
        [answer] = [t for t in texts(seen) if "CSAT" in t]
        assert "75%" in answer
        assert "Mar 2024" in answer

    async def test_owner_gets_a_trend_chart_as_a_photo(self, api: LocalBotApi) -> None:
        owner = api.user(demo.OWNER.telegram_user_id, first_name="Olivia")
        await owner.send("show me the revenue trend this year")
        seen = await replies_until(owner, lambda ms: any(m.photo for m in ms))
        assert any(t.startswith("Revenue") for t in texts(seen))
        [chart] = [m for m in seen if m.photo]
        assert chart.photo is not None and chart.photo.startswith(b"\x89PNG")

    @pytest.mark.parametrize("persona", [demo.CUSTOMER, demo.STAFF])
    async def test_customer_and_staff_are_refused(self, api: LocalBotApi, persona: demo.Persona) -> None:
        user = api.user(persona.telegram_user_id, first_name=persona.name.split()[0])
        await user.send("what was our CSAT in March 2024?")
        seen = await replies_until(user, lambda ms: REFUSAL in texts(ms))
        assert not any("75%" in t for t in texts(seen))
