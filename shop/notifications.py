"""Proactive delivery updates: which done stages to announce to whom, and what to say.

A stage that becomes done (CSV import, the order API, the CLI) has `notified_at` NULL
until the notifier claims it. Claiming is an atomic UPDATE ... WHERE notified_at IS NULL,
so two bot processes never announce the same stage. Claimed stages are announced only
when they matter to the customer (a parcel ships, goes out for delivery, arrives; a
project milestone is done) and the customer's Telegram account can be written to;
everything else is marked as handled without a message. Stages that became done longer
than `max_age` ago (history imported from CSV, a long outage) are marked handled
silently, so nobody ever gets a burst of stale news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from shop.delivery import expected_at, progress
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
    text: str
    survey: bool  # the order is complete: ask for a rating afterwards


def survey_question(order_number: str) -> str:
    return f"How happy are you with order {order_number}? Tap a rating from 1 (poor) to 5 (excellent)."


def announcement_text(order: Order, stage: DeliveryStage, *, zone: ZoneInfo) -> str | None:
    """What the customer hears about `stage`, or None when it is not worth a message."""
    if order.kind == OrderKind.service.value:
        return _milestone_text(order, stage, zone=zone)
    if stage.name not in ANNOUNCED_GOODS_STAGES:
        return None
    carrier = stage.carrier or next((s.carrier for s in reversed(order.stages) if s.carrier), None)
    tracking = stage.tracking_number or next(
        (s.tracking_number for s in reversed(order.stages) if s.tracking_number), None)
    if stage.name == "shipped":
        text = f"Good news: your order {order.number} has shipped"
        text += f" with {carrier}" if carrier else ""
        text += f", tracking {tracking}." if tracking else "."
        eta = expected_at(order)
        if eta is not None:
            text += f" Expected delivery: {fmt_day(eta, zone)}."
        return text
    if stage.name == "out_for_delivery":
        text = f"Your order {order.number} is out for delivery today"
        return text + (f" with {carrier}" if carrier else "") + (
            f" (tracking {tracking})." if tracking else ".")
    return f"Your order {order.number} has been delivered. We hope you enjoy it!"


def _milestone_text(order: Order, stage: DeliveryStage, *, zone: ZoneInfo) -> str:
    p = progress(order)
    upcoming = [s for s in order.stages if s.done_at is None]
    if not upcoming:
        return (f"Your project {order.number} is complete: all {p.total} milestones are done, "
                f"the last one being {stage_label(stage.name)}. Thank you for your trust!")
    text = (f"Update on your project {order.number}: {stage_label(stage.name)} is done. "
            f"{p.done} of {p.total} milestones done ({p.percent}%).")
    nxt = upcoming[0]
    text += f" Next: {stage_label(nxt.name)}"
    text += f", planned for {fmt_day(nxt.planned_at, zone)}." if nxt.planned_at else "."
    return text


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
        text = announcement_text(order, stage, zone=zone)
        if text is None:
            continue
        complete = all(s.done_at is not None for s in order.stages)
        for account in reachable_accounts(session, order.customer_id):
            assert account.chat_id is not None
            announcements.append(Announcement(
                stage_id=stage.id, order_id=order.id, order_number=order.number,
                customer_id=order.customer_id, telegram_user_id=account.telegram_user_id,
                chat_id=account.chat_id, text=text, survey=complete))
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
