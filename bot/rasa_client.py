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
import logging
import time
from typing import Any

import httpx

log = logging.getLogger(__name__)

COOL_DOWN = 5.0  # seconds a server that could not be reached is skipped
# One customer message is one request. A Rasa server works on one core, so more than a few
# requests at once only queue inside it; and every request makes httpcore look over each
# idle connection of the pool (a socket query each), so a pool of dozens costs more CPU per
# message than it saves. Requests beyond these wait here for a free connection instead.
LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=16)


class RasaUnavailable(RuntimeError):
    """Rasa did not answer usefully (down, slow, or an error status)."""


class _Server:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.client = httpx.AsyncClient(base_url=url, timeout=timeout, limits=LIMITS)
        self.down_until = 0.0


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
                response = await server.client.post("/webhooks/rest/webhook", json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # The message never reached this server: try the next one.
                server.down_until = time.monotonic() + COOL_DOWN
                failures.append(f"{server.url}: {type(exc).__name__}: {exc}")
                log.warning("Rasa at %s unreachable (%s); trying the next server", server.url, exc)
                continue
            except httpx.HTTPError as exc:
                raise RasaUnavailable(f"{server.url}: {type(exc).__name__}: {exc}") from exc
            return self._messages(server, response)
        raise RasaUnavailable("; ".join(failures))

    async def parse(self, sender_id: int, text: str) -> dict[str, Any] | None:
        """What the model understands of `text` (POST /model/parse), with no dialogue turn;
        None when the conversation's server does not answer."""
        server = self._order(sender_id)[0]
        try:
            response = await server.client.post("/model/parse", json={"text": text})
            response.raise_for_status()
            parsed = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("Rasa at %s could not parse a message: %s", server.url, exc)
            return None
        return parsed if isinstance(parsed, dict) else None

    @staticmethod
    def _messages(server: _Server, response: httpx.Response) -> list[dict[str, Any]]:
        try:
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{server.url}: {type(exc).__name__}: {exc}") from exc
        if not isinstance(messages, list):
            raise RasaUnavailable(f"unexpected answer from Rasa: {messages!r:.200}")
        server.down_until = 0.0
        return messages

    async def ready(self) -> bool:
        """True once every Rasa server has loaded a model."""
        async def one(server: _Server) -> bool:
            try:
                response = await server.client.get("/status")
                return response.status_code == 200 and bool(response.json().get("model_file"))
            except (httpx.HTTPError, ValueError):
                return False
        return all(await asyncio.gather(*(one(s) for s in self._servers)))

    async def aclose(self) -> None:
        await asyncio.gather(*(s.client.aclose() for s in self._servers))
