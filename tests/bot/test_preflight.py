"""Start-up against the Bot API: unreachable is one line and another try, a refused token one
line and the end; never a traceback, and before Rasa is started. Everything on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.preflight import BotApiRefused, wait_for_bot_api
from local_bot_api import LocalBotApi
from shop.settings import Settings
from tests.bot_harness import store_settings
from tests.bot_process import BotProcess, free_port, held_port
from tests.waiting import eventually

TOKEN = "424242:PREFLIGHT-right-token"
WRONG = "424242:PREFLIGHT-wrong-token"


def settings_for(url: str, token: str) -> Settings:
    return Settings(_env_file=None, telegram_api_url=url,  # type: ignore[call-arg]
                    telegram_bot_token=SecretStr(token))


async def test_an_unreachable_bot_api_is_tried_again_with_growing_pauses_until_it_answers(
        caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    api = LocalBotApi(token=TOKEN, port=port)
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            await api.start()  # the network is back

    try:
        with caplog.at_level(logging.WARNING, logger="bot.preflight"):
            me = await wait_for_bot_api(settings_for(f"http://127.0.0.1:{port}/bot", TOKEN), sleep=pause,
                                        first_pause=1, longest_pause=3)
    finally:
        await api.stop()
    assert me.id == 424242 and pauses == [1, 2, 3]
    [first, *_] = caplog.records
    assert first.getMessage().startswith(
        f"Telegram's Bot API at http://127.0.0.1:{port}/bot is unreachable (")
    assert "check the network" in first.getMessage() and first.exc_info is None
    assert all("PREFLIGHT" not in record.getMessage() for record in caplog.records)


async def test_a_refused_token_is_not_tried_again() -> None:
    async with LocalBotApi(token=TOKEN) as api:
        with pytest.raises(BotApiRefused) as refused:
            await wait_for_bot_api(settings_for(api.base_url, WRONG))
    assert str(refused.value).startswith(f"Telegram's Bot API at {api.base_url} refused the bot token: "
                                         "check TELEGRAM_BOT_TOKEN")
    assert "wrong-token" not in str(refused.value)


# --- `python -m bot` as a process --------------------------------------------------------------


def said(bot: BotProcess) -> list[str]:
    """What the process printed, less the store's migration lines (alembic at INFO)."""
    return [line for line in bot.output.strip().splitlines() if " alembic." not in line]


def bot_env(folder: Path, url: str, token: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": url,
            "DATABASE_URL": store_settings(folder).database_url,
            # were Rasa started first, a missing model would end the start before Telegram is asked
            "RASA_MODEL": str(folder / "no-model.tar.gz")}


async def test_the_assistant_with_a_refused_token_says_so_in_one_line_before_starting_rasa(
        tmp_path: Path) -> None:
    async with LocalBotApi(token=TOKEN) as api:
        bot = BotProcess(tmp_path, bot_env(tmp_path, api.base_url, WRONG), args=("--no-demo",)).start()
        assert bot.proc is not None
        code = await asyncio.to_thread(bot.proc.wait, 60)
        bot._join()
    assert code == 2, bot.output
    [line] = said(bot)
    assert f"ERROR bot: Telegram's Bot API at {api.base_url} refused the bot token" in line
    assert "wrong-token" not in bot.output


async def test_the_assistant_without_a_bot_api_says_so_in_one_line_and_keeps_trying(tmp_path: Path) -> None:
    with held_port() as port:  # nothing listens there
        url = f"http://127.0.0.1:{port}/bot"
        bot = BotProcess(tmp_path, bot_env(tmp_path, url, TOKEN), args=("--no-demo",)).start()
        try:
            await eventually(lambda: bot.output.count("is unreachable") >= 2, timeout=30,
                             what="two tries, each one line")
        finally:
            code = await bot.terminate()
    lines = said(bot)
    assert len(lines) == 2, bot.output
    assert all(f"WARNING bot.preflight: Telegram's Bot API at {url} is unreachable (" in line
               for line in lines)
    assert "Trying again in 1 s." in lines[0] and "Trying again in 2 s." in lines[1]
    assert code == 0  # SIGTERM while waiting for Telegram: a clean stop
