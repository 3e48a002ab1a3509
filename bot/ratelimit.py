"""Rate limits both ways: what the bot sends to Telegram, and what one user may send the bot.

Outgoing: Telegram answers 429 to a bot that sends more than about 30 messages a second
overall, one a second in a private chat or 20 a minute in a group. PTB's AIORateLimiter
meters with leaky buckets, which let up to 2N-1 requests through in one window of a
"N per window" limit (a full bucket, then the refill); :class:`OutgoingRateLimiter` keeps
AIORateLimiter's handling of 429 (wait ``retry_after``, hold every other request, retry)
and meters with sliding windows instead, so no window of the period ever holds more
than the limit. It also retries the Bot API's transient 5xx and connection failures, so a
reply is not lost to a hiccup of Telegram's.

Incoming: :class:`IncomingLimiter` lets each user send at most ``limit`` messages in any
``window`` seconds; the first message over the limit gets one polite reply, the rest are
dropped until the window clears, before anything reaches Rasa or the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import NetworkError
from telegram.ext import AIORateLimiter

from bot.services import BotContext
from shop.settings import Settings

log = logging.getLogger(__name__)

SLOW_DOWN = ("You're sending messages faster than I can read them. Please wait a few seconds, "
             "then send your question again.")
SERVER_ERROR_BACKOFF = (0.5, 1.0, 2.0, 4.0)  # seconds before each retry of a 5xx
# Methods that put a new message in a chat: what Telegram's per-chat and per-group limits count.
# A group's limit is one budget for all its forum topics (they share the chat id); opening,
# renaming, closing or reopening a topic and pinning post a service message there, so they count.
FORWARDS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
SERVICE_MESSAGES = frozenset({"createForumTopic", "editForumTopic", "closeForumTopic", "reopenForumTopic",
                              "pinChatMessage"})


def creates_message(endpoint: str) -> bool:
    return endpoint in FORWARDS or endpoint in SERVICE_MESSAGES or (
        endpoint.startswith("send") and endpoint != "sendChatAction")


class SlidingWindow:
    """At most ``limit`` sends in any ``period`` seconds, counted from when each send ended.

    Telegram counts a message when it arrives, which is after we send it and before its
    answer comes back: counting from the answer (a send still in flight holds its place)
    keeps every window honest however long the requests take on the way.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.slots: list[list[float]] = []  # [end time], math.inf while in flight
        self.lock = asyncio.Lock()
        self.ended = asyncio.Event()

    @classmethod
    def per(cls, rate: float, unit: float) -> SlidingWindow | None:
        """A window for ``rate`` sends per ``unit`` seconds (None when rate is 0: no limit)."""
        if rate <= 0:
            return None
        limit = max(1, math.ceil(rate))
        return cls(limit, limit * unit / rate)

    def wait_time(self, now: float) -> float:
        """Seconds until one more send fits (math.inf: until a send in flight ends)."""
        self.slots = [slot for slot in self.slots if slot[0] + self.period > now]
        if len(self.slots) < self.limit:
            return 0.0
        return min(slot[0] for slot in self.slots) + self.period - now

    def idle(self, now: float) -> bool:
        return not self.lock.locked() and all(slot[0] + self.period <= now for slot in self.slots)

    async def wait(self) -> None:
        """Wait until one more send fits (the caller holds the lock, so no one else takes it)."""
        loop = asyncio.get_running_loop()
        while (delay := self.wait_time(loop.time())) > 0:
            if delay == math.inf:
                self.ended.clear()
                await self.ended.wait()
            else:
                await asyncio.sleep(delay)


class OutgoingRateLimiter(AIORateLimiter):
    """Telegram's flood limits, per chat, per group and overall, plus retries of 429 and 5xx."""

    MAX_IDLE_WINDOWS = 1024  # forget quiet chats' windows beyond this many

    def __init__(self, *, overall_per_second: float, chat_per_second: float, group_per_minute: float,
                 max_retries: int) -> None:
        # AIORateLimiter's own buckets are off (rate 0); it still waits out 429s and retries.
        super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        self.retries = max_retries
        self._overall = SlidingWindow.per(overall_per_second, 1.0)
        self._chat_rate = chat_per_second
        self._group_rate = group_per_minute
        self._windows: dict[int | str, SlidingWindow] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> OutgoingRateLimiter:
        return cls(overall_per_second=settings.telegram_rate_overall,
                   chat_per_second=settings.telegram_rate_per_chat,
                   group_per_minute=settings.telegram_rate_per_group,
                   max_retries=settings.telegram_max_retries)

    def _window(self, chat_id: object) -> SlidingWindow | None:
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[call-overload]
        if isinstance(chat_id, int) and chat_id > 0:
            rate, unit = self._chat_rate, 1.0
        elif isinstance(chat_id, int | str):  # a group, or a channel by @username
            rate, unit = self._group_rate, 60.0
        else:
            return None
        window = self._windows.get(chat_id)
        if window is None:
            window = SlidingWindow.per(rate, unit)
            if window is None:
                return None
            if len(self._windows) >= self.MAX_IDLE_WINDOWS:
                now = asyncio.get_running_loop().time()
                for key in [k for k, w in self._windows.items() if w.idle(now)]:
                    del self._windows[key]
            self._windows[chat_id] = window
        return window

    async def _acquire(self, chat: SlidingWindow | None) -> list[float] | None:
        """Wait for room in the chat's window, then in the overall one; hold a place in both."""
        windows = [w for w in (chat, self._overall) if w is not None]
        if not windows:
            return None
        async with chat.lock if chat else contextlib.nullcontext():
            if chat:
                await chat.wait()
            async with self._overall.lock if self._overall else contextlib.nullcontext():
                if self._overall:
                    await self._overall.wait()
                slot = [math.inf]
                for window in windows:
                    window.slots.append(slot)
        return slot

    def _release(self, chat: SlidingWindow | None, slot: list[float] | None) -> None:
        if slot is None:
            return
        slot[0] = asyncio.get_running_loop().time()
        for window in (chat, self._overall):
            if window is not None:
                window.ended.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        metered = callback
        if chat_id is not None:
            chat = self._window(chat_id) if creates_message(endpoint) else None

            async def metered(*a: Any, **kw: Any) -> Any:  # every attempt is a send; count each
                slot = await self._acquire(chat)
                try:
                    return await callback(*a, **kw)
                finally:
                    self._release(chat, slot)

        for attempt in range(self.retries + 1):
            try:
                return await super().process_request(metered, args, kwargs, endpoint, data,
                                                     rate_limit_args)
            except NetworkError as exc:
                # Exactly NetworkError: a 5xx answer or no connection. Not BadRequest, Forbidden
                # or TimedOut (a timed-out send may have arrived; retrying could send it twice).
                if type(exc) is not NetworkError or attempt == self.retries:
                    raise
                delay = SERVER_ERROR_BACKOFF[min(attempt, len(SERVER_ERROR_BACKOFF) - 1)]
                log.warning("Bot API %s failed (%s); retrying in %.1f s", endpoint, exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


class IncomingLimiter:
    """At most ``limit`` messages per user in any ``window`` seconds (0 = no limit)."""

    MAX_USERS = 10_000  # beyond this many tracked users, forget the quiet ones

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int) -> str:
        """"ok" (go ahead), "warn" (first one over the limit: say so) or "drop" (stay silent)."""
        if self.limit <= 0:
            return "ok"
        now = self.clock()
        times = self._seen.get(user_id)
        if times is None:
            if len(self._seen) >= self.MAX_USERS:
                self._forget_quiet(now)
            times = self._seen[user_id] = deque(maxlen=self.limit)
        if len(times) == self.limit and times[0] + self.window > now:
            if user_id in self._warned:
                return "drop"
            self._warned.add(user_id)
            return "warn"
        times.append(now)
        self._warned.discard(user_id)
        return "ok"

    def _forget_quiet(self, now: float) -> None:
        for user_id in [u for u, t in self._seen.items() if not t or t[-1] + self.window <= now]:
            del self._seen[user_id]
            self._warned.discard(user_id)


async def over_limit(context: BotContext, user_id: int, chat_id: int) -> bool:
    """True when this message must be dropped (the user was told once to slow down)."""
    verdict = context.bot_data.incoming.check(user_id)
    if verdict == "ok":
        return False
    if verdict == "warn":
        log.info("user %s is over the incoming limit; dropping messages until the window clears",
                 user_id)
        await context.bot.send_message(chat_id, SLOW_DOWN)
    return True
