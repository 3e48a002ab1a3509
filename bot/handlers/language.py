"""/language: the user picks the language the assistant answers in, with a button per language.

The choice is remembered on their account and outranks both their Telegram setting and the
language they write in (shop/language.py); another /language changes it.

In the staff group (STAFF_CHAT_ID) /language sets the group's language instead: the cards,
notices and topic names posted there (shop/staff_language.py; STAFF_LANGUAGE until then).
Only the shop's team may change it.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.handoff.messenger import NOT_STAFF
from bot.services import BotApplication, BotContext
from shop import accounts, staff_language
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
    if chat.id == context.services.settings.staff_chat_id:
        await _staff_chat_language(context, user, chat.id, update)
        return
    tr = await context.services.remember(user, chat)
    question = tr._("Which language shall I answer in? Now: {language}.", language=language_name(tr.language))
    await context.bot.send_message(chat.id, question, reply_markup=language_keyboard())


async def _staff_chat_language(context: BotContext, user: User, chat_id: int, update: Update) -> None:
    """/language in the staff group: which language its cards and notices are written in."""
    desk = context.bot_data.desk
    tr = await desk.staff.reader(user, chat_id)
    thread = update.effective_message.message_thread_id if update.effective_message is not None \
        and update.effective_message.is_topic_message else None
    if not await desk.staff.is_staff(user):
        await context.bot.send_message(chat_id, tr._(NOT_STAFF), message_thread_id=thread)
        return
    now = await desk.staff.messenger.staff_chat_translator()
    question = tr._("Which language shall cards and notices in this team chat be written in? "
                    "Now: {language}.", language=language_name(now.language))
    await context.bot.send_message(chat_id, question, reply_markup=language_keyboard(),
                                   message_thread_id=thread)


async def on_choice(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.message is None:
        return
    language = supported_language((query.data or "")[len(PREFIX):])
    chat_id = query.message.chat.id
    if chat_id == context.services.settings.staff_chat_id:
        await _choose_staff_chat_language(context, update, user, chat_id, language)
        return
    await query.answer()
    if language is None:  # an old button of a language no longer offered
        return
    with contextlib.suppress(BadRequest):  # already gone (a double tap) or too old
        await query.edit_message_reply_markup(reply_markup=None)
    await context.services.in_transaction(lambda s: accounts.choose_language(
        s, telegram_user_id=user.id, language=language))
    tr = translator(language)
    await context.bot.send_message(query.message.chat.id, tr._(
        "OK, I'll answer in {language} from now on. /language changes it.", language=language_name(language)))


async def _choose_staff_chat_language(context: BotContext, update: Update, user: User, chat_id: int,
                                      language: str | None) -> None:
    """A language button pressed in the staff group: someone on the team sets the group's language."""
    query = update.callback_query
    assert query is not None and query.message is not None
    staff = context.bot_data.desk.staff
    if language is None or not await staff.is_staff(user):
        tr = await staff.reader(user, chat_id)
        await query.answer(tr._(NOT_STAFF) if language is not None else None, show_alert=language is not None)
        return
    await query.answer()
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    now = datetime.now(UTC)
    await context.services.in_transaction(lambda s: staff_language.choose_chat_language(
        s, chat_id=chat_id, language=language, by=user.id, now=now))
    tr = translator(language)
    thread = query.message.message_thread_id if isinstance(query.message, Message) \
        and query.message.is_topic_message else None
    await context.bot.send_message(chat_id, tr._(
        "OK: cards, notices and topic names in this team chat are in {language} from now on. "
        "/language here changes it.", language=language_name(language)), message_thread_id=thread)


def register(application: BotApplication) -> None:
    where: filters.BaseFilter = filters.ChatType.PRIVATE
    staff_chat = application.bot_data.services.settings.staff_chat_id
    if staff_chat is not None:
        where = where | filters.Chat(staff_chat)  # /language there sets the group's language
    application.add_handler(CommandHandler("language", on_language, filters=where))
    application.add_handler(CallbackQueryHandler(on_choice, pattern=f"^{PREFIX}"))
