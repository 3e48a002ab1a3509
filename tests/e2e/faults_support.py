"""What the fault tests share (tests/e2e/test_faults.py on the session's servers,
tests/e2e/standalone/test_server_faults.py on servers of its own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from local_bot_api import FakeUser
from shop.models import Role
from tests import journey_builders as b

BOT_ERROR_OPENING = "Sorry, I can't answer right now because of a technical problem on our side."


def add_customer(sessions: sessionmaker[Session], name: str, telegram_id: int) -> tuple[int, str]:
    """A linked customer with one shipped order; returns (telegram id, order number)."""
    number = f"6{telegram_id % 10_000:04d}"  # 60001, 60002, ...: no other e2e order has these
    now = datetime.now(UTC)
    with sessions() as session, session.begin():
        person = b.customer(session, name=name, created_at=now - timedelta(days=30))
        b.account(session, telegram_user_id=telegram_id, customer=person, role=Role.customer)
        b.goods_order(session, owner=person, number=number, created_at=now - timedelta(days=2), done=3)
    return telegram_id, number


async def ask(user: FakeUser, text: str, timeout: float = 60) -> str:  # noqa: ASYNC109
    await user.send(text)
    [reply] = await user.wait_for(1, timeout=timeout)
    assert reply.text is not None
    return reply.text
