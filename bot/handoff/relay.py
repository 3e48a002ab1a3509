"""Messages between customers and staff: relays both ways, and the bot's own conversation."""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal, TypeAlias

from sqlalchemy.orm import Session
from telegram import Bot, Message, MessageId, ReplyParameters, User
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import polling
from bot.handoff import cards
from bot.handoff.messenger import (
    CustomerRef,
    Messenger,
    Outcome,
    Refused,
    Sent,
    TopicGone,
    customer_ref,
    now_utc,
    refusals,
    require_staff,
    require_ticket,
    topic_gone,
)
from bot.handoff.topics import not_modified
from shop import accounts, conversation_log, staff_directory, staff_topics, ticket_details, tickets
from shop.handoff import BACK_TO_BOT, NOTHING_TO_CANCEL, cannot_cancel_text, open_handoff
from shop.i18n import L_, Readable, translator
from shop.models import TelegramAccount, Ticket, TicketMessage, TicketStatus
from shop.replies import parse_payload

log = logging.getLogger(__name__)

NOT_A_TICKET = L_("That message isn't part of a ticket, so your reply went to nobody. To answer a "
                  "customer, reply to their ticket card or to one of their messages.")
NOT_STAFF_REPLY = L_("Only the shop's team can answer customers, so your reply went to nobody. "
                     "The owner can add you with: python -m shop staff add <your Telegram id>.")
# What a customer's message goes on to (Relay.plan_from_customer): the ticket's customer, its
# assignee, the staff chats to relay to, and the ticket's status.
CustomerPlan: TypeAlias = tuple[CustomerRef, str | None, list[int], str]


class Unplanned(enum.Enum):
    """relay_from_customer's default: no plan made yet (None is a plan: the bot's conversation)."""
    UNPLANNED = "unplanned"


UNPLANNED: Literal[Unplanned.UNPLANNED] = Unplanned.UNPLANNED
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

    async def relay_from_customer(self, bot: Bot, message: Message, user: User,
                                  plan: CustomerPlan | str | None | Unplanned = UNPLANNED) -> str | None:
        """Log the customer's message; while a person handles them (or is about to), relay it
        and return the ticket's status (waiting, human); None: the bot's conversation.
        `plan`: what `plan_from_customer` returned in a transaction of the caller's."""
        if isinstance(plan, Unplanned):
            now = now_utc()
            plan = await self.messenger.tx(lambda s: self.plan_from_customer(
                s, message, user, accounts.get_account(s, user.id), now=now))
        if plan is None or isinstance(plan, str):
            return plan
        customer, assignee, chats, status = plan
        header = cards.relay_header(customer.ticket_id, customer.name, assignee)
        async with self.messenger.linking():
            sent = await self.messenger.to_staff(
                bot, customer.ticket_id, chats,
                lambda chat_id, thread: self._relay_one(bot, chat_id, message, header, thread))
            if sent:
                await self.messenger.link(customer.ticket_id, "relay", sent, origin=message.message_id,
                                          origin_chat=message.chat_id)
        if not sent:
            log.warning("ticket #%s: customer message %s reached no staff chat", customer.ticket_id,
                        message.message_id)
        return status

    def plan_from_customer(self, session: Session, message: Message, user: User,
                           account: TelegramAccount | None, *, now: datetime) -> CustomerPlan | str | None:
        """The store's part of relay_from_customer, in the caller's transaction (`account`: the
        user's, already looked up): the message logged; what to relay to whom, or the ticket's
        status alone (relayed before a restart), or None (the bot's conversation)."""
        ticket = tickets.active_ticket(session, user.id)
        if ticket is not None and conversation_log.relayed_copies(
                session, chat_id=message.chat_id, message_id=message.message_id):
            return ticket.status  # relayed before a restart: the update came again
        conversation_log.log_message(session, telegram_user_id=user.id, direction="in",
                                     text=logged_text(message), message_id=message.message_id, now=now,
                                     customer_id=account.customer_id if account else None,
                                     ticket_id=ticket.id if ticket else None)
        if ticket is None:
            return None
        chats = self.messenger.relay_chats(session, ticket)
        return customer_ref(session, ticket), self._assignee(session, ticket), chats, ticket.status

    @staticmethod
    def _assignee(session: Session, ticket: Ticket) -> str | None:
        return (staff_directory.name_of(session, ticket.assignee_telegram_id)
                if ticket.status == TicketStatus.human.value else None)

    async def _relay_one(self, bot: Bot, chat_id: int, message: Message, header: str,
                         thread: int | None) -> list[Sent]:
        """Relay one customer message to one staff chat: in the ticket's topic as it is (the
        topic names the customer), elsewhere with a header naming the ticket."""
        try:
            if thread is not None:
                copied = await bot.copy_message(chat_id, message.chat_id, message.message_id,
                                                message_thread_id=thread)
                return [Sent(chat_id, copied.message_id, "copy", thread)]
            if message.text and len(header) + 1 + len(message.text) <= MessageLimit.MAX_TEXT_LENGTH:
                sent = await bot.send_message(chat_id, f"{header}\n{message.text}")
                return [Sent(chat_id, sent.message_id, "headed")]
            caption = header + (f"\n{message.caption}" if message.caption else "")
            if message_kind(message) in CAPTIONED and len(caption) <= MAX_CAPTION:
                copied = await bot.copy_message(chat_id, message.chat_id, message.message_id, caption=caption)
                return [Sent(chat_id, copied.message_id, "captioned")]
            head = await bot.send_message(chat_id, header)
            copied = await bot.copy_message(chat_id, message.chat_id, message.message_id)
            return [Sent(chat_id, head.message_id, "header"), Sent(chat_id, copied.message_id, "copy")]
        except Forbidden:
            await self.messenger.mark_blocked(chat_id)
        except TelegramError as exc:
            if thread is not None and topic_gone(exc):
                raise TopicGone(str(exc)) from exc
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
            notice = L_("↩️ #{ticket} {customer} went back to the bot before anyone claimed the ticket: "
                        "it is cancelled, nothing to answer.", ticket=customer.ticket_id,
                        customer=customer.name)
            await self.notify_staff(bot, customer.ticket_id, chats, notice)
            await self.messenger.topics.close(bot, customer.ticket_id)
        return text

    async def notify_staff(self, bot: Bot, ticket_id: int, chats: list[int], text: Readable) -> None:
        """A notice about a ticket where its messages go (its topic, in a group with topics), in
        each chat's language; linked to the ticket, so a reply to it answers the customer."""
        languages = await self.messenger.tx(lambda s: self.messenger.languages(s, chats))

        async def send(chat_id: int, thread: int | None) -> list[Sent]:
            said = self.messenger.reader(languages, chat_id).render(text)
            sent = await self.messenger.send_to_staff(bot, chat_id, said, thread_id=thread)
            return [Sent(chat_id, sent.message_id, thread_id=thread)] if sent is not None else []

        async with self.messenger.linking():
            sent = await self.messenger.to_staff(bot, ticket_id, chats, send)
            if sent:
                await self.messenger.link(ticket_id, "relay", sent)

    # --- staff → customer -----------------------------------------------------------------

    async def staff_reply(self, bot: Bot, message: Message) -> Outcome | None:
        """A staff message for a customer; None: not for the desk. In a ticket's topic every
        message is an answer; elsewhere (a group without topics, a private chat) a reply to a
        card or a relayed message is."""
        target, sender, chat = message.reply_to_message, message.from_user, message.chat
        if sender is None:
            return None
        in_staff_chat = self.settings.staff_chat_id is not None and chat.id == self.settings.staff_chat_id
        topic = message.message_thread_id if in_staff_chat and message.is_topic_message else None
        if target is None and topic is None:
            return None
        await self.messenger.links_settled()  # a reply quicker than the link of what it answers

        def check(session: Session) -> tuple[str, CustomerRef | None, int | None]:
            staff = staff_directory.staff_member(session, sender.id)
            found: tuple[Ticket, TicketMessage | None] | None = (
                conversation_log.ticket_for_message(session, chat.id, target.message_id) if target else None)
            if topic is not None:
                ticket = staff_topics.ticket_of_thread(session, chat_id=chat.id, thread_id=topic)
                if ticket is not None:  # the topic's ticket, whatever is replied to inside it
                    found = (ticket, found[1] if found and found[0].id == ticket.id else None)
            if found is None:
                return "not_ticket", None, None
            if staff is None:
                return "not_staff", None, None
            staff_directory.remember_username(session, telegram_user_id=sender.id, username=sender.username,
                                              now=now_utc())
            ticket, link = found
            tickets.check_staff_reply(session, ticket)
            origin = link.origin_message_id if link is not None and link.kind == "relay" else None
            return "ok", customer_ref(session, ticket), origin

        try:
            verdict, customer, origin = await self.messenger.tx(check)
        except tickets.TicketError as exc:
            return Outcome(exc.text, ok=False)
        if verdict != "ok":
            if not in_staff_chat:
                return None  # a private reply to something else: the bot's normal conversation
            if verdict == "not_staff":
                return Outcome(NOT_STAFF_REPLY, ok=False)
            to_bot = target is not None and target.from_user is not None and target.from_user.id == bot.id \
                and target.forum_topic_created is None
            return Outcome(NOT_A_TICKET, ok=False) if to_bot else None
        assert customer is not None
        reply_to = ReplyParameters(origin, allow_sending_without_reply=True) if origin else None
        return await self._deliver(
            bot, sender, customer, logged_text(message), (chat.id, message.message_id),
            lambda: bot.copy_message(customer.chat_id, chat.id, message.message_id,
                                     reply_parameters=reply_to))

    @refusals
    async def send_text(self, bot: Bot, actor: User, ticket_id: int, text: str) -> Outcome:
        """/reply N text: answer a customer without replying to a message (e.g. in the console)."""
        if not text.strip():
            raise Refused(L_("Usage: /reply N your answer"))

        def check(session: Session) -> CustomerRef:
            require_staff(session, actor)
            ticket = require_ticket(session, ticket_id)
            tickets.check_staff_reply(session, ticket)
            return customer_ref(session, ticket)

        customer = await self.messenger.tx(check)
        outcome = await self.deliver_text(bot, actor, customer, text)
        return outcome if outcome.text else Outcome(L_("Sent to {customer} (ticket #{ticket}).",
                                                       customer=customer.name, ticket=ticket_id))

    async def deliver_text(self, bot: Bot, staff: User, customer: CustomerRef, text: str) -> Outcome:
        """A staff answer written here rather than copied (/reply, a canned reply): sent, logged
        and linked as any staff answer. Outcome(None) when it was delivered."""
        return await self._deliver(bot, staff, customer, text, None,
                                   lambda: bot.send_message(customer.chat_id, text))

    async def _deliver(self, bot: Bot, staff: User, customer: CustomerRef, text: str,
                       staff_message: tuple[int, int] | None,
                       send: Callable[[], Awaitable[Message | MessageId]]) -> Outcome:
        """Send a staff answer to the customer, then record it (first response, claim, and a
        link from the staff message, (chat, message id), to the copy, for replies and edits)."""
        try:
            sent = await send()
        except Forbidden:
            await self.messenger.mark_blocked(customer.chat_id)
            return Outcome(L_("⚠️ Not delivered: {customer} has blocked the bot, so we can't write to "
                              "them any more. Ticket #{ticket} stays open; resolve it when you're done.",
                              customer=customer.name, ticket=customer.ticket_id), ok=False)
        except TelegramError as exc:
            return Outcome(L_("⚠️ Not delivered to {customer}: {error}", customer=customer.name,
                              error=exc.message), ok=False)
        now = now_utc()

        def record(session: Session) -> bool:
            ticket = require_ticket(session, customer.ticket_id)
            claimed = tickets.record_staff_reply(session, ticket, staff_telegram_id=staff.id, text=text,
                                                 message_id=sent.message_id, now=now)
            conversation_log.link_message(session, ticket_id=ticket.id, chat_id=customer.chat_id,
                                          message_id=sent.message_id, kind="staff",
                                          origin_chat_id=staff_message[0] if staff_message else None,
                                          origin_message_id=staff_message[1] if staff_message else None,
                                          now=now)
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
            ticket = tickets.active_ticket(session, user_id) if handoff else None
            conversation_log.log_bot_answer(session, telegram_user_id=user_id, texts=texts, now=now,
                                            ticket_id=ticket.id if ticket else None)

        # A handoff's card shows the log at once: written now. Else with the update's record.
        if texts and (handoff or not polling.write_with_handled_record(work)):
            try:
                await self.messenger.tx(work)
            except Exception:  # the customer has their answer; a gap in the log must not undo that
                log.exception("could not log the bot's answer to %s", user_id)
        return handoff

    async def bot_failed(self, bot: Bot, user_id: int, chat_id: int, text: str, why: str) -> bool:
        """The bot could not answer (`why`: a key of shop.ticket_details.BOT_FAILURES): open a
        ticket so a person does, and say so. True if opened."""
        now = now_utc()

        def work(session: Session) -> tuple[str, bool]:
            handoff = open_handoff(session, telegram_user_id=user_id, chat_id=chat_id, reason="bot_error",
                                   details=ticket_details.bot_error(why, text),
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
        values = {"ticket": customer.ticket_id, "customer": customer.name}
        text = (L_("⚠️ #{ticket} {customer} has blocked the bot: we can't write to them any more. Resolve "
                   "the ticket when you're done.", **values) if blocked else
                L_("#{ticket} {customer} has unblocked the bot; answers reach them again.", **values))
        await self.notify_staff(bot, customer.ticket_id, chats, text)

    # --- edits -------------------------------------------------------------------------------

    async def edited(self, bot: Bot, message: Message) -> bool:
        """A message was edited in Telegram: a staff answer's copy at the customer's, or a
        customer's message relayed to staff, is edited to match (or, where it can't be, the new
        text follows as "✏ edited: …"); the conversation log keeps the new text. True when
        the edit had copies to follow (False: a customer's message that only the assistant saw)."""
        text = message.text if message.text is not None else message.caption
        if text is None:
            return True  # a live location moving, and the like: nothing to carry over, nor to answer
        chat = message.chat

        def load(session: Session) -> tuple[list[tuple[int, int, int | None]], list[tuple[Any, ...]]]:
            answers = conversation_log.staff_copies(session, chat_id=chat.id, message_id=message.message_id)
            for link in answers:
                ticket = tickets.get_ticket(session, link.ticket_id)
                if ticket is not None:
                    conversation_log.record_edit(session, telegram_user_id=ticket.telegram_user_id,
                                                 direction="staff", message_id=link.message_id, text=text)
            relays: list[tuple[Any, ...]] = []
            if chat.type == chat.PRIVATE and not answers:
                conversation_log.record_edit(session, telegram_user_id=chat.id, direction="in",
                                             message_id=message.message_id, text=text)
                for ticket, link in conversation_log.relayed_copies(session, chat_id=chat.id,
                                                                    message_id=message.message_id):
                    header = cards.relay_header(ticket.id, conversation_log.customer_name(session, ticket),
                                                self._assignee(session, ticket))
                    relays.append((link.chat_id, link.message_id, link.layout, link.thread_id, header,
                                   ticket.id))
            return [(a.chat_id, a.message_id, a.ticket_id) for a in answers], relays

        answers, relays = await self.messenger.tx(load)
        for chat_id, message_id, _ in answers:
            await self._edit_copy(bot, chat_id, message_id, message, text, None)
        for chat_id, message_id, layout, thread, header, ticket_id in relays:
            if layout in ("headed", "captioned"):
                await self._edit_copy(bot, chat_id, message_id, message, f"{header}\n{text}", thread,
                                      ticket_id=ticket_id, rebuilt=True)
            elif layout == "copy":
                await self._edit_copy(bot, chat_id, message_id, message, text, thread, ticket_id=ticket_id)
        return bool(answers or relays)

    async def _edit_copy(self, bot: Bot, chat_id: int, message_id: int, original: Message, text: str,
                         thread: int | None, *, ticket_id: int | None = None, rebuilt: bool = False) -> None:
        """Edit one copy to `text`; if Telegram refuses (deleted, too long...), post the new text."""
        entities = None if rebuilt else (original.entities if original.text is not None
                                         else original.caption_entities)
        try:
            if original.text is not None:
                await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, entities=entities)
            else:
                await bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=text,
                                               caption_entities=entities)
            return
        except BadRequest as exc:
            if not_modified(exc):
                return
            log.info("copy %s/%s of an edited message could not be edited (%s): posting the new text",
                     chat_id, message_id, exc)
        except Forbidden:
            await self.messenger.mark_blocked(chat_id)
            return
        except TelegramError as exc:
            log.warning("could not carry an edit over to %s/%s: %s", chat_id, message_id, exc)
            return
        new_text = original.text if original.text is not None else original.caption
        languages = await self.messenger.tx(lambda s: self.messenger.languages(s, [chat_id]))
        notice = self.messenger.reader(languages, chat_id)._("✏ edited: {text}", text=new_text)
        notice = notice[: MessageLimit.MAX_TEXT_LENGTH]
        try:
            sent = await self.messenger.send_to_staff(bot, chat_id, notice, thread_id=thread,
                                                      reply_to=message_id)
        except TopicGone:
            return
        if sent is not None and ticket_id is not None:
            await self.messenger.link(ticket_id, "relay", [Sent(chat_id, sent.message_id, "notice", thread)],
                                      origin=original.message_id, origin_chat=original.chat_id)
