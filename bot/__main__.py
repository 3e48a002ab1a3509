"""The assistant's composition root: `python -m bot` (what `make run` starts).

Reads the settings, prepares the store, starts the Rasa server and the action server,
then runs the bot against Telegram (TELEGRAM_BOT_TOKEN set) or as a console chat.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from telegram.error import TelegramError

from bot import redact
from bot.app import build_application
from bot.preflight import BotApiRefused, until_stopped, wait_for_bot_api
from bot.runtime import run, running
from bot.services import Services
from rasa_runtime.supervisor import Supervisor, SupervisorError, server_specs
from shop.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from shop.startup import prepare_store

log = logging.getLogger("bot")

# Libraries that log routine work at INFO: the job queue's scheduler two lines per notifier
# run (every NOTIFY_INTERVAL seconds), httpx and httpcore every request (and the bot token
# is part of every Bot API URL), aiohttp every request it serves.
CHATTY_LIBRARIES = ("apscheduler", "httpx", "httpcore", "aiohttp.access")


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class NoticeFormatter(logging.Formatter):
    """An error as one line for the console chat: its first line, where the details are."""

    def __init__(self, log_file: Path) -> None:
        super().__init__()
        self.log_file = log_file

    def format(self, record: logging.LogRecord) -> str:
        first = (record.getMessage().splitlines() or [""])[0]
        return f"(error: {first} - details in {self.log_file})"


def configure_logging(console: bool, settings: Settings | None = None, *,
                      log_dir: Path = PROJECT_ROOT / "var" / "log") -> None:
    """Log at LOG_LEVEL (WARNING in the console chat), chatty libraries at WARNING unless DEBUG.

    The console chat shares the terminal with the log: its log goes to `log_dir`/bot.log and
    the terminal shows an error as a one-line notice, never a traceback between the messages.
    """
    level = logging.WARNING if console else (
        logging.getLevelNamesMapping()[settings.log_level] if settings else logging.INFO)
    if console:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_dir / "bot.log"
        notice = logging.StreamHandler(sys.stderr)
        notice.setLevel(logging.ERROR)
        notice.setFormatter(NoticeFormatter(log_file.relative_to(PROJECT_ROOT)
                                            if log_file.is_relative_to(PROJECT_ROOT) else log_file))
        written = logging.FileHandler(log_file, encoding="utf-8")
        written.setFormatter(logging.Formatter(LOG_FORMAT))
        logging.basicConfig(level=level, handlers=[written, notice])
    else:
        logging.basicConfig(level=level, format=LOG_FORMAT)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(level if level == logging.DEBUG else max(level, logging.WARNING))
    if settings is not None:  # scrub secrets from whatever logs them (PTB and httpx at DEBUG)
        redact.install(settings)


async def serve_telegram(settings: Settings) -> None:
    """Run against Telegram until SIGINT/SIGTERM."""
    assert settings.telegram_bot_token is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Services.create(settings) as services:
        application = build_application(services, token=settings.telegram_bot_token.get_secret_value())
        async with running(application, settings):
            log.info("the assistant is running; Ctrl-C stops it")
            await stop.wait()


async def serve_console(settings: Settings) -> None:
    """Run the same bot against a local Bot API and chat with it in the terminal."""
    from bot.console import CONSOLE_TOKEN, ConsoleChat, console_bot_api, terminal_language

    async with console_bot_api() as api:
        settings = settings.model_copy(update={"telegram_api_url": api.base_url, "webhook_url": None})
        async with Services.create(settings) as services:
            application = build_application(services, token=CONSOLE_TOKEN)
            async with running(application, settings):
                await ConsoleChat(api, language=terminal_language()).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--console", action="store_true", help="console chat even if a token is set")
    parser.add_argument("--no-servers", action="store_true",
                        help="do not start Rasa and the action server (they run elsewhere)")
    parser.add_argument("--no-demo", action="store_true", help="do not add demo data to an empty store")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    console = args.console or settings.telegram_bot_token is None
    configure_logging(console, settings)
    prepare_store(settings, now=datetime.now(UTC), demo_data=not args.no_demo)

    # Until the bot installs its own handlers, SIGTERM stops as Ctrl-C does: servers stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    supervisor: Supervisor | None = None
    try:
        # Before Rasa's minute of loading: a wrong token or no network shows at once; a stop
        # while waiting for the Bot API is a clean stop.
        if not console and run(until_stopped(wait_for_bot_api(settings))) is None:
            return 0
        if not args.no_servers:
            supervisor = Supervisor(server_specs(settings),
                                    log_dir=PROJECT_ROOT / "var" / "log" if console else None)
            print("Starting the Rasa server and the action server "
                  "(Rasa takes about a minute to load its model)...", file=sys.stderr, flush=True)
            supervisor.start()
            supervisor.wait_ready()
        if console:
            run(serve_console(settings))
        else:
            run(serve_telegram(settings))
    except SupervisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BotApiRefused as exc:
        log.error("%s", exc)
        return 2
    except TelegramError as exc:  # reached a moment ago, failed as the bot started
        log.error("Telegram's Bot API at %s failed as the bot started (%s); start it again.",
                  settings.telegram_api_url, exc)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        if supervisor is not None:
            supervisor.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
