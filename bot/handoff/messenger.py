"""The handoff desk's groundwork: who gets what, ticket cards, and talking to customers.

The Messenger is the one part of the desk that talks to Telegram on its behalf; the relay,
the staff actions and the timers (bot/handoff/desk.py) each hold it.

Every rule (who is staff, what a claim or transfer does, which tickets are overdue) is
in shop.tickets; the desk moves messages and keeps the store's picture of them: each
card and relayed message is linked to its ticket in the store, so a restarted bot
knows what staff are replying to. Store work runs off the event loop, one transaction
per step, and never while waiting for Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, ParamSpec, TypeVar

from sqlalchemy.orm import Session
from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters, User
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.handoff import cards
from bot.services import Services
from shop import accounts, conversation_log, staff_directory, staff_language, tickets
from shop.i18n import L_, N_, Readable, TextError, Translator, translator
from shop.models import TelegramAccount, Ticket, TicketStatus

log = logging.getLogger(__name__)

LINK_WAIT_SECONDS = 5.0  # the longest a lookup waits for messages being sent to staff to be linked
P = ParamSpec("P")
T = TypeVar("T")

NOT_STAFF = N_("Sorry, only the shop's team can do that.")


class Refused(TextError):
    """The staff member may not do this; the message (a Text, translated for them) says why."""


class TopicGone(Exception):
    """The forum topic a message was sent to no longer exists (someone deleted it)."""


def topic_gone(exc: TelegramError) -> bool:
    """Telegram's answer for a deleted or unknown topic (a send, or a change to the topic)."""
    text = exc.message.lower()
    return isinstance(exc, BadRequest) and any(
        sign in text for sign in ("thread not found", "topic_id_invalid", "topic_deleted"))


class Sent(NamedTuple):
    """A message the desk posted: where, and for a relayed copy how it was built (`layout`:
    headed = header and text in one, captioned = header in the caption, header = the header
    alone, copy = the customer's message as it is) and in which forum topic."""

    chat_id: int
    message_id: int
    layout: str | None = None
    thread_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    """What to tell the staff member who acted (None: nothing, the action speaks for itself),
    translated where it is sent, for them."""

    text: Readable | None
    ok: bool = True
    markup: InlineKeyboardMarkup | None = None


def refusals(method: Callable[P, Awaitable[Outcome]]) -> Callable[P, Coroutine[Any, Any, Outcome]]:
    """Turn a refusal (not staff, not allowed by the state machine) into an Outcome."""
    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Outcome:
        try:
            return await method(*args, **kwargs)
        except (Refused, tickets.TicketError) as exc:
            return Outcome(exc.text, ok=False)
    return wrapper


@dataclass(frozen=True)
class CustomerRef:
    """Where a ticket's customer is, and what to call them."""

    ticket_id: int
    telegram_user_id: int
    chat_id: int
    name: str
    language: str | None = None  # the language the customer is answered in (shop.language)


def now_utc() -> datetime:
    return datetime.now(UTC)


def require_staff(session: Session, user: User) -> TelegramAccount:
    """The acting user's staff account (their @username remembered); Refused if not staff."""
    account = staff_directory.staff_member(session, user.id)
    if account is None:
        raise Refused(L_(NOT_STAFF))
    staff_directory.remember_username(session, telegram_user_id=user.id, username=user.username,
                                      now=now_utc())
    return account


def require_ticket(session: Session, ticket_id: int) -> Ticket:
    """The ticket, locked for a state change; Refused if there is none."""
    ticket = tickets.get_ticket(session, ticket_id, lock=True)
    if ticket is None:
        raise Refused(L_("There is no ticket #{ticket}.", ticket=ticket_id))
    return ticket


def customer_ref(session: Session, ticket: Ticket) -> CustomerRef:
    return CustomerRef(ticket.id, ticket.telegram_user_id, ticket.chat_id,
                       conversation_log.customer_name(session, ticket),
                       accounts.stored_language(session, ticket.telegram_user_id))


class Messenger:
    """Ticket cards and messages to staff and customers, each linked to its ticket in the store."""

    def __init__(self, services: Services) -> None:
        from bot.handoff.topics import Topics  # the topics send through this messenger

        self.services = services
        self.settings = services.settings
        self.topics = Topics(self)
        # One future per message being sent to staff whose link to its ticket is not stored
        # yet (see linking): done once it is.
        self._unlinked: set[asyncio.Future[None]] = set()

    async def tx(self, work: Callable[[Session], T]) -> T:
        return await self.services.in_transaction(work)

    @contextlib.asynccontextmanager
    async def linking(self) -> AsyncIterator[None]:
        """Around sending messages to staff and storing their links to the ticket.

        Telegram hands a message out (to staff, who may answer it at once) before the bot has
        stored which ticket it belongs to; a reply, a command or a card refresh that looks the
        message up in that gap would find nothing. They call `links_settled` first."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._unlinked.add(done)
        try:
            yield
        finally:
            self._unlinked.discard(done)
            done.set_result(None)

    async def links_settled(self) -> None:
        """Wait until every message sent to staff so far is linked to its ticket (at most
        LINK_WAIT_SECONDS: a send that hangs on Telegram must not hold up the desk)."""
        pending = list(self._unlinked)
        if pending:
            await asyncio.wait(pending, timeout=LINK_WAIT_SECONDS)

    # --- who gets what, in which language -----------------------------------------------------

    def languages(self, session: Session, chat_ids: list[int] | None = None) -> dict[int, str]:
        """The language of each chat the desk writes to staff in (shop/staff_language.py)."""
        return staff_language.reader_languages(session, staff_chat_id=self.settings.staff_chat_id,
                                               default=self.settings.staff_language, chat_ids=chat_ids or ())

    def reader(self, languages: dict[int, str], chat_id: int) -> Translator:
        """The translator for a chat, from `languages` (STAFF_LANGUAGE for one not in it)."""
        return translator(languages.get(chat_id, self.settings.staff_language))

    async def actor(self, user: User, chat_id: int) -> Translator:
        """The language to answer a staff member's own command or press in."""
        return translator(await self.tx(lambda s: staff_language.actor_language(
            s, telegram_user_id=user.id, telegram_code=user.language_code, chat_id=chat_id,
            staff_chat_id=self.settings.staff_chat_id, default=self.settings.staff_language)))

    async def staff_chat_translator(self) -> Translator:
        """The staff group's language (STAFF_LANGUAGE until /language there changes it)."""
        group = self.settings.staff_chat_id
        if group is None:
            return translator(self.settings.staff_language)
        return translator(await self.tx(lambda s: staff_language.chat_language(
            s, chat_id=group, default=self.settings.staff_language)))

    def alert_chats(self, session: Session) -> list[int]:
        """Where new tickets are announced: the staff group, else every reachable staff member."""
        if self.settings.staff_chat_id is not None:
            return [self.settings.staff_chat_id]
        return [a.chat_id for a in staff_directory.staff_recipients(session) if a.chat_id is not None]

    def relay_chats(self, session: Session, ticket: Ticket) -> list[int]:
        """Where a customer's message goes: the group, else the assignee, else all staff."""
        if self.settings.staff_chat_id is None and ticket.status == TicketStatus.human.value \
                and ticket.assignee_telegram_id is not None:
            account = accounts.get_account(session, ticket.assignee_telegram_id)
            if account is not None and account.chat_id and account.started and not account.blocked:
                return [account.chat_id]
        return self.alert_chats(session)

    # --- cards -------------------------------------------------------------------------------

    async def post_card(self, bot: Bot, ticket_id: int, *, headline: Readable | None,
                        chats: list[int] | None = None, thread_id: int | None = None,
                        announce: bool = False) -> list[int]:
        """Send the ticket's card to `chats` (default: where alerts go); returns who got it.

        In a staff group with topics the card goes to the ticket's topic; `announce` (a new
        ticket) posts it only when that opens the topic, so a topic holds one "new" card.
        `thread_id` is the topic of an explicit chat (a command typed in a topic).
        """
        def load(session: Session) -> tuple[conversation_log.TicketSummary, list[int], dict[int, str]] | None:
            ticket = tickets.get_ticket(session, ticket_id)
            if ticket is None:
                return None
            targets = chats if chats is not None else self.alert_chats(session)
            return conversation_log.summary(session, ticket), targets, self.languages(session, targets)

        loaded = await self.tx(load)
        if loaded is None:
            return []
        summary, targets, languages = loaded
        if not targets:
            log.warning("ticket #%s: no staff group and no staff member to alert", ticket_id)
            return []
        if announce and chats is None and await self.topics.enabled(bot):
            placed = await self.topics.place(bot, ticket_id, headline=headline)
            if placed is not None:
                return [placed.chat_id]

        async def send(chat_id: int, thread: int | None) -> list[Sent]:
            tr = self.reader(languages, chat_id)
            text = cards.card_text(summary, zone=self.settings.zone, now=now_utc(), headline=headline,
                                   in_topic=thread is not None, tr=tr)
            message = await self.send_to_staff(bot, chat_id, text, cards.card_keyboard(summary, tr),
                                               thread_id=thread)
            return [Sent(chat_id, message.message_id, thread_id=thread)] if message is not None else []

        async with self.linking():
            if chats is not None:
                sent = await self.fan_out(targets, lambda chat_id: send(chat_id, thread_id))
            else:
                sent = await self.to_staff(bot, ticket_id, targets, send)
            if sent:
                await self.link(ticket_id, "card", sent)
        if not sent:
            log.warning("ticket #%s: the card reached nobody (%s)", ticket_id, targets)
        return [s.chat_id for s in sent]

    async def refresh_cards(self, bot: Bot, ticket_id: int, *, limit: int = 5) -> None:
        """Show the ticket's new state on its latest cards (claimed by, resolved...)."""
        await self.links_settled()  # a card still being sent is refreshed too
        def load(session: Session) -> tuple[conversation_log.TicketSummary,
                                             list[tuple[int, int, bool]], dict[int, str]] | None:
            ticket = tickets.get_ticket(session, ticket_id)
            if ticket is None:
                return None
            links = conversation_log.card_messages(session, ticket_id, limit=limit)
            return conversation_log.summary(session, ticket), [
                (m.chat_id, m.message_id, m.thread_id is not None) for m in links], \
                self.languages(session, [m.chat_id for m in links])

        loaded = await self.tx(load)
        if loaded is None:
            return
        summary, links, languages = loaded
        for chat_id, message_id, in_topic in links:
            tr = self.reader(languages, chat_id)
            text = cards.card_text(summary, zone=self.settings.zone, now=now_utc(), in_topic=in_topic, tr=tr)
            try:
                await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                            reply_markup=cards.card_keyboard(summary, tr))
            except TelegramError as exc:  # deleted, not modified, chat gone: the card just stays as it was
                log.debug("card %s/%s of ticket #%s not updated: %s", chat_id, message_id, ticket_id, exc)

    async def fan_out(self, chats: list[int], send: Callable[[int], Awaitable[list[Sent]]]) -> list[Sent]:
        """Send to each chat; if the staff group is unreachable, to each staff member instead."""
        sent = [item for chat_id in chats for item in await send(chat_id)]
        group = self.settings.staff_chat_id
        if sent or group is None or group not in chats:
            return sent
        log.warning("the staff group %s is unreachable: writing to staff privately", group)
        private = await self.tx(lambda s: [a.chat_id for a in staff_directory.staff_recipients(s)
                                           if a.chat_id])
        return [item for chat_id in private for item in await send(chat_id)]

    async def to_staff(self, bot: Bot, ticket_id: int, chats: list[int],
                       send: Callable[[int, int | None], Awaitable[list[Sent]]]) -> list[Sent]:
        """fan_out for one ticket: in a staff group with topics, into the ticket's topic
        (opened, or recreated if someone deleted it); elsewhere as it is."""
        async def one(chat_id: int) -> list[Sent]:
            if chat_id == self.settings.staff_chat_id and await self.topics.enabled(bot):
                return await self.topics.send(bot, ticket_id, lambda thread: send(chat_id, thread))
            return await send(chat_id, None)
        return await self.fan_out(chats, one)

    async def send_to_staff(self, bot: Bot, chat_id: int, text: str,
                            markup: InlineKeyboardMarkup | None = None, *, thread_id: int | None = None,
                            reply_to: int | None = None) -> Message | None:
        """A message to a staff chat (or topic); None if it could not be sent. TopicGone when
        the topic was deleted, so that the caller can open it again."""
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        try:
            return await bot.send_message(chat_id, text, reply_markup=markup, message_thread_id=thread_id,
                                          reply_parameters=reply)
        except Forbidden:
            await self.mark_blocked(chat_id)
        except TelegramError as exc:
            if thread_id is not None and topic_gone(exc):
                raise TopicGone(str(exc)) from exc
            log.warning("could not write to staff chat %s: %s", chat_id, exc)
        return None

    async def link(self, ticket_id: int, kind: str, sent: list[Sent], origin: int | None = None,
                   origin_chat: int | None = None) -> None:
        now = now_utc()

        def work(session: Session) -> None:
            for item in sent:
                conversation_log.link_message(session, ticket_id=ticket_id, chat_id=item.chat_id,
                                              message_id=item.message_id, kind=kind,
                                              origin_message_id=origin, origin_chat_id=origin_chat,
                                              layout=item.layout, thread_id=item.thread_id, now=now)
        await self.tx(work)

    async def mark_blocked(self, chat_id: int) -> None:
        """A private chat answered 403: that user blocked the bot (or never started it)."""
        if chat_id < 0:
            log.warning("the bot may not write to group %s (removed from it?)", chat_id)
            return
        log.info("user %s has blocked the bot", chat_id)
        await self.tx(lambda s: accounts.mark_blocked(s, chat_id=chat_id))

    async def tell_customer(self, bot: Bot, customer: CustomerRef, text: Readable,
                            markup: InlineKeyboardMarkup | None = None) -> bool:
        """A message from the bot to the ticket's customer, in their language, logged; False if
        they blocked us."""
        said = translator(customer.language).render(text)
        try:
            sent = await bot.send_message(customer.chat_id, said, reply_markup=markup)
        except Forbidden:
            await self.mark_blocked(customer.chat_id)
            return False
        except TelegramError as exc:
            log.warning("could not tell the customer of ticket #%s: %s", customer.ticket_id, exc)
            return False
        now = now_utc()
        await self.tx(lambda s: conversation_log.log_message(
            s, telegram_user_id=customer.telegram_user_id, direction="out", text=said, now=now,
            ticket_id=customer.ticket_id, message_id=sent.message_id))
        return True
