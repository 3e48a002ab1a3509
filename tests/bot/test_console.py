"""The console chat's own behaviour, with the test playing the bot through the local Bot API.

(tests/e2e/test_console.py runs it against the real bot, Rasa and action server.)
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator

import httpx
import pytest

import bot.console
from bot.console import PERSONAS, ConsoleChat
from local_bot_api import LocalBotApi
from tests.waiting import eventually

TOKEN = "777000:CONSOLE-UNIT"
DANA = PERSONAS["customer"]
STAFF = PERSONAS["staff"]


class HeldStdin:
    """Typed lines that arrive only once `gate` is set: the user sits at the prompt till then."""

    def __init__(self, lines: list[str], gate: threading.Event) -> None:
        self.lines, self.gate = lines, gate

    def __iter__(self) -> Iterator[str]:
        self.gate.wait(30)
        yield from self.lines


async def bot_sends(api: LocalBotApi, chat_id: int, text: str, **extra: object) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{api.base_url}{api.token}/sendMessage",
                                   json={"chat_id": chat_id, "text": text, **extra})
    assert answer.json()["ok"], answer.text


async def printed(out: io.StringIO, text: str) -> str:
    try:
        return await eventually(lambda: out.getvalue() if text in out.getvalue() else "", timeout=5)
    except AssertionError:
        raise AssertionError(f"{text!r} not printed; transcript:\n{out.getvalue()}") from None


async def test_messages_that_arrive_at_the_prompt_are_printed_and_kept_for_who_was_away(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.console, "REPLY_TIMEOUT", 1.0)
    async with LocalBotApi(token=TOKEN) as api:
        gate, out = threading.Event(), io.StringIO()
        chat = ConsoleChat(api, out=out)
        running = asyncio.create_task(chat.run(HeldStdin(["/as staff\n", "/quit\n"], gate)))
        await printed(out, f"{DANA.name}> ")
        await bot_sends(api, DANA.telegram_user_id, "Good news: order 1042 has shipped.")
        transcript = await printed(out, "bot> Good news: order 1042 has shipped.")
        assert transcript.rstrip().endswith(f"{DANA.name}>")  # the prompt is back
        await bot_sends(api, STAFF.telegram_user_id, "New ticket #7 from Dana Demo")
        await bot_sends(api, DANA.telegram_user_id, "It is out for delivery.")
        await printed(out, "bot> It is out for delivery.")  # the console looked after staff's came
        assert "New ticket #7" not in out.getvalue()  # not Dana's: kept until staff looks
        gate.set()
        await asyncio.wait_for(running, 10)
    _, after_switch = out.getvalue().split(f"You are now {STAFF.name}")
    assert "While you were away the bot sent:\nbot> New ticket #7 from Dana Demo" in after_switch
    assert out.getvalue().count("Good news: order 1042 has shipped.") == 1


async def test_pressing_a_contact_keyboard_button_shares_the_personas_phone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.console, "REPLY_TIMEOUT", 0.5)
    async with LocalBotApi(token=TOKEN) as api:
        gate, out = threading.Event(), io.StringIO()
        chat = ConsoleChat(api, out=out)
        running = asyncio.create_task(chat.run(HeldStdin(["/press 1\n", "/quit\n"], gate)))
        await printed(out, f"{DANA.name}> ")
        keyboard = {"keyboard": [[{"text": "Share my phone number", "request_contact": True}]],
                    "one_time_keyboard": True, "resize_keyboard": True}
        await bot_sends(api, DANA.telegram_user_id, "Tap to link your account", reply_markup=keyboard)
        await printed(out, "[1] Share my phone number")
        gate.set()
        await asyncio.wait_for(running, 10)
        async with httpx.AsyncClient() as client:
            updates = (await client.post(f"{api.base_url}{api.token}/getUpdates", json={})).json()["result"]
    [update] = updates
    contact = update["message"]["contact"]
    assert contact["phone_number"] == DANA.phone and contact["user_id"] == DANA.telegram_user_id


@pytest.mark.parametrize(("environ", "language"), [
    ({"LANG": "de_DE.UTF-8"}, "de"), ({"LC_ALL": "ru_RU.UTF-8", "LANG": "de_DE.UTF-8"}, "ru"),
    ({"LC_MESSAGES": "zh_CN.UTF-8"}, "zh"), ({"LANG": "C.UTF-8"}, "en"), ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_console_speaks_the_terminals_language(environ: dict[str, str], language: str) -> None:
    assert bot.console.terminal_language(environ) == language


async def test_a_german_console_and_its_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.console, "REPLY_TIMEOUT", 0.5)
    async with LocalBotApi(token=TOKEN) as api:
        out = io.StringIO()
        await ConsoleChat(api, out=out, language="de").run(
            io.StringIO("/as nobody\n/as staff\n/press 2\n/share\nhallo\n/quit\n"))
        async with httpx.AsyncClient() as client:
            updates = (await client.post(f"{api.base_url}{api.token}/getUpdates", json={})).json()["result"]
    transcript = out.getvalue()
    assert transcript.startswith(f"Konsolen-Chat mit dem Shop-Assistenten. Sie sind {DANA.name}")
    assert "Konsolenbefehle (alles andere geht als Ihre Nachricht an den Bot):" in transcript
    assert "Wer? Eine/einer von: customer, other, owner, staff, new" in transcript
    assert f"Sie sind jetzt {STAFF.name} (staff)." in transcript
    assert "Diesen Knopf gibt es nicht: Die letzte Nachricht des Bots hatte keine." in transcript
    assert "Diese Person hat keine Telefonnummer zum Teilen." in transcript
    assert "(keine Antwort vom Bot innerhalb von 0 s;" in transcript  # the bot of this test is silent
    [update] = updates
    assert update["message"]["text"] == "hallo" and update["message"]["from"]["language_code"] == "de"
