"""Helpers for the handoff end-to-end tests: a team and customers in the store, running bots,
and waiting for the message that matters in a busy staff group."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from local_bot_api import BotMessage, FakeGroup, FakeUser, LocalBotApi, tiny_png
from local_bot_api.actors import ChatView
from shop import tickets
from shop.models import Customer, Order, Role, TelegramAccount, Ticket
from tests.waiting import eventually

STAFF_ROLES = (Role.staff.value, Role.owner.value)


def _id_range() -> tuple[int, Iterator[int]]:
    """A range of fresh Telegram ids for this process, far from the demo personas. Its start
    comes from the OS (SystemRandom), not from `random`'s state, which a copy of this process
    shares; one run in six once found ids 800000002-40 taken in its own store."""
    return os.getpid(), itertools.count(random.SystemRandom().randrange(300_000_000, 900_000_000, 1_000_000))


_ids = _id_range()


def fresh_id() -> int:
    """A Telegram id no other person of this test run has (a forked copy of this process,
    which would count on from the same number, starts a range of its own)."""
    global _ids
    if _ids[0] != os.getpid():
        _ids = _id_range()
    return next(_ids[1])


def fresh_group_id() -> int:
    return -1_000_000_000_000 - fresh_id()


@contextmanager
def store(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session, session.begin():
        yield session


@dataclass
class Team:
    api: LocalBotApi
    owner: FakeUser
    staff: list[FakeUser]
    group: FakeGroup | None

    @property
    def sam(self) -> FakeUser:
        return self.staff[0]

    @property
    def tom(self) -> FakeUser:
        return self.staff[1]


def add_person(sessions: sessionmaker[Session], api: LocalBotApi, name: str, role: Role, *,
               username: str | None = None, order_status: str | None = None,
               order_number: str | None = None) -> tuple[FakeUser, str | None]:
    """A Telegram user known to the store (staff, owner, or a linked customer with one order,
    numbered `order_number` or from the user's id)."""
    tid = fresh_id()
    first, last = name.split()
    number = None
    with store(sessions) as session:
        customer = None
        if role == Role.customer:
            customer = Customer(name=name, email=f"c{tid}@example.com", created_at=datetime.now(UTC))
            number = order_number or str(tid)[-9:]
            session.add(Order(number=number, customer=customer, status=order_status or "shipped",
                              total=Decimal("19.90"), created_at=datetime.now(UTC) - timedelta(days=2)))
        session.add(TelegramAccount(telegram_user_id=tid, chat_id=tid, role=role.value, customer=customer,
                                    display_name=name, started=True))
    return api.user(tid, first, last_name=last, username=username), number


def only_these_staff(sessions: sessionmaker[Session], keep: set[int]) -> None:
    """Everyone else loses the staff and owner roles (tests restore the demo team at the end)."""
    with store(sessions) as session:
        session.execute(update(TelegramAccount)
                        .where(TelegramAccount.role.in_(STAFF_ROLES),
                               TelegramAccount.telegram_user_id.not_in(keep))
                        .values(role=Role.customer.value))


def make_team(sessions: sessionmaker[Session], api: LocalBotApi, *, group: bool, staff: int = 2) -> Team:
    """An owner and `staff` staff members (the only ones in the store), and a staff group."""
    owner, _ = add_person(sessions, api, "Olivia Owner", Role.owner, username="olivia_owner")
    names = [("Sam Staff", "sam_staff"), ("Tom Helper", "tom_helper"), ("Lee Leaving", "lee_leaving")]
    members = [add_person(sessions, api, name, Role.staff, username=username)[0]
               for name, username in names[:staff]]
    only_these_staff(sessions, {owner.id, *(m.id for m in members)})
    chat = api.group(fresh_group_id(), "Shop team", members=(owner, *members)) if group else None
    return Team(api, owner, members, chat)


async def next_matching(view: ChatView, predicate: Callable[[BotMessage], bool], *,
                        timeout: float = 30.0,  # noqa: ASYNC109 - a per-call deadline, as wait_for's
                        what: str = "a matching message") -> BotMessage:
    """Consume the chat's new bot messages until one matches (others, e.g. other tickets' cards, pass)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen: list[str] = []
    while True:
        remaining = deadline - loop.time()
        try:
            [message] = await view.wait_for(1, timeout=max(remaining, 0.01))
        except TimeoutError:
            raise TimeoutError(f"no {what} in chat {view.chat_id} within {timeout}s; saw: {seen}") from None
        if predicate(message):
            return message
        seen.append(message.summary())


def mentions(*parts: str) -> Callable[[BotMessage], bool]:
    return lambda m: all(p in (m.text or "") for p in parts)


async def card_of(view: ChatView, ticket_id: int, *parts: str,
                  timeout: float = 30.0) -> BotMessage:  # noqa: ASYNC109
    return await next_matching(view, mentions(f"🎫 Ticket #{ticket_id} ", *parts), timeout=timeout,
                               what=f"card of ticket #{ticket_id} with {parts}")


async def until(condition: Callable[[], Any], *, view: ChatView | None = None,
                timeout: float = 20.0,  # noqa: ASYNC109
                what: str = "the condition") -> Any:
    """Wait until `condition()` is truthy, waking on the chat's activity (or every 50 ms)."""
    return await eventually(condition, timeout=timeout, what=what, poll=0.05,
                            wake=view.chat.signal.wait if view is not None else None)


async def press(view: ChatView, data: str, who: FakeUser) -> dict[str, Any]:
    """Press the button with this callback data as `who`; return the bot's answer to the press."""
    query = await (view.press(data, from_user=who) if isinstance(view, FakeGroup) else who.press(data))
    return await until(lambda: view.callback_answer(query["id"]), view=view, what=f"the answer to {data}")


def open_ticket_of(sessions: sessionmaker[Session], user_id: int) -> Ticket:
    with store(sessions) as session:
        ticket = tickets.active_ticket(session, user_id)
        assert ticket is not None, f"user {user_id} has no open ticket"
        return ticket


def ticket(sessions: sessionmaker[Session], ticket_id: int) -> Ticket:
    with store(sessions) as session:
        found = session.get(Ticket, ticket_id)
        assert found is not None
        return found


async def staff_photo_reply(group: FakeGroup, who: FakeUser, reply_to: int, caption: str) -> None:
    """`who` answers with a photo, as a reply (the fake group's public API posts text only)."""
    sizes = group._world.files.photo_sizes(tiny_png(3, 3))  # noqa: SLF001 - see docstring
    group._post(who.account, {"photo": sizes, "caption": caption}, reply_to)  # noqa: SLF001


def customer_account(sessions: sessionmaker[Session], user_id: int) -> TelegramAccount:
    with store(sessions) as session:
        account = session.scalar(select(TelegramAccount).where(TelegramAccount.telegram_user_id == user_id))
        assert account is not None
        return account
