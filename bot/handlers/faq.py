"""The owner's FAQ in Telegram: /faq commands, and a reply to a digest question adds its answer.

Thin: the words go to shop.faq.owner, which checks the role and words the answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from telegram import Update, User
from telegram.ext import ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from bot.services import BotApplication, BotContext
from shop import accounts
from shop.faq import owner
from shop.i18n import Translator, translator

REPLY_GROUP = -2  # before the staff replies (-1) and the customer's messages to Rasa (0)


async def on_faq(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    args = message.text.partition(" ")[2]
    text = await context.services.in_transaction(lambda s: owner.faq_command(
        s, telegram_user_id=user.id, args=args, now=datetime.now(UTC), tr=language_of(s, user)))
    await message.reply_text(text)


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the digest's unanswered questions is its answer; other replies pass on."""
    message, user = update.effective_message, update.effective_user
    replied = message.reply_to_message if message is not None else None
    if (message is None or user is None or replied is None or not message.text
            or replied.from_user is None or replied.from_user.id != context.bot.id
            or not owner.UNANSWERED.match(replied.text or "")):
        return
    answer = message.text
    text = await context.services.in_transaction(lambda s: owner.answer_by_reply(
        s, telegram_user_id=user.id, replied_text=replied.text or "", answer=answer,
        now=datetime.now(UTC), tr=language_of(s, user)))
    if text is None:
        return
    await message.reply_text(text)
    raise ApplicationHandlerStop


def language_of(session: Session, user: User) -> Translator:
    """The owner's language as remembered (a command says nothing about it)."""
    return translator(accounts.answer_language(session, telegram_user_id=user.id,
                                               telegram_code=user.language_code, text=None))


def register(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("faq", on_faq, filters=private))
    application.add_handler(MessageHandler(private & filters.REPLY & filters.TEXT & ~filters.COMMAND,
                                           on_reply), group=REPLY_GROUP)
