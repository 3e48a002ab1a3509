"""The walking skeleton: Telegram → bot → Rasa → action server → store → reply."""

from __future__ import annotations

import pytest

from local_bot_api import LocalBotApi
from shop import demo
from shop.orders import NOT_FOUND

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def ask(api: LocalBotApi, user_id: int, text: str) -> str:
    user = api.user(user_id, first_name="Test")
    await user.send(text)
    [reply] = await user.wait_for(count=1, timeout=60)
    assert reply.text is not None
    return reply.text


@pytest.mark.usefixtures("polling_bot")
class TestPolling:
    async def test_customer_gets_the_real_status_of_their_order(self, api: LocalBotApi) -> None:
        text = await ask(api, demo.CUSTOMER.telegram_user_id, "where is my order 1042?")
        assert text.startswith("Order 1042")
        assert "on its way" in text
        assert "JJD000390007782" in text
        assert "Desk lamp" in text

    async def test_unknown_and_foreign_orders_get_the_same_answer(self, api: LocalBotApi) -> None:
        unknown = await ask(api, demo.CUSTOMER.telegram_user_id, "where is my order 9999?")
        foreign = await ask(api, demo.CUSTOMER.telegram_user_id, f"where is my order {demo.OTHER_ORDER}?")
        assert unknown == NOT_FOUND.format(number="9999")
        assert foreign == NOT_FOUND.format(number=demo.OTHER_ORDER)
        assert "Omar" not in foreign

    async def test_hash_prefixed_order_number(self, api: LocalBotApi) -> None:
        text = await ask(api, demo.CUSTOMER.telegram_user_id, "has #1042 shipped?")
        assert text.startswith("Order 1042")


@pytest.mark.usefixtures("webhook_bot")
class TestWebhook:
    async def test_customer_gets_the_real_status_of_their_order(self, api: LocalBotApi) -> None:
        text = await ask(api, demo.CUSTOMER.telegram_user_id, "where is my order 1042?")
        assert text.startswith("Order 1042")
        assert "on its way" in text
