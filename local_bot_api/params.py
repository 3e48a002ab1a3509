"""Decode Bot API call parameters the way Telegram does, whatever the request encoding.

Telegram accepts a query string, JSON, form-urlencoded and multipart bodies. In the form
encodings every value is a string: numbers and booleans are written out, and objects
(reply_markup, entities, ...) are JSON text. PTB relies on this, sending form fields with
JSON-encoded values and switching to multipart when a file is attached. The parameter
kinds below let one decoder give every method typed values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import bad_request

INT_PARAMS = frozenset(
    {
        "from_chat_id", "message_id", "offset", "limit", "timeout", "user_id",
        "reply_to_message_id", "cache_time", "max_connections", "duration", "width", "height",
        "message_thread_id", "icon_color",
    }
)  # fmt: skip
BOOL_PARAMS = frozenset(
    {
        "disable_notification", "protect_content", "drop_pending_updates", "show_alert",
        "allow_sending_without_reply", "has_spoiler", "show_caption_above_media",
        "disable_content_type_detection", "disable_web_page_preview", "allow_paid_broadcast",
    }
)  # fmt: skip
JSON_PARAMS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "reply_parameters", "allowed_updates",
        "commands", "scope", "link_preview_options", "message_ids",
    }
)  # fmt: skip


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot sent in a multipart part, kept with the name and type it declared."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:  # keeps call logs readable: no kilobytes of image bytes
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of one call, typed; uploaded files appear as :class:`UploadedFile`."""
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise bad_request("can't parse JSON request body") from exc
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            raw.update(body)
        elif ctype == "multipart/form-data":
            raw.update(await _read_multipart(request))
        else:
            raw.update(await request.post())
    params = {name: _coerce(name, value) for name, value in raw.items()}
    return _resolve_attachments(params)


async def _read_multipart(request: web.Request) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = await part.read()
        if part.filename is not None:
            ctype = part.headers.get("Content-Type", "application/octet-stream")
            fields[part.name] = UploadedFile(part.filename, ctype, bytes(data))
        else:
            fields[part.name] = data.decode(part.get_charset("utf-8"))
    return fields


def _coerce(name: str, value: Any) -> Any:
    if isinstance(value, UploadedFile) or not isinstance(value, str):
        return value
    if name == "chat_id":
        return value if value.startswith("@") else _as_int(name, value)
    if name in INT_PARAMS:
        return _as_int(name, value)
    if name in BOOL_PARAMS:
        return value.strip().lower() in {"true", "1"}
    if name in JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(f"can't parse {name} JSON object") from exc
    return value


def _as_int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        if name == "chat_id":
            raise bad_request("chat not found") from exc
        raise bad_request(f"invalid {name} specified") from exc


def _resolve_attachments(params: dict[str, Any]) -> dict[str, Any]:
    """Replace ``attach://<name>`` references with the multipart part of that name."""
    resolved = {}
    for name, value in params.items():
        if isinstance(value, str) and value.startswith("attach://"):
            part = params.get(value.removeprefix("attach://"))
            if not isinstance(part, UploadedFile):
                raise bad_request(f"wrong file identifier/HTTP URL specified for {name}")
            value = part
        resolved[name] = value
    return resolved
