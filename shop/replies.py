"""What the assistant says, independent of transport: text, buttons and rich payloads.

Actions turn a Reply into Rasa messages; the bot renders those for Telegram or the
console. Rich payloads travel as a small versioned dict (see `payload`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PAYLOAD_VERSION = 1
MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data


@dataclass(frozen=True)
class Button:
    title: str
    payload: str  # a Rasa message, e.g. '/order_status{"order_id":"1042"}'

    def __post_init__(self) -> None:
        if len(self.payload.encode()) > MAX_CALLBACK_BYTES - 2:
            raise ValueError(f"button payload too long for Telegram: {self.payload!r}")


@dataclass(frozen=True)
class Reply:
    text: str | None = None
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = None


def intent_payload(intent: str, **entities: str) -> str:
    """A Rasa message that triggers `intent` with `entities`, compact enough for a button."""
    if not entities:
        return f"/{intent}"
    inner = ",".join(f'"{k}":"{v}"' for k, v in entities.items())
    return f"/{intent}{{{inner}}}"


def payload(kind: str, **fields: Any) -> dict[str, Any]:
    """A rich reply (photo, contact request, rating keyboard) in the versioned format."""
    return {"cs": PAYLOAD_VERSION, "type": kind, **fields}


def parse_payload(custom: object) -> dict[str, Any] | None:
    """The payload if it is one of ours in a version we understand, else None."""
    if isinstance(custom, dict) and custom.get("cs") == PAYLOAD_VERSION and "type" in custom:
        return custom
    return None
