"""What every action shares: the store, the clock, who is asking, and how replies go out."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, sessionmaker

from shop import accounts, turns
from shop.db import make_engine, make_session_factory
from shop.i18n import LANGUAGE_KEY, N_, Translator, supported_language, translator
from shop.orders import normalise_order_number
from shop.replies import Reply
from shop.settings import Settings, load_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

SORRY = N_("Sorry, something went wrong on our side while looking that up. "
           "Please try again in a minute, or say \"talk to a person\".")
NOT_FROM_TELEGRAM = N_("Sorry, I can only help from the shop's Telegram bot.")


@cache
def store() -> tuple[Settings, sessionmaker[Session]]:
    """Settings and session factory, created on first use (never at import time)."""
    settings = load_settings()
    return settings, make_session_factory(make_engine(settings.database_url))


def sender_telegram_id(tracker: Tracker) -> int | None:
    """The Telegram user id the bot sent as Rasa's sender id; None if it is not one."""
    try:
        return int(tracker.sender_id)
    except (TypeError, ValueError):
        return None


def message_language(tracker: Tracker) -> str | None:
    """The reply language the bot chose for the latest message (its metadata), if it sent one."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return supported_language(str(metadata.get(LANGUAGE_KEY) or "")) if isinstance(metadata, dict) else None


def reply_translator(session: Session | None, tracker: Tracker, telegram_user_id: int | None) -> Translator:
    """The bot's choice for this message; else the language last used with this user; else English."""
    language = message_language(tracker)
    if language is None and session is not None and telegram_user_id is not None:
        language = accounts.stored_language(session, telegram_user_id)
    return translator(language)


def last_bot_buttons(tracker: Tracker) -> list[str]:
    """The button payloads of the bot's last message in the conversation."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            return [str(b.get("payload", "")) for b in buttons if isinstance(b, dict)]
    return []


def latest_order_number(tracker: Tracker) -> str | None:
    """The order number the latest message names, if any.

    The regex extractor's finds come first: it encodes what an order number is (4-6 digits,
    not a year or a time, data/nlu/regex.yml). DIET also tags order_id and sometimes takes
    any number for one ("3 weeks ago", "a 7 out of 10"), which must not hide the real one.
    """
    found = [e for e in (tracker.latest_message or {}).get("entities") or []
             if e.get("entity") == "order_id" and e.get("value") is not None]
    found.sort(key=lambda e: e.get("extractor") != "RegexEntityExtractor")
    return next((str(e["value"]) for e in found if normalise_order_number(str(e["value"]))), None)


def dispatch(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    if reply.custom is not None:
        dispatcher.utter_message(text=reply.text, buttons=buttons or None, json_message=reply.custom)
    else:
        dispatcher.utter_message(text=reply.text, buttons=buttons or None)


class StoreAction(Action, ABC):
    """An action that answers from the store; blocking database work runs off the loop."""

    @abstractmethod
    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply | list[Reply]:
        """Compute the reply (or replies, sent in order, in `tr`'s language) inside one transaction."""

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        """Events to return after answering (e.g. clearing slots)."""
        return []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        telegram_user_id = sender_telegram_id(tracker)
        if telegram_user_id is None:
            dispatch(dispatcher, Reply(reply_translator(None, tracker, None)._(NOT_FROM_TELEGRAM)))
            return []
        settings, sessions = store()

        def work(session: Session) -> Reply | list[Reply]:
            now = datetime.now(UTC)
            intent = (tracker.latest_message or {}).get("intent") or {}
            turns.record_turn(session, telegram_user_id=telegram_user_id, intent=intent.get("name"),
                              confidence=intent.get("confidence"), action=self.name(), now=now)
            return self.answer(session, tracker, telegram_user_id=telegram_user_id,
                               settings=settings, now=now,
                               tr=reply_translator(session, tracker, telegram_user_id))

        # The store may be what failed: the bot's choice of language, else English.
        sorry: Reply | list[Reply] = Reply(reply_translator(None, tracker, None)._(SORRY))
        replies = await guarded(sessions, work, sorry, action=self.name(), sender=telegram_user_id)
        for reply in replies if isinstance(replies, list) else [replies]:
            dispatch(dispatcher, reply)
        return self.events(tracker)


async def guarded(sessions: sessionmaker[Session], work: Callable[[Session], T], failed: T, *,
                  action: str, sender: int) -> T:
    """`work` in one transaction; on any error it is logged and `failed` is the answer, so
    the customer hears a clear "try again" instead of nothing."""
    try:
        return await in_transaction(sessions, work)
    except Exception:
        log.exception("action %s failed for sender %s", action, sender)
        return failed


async def in_transaction(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run `work` in one committed transaction on a worker thread."""
    def run() -> T:
        with sessions() as session, session.begin():
            return work(session)
    return await asyncio.to_thread(run)
