"""Request journeys: cancel an order, change its delivery address, ask for a refund."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import StoreAction, last_bot_buttons, latest_order_number
from actions.faq import faq_library, question_text
from actions.handoff import SUGGESTIONS
from actions.orders import requested_order
from shop import order_requests
from shop.faq import answers
from shop.i18n import Translator
from shop.replies import Button, Reply, intent_payload
from shop.settings import Settings


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    return next(tracker.get_latest_entity_values(entity), None)


class OrderRequestAction(StoreAction):
    """A request about one order; forgets the order number afterwards.

    A question about the shop's policy that Rasa took for the request ("can I return it?",
    "when do I get my money back", "kann ich die Lieferadresse noch ändern?") and that names no
    order gets the shop's FAQ answer instead, with the request one tap away: nothing is opened
    or changed on a question (shop.faq.answers.answer_beside)."""

    intent = ""

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [SlotSet("order_id", None)]

    def shop_question(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
                      now: datetime, tr: Translator) -> Reply | None:
        said = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        text = question_text(tracker)
        if said != self.intent or not text or latest_order_number(tracker) is not None:
            return None
        number = tracker.get_slot("order_id")
        request = Button(tr._(SUGGESTIONS[self.intent]),
                         intent_payload(self.intent, **({"order_id": str(number)} if number else {})))
        return answers.answer_beside(session, faq_library(), text=text, telegram_user_id=telegram_user_id,
                                     now=now, request=request, tr=tr)


class ActionCancelOrder(OrderRequestAction):
    intent = "cancel_order"

    def name(self) -> str:
        return "action_cancel_order"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        if (faq := self.shop_question(session, tracker, telegram_user_id=telegram_user_id, now=now, tr=tr)):
            return faq
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
    intent = "change_address"

    def name(self) -> str:
        return "action_change_address"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        if (faq := self.shop_question(session, tracker, telegram_user_id=telegram_user_id, now=now, tr=tr)):
            return faq
        return order_requests.change_address_reply(
            session, telegram_user_id=telegram_user_id, raw_number=requested_order(tracker),
            message_text=tracker.latest_message.get("text"), now=now, zone=settings.zone, tr=tr)


class ActionRefundRequest(OrderRequestAction):
    intent = "refund_request"

    def name(self) -> str:
        return "action_refund_request"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        if (faq := self.shop_question(session, tracker, telegram_user_id=telegram_user_id, now=now, tr=tr)):
            return faq
        return order_requests.refund_reply(
            session, telegram_user_id=telegram_user_id, raw_number=requested_order(tracker),
            message_text=tracker.latest_message.get("text"), now=now, zone=settings.zone, tr=tr)


# The requests whose action answers a shop question from the FAQ first (bench/nlu.py counts them
# among the FAQ's doors).
FAQ_FIRST_REQUESTS = tuple(action.intent for action in
                           (ActionCancelOrder, ActionChangeAddress, ActionRefundRequest))
