"""The test side: people who write to the bot and read what it sends them.

A :class:`FakeUser` is one Telegram user in their private chat with the bot; a
:class:`FakeGroup` is a group where several users post. Everything they do becomes an
update for the bot, exactly as Telegram would deliver it; what the bot sends them can be
awaited with ``wait_for``.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from typing import Any

from .errors import BotApiError
from .formatting import detect_entities
from .keyboards import find_button
from .media import tiny_png
from .updates import UpdateQueue
from .world import Account, BotMessage, CallbackRecord, Chat, Message, Topic, World

_callback_ids = itertools.count(4_611_686_018_427_387_904)


class ChatView:
    """What the bot sent to one chat, consumed in order by ``wait_for``."""

    def __init__(self, world: World, updates: UpdateQueue, chat: Chat) -> None:
        self._world = world
        self._updates = updates
        self.chat = chat
        self._cursor = 0  # index in chat.outbox of the next bot message not yet returned

    @property
    def chat_id(self) -> int:
        return self.chat.id

    async def wait_for(
        self,
        count: int = 1,
        timeout: float | None = 10.0,  # noqa: ASYNC109 - a per-call deadline is this helper's point
        *,
        include_edits: bool = False,
    ) -> list[BotMessage]:
        """The next ``count`` messages the bot sent here since the last wait.

        Edits count as arrivals only with ``include_edits``; otherwise they are skipped
        (``sent_messages`` always shows the edited state). ``timeout=None`` waits for ever.

        Raises:
            TimeoutError: listing what did arrive and the Bot API errors the bot got for
                this chat, so a failing test says why.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            found, end = self._scan(count, include_edits)
            if len(found) >= count:
                self._cursor = end
                return found
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(self._timeout_report(count, timeout, found))
            await self.chat.signal.wait(remaining)

    def sent_messages(self) -> list[BotMessage]:
        """The bot's messages still in this chat, in their current (edited) state."""
        return self.chat.current_bot_messages()

    def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery parameters for a press (text, show_alert), if any."""
        record = self._world.callbacks.get(callback_query_id)
        return record.answer if record else None

    def _scan(self, count: int, include_edits: bool) -> tuple[list[BotMessage], int]:
        found: list[BotMessage] = []
        index = self._cursor
        while index < len(self.chat.outbox) and len(found) < count:
            entry = self.chat.outbox[index]
            if include_edits or not entry.edited:
                found.append(entry)
            index += 1
        return found, index

    def _timeout_report(self, count: int, timeout: float | None, found: list[BotMessage]) -> str:
        lines = [
            f"waited {timeout}s for {count} bot message(s) in chat {self.chat.id}, "
            f"got {len(found)}" + (":" if found else "")
        ]
        lines += [f"  {message.summary()}" for message in found]
        errors = [f for f in self._world.failures if _addresses(f.params, self.chat.id)]
        if errors:
            lines.append("Bot API errors answered for this chat:")
            lines += [f"  {f.method}: {f.error_code} {f.description}" for f in errors[-5:]]
        return "\n".join(lines)

    def _post(self, sender: Account, content: dict[str, Any], reply_to: int | None,
              topic: int | None = None) -> Message:
        try:
            thread_id = self._world.thread_for_send(self.chat, topic, by_bot=False)
        except BotApiError as exc:
            raise ValueError(f"can't post in topic {topic} of chat {self.chat.id}: {exc}") from None
        message = self._world.new_message(self.chat, sender.as_user(), content, reply_to=reply_to,
                                          thread_id=thread_id)
        self.chat.members.add(sender.id)
        self._updates.push("message", copy.deepcopy(message))
        return copy.deepcopy(message)

    def _press(self, sender: Account, label: str) -> dict[str, Any]:
        for message_id in sorted(self.chat.bot_messages, reverse=True):
            message = self.chat.messages[message_id]
            button = find_button(message.get("reply_markup"), label)
            if button is None:
                continue
            if "callback_data" not in button:
                raise ValueError(f"button {label!r} sends no callback (it is {button})")
            query = {
                "id": str(next(_callback_ids)),
                "from": sender.as_user(),
                "message": copy.deepcopy(message),
                "chat_instance": self.chat.chat_instance,
                "data": button["callback_data"],
            }
            self._world.callbacks[query["id"]] = CallbackRecord(self.chat.id, time.monotonic())
            self._updates.push("callback_query", copy.deepcopy(query))
            return query
        shown = [m.buttons for m in self.sent_messages() if m.buttons]
        raise LookupError(f"no inline button {label!r} in chat {self.chat.id}; buttons: {shown}")

    def _edit(self, sender: Account, message_id: int, text: str) -> Message:
        """The text of a text message, or the caption of a media message, changes."""
        message = self.chat.messages.get(message_id)
        if message is None or message["from"]["id"] != sender.id:
            raise ValueError(f"message {message_id} was not written by user {sender.id}")
        field, entities_field = ("text", "entities") if "text" in message else ("caption", "caption_entities")
        message.update({field: text, "edit_date": int(time.time())})
        message.pop(entities_field, None)
        if entities := detect_entities(text):
            message[entities_field] = entities
        self._updates.push("edited_message", copy.deepcopy(message))
        return copy.deepcopy(message)


class FakeUser(ChatView):
    """A Telegram user in their private chat with the bot (chat id = user id)."""

    def __init__(self, world: World, updates: UpdateQueue, chat: Chat) -> None:
        super().__init__(world, updates, chat)
        assert chat.account is not None
        self.account = chat.account

    @property
    def id(self) -> int:
        return self.account.id

    async def send(
        self,
        text: str,
        *,
        reply_to: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> Message:
        """A text message; commands, mentions and links get entities as Telegram adds them."""
        content: dict[str, Any] = {"text": text}
        if found := entities if entities is not None else detect_entities(text):
            content["entities"] = found
        return self._say(content, reply_to)

    async def press(self, label: str) -> dict[str, Any]:
        """Press the inline button with this text or callback_data on the newest bot message
        showing it; returns the CallbackQuery sent to the bot."""
        self._check_can_write()
        return self._press(self.account, label)

    async def press_keyboard(self, label: str) -> Message:
        """Tap a button of the reply keyboard the bot shows now (text, contact or location)."""
        keyboard = self._current_keyboard()
        button = find_button(keyboard, label)
        if button is None:
            raise LookupError(f"no keyboard button {label!r} in chat {self.id}; shown: {keyboard}")
        if button.get("request_contact"):
            if not self.account.phone_number:
                raise ValueError(f"user {self.id} has no phone_number to share")
            return await self.share_contact(self.account.phone_number)
        if button.get("request_location"):
            raise ValueError("use send_location() to answer a location request")
        return await self.send(button["text"])

    async def share_contact(
        self,
        phone_number: str,
        *,
        user_id: int | None = None,
        first_name: str | None = None,
        omit_user_id: bool = False,
    ) -> Message:
        """A contact message. ``user_id`` defaults to the sender's own id (what the contact
        button sends); pass another id to forge one, or ``omit_user_id`` for a contact card
        of someone without Telegram."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.account.first_name,
        }
        if not omit_user_id:
            contact["user_id"] = self.id if user_id is None else user_id
        return self._say({"contact": contact}, None)

    async def send_photo(self, data: bytes | None = None, *, caption: str | None = None) -> Message:
        """A photo (by default a tiny generated PNG) the bot can download with getFile."""
        return self._say(photo_content(self._world, data, caption), None)

    async def send_document(
        self, data: bytes, file_name: str, *, mime_type: str | None = None,
        caption: str | None = None,
    ) -> Message:
        return self._say(document_content(self._world, data, file_name, mime_type, caption), None)

    async def send_voice(self, data: bytes = b"OggS voice", *, duration: int = 1) -> Message:
        return self._say(voice_content(self._world, data, duration), None)

    async def send_video(self, data: bytes = b"\x00\x00\x00\x18ftypmp42", *, duration: int = 2,
                         caption: str | None = None) -> Message:
        return self._say(video_content(self._world, data, duration, caption), None)

    async def send_sticker(self, emoji: str = "👍") -> Message:
        return self._say(sticker_content(self._world, emoji), None)

    async def send_location(self, latitude: float, longitude: float) -> Message:
        return self._say(location_content(latitude, longitude), None)

    async def edit(self, message_id: int, text: str) -> Message:
        """Edit one of this user's messages; the bot gets an ``edited_message`` update."""
        self._check_can_write()
        return self._edit(self.account, message_id, text)

    def block(self) -> None:
        """Block the bot: its sends to this user now fail with 403; the bot is told by a
        ``my_chat_member`` update, as on Telegram."""
        self._set_blocked(True)

    def unblock(self) -> None:
        self._set_blocked(False)

    def _say(self, content: dict[str, Any], reply_to: int | None) -> Message:
        self._check_can_write()
        self.account.started = True  # writing to a bot is what starts it
        return self._post(self.account, content, reply_to)

    def _check_can_write(self) -> None:
        if self.account.blocked:
            raise RuntimeError(f"user {self.id} blocked the bot; call unblock() first")

    def _set_blocked(self, blocked: bool) -> None:
        if self.account.blocked == blocked:
            return
        self.account.blocked = blocked
        bot_member = {"user": self._world.bot, "status": "member"}
        banned = {"user": self._world.bot, "status": "kicked", "until_date": 0}
        old, new = (bot_member, banned) if blocked else (banned, bot_member)
        update = {
            "chat": self.chat.as_chat(),
            "from": self.account.as_user(),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        self._updates.push("my_chat_member", update)

    def _current_keyboard(self) -> dict[str, Any] | None:
        for sent in reversed(self.sent_messages()):
            markup = sent.reply_markup or {}
            if "keyboard" in markup:
                return markup
            if markup.get("remove_keyboard"):
                return None
        return None


class FakeGroup(ChatView):
    """A group chat (negative id) where several users talk, e.g. the staff chat.

    In a forum (``LocalBotApi.group(..., forum=True)``) members post in a topic with
    ``topic=<message_thread_id>``; without it they post in the General topic.
    """

    async def send(self, text: str, *, from_user: FakeUser, reply_to: int | None = None,
                   topic: int | None = None) -> Message:
        """``from_user`` posts ``text``; with ``reply_to`` (a message id in this group) the
        bot gets ``reply_to_message`` with the full message replied to."""
        content: dict[str, Any] = {"text": text}
        if entities := detect_entities(text):
            content["entities"] = entities
        return self._post(from_user.account, content, reply_to, topic)

    async def send_photo(self, *, from_user: FakeUser, data: bytes | None = None,
                         caption: str | None = None, reply_to: int | None = None,
                         topic: int | None = None) -> Message:
        return self._post(from_user.account, photo_content(self._world, data, caption), reply_to, topic)

    async def send_document(self, data: bytes, file_name: str, *, from_user: FakeUser,
                            mime_type: str | None = None, caption: str | None = None,
                            reply_to: int | None = None, topic: int | None = None) -> Message:
        content = document_content(self._world, data, file_name, mime_type, caption)
        return self._post(from_user.account, content, reply_to, topic)

    async def send_voice(self, *, from_user: FakeUser, data: bytes = b"OggS voice", duration: int = 1,
                         reply_to: int | None = None, topic: int | None = None) -> Message:
        return self._post(from_user.account, voice_content(self._world, data, duration), reply_to, topic)

    async def send_video(self, *, from_user: FakeUser, data: bytes = b"\x00\x00\x00\x18ftypmp42",
                         duration: int = 2, caption: str | None = None, reply_to: int | None = None,
                         topic: int | None = None) -> Message:
        content = video_content(self._world, data, duration, caption)
        return self._post(from_user.account, content, reply_to, topic)

    async def send_sticker(self, emoji: str = "👍", *, from_user: FakeUser, reply_to: int | None = None,
                           topic: int | None = None) -> Message:
        return self._post(from_user.account, sticker_content(self._world, emoji), reply_to, topic)

    async def send_location(self, latitude: float, longitude: float, *, from_user: FakeUser,
                            reply_to: int | None = None, topic: int | None = None) -> Message:
        return self._post(from_user.account, location_content(latitude, longitude), reply_to, topic)

    def delete(self, message_id: int) -> None:
        """An administrator deletes a message (Telegram tells the bot nothing)."""
        if self.chat.messages.pop(message_id, None) is None:
            raise ValueError(f"no message {message_id} in chat {self.chat.id}")
        self.chat.bot_messages.pop(message_id, None)
        self.chat.signal.fire()

    @property
    def topics(self) -> dict[int, Topic]:
        """The forum's live topics by thread id (name, closed), as members see them."""
        return dict(self.chat.topics)

    def topic_named(self, text: str) -> Topic | None:
        """The newest live topic whose name contains ``text``."""
        found = [t for t in self.chat.topics.values() if text in t.name]
        return found[-1] if found else None

    def topic_messages(self, thread_id: int) -> list[BotMessage]:
        """The bot's messages in one topic, in their current (edited) state."""
        return self.chat.thread_messages(thread_id)

    def pinned(self) -> list[int]:
        return list(self.chat.pinned)

    def delete_topic(self, thread_id: int) -> None:
        """An administrator deletes a topic with all its messages (the bot is not told)."""
        self._world.delete_topic(self.chat, thread_id)

    async def press(self, label: str, *, from_user: FakeUser) -> dict[str, Any]:
        """``from_user`` presses an inline button on the newest bot message showing it."""
        return self._press(from_user.account, label)

    async def edit(self, message_id: int, text: str, *, from_user: FakeUser) -> Message:
        return self._edit(from_user.account, message_id, text)

    def add_member(self, user: FakeUser) -> None:
        """Make ``user`` a member (getChatMember answers "member") before they post."""
        self.chat.members.add(user.id)


# --- what users send: the Bot API objects Telegram builds for each kind of message ------------


def photo_content(world: World, data: bytes | None, caption: str | None) -> dict[str, Any]:
    try:
        sizes = world.files.photo_sizes(data or tiny_png())
    except BotApiError:
        raise ValueError("a photo must be a PNG, JPEG, GIF or WebP image") from None
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return content


def document_content(world: World, data: bytes, file_name: str, mime_type: str | None,
                     caption: str | None) -> dict[str, Any]:
    stored = world.files.add(data, kind="document", file_name=file_name, mime_type=mime_type)
    document = {**stored.describe(), "file_name": file_name}
    if mime_type:
        document["mime_type"] = mime_type
    content: dict[str, Any] = {"document": document}
    if caption:
        content["caption"] = caption
    return content


def voice_content(world: World, data: bytes, duration: int) -> dict[str, Any]:
    stored = world.files.add(data, kind="voice", mime_type="audio/ogg")
    return {"voice": {**stored.describe(), "duration": duration, "mime_type": "audio/ogg"}}


def video_content(world: World, data: bytes, duration: int, caption: str | None) -> dict[str, Any]:
    stored = world.files.add(data, kind="video", file_name="video.mp4", mime_type="video/mp4")
    video = {**stored.describe(), "duration": duration, "width": 320, "height": 240,
             "mime_type": "video/mp4"}
    content: dict[str, Any] = {"video": video}
    if caption:
        content["caption"] = caption
    return content


def sticker_content(world: World, emoji: str) -> dict[str, Any]:
    stored = world.files.add(emoji.encode(), kind="sticker", mime_type="image/webp")
    return {"sticker": {
        **stored.describe(),
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
    }}


def location_content(latitude: float, longitude: float) -> dict[str, Any]:
    return {"location": {"latitude": latitude, "longitude": longitude}}


def _addresses(params: dict[str, Any], chat_id: int) -> bool:
    return chat_id in (params.get("chat_id"), params.get("from_chat_id"))
