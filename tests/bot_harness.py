"""The real bot (build_application, polling) against the local Bot API, with Rasa played by a fake.

For tests of what the bot itself does with load, faults and hostile input, where the
language understanding is beside the point: the fake records what reached "Rasa" and
answers what the test tells it to. The store is a fresh SQLite file with the demo people.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.rasa_client import RasaUnavailable
from bot.runtime import running
from bot.services import Services
from local_bot_api import LocalBotApi
from shop import demo
from shop.db import make_engine, make_session_factory, transaction
from shop.settings import Settings
from shop.startup import prepare_store
from tests.conftest import sqlite_settings

Answer = Callable[[int, str], list[dict[str, Any]]]


def echo(sender_id: int, text: str) -> list[dict[str, Any]]:
    return [{"recipient_id": str(sender_id), "text": f"You said: {text}"}]


@dataclass
class FakeRasa:
    """Stands in for RasaClient: records (sender, text) and answers with `answer`."""

    answer: Answer = echo
    received: list[tuple[int, str]] = field(default_factory=list)
    metadata: list[dict[str, Any] | None] = field(default_factory=list)  # sent with each message
    down: bool = False

    async def send(self, sender_id: int, text: str, metadata: dict[str, Any] | None = None
                   ) -> list[dict[str, Any]]:
        self.received.append((sender_id, text))
        self.metadata.append(metadata)
        if self.down:
            raise RasaUnavailable("fake Rasa is down")
        return self.answer(sender_id, text)

    async def parse(self, sender_id: int, text: str) -> dict[str, Any] | None:
        """The model's reading, with no dialogue turn: nothing it is sure of (None when down)."""
        return None if self.down else {"text": text, "intent": {"name": "nlu_fallback", "confidence": 1.0}}

    async def ready(self) -> bool:
        return not self.down

    async def aclose(self) -> None:
        pass


def store_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings for a fresh store in `folder` with the demo people only (no generated shop,
    whose customers the local Bot API does not know); TZ Europe/Berlin, no .env."""
    settings = sqlite_settings(folder, **overrides)
    prepare_demo_people(settings)
    return settings


def prepare_demo_people(settings: Settings) -> None:
    """Migrate the store and add the demo people (owner, staff, Dana, Omar) and their orders."""
    prepare_store(settings, now=datetime.now(UTC), demo_data=False)
    engine = make_engine(settings.database_url)
    with transaction(make_session_factory(engine)) as session:
        demo.seed_personas(session, now=datetime.now(UTC))
    engine.dispose()


@dataclass
class RunningBot:
    api: LocalBotApi
    rasa: FakeRasa
    services: Services
    settings: Settings


@asynccontextmanager
async def bot_with_fake_rasa(folder: Path, *, api: LocalBotApi | None = None, answer: Answer = echo,
                             **overrides: Any) -> AsyncIterator[RunningBot]:
    """Start the local Bot API (unless given) and the real bot polling it; stop both after.

    The local Bot API has no flood limits, so the per-chat and per-group limits are off
    unless a test sets them (tests/bot/test_rate_limits.py holds the limiter to Telegram's)."""
    overrides.setdefault("telegram_rate_per_chat", 0)
    overrides.setdefault("telegram_rate_per_group", 0)
    overrides.setdefault("notify_interval", 0)  # delivery news is not what these tests are about
    own_api = api is None
    server = api or LocalBotApi(token="123456:HARNESS-TOKEN")
    if own_api:
        await server.start()
    try:
        settings = store_settings(folder, **overrides).model_copy(
            update={"telegram_api_url": server.base_url})
        engine = make_engine(settings.database_url)
        rasa = FakeRasa(answer=answer)
        services = Services(settings=settings, engine=engine, sessions=make_session_factory(engine),
                            rasa=rasa)  # type: ignore[arg-type]
        async with services, running(build_application(services, token=server.token), settings):
            yield RunningBot(server, rasa, services, settings)
    finally:
        if own_api:
            await server.stop()
