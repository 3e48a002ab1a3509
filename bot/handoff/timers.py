"""The timers: new tickets announced, orphaned ones re-queued, overdue ones re-alerted.

One sweep runs every few seconds (a JobQueue job) and right after the bot hands a
customer over. It finds tickets by their state in the store, so a ticket opened by any
code path (an action, a low rating, the bot failing) is announced, and a restart
loses nothing. Each alert is taken in the store first (compare-and-set), so two bot
processes do not both announce it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session
from telegram import Bot

from bot.handoff.messenger import Messenger, now_utc
from bot.handoff.topics import NEW_TICKET
from shop import staff_directory, tickets
from shop.hours import BusinessHours, duration_text
from shop.i18n import L_, Translator

SWEEP_SECONDS = 5.0  # how often new tickets and reminders are checked (at most)


class Timers:
    """The sweep, in business time (BUSINESS_HOURS) against FIRST_RESPONSE_TARGET_MINUTES."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger
        settings = messenger.settings
        self.hours = BusinessHours.from_settings(settings)
        self.target = settings.first_response_target_minutes
        self._sweep_lock = asyncio.Lock()

    @property
    def sweep_interval(self) -> float:
        """Often enough to notice a reminder within a quarter of the target, at most every 5 s."""
        return max(0.5, min(SWEEP_SECONDS, self.target * 60 / 4))

    async def sweep(self, bot: Bot) -> None:
        """Re-queue tickets of people who left, announce new tickets, remind about waiting ones."""
        async with self._sweep_lock:
            now = now_utc()
            await self._requeue_departed(bot, now)
            await self._announce_new(bot, now)
            await self._remind_overdue(bot, now)

    async def _requeue_departed(self, bot: Bot, now: datetime) -> None:
        def work(session: Session) -> list[tuple[int, str]]:
            return [(t.id, staff_directory.name_of(session, previous))
                    for t, previous in tickets.release_departed(session, now=now)]

        for ticket_id, name in await self.messenger.tx(work):
            await self.messenger.post_card(bot, ticket_id, headline=L_(
                "↩️ Back in the queue: {staff} is no longer on the team.", staff=name))

    async def _announce_new(self, bot: Bot, now: datetime) -> None:
        def work(session: Session) -> list[int]:
            return [t.id for t in tickets.unalerted(session)
                    if tickets.take_alert(session, t, kind="alert", now=now, expected_last=None)]

        for ticket_id in await self.messenger.tx(work):
            await self.messenger.post_card(bot, ticket_id, headline=NEW_TICKET, announce=True)

    async def _remind_overdue(self, bot: Bot, now: datetime) -> None:
        """Staff every target of business time without an answer; the owner once, at twice it."""
        Waited = Callable[[Translator], str]  # how long, in the reader's language

        def work(session: Session) -> tuple[list[tuple[int, Waited]], list[tuple[int, Waited]], list[int]]:
            found = tickets.overdue(session, hours=self.hours, target_minutes=self.target, now=now)
            waited = {t.id: _waited((now - t.created_at).total_seconds() / 60)
                      for t in found.realert + found.owner}
            staff = [(t.id, waited[t.id]) for t in found.realert
                     if tickets.take_alert(session, t, kind="realert", now=now,
                                           expected_last=t.last_alert_at)]
            for ticket in found.owner:
                tickets.record_owner_alert(session, ticket, now=now)
            owner_chats = [o.chat_id for o in staff_directory.reachable_owners(session) if o.chat_id]
            return staff, [(t.id, waited[t.id]) for t in found.owner], owner_chats

        staff, owner, owner_chats = await self.messenger.tx(work)
        for ticket_id, waited in staff:
            await self.messenger.post_card(bot, ticket_id, headline=L_(
                "⏰ Still waiting after {waited}: please claim it.", waited=waited))
        for ticket_id, waited in owner:
            await self.messenger.post_card(bot, ticket_id, chats=owner_chats, headline=L_(
                "⚠️ Nobody has answered this customer for {waited}.", waited=waited))


def _waited(minutes: float) -> Callable[[Translator], str]:
    """A duration, written when its reader's language is known."""
    return lambda tr: duration_text(minutes, tr)
