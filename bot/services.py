"""The bot's services (settings, store, Rasa client), reached by handlers via the context."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram import Chat, User
from telegram.ext import CallbackContext, ExtBot

from bot.rasa_client import RasaClient
from shop import accounts
from shop.db import make_engine, make_session_factory
from shop.settings import Settings

T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    rasa: RasaClient

    @classmethod
    def create(cls, settings: Settings) -> Services:
        engine = make_engine(settings.database_url)
        return cls(settings=settings, engine=engine, sessions=make_session_factory(engine),
                   rasa=RasaClient(settings.rasa_url, timeout=settings.rasa_timeout))

    async def in_transaction(self, work: Callable[[Session], T]) -> T:
        """Run blocking store work in one transaction, off the event loop."""
        def run() -> T:
            with self.sessions() as session, session.begin():
                return work(session)
        return await asyncio.to_thread(run)

    async def remember(self, user: User, chat: Chat) -> None:
        """Record that `user` talks to the bot in `chat`."""
        await self.in_transaction(lambda s: accounts.touch_account(
            s, telegram_user_id=user.id, chat_id=chat.id, display_name=user.full_name,
            language=user.language_code))

    async def aclose(self) -> None:
        await self.rasa.aclose()
        self.engine.dispose()

    async def __aenter__(self) -> Services:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):  # type: ignore[type-arg]
    """The callback context, with typed access to the services."""

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]  # type: ignore[no-any-return]
