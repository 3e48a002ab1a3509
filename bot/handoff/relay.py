"""Messages between customers and staff: relays both ways, and the bot's own conversation."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session
from telegram import Bot, Message, MessageId, ReplyParameters, User
from telegram.constants import MessageLimit
from telegram.error import Forbidden, TelegramError

from bot.handoff import cards
from bot.handoff.messenger import (
    CustomerRef,
    Messenger,
    Outcome,
    Refused,
    customer_ref,
    now_utc,
    refusals,
    require_staff,
    require_ticket,
)
from shop import accounts, conversation_log, staff_directory, tickets
from shop.handoff import BACK_TO_BOT, NOTHING_TO_CANCEL, cannot_cancel_text, open_handoff
from shop.i18n import translator
from shop.models import TicketStatus
from shop.replies import parse_payload

log = logging.getLogger(__name__)

NOT_A_TICKET = ("That message isn't part of a ticket, so your reply went to nobody. To answer a "
                "customer, reply to their ticket card or to one of their messages.")
NOT_STAFF_REPLY = ("Only the shop's team can answer customers, so your reply went to nobody. "
                   "The owner can add you with: python -m shop staff add <your Telegram id>.")
CAPTIONED = ("photo", "document", "video", "audio", "voice", "animation")
MAX_CAPTION = MessageLimit.CAPTION_LENGTH


def message_kind(message: Message) -> str:
    for kind in (*CAPTIONED, "sticker", "video_note", "location", "contact", "poll", "venue", "dice"):
        if getattr(message, kind, None):
            return kind
    return "message"


def logged_text(message: Message) -> str:
    """A message as the conversation log keeps it: its text, or [photo] and the caption."""
    if message.text:
        return message.text
    caption = f" {message.caption}" if message.caption else ""
    return f"[{message_kind(message)}]{caption}"


class Relay:
    """Customers' messages to staff and staff answers back; the bot's answers and failures."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger
        self.settings = messenger.settings

    # --- customer → staff -----------------------------------------------------------------

    async def relay_from_customer(self, bot: Bot, message: Message, user: User) -> str | None:
        """Log the customer's message; while a person handles them (or is about to), relay it
        and return the ticket's status (waiting, human); None: the bot's conversation."""
        now = now_utc()

        def work(session: Session) -> tuple[CustomerRef, str | None, list[int], str] | None:
            ticket = tickets.active_ticket(session, user.id)
            account = accounts.get_account(session, user.id)
            conversation_log.log_message(session, telegram_user_id=user.id, direction="in",
                                         text=logged_text(message), message_id=message.message_id, now=now,
                                         customer_id=account.customer_id if account else None,
                                         ticket_id=ticket.id if ticket else None)
            if ticket is None:
                return None
            assignee = (staff_directory.name_of(session, ticket.assignee_telegram_id)
                        if ticket.status == TicketStatus.human.value else None)
            chats = self.messenger.relay_chats(session, ticket)
            return customer_ref(session, ticket), assignee, chats, ticket.status

        plan = await self.messenger.tx(work)
        if plan is None:
            return None
        customer, assignee, chats, status = plan
        header = cards.relay_header(customer.ticket_id, customer.name, assignee)
        sent = await self.messenger.fan_out(
            chats, lambda chat_id: self._relay_one(bot, chat_id, message, header))
        if sent:
            await self.messenger.link(customer.ticket_id, "relay", sent, origin=message.message_id)
        else:
            log.warning("ticket #%s: customer message %s reached no staff chat", customer.ticket_id,
                        message.message_id)
        return status

    async def _relay_one(self, bot: Bot, chat_id: int, message: Message, header: str) -> list[int]:
        """Relay one customer message to one staff chat with a header; the ids sent there."""
        try:
            if message.text and len(header) + 1 + len(message.text) <= MessageLimit.MAX_TEXT_LENGTH:
                return [(await bot.send_message(chat_id, f"{header}\n{message.text}")).message_id]
            caption = header + (f"\n{message.caption}" if message.caption else "")
            if message_kind(message) in CAPTIONED and len(caption) <= MAX_CAPTION:
                copied = await bot.copy_message(chat_id, message.chat_id, message.message_id, caption=caption)
                return [copied.message_id]
            head = await bot.send_message(chat_id, header)
            copied = await bot.copy_message(chat_id, message.chat_id, message.message_id)
            return [head.message_id, copied.message_id]
        except Forbidden:
            await self.messenger.mark_blocked(chat_id)
        except TelegramError as exc:
            log.warning("could not relay message %s to staff chat %s: %s", message.message_id, chat_id, exc)
        return []

    async def back_to_bot(self, bot: Bot, user: User) -> str:
        """The customer takes back a request nobody has claimed yet ("Back to the assistant",
        /bot): the ticket is cancelled and staff are told. Returns what to tell the customer."""
        now = now_utc()

        def work(session: Session) -> tuple[str, CustomerRef | None, list[int]]:
            tr = translator(accounts.stored_language(session, user.id))
            ticket, cancelled = tickets.cancel_waiting(session, user.id, now=now)
            if ticket is None:
                return tr._(NOTHING_TO_CANCEL), None, []
            if not cancelled:
                return cannot_cancel_text(ticket, tr), None, []
            conversation_log.log_message(session, telegram_user_id=user.id, direction="out",
                                         text=tr._(BACK_TO_BOT), now=now, customer_id=ticket.customer_id,
                                         ticket_id=ticket.id)
            chats = self.messenger.relay_chats(session, ticket)
            return tr._(BACK_TO_BOT), customer_ref(session, ticket), chats

        text, customer, chats = await self.messenger.tx(work)
        if customer is not None:
            await self.messenger.refresh_cards(bot, customer.ticket_id)
            notice = (f"↩️ #{customer.ticket_id} {customer.name} went back to the bot before anyone "
                      "claimed the ticket: it is cancelled, nothing to answer.")
            for chat_id in chats:
                await self.messenger.send_to_staff(bot, chat_id, notice)
        return text

    # --- staff → customer -----------------------------------------------------------------

    async def staff_reply(self, bot: Bot, message: Message) -> Outcome | None:
        """A reply in a staff chat or a staff member's private chat; None: not for the desk."""
        target, sender, chat = message.reply_to_message, message.from_user, message.chat
        if target is None or sender is None:
            return None
        in_staff_chat = self.settings.staff_chat_id is not None and chat.id == self.settings.staff_chat_id

        def check(session: Session) -> tuple[str, CustomerRef | None, int | None]:
            staff = staff_directory.staff_member(session, sender.id)
            found = conversation_log.ticket_for_message(session, chat.id, target.message_id)
            if found is None:
                return "not_ticket", None, None
            if staff is None:
                return "not_staff", None, None
            staff_directory.remember_username(session, telegram_user_id=sender.id, username=sender.username,
                                              now=now_utc())
            ticket, link = found
            tickets.check_staff_reply(session, ticket)
            origin = link.origin_message_id if link.kind == "relay" else None
            return "ok", customer_ref(session, ticket), origin

        try:
            verdict, customer, origin = await self.messenger.tx(check)
        except tickets.TicketError as exc:
            return Outcome(str(exc), ok=False)
        if verdict != "ok":
            if not in_staff_chat:
                return None  # a private reply to something else: the bot's normal conversation
            if verdict == "not_staff":
                return Outcome(NOT_STAFF_REPLY, ok=False)
            to_bot = target.from_user is not None and target.from_user.id == bot.id
            return Outcome(NOT_A_TICKET, ok=False) if to_bot else None
        assert customer is not None
        reply_to = ReplyParameters(origin, allow_sending_without_reply=True) if origin else None
        return await self._deliver(
            bot, sender, customer, logged_text(message), message.message_id,
            lambda: bot.copy_message(customer.chat_id, chat.id, message.message_id,
                                     reply_parameters=reply_to))

    @refusals
    async def send_text(self, bot: Bot, actor: User, ticket_id: int, text: str) -> Outcome:
        """/reply N text: answer a customer without replying to a message (e.g. in the console)."""
        if not text.strip():
            raise Refused("Usage: /reply N your answer")

        def check(session: Session) -> CustomerRef:
            require_staff(session, actor)
            ticket = require_ticket(session, ticket_id)
            tickets.check_staff_reply(session, ticket)
            return customer_ref(session, ticket)

        customer = await self.messenger.tx(check)
        outcome = await self._deliver(bot, actor, customer, text, None,
                                      lambda: bot.send_message(customer.chat_id, text))
        return outcome if outcome.text else Outcome(f"Sent to {customer.name} (ticket #{ticket_id}).")

    async def _deliver(self, bot: Bot, staff: User, customer: CustomerRef, text: str,
                       staff_message_id: int | None,
                       send: Callable[[], Awaitable[Message | MessageId]]) -> Outcome:
        """Send a staff answer to the customer, then record it (first response, claim, link)."""
        try:
            sent = await send()
        except Forbidden:
            await self.messenger.mark_blocked(customer.chat_id)
            return Outcome(f"⚠️ Not delivered: {customer.name} has blocked the bot, so we can't write "
                           f"to them any more. Ticket #{customer.ticket_id} stays open; resolve it "
                           "when you're done.", ok=False)
        except TelegramError as exc:
            return Outcome(f"⚠️ Not delivered to {customer.name}: {exc.message}", ok=False)
        now = now_utc()

        def record(session: Session) -> bool:
            ticket = require_ticket(session, customer.ticket_id)
            claimed = tickets.record_staff_reply(session, ticket, staff_telegram_id=staff.id, text=text,
                                                 message_id=sent.message_id, now=now)
            conversation_log.link_message(session, ticket_id=ticket.id, chat_id=customer.chat_id,
                                          message_id=sent.message_id, kind="staff",
                                          origin_message_id=staff_message_id, now=now)
            return claimed

        try:
            claimed = await self.messenger.tx(record)
        except (Refused, tickets.TicketError) as exc:  # resolved meanwhile: delivered, not recorded
            log.info("staff answer on ticket #%s delivered but not recorded: %s", customer.ticket_id, exc)
            return Outcome(None)
        if claimed:
            await self.messenger.refresh_cards(bot, customer.ticket_id)
        return Outcome(None)

    # --- the bot's own conversation ----------------------------------------------------------

    async def after_bot_reply(self, user_id: int, messages: list[dict[str, Any]]) -> bool:
        """Log what the bot answered; True when the answer handed the customer to a person."""
        now = now_utc()
        handoff = False
        texts: list[str] = []
        for message in messages:
            custom = parse_payload(message.get("custom"))
            if custom is not None:
                handoff = handoff or custom["type"] == "handoff"
                texts.append(str(custom.get("text") or custom.get("caption") or f"[{custom['type']}]"))
            elif message.get("text"):
                texts.append(str(message["text"]))
            elif message.get("image"):
                texts.append("[image]")

        def work(session: Session) -> None:
            account = accounts.get_account(session, user_id)
            ticket = tickets.active_ticket(session, user_id) if handoff else None
            for text in texts:
                conversation_log.log_message(session, telegram_user_id=user_id, direction="out", text=text,
                                             now=now,
                                             customer_id=account.customer_id if account else None,
                                             ticket_id=ticket.id if ticket else None)

        if texts:
            try:
                await self.messenger.tx(work)
            except Exception:  # the customer has their answer; a gap in the log must not undo that
                log.exception("could not log the bot's answer to %s", user_id)
        return handoff

    async def bot_failed(self, bot: Bot, user_id: int, chat_id: int, text: str, why: str) -> bool:
        """The bot could not answer: open a ticket so a person does, and say so. True if opened."""
        now = now_utc()

        def work(session: Session) -> tuple[str, bool]:
            handoff = open_handoff(session, telegram_user_id=user_id, chat_id=chat_id, reason="bot_error",
                                   details=f"{why}. The customer wrote: “{text[:500]}”",
                                   settings=self.settings, now=now,
                                   tr=translator(accounts.stored_language(session, user_id)))
            ticket = handoff.ticket
            if ticket is not None:
                conversation_log.log_message(session, telegram_user_id=user_id, direction="out",
                                             text=handoff.text,
                                             now=now, customer_id=ticket.customer_id, ticket_id=ticket.id)
            return handoff.text, ticket is not None

        reply, opened = await self.messenger.tx(work)
        await bot.send_message(chat_id, reply)
        return opened

    async def customer_blocked(self, bot: Bot, user_id: int, chat_id: int, blocked: bool) -> None:
        """Telegram told us the user blocked (or unblocked) the bot; staff of an open ticket hear it."""
        def work(session: Session) -> tuple[CustomerRef, list[int]] | None:
            if not accounts.mark_blocked(session, chat_id=chat_id, blocked=blocked):
                return None  # nothing changed (e.g. a first /start), nothing to tell
            ticket = tickets.active_ticket(session, user_id)
            if ticket is None:
                return None
            return customer_ref(session, ticket), self.messenger.relay_chats(session, ticket)

        found = await self.messenger.tx(work)
        if found is None:
            return
        customer, chats = found
        text = (f"⚠️ #{customer.ticket_id} {customer.name} has blocked the bot: we can't write to them "
                "any more. Resolve the ticket when you're done." if blocked else
                f"#{customer.ticket_id} {customer.name} has unblocked the bot; answers reach them again.")
        for chat_id in chats:
            sent = await self.messenger.send_to_staff(bot, chat_id, text)
            if sent is not None:
                await self.messenger.link(customer.ticket_id, "relay", [(chat_id, sent.message_id)])
