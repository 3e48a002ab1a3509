"""Security across the bot: the webhook's secret, roles on every staff action, secrets in logs.

(Per-user limits on incoming messages are in tests/bot/test_rate_limits.py.)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from local_bot_api import LocalBotApi
from shop import demo
from shop.models import Ticket
from tests.bot_harness import bot_with_fake_rasa, store_settings
from tests.bot_process import BotProcess, free_port
from tests.stub_rasa import StubRasa
from tests.waiting import all_handled, eventually

SECRET = "webhook-secret-0123456789"


def forged_message(user_id: int, text: str, update_id: int = 900_001) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 4242, "date": int(time.time()), "text": text,
        "chat": {"id": user_id, "type": "private", "first_name": "Forger"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Forger"}}}


# --- the webhook ---------------------------------------------------------------------------


async def test_the_webhook_refuses_requests_without_the_secret_token(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    async with bot_with_fake_rasa(tmp_path, webhook_url=url, webhook_port=port,
                                  webhook_secret=SecretStr(SECRET)) as bot, httpx.AsyncClient() as client:
        forged = forged_message(demo.CUSTOMER.telegram_user_id, "where is my order 1042?")
        missing = await client.post(url, json=forged)
        wrong = await client.post(url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        assert (missing.status_code, wrong.status_code) == (403, 403)

        # Telegram (the local Bot API, which holds the secret from setWebhook) gets through.
        dana = bot.api.user(demo.CUSTOMER.telegram_user_id)
        await dana.send("hello")
        [reply] = await dana.wait_for(1)
        assert reply.text == "You said: hello"
        # Dana's chat is handled in order: had the forged updates been taken, they came first.
        assert bot.rasa.received == [(dana.id, "hello")]  # nothing of them reached the handlers
        signed = forged_message(demo.CUSTOMER.telegram_user_id, "forged but signed")
        right = await client.post(url, json=signed, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert right.status_code == 200  # the secret is the whole check: keep it secret


# --- roles ---------------------------------------------------------------------------------


STAFF_COMMANDS = ["/queue", "/claim 1", "/resolve 1", "/transfer 1 2", "/escalate 1", "/note 1 hi",
                  "/reply 1 your order is cancelled", "/c thanks 1", "/canned add thanks Hi {name}",
                  "/canned delete thanks"]
STAFF_BUTTONS = ["t:claim:1", "t:resolve:1", "t:transfer:1", "t:to:1:1002"]


async def test_no_staff_action_works_for_a_customer(tmp_path: Path) -> None:
    """Every staff command and button, from a customer, changes nothing and reaches nobody else."""
    async with bot_with_fake_rasa(tmp_path) as bot:
        api = bot.api
        dana, omar = api.user(demo.CUSTOMER.telegram_user_id), api.user(demo.OTHER_CUSTOMER.telegram_user_id)
        api.user(demo.OWNER.telegram_user_id)
        api.user(demo.STAFF.telegram_user_id)
        bot.rasa.down = True  # the bot cannot answer Dana: a ticket opens for a person
        await dana.send("where is my order 1042?")
        await dana.wait_for(1)
        await eventually(lambda: all(any("New ticket" in (m.text or "") for m in api.sent_messages(uid))
                                     for uid in (1, 2)), what="staff alerted (the sweep)")
        ticket = await bot.services.in_transaction(lambda s: s.scalars(
            select(Ticket).where(Ticket.telegram_user_id == dana.id, Ticket.reason == "bot_error")).one())
        before = (ticket.id, ticket.status, ticket.assignee_telegram_id)
        chats = {uid: len(api.sent_messages(uid)) for uid in (dana.id, 1, 2)}

        for command in STAFF_COMMANDS:
            await omar.send(command.replace(" 1", f" {ticket.id}", 1))
        for data in STAFF_BUTTONS:
            await press_forged(api, omar.id, data.replace(":1", f":{ticket.id}", 1))
        await all_handled(api)

        after = await bot.services.in_transaction(lambda s: s.get(Ticket, ticket.id))
        assert after is not None
        assert (after.id, after.status, after.assignee_telegram_id) == before
        assert {uid: len(api.sent_messages(uid)) for uid in (dana.id, 1, 2)} == chats
        for message in omar.sent_messages():
            assert "Dana" not in (message.text or "") and "1042" not in (message.text or "")
        answers = [api.calls_to("answerCallbackQuery")[-i]["text"] for i in range(1, len(STAFF_BUTTONS) + 1)]
        assert all(answers), answers  # each press was answered (refused), none left hanging


async def press_forged(api: LocalBotApi, user_id: int, data: str) -> None:
    """A callback query with data the user's own keyboard never had (a modified client)."""
    from local_bot_api.world import CallbackRecord

    user = api.user(user_id)
    query_id = f"forged-{user_id}-{data}"
    api.world.callbacks[query_id] = CallbackRecord(user_id, time.monotonic())
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": user_id, "type": "private",
               "first_name": user.account.first_name}, "text": "…"}
    api._updates.push("callback_query", {"id": query_id, "from": user.account.as_user(),
                                         "message": message, "chat_instance": "1", "data": data})


# --- secrets in the logs -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_no_secret_reaches_the_logs_even_at_debug(tmp_path: Path, mode: str) -> None:
    token = "987654:SUPER-SECRET-bot-token-value"
    order_api_token = "order-api-secret-value-42"
    settings = store_settings(tmp_path)
    env = {"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": settings.database_url, "LOG_LEVEL": "DEBUG",
           "ORDER_API_TOKEN": order_api_token}
    async with LocalBotApi(token=token) as api, StubRasa() as rasa:
        env |= {"TELEGRAM_API_URL": api.base_url, "RASA_URL": rasa.url}
        if mode == "webhook":
            port = free_port()
            env |= {"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_PORT": str(port),
                    "WEBHOOK_SECRET": SECRET}
        bot = BotProcess(tmp_path, env).start()
        try:
            user = api.user(demo.CUSTOMER.telegram_user_id)
            await user.send("hello")
            [reply] = await user.wait_for(1, timeout=60)
            assert reply.text == "You said: hello"
        finally:
            await bot.terminate()
    output = bot.output
    assert "DEBUG" in output and "sendMessage" in output  # the bot did log its Bot API calls
    for secret in (token, token.split(":")[1], order_api_token, SECRET):
        assert secret not in output, f"{secret!r} leaked into the logs"
    assert "[redacted]" in output
