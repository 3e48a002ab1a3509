"""Long polling confirms an update only once it was handled, and never handles one twice.

A crash is simulated in-process by abandoning a poller without stopping it (its tasks are
cancelled, nothing is confirmed); tests/e2e/test_faults.py kills a real bot process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, filters

from bot.polling import ConfirmingPoller, write_with_handled_record
from bot.processing import PerChatUpdateProcessor
from bot.services import Services
from local_bot_api import LocalBotApi
from shop import conversation_log
from shop.models import HandledUpdate, Message
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(loop_scope="session")
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi() as server:
        yield server


class Recorder:
    """A message handler that records what it saw and can be held on a gate."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}

    async def __call__(self, update: Update, context: object) -> None:
        assert update.message is not None and update.message.text is not None
        text = update.message.text
        self.started.append(text)
        if text in self.gates:
            await self.gates[text].wait()
        self.finished.append(text)


def application(api: LocalBotApi, services: Services, recorder: Recorder) -> Application:  # type: ignore[type-arg]
    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .concurrent_updates(PerChatUpdateProcessor()).updater(None).build())
    app.add_handler(MessageHandler(filters.TEXT, recorder))
    return app


async def test_an_update_is_confirmed_only_after_it_was_handled(api: LocalBotApi, services: Services) -> None:
    recorder = Recorder()
    recorder.gates["slow"] = asyncio.Event()
    app = application(api, services, recorder)
    async with app:
        await app.start()
        poller = ConfirmingPoller(app, services, timeout=1)
        await poller.start()
        await api.user(11).send("slow")
        await api.user(12).send("quick")
        await eventually(lambda: recorder.finished == ["quick"])
        polls = len(api.calls_to("getUpdates"))
        await eventually(lambda: len(api.calls_to("getUpdates")) >= polls + 3,
                         what="several polls while \"slow\" is handled")
        assert api.pending_updates == 2  # neither confirmed: "slow" is still being handled
        assert recorder.started == ["slow", "quick"]  # and nothing was handed over twice
        recorder.gates["slow"].set()
        await eventually(lambda: api.pending_updates == 0)
        await poller.stop()
        await app.stop()
    assert recorder.finished == ["quick", "slow"]


async def test_after_a_crash_unfinished_updates_come_again_and_finished_ones_do_not(
        api: LocalBotApi, services: Services) -> None:
    first = Recorder()
    first.gates["interrupted"] = asyncio.Event()  # never set: the crash comes first
    app = application(api, services, first)
    async with app:
        await app.start()
        crashed = ConfirmingPoller(app, services, timeout=1)
        await crashed.start()
        await api.user(21).send("interrupted")
        await api.user(22).send("finished")
        await eventually(lambda: first.finished == ["finished"])
        await eventually(lambda: len(crashed._in_flight) == 1,
                         what="the finished update's record written")  # _handle ends after it
        # The crash: the process stops dead; nothing more is confirmed.
        assert crashed._task is not None
        crashed._task.cancel()
        dead = [crashed._task, *crashed._in_flight.values()]
        for task in dead[1:]:
            task.cancel()
        await asyncio.gather(*dead, return_exceptions=True)  # the cancelled tasks have ended
        await app.stop()
    assert api.pending_updates == 2

    second = Recorder()
    app = application(api, services, second)
    async with app:
        await app.start()
        restarted = ConfirmingPoller(app, services, timeout=1)
        await restarted.start()
        await eventually(lambda: api.pending_updates == 0)
        await api.user(21).send("after the restart")
        await eventually(lambda: len(second.finished) == 2)
        await restarted.stop()
        await app.stop()
    assert second.started == ["interrupted", "after the restart"]  # "finished" not again


async def test_stop_lets_updates_in_flight_finish_and_confirms_them(api: LocalBotApi,
                                                                     services: Services) -> None:
    recorder = Recorder()
    recorder.gates["in flight"] = asyncio.Event()
    app = application(api, services, recorder)
    async with app:
        await app.start()
        poller = ConfirmingPoller(app, services, timeout=1, grace=5)
        await poller.start()
        await api.user(31).send("in flight")
        await eventually(lambda: recorder.started == ["in flight"])
        asyncio.get_running_loop().call_later(0.3, recorder.gates["in flight"].set)
        await poller.stop()
        await app.stop()
    assert recorder.finished == ["in flight"]
    assert api.pending_updates == 0


async def test_why_not_ptbs_updater_it_confirms_updates_still_being_handled(
        api: LocalBotApi, services: Services) -> None:
    """The reason for ConfirmingPoller: with PTB's own polling, a crash now would lose the update."""
    recorder = Recorder()
    recorder.gates["being handled"] = asyncio.Event()
    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .concurrent_updates(PerChatUpdateProcessor()).build())
    app.add_handler(MessageHandler(filters.TEXT, recorder))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await api.user(41).send("being handled")
        await eventually(lambda: recorder.started == ["being handled"])
        await eventually(lambda: api.pending_updates == 0,
                         what="PTB to confirm the update")  # confirmed to Telegram, yet not handled
        assert recorder.finished == []
        recorder.gates["being handled"].set()
        await app.updater.stop()
        await app.stop()


async def test_stop_ends_polling_even_if_a_cancellation_is_lost(api: LocalBotApi, services: Services) -> None:
    """Python 3.11's wait_for (and libraries) can swallow a cancellation; stop() must not hang."""
    app = application(api, services, Recorder())
    async with app:
        await app.start()
        poller = ConfirmingPoller(app, services, timeout=1)
        real = poller._fetch
        calls = 0

        async def stubborn(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            try:
                return await real(*args, **kwargs)
            except asyncio.CancelledError:
                return []  # the cancellation is lost

        poller._fetch = stubborn  # type: ignore[method-assign]
        await poller.start()
        await eventually(lambda: calls >= 1, what="a poll to be under way")
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(poller.stop(), 10)
        assert asyncio.get_running_loop().time() - started < 3
        await app.stop()
    assert calls >= 1


async def test_writes_a_handler_leaves_for_the_record_land_with_it_and_cannot_cost_it(
        api: LocalBotApi, services: Services) -> None:
    """The bot's answer is logged in the transaction that records its update as handled
    (write_with_handled_record); a write that fails there is reported, and the record is still
    written, so the update is not answered again after a restart."""
    def log(text: str) -> Callable[[Session], None]:
        return lambda session: conversation_log.log_message(
            session, telegram_user_id=31, direction="out", text=text, now=datetime.now(UTC))

    def broken(session: Session) -> None:
        raise RuntimeError("the log is full")

    queued: dict[str, bool] = {}

    async def handler(update: Update, context: object) -> None:
        assert update.message is not None and update.message.text is not None
        text = update.message.text
        queued[text] = write_with_handled_record(broken if text == "break" else log(f"answer to {text}"))

    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .concurrent_updates(PerChatUpdateProcessor()).updater(None).build())
    app.add_handler(MessageHandler(filters.TEXT, handler))
    async with app:
        await app.start()
        poller = ConfirmingPoller(app, services, timeout=1)
        await poller.start()
        for count, text in enumerate(("one", "break", "two"), start=1):  # a batch each
            await api.user(31).send(text)
            await eventually(lambda: len(queued) == count and not poller._in_flight)  # noqa: B023
        await poller.stop()
        await app.stop()

    assert queued == {"one": True, "break": True, "two": True}
    assert not write_with_handled_record(log("outside a poller's update"))  # the caller writes it
    with services.sessions() as session:
        logged = session.scalars(select(Message.text).order_by(Message.id)).all()
        recorded = session.scalar(select(func.count()).select_from(HandledUpdate))
    assert recorded == 3  # "break" too
    assert logged == ["answer to one", "answer to two"]


async def test_with_nothing_left_in_flight_the_next_poll_is_a_long_one(
        api: LocalBotApi, services: Services) -> None:
    """One getUpdates call brings a message in; once it is handled and nothing else is, the
    poller long-polls again (which returns at once if something new waits) rather than first
    taking a quick look: one request a message fewer."""
    recorder = Recorder()
    app = application(api, services, recorder)
    async with app:
        await app.start()
        poller = ConfirmingPoller(app, services, timeout=1)
        await poller.start()
        await eventually(lambda: len(api.calls_to("getUpdates")) >= 1, what="the first long poll")
        before = len(api.calls_to("getUpdates"))
        await api.user(41).send("hello")
        await eventually(lambda: recorder.finished == ["hello"] and not poller._in_flight)
        await eventually(lambda: len(api.calls_to("getUpdates")) >= before + 1, what="the poll after it")
        after = [int(call.get("timeout") or 0) for call in api.calls_to("getUpdates")[before:]]
        await poller.stop()
        await app.stop()
    assert 0 not in after and after[0] == 1  # no quick look (timeout 0): a long poll next
