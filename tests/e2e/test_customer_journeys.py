"""Customer journeys end to end: Telegram (local Bot API) → bot → Rasa → actions → store.

Every test makes its own customers and Telegram users in the e2e store, so tests do not
depend on each other or on their order. The bot runs with a fast notifier and the order
API switched on.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.handlers.customer import NOT_TEXT
from local_bot_api import LocalBotApi
from local_bot_api.actors import FakeUser
from rasa_runtime.supervisor import Supervisor
from shop import demo, linking, ticket_details
from shop.db import transaction
from shop.i18n import ENGLISH
from shop.models import DeliveryStage, Feedback, Order, Survey, TelegramAccount, Ticket
from shop.orders import NOT_FOUND, NOT_LINKED
from shop.settings import Settings
from tests import journey_builders as b
from tests.e2e.conftest import bot_settings, free_port, run_bot, store_closing_tickets
from tests.waiting import eventually

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.usefixtures("journey_bot")]

API_TOKEN = "e2e-order-api-token"
REPLY_TIMEOUT = 60.0
_serial = itertools.count(1)
FIRST_USER = 880_000  # this module's Telegram users are FIRST_USER + 1, + 2, ...
T = TypeVar("T")

DANA_PHONE = "+4915112345678"  # demo.CUSTOMER's number (shop/demo.py)
SECRETS_OF_OTHERS = ("Desk lamp", "Ceramic mug", "JJD000390007782", "74.90", "Hauptstr", "Dana", "Omar")


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def order_api_port() -> int:
    return free_port()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def journey_bot(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
                      order_api_port: int) -> AsyncIterator[None]:
    settings = bot_settings(e2e_settings, api, notify_interval=0.3, order_api_port=order_api_port,
                            order_api_token=SecretStr(API_TOKEN))
    async with run_bot(settings):
        yield


@pytest.fixture(scope="module")
def store(e2e_settings: Settings) -> Iterator[sessionmaker[Session]]:
    """The e2e store; tickets our customers opened are closed afterwards."""
    with store_closing_tickets(e2e_settings, FIRST_USER) as sessions:
        yield sessions


def serial() -> int:
    return next(_serial)


def new_user_id() -> int:
    return FIRST_USER + serial()


def new_number() -> str:
    return f"88{serial():04d}"


def new_phone() -> str:
    return f"+4915188{serial():06d}"


def add_customer(store: sessionmaker[Session], *, linked_to: int | None, name: str = "Lina Link",
                 email: str | None = None, phone: str | None = None,
                 orders: Callable[[Session, Any, datetime], None] | None = None) -> int:
    """A customer (linked to Telegram user `linked_to`, if given) with the orders `orders` adds."""
    now = datetime.now(UTC)
    with transaction(store) as session:
        person = b.customer(session, name=name, email=email, phone=phone, created_at=now - timedelta(days=60))
        if linked_to is not None:
            b.account(session, telegram_user_id=linked_to, customer=person, display_name=name)
        if orders is not None:
            orders(session, person, now)
        return person.id


def read(store: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    with store() as session:
        return work(session)


def mark_done(store: sessionmaker[Session], number: str, stage: str, **values: Any) -> None:
    """A stage becomes done in the store, as a CSV import or the CLI would do it."""
    with transaction(store) as session:
        found = session.scalar(select(DeliveryStage).join(Order).where(
            Order.number == number, DeliveryStage.name == stage))
        found.done_at = datetime.now(UTC)
        for key, value in values.items():
            setattr(found, key, value)
        order = session.scalar(select(Order).where(Order.number == number))
        order.status = stage
        if stage == "delivered":
            order.delivered_at = found.done_at


# The bot works in the background: poll the store (every 0.2 s, up to 30 s) until it shows.
IN_THE_STORE = {"timeout": 30.0, "poll": 0.2}


async def say(user: FakeUser, text: str, *, replies: int = 1) -> list[Any]:
    await user.send(text)
    return await user.wait_for(count=replies, timeout=REPLY_TIMEOUT)


async def ask(user: FakeUser, text: str) -> str:
    [reply] = await say(user, text)
    assert reply.text is not None
    return str(reply.text)


async def press(user: FakeUser, label: str, *, replies: int = 1) -> list[Any]:
    await user.press(label)
    return await user.wait_for(count=replies, timeout=REPLY_TIMEOUT)


# --- who may see what --------------------------------------------------------------------------


async def test_an_unlinked_user_gets_no_order_data_whatever_they_type(api, store):
    user = api.user(new_user_id(), "Stranger")
    order_questions = ["where is my order 1042?", "show my orders", "tracking for 1042", "1042",
                       "cancel order 1042", "has #1044 shipped?", "when will my parcel arrive?",
                       "can I get a refund for 1042"]
    for text in order_questions:
        answer = await ask(user, text)
        assert answer == NOT_LINKED, text
        assert not any(secret in answer for secret in SECRETS_OF_OTHERS)
    assert read(store, lambda s: s.scalar(select(Order.status).where(Order.number == demo.DEMO_ORDER))) \
        == "shipped"
    assert read(store, lambda s: s.scalar(select(func.count()).select_from(Ticket)
                                          .where(Ticket.telegram_user_id == user.id))) == 0


async def test_greeting_and_help_for_an_unlinked_user_offer_linking(api):
    user = api.user(new_user_id(), "Newcomer")
    [welcome] = await say(user, "/start")
    assert welcome.text == linking.WELCOME
    [[button]] = welcome.reply_markup["keyboard"]
    assert button == {"text": linking.SHARE_BUTTON, "request_contact": True}
    assert "/link" in await ask(user, "/help")


async def test_a_contact_of_someone_else_is_refused(api, store):
    user = api.user(new_user_id(), "Forger")
    await user.share_contact(DANA_PHONE, user_id=demo.CUSTOMER.telegram_user_id)
    [refused] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert refused.text == linking.FORGED
    assert refused.reply_markup["keyboard"][0][0]["request_contact"] is True
    assert await ask(user, "where is my order 1042?") == NOT_LINKED
    assert read(store, lambda s: s.scalar(select(TelegramAccount.customer_id).where(
        TelegramAccount.telegram_user_id == user.id))) is None


async def test_linking_by_phone_then_asking_about_orders(api, store):
    phone, number = new_phone(), new_number()
    add_customer(store, linked_to=None, name="Lina Link", phone=phone, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=2), done=3, tracking="JJD880"))
    user = api.user(new_user_id(), "Lina", phone_number=phone.removeprefix("+"))
    await say(user, "/start")
    await user.press_keyboard(linking.SHARE_BUTTON)
    [linked] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert linked.text == linking.LINKED.format(name="Lina")
    assert linked.reply_markup == {"remove_keyboard": True}
    status = await ask(user, f"where is my order {number}?")
    assert status.startswith(f"Order {number} (placed ") and "JJD880" in status
    assert await ask(user, "where is my order 1042?") == NOT_FOUND.format(number="1042")
    assert (await ask(user, "hi")).startswith("Hi Lina!")


async def test_linking_by_email_and_order_number(api, store):
    number, email = new_number(), f"mia{serial()}@example.com"
    add_customer(store, linked_to=None, name="Mia Mail", email=email, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=1)))
    user = api.user(new_user_id(), "Mia")
    wrong_pair = await ask(user, f"link {email} {demo.DEMO_ORDER}")  # Dana's order
    unknown = await ask(user, f"link nobody{serial()}@example.com {number}")
    assert wrong_pair == unknown == linking.DETAILS_UNKNOWN
    assert await ask(user, f"/link {email} {number}") == linking.LINKED.format(name="Mia")
    assert (await ask(user, "show my orders")).startswith("Your orders:")
    assert await ask(user, "/unlink") == linking.UNLINKED
    assert await ask(user, "show my orders") == NOT_LINKED


# --- orders and deliveries ----------------------------------------------------------------------


async def test_order_status_without_a_number_offers_the_open_orders(api, store):
    user_id, first, second = new_user_id(), new_number(), new_number()

    def orders(s: Session, c: Any, now: datetime) -> None:
        b.goods_order(s, owner=c, number=first, created_at=now - timedelta(days=3), done=3)
        b.goods_order(s, owner=c, number=second, created_at=now - timedelta(days=1), done=1)

    add_customer(store, linked_to=user_id, orders=orders)
    user = api.user(user_id, "Pia")
    [picker] = await say(user, "where is my order?")
    assert picker.text == "You have 2 open orders. Which one do you mean?"
    assert [label.split(" · ")[0] for label in picker.buttons] == [second, first]
    [status] = await press(user, picker.buttons[1])
    assert status.text.startswith(f"Order {first} ") and "is on its way" in status.text


async def test_list_orders_and_pick_one(api, store):
    user_id, old, new = new_user_id(), new_number(), new_number()

    def orders(s: Session, c: Any, now: datetime) -> None:
        b.goods_order(s, owner=c, number=old, created_at=now - timedelta(days=30), done=5)
        b.goods_order(s, owner=c, number=new, created_at=now - timedelta(days=1), done=2)

    add_customer(store, linked_to=user_id, orders=orders)
    user = api.user(user_id, "Lou")
    [listing] = await say(user, "show my orders")
    assert listing.text.startswith("Your orders:")
    assert f"• {new} · " in listing.text and "packed" in listing.text and "delivered" in listing.text
    assert listing.buttons == [f"Order {new}", f"Order {old}"]
    [status] = await press(user, f"Order {old}")
    assert status.text.startswith(f"Order {old} ") and "has been delivered" in status.text


async def test_a_late_parcel_says_sorry_with_the_days(api, store):
    user_id, number = new_user_id(), new_number()
    add_customer(store, linked_to=user_id, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=9), done=3, carrier="DPD",
        tracking="DPD880", promised_at=now - timedelta(days=3)))
    text = await ask(api.user(user_id, "Leo"), f"tracking for {number}")
    assert text.startswith(f"Order {number} is on its way with DPD, tracking DPD880.")
    assert "late by 3 days, sorry" in text


async def test_project_progress(api, store):
    user_id, number = new_user_id(), new_number()
    add_customer(store, linked_to=user_id, orders=lambda s, c, now: b.project_order(
        s, owner=c, number=number, created_at=now - timedelta(days=21), done=3))
    text = await ask(api.user(user_id, "Pat"), "how far along is my project?")
    assert text.startswith(f"Project {number} (Website project): 3 of 5 milestones done (60%).")
    assert "Next: review" in text and "(on time)" in text


# --- requests ------------------------------------------------------------------------------------


async def test_cancel_an_unshipped_order_after_confirming(api, store):
    user_id, number = new_user_id(), new_number()
    add_customer(store, linked_to=user_id, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(hours=5), done=1))
    user = api.user(user_id, "Cora")
    [question] = await say(user, f"cancel order {number}")
    assert question.text.startswith(f"Cancel order {number} (2× Test mug, 25.00 EUR)?")
    assert read(store, lambda s: s.scalar(select(Order.status).where(Order.number == number))) == "placed"
    [done] = await press(user, f"Yes, cancel {number}")
    assert done.text.startswith(f"Done: order {number} is cancelled")
    assert read(store, lambda s: s.scalar(select(Order.status).where(Order.number == number))) == "cancelled"


async def test_a_typed_yes_or_no_answers_the_cancel_question(api, store):
    """"yes" right after "Cancel order N?" cancels N; "no" keeps it; "yes" out of the blue
    cancels nothing."""
    user_id, kept, cancelled = new_user_id(), new_number(), new_number()

    def orders(s, c, now):  # type: ignore[no-untyped-def]
        for number in (kept, cancelled):
            b.goods_order(s, owner=c, number=number, created_at=now - timedelta(hours=5), done=1)

    add_customer(store, linked_to=user_id, orders=orders)
    user = api.user(user_id, "Yves")
    status = lambda number: read(store, lambda s: s.scalar(  # noqa: E731
        select(Order.status).where(Order.number == number)))
    assert (await ask(user, f"please cancel order {kept}")).startswith(f"Cancel order {kept}")
    assert (await ask(user, "no")).startswith(f"OK, order {kept} stays as it is.")
    assert (await ask(user, f"cancel order {cancelled}")).startswith(f"Cancel order {cancelled}")
    assert (await ask(user, "yes")).startswith(f"Done: order {cancelled} is cancelled")
    assert (status(kept), status(cancelled)) == ("placed", "cancelled")
    assert "nothing waiting for a yes or no" in await ask(user, "yes please")
    assert status(kept) == "placed"


async def test_cancelling_a_shipped_order_opens_a_ticket(api, store):
    user_id, number = new_user_id(), new_number()
    add_customer(store, linked_to=user_id, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=2), done=3))
    text = await ask(api.user(user_id, "Sven"), f"cancel order {number}")
    assert f"I can't cancel order {number} myself" in text
    ticket = read(store, lambda s: s.scalar(select(Ticket).where(Ticket.telegram_user_id == user_id)))
    assert ticket.reason == "cancel_order" and f"#{ticket.id}" in text
    assert read(store, lambda s: s.scalar(select(Order.status).where(Order.number == number))) == "shipped"


async def test_change_of_address_opens_a_ticket_with_the_customers_words(api, store):
    user_id, number = new_user_id(), new_number()
    add_customer(store, linked_to=user_id, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=1), done=1))
    said = f"ship {number} to my office"
    text = await ask(api.user(user_id, "Ada"), said)
    assert f"change the delivery address of order {number}" in text
    ticket = read(store, lambda s: s.scalar(select(Ticket).where(Ticket.telegram_user_id == user_id)))
    assert ticket.reason == "change_address" and f"«{said}»" in ticket_details.render(ticket.details, ENGLISH)


async def test_refund_request_opens_a_ticket(api, store):
    user_id, number = new_user_id(), new_number()
    add_customer(store, linked_to=user_id, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=9), done=5))
    text = await ask(api.user(user_id, "Rey"), "I want my money back")
    assert f"refund request for order {number}" in text
    ticket = read(store, lambda s: s.scalar(select(Ticket).where(Ticket.telegram_user_id == user_id)))
    assert ticket.reason == "refund_request"
    assert "«I want my money back»" in ticket_details.render(ticket.details, ENGLISH)


# --- proactive updates and ratings ------------------------------------------------------------------


def parcel_customer(store: sessionmaker[Session], *, done: int) -> tuple[int, str]:
    """A linked customer whose parcel has its first `done` stages done (and announced)."""
    user_id, number = new_user_id(), new_number()
    add_customer(store, linked_to=user_id, name="Nora Notify", orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=2), done=done, carrier=None,
        tracking=None))
    return user_id, number


async def test_the_shop_reports_shipping_over_http_and_the_customer_hears(api, store, order_api_port):
    user_id, number = parcel_customer(store, done=2)
    user = api.user(user_id, "Nora")
    url = f"http://127.0.0.1:{order_api_port}/api/orders/{number}/stages"
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.post(url, json={"stage": "shipped"})).status_code == 401
        missing = await client.post(url.replace(number, "1"), json={"stage": "shipped"},
                                    headers={"Authorization": f"Bearer {API_TOKEN}"})
        assert missing.status_code == 404
        bad = await client.post(url, json={"stage": "shipped", "done_at": "soon"},
                                headers={"Authorization": f"Bearer {API_TOKEN}"})
        assert bad.status_code == 422
        ok = await client.post(url, json={"stage": "shipped", "carrier": "DHL", "tracking_number": "JJD88"},
                               headers={"Authorization": f"Bearer {API_TOKEN}"})
        assert ok.status_code == 200 and ok.json()["status"] == "shipped"
    [update] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert update.text.startswith(f"Good news: your order {number} has shipped with DHL, tracking JJD88.")


async def test_a_stage_done_in_the_store_reaches_the_customer(api, store):
    user_id, number = parcel_customer(store, done=3)
    user = api.user(user_id, "Otto")
    mark_done(store, number, "out_for_delivery")
    [update] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert update.text.startswith(f"Your order {number} is out for delivery today")


async def test_delivered_is_followed_by_exactly_one_survey_and_a_rating_is_recorded(api, store):
    user_id, number = parcel_customer(store, done=4)
    user = api.user(user_id, "Ruth")
    mark_done(store, number, "delivered")
    delivered, survey = await user.wait_for(count=2, timeout=REPLY_TIMEOUT)
    assert delivered.text == f"Your order {number} has been delivered. We hope you enjoy it!"
    assert survey.text.startswith(f"How happy are you with order {number}?")
    assert survey.buttons == ["1 ★", "2 ★★", "3 ★★★", "4 ★★★★", "5 ★★★★★"]
    # A later update for someone else has gone out, so the notifier has run again since:
    # still only one survey here.
    other_id, other_number = parcel_customer(store, done=2)
    other = api.user(other_id, "Barrier")
    mark_done(store, other_number, "shipped")
    await other.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert len(api.sent_messages(user_id)) == 2
    order_id = read(store, lambda s: s.scalar(select(Order.id).where(Order.number == number)))
    assert read(store, lambda s: s.scalar(select(func.count()).select_from(Survey)
                                          .where(Survey.order_id == order_id))) == 1

    [thanks] = await press(user, "4 ★★★★")
    assert thanks.text == f"Thank you for rating order {number} 4/5!"
    assert read(store, lambda s: s.scalar(select(Feedback.rating).where(Feedback.order_id == order_id))) == 4
    assert "updated your rating" in await ask(user, "I'd give you 5 stars")
    ratings = read(store, lambda s: s.scalars(
        select(Feedback.rating).where(Feedback.order_id == order_id)).all())
    assert ratings == [5]


async def test_a_rating_of_one_asks_why_and_alerts_staff(api, store):
    user_id, number = parcel_customer(store, done=4)
    user = api.user(user_id, "Ivy")
    mark_done(store, number, "delivered")
    await user.wait_for(count=2, timeout=REPLY_TIMEOUT)
    sorry, why = await press(user, "1 ★", replies=2)
    assert sorry.text == f"I'm sorry order {number} disappointed you."
    assert why.text.startswith("What went wrong?") and "Arrived damaged" in why.buttons
    [thanks] = await press(user, "Arrived damaged")
    assert thanks.text.startswith("Thank you for telling us.")
    order_id = read(store, lambda s: s.scalar(select(Order.id).where(Order.number == number)))
    feedback = read(store, lambda s: s.scalar(select(Feedback).where(Feedback.order_id == order_id)))
    assert (feedback.rating, feedback.reason) == (1, "damaged")
    ticket = read(store, lambda s: s.scalar(select(Ticket).where(Ticket.telegram_user_id == user_id)))
    assert ticket.reason == "low_rating" and ticket.order_id == order_id and f"#{ticket.id}" in thanks.text


async def test_a_low_rating_in_chat_takes_the_reason_in_the_customers_words(api, store):
    user_id = new_user_id()
    number = new_number()
    add_customer(store, linked_to=user_id, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=9), done=5))
    user = api.user(user_id, "Kai")
    sorry, why = await say(user, "2 stars, not great", replies=2)
    assert sorry.text == f"I'm sorry order {number} disappointed you."
    assert why.text.startswith("What went wrong?")
    thanks = await ask(user, "the box was soaking wet and the lid cracked")
    assert thanks.startswith("Thank you for telling us.")
    feedback = read(store, lambda s: s.scalar(select(Feedback).join(Order).where(Order.number == number)))
    assert (feedback.rating, feedback.reason) == (2, "other")
    assert feedback.comment == "the box was soaking wet and the lid cracked"


async def test_a_user_who_blocked_the_bot_is_marked_and_skipped(api, store):
    user_id, number = parcel_customer(store, done=2)
    user = api.user(user_id, "Bea")
    user.block()
    mark_done(store, number, "shipped")

    def handled() -> bool:
        return read(store, lambda s: s.scalar(select(DeliveryStage.notified_at).join(Order).where(
            Order.number == number, DeliveryStage.name == "shipped"))) is not None

    await eventually(handled, **IN_THE_STORE)
    assert await eventually(lambda: read(store, lambda s: s.scalar(select(TelegramAccount.blocked).where(
        TelegramAccount.telegram_user_id == user_id))), **IN_THE_STORE)
    assert api.sent_messages(user_id) == []


async def test_a_user_who_never_started_the_bot_is_marked(api, store):
    user_id, number = parcel_customer(store, done=2)  # the store thinks they use the bot...
    api.user(user_id, "Quinn", started=False)  # ...but in Telegram they never pressed Start
    mark_done(store, number, "shipped")
    assert await eventually(lambda: read(store, lambda s: s.scalar(
        select(TelegramAccount.started).where(TelegramAccount.telegram_user_id == user_id))) is False,
        **IN_THE_STORE)
    refused = [f for f in api.failures if f.method == "sendMessage" and f.params.get("chat_id") == user_id]
    assert refused and refused[0].error_code == 403
    assert api.sent_messages(user_id) == []


# --- messages that are not plain text -------------------------------------------------------------


async def test_stickers_and_photos_get_the_friendly_answer(api):
    user = api.user(new_user_id(), "Sticky")
    await user.send_sticker()
    [answer] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert answer.text == NOT_TEXT
    await user.send_photo()
    [answer] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert answer.text == NOT_TEXT


async def test_an_edited_message_is_answered_like_a_new_one(api, store):
    user_id, number = new_user_id(), new_number()
    add_customer(store, linked_to=user_id, orders=lambda s, c, now: b.goods_order(
        s, owner=c, number=number, created_at=now - timedelta(days=1), done=1))
    user = api.user(user_id, "Eddie")
    sent = await user.send("show my orders")
    await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    await user.edit(sent["message_id"], f"where is my order {number}?")
    [answer] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert answer.text.startswith(f"Order {number} ")
