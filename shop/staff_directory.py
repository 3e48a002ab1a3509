"""The shop's team as the store knows it: who is staff, whom the bot can reach, names.

Who is staff is read from the store on every call (a member removed by the owner loses
access at once). Functions take the session and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shop.models import Role, TelegramAccount, TelegramUsername

STAFF_ROLES = (Role.staff.value, Role.owner.value)


def staff_member(session: Session, telegram_user_id: int) -> TelegramAccount | None:
    """The staff or owner account of this user, else None (checked on every staff action)."""
    return session.scalar(select(TelegramAccount).where(
        TelegramAccount.telegram_user_id == telegram_user_id,
        TelegramAccount.role.in_(STAFF_ROLES)))


def staff_recipients(session: Session) -> list[TelegramAccount]:
    """Staff and owners the bot can write to privately (started, not blocked), owners first."""
    return list(session.scalars(
        select(TelegramAccount)
        .where(TelegramAccount.role.in_(STAFF_ROLES), TelegramAccount.started.is_(True),
               TelegramAccount.blocked.is_(False), TelegramAccount.chat_id.is_not(None))
        .order_by(TelegramAccount.role != Role.owner.value, TelegramAccount.telegram_user_id)))


def owners(session: Session) -> list[TelegramAccount]:
    """Owners, those the bot can reach privately first."""
    return list(session.scalars(
        select(TelegramAccount)
        .where(TelegramAccount.role == Role.owner.value)
        .order_by((TelegramAccount.started.is_(True) & TelegramAccount.blocked.is_(False)).desc(),
                  TelegramAccount.telegram_user_id)))


def reachable_owners(session: Session) -> list[TelegramAccount]:
    """Owners the bot can write to privately (started, not blocked): the digest, the 2× alert."""
    return list(session.scalars(
        select(TelegramAccount)
        .where(TelegramAccount.role == Role.owner.value, TelegramAccount.started.is_(True),
               TelegramAccount.blocked.is_(False), TelegramAccount.chat_id.is_not(None))
        .order_by(TelegramAccount.telegram_user_id)))


def name_of(session: Session, telegram_user_id: int | None) -> str:
    if telegram_user_id is None:
        return "nobody"
    name = session.scalar(select(TelegramAccount.display_name)
                          .where(TelegramAccount.telegram_user_id == telegram_user_id))
    return name or f"user {telegram_user_id}"


def remember_username(session: Session, *, telegram_user_id: int, username: str | None,
                      now: datetime) -> None:
    """Keep a staff member's @username so others can name them in /transfer.

    A username belongs to one account at a time; one seen on someone else moved there.
    """
    if not username:
        return
    session.execute(delete(TelegramUsername).where(
        func.lower(TelegramUsername.username) == username.lower(),
        TelegramUsername.telegram_user_id != telegram_user_id))
    row = session.scalar(select(TelegramUsername)
                         .where(TelegramUsername.telegram_user_id == telegram_user_id))
    if row is None:
        session.add(TelegramUsername(telegram_user_id=telegram_user_id, username=username[:64],
                                     seen_at=now))
    elif row.username != username:
        row.username, row.seen_at = username[:64], now
    session.flush()


def find_staff(session: Session, ref: str) -> TelegramAccount | None:
    """A staff member by Telegram id, @username or (unique) name; None if not staff."""
    ref = ref.strip().removeprefix("@")
    if ref.lstrip("-").isdigit():
        return staff_member(session, int(ref))
    if not ref:
        return None
    by_username = session.scalar(
        select(TelegramAccount)
        .join(TelegramUsername, TelegramUsername.telegram_user_id == TelegramAccount.telegram_user_id)
        .where(func.lower(TelegramUsername.username) == ref.lower(), TelegramAccount.role.in_(STAFF_ROLES))
        .order_by(TelegramUsername.seen_at.desc()).limit(1))
    if by_username is not None:
        return by_username
    wanted = ref.lower()
    matches = [a for a in session.scalars(
        select(TelegramAccount).where(TelegramAccount.role.in_(STAFF_ROLES)))
        if a.display_name and wanted in (a.display_name.lower(), a.display_name.split()[0].lower())]
    return matches[0] if len(matches) == 1 else None
