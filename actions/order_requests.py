"""Request journeys: cancel an order, change its delivery address, ask for a refund."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import StoreAction, last_bot_buttons
from actions.orders import requested_order
from shop import order_requests
from shop.i18n import Translator
from shop.replies import Reply
from shop.settings import Settings


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    return next(tracker.get_latest_entity_values(entity), None)


class OrderRequestAction(StoreAction):
    """A request about one order; forgets the order number afterwards."""

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [SlotSet("order_id", None)]


class ActionCancelOrder(OrderRequestAction):
    def name(self) -> str:
        return "action_cancel_order"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        raw_number, subject = requested_order(tracker), latest_entity(tracker, "subject")
        said = (tracker.latest_message.get("intent") or {}).get("name")
        if said in ("affirm", "deny"):  # a typed "yes" or "no" to "Cancel order N?" (data/rules.yml)
            raw_number = order_requests.pending_cancellation(last_bot_buttons(tracker))
            if raw_number is None:
                return Reply(tr._(order_requests.NOTHING_TO_CONFIRM))
            subject = order_requests.CONFIRM if said == "affirm" else order_requests.KEEP
        return order_requests.cancel_reply(
            session, telegram_user_id=telegram_user_id, raw_number=raw_number, subject=subject,
            message_text=tracker.latest_message.get("text"), now=now, zone=settings.zone, tr=tr)


class ActionChangeAddress(OrderRequestAction):
    def name(self) -> str:
        return "action_change_address"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        return order_requests.change_address_reply(
            session, telegram_user_id=telegram_user_id, raw_number=requested_order(tracker),
            message_text=tracker.latest_message.get("text"), now=now, zone=settings.zone, tr=tr)


class ActionRefundRequest(OrderRequestAction):
    def name(self) -> str:
        return "action_refund_request"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        return order_requests.refund_reply(
            session, telegram_user_id=telegram_user_id, raw_number=requested_order(tracker),
            message_text=tracker.latest_message.get("text"), now=now, zone=settings.zone, tr=tr)
