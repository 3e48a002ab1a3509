"""Who is asking: Telegram accounts, their roles and linked customers (ARCHITECTURE.md §2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.orm import Session

from shop.language import LanguageSource, ReplyLanguage, reply_language
from shop.models import Customer, Role, TelegramAccount

# The queries every customer message asks, built once: building a statement and its cache key
# cost more than running it on SQLite (shop/db.py, "Statements on every message's path").
USER: BindParameter[int] = bindparam("telegram_user_id")
ACCOUNT = select(TelegramAccount).where(TelegramAccount.telegram_user_id == USER)


def _linked(query: Select[Any]) -> Select[Any]:
    return (query.join(TelegramAccount, TelegramAccount.customer_id == Customer.id)
            .where(TelegramAccount.telegram_user_id == USER, Customer.erased_at.is_(None)))


LINKED_CUSTOMER = _linked(select(Customer))
LINKED_CUSTOMER_ID = _linked(select(Customer.id))


def get_account(session: Session, telegram_user_id: int) -> TelegramAccount | None:
    return session.scalar(ACCOUNT, {"telegram_user_id": telegram_user_id})


def linked_customer(session: Session, telegram_user_id: int) -> Customer | None:
    """The customer this Telegram user is linked to, or None for an unlinked user."""
    return session.scalar(LINKED_CUSTOMER, {"telegram_user_id": telegram_user_id})


def linked_customer_id(session: Session, telegram_user_id: int) -> int | None:
    """linked_customer's id alone (no Customer loaded: every order question asks it)."""
    return session.scalar(LINKED_CUSTOMER_ID, {"telegram_user_id": telegram_user_id})


def role_of(session: Session, telegram_user_id: int) -> Role | None:
    """The user's role from the store; None when the user is unknown or unlinked."""
    account = get_account(session, telegram_user_id)
    if account is None:
        return None
    if account.role in (Role.owner.value, Role.staff.value):
        return Role(account.role)
    return Role.customer if account.customer_id is not None else None


def touch_account(
    session: Session, *, telegram_user_id: int, chat_id: int, display_name: str | None,
    language: str | None = None,
) -> TelegramAccount:
    """Record that this user talks to the bot in `chat_id` (and so has started it)."""
    account = get_account(session, telegram_user_id)
    if account is None:
        account = TelegramAccount(telegram_user_id=telegram_user_id, role=Role.customer.value)
        session.add(account)
    account.chat_id = chat_id
    account.started = True
    account.blocked = False
    if display_name:
        account.display_name = display_name[:200]
    if language:
        account.language = language[:16]
    session.flush()
    return account


def answer_language(session: Session, *, telegram_user_id: int, telegram_code: str | None,
                    text: str | None) -> str:
    """The language to answer this user's message in, remembered on their account
    (shop.language.reply_language: their choice, what they write, their Telegram setting)."""
    return account_answer_language(session, get_account(session, telegram_user_id),
                                   telegram_code=telegram_code, text=text)


def account_answer_language(session: Session, account: TelegramAccount | None, *, telegram_code: str | None,
                            text: str | None) -> str:
    """answer_language for an account already looked up (None: no account)."""
    decided = reply_language(current=account.reply_language if account else None,
                             source=account.language_source if account else None,
                             telegram_code=telegram_code, text=text)
    if account is not None:
        _remember(account, decided)
        session.flush()
    return decided.language


def choose_language(session: Session, *, telegram_user_id: int, language: str) -> None:
    """The user picked `language` with /language: it stays until they pick another."""
    account = get_account(session, telegram_user_id)
    if account is None:
        account = TelegramAccount(telegram_user_id=telegram_user_id, role=Role.customer.value)
        session.add(account)
    _remember(account, ReplyLanguage(language, LanguageSource.chosen))
    session.flush()


def stored_language(session: Session, telegram_user_id: int) -> str | None:
    """The language last used with this user (the action server's fallback), else None."""
    return session.scalar(select(TelegramAccount.reply_language)
                          .where(TelegramAccount.telegram_user_id == telegram_user_id))


def _remember(account: TelegramAccount, decided: ReplyLanguage) -> None:
    if account.reply_language != decided.language or account.language_source != decided.source.value:
        account.reply_language, account.language_source = decided.language, decided.source.value


def mark_blocked(session: Session, *, chat_id: int, blocked: bool = True) -> bool:
    """Telegram refused a message to this private chat (403), or said its user blocked or
    unblocked the bot: record it on the chat's account; True when that changed anything.

    The flag clears when the user writes to the bot again (touch_account).
    """
    changed = False
    for account in session.scalars(select(TelegramAccount).where(TelegramAccount.chat_id == chat_id)):
        changed = changed or account.blocked != blocked
        account.blocked = blocked
    session.flush()
    return changed


def bootstrap_owners(session: Session, owner_ids: list[int]) -> None:
    """Make the configured OWNER_TELEGRAM_IDS owners (the first owner comes from config)."""
    for telegram_user_id in owner_ids:
        account = get_account(session, telegram_user_id)
        if account is None:
            session.add(TelegramAccount(telegram_user_id=telegram_user_id, role=Role.owner.value))
        else:
            account.role = Role.owner.value
    session.flush()
