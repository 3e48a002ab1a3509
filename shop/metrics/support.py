"""Loading what the support metrics read (bot turns, tickets, FAQ answers) for a window.

Customers' turns only: staff and owners asking the bot for figures are not contacts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.metrics import definitions as d
from shop.models import BotTurn, Role, TelegramAccount, Ticket

FOLLOW_UP = timedelta(seconds=d.REPEAT_SECONDS + d.CONVERSATION_GAP_SECONDS)


def _customers_only():  # type: ignore[no-untyped-def]
    staff = select(TelegramAccount.telegram_user_id).where(
        TelegramAccount.role.in_((Role.staff.value, Role.owner.value)))
    return BotTurn.telegram_user_id.not_in(staff)


def turns(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    rows = session.execute(select(BotTurn.telegram_user_id, BotTurn.intent, BotTurn.created_at)
                           .where(BotTurn.created_at >= start, BotTurn.created_at < end,
                                  _customers_only())).all()
    frame = pd.DataFrame(rows, columns=["telegram_user_id", "intent", "created_at"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def talks(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """Conversations that start in [start, end), with `handed_off`, `repeat` and `resolved`
    (their follow-ups after `end` are read too, so a late repeat still counts)."""
    found = d.conversations(turns(session, start - timedelta(seconds=d.CONVERSATION_GAP_SECONDS),
                                  end + FOLLOW_UP))
    tickets = pd.DataFrame(session.execute(select(Ticket.telegram_user_id, Ticket.created_at).where(
        Ticket.created_at >= start, Ticket.created_at < end + FOLLOW_UP)).all(),
        columns=["telegram_user_id", "created_at"])
    tickets["created_at"] = pd.to_datetime(tickets["created_at"], utc=True)
    outcomes = d.support_outcomes(found, tickets)
    starts = pd.Timestamp(start)
    return outcomes[(outcomes["start"] >= starts) & (outcomes["start"] < pd.Timestamp(end))]


def faq_answers(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """(FAQ answers given, answers marked "That helps") in the window: the turns that carry an
    entry. An entry picked from an offer is answered on the tap's turn, not on the question's, so
    it counts once; since "That helps" under it also clears the question's BotTurn.unanswered_id
    (the owner's unanswered list), which no support metric reads, these figures and the
    conversations (bot_resolution_rate, handoff_rate, top_contact_reasons) are as before."""
    answered, helpful = session.execute(select(
        func.count(BotTurn.id), func.count(BotTurn.id).filter(BotTurn.helpful.is_(True)),
    ).where(BotTurn.faq_entry_id.is_not(None), BotTurn.created_at >= start, BotTurn.created_at < end)
    ).one()
    return int(answered), int(helpful)
