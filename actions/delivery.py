"""Delivery journeys: where is my parcel, how far along is my project."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import StoreAction
from actions.orders import requested_order
from shop.delivery import delivery_status_reply
from shop.i18n import Translator
from shop.replies import Reply
from shop.settings import Settings


class ActionDeliveryStatus(StoreAction):
    def name(self) -> str:
        return "action_delivery_status"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        return delivery_status_reply(session, telegram_user_id=telegram_user_id,
                                     raw_number=requested_order(tracker), now=now, zone=settings.zone,
                                     tr=tr)

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [SlotSet("order_id", None)]
