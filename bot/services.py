"""The bot's services (settings, store, Rasa client) and the typed context handlers reach
them through: context.bot_data is a BotData, filled in by build_application (bot/app.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram import Chat, User
from telegram.ext import Application, CallbackContext, ExtBot

from bot.rasa_client import RasaClient
from shop import accounts
from shop.db import make_engine, make_session_factory
from shop.i18n import Translator, translator
from shop.models import TelegramAccount
from shop.settings import Settings

if TYPE_CHECKING:
    from aiohttp import web

    from bot.handoff.desk import HandoffDesk
    from bot.ratelimit import IncomingLimiter

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

    async def remember(self, user: User, chat: Chat, text: str | None = None) -> Translator:
        """Record that `user` talks to the bot in `chat`; the language to answer them in, which
        `text`, their message, may change (shop/language.py)."""
        tr, _ = await self.remember_then(user, chat, text, lambda session, account: None)
        return tr

    async def remember_then(self, user: User, chat: Chat, text: str | None,
                            then: Callable[[Session, TelegramAccount], T]) -> tuple[Translator, T]:
        """`remember`, then `then` with the user's account, in the same transaction (one store
        round trip for what a customer's message needs before it goes on)."""
        def work(session: Session) -> tuple[str, T]:
            account = accounts.touch_account(session, telegram_user_id=user.id, chat_id=chat.id,
                                             display_name=user.full_name, language=user.language_code)
            language = accounts.account_answer_language(session, account, telegram_code=user.language_code,
                                                        text=text)
            return language, then(session, account)
        language, result = await self.in_transaction(work)
        return translator(language), result

    async def reply_language(self, user: User) -> Translator:
        """The language to answer `user` in, as remembered (their Telegram language for a newcomer)."""
        return translator(await self.in_transaction(lambda s: accounts.answer_language(
            s, telegram_user_id=user.id, telegram_code=user.language_code, text=None)))

    async def aclose(self) -> None:
        await self.rasa.aclose()
        self.engine.dispose()

    async def __aenter__(self) -> Services:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class BotData:
    """context.bot_data: the services and the parts built on them, one per application.

    python-telegram-bot makes it without arguments (ContextTypes), so the composition root,
    build_application, sets each part right after building the application.
    """

    services: Services
    desk: HandoffDesk
    incoming: IncomingLimiter
    order_api: web.AppRunner | None = None  # the courier API, while it serves (bot/order_api.py)


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """The callback context, with typed access to the services."""

    @property
    def services(self) -> Services:
        return self.bot_data.services


# The application as the bot's modules see it: what matters to them is its typed bot_data.
BotApplication: TypeAlias = Application[Any, Any, Any, Any, BotData, Any]
