"""The bot's client for Rasa's REST channel (POST /webhooks/rest/webhook).

``base_url`` may list several Rasa servers, comma-separated (RASA_URL). Each conversation
has its server (the sender id picks it), so the servers share the work while each
conversation's turns are taken one at a time by one server's own lock. A server that
cannot be reached is skipped for a few seconds and the message goes to the next one. That
is safe only for failures where the message never arrived (no connection); a server that
took the message and then failed or timed out is not retried elsewhere, because Rasa may
have acted on it. Several servers must share the tracker store; a Redis lock store also
keeps a conversation whole while it moves to another server (README, "Scaling").
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

from bot.proxies import proxy_for

log = logging.getLogger(__name__)

COOL_DOWN = 5.0  # seconds a server that could not be reached is skipped
# One customer message is one request. A Rasa server works on one core, so more than a few
# requests at once only queue inside it: requests beyond these wait here for a free connection.
MAX_CONNECTIONS = 16
# An idle connection is closed before Rasa (Sanic: 5 s) closes it, so a request never goes
# out on a connection the server is closing at that moment.
KEEPALIVE = 4.0
# aiohttp, not httpx: httpx (with httpcore and anyio) cost about 0.8 ms of CPU per request
# against aiohttp's 0.1 ms on this machine, and it looks over every idle connection of its
# pool on each request; this client makes one request per customer message.


class RasaUnavailable(RuntimeError):
    """Rasa did not answer usefully (down, slow, or an error status)."""


class _Server:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout)
        self._session: aiohttp.ClientSession | None = None
        self.down_until = 0.0

    @property
    def session(self) -> aiohttp.ClientSession:
        """Made on first use, inside the event loop that uses it."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=self.timeout, proxy=proxy_for(self.url),  # HTTP_PROXY, NO_PROXY: as httpx
                connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS, keepalive_timeout=KEEPALIVE))
        return self._session

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST `body` as JSON; the status and the decoded answer (ValueError: not JSON)."""
        async with self.session.post(self.url + path, json=body) as response:
            return response.status, json.loads(await response.read())

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.session.get(self.url + path) as response:
            return response.status, json.loads(await response.read())

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _failure(exc: BaseException) -> str:
    """What went wrong, named as the tests and the logs know it (a timeout says so)."""
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return f"ConnectError: {exc}"
    if isinstance(exc, TimeoutError):  # aiohttp's read timeout is one too
        return f"ReadTimeout: {exc or 'no answer in time'}"
    return f"{type(exc).__name__}: {exc}"


class RasaClient:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        urls = [url.strip().rstrip("/") for url in base_url.split(",") if url.strip()]
        if not urls:
            raise ValueError("no Rasa server URL given")
        self._servers = [_Server(url, timeout) for url in urls]

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self._servers]

    def _order(self, sender_id: int) -> list[_Server]:
        """Every server once, starting with the conversation's own; those cooling down go last."""
        start = sender_id % len(self._servers)
        ring = self._servers[start:] + self._servers[:start]
        now = time.monotonic()
        return [s for s in ring if s.down_until <= now] + [s for s in ring if s.down_until > now]

    async def send(self, sender_id: int, text: str, metadata: dict[str, Any] | None = None
                   ) -> list[dict[str, Any]]:
        """Send one user message; return Rasa's bot messages (text, buttons, custom)."""
        body: dict[str, Any] = {"sender": str(sender_id), "message": text}
        if metadata:
            body["metadata"] = metadata
        failures: list[str] = []
        for server in self._order(sender_id):
            try:
                status, messages = await server.post("/webhooks/rest/webhook", body)
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
                # No connection (refused, unreachable, or none free in time): the message never
                # reached this server, try the next one.
                server.down_until = time.monotonic() + COOL_DOWN
                failures.append(f"{server.url}: {_failure(exc)}")
                log.warning("Rasa at %s unreachable (%s); trying the next server", server.url, exc)
                continue
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                raise RasaUnavailable(f"{server.url}: {_failure(exc)}") from exc
            return self._messages(server, status, messages)
        raise RasaUnavailable("; ".join(failures))

    async def parse(self, sender_id: int, text: str) -> dict[str, Any] | None:
        """What the model understands of `text` (POST /model/parse), with no dialogue turn;
        None when the conversation's server does not answer."""
        server = self._order(sender_id)[0]
        try:
            status, parsed = await server.post("/model/parse", {"text": text})
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("Rasa at %s could not parse a message: %s", server.url, _failure(exc))
            return None
        if status >= 400:
            log.warning("Rasa at %s could not parse a message: HTTP %s", server.url, status)
            return None
        return parsed if isinstance(parsed, dict) else None

    @staticmethod
    def _messages(server: _Server, status: int, messages: Any) -> list[dict[str, Any]]:
        if status >= 400:
            raise RasaUnavailable(f"{server.url}: HTTP {status}: {messages!r:.200}")
        if not isinstance(messages, list):
            raise RasaUnavailable(f"unexpected answer from Rasa: {messages!r:.200}")
        server.down_until = 0.0
        return messages

    async def ready(self) -> bool:
        """True once every Rasa server has loaded a model."""
        async def one(server: _Server) -> bool:
            try:
                status, answer = await server.get("/status")
            except (aiohttp.ClientError, TimeoutError, ValueError):
                return False
            return status == 200 and isinstance(answer, dict) and bool(answer.get("model_file"))
        return all(await asyncio.gather(*(one(s) for s in self._servers)))

    async def aclose(self) -> None:
        await asyncio.gather(*(s.aclose() for s in self._servers))
