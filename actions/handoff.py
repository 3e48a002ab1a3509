"""Handoff journeys: ask for a person, complain, and the fallback that offers a person after
two misses.

A clear request or a complaint the model is sure of opens a ticket in the store
(shop.handoff.open_handoff, as the bot does when it fails) and answers with a `handoff`
payload: the bot shows its text to the customer and alerts staff at once (it also watches
the store for new tickets, so nothing depends on this message arriving). An unsure one is
asked about first; what the bot did not understand only ever offers a person.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import StoreAction, last_bot_buttons, latest_order_number
from actions.faq import faq_outcome, question_text
from shop import accounts, orders
from shop.faq import answers
from shop.handoff import BACK_BUTTON, open_handoff
from shop.i18n import ENGLISH, N_, Translator
from shop.models import Role
from shop.order_words import named_as_order
from shop.replies import (
    MAX_CALLBACK_BYTES,
    TALK_TO_PERSON,
    Button,
    Reply,
    intent_payload,
    payload,
    read_intent_payload,
)
from shop.settings import Settings

FALLBACK_SLOT = "fallback_count"
MISSES_BEFORE_PERSON = 2
MAX_SUGGESTIONS = 3
SUGGESTIONS = {  # intent → button title; intents not listed are never suggested
    "order_status": N_("Where is my order?"),
    "delivery_status": N_("When will it arrive?"),
    "list_orders": N_("Show my orders"),
    "give_feedback": N_("Rate the shop"),
    "complaint": N_("Report a problem"),
    "request_human": TALK_TO_PERSON,
    "cancel_order": N_("Cancel an order"),
    "change_address": N_("Change a delivery address"),
    "refund_request": N_("Ask for a refund"),
    "help": N_("What can you do?"),
    "ask_metric": N_("A business metric"),
    "ask_report": N_("A business report"),
}
HELP_TITLE = SUGGESTIONS["help"]
STAFF_ONLY = frozenset({"ask_metric", "ask_report"})
ORDER_INTENTS = frozenset({"order_status", "delivery_status", "complaint", "cancel_order",
                           "change_address", "refund_request"})
HANDOFF_INTENTS = ("complaint", "request_human")
# A complaint or a request for a person is asked about before anyone is bothered unless the
# model is sure of it: the intent's confidence (DIET's averaged with the linear model's,
# rasa_runtime/components/linear_intents.py) at least this high... On the 3-fold
# cross-validation of docs/nlu-epochs.md, of the messages the model took for a complaint or a
# request for a person, 0.75 hands over 285 rightly and 27 wrongly without asking, where DIET
# alone at 0.9 handed over 274 and 28 (0.9 on the average: 240 and 13; 0.6: 307 and 41).
HANDOFF_SURE = 0.75
# ...and the message at least this close to the intent's training examples (the
# out-of-domain filter's similarity; it refuses below 0.22, and a quarter of the messages it
# understood rightly in cross-validation scored below 0.4). A model is often certain of what
# it has never seen, so its confidence alone does not make a handoff.
HANDOFF_CLOSE = 0.4
CONFIRM = {
    "complaint": N_("I'm sorry to hear that. Shall I pass this to a person from our team?"),
    "request_human": N_("Shall I pass this conversation to a person from our team?"),
}
YES_ALONE = N_("Great! What can I do for you? For example: \"where is my order 1042?\", "
               "\"show my orders\" or \"talk to a person\".")
CAN_DO = ("order_status", "list_orders", "help")  # what the bot offers when asked something else
OUTSIDE = N_("Sorry, that's outside what I can help with. I can look up your orders and deliveries, "
           "take your rating, or put you in touch with a person.")
STILL_NOT = N_("Sorry, I still don't understand. Would you like to talk to a person from our team? "
             "Or tap \"What can you do?\" to see what I can help with.")
DID_NOT_GET = N_("Sorry, I didn't get that. Did you mean one of these? You can also rephrase, or "
               "say \"talk to a person\".")
DID_NOT_GET_PLAIN = N_("Sorry, I didn't get that. You can ask about an order (\"where is my order "
                     "1042?\"), or say \"talk to a person\".")


def hand_over(session: Session, tracker: Tracker, *, telegram_user_id: int, settings: Settings,
              now: datetime, reason: str, details: str | None, tr: Translator) -> Reply:
    """Open (or add to) the customer's ticket: a `handoff` payload the bot shows and acts on;
    staff, who get no ticket, a plain answer."""
    handoff = open_handoff(session, telegram_user_id=telegram_user_id, chat_id=telegram_user_id,
                           reason=reason, details=details, settings=settings, now=now,
                           order_number=latest_order_number(tracker), tr=tr)
    if handoff.ticket is None:
        return Reply(handoff.text)
    return Reply(custom=payload("handoff", ticket_id=handoff.ticket.id, new=handoff.new, text=handoff.text,
                                button=tr._(BACK_BUTTON)))


def customer_words(tracker: Tracker, count: int = 1) -> list[str]:
    """The customer's last `count` messages in their own words (button payloads skipped)."""
    texts = [str(e.get("text")) for e in tracker.events
             if e.get("event") == "user" and e.get("text") and read_intent_payload(str(e["text"])) is None]
    return texts[-count:]


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def sure(tracker: Tracker, confidence: float) -> bool:
    """Sure enough of the latest message to hand over without asking (see HANDOFF_CLOSE)."""
    judged = (tracker.latest_message or {}).get("out_of_domain") or {}
    similarity = judged.get("similarity")
    return confidence >= HANDOFF_SURE and (similarity is None or float(similarity) >= HANDOFF_CLOSE)


def offered_person(tracker: Tracker) -> str | None:
    """The reason of the handoff the bot's last message offered with a button, if it did."""
    for button in last_bot_buttons(tracker):
        parsed = read_intent_payload(button)
        if parsed is not None and parsed[0] in HANDOFF_INTENTS:
            return parsed[0]
    return None


def ask_first(tracker: Tracker, reason: str, tr: Translator = ENGLISH) -> Reply:
    """An unsure complaint or request: ask before anyone is bothered ([Yes] opens the ticket)."""
    number = latest_order_number(tracker)
    entities = {"order_id": number} if number and len(number) <= 12 else {}
    return Reply(tr._(CONFIRM[reason]), buttons=(
        Button(tr._("Yes, please"), intent_payload(reason, **entities)),
        Button(tr._("No, thanks"), intent_payload("deny"))))


class HandoffAction(StoreAction):
    """Hand the customer to a person for `reason`, when the model is sure or they said yes."""

    reason: str

    @abstractmethod
    def name(self) -> str:
        """Each handoff journey is its own action (rasa-sdk registers only concrete ones)."""

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        intent, confidence = latest_intent(tracker)
        reason, words = self.reason, customer_words(tracker, MISSES_BEFORE_PERSON + 1)
        if intent == "affirm":  # a typed yes: to the question the bot asked, if it asked one
            offered = offered_person(tracker)
            if offered is None:
                return Reply(tr._(YES_ALONE))
            reason, words = offered, words[:-1]  # the yes itself says nothing
        elif intent == self.reason and not sure(tracker, confidence):
            return ask_first(tracker, self.reason, tr)
        details = words[-1][:1000] if words else None
        if previous_action(tracker) == "action_default_fallback" and reason != "complaint":
            # "Talk to a person" after misses; a complaint after them is a complaint, told as one
            reason, details = "not_understood", quoted(words[-MISSES_BEFORE_PERSON:])
        return hand_over(session, tracker, telegram_user_id=telegram_user_id, settings=settings,
                         now=now, reason=reason, details=details, tr=tr)


class ActionRequestHuman(HandoffAction):
    reason = "request_human"

    def name(self) -> str:
        return "action_request_human"


class ActionComplaint(HandoffAction):
    reason = "complaint"

    def name(self) -> str:
        return "action_complaint"


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


def suggestions(tracker: Tracker, *, staff: bool, tr: Translator = ENGLISH) -> tuple[Button, ...]:
    """Buttons for the 2-3 likeliest intents of the misunderstood message."""
    message = tracker.latest_message or {}
    number = latest_order_number(tracker)
    entities = {"order_id": number} if number else {}
    buttons: list[Button] = []
    for ranked in message.get("intent_ranking") or []:
        intent = ranked.get("name")
        if intent not in SUGGESTIONS or (intent in STAFF_ONLY and not staff):
            continue
        text = intent_payload(intent, **(entities if intent in ORDER_INTENTS else {}))
        if len(text.encode()) > MAX_CALLBACK_BYTES - 2:
            text = intent_payload(intent)
        buttons.append(Button(tr._(SUGGESTIONS[intent]), text))
        if len(buttons) == MAX_SUGGESTIONS:
            break
    return tuple(buttons)


def quoted(texts: list[str]) -> str:
    """Customer messages as a ticket's details show them."""
    return "\n".join(f"“{t[:300]}”" for t in texts)



def refused(tracker: Tracker) -> bool:
    """The message is not the shop's business: out_of_scope, or far from every training
    example (rasa_runtime/components/out_of_domain.py)."""
    message = tracker.latest_message or {}
    judged = message.get("out_of_domain") or {}
    return latest_intent(tracker)[0] == "out_of_scope" or bool(judged.get("rejected"))


class ActionDefaultFallback(StoreAction):
    """Rasa's fallback, overridden, and the answer to out_of_scope: the FAQ's answer if an entry
    answers; else say honestly what the bot can't do and what it can (buttons), with the FAQ
    entries that come close first; a second miss in a row offers a person. A message that names
    the customer's own orders ("news on 1042??") gets the questions about them instead. Nothing
    it did not understand opens a ticket: only the customer's "Talk to a person" does."""

    def name(self) -> str:
        return "action_default_fallback"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        faq = faq_outcome(session, tracker, telegram_user_id=telegram_user_id, now=now, tr=tr)
        if faq is not None and faq.reply is not None:  # the shop's own answer, if it has one
            return faq.reply
        # "news on 1042??": the customer's own order, in words the model does not know
        named = orders.own_orders_in_text(session, telegram_user_id=telegram_user_id,
                                          text=question_text(tracker))
        if named:
            return orders.named_orders_reply(named, zone=settings.zone, tr=tr)
        if consecutive_misses(tracker) >= MISSES_BEFORE_PERSON:
            return Reply(tr._(STILL_NOT), buttons=(
                Button(tr._(TALK_TO_PERSON), intent_payload("request_human")),
                Button(tr._(HELP_TITLE), intent_payload("help"))))
        staff = accounts.role_of(session, telegram_user_id) in (Role.staff, Role.owner)
        can_do = tuple(Button(tr._(SUGGESTIONS[i]), intent_payload(i)) for i in CAN_DO)
        if refused(tracker) and (faq is None or not faq.offers):
            return Reply(tr._(OUTSIDE), buttons=can_do)
        # the FAQ entries that come close first (one tap to the shop's answer), then the intents
        # guessed, or what the bot can do when the message was refused: a refused message that
        # comes close to an entry may be a shop question in words the model does not know
        # ("is the showroom wheelchair accessible?" read as a complaint far from its examples)
        offered = answers.shown_offers(session, telegram_user_id=telegram_user_id, outcome=faq) \
            if faq is not None else ()
        guessed = can_do if refused(tracker) else suggestions(tracker, staff=staff, tr=tr)
        buttons = (*offered, *guessed)[:max(MAX_SUGGESTIONS, len(offered) + 1)]
        return Reply(tr._(DID_NOT_GET if buttons else DID_NOT_GET_PLAIN), buttons=buttons)

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        misses = consecutive_misses(tracker)
        forget = [SlotSet("order_id", None)] if unnamed_order_number(tracker) else []
        return [SlotSet(FALLBACK_SLOT, 0.0 if misses >= MISSES_BEFORE_PERSON else float(misses)), *forget]


def unnamed_order_number(tracker: Tracker) -> bool:
    """Whether the message not understood gave an order number that no order word names ("is
    7919 a prime number"): the order_id slot took it, and a later "where is my order?" would
    look up 7919. The fallback's own buttons carry the number; the slot forgets it. A number
    an order word names ("my parcel 10425 came smashed!!!") is remembered for the next message."""
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    numbers = [e for e in message.get("entities") or [] if e.get("entity") == "order_id"]
    return bool(numbers) and not any(named_as_order(text, e.get("start")) for e in numbers)
