"""Who the user is: the identity-aware greeting."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions.base import StoreAction
from shop.i18n import Translator
from shop.linking import greeting
from shop.replies import Reply
from shop.settings import Settings


class ActionGreet(StoreAction):
    """Customers by name, owner and staff with their own hint, others with the linking hint."""

    def name(self) -> str:
        return "action_greet"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        return greeting(session, telegram_user_id=telegram_user_id, tr=tr)
