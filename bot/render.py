"""Turn Rasa's bot messages into Telegram messages (text, inline buttons, photos, keyboards)."""

from __future__ import annotations

import base64
import logging
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit

from shop.handoff import BACK_BUTTON
from shop.replies import Reply, parse_payload

log = logging.getLogger(__name__)

RASA_BUTTON = "r:"  # callback_data prefix of a button whose payload goes back to Rasa
BACK_TO_BOT = "c:bot"  # callback_data of "Back to the assistant" under a handoff (same as /bot)


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split a long text at line breaks (or hard) into Telegram-sized parts."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        parts.append(text)
    return parts


def inline_keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(str(b.get("title", "?"))[:64], callback_data=RASA_BUTTON + str(b["payload"]))]
        for b in buttons
        if b.get("payload") and len((RASA_BUTTON + str(b["payload"])).encode()) <= 64
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def send_rasa_messages(bot: Bot, chat_id: int, messages: list[dict[str, Any]]) -> list[Message]:
    """Send Rasa's messages to `chat_id` in order; return what was sent."""
    sent: list[Message] = []
    for message in messages:
        custom = parse_payload(message.get("custom"))
        if custom is not None:
            sent.extend(await send_payload(bot, chat_id, custom, message.get("text")))
            continue
        text = message.get("text")
        if message.get("image"):
            sent.append(await bot.send_photo(chat_id, photo=message["image"], caption=text))
            continue
        if not text or not text.strip():  # Telegram refuses a blank message
            continue
        markup = inline_keyboard(message.get("buttons") or [])
        parts = split_text(text)
        for i, part in enumerate(parts):
            sent.append(await bot.send_message(
                chat_id, part, reply_markup=markup if i == len(parts) - 1 else None))
    return sent


async def send_payload(bot: Bot, chat_id: int, payload: dict[str, Any], text: str | None) -> list[Message]:
    """Render one of our versioned rich payloads (shop.replies.payload)."""
    kind = payload["type"]
    if kind == "photo":
        photo = base64.b64decode(payload["png_b64"])
        return [await bot.send_photo(chat_id, photo=photo, caption=payload.get("caption") or text)]
    if kind == "contact_request":
        keyboard = ReplyKeyboardMarkup(
            [[KeyboardButton(payload.get("button", "Share my phone number"), request_contact=True)]],
            resize_keyboard=True, one_time_keyboard=True)
        return [await bot.send_message(chat_id, payload.get("text") or text or "", reply_markup=keyboard)]
    if kind == "handoff":  # a person takes over (actions/handoff.py); bot/handoff alerts staff
        body = payload.get("text") or text
        back = InlineKeyboardMarkup([[InlineKeyboardButton(str(payload.get("button") or BACK_BUTTON),
                                                           callback_data=BACK_TO_BOT)]])
        return [await bot.send_message(chat_id, body, reply_markup=back)] if body else []
    if kind == "remove_keyboard":
        return [await bot.send_message(chat_id, payload.get("text") or text or "",
                                       reply_markup=ReplyKeyboardRemove())]
    log.warning("unknown payload type %r; sending its text only", kind)
    return [await bot.send_message(chat_id, text)] if text else []


def as_rasa_message(reply: Reply) -> dict[str, Any]:
    """A Reply made in the bot itself, in the shape Rasa's REST channel returns."""
    message: dict[str, Any] = {}
    if reply.text:
        message["text"] = reply.text
    if reply.buttons:
        message["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    if reply.custom is not None:
        message["custom"] = reply.custom
    return message


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply]) -> list[Message]:
    """Send replies composed by the bot (not Rasa) with the same rendering."""
    return await send_rasa_messages(bot, chat_id, [as_rasa_message(r) for r in replies])
