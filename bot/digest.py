"""The owners' weekly digest, sent without being asked (python-telegram-bot's JobQueue)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time
from functools import partial

from sqlalchemy.orm import Session
from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.render import send_replies
from bot.services import BotApplication, BotContext, Services
from shop import accounts, staff_directory
from shop.faq import owner as faq_owner
from shop.i18n import translator
from shop.owner import report_replies
from shop.replies import Reply

log = logging.getLogger(__name__)


async def deliver_digest(bot: Bot, services: Services, *, now: datetime) -> list[int]:
    """Send the last 7 days' report, and the week's unanswered questions (one message each, so the
    owner answers one by replying to it), to every reachable owner in their language; return the
    chats reached."""
    settings = services.settings

    def work(session: Session) -> list[tuple[int, list[Reply]]]:
        owners = [(o.chat_id, o.reply_language) for o in staff_directory.reachable_owners(session)
                  if o.chat_id is not None]
        by_language: dict[str, list[Reply]] = {}
        for _, language in owners:
            tr = translator(language)
            if tr.language not in by_language:
                questions = [Reply(text) for text in faq_owner.digest_questions(session, now=now, tr=tr)]
                by_language[tr.language] = report_replies(
                    session, telegram_user_id=None, period_text="last 7 days", settings=settings,
                    now=now, tr=tr) + questions
        return [(chat_id, by_language[translator(language).language]) for chat_id, language in owners]

    reached = []
    for chat_id, replies in await services.in_transaction(work):
        try:
            await send_replies(bot, chat_id, replies)
            reached.append(chat_id)
        except Forbidden:
            log.warning("owner chat %s blocked the bot; marking it", chat_id)
            await services.in_transaction(partial(accounts.mark_blocked, chat_id=chat_id))
        except TelegramError as exc:
            log.warning("digest not delivered to owner chat %s: %s", chat_id, exc)
    return reached


async def _digest_job(context: BotContext) -> None:
    await deliver_digest(context.bot, context.services, now=datetime.now(UTC))


def schedule(application: BotApplication, services: Services) -> None:
    """Every DIGEST_WEEKDAY at DIGEST_TIME (business time zone), unless turned off."""
    settings = services.settings
    if settings.digest_time is None or application.job_queue is None:
        return
    hours, minutes = (int(p) for p in settings.digest_time.split(":"))
    application.job_queue.run_daily(
        _digest_job, time=time(hours, minutes, tzinfo=settings.zone),
        days=(ptb_weekday(settings.digest_weekday),), name="weekly-digest")


def ptb_weekday(monday_first: int) -> int:
    """0 = Monday (our setting, like datetime.weekday) → 0 = Sunday (PTB's run_daily)."""
    return (monday_first + 1) % 7
