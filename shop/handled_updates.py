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
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shop.models import HandledUpdate

# INSERT .. ON CONFLICT DO NOTHING in each backend's words, built once (shop/db.py).
RECORD = {"postgresql": postgresql.insert(HandledUpdate.__table__).on_conflict_do_nothing(),
          "sqlite": sqlite.insert(HandledUpdate.__table__).on_conflict_do_nothing()}

def already_handled(session: Session, fingerprints: Iterable[str]) -> set[str]:
    """Those of `fingerprints` recorded as handled."""
    return set(session.scalars(select(HandledUpdate.digest)
                               .where(HandledUpdate.digest.in_(list(fingerprints)))))


def record_all_handled(session: Session, handled: Iterable[tuple[str, int, datetime]]) -> None:
    """Record several handled updates, each (fingerprint, update id, when), in one statement
    that leaves a fingerprint already recorded as it is (it runs for every message: no read
    before the write)."""
    rows = {fingerprint: {"digest": fingerprint, "update_id": update_id, "handled_at": now}
            for fingerprint, update_id, now in handled}
    if not rows:
        return
    session.execute(RECORD[session.get_bind().dialect.name], list(rows.values()))


def highest_update_id(session: Session) -> int | None:
    """The highest update id recorded, None when there is none. An update with a higher id
    was never recorded: its fingerprint, a hash of the whole update, includes its id."""
    return session.scalar(select(func.max(HandledUpdate.update_id)))


def prune_handled(session: Session, *, before: datetime) -> None:
    """Forget updates handled before `before`."""
    session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
