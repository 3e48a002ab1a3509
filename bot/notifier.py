"""Proactive delivery updates: a JobQueue job that tells customers when their order moves.

Every NOTIFY_INTERVAL seconds the job claims the newly done delivery stages from the
store (shop.notifications), sends each linked customer their message and, when the
order is complete, one rating survey. A user who blocked the bot (403) or never started
it is marked in the store and skipped from then on; a stage that could not be sent for
a passing reason (network, flood wait) is released and tried again on a later run, until
it is older than NOTIFY_MAX_AGE_HOURS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.render import inline_keyboard
from bot.services import BotApplication, BotContext, Services
from shop import accounts, conversation_log, notifications
from shop.feedback import open_survey, rating_reply
from shop.i18n import translator

log = logging.getLogger(__name__)

JOB_NAME = "delivery-notifier"


@dataclass
class RunReport:
    sent: int = 0
    surveys: int = 0
    unreachable: list[int] = field(default_factory=list)
    released: int = 0


async def notify_once(bot: Bot, services: Services, *, now: datetime | None = None) -> RunReport:
    """One pass: claim, send, record what could not be sent."""
    settings = services.settings
    moment = now or datetime.now(UTC)
    announcements = await services.in_transaction(lambda s: notifications.claim_announcements(
        s, now=moment, max_age=timedelta(hours=settings.notify_max_age_hours), zone=settings.zone))
    report = RunReport()
    for item in announcements:
        if not await _send(bot, services, item, item.text, None, report):
            continue
        report.sent += 1
        await services.in_transaction(partial(
            conversation_log.log_message, telegram_user_id=item.telegram_user_id,
            customer_id=item.customer_id, direction="out", text=item.text, now=moment))
        if item.survey:
            survey = await services.in_transaction(partial(
                open_survey, customer_id=item.customer_id, order_id=item.order_id, now=moment))
            if survey is not None:
                question = rating_reply(notifications.survey_question(item.order_number,
                                                                      translator(item.language)),
                                        subject=f"order:{item.order_number}")
                markup = inline_keyboard([{"title": b.title, "payload": b.payload}
                                          for b in question.buttons])
                if await _send(bot, services, item, question.text or "", markup, report,
                               release_on_failure=False):
                    report.surveys += 1
                else:  # never reached the customer: don't count it as asked
                    await services.in_transaction(partial(notifications.forget_survey,
                                                          survey_id=survey.id))
    if announcements:
        log.info("delivery updates: %s sent, %s surveys, %s unreachable, %s to retry",
                 report.sent, report.surveys, len(report.unreachable), report.released)
    return report


async def _send(bot: Bot, services: Services, item: notifications.Announcement, text: str,
                markup: object, report: RunReport, *, release_on_failure: bool = True) -> bool:
    try:
        await bot.send_message(item.chat_id, text, reply_markup=markup)  # type: ignore[arg-type]
        return True
    except Forbidden as exc:
        if "blocked" in str(exc).lower():
            await services.in_transaction(lambda s: accounts.mark_blocked(s, chat_id=item.chat_id))
        else:
            await services.in_transaction(lambda s: notifications.mark_not_started(
                s, telegram_user_id=item.telegram_user_id))
        report.unreachable.append(item.telegram_user_id)
        log.info("user %s can't be written to (%s); marked", item.telegram_user_id, exc)
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():  # the bot has no chat with this user (any more)
            await services.in_transaction(lambda s: notifications.mark_not_started(
                s, telegram_user_id=item.telegram_user_id))
            report.unreachable.append(item.telegram_user_id)
            log.info("user %s has no chat with the bot; marked", item.telegram_user_id)
        else:
            log.warning("delivery update for user %s refused: %s", item.telegram_user_id, exc)
    except (NetworkError, RetryAfter) as exc:
        log.warning("delivery update for user %s failed (%s); will retry", item.telegram_user_id, exc)
        if release_on_failure:
            await services.in_transaction(lambda s: notifications.release(s, item.stage_id))
            report.released += 1
    return False


async def notify_job(context: BotContext) -> None:
    await notify_once(context.bot, context.services)


def schedule(application: BotApplication) -> None:
    """Run the notifier every NOTIFY_INTERVAL seconds (0 turns it off)."""
    services = application.bot_data.services
    interval = services.settings.notify_interval
    if interval <= 0 or application.job_queue is None:
        log.info("proactive delivery updates are off")
        return
    application.job_queue.run_repeating(
        notify_job, interval=interval, first=interval, name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True})


def run_soon(application: BotApplication) -> None:
    """Run a pass now (the order API just changed a stage), besides the repeating one."""
    services = application.bot_data.services
    if application.job_queue is not None and services.settings.notify_interval > 0:
        application.job_queue.run_once(notify_job, when=0, name=f"{JOB_NAME}-now")
