"""The console chat: you act as a demo user, the real bot answers through a local Bot API.

Nothing is simulated on the bot's side: the same Application, handlers, Rasa server and
action server run as with Telegram; only the Bot API is the local one of the top-level
package local_bot_api, and this module types into it as the user and prints what the bot sent.

The console's own texts are in its language (the terminal's, `terminal_language`), and the
demo users it plays have that language set in "Telegram", so the bot starts in it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from local_bot_api import LocalBotApi
from local_bot_api.keyboards import is_inline
from shop import demo
from shop.i18n import N_, SOURCE_LANGUAGE, supported_language, translator
from shop.settings import PROJECT_ROOT

CONSOLE_TOKEN = "100000:CONSOLE-local-bot-api"
QUIET_AFTER_REPLY = 0.6  # seconds without a new message before the prompt returns
REPLY_TIMEOUT = 30.0


def console_bot_api() -> LocalBotApi:
    """The local Bot API the console chat talks to (start and stop it with ``async with``).

    Made here so that the console stays the only part of bot/ that knows local_bot_api.
    """
    return LocalBotApi(token=CONSOLE_TOKEN)


@dataclass(frozen=True)
class ConsolePersona:
    key: str
    telegram_user_id: int
    name: str
    phone: str | None


PERSONAS = {
    "customer": ConsolePersona("customer", demo.CUSTOMER.telegram_user_id, demo.CUSTOMER.name,
                               "+4915112345678"),
    "other": ConsolePersona("other", demo.OTHER_CUSTOMER.telegram_user_id, demo.OTHER_CUSTOMER.name,
                            "+4915187654321"),
    "owner": ConsolePersona("owner", demo.OWNER.telegram_user_id, demo.OWNER.name, None),
    "staff": ConsolePersona("staff", demo.STAFF.telegram_user_id, demo.STAFF.name, None),
    "new": ConsolePersona("new", 5001, "Nina New", "+4915100000000"),
}

HELP = N_("Console commands (anything else is sent to the bot as your message):\n"
          "  /as customer|other|owner|staff|new   switch who you are (now: {who})\n"
          "  /press N        press button N of the bot's last message\n"
          "  /share          share your phone number (as Telegram's contact button does)\n"
          "  /console        this help          /quit   leave (or Ctrl-D / Ctrl-C)")


def terminal_language(environ: Mapping[str, str] = os.environ) -> str:
    """The language of the terminal's locale (LC_ALL, LC_MESSAGES, LANG: 'de_DE.UTF-8' → 'de')
    when the assistant has it, else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return supported_language(environ[name].split(".")[0]) or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def read_lines(stream: IO[str]) -> asyncio.Queue[str | None]:
    """Lines of `stream` as they come (None at its end), read on a daemon thread.

    A daemon thread rather than asyncio.to_thread: a blocked readline in the default
    executor would keep Ctrl-C from ending the program.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def put(item: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: we are exiting
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def pump() -> None:
        for line in stream:
            put(line)
        put(None)

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    return queue


class ConsoleChat:
    def __init__(self, api: LocalBotApi, *, out: IO[str] = sys.stdout,
                 photo_dir: Path = PROJECT_ROOT / "var" / "console", language: str = SOURCE_LANGUAGE) -> None:
        self.api = api
        self.tr = translator(language)
        self.out = out
        self.photo_dir = photo_dir
        self.persona = PERSONAS["customer"]
        self.buttons: list[str] = []
        self.inline = True  # whether self.buttons are inline buttons or a reply keyboard
        self.photos = 0
        self.shown: dict[int, int] = {}  # per persona: how many of the bot's messages were printed
        self.at_prompt = False

    def user(self):  # type: ignore[no-untyped-def]
        p = self.persona
        return self.api.user(p.telegram_user_id, first_name=p.name.split()[0],
                             last_name=p.name.split()[-1], phone_number=p.phone,
                             language_code=self.tr.language)

    async def run(self, stdin: IO[str] = sys.stdin) -> None:
        tr = self.tr
        self.say(tr._("Console chat with the shop assistant. You are {name} (demo customer).",
                      name=self.persona.name))
        self.say(tr._(HELP, who=self.persona.key))
        for persona in PERSONAS.values():  # all exist from the start: staff can relay to Dana at once
            self.api.user(persona.telegram_user_id, first_name=persona.name.split()[0],
                          last_name=persona.name.split()[-1], phone_number=persona.phone,
                          language_code=tr.language)
        lines = read_lines(stdin)
        watcher = asyncio.create_task(self.watch())
        try:
            while True:
                self.prompt()
                self.at_prompt = True
                line = await lines.get()
                self.at_prompt = False
                if line is None:
                    break
                line = line.strip()
                if not line:
                    continue
                if not await self.handle(line):
                    break
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    def prompt(self) -> None:
        self.out.write(f"\n{self.persona.name}> ")
        self.out.flush()

    async def watch(self) -> None:
        """Print what the bot sends while you are at the prompt (a staff member's answer, a
        delivery update, a rating request), then show the prompt again."""
        while True:
            await asyncio.sleep(0.25)
            if self.at_prompt and self.unseen():
                self.out.write("\n")
                self.flush()
                self.prompt()

    def unseen(self) -> int:
        key = self.persona.telegram_user_id
        return len(self.api.sent_messages(key)) - self.shown.get(key, 0)

    def flush(self) -> int:
        """Print the current persona's messages not printed yet; returns how many."""
        key = self.persona.telegram_user_id
        sent = self.api.sent_messages(key)
        new = sent[self.shown.get(key, 0):]
        for message in new:
            self.show(message)
        self.shown[key] = len(sent)
        return len(new)

    async def handle(self, line: str) -> bool:
        """Act on one line; False when the user wants to leave."""
        command, _, arg = line.partition(" ")
        user, tr = self.user(), self.tr
        self.flush()
        if command == "/quit":
            return False
        if command == "/console":
            self.say(tr._(HELP, who=self.persona.key))
            return True
        if command == "/as":
            if arg.strip() not in PERSONAS:
                self.say(tr._("Who? One of: {personas}", personas=", ".join(PERSONAS)))
            else:
                self.persona = PERSONAS[arg.strip()]
                self.buttons = []
                self.say(tr._("You are now {name} ({key}).", name=self.persona.name, key=self.persona.key))
                if self.unseen():
                    self.say(tr._("While you were away the bot sent:"))
                    self.flush()
            return True
        if command == "/press":
            if not arg.strip().isdigit() or not 1 <= int(arg) <= len(self.buttons):
                listed = ", ".join(f"[{i}] {b}" for i, b in enumerate(self.buttons, 1))
                self.say(tr._("No such button. The bot's last buttons were: {buttons}", buttons=listed)
                         if listed else tr._("No such button: the bot's last message had none."))
                return True
            label = self.buttons[int(arg) - 1]
            if self.inline:
                await user.press(label)
            else:  # a reply keyboard: its contact button shares the phone number, as Telegram does
                await user.press_keyboard(label)
        elif command == "/share":
            if self.persona.phone is None:
                self.say(tr._("This persona has no phone number to share."))
                return True
            await user.share_contact(self.persona.phone)
        else:
            await user.send(line)
        await self.print_replies()
        return True

    async def print_replies(self) -> None:
        """Print what the bot sends until it has been quiet for a moment."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPLY_TIMEOUT
        quiet_at: float | None = None
        printed = 0
        while loop.time() < deadline and (quiet_at is None or loop.time() < quiet_at):
            await asyncio.sleep(0.05)
            if self.flush():
                printed += 1
                quiet_at = loop.time() + QUIET_AFTER_REPLY
        if not printed:
            self.say(self.tr._("(no answer from the bot within {seconds} s; the servers' logs are in "
                               "var/log/)", seconds=round(REPLY_TIMEOUT)))

    def show(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.photo is not None:
            self.photo_dir.mkdir(parents=True, exist_ok=True)
            self.photos += 1
            path = self.photo_dir / f"photo-{self.photos}.png"
            path.write_bytes(message.photo)
            saved = self.tr._("[photo saved to {path}]", path=path)
            self.say(f"bot> {saved}" + (f" {message.text}" if message.text else ""))
        elif message.text:
            self.say("bot> " + message.text.replace("\n", "\n     "))
        labels = message.buttons
        if labels:
            self.buttons = labels
            self.inline = is_inline(message.reply_markup)
            self.say("     " + "  ".join(f"[{i}] {b}" for i, b in enumerate(labels, 1))
                     + "   (/press N)")

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()
