"""Handoff journeys: ask for a person, complain, and the fallback that hands over after two misses.

Each opens a ticket in the store (shop.tickets.open_ticket) and answers with a `handoff`
payload: the bot shows its text to the customer and alerts staff at once (it also
watches the store for new tickets, so nothing depends on this message arriving).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import StoreAction
from shop import accounts, tickets
from shop.hours import BusinessHours
from shop.models import Role
from shop.orders import find_customer_order, normalise_order_number
from shop.replies import MAX_CALLBACK_BYTES, Button, Reply, intent_payload, payload
from shop.settings import Settings

FALLBACK_SLOT = "fallback_count"
MISSES_BEFORE_PERSON = 2
MAX_SUGGESTIONS = 3
SUGGESTIONS = {  # intent → button title; intents not listed are never suggested
    "order_status": "Where is my order?",
    "delivery_status": "When will it arrive?",
    "list_orders": "Show my orders",
    "give_feedback": "Rate the shop",
    "complaint": "Report a problem",
    "request_human": "Talk to a person",
    "cancel_order": "Cancel an order",
    "change_address": "Change a delivery address",
    "refund_request": "Ask for a refund",
    "help": "What can you do?",
    "ask_metric": "A business metric",
    "ask_report": "A business report",
}
STAFF_ONLY = frozenset({"ask_metric", "ask_report"})
ORDER_INTENTS = frozenset({"order_status", "delivery_status", "complaint", "cancel_order",
                           "change_address", "refund_request"})
DID_NOT_GET = ("Sorry, I didn't get that. Did you mean one of these? You can also rephrase, or "
               "say \"talk to a person\".")
DID_NOT_GET_PLAIN = ("Sorry, I didn't get that. You can ask about an order (\"where is my order "
                     "1042?\"), or say \"talk to a person\".")


def open_handoff(session: Session, tracker: Tracker, *, telegram_user_id: int, settings: Settings,
                 now: datetime, reason: str, details: str | None) -> Reply:
    """Open (or add to) the customer's ticket and tell them a person will answer."""
    customer = accounts.linked_customer(session, telegram_user_id)
    order_id = None
    number = normalise_order_number(next(tracker.get_latest_entity_values("order_id"), None))
    if customer is not None and number is not None:
        order = find_customer_order(session, customer_id=customer.id, number=number)
        order_id = order.id if order is not None else None
    ticket, new = tickets.open_ticket(
        session, telegram_user_id=telegram_user_id, chat_id=telegram_user_id,
        customer_id=customer.id if customer else None, reason=reason, details=details,
        order_id=order_id, now=now)
    text = tickets.handoff_text(ticket, new=new, hours=BusinessHours.from_settings(settings),
                                target_minutes=settings.first_response_target_minutes, now=now)
    return Reply(custom=payload("handoff", ticket_id=ticket.id, new=new, text=text))


def latest_text(tracker: Tracker) -> str | None:
    text = tracker.latest_message.get("text") if tracker.latest_message else None
    return text[:1000] if text else None


class ActionRequestHuman(StoreAction):
    def name(self) -> str:
        return "action_request_human"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime) -> Reply:
        return open_handoff(session, tracker, telegram_user_id=telegram_user_id, settings=settings,
                            now=now, reason="request_human", details=latest_text(tracker))


class ActionComplaint(StoreAction):
    def name(self) -> str:
        return "action_complaint"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime) -> Reply:
        return open_handoff(session, tracker, telegram_user_id=telegram_user_id, settings=settings,
                            now=now, reason="complaint", details=latest_text(tracker))


# --- not understood -------------------------------------------------------------------------


def previous_action(tracker: Tracker) -> str | None:
    """The last action before the latest user message (action_listen aside)."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if last_user is None:
        return None
    for event in reversed(events[:last_user]):
        if event.get("event") == "action" and event.get("name") != "action_listen":
            return str(event.get("name"))
    return None


def consecutive_misses(tracker: Tracker) -> int:
    """1 for a first miss; n when the n-1 messages before were misses too.

    Any other action in between resets the count (it shows up as the previous action),
    and a miss that handed over to a person sets the slot back to 0.
    """
    if previous_action(tracker) != "action_default_fallback":
        return 1
    return int(tracker.get_slot(FALLBACK_SLOT) or 0) + 1


def suggestions(tracker: Tracker, *, staff: bool) -> tuple[Button, ...]:
    """Buttons for the 2-3 likeliest intents of the misunderstood message."""
    message = tracker.latest_message or {}
    entities = {e.get("entity"): str(e.get("value")) for e in message.get("entities") or []
                if e.get("entity") == "order_id" and e.get("value")}
    buttons: list[Button] = []
    for ranked in message.get("intent_ranking") or []:
        intent = ranked.get("name")
        if intent not in SUGGESTIONS or (intent in STAFF_ONLY and not staff):
            continue
        text = intent_payload(intent, **(entities if intent in ORDER_INTENTS else {}))
        if len(text.encode()) > MAX_CALLBACK_BYTES - 2:
            text = intent_payload(intent)
        buttons.append(Button(SUGGESTIONS[intent], text))
        if len(buttons) == MAX_SUGGESTIONS:
            break
    return tuple(buttons)


def missed_texts(tracker: Tracker, count: int) -> str:
    """The customer's last `count` messages, for the ticket's details."""
    texts = [str(e.get("text")) for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return "\n".join(f"“{t[:300]}”" for t in texts[-count:])


class ActionDefaultFallback(StoreAction):
    """Rasa's fallback, overridden: suggestions on a first miss, a person on the second."""

    def name(self) -> str:
        return "action_default_fallback"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime) -> Reply:
        misses = consecutive_misses(tracker)
        if misses >= MISSES_BEFORE_PERSON:
            return open_handoff(session, tracker, telegram_user_id=telegram_user_id, settings=settings,
                                now=now, reason="not_understood",
                                details=missed_texts(tracker, MISSES_BEFORE_PERSON))
        staff = accounts.role_of(session, telegram_user_id) in (Role.staff, Role.owner)
        buttons = suggestions(tracker, staff=staff)
        return Reply(DID_NOT_GET if buttons else DID_NOT_GET_PLAIN, buttons=buttons)

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        misses = consecutive_misses(tracker)
        return [SlotSet(FALLBACK_SLOT, 0.0 if misses >= MISSES_BEFORE_PERSON else float(misses))]
