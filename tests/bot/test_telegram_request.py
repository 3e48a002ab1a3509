"""The bot's Bot API requests over aiohttp (bot/telegram_request.py) against the local Bot API:
form and multipart bodies arrive as with PTB's own httpx request, and failures are the errors
PTB's callers expect (no connection: NetworkError; too slow: TimedOut)."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.proxies import proxy_for
from bot.telegram_request import AiohttpRequest
from local_bot_api import LocalBotApi
from tests.bot_process import held_port

TOKEN = "515151:REQUEST-token"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # not a picture: the bytes are what counts


def bot_for(api_url: str, request: AiohttpRequest | None = None) -> Bot:
    return Bot(TOKEN, base_url=api_url, request=request or AiohttpRequest(),
               get_updates_request=AiohttpRequest(connection_pool_size=1))


async def test_a_message_with_buttons_and_a_photo_arrive_as_sent() -> None:
    async with LocalBotApi(token=TOKEN) as api:
        dana = api.user(1001, "Dana")
        async with bot_for(api.base_url) as bot:
            assert bot.bot.username  # getMe, a call without parameters
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes, please", callback_data="r:/affirm")]])
            await bot.send_message(dana.id, "Shall I pass this to a person? Ünïcode ✓ 订单",
                                   reply_markup=markup)
            await bot.send_photo(dana.id, photo=PNG, caption="CSAT this month")
        text, photo = api.sent_messages(dana.id)
    assert text.text == "Shall I pass this to a person? Ünïcode ✓ 订单"
    assert text.reply_markup == markup.to_dict()
    assert photo.message["caption"] == "CSAT this month" and photo.media == PNG


async def test_a_refusal_is_the_bot_api_s_own_error() -> None:
    async with LocalBotApi(token=TOKEN) as api, bot_for(api.base_url) as bot:
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(999_999, "nobody there")


async def test_no_server_is_a_network_error_and_a_slow_one_a_time_out() -> None:
    with held_port() as port, pytest.raises(NetworkError) as refused:
        async with bot_for(f"http://127.0.0.1:{port}/bot"):  # getMe on the way in
            pass
    assert type(refused.value) is NetworkError  # not TimedOut: the rate limiter retries only this one
    async with LocalBotApi(token=TOKEN) as api:
        dana = api.user(1001, "Dana")
        async with bot_for(api.base_url, AiohttpRequest(read_timeout=0.3)) as bot:
            api.set_delay("sendMessage", 2.0)
            with pytest.raises(TimedOut):
                await bot.send_message(dana.id, "too slow")
            api.set_delay("sendMessage", 0)
            await bot.send_message(dana.id, "quick again")
        assert [m.text for m in api.sent_messages(dana.id)][-1] == "quick again"


def test_the_proxy_comes_from_the_environment_as_httpx_took_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert proxy_for("https://api.telegram.org/bot1:x/getMe") == "http://proxy.example:3128"
    assert proxy_for("https://localhost:8081/bot1:x/getMe") is None  # NO_PROXY
    assert proxy_for("http://rasa.internal:5005/webhooks/rest/webhook") is None  # no HTTP_PROXY
