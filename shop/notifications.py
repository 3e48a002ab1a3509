"""Proactive delivery updates: which done stages to announce to whom, and what to say.

A stage that becomes done (CSV import, the order API, the CLI) has `notified_at` NULL
until the notifier claims it. Claiming is an atomic UPDATE ... WHERE notified_at IS NULL,
so two bot processes never announce the same stage. Claimed stages are announced only
when they matter to the customer (a parcel ships, goes out for delivery, arrives; a
project milestone is done) and the customer's Telegram account can be written to;
everything else is marked as handled without a message. Stages that became done longer
than `max_age` ago (history imported from CSV, a long outage) are marked handled
silently, so nobody ever gets a burst of stale news. Each account hears the news, and the
survey after a delivery, in the language the assistant last answered it in (English for one
it never answered).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from shop.delivery import expected_at, progress
from shop.i18n import ENGLISH, N_, Translator, sentences, translator
from shop.models import (
    Customer,
    DeliveryStage,
    Order,
    OrderKind,
    OrderStatus,
    Survey,
    TelegramAccount,
)
from shop.orders import fmt_day, stage_label

ANNOUNCED_GOODS_STAGES = ("shipped", "out_for_delivery", "delivered")
BATCH = 100  # stages claimed per run; the rest wait for the next run


@dataclass(frozen=True)
class Announcement:
    """One message to one Telegram chat about one stage of one order."""

    stage_id: int
    order_id: int
    order_number: str
    customer_id: int
    telegram_user_id: int
    chat_id: int
    text: str  # in `language`
    survey: bool  # the order is complete: ask for a rating afterwards
    language: str  # the account's reply language: the text's, and the survey's that may follow


SURVEY_QUESTION = N_("How happy are you with order {number}? Tap a rating from 1 (poor) to 5 (excellent).")


def survey_question(order_number: str, tr: Translator = ENGLISH) -> str:
    return tr._(SURVEY_QUESTION, number=order_number)


def announcement_text(order: Order, stage: DeliveryStage, *, zone: ZoneInfo,
                      tr: Translator = ENGLISH) -> str | None:
    """What the customer hears about `stage`, in their language, or None when it is not worth a message."""
    if order.kind == OrderKind.service.value:
        return _milestone_text(order, stage, zone=zone, tr=tr)
    if stage.name not in ANNOUNCED_GOODS_STAGES:
        return None
    carrier = stage.carrier or next((s.carrier for s in reversed(order.stages) if s.carrier), None)
    tracking = stage.tracking_number or next(
        (s.tracking_number for s in reversed(order.stages) if s.tracking_number), None)
    values = {"number": order.number, "carrier": carrier, "tracking": tracking}
    if stage.name == "shipped":
        if carrier and tracking:
            text = tr._("Good news: your order {number} has shipped with {carrier}, tracking {tracking}.",
                        **values)
        elif carrier:
            text = tr._("Good news: your order {number} has shipped with {carrier}.", **values)
        elif tracking:
            text = tr._("Good news: your order {number} has shipped, tracking {tracking}.", **values)
        else:
            text = tr._("Good news: your order {number} has shipped.", **values)
        eta = expected_at(order)
        if eta is not None:
            text = sentences(text, tr._("Expected delivery: {date}.", date=fmt_day(eta, zone, tr)))
        return text
    if stage.name == "out_for_delivery":
        if carrier and tracking:
            return tr._("Your order {number} is out for delivery today with {carrier} (tracking {tracking}).",
                        **values)
        if carrier:
            return tr._("Your order {number} is out for delivery today with {carrier}.", **values)
        if tracking:
            return tr._("Your order {number} is out for delivery today (tracking {tracking}).", **values)
        return tr._("Your order {number} is out for delivery today.", **values)
    return tr._("Your order {number} has been delivered. We hope you enjoy it!", **values)


def _milestone_text(order: Order, stage: DeliveryStage, *, zone: ZoneInfo, tr: Translator = ENGLISH) -> str:
    p = progress(order)
    upcoming = [s for s in order.stages if s.done_at is None]
    if not upcoming:
        return tr.n_("Your project {number} is complete: its one milestone, {stage}, is done. "
                     "Thank you for your trust!",
                     "Your project {number} is complete: all {count} milestones are done, "
                     "the last one being {stage}. Thank you for your trust!",
                     p.total, number=order.number, stage=stage_label(stage.name, tr))
    text = tr._("Update on your project {number}: {stage} is done. "
                "{done} of {total} milestones done ({percent}%).", number=order.number,
                stage=stage_label(stage.name, tr), done=p.done, total=p.total, percent=p.percent)
    nxt = upcoming[0]
    return sentences(text, tr._("Next: {stage}, planned for {date}.", stage=stage_label(nxt.name, tr),
                                date=fmt_day(nxt.planned_at, zone, tr)) if nxt.planned_at
                     else tr._("Next: {stage}.", stage=stage_label(nxt.name, tr)))


def expire_stale(session: Session, *, now: datetime, max_age: timedelta) -> int:
    """Mark stages done before now - max_age as handled without a message."""
    result = session.execute(
        update(DeliveryStage)
        .where(DeliveryStage.notified_at.is_(None), DeliveryStage.done_at.is_not(None),
               DeliveryStage.done_at < now - max_age)
        .values(notified_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim(session: Session, stage_id: int, *, now: datetime) -> bool:
    """Take one stage for announcing; False when another process took it first."""
    result = session.execute(
        update(DeliveryStage)
        .where(DeliveryStage.id == stage_id, DeliveryStage.notified_at.is_(None))
        .values(notified_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, stage_id: int) -> None:
    """Give a claimed stage back (the message could not be sent for a passing reason)."""
    session.execute(update(DeliveryStage).where(DeliveryStage.id == stage_id)
                    .values(notified_at=None).execution_options(synchronize_session=False))


def reachable_accounts(session: Session, customer_id: int) -> list[TelegramAccount]:
    """The customer's Telegram accounts the bot may write to (started, not blocked)."""
    return list(session.scalars(
        select(TelegramAccount)
        .join(Customer, Customer.id == TelegramAccount.customer_id)
        .where(TelegramAccount.customer_id == customer_id, TelegramAccount.started.is_(True),
               TelegramAccount.blocked.is_(False), TelegramAccount.chat_id.is_not(None),
               Customer.erased_at.is_(None))
        .order_by(TelegramAccount.id)
    ).all())


def claim_announcements(
    session: Session, *, now: datetime, max_age: timedelta, zone: ZoneInfo, batch: int = BATCH,
) -> list[Announcement]:
    """Claim every fresh done-but-unannounced stage and return the messages to send.

    Per order only its furthest newly done stage is announced (a parcel reported shipped
    and out for delivery at once gets one message). The caller sends the messages and
    reports failures with `accounts.mark_blocked`, `mark_not_started` or `release`.
    """
    expire_stale(session, now=now, max_age=max_age)
    pending = session.execute(
        select(DeliveryStage.id, DeliveryStage.order_id)
        .where(DeliveryStage.notified_at.is_(None), DeliveryStage.done_at.is_not(None))
        .order_by(DeliveryStage.done_at, DeliveryStage.id)
        .limit(batch)
    ).all()
    by_order: dict[int, list[int]] = {}
    for stage_id, order_id in pending:
        if claim(session, stage_id, now=now):
            by_order.setdefault(order_id, []).append(stage_id)
    if not by_order:
        return []
    orders = session.scalars(
        select(Order).where(Order.id.in_(by_order))
        .options(selectinload(Order.stages))
    ).all()
    announcements = []
    for order in sorted(orders, key=lambda o: o.id):
        if order.status == OrderStatus.cancelled.value:
            continue
        claimed = [s for s in order.stages if s.id in by_order[order.id]]
        stage = max(claimed, key=lambda s: s.position)
        if announcement_text(order, stage, zone=zone) is None:
            continue
        complete = all(s.done_at is not None for s in order.stages)
        for account in reachable_accounts(session, order.customer_id):
            assert account.chat_id is not None
            tr = translator(account.reply_language)
            text = announcement_text(order, stage, zone=zone, tr=tr)
            assert text is not None
            announcements.append(Announcement(
                stage_id=stage.id, order_id=order.id, order_number=order.number,
                customer_id=order.customer_id, telegram_user_id=account.telegram_user_id,
                chat_id=account.chat_id, text=text, survey=complete, language=tr.language))
    return announcements


def mark_not_started(session: Session, *, telegram_user_id: int) -> None:
    """The bot has no chat with this user: they never started it (or deleted the chat).

    A user who blocked the bot is marked with accounts.mark_blocked. Both flags clear when
    the user writes to the bot again (accounts.touch_account).
    """
    account = session.scalar(select(TelegramAccount)
                             .where(TelegramAccount.telegram_user_id == telegram_user_id))
    if account is None:
        return
    account.started = False
    session.flush()


def forget_survey(session: Session, survey_id: int) -> None:
    """A survey that could not be delivered is not a survey sent (response rate)."""
    survey = session.get(Survey, survey_id)
    if survey is not None and survey.answered_at is None:
        session.delete(survey)
        session.flush()
