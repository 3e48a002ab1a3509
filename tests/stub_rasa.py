"""A stand-in Rasa REST channel over HTTP, for tests of a bot running as a real process.

It answers "You said: <text>" after an optional delay, counts what it received, and can
hang (a slow Rasa). Language understanding is beside the point in those tests; what is
tested is what the bot process does with its updates, its logs and its failures.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from aiohttp import web


class StubRasa:
    def __init__(self, *, delay: float | Callable[[str], float] = 0.0) -> None:
        self.delay = delay  # seconds, or seconds for a given text
        self.received: list[tuple[str, str]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def counts(self) -> Counter[str]:
        return Counter(text for _, text in self.received)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._message)
        app.router.add_get("/status", self._status)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StubRasa:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _message(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append((body["sender"], body["message"]))
        delay = self.delay(body["message"]) if callable(self.delay) else self.delay
        if delay:
            await asyncio.sleep(delay)  # a slow Rasa is what this fake plays: the time is the point
        return web.json_response([{"recipient_id": body["sender"], "text": f"You said: {body['message']}"}])

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response({"model_file": "stub.tar.gz"})
