"""Run a real PTB Application against the local Bot API, in polling or webhook mode.

Shared by the contract tests of ``local_bot_api`` and by end-to-end tests of the bot:
each helper is an async context manager that starts everything and stops it in order.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, BaseHandler

from local_bot_api import LocalBotApi


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for PTB's webhook listener)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_application(server: LocalBotApi, handlers: Sequence[BaseHandler]) -> Application:
    """An unmodified PTB Application whose only difference is where the Bot API lives."""
    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    for handler in handlers:
        app.add_handler(handler)
    return app


@asynccontextmanager
async def bot_for(server: LocalBotApi) -> AsyncIterator[Bot]:
    """A bare PTB Bot talking to the server (initialised: getMe already called)."""
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as bot:
        yield bot


@asynccontextmanager
async def polling_app(
    server: LocalBotApi, handlers: Sequence[BaseHandler]
) -> AsyncIterator[Application]:
    """An Application fetching updates with getUpdates long polling."""
    app = build_application(server, handlers)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@asynccontextmanager
async def webhook_app(
    server: LocalBotApi,
    handlers: Sequence[BaseHandler],
    *,
    secret_token: str | None = "s3cret-token",
    url_path: str = "telegram",
) -> AsyncIterator[tuple[Application, str]]:
    """An Application receiving webhooks on 127.0.0.1; yields it with its webhook URL.

    ``Application.run_webhook`` blocks, so this starts the updater's webhook server the
    way ``run_webhook`` does internally.
    """
    app = build_application(server, handlers)
    port = free_port()
    url = f"http://127.0.0.1:{port}/{url_path}"
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path=url_path,
            webhook_url=url,
            secret_token=secret_token,
        )
        try:
            yield app, url
        finally:
            await app.updater.stop()
            await app.stop()
