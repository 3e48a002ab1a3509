"""The tests' one way to wait: for the thing itself, never for a fixed time (STYLE.md 14).

A test that sleeps and then asserts passes or fails by the machine's speed. These wait until
a check holds, and fail with what was awaited once `timeout` has passed. To assert that
nothing happened, first wait for a later event that proves the earlier one was handled
(for a polling bot: `all_handled`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from local_bot_api import LocalBotApi

T = TypeVar("T")

POLL = 0.02  # seconds between checks when nothing wakes the wait sooner

Wake = Callable[[float], Awaitable[object]]


async def eventually(check: Callable[[], T], *, timeout: float = 10.0,  # noqa: ASYNC109 - a deadline per wait
                     what: str = "the condition", wake: Wake | None = None, poll: float = POLL) -> T:
    """check()'s first truthy value, checked every `poll` seconds, or as soon as `wake(seconds)`
    returns (a local Bot API chat's ``signal.wait``: the chat changed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := check()):
        left = deadline - loop.time()
        if left <= 0:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last: {value!r}")
        await (wake or asyncio.sleep)(min(left, poll))
    return value


def eventually_sync(check: Callable[[], T], *, timeout: float = 10.0, what: str = "the condition",
                    poll: float = POLL) -> T:
    """eventually() outside an event loop: a check that blocks (a database inspection)."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last: {value!r}")
        time.sleep(min(left, poll))
    return value


async def all_handled(api: LocalBotApi, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Every update sent to a polling bot was handled: the bot confirms an update to the Bot
    API only once its handler has finished (bot/polling.py), so nothing more comes of it."""
    await eventually(lambda: api.pending_updates == 0, timeout=timeout,
                     what="the bot to handle and confirm every update")
