"""Hostile and odd input, property-based (hypothesis): the bot answers, stays plain text, leaks nothing.

Two doors are covered. The bot's message path runs for real (local Bot API, polling,
handlers, rendering; Rasa played by a fake) on a thread of its own, so that hypothesis
can drive it example by example: long texts, control characters, right-to-left and emoji
text, SQL and Markdown/HTML injection, forged button data, a button pressed on someone
else's keyboard, and odd answers from Rasa. The actions run in-process on the demo store
for Dana, whatever the message and its entities: nothing of Omar's ever comes back.
(tests/e2e/test_hostile_input.py sends the same kinds of text through the real Rasa.)
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import base
from bot.app import ERROR_REPLY
from bot.handlers.customer import MAX_NLU_CHARS
from bot.render import RASA_BUTTON, split_text
from local_bot_api import BotMessage, FakeUser
from local_bot_api.world import CallbackRecord
from shop import demo
from shop.orders import NOT_FOUND
from shop.owner import REFUSAL
from tests.bot_harness import RunningBot, bot_with_fake_rasa, echo, store_settings
from tests.waiting import all_handled

T = TypeVar("T")
STRANGERS = itertools.count(990_001)

# What Dana must never be shown: Omar's identity and the contents of his order.
OMAR_SECRETS = ("Omar", "omar@example.com", "87654321")
INJECTIONS = [
    "1042'; DROP TABLE orders; --", "1044 OR 1=1", "' UNION SELECT name, email FROM customers --",
    "*where* is _my_ order [1042](http://evil.example)", "<b>1042</b><a href=\"tg://user?id=1002\">x</a>",
    "</code>```1044```", "\u202eredro ym si erehw", "أين طلبي 1042؟", "איפה ההזמנה שלי 1044",
    "📦🔥 1042 👀", "\u200b\u200b1044\u200b", "\x00\x01\x07\x1b[31m1042", "line\r\nbreak\rorder 1044",
    "%s%s%n 1042 {0} {order}", "${ACTION_ENDPOINT_URL} $(reboot)", "/order_status{\"order_id\":\"1044\"}",
    "🏳️‍🌈" * 50, "\ud7ff\ue000\uffff",
]
texts = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=4500, max_size=5200),
    st.builds(lambda a, b: a + b, st.sampled_from(INJECTIONS), st.text(max_size=80)),
).filter(lambda t: t.strip() != "" and not t.lstrip().startswith("/"))
EXAMPLES = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


class BotThread:
    """The real bot with a fake Rasa, running in an event loop on its own thread."""

    def __init__(self, folder: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._context = bot_with_fake_rasa(folder, incoming_limit=0)  # hypothesis is a flood
        self.bot: RunningBot = self.run(self._context.__aenter__())
        for persona in (demo.OWNER, demo.STAFF, demo.CUSTOMER, demo.OTHER_CUSTOMER):
            self.bot.api.user(persona.telegram_user_id, persona.name.split()[0])

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.run(self._context.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    def converse(self, user: FakeUser, text: str, expect: int) -> list[BotMessage]:
        """Send `text`; return the bot's answer (`expect` messages, once the bot is done with it)."""
        async def go() -> list[BotMessage]:
            await user.send(text)
            replies = await user.wait_for(expect, timeout=10)
            await all_handled(self.bot.api)
            return replies
        return self.run(go())


@pytest.fixture(scope="module")
def bot_thread(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotThread]:
    runner = BotThread(tmp_path_factory.mktemp("bad-input"))
    yield runner
    runner.close()


def plain(runner: BotThread) -> None:
    """Every call the bot made was accepted, and no message used a parse mode.

    (Removing the keyboard of a message that has none, after a forged or repeated press,
    is refused as "not modified"; the bot expects that and carries on.)"""
    api = runner.bot.api
    refused = [f for f in api.failures
               if not (f.method == "editMessageReplyMarkup" and "not modified" in f.description)]
    assert refused == [], refused[-3:]
    assert not [c for c in api.calls if c.params.get("parse_mode")], "the bot must send plain text"


# --- the bot's message path ------------------------------------------------------------------


@EXAMPLES
@given(text=texts)
def test_any_text_gets_one_plain_answer_and_rasa_sees_at_most_its_beginning(bot_thread: BotThread,
                                                                             text: str) -> None:
    bot = bot_thread.bot
    bot.rasa.answer = echo
    user = bot.api.user(demo.CUSTOMER.telegram_user_id)
    replies = bot_thread.converse(user, text, expect=1)
    sender, received = bot.rasa.received[-1]
    assert sender == user.id and received == text[:MAX_NLU_CHARS]
    assert [r.text for r in replies] == [f"You said: {received}".strip()]  # Telegram trims
    assert len(user.sent_messages()) == len(user.chat.outbox)  # nothing sent then deleted
    plain(bot_thread)


rasa_messages = st.lists(st.fixed_dictionaries({}, optional={
    "text": st.one_of(st.none(), st.just(""), st.just("   \n"), texts,
                      st.text(min_size=4090, max_size=9000)),
    "buttons": st.lists(st.fixed_dictionaries({"title": st.text(max_size=80),
                                               "payload": st.text(max_size=80)}), max_size=4),
    "custom": st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)),
}), max_size=3)


@EXAMPLES
@given(messages=rasa_messages)
def test_whatever_rasa_answers_the_user_gets_something_and_telegram_accepts_it(
        bot_thread: BotThread, messages: list[dict[str, Any]]) -> None:
    bot = bot_thread.bot
    bot.rasa.answer = lambda sender, text: messages
    # A new stranger each time: an answer with nothing to show hands the chat to a person.
    user = bot.api.user(next(STRANGERS))
    expected = [part.strip() for m in messages if (m.get("text") or "").strip()
                for part in split_text(m["text"])]
    replies = bot_thread.converse(user, "hello", expect=max(len(expected), 1))
    if not expected:  # nothing Telegram could show: the user is told, not left in silence
        assert len(replies) == 1 and replies[0].text and replies[0].text != ERROR_REPLY
    else:  # Telegram trims each message, as the local Bot API does
        assert [r.text for r in replies] == expected
    plain(bot_thread)


@EXAMPLES
@given(data=st.text(max_size=62).filter(lambda d: len((RASA_BUTTON + d).encode()) <= 64))
def test_forged_button_data_goes_to_rasa_as_the_presser_and_nowhere_else(bot_thread: BotThread,
                                                                          data: str) -> None:
    bot = bot_thread.bot
    bot.rasa.answer = echo
    dana = bot.api.user(demo.CUSTOMER.telegram_user_id)
    omar = bot.api.user(demo.OTHER_CUSTOMER.telegram_user_id)
    omar_before = len(omar.chat.outbox)
    bot_thread.run(press(bot, dana, on_chat_of=dana, data=RASA_BUTTON + data))
    replies = bot_thread.run(dana.wait_for(1, timeout=10))
    assert bot.rasa.received[-1] == (dana.id, data)
    assert replies[0].text == f"You said: {data}".strip()
    assert len(omar.chat.outbox) == omar_before
    plain(bot_thread)


def test_a_button_pressed_on_someone_elses_keyboard_does_nothing(bot_thread: BotThread) -> None:
    """A client forging a press in Dana's chat as Omar: nothing reaches Rasa or Dana's chat."""
    bot = bot_thread.bot
    dana = bot.api.user(demo.CUSTOMER.telegram_user_id)
    omar = bot.api.user(demo.OTHER_CUSTOMER.telegram_user_id)
    received, dana_before = len(bot.rasa.received), len(dana.chat.outbox)
    query_id = bot_thread.run(press(bot, omar, on_chat_of=dana,
                                    data=RASA_BUTTON + '/order_status{"order_id":"1042"}'))
    bot_thread.run(all_handled(bot.api))  # the press was handled: whatever it did is done
    assert len(bot.rasa.received) == received
    assert len(dana.chat.outbox) == dana_before
    assert omar.callback_answer(query_id) is not None  # the press itself was answered
    plain(bot_thread)


async def press(bot: RunningBot, presser: FakeUser, *, on_chat_of: FakeUser, data: str) -> str:
    """A callback query from `presser` on a bot message in `on_chat_of`'s chat, with any data."""
    sent = on_chat_of.sent_messages()
    message: dict[str, Any] = {"message_id": sent[-1].message_id if sent else 1, "date": int(time.time()),
                               "chat": on_chat_of.chat.as_chat(), "text": "…", "from": bot.api.bot}
    query_id = f"{presser.id}-{time.monotonic_ns()}"
    bot.api.world.callbacks[query_id] = CallbackRecord(on_chat_of.id, time.monotonic())
    bot.api._updates.push("callback_query", {"id": query_id, "from": presser.account.as_user(),
                                             "message": message, "chat_instance": "1", "data": data})
    return query_id


# --- the actions: nothing of another customer's, whatever the message ---------------------------


@pytest.fixture(scope="module")
def actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Every action of the action server, on a demo store of its own."""
    folder = tmp_path_factory.mktemp("actions")
    settings = store_settings(folder)
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", settings.database_url)
    patch.setenv("TZ", "Europe/Berlin")
    base.store.cache_clear()
    executor = ActionExecutor()
    executor.register_package("actions")
    yield {name: run.__self__ for name, run in executor.actions.items() if hasattr(run, "__self__")}
    base.store.cache_clear()
    patch.undo()


def run_action(action: Any, sender: int, text: str, entities: list[dict[str, Any]]) -> list[str]:
    tracker = Tracker(str(sender), {"order_id": None}, {
        "text": text, "intent": {"name": "order_status", "confidence": 1.0}, "entities": entities},
        [], False, None, None, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return [str(m.get("text") or "") + str(m.get("buttons") or "") + str(m.get("custom") or "")
            for m in dispatcher.messages]


entity_values = st.one_of(st.sampled_from([demo.OTHER_ORDER, f"#{demo.OTHER_ORDER}", "1042", "1043",
                                           "9999", "0", "-1", "1044 OR 1=1", "%", "_", "*"]),
                          st.sampled_from(INJECTIONS), st.text(max_size=40))
entities = st.lists(st.builds(lambda kind, value: {"entity": kind, "value": value},
                              st.sampled_from(["order_id", "metric", "period", "rating"]), entity_values),
                    max_size=3)


@EXAMPLES
@given(text=texts, found=entities)
def test_no_action_shows_dana_anything_of_omars(actions: dict[str, Any], text: str,
                                                found: list[dict[str, Any]]) -> None:
    for name, action in actions.items():
        for reply in run_action(action, demo.CUSTOMER.telegram_user_id, text, found):
            for secret in OMAR_SECRETS:
                assert secret not in reply, (name, text, found, reply)
            if name in ("action_ask_metric", "action_ask_report"):
                assert reply == REFUSAL, (name, reply)


def test_omars_order_gets_the_answer_of_an_order_that_does_not_exist(actions: dict[str, Any]) -> None:
    status = actions["action_order_status"]
    dana = demo.CUSTOMER.telegram_user_id
    [foreign] = run_action(status, dana, "x", [{"entity": "order_id", "value": demo.OTHER_ORDER}])
    [unknown] = run_action(status, dana, "x", [{"entity": "order_id", "value": "9999"}])
    assert foreign == NOT_FOUND.format(number=demo.OTHER_ORDER)
    assert unknown == NOT_FOUND.format(number="9999")


def test_the_demo_store_is_what_the_properties_assume(actions: dict[str, Any]) -> None:
    """Omar's order exists and Omar sees it: the properties above test a real boundary."""
    [own] = run_action(actions["action_order_status"], demo.OTHER_CUSTOMER.telegram_user_id, "x",
                       [{"entity": "order_id", "value": demo.OTHER_ORDER}])
    assert own.startswith(f"Order {demo.OTHER_ORDER}")
