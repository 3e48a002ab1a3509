"""Who works for the shop: staff and owner roles on Telegram accounts (ARCHITECTURE.md §2).

Roles live in the store, not in configuration, so the owner can add a helper without a
restart. Removing someone makes them an ordinary customer account again (they may
well be a customer too), and the last owner cannot be removed, so the shop is never
left without anyone who may see its metrics.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.models import Role, TelegramAccount

STAFF_ROLES = (Role.owner, Role.staff)


class StaffError(ValueError):
    """The change is not allowed; the message says why."""


def add_staff(
    session: Session, *, telegram_user_id: int, role: Role, name: str | None = None,
) -> TelegramAccount:
    """Give the Telegram user `role` (owner or staff), creating their account if needed."""
    if role not in STAFF_ROLES:
        raise StaffError(f"role must be one of {', '.join(r.value for r in STAFF_ROLES)}")
    account = session.scalar(
        select(TelegramAccount).where(TelegramAccount.telegram_user_id == telegram_user_id)
    )
    if account is None:
        # in a private chat the chat id is the user id, so escalations can reach them
        account = TelegramAccount(telegram_user_id=telegram_user_id, chat_id=telegram_user_id)
        session.add(account)
    elif account.role == Role.owner.value and role != Role.owner:
        _keep_an_owner(session)
    account.role = role.value
    if name:
        account.display_name = name
    session.flush()
    return account


def list_staff(session: Session) -> list[TelegramAccount]:
    """Owners first, then staff, each by Telegram id."""
    return list(session.scalars(
        select(TelegramAccount)
        .where(TelegramAccount.role.in_([r.value for r in STAFF_ROLES]))
        .order_by(TelegramAccount.role != Role.owner.value, TelegramAccount.telegram_user_id)
    ))


def remove_staff(session: Session, *, telegram_user_id: int) -> TelegramAccount:
    """Make a staff member or owner an ordinary (customer) account again."""
    account = session.scalar(
        select(TelegramAccount).where(TelegramAccount.telegram_user_id == telegram_user_id)
    )
    if account is None or account.role not in [r.value for r in STAFF_ROLES]:
        raise StaffError(f"Telegram user {telegram_user_id} is not staff")
    if account.role == Role.owner.value:
        _keep_an_owner(session)
    account.role = Role.customer.value
    session.flush()
    return account


def _keep_an_owner(session: Session) -> None:
    owners = session.scalar(
        select(func.count()).select_from(TelegramAccount)
        .where(TelegramAccount.role == Role.owner.value)
    ) or 0
    if owners <= 1:
        raise StaffError("this is the only owner; add another owner first")
