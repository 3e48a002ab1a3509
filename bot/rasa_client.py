"""The bot's client for Rasa's REST channel (POST /webhooks/rest/webhook)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not answer usefully (down, slow, or an error status)."""


class RasaClient:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)

    async def send(self, sender_id: int, text: str, metadata: dict[str, Any] | None = None
                   ) -> list[dict[str, Any]]:
        """Send one user message; return Rasa's bot messages (text, buttons, custom)."""
        body: dict[str, Any] = {"sender": str(sender_id), "message": text}
        if metadata:
            body["metadata"] = metadata
        try:
            response = await self._client.post("/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(messages, list):
            raise RasaUnavailable(f"unexpected answer from Rasa: {messages!r:.200}")
        return messages

    async def ready(self) -> bool:
        """True once Rasa has loaded a model."""
        try:
            response = await self._client.get("/status")
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False

    async def aclose(self) -> None:
        await self._client.aclose()
