"""Bot API methods that put messages in chats or change them: send, edit, copy, delete."""

from __future__ import annotations

import copy
import mimetypes
import time
from typing import Any

from .context import ApiContext, Handler, Params
from .errors import bad_request
from .formatting import Formatted, format_text
from .keyboards import Markup, is_inline, validate_markup
from .params import UploadedFile
from .world import BotMessage, Chat, Message

MAX_TEXT = 4096
MAX_CAPTION = 1024
CONTENT_KEYS = (
    "text", "entities", "photo", "document", "voice", "audio", "video", "animation", "sticker",
    "location", "contact", "caption", "caption_entities", "video_note", "venue", "dice",
)  # fmt: skip
# Telegram's file message kinds other than photo, with the fields their objects carry.
FILE_KINDS = {"document": "sendDocument", "voice": "sendVoice", "audio": "sendAudio",
              "video": "sendVideo", "animation": "sendAnimation"}  # fmt: skip
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


async def send_message(ctx: ApiContext, p: Params) -> Message:
    chat = ctx.world.chat(p.get("chat_id", ""))
    text = _format(p.get("text") or "", p.get("parse_mode"), p.get("entities"), limit=MAX_TEXT)
    if not text.text:
        raise bad_request("message text is empty")
    content: dict[str, Any] = {"text": text.text}
    if text.entities:
        content["entities"] = text.entities
    return _post(ctx, chat, "sendMessage", p, content, raw_text=p.get("text"))


async def send_photo(ctx: ApiContext, p: Params) -> Message:
    chat = ctx.world.chat(p.get("chat_id", ""))
    photo = p.get("photo")
    caption = _caption(p)
    if isinstance(photo, UploadedFile):
        data = photo.data
        sizes = ctx.world.files.photo_sizes(data)
    elif isinstance(photo, str) and photo and not photo.startswith(("http://", "https://")):
        data = ctx.world.files.get(photo).data
        sizes = ctx.world.files.photo_sizes(data)
    elif photo:
        raise bad_request("failed to get HTTP URL content")
    else:
        raise bad_request("there is no photo in the request")
    content = {"photo": sizes, **caption}
    return _post(ctx, chat, "sendPhoto", p, content, raw_text=p.get("caption"), media=data)


def _send_file(kind: str) -> Handler:
    """sendDocument and its siblings: one uploaded or re-sent file plus an optional caption."""

    async def send(ctx: ApiContext, p: Params) -> Message:
        chat = ctx.world.chat(p.get("chat_id", ""))
        upload = p.get(kind)
        caption = _caption(p)
        if isinstance(upload, UploadedFile):
            mime = upload.content_type
            if mime == "application/octet-stream":
                mime = mimetypes.guess_type(upload.filename)[0] or mime
            stored = ctx.world.files.add(
                upload.data, kind=kind, file_name=upload.filename, mime_type=mime
            )
        elif isinstance(upload, str) and upload and not upload.startswith(("http://", "https://")):
            stored = ctx.world.files.get(upload)
        elif upload:
            raise bad_request("failed to get HTTP URL content")
        else:
            raise bad_request(f"there is no {kind} in the request")
        described: dict[str, Any] = stored.describe()
        if stored.file_name and kind in {"document", "audio", "video", "animation"}:
            described["file_name"] = stored.file_name
        if stored.mime_type:
            described["mime_type"] = stored.mime_type
        if kind in {"voice", "audio", "video", "animation"}:
            described["duration"] = int(p.get("duration") or 0)
        if kind in {"video", "animation"}:
            described.update(width=int(p.get("width") or 0), height=int(p.get("height") or 0))
        content = {kind: described, **caption}
        return _post(
            ctx, chat, FILE_KINDS[kind], p, content, raw_text=p.get("caption"), media=stored.data
        )

    return send


async def send_chat_action(ctx: ApiContext, p: Params) -> bool:
    chat = ctx.world.chat(p.get("chat_id", ""))
    if p.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    ctx.world.ensure_writable(chat)
    return True


async def edit_message_text(ctx: ApiContext, p: Params) -> Message:
    chat, message, last = _editable(ctx, p)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text = _format(p.get("text") or "", p.get("parse_mode"), p.get("entities"), limit=MAX_TEXT)
    if not text.text:
        raise bad_request("message text is empty")
    changes = {"text": text.text, "entities": text.entities}
    return _apply_edit(chat, message, last, "editMessageText", p, changes, raw_text=p.get("text"))


async def edit_message_caption(ctx: ApiContext, p: Params) -> Message:
    chat, message, last = _editable(ctx, p)
    if not any(kind in message for kind in ("photo", *FILE_KINDS)):
        raise bad_request("there is no caption in the message to edit")
    changes = {"caption": None, "caption_entities": None, **_caption(p)}
    return _apply_edit(
        chat, message, last, "editMessageCaption", p, changes, raw_text=p.get("caption")
    )


async def edit_message_reply_markup(ctx: ApiContext, p: Params) -> Message:
    chat, message, last = _editable(ctx, p)
    return _apply_edit(chat, message, last, "editMessageReplyMarkup", p, {}, raw_text=None)


async def delete_message(ctx: ApiContext, p: Params) -> bool:
    chat = ctx.world.chat(p.get("chat_id", ""))
    message_id = p.get("message_id")
    if message_id not in chat.messages:
        raise bad_request("message to delete not found")
    del chat.messages[message_id]
    chat.bot_messages.pop(message_id, None)
    return True


async def copy_message(ctx: ApiContext, p: Params) -> dict[str, int]:
    source = _source(ctx, p, missing="message to copy not found")
    content = {k: copy.deepcopy(v) for k, v in source.items() if k in CONTENT_KEYS}
    if not content:
        raise bad_request("message can't be copied")
    if "caption" in p and "text" not in content:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(_caption(p))
    chat = ctx.world.chat(p.get("chat_id", ""))
    sent = _post(ctx, chat, "copyMessage", p, content, raw_text=None, media=_media(ctx, content))
    return {"message_id": sent["message_id"]}


async def forward_message(ctx: ApiContext, p: Params) -> Message:
    source = _source(ctx, p, missing="message to forward not found")
    content = {k: copy.deepcopy(v) for k, v in source.items() if k in CONTENT_KEYS}
    if not content:
        raise bad_request("message can't be forwarded")
    content["forward_origin"] = source.get("forward_origin") or {
        "type": "user",
        "sender_user": source["from"],
        "date": source["date"],
    }
    chat = ctx.world.chat(p.get("chat_id", ""))
    where = {"message_thread_id": p["message_thread_id"]} if "message_thread_id" in p else {}
    return _post(
        ctx, chat, "forwardMessage", where, content, raw_text=None, media=_media(ctx, content)
    )


def _format(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None, *, limit: int
) -> Formatted:
    formatted = format_text(text, parse_mode, entities)
    if len(formatted.text) > limit:
        too_long = "message is too long" if limit == MAX_TEXT else "message caption is too long"
        raise bad_request(too_long)
    return formatted


def _caption(p: Params) -> dict[str, Any]:
    if not p.get("caption"):
        return {}
    caption = _format(
        p["caption"], p.get("parse_mode"), p.get("caption_entities"), limit=MAX_CAPTION
    )
    fields: dict[str, Any] = {"caption": caption.text} if caption.text else {}
    if caption.entities:
        fields["caption_entities"] = caption.entities
    return fields


def _reply_target(chat: Chat, p: Params) -> int | None:
    """The message replied to, from reply_parameters or the legacy reply_to_message_id."""
    reply = p.get("reply_parameters") or {}
    message_id = reply.get("message_id", p.get("reply_to_message_id"))
    allow_missing = reply.get("allow_sending_without_reply", p.get("allow_sending_without_reply"))
    if message_id is None:
        return None
    if reply.get("chat_id") not in (None, chat.id):
        raise bad_request("message to be replied not found")
    if message_id not in chat.messages:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def _post(
    ctx: ApiContext,
    chat: Chat,
    method: str,
    p: Params,
    content: dict[str, Any],
    *,
    raw_text: str | None,
    media: bytes | None = None,
) -> Message:
    """Validate what every send shares, check the bot may write here, then store the message."""
    markup = validate_markup(p.get("reply_markup"))
    thread_id = ctx.world.thread_for_send(chat, p.get("message_thread_id"), by_bot=True)
    reply_to = _reply_target(chat, p)
    ctx.world.ensure_writable(chat)
    message = ctx.world.bot_message(
        chat,
        method,
        content,
        reply_to=reply_to,
        markup=markup,
        parse_mode=p.get("parse_mode"),
        raw_text=raw_text,
        media=media,
        thread_id=thread_id,
    )
    return copy.deepcopy(message)


def _editable(ctx: ApiContext, p: Params) -> tuple[Chat, Message, BotMessage]:
    """The bot message an edit addresses, or Telegram's error for why it can't be edited."""
    if p.get("inline_message_id"):
        raise bad_request("message to edit not found")  # no inline mode here
    chat = ctx.world.chat(p.get("chat_id", ""))
    message = chat.message(p.get("message_id", 0), missing="message to edit not found")
    last = chat.bot_messages.get(message["message_id"])
    if last is None:
        raise bad_request("message can't be edited")
    ctx.world.ensure_writable(chat)
    return chat, message, last


def _apply_edit(
    chat: Chat,
    message: Message,
    last: BotMessage,
    method: str,
    p: Params,
    changes: dict[str, Any],
    *,
    raw_text: str | None,
) -> Message:
    markup: Markup | None = validate_markup(p.get("reply_markup"))
    if markup is not None and not is_inline(markup):
        raise bad_request("inline keyboard expected")
    changes["reply_markup"] = markup
    if all(message.get(k) == (v or None) for k, v in changes.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value:
            message[key] = value
        else:
            message.pop(key, None)
    message["edit_date"] = int(time.time())
    markup_only = method == "editMessageReplyMarkup"
    chat.record(
        BotMessage(
            message=copy.deepcopy(message),
            method=method,
            parse_mode=last.parse_mode if markup_only else p.get("parse_mode"),
            raw_text=last.raw_text if markup_only else raw_text,
            reply_markup=markup,
            media=last.media,
            edited=True,
        )
    )
    return copy.deepcopy(message)


def _source(ctx: ApiContext, p: Params, *, missing: str) -> Message:
    source_chat = ctx.world.chat(p.get("from_chat_id", ""))
    return source_chat.message(p.get("message_id", 0), missing=missing)


def _media(ctx: ApiContext, content: dict[str, Any]) -> bytes | None:
    """The bytes behind a copied or forwarded media message, for the receiving user."""
    if "photo" in content:
        return ctx.world.files.get(content["photo"][-1]["file_id"]).data
    for kind in (*FILE_KINDS, "sticker", "video_note"):
        if kind in content:
            return ctx.world.files.get(content[kind]["file_id"]).data
    return None


METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    **{method: _send_file(kind) for kind, method in FILE_KINDS.items()},
    "sendChatAction": send_chat_action,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
}
