"""What the assistant says, independent of transport: text, buttons and rich payloads.

Actions turn a Reply into Rasa messages; the bot renders those for Telegram or the
console. Rich payloads travel as a small versioned dict (see `payload`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from shop.i18n import N_

PAYLOAD_VERSION = 1
MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data
TALK_TO_PERSON = N_("Talk to a person")  # the title of every button that asks for a person


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


def read_intent_payload(text: str) -> tuple[str, dict[str, str]] | None:
    """The intent and entities of a message written by `intent_payload`; None for any other text."""
    match = re.fullmatch(r"/(\w+)(\{.*\})?", text.strip(), flags=re.DOTALL)
    if match is None:
        return None
    try:
        entities = json.loads(match.group(2)) if match.group(2) else {}
    except json.JSONDecodeError:
        return None
    if not isinstance(entities, dict):
        return None
    return match.group(1), {str(k): str(v) for k, v in entities.items()}


def payload(kind: str, **fields: Any) -> dict[str, Any]:
    """A rich reply (photo, contact request, rating keyboard) in the versioned format."""
    return {"cs": PAYLOAD_VERSION, "type": kind, **fields}


def parse_payload(custom: object) -> dict[str, Any] | None:
    """The payload if it is one of ours in a version we understand, else None."""
    if isinstance(custom, dict) and custom.get("cs") == PAYLOAD_VERSION and "type" in custom:
        return custom
    return None
