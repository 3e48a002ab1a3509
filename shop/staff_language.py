"""Which language the shop's team read their texts in (ARCHITECTURE.md §10).

- The staff group (STAFF_CHAT_ID) is shared: its cards, notices and topic names are written in
  the group's language, STAFF_LANGUAGE until someone on the team picks another with /language
  in the group (remembered here, one row per staff chat).
- What goes to one staff member (an answer to their own command or button, a card in their
  private chat) is in their own language, chosen like a customer's (shop/language.py: their
  /language choice, else the language they write to the bot in, else their Telegram setting);
  in the group, when Telegram says nothing about theirs, the group's.

Functions take the session and never commit; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop import accounts
from shop.i18n import SOURCE_LANGUAGE, supported_language
from shop.language import LanguageSource
from shop.models import StaffChat, TelegramAccount
from shop.staff_directory import staff_recipients


def chat_language(session: Session, *, chat_id: int, default: str) -> str:
    """The staff chat's language: chosen with /language there, else `default` (STAFF_LANGUAGE)."""
    chosen = session.scalar(select(StaffChat.language).where(StaffChat.chat_id == chat_id))
    return supported_language(chosen) or supported_language(default) or SOURCE_LANGUAGE


def choose_chat_language(session: Session, *, chat_id: int, language: str, by: int, now: datetime) -> None:
    """Someone on the team picked the staff chat's language: it stays until the next pick."""
    row = session.get(StaffChat, chat_id)
    if row is None:
        row = StaffChat(chat_id=chat_id, language=language, updated_by=by, updated_at=now)
        session.add(row)
    row.language, row.updated_by, row.updated_at = language, by, now
    session.flush()


def own_language(account: TelegramAccount | None) -> str:
    """A staff member's language when they are not the one asking: the one last used with
    them, else their Telegram setting, else English."""
    if account is None:
        return SOURCE_LANGUAGE
    return (supported_language(account.reply_language) or supported_language(account.language)
            or SOURCE_LANGUAGE)


def actor_language(session: Session, *, telegram_user_id: int, telegram_code: str | None,
                   chat_id: int, staff_chat_id: int | None, default: str) -> str:
    """The language to answer a staff member's own command or button press in: their own
    (shop.language: chosen, written, Telegram); in the staff group the group's when neither
    their account nor Telegram tells which is theirs."""
    account = accounts.get_account(session, telegram_user_id)
    knows = account is not None and account.language_source in (
        LanguageSource.chosen.value, LanguageSource.written.value)
    if chat_id == staff_chat_id and not knows and supported_language(telegram_code) is None:
        return chat_language(session, chat_id=chat_id, default=default)
    return accounts.answer_language(session, telegram_user_id=telegram_user_id,
                                    telegram_code=telegram_code, text=None)


def reader_languages(session: Session, *, staff_chat_id: int | None, default: str,
                     chat_ids: Iterable[int] = ()) -> dict[int, str]:
    """The language of every chat the desk writes to staff in: the staff group's, each staff
    member's private chat, and any other chat in `chat_ids` (by its account)."""
    languages = {a.chat_id: own_language(a) for a in staff_recipients(session) if a.chat_id is not None}
    others = set(chat_ids) - set(languages) - {staff_chat_id}
    if others:
        for account in session.scalars(select(TelegramAccount).where(TelegramAccount.chat_id.in_(others))):
            if account.chat_id is not None:
                languages[account.chat_id] = own_language(account)
    if staff_chat_id is not None:
        languages[staff_chat_id] = chat_language(session, chat_id=staff_chat_id, default=default)
    return languages
