"""The log of customer messages the bot answered (BotTurn), for the support metrics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shop.models import BotTurn

TURN = insert(BotTurn.__table__).returning(BotTurn.__table__.c.id)  # built once (shop/db.py)


def record_turn(session: Session, *, telegram_user_id: int, intent: str | None,
                confidence: float | None, action: str, now: datetime) -> int:
    """Log that the bot answered this user with `action`; the new turn's id. A Core INSERT:
    every answered message writes one, and the ORM's unit of work cost three times as much."""
    return int(session.execute(TURN, {
        "telegram_user_id": telegram_user_id, "intent": (intent or None) and intent[:64],
        "confidence": confidence, "action": action[:64], "created_at": now}).scalar_one())


def latest_turn(session: Session, telegram_user_id: int) -> BotTurn | None:
    return session.scalar(select(BotTurn).where(BotTurn.telegram_user_id == telegram_user_id)
                          .order_by(BotTurn.id.desc()).limit(1))


def mark_helpful(session: Session, *, telegram_user_id: int, entry_id: int) -> BotTurn | None:
    """The customer pressed "That helps" under entry `entry_id`'s answer: note it on that turn
    (their latest that gave the entry) and return it; None when no turn of theirs gave it."""
    turn = session.scalar(select(BotTurn).where(
        BotTurn.telegram_user_id == telegram_user_id, BotTurn.faq_entry_id == entry_id,
    ).order_by(BotTurn.id.desc()).limit(1))
    if turn is None:
        return None
    turn.helpful = True
    session.flush()
    return turn
