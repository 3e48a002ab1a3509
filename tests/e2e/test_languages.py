"""Customer journeys in German, Russian and Chinese, with English as the control, end to end:
Telegram (local Bot API) → bot → Rasa → actions → store, and the proactive notifier (issue 17).

Each customer's Telegram language is the journey's language; they write in it (sentences
written for this test, not taken from data/) and must read every answer in it: the order
status with its dates, amount and timeline, a rating asked in chat and the survey after a
delivery, a request for a person; then the reply language follows what they write ("ok" and
an order number aside) until /language fixes it. Answers are compared with the catalog's
translation (shop.i18n.translator) and with literal fragments written by hand ("74,90 €").
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.handoff import YES_ALONE
from local_bot_api import LocalBotApi
from local_bot_api.actors import FakeUser
from rasa_runtime.supervisor import Supervisor
from shop import linking
from shop.db import transaction
from shop.delivery import mark_stage_done
from shop.handoff import BACK_BUTTON
from shop.i18n import Translator, available_languages, language_name, sentences, translator
from shop.models import Feedback, Order, TelegramAccount, Ticket
from shop.notifications import SURVEY_QUESTION
from shop.order_requests import WITH_A_PERSON
from shop.orders import STATUS_TEXT, order_by_number, stage_label
from shop.ratings import ASK_RATING, LOW, REASON_BUTTONS, REASON_THANKS, THANKS
from shop.settings import Settings
from tests import journey_builders as b
from tests.conftest import BERLIN
from tests.e2e.conftest import bot_settings, run_bot, store_closing_tickets

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.usefixtures("language_bot")]

REPLY_TIMEOUT = 60.0
FIRST_USER = 890_000  # this module's Telegram users are FIRST_USER + 1, + 2, ...
_serial = itertools.count(1)
PLACED = datetime(2026, 12, 3, 10, tzinfo=UTC)  # the shipped order: placed 3 Dec, shipped 5 Dec
STARS = ["1 ★", "2 ★★", "3 ★★★", "4 ★★★★", "5 ★★★★★"]
STARS_PRESSED = {4: "4 ★★★★", 5: "5 ★★★★★"}


@dataclass(frozen=True)
class Speaker:
    """A customer of one language: what they write, and what their answers must show literally."""

    language: str
    where_is: str  # asks where order {number} is
    rate: str  # asks to leave a rating, naming no order
    person: str  # asks for a person
    money: str  # 74.90 EUR as the language writes it
    placed: str  # 3 Dec as the language writes it
    shipped: str  # the shipped step of the timeline, with its day, carrier and tracking
    other: str  # another language, written to switch to it
    order: str  # the word for an order


SPEAKERS = {
    "de": Speaker("de", where_is="Wo bleibt denn meine Bestellung {number}?",
                  rate="Ich würde Ihnen gern eine Bewertung geben",
                  person="Kann ich bitte mit einem Mitarbeiter sprechen?",
                  money="74,90\u00a0€", placed="3. Dez.", other="ru", order="bestellung",
                  shipped="verschickt 5. Dez. mit DHL (Sendungsnummer JJD42)"),
    "ru": Speaker("ru", where_is="Подскажите, где сейчас мой заказ {number}?",
                  rate="Хочу поставить вам оценку",
                  person="Соедините меня, пожалуйста, с живым человеком",
                  money="74,90\u00a0€", placed="3 дек.",
                  shipped="отправлен 5 дек., DHL (трек-номер JJD42)", other="zh", order="заказ"),
    "zh": Speaker("zh", where_is="我的订单{number}到哪了？",
                  rate="我想给你们打个分",
                  person="我想和人工客服说话",
                  money="€74.90", placed="12月3日",
                  shipped="12月5日已发货，DHL（运单号JJD42）", other="en", order="订单"),
    "en": Speaker("en", where_is="Could you tell me where order {number} is?",
                  rate="I'd like to leave a rating",
                  person="I want to talk to a person",
                  money="74.90 EUR", placed="3 Dec",
                  shipped="shipped 5 Dec with DHL (tracking JJD42)", other="de", order="order"),
}
# What only the English status answer says: none of it may show in another language's.
ENGLISH_WORDS = ("Order ", "placed", "on its way", "Done:", "Next:", "Items:", "Total:", "tracking")

by_language = pytest.mark.parametrize("speaker", list(SPEAKERS.values()), ids=list(SPEAKERS))


# --- fixtures and helpers ------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def language_bot(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi) -> AsyncIterator[None]:
    """The real bot, with a notifier quick enough for a survey to follow a delivery at once."""
    async with run_bot(bot_settings(e2e_settings, api, notify_interval=0.3)):
        yield


@pytest.fixture(scope="module")
def store(e2e_settings: Settings) -> Iterator[sessionmaker[Session]]:
    """The e2e store; tickets this module's customers opened are closed afterwards."""
    with store_closing_tickets(e2e_settings, FIRST_USER) as sessions:
        yield sessions


@dataclass(frozen=True)
class Customer:
    user: FakeUser
    shipped: str  # the number of their parcel on its way (placed 3 Dec, 74.90 EUR)
    delivered: str  # the number of their parcel delivered earlier
    tr: Translator  # their Telegram language's


def customer(api: LocalBotApi, store: sessionmaker[Session], speaker: Speaker, *,
             parcel_done: int = 3) -> Customer:
    """A linked customer whose Telegram language is the speaker's, with two orders: one on its
    way (its first `parcel_done` stages done) and one delivered before."""
    serial = next(_serial)
    user_id, shipped, delivered = FIRST_USER + serial, f"31{serial:02d}", f"32{serial:02d}"
    with transaction(store) as session:
        person = b.customer(session, name="Lena Beispiel", created_at=PLACED - timedelta(days=90))
        b.account(session, telegram_user_id=user_id, customer=person, display_name="Lena Beispiel")
        b.goods_order(session, owner=person, number=delivered, created_at=PLACED - timedelta(days=20),
                      done=5, total="19.90")
        b.goods_order(session, owner=person, number=shipped, created_at=PLACED, done=parcel_done,
                      total="74.90", carrier="DHL", tracking="JJD42")
    user = api.user(user_id, "Lena", language_code=speaker.language)
    return Customer(user, shipped, delivered, translator(speaker.language))


async def say(user: FakeUser, text: str) -> Any:
    await user.send(text)
    [reply] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    return reply


async def press(user: FakeUser, label: str, *, replies: int = 1) -> list[Any]:
    await user.press(label)
    return await user.wait_for(count=replies, timeout=REPLY_TIMEOUT)


def catalog(tr: Translator, message: str, /, **values: object) -> str:
    """`message` as `tr`'s catalog translates it; failing when the catalog lacks it (an English
    answer would then equal the "translation" and prove nothing)."""
    assert tr.language == "en" or tr.catalog.gettext(message) != message, \
        f"the {tr.language} catalog has no translation of {message!r}"
    return tr._(message, **values)


def status_head(tr: Translator, number: str) -> str:
    """The first line of the status of the order on its way, from the catalog."""
    return catalog(tr, STATUS_TEXT["shipped"], number=number, date=tr.date(PLACED, BERLIN))


def read_account(store: sessionmaker[Session], user_id: int) -> TelegramAccount:
    with store() as session:
        found = session.scalar(select(TelegramAccount).where(TelegramAccount.telegram_user_id == user_id))
        assert found is not None
        return found


# --- the journeys, once per language ---------------------------------------------------------


@by_language
async def test_linking_by_phone(api, store, speaker):
    serial = next(_serial)
    phone, number = f"+4915189{serial:06d}", f"33{serial:02d}"
    with transaction(store) as session:
        person = b.customer(session, name="Lena Beispiel", phone=phone,
                            created_at=PLACED - timedelta(days=90))
        b.goods_order(session, owner=person, number=number, created_at=PLACED, done=3, total="74.90")
    tr = translator(speaker.language)
    user = api.user(FIRST_USER + serial, "Lena", language_code=speaker.language,
                    phone_number=phone.removeprefix("+"))
    welcome = await say(user, "/start")
    assert welcome.text == catalog(tr, linking.WELCOME)
    assert welcome.reply_markup["keyboard"] == [[{"text": catalog(tr, linking.SHARE_BUTTON),
                                                  "request_contact": True}]]
    await user.press_keyboard(catalog(tr, linking.SHARE_BUTTON))
    [linked] = await user.wait_for(count=1, timeout=REPLY_TIMEOUT)
    assert linked.text == catalog(tr, linking.LINKED, name="Lena")
    assert (await say(user, speaker.where_is.format(number=number))).text.startswith(status_head(tr, number))


@by_language
async def test_order_status_with_the_languages_dates_amount_and_timeline(api, store, speaker):
    lena = customer(api, store, speaker)
    reply = await say(lena.user, speaker.where_is.format(number=lena.shipped))
    lines = reply.text.splitlines()
    assert lines[0] == status_head(lena.tr, lena.shipped)
    assert speaker.placed in lines[1] and speaker.shipped in lines[1]
    assert lines[2] == catalog(lena.tr, "Next: {stage}, planned for {date}.",
                               stage=stage_label("out_for_delivery", lena.tr),
                               date=lena.tr.date(PLACED + timedelta(days=3), BERLIN))
    assert lines[3] == catalog(lena.tr, "Items: {items}. Total: {total}.", items="2× Test mug",
                               total=speaker.money)
    if speaker.language != "en":
        leaked = [word for word in ENGLISH_WORDS if word in reply.text]
        assert not leaked, reply.text


@by_language
async def test_a_rating_asked_for_in_chat(api, store, speaker):
    lena = customer(api, store, speaker)
    question = await say(lena.user, speaker.rate)
    assert question.text == catalog(lena.tr, ASK_RATING["order"], number=lena.delivered)
    assert question.buttons == STARS
    [thanks] = await press(lena.user, STARS_PRESSED[4])
    assert thanks.text == catalog(lena.tr, THANKS["order"], number=lena.delivered, rating=4)
    assert "4/5" in thanks.text


@by_language
async def test_a_low_rating_asks_why_with_reasons_in_the_language(api, store, speaker):
    lena = customer(api, store, speaker)
    await say(lena.user, speaker.rate)
    sorry, why = await press(lena.user, STARS[0], replies=2)
    assert sorry.text == catalog(lena.tr, LOW["order"], number=lena.delivered)
    assert why.text == catalog(lena.tr, "What went wrong? Tap a reason, or tell me in your own words.")
    assert why.buttons == [catalog(lena.tr, reason) for reason in REASON_BUTTONS]
    [thanks] = await press(lena.user, catalog(lena.tr, "Arrived damaged"))
    with store() as session:
        feedback = session.scalar(select(Feedback).join(Order).where(Order.number == lena.delivered))
        ticket = session.scalar(select(Ticket).where(Ticket.telegram_user_id == lena.user.id))
        assert feedback is not None and ticket is not None
        assert (feedback.rating, feedback.reason, ticket.reason) == (1, "damaged", "low_rating")
    assert thanks.text == sentences(catalog(lena.tr, REASON_THANKS, ticket=ticket.id),
                                    catalog(lena.tr, WITH_A_PERSON))
    assert thanks.buttons == [catalog(lena.tr, BACK_BUTTON)]


@by_language
async def test_the_survey_after_a_delivery(api, store, speaker):
    lena = customer(api, store, speaker, parcel_done=4)
    # she has written once: the assistant remembers her language for the news it sends unasked
    await say(lena.user, speaker.where_is.format(number=lena.shipped))
    with transaction(store) as session:
        order = order_by_number(session, lena.shipped)
        assert order is not None
        mark_stage_done(session, order=order, stage="delivered", done_at=None, now=datetime.now(UTC))
    delivered, survey = await lena.user.wait_for(count=2, timeout=REPLY_TIMEOUT)
    assert delivered.text == catalog(lena.tr, "Your order {number} has been delivered. We hope you enjoy it!",
                                     number=lena.shipped)
    assert speaker.order in delivered.text.lower() and speaker.order in survey.text.lower()
    assert survey.text == catalog(lena.tr, SURVEY_QUESTION, number=lena.shipped)
    assert survey.buttons == STARS
    [thanks] = await press(lena.user, STARS_PRESSED[5])
    assert thanks.text == catalog(lena.tr, THANKS["order"], number=lena.shipped, rating=5)


@by_language
async def test_a_request_for_a_person(api, store, speaker):
    lena = customer(api, store, speaker)
    reply = await say(lena.user, speaker.person)
    assert reply.text.startswith(catalog(lena.tr, "OK, I've asked a person from our team to help you."))
    assert reply.buttons == [catalog(lena.tr, BACK_BUTTON)]
    with store() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.telegram_user_id == lena.user.id))
        assert ticket is not None
        assert (ticket.reason, ticket.status, ticket.details) == ("request_human", "waiting", speaker.person)


@by_language
async def test_the_reply_language_follows_telegram_then_writing_then_language(api, store, speaker):
    lena = customer(api, store, speaker)
    other = SPEAKERS[speaker.other]
    other_tr = translator(other.language)
    # her Telegram language to begin with
    assert (await say(lena.user, speaker.where_is.format(number=lena.shipped))).text.startswith(
        status_head(lena.tr, lena.shipped))
    # a sentence in another language switches it; "ok" and an order number do not
    assert (await say(lena.user, other.where_is.format(number=lena.shipped))).text.startswith(
        status_head(other_tr, lena.shipped))
    assert (await say(lena.user, "ok")).text == catalog(other_tr, YES_ALONE)
    assert (await say(lena.user, lena.shipped)).text.startswith(status_head(other_tr, lena.shipped))
    account = read_account(store, lena.user.id)
    assert (account.reply_language, account.language_source) == (other.language, "written")
    # /language, in the language she reads now, with a button per language named in itself
    question = await say(lena.user, "/language")
    assert question.text == catalog(other_tr, "Which language shall I answer in? Now: {language}.",
                                    language=language_name(other.language))
    assert question.buttons == [language_name(lang) for lang in available_languages()]
    assert {"English", "Deutsch", "Русский", "中文"} <= set(question.buttons)
    [done] = await press(lena.user, language_name(speaker.language))
    assert done.text == catalog(lena.tr, "OK, I'll answer in {language} from now on. /language changes it.",
                                language=language_name(speaker.language))
    # the choice is remembered: writing in the other language no longer switches
    assert (await say(lena.user, other.where_is.format(number=lena.shipped))).text.startswith(
        status_head(lena.tr, lena.shipped))
    account = read_account(store, lena.user.id)
    assert (account.reply_language, account.language_source) == (speaker.language, "chosen")
