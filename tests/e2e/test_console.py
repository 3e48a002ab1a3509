"""The console chat drives the same bot, Rasa server and actions as Telegram does."""

from __future__ import annotations

import io

import pytest

from bot.console import ConsoleChat
from local_bot_api import LocalBotApi

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.usefixtures("polling_bot")
async def test_console_journey_as_customer_then_other_customer(api: LocalBotApi) -> None:
    script = io.StringIO(
        "where is my order 1042?\n"
        "/as other\n"
        "where is my order 1042?\n"
        "/press 3\n"
        "/quit\n"
        "never sent\n"
    )
    out = io.StringIO()
    await ConsoleChat(api, out=out).run(script)
    transcript = out.getvalue()
    dana, omar = transcript.split("You are now Omar Other")
    assert "bot> Order 1042" in dana and "JJD000390007782" in dana
    assert "I can't find order 1042 on your account" in omar
    assert "No such button" in omar
    assert "never sent" not in transcript
