"""Contract tests: an unmodified python-telegram-bot 22 works against the local Bot API.

Each test pins one thing PTB (or a bot built on it) relies on, so a change to the server
that would break the end-to-end tests or the console fails here first, with a clear name.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from local_bot_api import LocalBotApi, tiny_png
from tests.local_bot_api.helpers import bot_for, free_port, polling_app, webhook_app
from tests.waiting import eventually

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi(webhook_retry_delay=0.01, webhook_max_attempts=3) as srv:
        yield srv


@pytest.fixture
async def bot(server: LocalBotApi) -> AsyncIterator[Bot]:
    async with bot_for(server) as ptb_bot:
        yield ptb_bot


def _echo_handler(seen: list[Update]) -> MessageHandler:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    return MessageHandler(filters.TEXT, echo)


# -- what PTB needs from the answers ----------------------------------------------------


async def test_get_me_describes_a_bot_whose_id_comes_from_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.id == 123456
    assert me.username == "local_test_bot"
    assert me.can_join_groups is True


async def test_dates_are_unix_seconds(server: LocalBotApi, bot: Bot) -> None:
    server.user(1001)
    sent = await bot.send_message(1001, "hello")
    assert sent.date.year == datetime.now(UTC).year
    raw_date = server.sent_messages(1001)[0].message["date"]
    assert isinstance(raw_date, int)
    assert abs(raw_date - time.time()) < 5


async def test_message_ids_increase_per_chat(server: LocalBotApi, bot: Bot) -> None:
    alice, bob = server.user(1001), server.user(1002)
    first = await alice.send("hi")
    reply = await bot.send_message(1001, "hello")
    other = await bot.send_message(1002, "hello")
    assert (first["message_id"], reply.message_id, other.message_id) == (1, 2, 1)
    assert bob.chat_id == 1002


async def test_edit_returns_the_edited_message(server: LocalBotApi, bot: Bot) -> None:
    server.user(1001)
    sent = await bot.send_message(1001, "Order 1042: packed")
    edited = await bot.edit_message_text(
        "Order 1042: shipped", chat_id=1001, message_id=sent.message_id
    )
    assert isinstance(edited, Message)
    assert edited.text == "Order 1042: shipped"
    assert edited.edit_date is not None
    assert [m.text for m in server.sent_messages(1001)] == ["Order 1042: shipped"]
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Order 1042: shipped", chat_id=1001, message_id=sent.message_id)


async def test_editing_a_missing_message_is_a_bad_request(server: LocalBotApi, bot: Bot) -> None:
    server.user(1001)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=999)


async def test_users_who_blocked_or_never_started_the_bot_are_forbidden(
    server: LocalBotApi, bot: Bot
) -> None:
    alice = server.user(1001)
    stranger = server.user(2002, started=False)
    alice.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1001, "still there?")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(2002, "hello")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(3003, "hello")
    alice.unblock()
    await stranger.send("/start")
    assert (await bot.send_message(1001, "welcome back")).text == "welcome back"
    assert (await bot.send_message(2002, "welcome")).text == "welcome"


async def test_too_long_and_empty_texts_are_refused(server: LocalBotApi, bot: Bot) -> None:
    server.user(1001)
    await bot.send_message(1001, "x" * 4096)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1001, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(1001, "   ")
    assert len(server.sent_messages(1001)) == 1


async def test_parse_modes_become_entities_and_broken_markup_is_refused(
    server: LocalBotApi, bot: Bot
) -> None:
    alice = server.user(1001)
    sent = await bot.send_message(1001, "<b>Order</b> 1042 &amp; co", parse_mode=ParseMode.HTML)
    assert sent.text == "Order 1042 & co"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 5)]
    seen = (await alice.wait_for())[0]
    assert (seen.raw_text, seen.parse_mode) == ("<b>Order</b> 1042 &amp; co", "HTML")
    with pytest.raises(BadRequest, match='(?i)can\'t parse entities.*start tag "b"'):
        await bot.send_message(1001, "<b>unclosed", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities.*'\.' is reserved"):
        await bot.send_message(1001, "Total: 5.00", parse_mode=ParseMode.MARKDOWN_V2)
    ok = await bot.send_message(1001, r"*Total:* 5\.00", parse_mode=ParseMode.MARKDOWN_V2)
    assert ok.text == "Total: 5.00"


async def test_callback_data_over_64_bytes_is_refused(server: LocalBotApi, bot: Bot) -> None:
    server.user(1001)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y" * 65)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(1001, "Confirm?", reply_markup=markup)
    assert server.failures[-1].description == "Bad Request: BUTTON_DATA_INVALID"


async def test_injected_429_raises_retry_after(
    server: LocalBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22's non-deprecated retry_after type
    server.user(1001)
    server.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "hi")
    assert caught.value.retry_after == timedelta(seconds=7)
    assert (await bot.send_message(1001, "hi")).text == "hi"  # only the next call failed
    assert server.sent_messages(1001)[0].text == "hi"


async def test_delay_slows_answers(server: LocalBotApi, bot: Bot) -> None:
    server.set_delay("getMe", 0.2)
    started = time.perf_counter()
    await bot.get_me()
    assert time.perf_counter() - started >= 0.2
    server.set_delay("getMe", 0)
    started = time.perf_counter()
    await bot.get_me()
    assert time.perf_counter() - started < 0.1


async def test_wrong_token_and_unknown_method(server: LocalBotApi) -> None:
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{server.base_url}999:WRONG/getMe")
        unknown = await client.post(f"{server.base_url}{server.token}/fooBar")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    assert unknown.status_code == 404
    assert unknown.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=server.base_url):
            pass
    async with bot_for(server) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("fooBar")


async def test_json_and_form_bodies_are_typed_like_telegram(server: LocalBotApi) -> None:
    server.user(1001)
    url = f"{server.base_url}{server.token}/sendMessage"
    keyboard = '{"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}'
    async with httpx.AsyncClient() as client:
        form = await client.post(
            url, data={"chat_id": "1001", "text": "42", "reply_markup": keyboard}
        )
        as_json = await client.post(
            url, json={"chat_id": "1001", "text": "hi", "reply_to_message_id": 1}
        )
    assert form.json()["result"]["text"] == "42"  # a text stays a string
    assert form.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"
    assert as_json.json()["result"]["chat"]["id"] == 1001
    assert as_json.json()["result"]["reply_to_message"]["text"] == "42"
    assert server.calls_to("sendMessage")[0]["chat_id"] == 1001


async def test_caption_and_markup_edits_and_deletes(server: LocalBotApi, bot: Bot) -> None:
    alice = server.user(1001)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Claim", callback_data="claim:7")]])
    photo = await bot.send_photo(1001, tiny_png(), caption="before", reply_markup=keyboard)
    captioned = await bot.edit_message_caption(1001, photo.message_id, caption="after")
    assert isinstance(captioned, Message) and captioned.caption == "after"
    assert captioned.reply_markup is None  # an edit without reply_markup drops the keyboard
    marked = await bot.edit_message_reply_markup(1001, photo.message_id, reply_markup=keyboard)
    assert isinstance(marked, Message) and marked.reply_markup == keyboard
    with pytest.raises(BadRequest, match="(?i)no text in the message"):
        await bot.edit_message_text("x", chat_id=1001, message_id=photo.message_id)
    assert [m.edited for m in await alice.wait_for(count=3, include_edits=True)] == [
        False,
        True,
        True,
    ]
    assert await bot.delete_message(1001, photo.message_id) is True
    assert server.sent_messages(1001) == []
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(1001, photo.message_id)
    with pytest.raises(ValueError, match="PNG, JPEG"):
        await alice.send_photo(b"not an image")


async def test_copy_and_forward_relay_a_customer_to_staff(server: LocalBotApi, bot: Bot) -> None:
    alice = server.user(1001, "Dana")
    staff = server.group(-100555, title="Staff")
    text = await alice.send("my parcel arrived damaged")
    photo = await alice.send_photo(tiny_png(40, 30), caption="see")
    copied = await bot.copy_message(-100555, from_chat_id=1001, message_id=photo["message_id"])
    forwarded = await bot.forward_message(-100555, from_chat_id=1001, message_id=text["message_id"])
    seen = await staff.wait_for(count=2)
    assert (seen[0].message_id, seen[0].photo, seen[0].text) == (
        copied.message_id,
        tiny_png(40, 30),
        "see",
    )
    assert forwarded.text == "my parcel arrived damaged"
    assert forwarded.forward_origin is not None and forwarded.forward_origin.type == "user"
    assert forwarded.forward_origin.sender_user.id == 1001  # type: ignore[attr-defined]
    with pytest.raises(BadRequest, match="(?i)message to copy not found"):
        await bot.copy_message(-100555, from_chat_id=1001, message_id=99)


async def test_chat_info_members_and_commands(server: LocalBotApi, bot: Bot) -> None:
    server.user(1001, "Dana", username="dana")
    server.user(1002)
    server.group(-100555, title="Staff")
    private, group = await bot.get_chat(1001), await bot.get_chat(-100555)
    assert (private.type, private.first_name, private.username) == ("private", "Dana", "dana")
    assert (group.type, group.title) == ("supergroup", "Staff")
    assert (await bot.get_chat_member(-100555, 1002)).status == "left"
    with pytest.raises(BadRequest, match="(?i)participant_id_invalid"):
        await bot.get_chat_member(-100555, 4242)
    await bot.set_my_commands([("orders", "Show my orders"), ("help", "What I can do")])
    assert [c.command for c in await bot.get_my_commands()] == ["orders", "help"]
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([("Bad Command", "spaces are not allowed")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_a_second_long_poll_terminates_the_first(server: LocalBotApi, bot: Bot) -> None:
    """Two bots polling one token is a deployment bug Telegram reports with 409; PTB's own
    client queues its polls, so the older poll comes from a separate client here."""
    async with httpx.AsyncClient() as client:
        first = asyncio.create_task(
            client.post(f"{server.base_url}{server.token}/getUpdates", json={"timeout": 5})
        )
        await eventually(lambda: server.calls_to("getUpdates"), what="the first long poll")
        assert await bot.get_updates(timeout=0) == ()
        answer = await first
    assert answer.status_code == 409
    assert "terminated by other getUpdates request" in answer.json()["description"]


# -- files ------------------------------------------------------------------------------


async def test_photo_bytes_round_trip_through_multipart(server: LocalBotApi, bot: Bot) -> None:
    alice = server.user(1001)
    png = tiny_png(200, 100)
    sent = await bot.send_photo(1001, photo=png, caption="Your chart")
    assert sent.photo[-1].width == 200 and sent.photo[-1].file_unique_id
    seen = (await alice.wait_for())[0]
    assert (seen.photo, seen.text) == (png, "Your chart")
    assert server.calls_to("sendPhoto")[0]["photo"].data == png
    downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == png
    again = await bot.send_photo(1001, photo=sent.photo[-1].file_id)
    assert (await alice.wait_for())[0].photo == png
    assert again.photo[-1].file_unique_id == sent.photo[-1].file_unique_id


async def test_documents_keep_name_type_and_bytes(server: LocalBotApi, bot: Bot) -> None:
    alice = server.user(1001)
    sent = await bot.send_document(1001, document=b"a,b\n1,2\n", filename="report.csv")
    assert sent.document is not None and sent.document.file_name == "report.csv"
    assert sent.document.mime_type == "text/csv"
    assert (await alice.wait_for())[0].media == b"a,b\n1,2\n"


async def test_bot_downloads_what_a_user_sends(server: LocalBotApi, bot: Bot) -> None:
    alice = server.user(1001)
    photo = await alice.send_photo()
    document = await alice.send_document(b"id,total\n1042,99.50\n", "orders.csv")
    photo_file = await bot.get_file(photo["photo"][-1]["file_id"])
    assert bytes(await photo_file.download_as_bytearray()) == tiny_png()
    csv_file = await bot.get_file(document["document"]["file_id"])
    assert bytes(await csv_file.download_as_bytearray()).startswith(b"id,total")


# -- full applications ------------------------------------------------------------------


async def test_polling_application_echoes_a_user(server: LocalBotApi) -> None:
    alice = server.user(1001, "Dana", username="dana")
    seen: list[Update] = []
    async with polling_app(server, [_echo_handler(seen)]):
        await alice.send("where is my order 1042?")
        replies = await alice.wait_for(count=1, timeout=5)
    assert [r.text for r in replies] == ["echo: where is my order 1042?"]
    assert seen[0].effective_user is not None and seen[0].effective_user.username == "dana"
    assert server.pending_updates == 0  # PTB confirmed the update on shutdown


async def test_webhook_application_echoes_and_refuses_a_wrong_secret(server: LocalBotApi) -> None:
    alice = server.user(1001)
    seen: list[Update] = []
    async with webhook_app(server, [_echo_handler(seen)], secret_token="s3cret") as (app, url):
        info = await app.bot.get_webhook_info()
        assert info.url == url
        await alice.send("hello over webhook")
        assert [r.text for r in await alice.wait_for(timeout=5)] == ["echo: hello over webhook"]
        forged = {
            "update_id": 999,
            "message": {
                "message_id": 50,
                "date": int(time.time()),
                "chat": {"id": 1001, "type": "private", "first_name": "Mallory"},
                "text": "forged",
            },
        }
        async with httpx.AsyncClient() as client:
            refused = await client.post(
                url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            )
        # A later update of the same chat is handled: the forged one, had it been taken, came first.
        await alice.send("after the forgery")
        assert [r.text for r in await alice.wait_for(timeout=5)] == ["echo: after the forgery"]
    assert refused.status_code == 403
    assert [u.effective_message.text for u in seen if u.effective_message] == [
        "hello over webhook", "after the forgery"]


async def test_callback_query_reaches_ptb_handler_and_can_be_answered_once(
    server: LocalBotApi,
) -> None:
    alice = server.user(1001)
    presses: list[CallbackQuery] = []

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        presses.append(update.callback_query)
        await update.callback_query.answer("Thanks!")
        await update.callback_query.edit_message_text(f"You rated {update.callback_query.data}")

    async with polling_app(server, [CallbackQueryHandler(on_press)]) as app:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(str(n), callback_data=f"rate:{n}") for n in range(1, 6)]]
        )
        await app.bot.send_message(1001, "How did we do?", reply_markup=keyboard)
        assert (await alice.wait_for())[0].buttons == ["1", "2", "3", "4", "5"]
        query = await alice.press("5")
        edited = await alice.wait_for(include_edits=True)
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await app.bot.answer_callback_query(query["id"])
    assert presses[0].chat_instance and presses[0].data == "rate:5"
    assert isinstance(presses[0].message, Message)
    assert presses[0].message.text == "How did we do?"
    assert edited[0].edited and edited[0].text == "You rated rate:5" and not edited[0].buttons
    assert alice.callback_answer(query["id"]) == {"text": "Thanks!"}


async def test_group_reply_to_a_bot_message_carries_the_full_message(
    server: LocalBotApi, bot: Bot
) -> None:
    sam, lee = server.user(3001, "Sam"), server.user(3002, "Lee")
    staff = server.group(-100555, title="Staff", members=(sam, lee))
    ticket = await bot.send_message(-100555, "Ticket #7 from Dana: parcel damaged")
    await staff.send("on it", from_user=lee)
    seen: list[Update] = []

    async def remember(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)

    async with polling_app(server, [MessageHandler(filters.REPLY, remember)]):
        await staff.send(
            "Sorry Dana, a new one ships today", from_user=sam, reply_to=ticket.message_id
        )
        await eventually(lambda: seen, what="the staff member's reply")
    message = seen[0].effective_message
    assert message is not None and message.chat.type == "supergroup"
    assert message.from_user is not None and message.from_user.id == 3001
    replied = message.reply_to_message
    assert replied is not None and replied.from_user is not None and replied.from_user.is_bot
    assert (replied.message_id, replied.text) == (ticket.message_id, ticket.text)
    assert (await bot.get_chat_member(-100555, 3001)).status == "member"


async def test_reply_keyboard_contact_button_shares_the_users_own_number(
    server: LocalBotApi, bot: Bot
) -> None:
    alice = server.user(1001, phone_number="+49 151 12345678")
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Share my phone", request_contact=True)]], one_time_keyboard=True
    )
    sent = await bot.send_message(
        1001, "To link your account, share your phone", reply_markup=keyboard
    )
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    assert (await alice.wait_for())[0].buttons == ["Share my phone"]
    contact = (await alice.press_keyboard("Share my phone"))["contact"]
    forged = (await alice.share_contact("+1 555 0100", user_id=4242))["contact"]
    assert (contact["phone_number"], contact["user_id"]) == ("+49 151 12345678", 1001)
    assert forged["user_id"] == 4242
    updates = await bot.get_updates()
    assert [u.message.contact.user_id for u in updates if u.message and u.message.contact] == [
        1001,
        4242,
    ]


# -- updates: long polling and webhooks -------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    server: LocalBotApi, bot: Bot
) -> None:
    alice = server.user(1001)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await eventually(lambda: server.calls_to("getUpdates"), what="the long poll to arrive")
    assert not poll.done()
    started = time.perf_counter()
    await alice.send("hi")
    updates = await poll
    assert time.perf_counter() - started < 0.5
    assert [u.message.text for u in updates if u.message] == ["hi"]
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_webhook_blocks_polling_and_deleting_it_keeps_pending_updates(
    server: LocalBotApi, bot: Bot
) -> None:
    alice = server.user(1001)
    await bot.set_webhook(f"http://127.0.0.1:{free_port()}/nobody-listens")
    with pytest.raises(Exception, match="(?i)webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    await alice.send("kept")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["kept"]
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_webhook_delivery_retries_in_order_with_the_secret(server: LocalBotApi) -> None:
    received: list[tuple[int, str | None]] = []
    answers = iter([500, 502, 200, 200])

    async def endpoint(request: web.Request) -> web.Response:
        update = await request.json()
        status = next(answers)
        if status == 200:
            received.append(
                (update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
            )
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with bot_for(server) as bot:
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="abc")
            alice = server.user(1001)
            await alice.send("first")
            await alice.send("second")
            await eventually(lambda: len(received) == 2, what="both updates at the webhook")
            info = await bot.get_webhook_info()
    finally:
        await runner.cleanup()
    assert [update_id for update_id, _ in received] == [1, 2]
    assert {secret for _, secret in received} == {"abc"}
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"


# -- the test-side API ------------------------------------------------------------------


async def test_wait_for_timeout_lists_what_arrived_and_the_errors(
    server: LocalBotApi, bot: Bot
) -> None:
    alice = server.user(1001)
    await bot.send_message(1001, "only one")
    with pytest.raises(BadRequest):
        await bot.send_message(1001, "<i>broken", parse_mode=ParseMode.HTML)
    with pytest.raises(TimeoutError) as caught:
        await alice.wait_for(count=2, timeout=0.1)
    report = str(caught.value)
    assert "got 1" in report and "'only one'" in report and "can't parse entities" in report


async def test_calls_are_recorded_in_order(server: LocalBotApi, bot: Bot) -> None:
    server.user(1001)
    await bot.send_chat_action(1001, "typing")
    await bot.send_message(1001, "hi")
    methods = [method for method, _ in server.calls]
    assert methods[-2:] == ["sendChatAction", "sendMessage"]
    assert server.calls_to("sendChatAction") == [{"chat_id": 1001, "action": "typing"}]


async def test_user_edits_and_commands_arrive_as_ptb_expects(server: LocalBotApi, bot: Bot) -> None:
    alice = server.user(1001)
    sent = await alice.send("/start")
    await alice.edit(sent["message_id"], "/help")
    updates = await bot.get_updates()
    assert updates[0].message is not None and updates[0].message.text == "/start"
    assert updates[0].message.entities[0].type == "bot_command"
    assert updates[1].edited_message is not None and updates[1].edited_message.text == "/help"
    alice.block()
    blocked = (await bot.get_updates(offset=updates[-1].update_id + 1))[0].my_chat_member
    assert blocked is not None and blocked.new_chat_member.status == "kicked"


async def test_getme_round_trip_is_fast(bot: Bot) -> None:
    """Guards against Nagle/delayed-ACK stalls (about 40 ms a call without TCP_NODELAY)."""
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        await bot.get_me()
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    assert median < 0.03, f"getMe round trip median: {median * 1000:.2f} ms"  # a Nagle stall costs ~40 ms
