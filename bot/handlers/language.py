"""/language: the user picks the language the assistant answers in, with a button per language.

The choice is remembered on their account and outranks both their Telegram setting and the
language they write in (shop/language.py); another /language changes it.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services import BotApplication, BotContext
from shop import accounts
from shop.i18n import available_languages, language_name, supported_language, translator

PREFIX = "lang:"  # callback_data of a language button: "lang:de"


def language_keyboard() -> InlineKeyboardMarkup:
    """One button per available language, each named in its own language."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(language_name(lang), callback_data=PREFIX + lang)]
                                 for lang in available_languages()])


async def on_language(update: Update, context: BotContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    tr = await context.services.remember(user, chat)
    question = tr._("Which language shall I answer in? Now: {language}.", language=language_name(tr.language))
    await context.bot.send_message(chat.id, question, reply_markup=language_keyboard())


async def on_choice(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.message is None:
        return
    await query.answer()
    language = supported_language((query.data or "")[len(PREFIX):])
    if language is None:  # an old button of a language no longer offered
        return
    with contextlib.suppress(BadRequest):  # already gone (a double tap) or too old
        await query.edit_message_reply_markup(reply_markup=None)
    await context.services.in_transaction(lambda s: accounts.choose_language(
        s, telegram_user_id=user.id, language=language))
    tr = translator(language)
    await context.bot.send_message(query.message.chat.id, tr._(
        "OK, I'll answer in {language} from now on. /language changes it.", language=language_name(language)))


def register(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("language", on_language, filters=private))
    application.add_handler(CallbackQueryHandler(on_choice, pattern=f"^{PREFIX}"))
