"""Human handoff in Telegram (ARCHITECTURE.md §3): the small entry points other modules call.

The customer handlers call `relay_from_customer` first (while a person handles the chat
nothing goes to Rasa), `after_bot_reply` after Rasa answered, and `bot_failed` when it
could not; the application schedules `schedule_jobs`. The work is done by the
HandoffDesk (bot/handoff/desk.py), reached as context.bot_data.desk; staff commands and
buttons are bot/handlers/staff.py.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update, User

from bot.handoff.messenger import now_utc
from bot.services import BotApplication, BotContext
from shop.i18n import Translator

log = logging.getLogger(__name__)


async def relay_from_customer(update: Update, context: BotContext) -> str | None:
    """The ticket's status (waiting, human) when the message went to people; None when the
    chat is the bot's. The message is logged either way."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or chat.type != chat.PRIVATE:
        return None
    return await context.bot_data.desk.relay.relay_from_customer(context.bot, message, user)


async def remember_and_relay(update: Update, context: BotContext) -> tuple[Translator, str | None]:
    """A customer's text: Services.remember (the reply language) and relay_from_customer in one
    store transaction; the language, and the ticket's status as relay_from_customer returns it."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    if chat.type != chat.PRIVATE:
        return await context.services.remember(user, chat, message.text), None
    relay, now = context.bot_data.desk.relay, now_utc()
    tr, plan = await context.services.remember_then(
        user, chat, message.text, lambda session, account: relay.plan_from_customer(
            session, message, user, account, now=now))
    return tr, await relay.relay_from_customer(context.bot, message, user, plan)


async def back_to_bot(context: BotContext, user: User) -> str:
    """The customer cancels a ticket nobody has claimed; what to tell them."""
    return await context.bot_data.desk.relay.back_to_bot(context.bot, user)


async def after_bot_reply(context: BotContext, user_id: int, messages: list[dict[str, Any]]) -> None:
    """Log the bot's answer; if it handed the customer over, alert staff now (not at the next sweep)."""
    if await context.bot_data.desk.relay.after_bot_reply(user_id, messages):
        nudge(context.application)


async def bot_failed(context: BotContext, user_id: int, chat_id: int, text: str, why: str) -> None:
    """Rasa (or an action) failed: a person answers instead; tell the customer. `why` is a key
    of shop.ticket_details.BOT_FAILURES."""
    if await context.bot_data.desk.relay.bot_failed(context.bot, user_id, chat_id, text, why):
        nudge(context.application)


def nudge(application: BotApplication) -> None:
    """Run the sweep now, in the background (a new ticket's card should not wait)."""
    application.create_task(application.bot_data.desk.timers.sweep(application.bot), name="handoff-nudge")


async def _sweep_job(context: BotContext) -> None:
    await context.bot_data.desk.timers.sweep(context.bot)


def schedule_jobs(application: BotApplication) -> None:
    """Every few seconds: new tickets are announced, overdue ones re-alerted, orphans re-queued."""
    assert application.job_queue is not None, "python-telegram-bot[job-queue] is required"
    interval = application.bot_data.desk.timers.sweep_interval
    application.job_queue.run_repeating(_sweep_job, interval=interval, first=0.5, name="handoff-sweep",
                                        job_kwargs={"coalesce": True, "max_instances": 1,
                                                    "misfire_grace_time": None})  # late is fine
