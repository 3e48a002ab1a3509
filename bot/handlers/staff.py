"""Support staff in Telegram: ticket buttons, replies that reach customers, and commands.

Staff work in the staff group (STAFF_CHAT_ID) or, without one, in their private chat
with the bot. In a staff group with topics each ticket has its topic: everything written
there goes to the customer, and commands typed there need no ticket number. Whether
someone is staff is read from the store on every press, reply and command; anyone else
gets a refusal. Each handler parses the update, calls the HandoffDesk (bot/handoff/desk.py)
and replies; /canned answers from shop.canned, and /c sends a canned reply through the
desk (bot/handoff/canned.py). Edited messages are edits, never new messages: one handler
carries them over.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import ChatMember, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handoff import cards
from bot.handoff.messenger import NOT_STAFF, Outcome
from bot.services import BotApplication, BotContext
from shop import canned
from shop.i18n import N_, Translator

log = logging.getLogger(__name__)

NOTICE_GROUP = -3  # first of all: note whether the staff group has topics, then carry on
EDIT_GROUP = -2  # then: an edited message is handled here and goes nowhere else
INTERCEPT_GROUP = -1  # before the customer handlers: a staff reply must not reach Rasa
MEMBER_GROUP = 1  # beside any other my_chat_member handler
USAGE = {
    "claim": N_("/claim N: take ticket N"),
    "resolve": N_("/resolve N: close ticket N; the customer goes back to the bot"),
    "transfer": N_("/transfer N @username (or a Telegram id): hand ticket N to a colleague"),
    "escalate": N_("/escalate N: hand ticket N to the owner"),
    "note": N_("/note N text: an internal note on ticket N (the customer never sees it)"),
    "reply": N_("/reply N text: answer the customer of ticket N"),
    "ticket": N_("/ticket N: show ticket N's card, with its latest messages, here"),
}
SEND_CANNED_USAGE = N_("/c NAME in a ticket's topic, as a reply to a ticket's card or to a customer's "
                       "message, or /c NAME 17 anywhere: send the canned reply NAME to the ticket's "
                       "customer (/canned lists them)")
STALE_BUTTON = N_("This button doesn't work any more.")
WITH_TEXT = frozenset({"note", "reply"})


def _target(command: str, args: list[str], topic_ticket: int | None) -> tuple[int | None, list[str]]:
    """The ticket a command is about and the words after it. In a ticket's topic the number
    may be left out (`/note text`, `/transfer @tom`): a leading number names the ticket only
    where it can't be the start of the text or the colleague (a Telegram id)."""
    first = _ticket_id(args[0] if args else None)
    if topic_ticket is None:
        return first, args[1:]
    if command == "transfer":
        return (first, args[1:]) if first is not None and len(args) > 1 else (topic_ticket, args)
    if command in WITH_TEXT:
        return topic_ticket, (args[1:] if first == topic_ticket and len(args) > 1 else args)
    return (first, args[1:]) if first is not None else (topic_ticket, args)


def _ticket_id(word: str | None) -> int | None:
    if word is None:
        return None
    word = word.strip().lstrip("#")
    return int(word) if word.isdigit() else None


def _rest(message: Message, skip: int) -> str:
    """The command's text after its first `skip` words, line breaks kept."""
    parts = (message.text or "").split(maxsplit=skip)
    return parts[skip] if len(parts) > skip else ""


async def _answer(message: Message, outcome: Outcome, tr: Translator) -> None:
    if outcome.text:
        await message.reply_text(tr.render(outcome.text), reply_markup=outcome.markup)


async def _reader(context: BotContext, message: Message) -> Translator:
    """The language to answer the staff member who wrote `message` in (their own)."""
    assert message.from_user is not None
    return await context.bot_data.desk.staff.reader(message.from_user, message.chat_id)


async def on_reply(update: Update, context: BotContext) -> None:
    """A message in a ticket's topic, or a reply to a ticket message: it goes to the customer."""
    message = update.effective_message
    if message is None or (message.reply_to_message is None and not message.is_topic_message):
        return
    outcome = await context.bot_data.desk.relay.staff_reply(context.bot, message)
    if outcome is None:
        return  # not about a ticket: the customer handlers take it
    if outcome.text:
        await _answer(message, outcome, await _reader(context, message))
    raise ApplicationHandlerStop


async def on_command(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    desk = context.bot_data.desk
    staff = desk.staff
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    args = context.args or []
    tr = await staff.reader(user, message.chat_id)
    if command == "queue":
        await _answer(message, await staff.queue(user, tr), tr)
        return
    thread = message.message_thread_id if message.is_topic_message else None
    topic_ticket = (await desk.topics.ticket_of_thread(message.chat_id, thread)
                    if thread is not None else None)
    ticket_id, rest = _target(command, args, topic_ticket)
    if ticket_id is None:
        await message.reply_text(tr._(USAGE[command] if await staff.is_staff(user) else NOT_STAFF))
        return
    skip = 1 + len(args) - len(rest)  # the command and the ticket number, if one was given
    if command == "claim":
        outcome = await staff.claim(context.bot, user, ticket_id)
        await _answer(message, outcome, tr)
        if outcome.ok and topic_ticket != ticket_id:  # in the ticket's own topic its card is pinned
            await staff.show_card(context.bot, user, ticket_id, message.chat_id, thread)
    elif command == "resolve":
        await _answer(message, await staff.resolve(context.bot, user, ticket_id), tr)
    elif command == "transfer":
        await _answer(message, await staff.transfer(context.bot, user, ticket_id, " ".join(rest[:1])), tr)
    elif command == "escalate":
        await _answer(message, await staff.escalate(context.bot, user, ticket_id), tr)
    elif command == "note":
        await _answer(message, await staff.note(user, ticket_id, _rest(message, skip)), tr)
    elif command == "reply":
        relay = desk.relay
        await _answer(message, await relay.send_text(context.bot, user, ticket_id, _rest(message, skip)), tr)
    elif command == "ticket":
        shown = await staff.show_card(context.bot, user, ticket_id, message.chat_id, thread)
        await _answer(message, shown, tr)


async def on_canned(update: Update, context: BotContext) -> None:
    """/canned, /canned add NAME text, /canned show NAME, /canned delete NAME (shop.canned)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    args = _rest(message, 1)
    tr = await _reader(context, message)
    text = await context.services.in_transaction(lambda s: canned.canned_command(
        s, telegram_user_id=user.id, args=args, now=datetime.now(UTC), tr=tr))
    await message.reply_text(text)


async def on_send_canned(update: Update, context: BotContext) -> None:
    """/c NAME (as a reply to a ticket's message) or /c NAME N: the filled reply to the customer."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    args = context.args or []
    named = _ticket_id(args[1]) if len(args) == 2 else None
    tr = await _reader(context, message)
    if not args or len(args) > 2 or (len(args) == 2 and named is None):
        staff = context.bot_data.desk.staff
        await message.reply_text(tr._(SEND_CANNED_USAGE if await staff.is_staff(user) else NOT_STAFF))
        return
    desk = context.bot_data.desk
    thread = message.message_thread_id if message.is_topic_message else None
    if named is None and thread is not None:  # in a ticket's topic the ticket is implied
        named = await desk.topics.ticket_of_thread(message.chat_id, thread)
    replied = message.reply_to_message
    if replied is not None and thread is not None and replied.message_id == thread:
        replied = None  # in a topic, every message "replies" to the topic's first one
    outcome = await desk.canned.send_from_chat(
        context.bot, user, args[0], chat_id=message.chat_id,
        replied_to=replied.message_id if replied is not None else None, named=named)
    await _answer(message, outcome, tr)


async def on_press(update: Update, context: BotContext) -> None:
    """A ticket button (Claim, Resolve, Transfer, a colleague's name); the presser must be staff."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    press = cards.parse_press(query.data)
    staff = context.bot_data.desk.staff
    where = query.message.chat.id if query.message is not None else user.id
    tr = await staff.reader(user, where)
    if press is None:
        await query.answer(tr._(STALE_BUTTON), show_alert=True)
        return
    if press.action == "claim":
        outcome = await staff.claim(context.bot, user, press.ticket_id)
    elif press.action == "resolve":
        outcome = await staff.resolve(context.bot, user, press.ticket_id)
    elif press.action == "transfer":
        outcome = await staff.transfer_options(user, press.ticket_id)
        if outcome.ok and isinstance(query.message, Message):
            thread = query.message.message_thread_id if query.message.is_topic_message else None
            await context.bot.send_message(query.message.chat.id, tr.render(outcome.text or ""),
                                           reply_markup=outcome.markup, message_thread_id=thread)
            outcome = Outcome(None)
    else:  # "to": a colleague chosen for a transfer
        outcome = await staff.transfer(context.bot, user, press.ticket_id, str(press.arg))
        if outcome.ok and isinstance(query.message, Message):
            await query.message.edit_text(tr.render(outcome.text or ""))
    await query.answer(tr.render(outcome.text)[:200] if outcome.text else None, show_alert=not outcome.ok)


async def on_edit(update: Update, context: BotContext) -> None:
    """An edited message: carried over to its copies (a staff answer at the customer's, a
    customer's message in the staff chat) and then handled no further. A customer's edited
    message that only the assistant saw ("1024" corrected to "1042") goes on to the customer
    handlers and is answered as the question it now asks."""
    message = update.edited_message
    if message is None:
        raise ApplicationHandlerStop
    carried = await context.bot_data.desk.relay.edited(context.bot, message)
    if carried or message.chat.type != message.chat.PRIVATE:
        raise ApplicationHandlerStop


async def on_staff_chat(update: Update, context: BotContext) -> None:
    """Every message from the staff group says whether it has topics now."""
    if update.effective_chat is not None:
        context.bot_data.desk.topics.noticed(update.effective_chat)


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """A customer blocked (or unblocked) the bot: mark it, and tell staff of an open ticket."""
    change = update.my_chat_member
    if change is None or change.chat.type != change.chat.PRIVATE:
        return
    status = change.new_chat_member.status
    if status in (ChatMember.BANNED, ChatMember.MEMBER):
        await context.bot_data.desk.relay.customer_blocked(
            context.bot, change.from_user.id, change.chat.id, status == ChatMember.BANNED)


def register(application: BotApplication) -> None:
    staff_chat = application.bot_data.services.settings.staff_chat_id
    where: filters.BaseFilter = filters.ChatType.PRIVATE
    if staff_chat is not None:
        where = where | filters.Chat(staff_chat)
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit), group=EDIT_GROUP)
    if staff_chat is not None:
        application.add_handler(MessageHandler(filters.Chat(staff_chat), on_staff_chat), group=NOTICE_GROUP)
    application.add_handler(
        MessageHandler(where & (filters.REPLY | filters.IS_TOPIC_MESSAGE) & ~filters.COMMAND
                       & ~filters.StatusUpdate.ALL, on_reply),
        group=INTERCEPT_GROUP)
    application.add_handler(CommandHandler(["queue", *USAGE], on_command, filters=where))
    application.add_handler(CommandHandler("canned", on_canned, filters=where))
    application.add_handler(CommandHandler("c", on_send_canned, filters=where))
    application.add_handler(CallbackQueryHandler(on_press, pattern=f"^{cards.PREFIX}"))
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
                            group=MEMBER_GROUP)
