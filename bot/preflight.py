"""Reach Telegram's Bot API before anything heavy starts (Rasa loads its model for a minute).

An unreachable Bot API is one log line saying where and what to check, then another try
with a growing pause; a refused token is one line and the end (no retry mends it).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram import Bot, User
from telegram.error import InvalidToken, NetworkError, TelegramError

from shop.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_PAUSE = 1.0  # seconds before the second try; doubled after each failure
LONGEST_PAUSE = 60.0


class BotApiRefused(RuntimeError):
    """The Bot API answered and refused: the token, or another error no retry mends."""


def where(settings: Settings) -> str:
    """The Bot API's address as configured (it never holds the token: PTB appends it)."""
    return settings.telegram_api_url


async def wait_for_bot_api(settings: Settings, *, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                           first_pause: float = FIRST_PAUSE, longest_pause: float = LONGEST_PAUSE) -> User:
    """The bot's own user (getMe), once the Bot API answers; BotApiRefused if it refuses."""
    assert settings.telegram_bot_token is not None
    pause = first_pause
    while True:
        try:
            async with Bot(settings.telegram_bot_token.get_secret_value(),
                           base_url=settings.telegram_api_url) as bot:
                return bot.bot
        except InvalidToken:  # its message quotes the token: not shown
            raise BotApiRefused(
                f"Telegram's Bot API at {where(settings)} refused the bot token: check "
                "TELEGRAM_BOT_TOKEN (@BotFather's /token shows it again) and, for a Bot API server "
                "of your own, TELEGRAM_API_URL.") from None
        except NetworkError as exc:  # no connection, a time-out, a 5xx: it may come back
            log.warning("Telegram's Bot API at %s is unreachable (%s): check the network, a proxy "
                        "(HTTPS_PROXY) or TELEGRAM_API_URL. Trying again in %.0f s.",
                        where(settings), exc, pause)
        except TelegramError as exc:
            raise BotApiRefused(f"Telegram's Bot API at {where(settings)} refused getMe: {exc}") from None
        await sleep(pause)
        pause = min(pause * 2, longest_pause)


async def until_stopped(work: Coroutine[Any, Any, T]) -> T | None:
    """`work`'s result, or None when SIGINT or SIGTERM stops it first.

    The signal cancels the work at its next await. (A KeyboardInterrupt raised by the signal
    wherever the event loop happens to be, as Python's default handler does, could leave
    asyncio.run() waiting on the half-closed connection for good.)"""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    stops = (signal.SIGINT, signal.SIGTERM)
    for sig in stops:
        loop.add_signal_handler(sig, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        if task.cancelled():
            return None
        raise
    finally:
        for sig in stops:
            loop.remove_signal_handler(sig)
