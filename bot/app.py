"""Build the python-telegram-bot Application: one place where the bot is put together."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, JobQueue

from bot import digest, handoff, notifier, order_api
from bot.handlers import customer, faq, language, linking, staff
from bot.handoff.desk import HandoffDesk
from bot.processing import PerChatUpdateProcessor
from bot.ratelimit import IncomingLimiter, OutgoingRateLimiter
from bot.services import BotApplication, BotContext, BotData, Services
from bot.telegram_request import AiohttpRequest

log = logging.getLogger(__name__)

ERROR_REPLY = ("Sorry, something went wrong on our side. Please try again, or say "
               "\"talk to a person\".")


def file_url(api_url: str) -> str:
    """https://host/bot → https://host/file/bot (where Bot API files are served)."""
    base, _, tail = api_url.rstrip("/").rpartition("/")
    return f"{base}/file/{tail}"


class ShopApplication(Application[ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], BotData,
                                  JobQueue[BotContext]]):
    """The Application plus what runs beside it: the order API starts and stops with it.

    (post_init/post_stop run only under run_polling/run_webhook; bot/runtime.py drives
    start() and stop() itself.) The delivery notifier is a JobQueue job, which the
    Application starts and stops anyway.
    """

    async def start(self) -> None:
        await super().start()
        await order_api.start(self)

    async def stop(self) -> None:
        await order_api.stop(self)
        await super().stop()


def build_application(services: Services, *, token: str) -> BotApplication:
    """The composition root of the Telegram door: the parts in context.bot_data, then the handlers."""
    settings = services.settings
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url(settings.telegram_api_url))
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .concurrent_updates(PerChatUpdateProcessor())
        .rate_limiter(OutgoingRateLimiter.from_settings(settings))
        .application_class(ShopApplication)
        .build()
    )
    parts = application.bot_data
    parts.services = services
    parts.desk = HandoffDesk.create(services)
    parts.incoming = IncomingLimiter(settings.incoming_limit, settings.incoming_window)
    linking.register(application)
    faq.register(application)
    customer.register(application)
    language.register(application)
    notifier.schedule(application)
    staff.register(application)
    handoff.schedule_jobs(application)
    digest.schedule(application, services)
    application.add_error_handler(on_error)
    return application


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with its traceback; tell the user without showing it."""
    err = context.error
    log.error("update %s failed: %s", getattr(update, "update_id", "?"),
              f"{type(err).__name__}: {err}" if err else "unknown error", exc_info=err)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, ERROR_REPLY)
        except Exception:  # noqa: BLE001 - the chat may be unreachable; nothing more to do
            log.warning("could not tell chat %s about the error", update.effective_chat.id)
