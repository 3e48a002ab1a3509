"""Linking a Telegram user to their customer record: /start, the shared contact, /link, /unlink.

These handlers run in LINKING_GROUP, before the conversation handlers, and stop an
update they handled from reaching them (a contact is not "a message that is not text",
and "link dana@example.com 1042" is not a question for Rasa). Blocking and unblocking
the bot (my_chat_member) is handled by bot/handlers/staff.py.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import ratelimit
from bot.handlers.customer import relay_to_rasa
from bot.services import BotApplication, BotContext
from shop import linking
from shop.i18n import Translator
from shop.replies import intent_payload

log = logging.getLogger(__name__)

LINKING_GROUP = -1


def contact_keyboard(tr: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup([[KeyboardButton(tr._(linking.SHARE_BUTTON), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)


async def on_start(update: Update, context: BotContext) -> None:
    """Welcome: Rasa's action_greet answers by identity (the contact button for newcomers)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if not await ratelimit.over_limit(context, user.id, chat.id):
        tr = await context.services.remember(user, chat)
        await relay_to_rasa(context, user.id, chat.id, intent_payload("greet"), tr)
    raise ApplicationHandlerStop


async def on_contact(update: Update, context: BotContext) -> None:
    """A shared contact links the account when it is the sender's own number."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or message.contact is None or user is None or chat is None:
        return
    if await ratelimit.over_limit(context, user.id, chat.id):
        raise ApplicationHandlerStop
    tr = await context.services.remember(user, chat)
    contact = message.contact
    result = await context.services.in_transaction(lambda s: linking.link_by_phone(
        s, telegram_user_id=user.id, contact_user_id=contact.user_id, phone=contact.phone_number,
        now=datetime.now(UTC), tr=tr))
    if result.status is linking.LinkStatus.forged:
        await context.bot.send_message(chat.id, result.text, reply_markup=contact_keyboard(tr))
    else:
        await context.bot.send_message(chat.id, result.text, reply_markup=ReplyKeyboardRemove())
    log.info("link by phone for user %s: %s", user.id, result.status)
    raise ApplicationHandlerStop


async def on_link(update: Update, context: BotContext) -> None:
    """"/link you@example.com 1042" (or without the slash): e-mail plus an order number."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or not message.text:
        return
    if await ratelimit.over_limit(context, user.id, chat.id):
        raise ApplicationHandlerStop
    tr = await context.services.remember(user, chat)
    parsed = linking.parse_link_command(message.text)
    if parsed is None:
        await context.bot.send_message(chat.id, tr._(linking.LINK_USAGE))
        raise ApplicationHandlerStop
    email, number = parsed
    result = await context.services.in_transaction(lambda s: linking.link_by_email(
        s, telegram_user_id=user.id, email=email, order_number=number, now=datetime.now(UTC), tr=tr))
    markup = ReplyKeyboardRemove() if result.linked else None
    await context.bot.send_message(chat.id, result.text, reply_markup=markup)
    log.info("link by e-mail for user %s: %s", user.id, result.status)
    raise ApplicationHandlerStop


async def on_unlink(update: Update, context: BotContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    tr = await context.services.remember(user, chat)
    text = await context.services.in_transaction(
        lambda s: linking.unlink_reply(s, telegram_user_id=user.id, tr=tr))
    await context.bot.send_message(chat.id, text)
    raise ApplicationHandlerStop


def register(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    group = LINKING_GROUP
    application.add_handler(CommandHandler("start", on_start, filters=private), group=group)
    application.add_handler(CommandHandler("unlink", on_unlink, filters=private), group=group)
    application.add_handler(CommandHandler("link", on_link, filters=private), group=group)
    application.add_handler(MessageHandler(
        private & filters.TEXT & ~filters.COMMAND & ~filters.REPLY  # a staff reply may say "link"
        & filters.Regex(linking.LINK_TEXT_PATTERN), on_link),
        group=group)
    application.add_handler(MessageHandler(private & filters.CONTACT, on_contact), group=group)
