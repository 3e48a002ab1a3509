"""The record of handled Telegram updates (shop/handled_updates.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop import handled_updates
from shop.models import HandledUpdate
from tests.conftest import NOW


def test_recorded_updates_are_found_and_recording_again_keeps_the_first(session: Session) -> None:
    handled_updates.record_all_handled(session, [("a" * 64, 10, NOW), ("b" * 64, 11, NOW)])
    later = NOW + timedelta(minutes=5)
    # a batch may repeat a fingerprint, and hold one recorded before (an update delivered again)
    handled_updates.record_all_handled(session, [("b" * 64, 11, later), ("c" * 64, 12, later),
                                                 ("c" * 64, 12, later)])
    handled_updates.record_all_handled(session, [("a" * 64, 10, later)])
    handled_updates.record_all_handled(session, [])
    rows = session.execute(select(HandledUpdate.digest, HandledUpdate.update_id, HandledUpdate.handled_at)
                           .order_by(HandledUpdate.update_id)).all()
    assert [(d[0], u, at.replace(tzinfo=None)) for d, u, at in rows] == [
        ("a", 10, NOW.replace(tzinfo=None)), ("b", 11, NOW.replace(tzinfo=None)),
        ("c", 12, later.replace(tzinfo=None))]
    assert handled_updates.already_handled(session, ["a" * 64, "c" * 64, "d" * 64]) == {"a" * 64, "c" * 64}
    assert handled_updates.highest_update_id(session) == 12
