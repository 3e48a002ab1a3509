"""The notifier job over a real store and a recording bot: sends, surveys, 403s and retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from telegram.error import Forbidden, TimedOut

from bot.notifier import notify_once
from bot.render import RASA_BUTTON
from bot.services import Services
from shop.db import transaction
from shop.models import DeliveryStage, Message, Order, Survey, TelegramAccount
from tests import journey_builders as b

USER = 32101


class RecordingBot:
    """Stands in for telegram.Bot: records send_message calls, or raises what it is told to."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.failures: dict[int, list[Exception]] = {}

    async def send_message(self, chat_id: int, text: str, reply_markup: object = None) -> None:
        if self.failures.get(chat_id):
            raise self.failures[chat_id].pop(0)
        self.sent.append({"chat_id": chat_id, "text": text, "reply_markup": reply_markup})


def parcel(services: Services, *, user: int = USER, done: int = 2, started: bool = True) -> int:
    """A linked customer with an order whose first `done` stages are done and announced."""
    now = datetime.now(UTC)
    with transaction(services.sessions) as session:
        person = b.customer(session, name="Nina Notify", created_at=now - timedelta(days=30))
        b.account(session, telegram_user_id=user, customer=person, started=started)
        order = b.goods_order(session, owner=person, number=f"7{user}", created_at=now - timedelta(days=2),
                              done=done)
        return order.id


def mark_done(services: Services, order_id: int, *names: str) -> None:
    with transaction(services.sessions) as session:
        for stage in session.scalars(select(DeliveryStage).where(DeliveryStage.order_id == order_id,
                                                                 DeliveryStage.name.in_(names))):
            stage.done_at = datetime.now(UTC)
        if "delivered" in names:
            session.get(Order, order_id).status = "delivered"


def stage_notified(services: Services, order_id: int, name: str) -> datetime | None:
    with services.sessions() as session:
        return session.scalar(select(DeliveryStage.notified_at).where(
            DeliveryStage.order_id == order_id, DeliveryStage.name == name))


def account(services: Services, user: int = USER) -> TelegramAccount:
    with services.sessions() as session:
        return session.scalar(select(TelegramAccount).where(TelegramAccount.telegram_user_id == user))


async def test_shipped_is_sent_once(services):
    order_id = parcel(services)
    mark_done(services, order_id, "shipped")
    bot = RecordingBot()
    report = await notify_once(bot, services)  # type: ignore[arg-type]
    assert report.sent == 1
    [message] = bot.sent
    assert message["chat_id"] == USER and f"order 7{USER} has shipped with DHL" in message["text"]
    await notify_once(bot, services)  # type: ignore[arg-type]
    assert len(bot.sent) == 1
    with services.sessions() as session:  # in the conversation log, for staff's context
        logged = session.scalars(select(Message).where(Message.telegram_user_id == USER)).all()
    assert [(m.direction, m.text) for m in logged] == [("out", message["text"])]


async def test_delivered_is_followed_by_exactly_one_survey(services):
    order_id = parcel(services, done=4)
    mark_done(services, order_id, "delivered")
    bot = RecordingBot()
    report = await notify_once(bot, services)  # type: ignore[arg-type]
    assert (report.sent, report.surveys) == (1, 1)
    delivered, survey = bot.sent
    assert "has been delivered" in delivered["text"]
    assert survey["text"].startswith(f"How happy are you with order 7{USER}?")
    buttons = [row[0] for row in survey["reply_markup"].inline_keyboard]
    assert [btn.callback_data for btn in buttons][3] == (
        RASA_BUTTON + f'/give_feedback{{"rating":"4","subject":"order:7{USER}"}}')
    # The stage reported again (e.g. a re-import) brings neither message nor survey.
    with transaction(services.sessions) as session:
        stage = session.scalar(select(DeliveryStage).where(DeliveryStage.order_id == order_id,
                                                           DeliveryStage.name == "delivered"))
        stage.notified_at = None
    await notify_once(bot, services)  # type: ignore[arg-type]
    assert len(bot.sent) == 3 and "has been delivered" in bot.sent[2]["text"]
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Survey)) == 1


async def test_a_user_who_blocked_the_bot_is_marked_and_not_retried(services):
    order_id = parcel(services)
    mark_done(services, order_id, "shipped")
    bot = RecordingBot()
    bot.failures[USER] = [Forbidden("Forbidden: bot was blocked by the user")]
    report = await notify_once(bot, services)  # type: ignore[arg-type]
    assert report.unreachable == [USER] and bot.sent == []
    assert account(services).blocked
    assert stage_notified(services, order_id, "shipped") is not None
    mark_done(services, order_id, "out_for_delivery")
    await notify_once(bot, services)  # type: ignore[arg-type]
    assert bot.sent == []  # skipped from now on, without trying


async def test_a_user_who_never_started_the_bot_is_marked(services):
    order_id = parcel(services)
    mark_done(services, order_id, "shipped")
    bot = RecordingBot()
    bot.failures[USER] = [Forbidden("Forbidden: bot can't initiate conversation with a user")]
    await notify_once(bot, services)  # type: ignore[arg-type]
    assert not account(services).started and not account(services).blocked


async def test_a_network_failure_is_retried_on_the_next_run(services):
    order_id = parcel(services)
    mark_done(services, order_id, "shipped")
    bot = RecordingBot()
    bot.failures[USER] = [TimedOut()]
    report = await notify_once(bot, services)  # type: ignore[arg-type]
    assert report.released == 1 and bot.sent == []
    assert stage_notified(services, order_id, "shipped") is None
    await notify_once(bot, services)  # type: ignore[arg-type]
    assert len(bot.sent) == 1


async def test_a_survey_that_could_not_be_sent_is_not_counted(services):
    order_id = parcel(services, done=4)
    mark_done(services, order_id, "delivered")

    class BlockAfterFirst(RecordingBot):
        async def send_message(self, chat_id, text, reply_markup=None):  # type: ignore[no-untyped-def]
            if self.sent:
                raise Forbidden("Forbidden: bot was blocked by the user")
            await super().send_message(chat_id, text, reply_markup)

    bot = BlockAfterFirst()
    report = await notify_once(bot, services)  # type: ignore[arg-type]
    assert (report.sent, report.surveys) == (1, 0)
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Survey)) == 0
