"""Order journeys: where is my order, which orders do I have."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import StoreAction, latest_order_number
from shop.i18n import Translator
from shop.orders import list_orders_reply, order_status_reply
from shop.replies import Reply
from shop.settings import Settings


def requested_order(tracker: Tracker) -> str | None:
    """The order number of the latest message, else the one remembered in the slot."""
    return latest_order_number(tracker) or tracker.get_slot("order_id")


class ActionOrderStatus(StoreAction):
    def name(self) -> str:
        return "action_order_status"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        return order_status_reply(session, telegram_user_id=telegram_user_id,
                                  raw_number=requested_order(tracker), zone=settings.zone, tr=tr)

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [SlotSet("order_id", None)]


class ActionListOrders(StoreAction):
    def name(self) -> str:
        return "action_list_orders"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        return list_orders_reply(session, telegram_user_id=telegram_user_id, zone=settings.zone, tr=tr)
