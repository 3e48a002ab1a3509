"""Telegram updates the bot has handled, so one delivered again is not answered twice.

The bot's confirming poller (bot/polling.py) records each update it finished by its
fingerprint (a hash of the update as Telegram sent it; the column is handled_updates.digest)
and skips the fingerprints it finds here; records older than Telegram keeps an
unconfirmed update are pruned.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shop.models import HandledUpdate


def already_handled(session: Session, fingerprints: Iterable[str]) -> set[str]:
    """Those of `fingerprints` recorded as handled."""
    return set(session.scalars(select(HandledUpdate.digest)
                               .where(HandledUpdate.digest.in_(list(fingerprints)))))


def record_handled(session: Session, *, fingerprint: str, update_id: int, now: datetime) -> None:
    """Record one handled update (recording it again is harmless)."""
    session.merge(HandledUpdate(digest=fingerprint, update_id=update_id, handled_at=now))


def record_all_handled(session: Session, handled: Iterable[tuple[str, int, datetime]]) -> None:
    """Record several handled updates, each (fingerprint, update id, when)."""
    for fingerprint, update_id, now in handled:
        record_handled(session, fingerprint=fingerprint, update_id=update_id, now=now)


def highest_update_id(session: Session) -> int | None:
    """The highest update id recorded, None when there is none. An update with a higher id
    was never recorded: its fingerprint, a hash of the whole update, includes its id."""
    return session.scalar(select(func.max(HandledUpdate.update_id)))


def prune_handled(session: Session, *, before: datetime) -> None:
    """Forget updates handled before `before`."""
    session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
