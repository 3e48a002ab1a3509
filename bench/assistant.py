"""What the end-to-end benchmarks share: the real servers, the real bot, and their measures.

The bot runs in this process against the local Bot API (as in the end-to-end tests); Rasa
and the action server run as child processes, exactly as `make run` starts them. Times
are taken where a user would see them: when the local Bot API receives the bot's reply.
"""

from __future__ import annotations

import socket
import statistics
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path

import psutil

from bot.app import build_application
from bot.runtime import running
from bot.services import Services
from local_bot_api import LocalBotApi, TimedCalls
from rasa_runtime.supervisor import Supervisor, server_specs
from shop.settings import Settings

TOKEN = "123456:BENCH-TOKEN"
# The local Bot API has no flood limits: the outgoing limiter stays on, with limits it never reaches.
FAKE_SERVER_LIMITS = {"telegram_rate_overall": 1000.0, "telegram_rate_per_chat": 100.0,
                      "telegram_rate_per_group": 6000.0}


def timed_api(api: LocalBotApi) -> TimedCalls:
    calls = TimedCalls()
    api.world.calls = calls
    return calls


@contextmanager
def servers(settings: Settings, log_dir: Path, *, timeout: float = 600) -> Iterator[Supervisor]:
    """Rasa and the action server for `settings`, ready; stopped on exit."""
    with Supervisor(server_specs(settings), log_dir=log_dir) as supervisor:
        supervisor.start()
        supervisor.wait_ready(timeout=timeout)
        yield supervisor


@asynccontextmanager
async def bot_polling(settings: Settings, api: LocalBotApi) -> AsyncIterator[Services]:
    """The real bot (build_application, the confirming poller) against `api`."""
    settings = settings.model_copy(update={"telegram_api_url": api.base_url})
    async with Services.create(settings) as services, \
            running(build_application(services, token=api.token), settings):
        yield services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int, *, children: bool = True) -> float:
    """Resident memory of a process (and its children, e.g. Sanic's workers), in MiB."""
    try:
        process = psutil.Process(pid)
        total = process.memory_info().rss
        for child in process.children(recursive=True) if children else ():
            with suppress(psutil.NoSuchProcess):
                total += child.memory_info().rss
    except psutil.NoSuchProcess:
        return 0.0
    return total / 2**20


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; nan for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[min(max(round(q) - 1, 0), 98)]
