"""The server's picture of Telegram: the bot, its users and chats, and their messages.

Bot API methods and the test-side actors both change this state, so the rules that make
a Message look like Telegram's (per-chat ids, Unix-second dates, one level of
``reply_to_message``) live here once.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .errors import bad_request, forbidden
from .keyboards import Markup, button_labels, is_inline
from .media import FileStore

Message = dict[str, Any]


class ApiCall(NamedTuple):
    """One Bot API call as received: Telegram's method name and the decoded parameters."""

    method: str
    params: dict[str, Any]


class TimedCalls(list[ApiCall]):
    """A call log for ``world.calls`` that also notes when each call arrived (time.monotonic),
    for tests and benchmarks that measure rates and latencies at the server."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, call: ApiCall) -> None:
        self.times.append(time.monotonic())
        super().append(call)

    def sends(self, method: str = "sendMessage") -> list[tuple[float, dict[str, Any]]]:
        """(arrival time, parameters) of every call of `method`, in order."""
        return [(t, c.params) for t, c in zip(self.times, self, strict=True) if c.method == method]


class ApiFailure(NamedTuple):
    """A call the server answered with an error (validation, permission or injected)."""

    method: str
    params: dict[str, Any]
    error_code: int
    description: str


class Signal:
    """Wakes every coroutine waiting for "something changed"; safe to fire from sync code."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None) -> None:
        """Return at the next :meth:`fire` or after ``seconds`` (None: no limit)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)


@dataclass
class Account:
    """A Telegram user the bot can meet; ``started`` and ``blocked`` gate what the bot may send."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone_number: str | None = None
    started: bool = True
    blocked: bool = False

    def as_user(self) -> dict[str, Any]:
        """The Bot API User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user


@dataclass(frozen=True)
class BotMessage:
    """One message of the bot as the user sees it, at one moment (a send or an edit).

    ``message`` is the Bot API Message Telegram returned to the bot. Telegram echoes only
    inline keyboards there, so ``reply_markup`` keeps the markup the bot sent (reply
    keyboards, keyboard removal, force reply) and ``media`` the bytes of a photo, document
    or voice note; ``parse_mode`` and ``raw_text`` keep the text before Telegram parsed it.
    """

    message: Message
    method: str
    parse_mode: str | None = None
    raw_text: str | None = None
    reply_markup: Markup | None = None
    media: bytes | None = None
    edited: bool = False

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.message["chat"]["id"])

    @property
    def text(self) -> str | None:
        """The text, or the caption of a media message, as the user reads it."""
        return self.message.get("text", self.message.get("caption"))

    @property
    def buttons(self) -> list[str]:
        """Labels of the buttons under or below the message, row by row."""
        return button_labels(self.reply_markup)

    @property
    def photo(self) -> bytes | None:
        return self.media if "photo" in self.message else None

    def summary(self) -> str:
        """One readable line, for failure messages and logs."""
        kind = next((k for k in ("photo", "document", "voice", "sticker") if k in self.message), "")
        parts = [f"#{self.message_id}", f"[{kind}]" if kind else "", repr(self.text or "")]
        if self.buttons:
            parts.append(f"buttons={self.buttons}")
        if self.edited:
            parts.append("(edited)")
        return " ".join(p for p in parts if p)


# Telegram's six topic icon colours (ForumTopic.icon_color); the first is the default.
TOPIC_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


@dataclass
class Topic:
    """A forum topic: the thread of the service message that created it (thread id = its id)."""

    thread_id: int
    name: str
    icon_color: int = TOPIC_COLORS[0]
    icon_custom_emoji_id: str | None = None
    closed: bool = False

    def as_forum_topic(self) -> dict[str, Any]:
        """The Bot API ForumTopic object."""
        topic: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass
class Chat:
    """A private chat (id = the user's id) or a group (negative id), with its messages.

    A supergroup with ``is_forum`` has topics: each is the thread of the service message
    that created it, its messages carry ``message_thread_id`` and ``is_topic_message``.
    """

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    account: Account | None = None  # the other party of a private chat
    members: set[int] = field(default_factory=set)
    messages: dict[int, Message] = field(default_factory=dict)
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)
    outbox: list[BotMessage] = field(default_factory=list)  # sends and edits, in order
    signal: Signal = field(default_factory=Signal)
    last_message_id: int = 0
    is_forum: bool = False
    topics: dict[int, Topic] = field(default_factory=dict)  # by thread id; deleted ones gone
    bot_is_admin: bool = False
    bot_can_manage_topics: bool = False
    pinned: list[int] = field(default_factory=list)  # message ids, oldest pin first

    def as_chat(self) -> dict[str, Any]:
        """The Bot API Chat object."""
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.account:
            user = self.account.as_user()
            chat.update({k: user[k] for k in ("first_name", "last_name", "username") if k in user})
        else:
            chat["title"] = self.title
            if self.username:
                chat["username"] = self.username
            if self.is_forum:
                chat["is_forum"] = True
        return chat

    def topic(self, thread_id: int, *, missing: str = "TOPIC_ID_INVALID") -> Topic:
        """A live topic of this forum, or Telegram's error for a deleted or unknown one."""
        if not self.is_forum:
            raise bad_request("the chat is not a forum")
        try:
            return self.topics[thread_id]
        except KeyError:
            raise bad_request(missing) from None

    def thread_messages(self, thread_id: int) -> list[BotMessage]:
        """The bot's messages in one topic, in their current (edited) state."""
        return [m for m in self.current_bot_messages()
                if m.message.get("message_thread_id") == thread_id]

    @property
    def chat_instance(self) -> str:
        """Telegram's stable opaque id of "this chat as seen from this bot"."""
        return str(int(hashlib.sha1(str(self.id).encode()).hexdigest()[:15], 16))

    def message(self, message_id: int, *, missing: str) -> Message:
        try:
            return self.messages[message_id]
        except KeyError:
            raise bad_request(missing) from None

    def current_bot_messages(self) -> list[BotMessage]:
        """The bot's messages still in the chat, in their latest (edited) state."""
        return [self.bot_messages[i] for i in sorted(self.bot_messages)]

    def record(self, sent: BotMessage) -> None:
        """Remember what the bot sent or edited and wake whoever waits on this chat."""
        self.bot_messages[sent.message_id] = sent
        self.outbox.append(sent)
        self.signal.fire()


@dataclass
class CallbackRecord:
    """A button press waiting for the bot's answerCallbackQuery."""

    chat_id: int
    created: float
    answer: dict[str, Any] | None = None


class World:
    """All state of one fake Telegram with one bot."""

    def __init__(self, token: str, *, bot_name: str, bot_username: str) -> None:
        bot_id = token.split(":", 1)[0]
        if not bot_id.isdigit():
            raise ValueError("a bot token looks like '<bot id>:<secret>', e.g. '123456:TEST'")
        self.token = token
        self.bot = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.accounts: dict[int, Account] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.calls: list[ApiCall] = []
        self.failures: list[ApiFailure] = []

    def add_account(self, account: Account) -> Chat:
        self.accounts[account.id] = account
        chat = Chat(id=account.id, type="private", account=account, members={account.id})
        self.chats[account.id] = chat
        return chat

    def add_group(self, chat_id: int, title: str, *, chat_type: str, username: str | None,
                  forum: bool = False, bot_can_manage_topics: bool = False) -> Chat:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative, e.g. -100555")
        if forum and chat_type != "supergroup":
            raise ValueError("only supergroups have topics")
        chat = Chat(id=chat_id, type=chat_type, title=title, username=username, is_forum=forum,
                    bot_is_admin=bot_can_manage_topics, bot_can_manage_topics=bot_can_manage_topics)
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat_id: int | str) -> Chat:
        """The chat a call addresses, by id or by @username of a public group."""
        if isinstance(chat_id, str):
            found = next((c for c in self.chats.values() if f"@{c.username}" == chat_id), None)
            if found is None or found.account is not None:
                raise bad_request("chat not found")
            return found
        try:
            return self.chats[chat_id]
        except KeyError:
            raise bad_request("chat not found") from None

    def ensure_writable(self, chat: Chat) -> None:
        """Refuse like Telegram when the user of a private chat does not let the bot write."""
        if chat.account and chat.account.blocked:
            raise forbidden("bot was blocked by the user")
        if chat.account and not chat.account.started:
            raise forbidden("bot can't initiate conversation with a user")

    def thread_for_send(self, chat: Chat, thread_id: int | None, *, by_bot: bool) -> int | None:
        """The topic a new message goes to, or Telegram's error: a deleted or unknown topic is
        "message thread not found"; a closed one takes messages only from those who manage
        topics. Outside forums there are no topics to send to."""
        if thread_id is None:
            return None
        if not chat.is_forum:
            raise bad_request("message thread not found")
        topic = chat.topics.get(thread_id)
        if topic is None:
            raise bad_request("message thread not found")
        if topic.closed and by_bot and not chat.bot_can_manage_topics:
            raise bad_request("TOPIC_CLOSED")
        return thread_id

    def new_message(
        self,
        chat: Chat,
        sender: dict[str, Any],
        content: dict[str, Any],
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> Message:
        """Store a new message in ``chat`` and return it; ``reply_to`` must exist in the chat.

        In a topic (``thread_id``, already checked), a message that replies to nothing replies,
        as on Telegram, to the service message that created the topic. A reply to a message
        of a topic lands in that topic. In other supergroups a reply carries the id of its
        reply thread as ``message_thread_id``, without ``is_topic_message``.
        """
        chat.last_message_id += 1
        message: Message = {
            "message_id": chat.last_message_id,
            "from": sender,
            "chat": chat.as_chat(),
            "date": int(time.time()),
            **content,
        }
        target = None
        if reply_to is not None:
            target = chat.message(reply_to, missing="message to be replied not found")
            if thread_id is None and target.get("is_topic_message"):
                thread_id = target["message_thread_id"]
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
            if target is None and thread_id in chat.messages:
                target = chat.messages[thread_id]
        elif target is not None and chat.type == "supergroup" and not chat.is_forum:
            message["message_thread_id"] = target.get("message_thread_id", target["message_id"])
        if target is not None:
            message["reply_to_message"] = {
                k: v for k, v in copy.deepcopy(target).items() if k != "reply_to_message"
            }
        chat.messages[message["message_id"]] = message
        return message

    def service_message(self, chat: Chat, content: dict[str, Any], *, thread_id: int | None) -> Message:
        """A service message of the bot's doing (a topic created, closed, renamed...). Bots get
        no update for their own service messages, and they are not among what the bot "sent"."""
        return self.new_message(chat, self.bot, content, thread_id=thread_id)

    def create_topic(self, chat: Chat, name: str, *, icon_color: int,
                     icon_custom_emoji_id: str | None) -> Topic:
        created = {"name": name, "icon_color": icon_color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        message = self.service_message(chat, {"forum_topic_created": created}, thread_id=None)
        thread_id = int(message["message_id"])
        message.update(message_thread_id=thread_id, is_topic_message=True)
        topic = Topic(thread_id, name, icon_color, icon_custom_emoji_id)
        chat.topics[thread_id] = topic
        chat.signal.fire()
        return topic

    def delete_topic(self, chat: Chat, thread_id: int) -> None:
        """The topic and every message in it are gone, as when an admin deletes a topic."""
        chat.topic(thread_id)
        del chat.topics[thread_id]
        for message_id in [i for i, m in chat.messages.items() if m.get("message_thread_id") == thread_id]:
            chat.messages.pop(message_id)
            chat.bot_messages.pop(message_id, None)
            if message_id in chat.pinned:
                chat.pinned.remove(message_id)
        chat.signal.fire()

    def bot_message(
        self,
        chat: Chat,
        method: str,
        content: dict[str, Any],
        *,
        reply_to: int | None,
        markup: Markup | None,
        parse_mode: str | None = None,
        raw_text: str | None = None,
        media: bytes | None = None,
        thread_id: int | None = None,
    ) -> Message:
        """A message from the bot, recorded for the test side, with Telegram's echo of markup."""
        if is_inline(markup):
            content = {**content, "reply_markup": markup}
        message = self.new_message(chat, self.bot, content, reply_to=reply_to, thread_id=thread_id)
        chat.record(
            BotMessage(
                message=copy.deepcopy(message),
                method=method,
                parse_mode=parse_mode,
                raw_text=raw_text,
                reply_markup=markup,
                media=media,
            )
        )
        return message
