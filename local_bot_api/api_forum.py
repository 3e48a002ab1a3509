"""Bot API methods for forum topics and pinned messages.

A supergroup with topics turned on (``is_forum``) holds topics; each is the thread of the
service message that created it. The bot needs the ``can_manage_topics`` administrator right
to create, rename, close, reopen or delete one, and Telegram answers a change that changes
nothing with TOPIC_NOT_MODIFIED, a deleted or unknown topic with TOPIC_ID_INVALID, and a send
to a deleted topic with "message thread not found" (api_messages, World.thread_for_send).
"""

from __future__ import annotations

from typing import Any

from .context import ApiContext, Handler, Params
from .errors import bad_request
from .world import TOPIC_COLORS, Chat, Topic

MAX_TOPIC_NAME = 128


def _forum(ctx: ApiContext, p: Params, *, action: str = "manage topics") -> Chat:
    chat = ctx.world.chat(p.get("chat_id", ""))
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not chat.bot_can_manage_topics:
        raise bad_request(f"not enough rights to {action}")
    return chat


def _topic(ctx: ApiContext, p: Params) -> tuple[Chat, Topic]:
    chat = _forum(ctx, p)
    return chat, chat.topic(int(p.get("message_thread_id") or 0))


def _name(value: Any, *, required: bool) -> str | None:
    name = str(value or "").strip()
    if not name:
        if required:
            raise bad_request("TOPIC_TITLE_EMPTY")
        return None
    if len(name) > MAX_TOPIC_NAME:
        raise bad_request("TOPIC_TITLE_TOO_LONG")
    return name


async def create_forum_topic(ctx: ApiContext, p: Params) -> dict[str, Any]:
    chat = _forum(ctx, p, action="create a topic")
    name = _name(p.get("name"), required=True)
    assert name is not None
    color = int(p.get("icon_color") or TOPIC_COLORS[0])
    if color not in TOPIC_COLORS:
        raise bad_request("invalid icon_color specified")
    topic = ctx.world.create_topic(chat, name, icon_color=color,
                                   icon_custom_emoji_id=p.get("icon_custom_emoji_id") or None)
    return topic.as_forum_topic()


async def edit_forum_topic(ctx: ApiContext, p: Params) -> bool:
    chat, topic = _topic(ctx, p)
    name = _name(p.get("name"), required=False)
    emoji = p.get("icon_custom_emoji_id")
    changes: dict[str, Any] = {}
    if name is not None and name != topic.name:
        changes["name"] = name
    if emoji is not None and (emoji or None) != topic.icon_custom_emoji_id:
        changes["icon_custom_emoji_id"] = emoji
    if not changes:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.name = changes.get("name", topic.name)
    if "icon_custom_emoji_id" in changes:
        topic.icon_custom_emoji_id = changes["icon_custom_emoji_id"] or None
    ctx.world.service_message(chat, {"forum_topic_edited": changes}, thread_id=topic.thread_id)
    return True


def _set_closed(closed: bool) -> Handler:
    async def handler(ctx: ApiContext, p: Params) -> bool:
        chat, topic = _topic(ctx, p)
        if topic.closed == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        kind = "forum_topic_closed" if closed else "forum_topic_reopened"
        ctx.world.service_message(chat, {kind: {}}, thread_id=topic.thread_id)
        return True

    return handler


async def delete_forum_topic(ctx: ApiContext, p: Params) -> bool:
    chat, topic = _topic(ctx, p)
    ctx.world.delete_topic(chat, topic.thread_id)
    return True


async def pin_chat_message(ctx: ApiContext, p: Params) -> bool:
    chat = ctx.world.chat(p.get("chat_id", ""))
    if chat.account is None and not chat.bot_is_admin:
        raise bad_request("not enough rights to manage pinned messages in the chat")
    message_id = int(chat.message(p.get("message_id", 0), missing="message to pin not found")["message_id"])
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    chat.pinned.append(message_id)
    return True


async def unpin_chat_message(ctx: ApiContext, p: Params) -> bool:
    chat = ctx.world.chat(p.get("chat_id", ""))
    if chat.account is None and not chat.bot_is_admin:
        raise bad_request("not enough rights to manage pinned messages in the chat")
    message_id = p.get("message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
        return True
    if message_id not in chat.pinned:
        raise bad_request("message to unpin not found")
    chat.pinned.remove(message_id)
    return True


METHODS: dict[str, Handler] = {
    "createForumTopic": create_forum_topic,
    "editForumTopic": edit_forum_topic,
    "closeForumTopic": _set_closed(True),
    "reopenForumTopic": _set_closed(False),
    "deleteForumTopic": delete_forum_topic,
    "pinChatMessage": pin_chat_message,
    "unpinChatMessage": unpin_chat_message,
}
