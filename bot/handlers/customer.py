"""The customer's conversation: text and button presses go to Rasa, replies come back."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import handoff, ratelimit
from bot.rasa_client import RasaUnavailable
from bot.render import BACK_TO_BOT, RASA_BUTTON, send_rasa_messages
from bot.services import BotApplication, BotContext
from shop.i18n import LANGUAGE_KEY, N_, Translator
from shop.models import TicketStatus
from shop.replies import intent_payload

log = logging.getLogger(__name__)

MAX_NLU_CHARS = 1000  # longer messages are understood from their beginning
# While a ticket waits for a person, these questions are answered by the bot as well, when
# the model is at least this sure (a rejected or unsure message is nlu_fallback).
ORDER_QUESTIONS = frozenset({"order_status", "delivery_status", "list_orders"})
SURE = 0.9
NOT_TEXT = N_("I can only read text messages for now. Please type your question, for example "
              "\"where is my order 1042?\", or say \"talk to a person\".")


async def relay_to_rasa(context: BotContext, user_id: int, chat_id: int, text: str, tr: Translator) -> None:
    """Send the user's text to Rasa, with the language to answer in, and render its answer in the chat."""
    try:
        messages = await context.services.rasa.send(user_id, text[:MAX_NLU_CHARS],
                                                    metadata={LANGUAGE_KEY: tr.language})
    except RasaUnavailable as exc:
        log.warning("Rasa unavailable for user %s: %s", user_id, exc)
        await handoff.bot_failed(context, user_id, chat_id, text, "rasa_unavailable")  # a person will
        return
    if not messages:  # an action failed: Rasa answers nothing
        await handoff.bot_failed(context, user_id, chat_id, text, "no_answer")
        return
    if not await send_rasa_messages(context.bot, chat_id, messages):  # nothing in it to show
        await handoff.bot_failed(context, user_id, chat_id, text, "empty_answer")
        return
    await handoff.after_bot_reply(context, user_id, messages)


async def on_text(update: Update, context: BotContext) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or not message.text:
        return
    if await ratelimit.over_limit(context, user.id, chat.id):  # flooding: told once, then dropped
        return
    tr, status = await handoff.remember_and_relay(update, context)
    if status is None:
        await relay_to_rasa(context, user.id, chat.id, message.text, tr)
    elif status == TicketStatus.waiting.value and await is_order_question(context, user.id, message.text):
        # Nobody has the chat yet: the bot answers an order question as well (staff saw it too).
        await relay_to_rasa(context, user.id, chat.id, message.text, tr)


async def is_order_question(context: BotContext, user_id: int, text: str) -> bool:
    """The model is sure `text` asks about an order or a delivery."""
    parsed = await context.services.rasa.parse(user_id, text[:MAX_NLU_CHARS])
    intent = (parsed or {}).get("intent") or {}
    return intent.get("name") in ORDER_QUESTIONS and float(intent.get("confidence") or 0) >= SURE


async def on_help(update: Update, context: BotContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await relay_to_rasa(context, user.id, chat.id, intent_payload("help"),
                        await context.services.reply_language(user))


async def on_button(update: Update, context: BotContext) -> None:
    """A pressed inline button: its payload goes to Rasa as the user's message."""
    query = update.callback_query
    if query is None or query.message is None or update.effective_user is None:
        return
    data = query.data or ""
    await query.answer()
    if not data.startswith(RASA_BUTTON):
        return
    chat_id = query.message.chat.id
    if chat_id != update.effective_user.id:  # Rasa's buttons live in the presser's private chat only
        return
    if await ratelimit.over_limit(context, update.effective_user.id, chat_id):
        return
    with contextlib.suppress(BadRequest):  # already gone (a double tap) or too old: answer anyway
        await query.edit_message_reply_markup(reply_markup=None)
    await relay_to_rasa(context, update.effective_user.id, chat_id, data[len(RASA_BUTTON):],
                        await context.services.reply_language(update.effective_user))


async def on_back_to_bot(update: Update, context: BotContext) -> None:
    """/bot or "Back to the assistant": leave the queue for a person if nobody has claimed it."""
    user, chat, query = update.effective_user, update.effective_chat, update.callback_query
    if user is None or chat is None or chat.id != user.id:
        return
    if query is not None:
        await query.answer()
        with contextlib.suppress(BadRequest):  # already gone (a double tap) or too old
            await query.edit_message_reply_markup(reply_markup=None)
    await context.bot.send_message(chat.id, await handoff.back_to_bot(context, user))


async def on_not_text(update: Update, context: BotContext) -> None:
    if await handoff.relay_from_customer(update, context):  # photos, files... go to the person
        return
    if update.effective_chat is not None and update.effective_user is not None:
        tr = await context.services.reply_language(update.effective_user)
        await context.bot.send_message(update.effective_chat.id, tr._(NOT_TEXT))


def register(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("help", on_help, filters=private))
    application.add_handler(CommandHandler("bot", on_back_to_bot, filters=private))
    application.add_handler(CallbackQueryHandler(on_back_to_bot, pattern=f"^{BACK_TO_BOT}$"))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{RASA_BUTTON}"))
    application.add_handler(MessageHandler(
        private & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_not_text))
