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


@dataclass
class Chat:
    """A private chat (id = the user's id) or a group (negative id), with its messages."""

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
        return chat

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

    def add_group(self, chat_id: int, title: str, *, chat_type: str, username: str | None) -> Chat:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative, e.g. -100555")
        chat = Chat(id=chat_id, type=chat_type, title=title, username=username)
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

    def new_message(
        self,
        chat: Chat,
        sender: dict[str, Any],
        content: dict[str, Any],
        *,
        reply_to: int | None = None,
    ) -> Message:
        """Store a new message in ``chat`` and return it; ``reply_to`` must exist in the chat."""
        chat.last_message_id += 1
        message: Message = {
            "message_id": chat.last_message_id,
            "from": sender,
            "chat": chat.as_chat(),
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            target = chat.message(reply_to, missing="message to be replied not found")
            message["reply_to_message"] = {
                k: v for k, v in copy.deepcopy(target).items() if k != "reply_to_message"
            }
        chat.messages[message["message_id"]] = message
        return message

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
    ) -> Message:
        """A message from the bot, recorded for the test side, with Telegram's echo of markup."""
        if is_inline(markup):
            content = {**content, "reply_markup": markup}
        message = self.new_message(chat, self.bot, content, reply_to=reply_to)
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
