"""Bot API error answers, raised anywhere in a method and turned into JSON by the server."""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """An unsuccessful Bot API answer: ``{"ok": false, "error_code": N, "description": ...}``.

    The description carries Telegram's prefix ("Bad Request: ...", "Forbidden: ..."), as the
    real server does, because clients (PTB included) show it verbatim.
    """

    def __init__(
        self, error_code: int, description: str, *, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> BotApiError:
    """400, the answer to a call Telegram understood but will not carry out."""
    return BotApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> BotApiError:
    """403, the answer when the user does not let the bot write to them."""
    return BotApiError(403, f"Forbidden: {reason}")


def injected(error_code: int, description: str, retry_after: int | None) -> BotApiError:
    """An error a test asked for; 429 carries ``parameters.retry_after`` like a real flood wait."""
    parameters = {"retry_after": retry_after} if retry_after is not None else None
    return BotApiError(error_code, description, parameters=parameters)
