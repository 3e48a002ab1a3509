"""Pending updates and their two ways out: getUpdates long polling and webhook delivery."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

import aiohttp

from .world import Signal

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = 2.0  # seconds; the backoff stops growing here so a restarted bot catches up

# Telegram's default when allowed_updates is empty or was never given.
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
        "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
        "poll", "poll_answer", "my_chat_member", "chat_join_request", "chat_boost",
        "removed_chat_boost", "business_connection", "business_message",
        "edited_business_message", "deleted_business_messages", "purchased_paid_media",
    }
)  # fmt: skip


class UpdateQueue:
    """Updates not yet confirmed by the bot, in update_id order, filtered by allowed_updates."""

    def __init__(self) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._next_id = 1
        self._allowed = DEFAULT_UPDATE_TYPES
        self.signal = Signal()

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update; None when the bot's allowed_updates filter it out, as Telegram does."""
        if kind not in self._allowed:
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self.signal.fire()
        return update

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Telegram keeps the last list given; an empty list means the default set."""
        if allowed is not None:
            self._allowed = frozenset(allowed) or DEFAULT_UPDATE_TYPES

    @property
    def allowed(self) -> list[str]:
        return sorted(self._allowed)

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset``."""
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()

    def peek(self, limit: int) -> list[dict[str, Any]]:
        return [self._pending[i] for i in range(min(limit, len(self._pending)))]

    def first(self) -> dict[str, Any] | None:
        return self._pending[0] if self._pending else None

    def discard(self, update_id: int) -> None:
        if self._pending and self._pending[0]["update_id"] == update_id:
            self._pending.popleft()

    def clear(self) -> None:
        self._pending.clear()

    def __len__(self) -> int:
        return len(self._pending)


class WebhookDelivery:
    """POSTs pending updates to the webhook one at a time, in order, retrying like Telegram.

    An update leaves the queue only once the endpoint answered 2xx, or after
    ``max_attempts`` failures (Telegram also gives up "after a reasonable amount of
    attempts"); until then later updates wait behind it. Retries back off exponentially
    up to ``MAX_RETRY_DELAY``, so a bot that restarts within the retry window loses nothing.
    """

    def __init__(
        self, queue: UpdateQueue, *, max_attempts: int, retry_delay: float, timeout: float
    ) -> None:
        self.queue = queue
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.url: str | None = None
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._generation = 0  # bumped on every (re)configuration, to abandon stale retries
        self._reconfigured = Signal()
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def configure(self, url: str | None, secret_token: str | None, max_connections: int) -> None:
        self.url, self.secret_token, self.max_connections = url, secret_token, max_connections
        self.last_error_date = self.last_error_message = None
        self._generation += 1
        self._reconfigured.fire()
        self.queue.signal.fire()

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        self._task = asyncio.create_task(self._run(), name="local-bot-api-webhook")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._session:
            await self._session.close()

    async def _run(self) -> None:
        while True:
            update = self.queue.first()
            if self.url is None or update is None:
                await self.queue.signal.wait(None)
                continue
            await self._deliver(update, self.url, self._generation)

    async def _deliver(self, update: dict[str, Any], url: str, generation: int) -> None:
        headers = {}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        for attempt in range(1, self.max_attempts + 1):
            error = await self._post(url, update, headers)
            if generation != self._generation:
                return  # the webhook changed meanwhile; start over with the new setting
            if error is None:
                self.queue.discard(update["update_id"])
                return
            self.last_error_date, self.last_error_message = int(time.time()), error
            log.warning("webhook delivery of update %s failed: %s", update["update_id"], error)
            if attempt < self.max_attempts:
                delay = min(self.retry_delay * 2 ** (attempt - 1), MAX_RETRY_DELAY)
                await self._reconfigured.wait(delay)
                if generation != self._generation:
                    return
        log.warning("gave up on update %s after %s attempts", update["update_id"], attempt)
        self.queue.discard(update["update_id"])

    async def _post(self, url: str, update: dict[str, Any], headers: dict[str, str]) -> str | None:
        """None on a 2xx answer, else the error text getWebhookInfo shows."""
        assert self._session is not None
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {exc}"
