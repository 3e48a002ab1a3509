"""Rate limits both ways (bot/ratelimit.py).

Outgoing: with Telegram's limits (30 messages/s overall, 1/s per chat, 20/min per group)
the bot never exceeds them under load, measured by when the local Bot API received each
send; it waits out a 429's retry_after and retries 5xx, so nothing is lost.
Incoming: a user over the limit is told once and then ignored until the window clears.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from telegram.error import BadRequest, NetworkError
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.ratelimit import SLOW_DOWN, IncomingLimiter, OutgoingRateLimiter, SlidingWindow
from local_bot_api import LocalBotApi, TimedCalls
from tests.bot_harness import bot_with_fake_rasa
from tests.waiting import all_handled, eventually

# PTB 22 warns about RetryAfter.retry_after's future type inside its own constructor.
pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type:DeprecationWarning")

TOLERANCE = 0.0  # the limiter counts from the answer, so arrivals keep the limit exactly


@pytest_asyncio.fixture(loop_scope="session")
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi() as server:
        server.world.calls = TimedCalls()
        yield server


def timed(api: LocalBotApi) -> TimedCalls:
    assert isinstance(api.world.calls, TimedCalls)
    return api.world.calls


def telegram_limits(max_retries: int = 3) -> OutgoingRateLimiter:
    return OutgoingRateLimiter(overall_per_second=30, chat_per_second=1, group_per_minute=20,
                               max_retries=max_retries)


def bot_for(api: LocalBotApi, limiter: OutgoingRateLimiter) -> ExtBot[None]:
    """A bot with the Application's connection pool (a pool of 1 would queue sends after metering)."""
    return ExtBot(api.token, base_url=api.base_url, rate_limiter=limiter,
                  request=HTTPXRequest(connection_pool_size=256))


def most_in_any_window(times: list[float], period: float) -> int:
    """The largest number of `times` inside one half-open window [t, t + period - TOLERANCE)."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= period - TOLERANCE:
            start += 1
        best = max(best, end - start + 1)
    return best


# --- outgoing ----------------------------------------------------------------------------


async def test_under_load_the_bot_never_exceeds_telegrams_limits(api: LocalBotApi) -> None:
    users = [api.user(5000 + i) for i in range(60)]
    busy = api.user(4999)
    group = api.group(-1001234567890, "Staff")
    async with bot_for(api, telegram_limits()) as bot:
        started = time.monotonic()
        private = [bot.send_message(u.id, f"hello {n}") for u in users for n in range(2)]
        private += [bot.send_message(busy.id, f"burst {n}") for n in range(4)]
        group_sends = [asyncio.ensure_future(bot.send_message(group.chat_id, f"staff {n}"))
                       for n in range(24)]
        await asyncio.gather(*private)
        took = time.monotonic() - started

        def to_group() -> int:
            return sum(1 for _, p in timed(api).sends() if p["chat_id"] == group.chat_id)

        # The group's first 20 go within its minute (long before the private sends end); the
        # other 4 would wait for the minute to pass, so the count is checked once 20 are out.
        await eventually(lambda: to_group() >= 20, what="the group's first 20 messages")
        sent_to_group = to_group()
        for pending in group_sends:
            pending.cancel()
        await asyncio.gather(*group_sends, return_exceptions=True)

    sends = [(t, p) for t, p in timed(api).sends() if t >= started]
    times = [t for t, _ in sends]
    assert len(times) == 124 + sent_to_group
    assert most_in_any_window(times, 1.0) <= 30
    assert took >= (124 - 30) / 30  # the overall limit did hold the sends back
    per_chat: dict[int, list[float]] = {}
    for t, params in sends:
        per_chat.setdefault(params["chat_id"], []).append(t)
    for chat_id, chat_times in per_chat.items():
        if chat_id > 0:
            gaps = [b - a for a, b in zip(chat_times, chat_times[1:], strict=False)]
            assert min(gaps) >= 1.0 - TOLERANCE, (chat_id, gaps)
    assert len(per_chat[busy.id]) == 4
    assert sent_to_group == 20  # the other 4 wait for the first to leave the minute
    assert len(api.sent_messages(busy.id)) == 4
    assert all(len(api.sent_messages(u.id)) == 2 for u in users)


async def test_a_groups_topics_share_one_budget_and_topic_changes_count(api: LocalBotApi) -> None:
    """Cards, relays and re-alerts in different topics of the staff group draw on the group's
    one budget (20 a minute on Telegram; 3 here), and so does opening a topic."""
    group = api.group(-1001234567891, "Staff with topics", forum=True)
    limiter = OutgoingRateLimiter(overall_per_second=30, chat_per_second=1, group_per_minute=3,
                                  max_retries=0)
    async with bot_for(api, limiter) as bot:
        first = await bot.create_forum_topic(group.chat_id, "#1 · Dana")  # 1
        await bot.send_message(group.chat_id, "card of #1", message_thread_id=first.message_thread_id)  # 2
        second = await bot.create_forum_topic(group.chat_id, "#2 · Omar")  # 3: the budget is spent
        late = asyncio.ensure_future(bot.send_message(group.chat_id, "card of #2",
                                                      message_thread_id=second.message_thread_id))
        window = limiter._window(group.chat_id)  # noqa: SLF001 - the group's one window is the point
        assert window is not None
        await eventually(lambda: len(window.slots) == 3 and all(s[0] != math.inf for s in window.slots),
                         what="three sends done")
        waiting = window.wait_time(asyncio.get_running_loop().time())
        assert 50 < waiting <= 60, waiting  # the fourth waits for the minute, whatever its topic
        assert not late.done() and group.topic_messages(second.message_thread_id) == []
        late.cancel()
        await asyncio.gather(late, return_exceptions=True)


async def test_a_429_is_waited_out_and_the_message_sent_once(api: LocalBotApi) -> None:
    dana, omar = api.user(6001), api.user(6002)
    api.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 1",
                  retry_after=1)
    async with bot_for(api, telegram_limits()) as bot:
        first = asyncio.ensure_future(bot.send_message(dana.id, "your order shipped"))
        # The 429 has been answered and the flood wait holds every send (PTB's AIORateLimiter
        # clears this event for the wait).
        await eventually(lambda: not bot.rate_limiter._retry_after_event.is_set(),  # type: ignore[union-attr]
                         what="the flood wait")
        second = asyncio.ensure_future(bot.send_message(omar.id, "hello"))
        await asyncio.gather(first, second)
    calls = [(t, p) for t, p in timed(api).sends() if p["chat_id"] in (dana.id, omar.id)]
    assert [p["chat_id"] for _, p in calls] == [dana.id, dana.id, omar.id]
    refused_at = calls[0][0]
    assert calls[1][0] - refused_at >= 1.0 - TOLERANCE  # retry_after honoured
    assert calls[2][0] - refused_at >= 1.0 - TOLERANCE  # other chats waited too
    assert [m.text for m in api.sent_messages(dana.id)] == ["your order shipped"]
    assert [m.text for m in api.sent_messages(omar.id)] == ["hello"]


async def test_a_5xx_is_retried_and_the_message_sent_once(api: LocalBotApi) -> None:
    user = api.user(6003)
    api.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=2)
    async with bot_for(api, telegram_limits()) as bot:
        await bot.send_message(user.id, "still here")
    assert [m.text for m in api.sent_messages(user.id)] == ["still here"]
    assert len([f for f in api.failures if f.params.get("chat_id") == user.id]) == 2


async def test_retries_give_up_after_max_retries_and_400s_are_not_retried(api: LocalBotApi) -> None:
    user = api.user(6004)
    api.fail_next("sendMessage", error_code=500, description="Internal Server Error", times=2)
    async with bot_for(api, telegram_limits(max_retries=1)) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "lost")
        api.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
        before = len(timed(api).sends())
        with pytest.raises(BadRequest):
            await bot.send_message(user.id, "refused")
        assert len(timed(api).sends()) == before + 1
    assert api.sent_messages(user.id) == []


async def test_a_sliding_window_lets_the_next_one_through_when_the_first_leaves() -> None:
    window = SlidingWindow.per(0.5, 1.0)
    assert window is not None and (window.limit, window.period) == (1, 2.0)
    window = SlidingWindow.per(20, 60.0)
    assert window is not None and (window.limit, window.period) == (20, 60.0)
    assert SlidingWindow.per(0, 1.0) is None
    window = SlidingWindow(2, 0.2)
    loop = asyncio.get_running_loop()
    stamps = []
    for _ in range(5):
        async with window.lock:
            await window.wait()
            window.slots.append([loop.time()])
            stamps.append(loop.time())
    assert stamps[2] - stamps[0] >= 0.2 and stamps[4] - stamps[2] >= 0.2
    assert stamps[4] - stamps[0] < 0.6  # and it does not wait longer than it must


async def test_a_send_in_flight_holds_its_place_until_it_ends() -> None:
    window = SlidingWindow(1, 0.1)
    loop = asyncio.get_running_loop()
    slot = [math.inf]
    window.slots.append(slot)

    async def end_later() -> float:
        await asyncio.sleep(0.3)  # the send in flight takes this long: the time is what is tested
        slot[0] = loop.time()
        window.ended.set()
        return slot[0]

    ending = asyncio.ensure_future(end_later())
    async with window.lock:
        await window.wait()
    ended = await ending
    assert loop.time() >= ended + 0.1  # a full period after the answer, not after the start


# --- incoming ----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_over_the_limit_one_warning_then_silence_until_the_window_clears() -> None:
    clock = Clock()
    limiter = IncomingLimiter(3, 10.0, clock=clock)
    verdicts = []
    for _ in range(6):
        verdicts.append(limiter.check(7))
        clock.now += 1
    assert verdicts == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert limiter.check(8) == "ok"  # others are not affected
    clock.now = 1000.0 + 10.0  # the first message left the window
    assert limiter.check(7) == "ok"
    assert limiter.check(7) == "warn"  # full again: a new warning for a new burst


def test_a_steady_writer_under_the_limit_is_never_stopped() -> None:
    clock = Clock()
    limiter = IncomingLimiter(20, 10.0, clock=clock)
    for _ in range(500):
        assert limiter.check(7) == "ok"
        clock.now += 0.5


def test_a_limit_of_zero_switches_it_off() -> None:
    limiter = IncomingLimiter(0, 10.0)
    assert all(limiter.check(7) == "ok" for _ in range(1000))


def test_forgotten_users_do_not_pile_up() -> None:
    clock = Clock()
    limiter = IncomingLimiter(2, 1.0, clock=clock)
    limiter.MAX_USERS = 100
    for user in range(1000):
        limiter.check(user)
        clock.now += 0.1
    assert len(limiter._seen) <= 100


async def test_a_flooding_user_reaches_rasa_limit_times_and_is_told_once(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path, incoming_limit=5, incoming_window=30.0,
                                  telegram_rate_per_chat=0) as bot:
        flooder, calm = bot.api.user(7001), bot.api.user(7002)
        for n in range(12):
            await flooder.send(f"spam {n}")
        await calm.send("hello")
        await calm.wait_for(1)
        replies = await flooder.wait_for(6)
        await all_handled(bot.api)
        assert len(flooder.sent_messages()) == 6  # and nothing more comes
    texts = [m.text for m in replies]
    assert texts.count(SLOW_DOWN) == 1
    assert texts[:5] == [f"You said: spam {n}" for n in range(5)]
    assert [t for s, t in bot.rasa.received if s == flooder.id] == [f"spam {n}" for n in range(5)]
    assert (calm.id, "hello") in bot.rasa.received
