"""The staff group's forum topics: one per customer, the ticket card pinned at its top.

With STAFF_CHAT_ID set to a supergroup with topics turned on, each ticket lives in its
customer's topic ("#12 · Dana Demo · order 1042"): the card first (pinned), then the
conversation so far, then every message both ways. Resolving (or the customer cancelling)
closes and renames it ("✅ …"); the customer's next ticket reopens it; a topic someone
deleted is created again the next time the ticket needs it. Which topic is whose lives in
the store (shop/staff_topics.py), so a restarted bot carries on in the same topics.

Without topics (a plain group, private staff chats), or while the bot may not manage
topics, nothing here applies and the desk keeps the reply-to flow.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy.orm import Session
from telegram import Bot, Chat
from telegram.error import TelegramError

from bot.handoff import cards
from bot.handoff.messenger import Sent, TopicGone, now_utc, topic_gone
from shop import conversation_log, staff_language, staff_topics, tickets
from shop.i18n import L_, Readable, Translator, translator
from shop.tickets import OPEN_STATES

if TYPE_CHECKING:
    from bot.handoff.messenger import Messenger

log = logging.getLogger(__name__)

NEW_TICKET = L_("🆕 New ticket")


class Placed(NamedTuple):
    """Where a ticket's messages go in the staff group, and whether its topic was just opened
    (created, reopened or recreated, with a fresh card at the top)."""

    chat_id: int
    thread_id: int
    opened: bool


@dataclass(frozen=True)
class _State:
    customer: int
    open: bool
    name: str
    thread: int | None  # the customer's topic, if they have one
    topic_ticket: int | None  # the ticket it is about now


def not_modified(exc: TelegramError) -> bool:
    return "not_modified" in exc.message.lower() or "not modified" in exc.message.lower()


class Topics:
    """Opens, finds, closes and reopens tickets' topics in the staff group."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger
        self.settings = messenger.settings
        self._forum: bool | None = None  # the staff group has topics (None: not asked yet)
        self._seen_forum: bool | None = None  # what the group's own messages last said
        self._locks: dict[int, asyncio.Lock] = {}  # per customer: one topic is opened at a time
        self._asking = asyncio.Lock()  # one question to Telegram, however many ask at once

    # --- is the staff group a forum? ---------------------------------------------------------

    async def enabled(self, bot: Bot) -> bool:
        """The staff group has topics and the bot may manage them (asked once, then followed
        through the group's messages)."""
        group = self.settings.staff_chat_id
        if group is None:
            return False
        if self._forum is not None:
            return self._forum
        async with self._asking:  # an answer arriving late must not undo a _disable since
            if self._forum is not None:
                return self._forum
            try:
                chat = await bot.get_chat(group)
            except TelegramError as exc:
                log.warning("could not ask Telegram whether staff group %s has topics: %s", group, exc)
                return False
            self._forum = self._seen_forum = bool(chat.is_forum)
            log.info("staff group %s %s", group, "has topics: a topic per ticket" if self._forum
                     else "has no topics: staff answer by replying")
        return self._forum

    def noticed(self, chat: Chat) -> None:
        """A message from the staff group: topics were turned on or off if it says so."""
        if chat.id != self.settings.staff_chat_id:
            return
        is_forum = bool(chat.is_forum)
        if is_forum != self._seen_forum:
            self._seen_forum = self._forum = is_forum

    def _disable(self, why: str) -> None:
        log.warning("staff group %s: %s; staff answer by replying until this is fixed",
                    self.settings.staff_chat_id, why)
        self._forum = False

    # --- placing a ticket in its topic -----------------------------------------------------

    async def ticket_of_thread(self, chat_id: int, thread_id: int) -> int | None:
        """The ticket a topic of the staff group is about now; None for the team's own topics."""
        if chat_id != self.settings.staff_chat_id:
            return None
        ticket = await self.messenger.tx(lambda s: staff_topics.ticket_of_thread(
            s, chat_id=chat_id, thread_id=thread_id))
        return ticket.id if ticket is not None else None

    async def place(self, bot: Bot, ticket_id: int, *, headline: Readable | None = NEW_TICKET,
                    gone: int | None = None) -> Placed | None:
        """The ticket's topic, opened first if its customer has none, or theirs is about an
        earlier ticket (reopened and renamed), or was deleted (`gone`: created again).
        None: no topic (a closed ticket opens none; the group may not have topics after all)."""
        group = self.settings.staff_chat_id
        assert group is not None
        customer = await self.messenger.tx(lambda s: _customer_of(s, ticket_id))
        if customer is None:
            return None
        async with self._locks.setdefault(customer, asyncio.Lock()):
            state = await self.messenger.tx(lambda s: _state(s, group, ticket_id, self._language(s)))
            if state is None:
                return None
            if state.thread is not None and state.thread != gone and state.topic_ticket == ticket_id:
                return Placed(group, state.thread, opened=False)
            if not state.open:
                return None
            thread = None
            if state.thread is not None and state.thread != gone:
                thread = await self._reopen(bot, group, state.thread, state.name)
            if thread is None:
                thread = await self._create(bot, group, state.name)
                if thread is None:
                    return None
            now = now_utc()
            await self.messenger.tx(lambda s: staff_topics.remember_topic(
                s, chat_id=group, telegram_user_id=state.customer, thread_id=thread, ticket_id=ticket_id,
                now=now))
            await self._post_opening(bot, group, thread, ticket_id, headline)
            return Placed(group, thread, opened=True)

    async def send(self, bot: Bot, ticket_id: int,
                   send: Callable[[int | None], Awaitable[list[Sent]]]) -> list[Sent]:
        """Send into the ticket's topic (General if it has none); a deleted topic is created
        again and the message sent there."""
        placed = await self.place(bot, ticket_id)
        thread = placed.thread_id if placed is not None else None
        try:
            return await send(thread)
        except TopicGone:
            log.info("ticket #%s: its topic %s was deleted; opening it again", ticket_id, thread)
        placed = await self.place(bot, ticket_id, gone=thread)
        try:
            return await send(placed.thread_id if placed is not None else None)
        except TopicGone:
            return []

    async def close(self, bot: Bot, ticket_id: int) -> None:
        """The ticket is over (resolved, cancelled): its topic is renamed ("✅ …") and closed."""
        group = self.settings.staff_chat_id
        if group is None or not await self.enabled(bot):
            return
        customer = await self.messenger.tx(lambda s: _customer_of(s, ticket_id))
        if customer is None:
            return
        async with self._locks.setdefault(customer, asyncio.Lock()):
            now = now_utc()

            def work(session: Session) -> tuple[int, str] | None:
                ticket = tickets.get_ticket(session, ticket_id)
                topic = staff_topics.topic_of_customer(session, chat_id=group, telegram_user_id=customer)
                if ticket is None or topic is None or topic.ticket_id != ticket_id or topic.closed:
                    return None
                staff_topics.set_closed(session, topic, closed=True, now=now)
                return topic.thread_id, staff_topics.topic_name(session, ticket, self._language(session))

            found = await self.messenger.tx(work)
            if found is None:
                return
            thread, name = found
            for change, call in (("rename", lambda: bot.edit_forum_topic(group, thread, name=name)),
                                 ("close", lambda: bot.close_forum_topic(group, thread))):
                try:
                    await call()
                except TelegramError as exc:
                    if topic_gone(exc):
                        return
                    if not not_modified(exc):
                        log.warning("could not %s topic %s of ticket #%s: %s", change, thread, ticket_id, exc)

    def _language(self, session: Session) -> Translator:
        """The staff group's language, for topic names and the cards at their top."""
        group = self.settings.staff_chat_id
        assert group is not None
        return translator(staff_language.chat_language(session, chat_id=group,
                                                       default=self.settings.staff_language))

    # --- Telegram's side -------------------------------------------------------------------

    async def _create(self, bot: Bot, group: int, name: str) -> int | None:
        try:
            topic = await bot.create_forum_topic(group, name)
        except TelegramError as exc:
            text = exc.message.lower()
            if "not a forum" in text:
                self._disable("topics are turned off")
            elif "rights" in text or "admin" in text:
                self._disable("the bot may not manage topics (make it an administrator with the "
                              "right to manage topics)")
            else:
                log.warning("could not open a topic in staff group %s: %s", group, exc)
            return None
        return topic.message_thread_id

    async def _reopen(self, bot: Bot, group: int, thread: int, name: str) -> int | None:
        """Reopen and rename the customer's topic for a new ticket; None if it was deleted."""
        for change, call in (("reopen", lambda: bot.reopen_forum_topic(group, thread)),
                             ("rename", lambda: bot.edit_forum_topic(group, thread, name=name))):
            try:
                await call()
            except TelegramError as exc:
                if topic_gone(exc):
                    return None
                if not not_modified(exc):
                    log.warning("could not %s topic %s: %s", change, thread, exc)
        return thread

    async def _post_opening(self, bot: Bot, group: int, thread: int, ticket_id: int,
                            headline: Readable | None) -> None:
        """The card (pinned) and the conversation so far, at the top of a topic just opened."""
        def load(session: Session) -> tuple[conversation_log.TicketSummary, Translator] | None:
            ticket = tickets.get_ticket(session, ticket_id)
            return (conversation_log.summary(session, ticket), self._language(session)) \
                if ticket is not None else None

        loaded = await self.messenger.tx(load)
        if loaded is None:
            return
        summary, tr = loaded
        zone = self.settings.zone
        text = cards.card_text(summary, zone=zone, now=now_utc(), headline=headline, in_topic=True, tr=tr)
        async with self.messenger.linking():
            try:
                card = await self.messenger.send_to_staff(bot, group, text, cards.card_keyboard(summary, tr),
                                                          thread_id=thread)
                if card is None:
                    return
                await self.messenger.link(ticket_id, "card", [Sent(group, card.message_id, thread_id=thread)])
                try:
                    await bot.pin_chat_message(group, card.message_id, disable_notification=True)
                except TelegramError as exc:
                    log.info("could not pin the card of ticket #%s: %s", ticket_id, exc)
                history = cards.history_text(summary, zone=zone, tr=tr)
                if history:
                    sent = await self.messenger.send_to_staff(bot, group, history, thread_id=thread)
                    if sent is not None:
                        await self.messenger.link(ticket_id, "history",
                                                  [Sent(group, sent.message_id, thread_id=thread)])
            except TopicGone:  # deleted the moment it was made: the next message opens it again
                log.info("topic %s of ticket #%s vanished while it was being opened", thread, ticket_id)


def _customer_of(session: Session, ticket_id: int) -> int | None:
    ticket = tickets.get_ticket(session, ticket_id)
    return ticket.telegram_user_id if ticket is not None else None


def _state(session: Session, group: int, ticket_id: int, tr: Translator) -> _State | None:
    ticket = tickets.get_ticket(session, ticket_id)
    if ticket is None:
        return None
    topic = staff_topics.topic_of_customer(session, chat_id=group, telegram_user_id=ticket.telegram_user_id)
    return _State(customer=ticket.telegram_user_id, open=ticket.status in OPEN_STATES,
                  name=staff_topics.topic_name(session, ticket, tr),
                  thread=topic.thread_id if topic else None,
                  topic_ticket=topic.ticket_id if topic else None)
