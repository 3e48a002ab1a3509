"""Run the bot inside an event loop: long polling or webhook, started and stopped cleanly."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import TypeVar
from urllib.parse import urlsplit

import uvloop
from telegram import Update

from bot.polling import ConfirmingPoller
from bot.services import BotApplication
from shop.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def run(main: Coroutine[object, object, T]) -> T:
    """asyncio.run on uvloop's event loop (libuv, in C): the loop's own work per message (the
    Bot API's long polls, Rasa's answers, the store's threads handing results back) costs
    less CPU than on asyncio's pure-Python loop."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


@asynccontextmanager
async def running(application: BotApplication, settings: Settings) -> AsyncIterator[BotApplication]:
    """Start `application` (webhook when WEBHOOK_URL is set, else polling); stop on exit."""
    async with application:
        await application.start()
        updater = application.updater
        assert updater is not None
        poller: ConfirmingPoller | None = None
        try:
            if settings.webhook_url:
                secret = (settings.webhook_secret.get_secret_value() if settings.webhook_secret
                          else secrets.token_urlsafe(32))
                await updater.start_webhook(
                    listen=settings.bind_host, port=settings.webhook_port,
                    url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                    webhook_url=settings.webhook_url, secret_token=secret,
                    allowed_updates=Update.ALL_TYPES)
                log.info("webhook mode: Telegram posts to %s (listening on %s:%s)",
                         settings.webhook_url, settings.bind_host, settings.webhook_port)
            else:  # not updater.start_polling: it confirms updates before they are handled
                poller = ConfirmingPoller(application, application.bot_data.services, timeout=10)
                await poller.start()
                log.info("long polling mode")
            yield application
        finally:
            if poller is not None:
                await poller.stop()
            if updater.running:
                await updater.stop()
            await application.stop()
