"""A restart with an open ticket: the restarted Bot API numbers messages from 1 again.

The console's local Bot API starts empty on every `make run`, so the message ids of the new
run repeat those the store linked to the ticket in the last one. The real bot, the local Bot
API and the store; Rasa is played by a fake that is down, so the bot opens a ticket itself.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

import bot.console
from bot.app import ERROR_REPLY
from bot.console import CONSOLE_TOKEN, ConsoleChat
from local_bot_api import LocalBotApi
from shop import demo
from shop.models import Ticket, TicketMessage
from tests.bot_harness import bot_with_fake_rasa
from tests.waiting import all_handled, eventually

STAFF_IDS = (demo.OWNER.telegram_user_id, demo.STAFF.telegram_user_id)


def people(api: LocalBotApi) -> None:
    for persona in (demo.CUSTOMER, demo.OWNER, demo.STAFF):
        api.user(persona.telegram_user_id)


def relayed(api: LocalBotApi, text: str) -> list[tuple[int, int]]:
    """(chat, message id) of every staff message that carries `text`."""
    return [(uid, m.message_id) for uid in STAFF_IDS for m in api.sent_messages(uid)
            if text in (m.text or "")]


async def test_a_restarted_bot_api_repeating_message_ids_leaves_the_ticket_working(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as first:
        people(first.api)
        dana = first.api.user(demo.CUSTOMER.telegram_user_id)
        first.rasa.down = True  # the bot cannot answer: a ticket opens for a person
        await dana.send("where is my order 1042?")
        await eventually(lambda: relayed(first.api, "New ticket"), what="staff alerted")
        await dana.send("hello, anyone there?")
        await eventually(lambda: relayed(first.api, "anyone there?"), what="the relay")
        await all_handled(first.api)
        linked = await first.services.in_transaction(lambda s: {(c, m) for c, m in s.execute(
            select(TicketMessage.chat_id, TicketMessage.message_id))})

    async with LocalBotApi(token=first.api.token) as api, bot_with_fake_rasa(tmp_path, api=api) as second:
        people(api)
        dana = api.user(demo.CUSTOMER.telegram_user_id)
        await dana.send("still waiting for a person")
        again = await eventually(lambda: relayed(api, "still waiting"), what="the relay after the restart")
        await all_handled(api)
        assert set(again) & linked, "the test needs the restarted Bot API to hand out an id linked before"
        assert ERROR_REPLY not in [m.text for m in dana.sent_messages()]

        staff_chat, relay_id = again[0]
        await api.user(staff_chat).send("A colleague is on it, Dana.", reply_to=relay_id)
        await eventually(lambda: any("A colleague is on it" in (m.text or "") for m in dana.sent_messages()),
                         what="the staff answer to reach Dana")
        ticket = await second.services.in_transaction(lambda s: s.scalars(
            select(Ticket).where(Ticket.telegram_user_id == dana.id)).one())
        assert ticket.status in ("waiting", "human")


async def test_the_console_chat_across_a_restart_with_an_open_ticket(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As in the console: a message opens a ticket, /quit (Ctrl-C), a new run, the next messages."""
    monkeypatch.setattr(bot.console, "REPLY_TIMEOUT", 3.0)
    transcripts = []
    for script in ("where is my order 1042?\nhello, anyone there?\n/quit\n",
                   "still waiting for a person\nand now?\n/quit\n"):
        async with LocalBotApi(token=CONSOLE_TOKEN) as api, bot_with_fake_rasa(tmp_path, api=api) as running:
            running.rasa.down = True  # no answer from the bot: the first message opens a ticket
            out = io.StringIO()
            await ConsoleChat(api, out=out).run(io.StringIO(script))
            await all_handled(api)
            transcripts.append(out.getvalue())
            staff = [m.text or "" for uid in STAFF_IDS for m in api.sent_messages(uid)]
    assert "still waiting for a person" in "\n".join(staff) and "and now?" in "\n".join(staff)
    assert ERROR_REPLY not in transcripts[1] and "Traceback" not in transcripts[1], transcripts[1]
