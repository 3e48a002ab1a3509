"""The FAQ entries offered as buttons under a customer's question, and the taps that took them.

A reply that offers entries ("Is it one of these?", the ask_faq action's or the fallback's) is
recorded against its own turn (`record`); a tap on an offered entry is a turn of its own, and
`take` links it to the latest turn of that customer that offered the entry. So "That helps" under
the answer the tap showed knows which question it answered (`question_of`), and an answer that
was not offered (one the FAQ gave at once, or a tap on no offer of theirs) answers none.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import BotTurn, FaqOffer


def record(session: Session, *, turn_id: int, entry_ids: Iterable[int]) -> None:
    """The reply to turn `turn_id` offered these entries (once each)."""
    session.add_all(FaqOffer(turn_id=turn_id, entry_id=e) for e in dict.fromkeys(entry_ids))
    session.flush()


def take(session: Session, *, tap: BotTurn, entry_id: int) -> FaqOffer | None:
    """The customer's tap (its turn, `tap`) on entry `entry_id`: the latest offer of that entry
    to the same customer, before the tap, now taken by it; None when none was offered to them.
    (A button does not say which message it was under: of two offers of one entry, the later.)"""
    offer = session.scalar(
        select(FaqOffer).join(BotTurn, BotTurn.id == FaqOffer.turn_id)
        .where(BotTurn.telegram_user_id == tap.telegram_user_id, FaqOffer.entry_id == entry_id,
               FaqOffer.turn_id < tap.id)
        .order_by(FaqOffer.turn_id.desc()).limit(1))
    if offer is not None:
        offer.picked_turn_id = tap.id
        session.flush()
    return offer


def question_of(session: Session, tap: BotTurn) -> BotTurn | None:
    """The turn whose offer the tap `tap` took (the customer's question), if it took one."""
    return session.scalar(select(BotTurn).join(FaqOffer, FaqOffer.turn_id == BotTurn.id)
                          .where(FaqOffer.picked_turn_id == tap.id).limit(1))
