"""Handing a customer to a person (ARCHITECTURE.md §3), the same for both doors.

An action (a request for a person, a sure complaint) and the bot (Rasa or an action failed)
both call `open_handoff`: it opens the customer's ticket, or adds to their open one, and says
what to tell them. One rule for staff whatever the door: the shop's team talk to the bot for
themselves, so nothing of theirs becomes a ticket; they are told why. What the customer
reads about their handoff (a person will answer, back to the bot, resolved) is here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shop import accounts, ticket_details, tickets
from shop.hours import BusinessHours, expected_answer
from shop.i18n import ENGLISH, N_, Translator
from shop.models import Ticket
from shop.orders import find_customer_order, normalise_order_number
from shop.settings import Settings
from shop.staff_directory import staff_member

STAFF_NO_TICKET = N_("You're on the shop's team, so I don't open a ticket for you. /queue shows the "
                   "customers who are waiting for a person.")
STAFF_RASA_DOWN = N_("Sorry, I can't answer right now because part of the assistant is restarting. "
                   "Please try again in a minute.")


@dataclass(frozen=True)
class Handoff:
    """What the asker is told, and the ticket it opened or added to (None: they are staff)."""

    text: str
    ticket: Ticket | None = None
    new: bool = False


def open_handoff(session: Session, *, telegram_user_id: int, chat_id: int, reason: str,
                 details: ticket_details.Part | None, settings: Settings, now: datetime,
                 order_number: str | None = None, tr: Translator = ENGLISH) -> Handoff:
    """Open (or add to) the customer's ticket for `reason` and tell them a person will answer.

    `order_number`, as the customer wrote it, is attached when it is one of their orders.
    """
    if staff_member(session, telegram_user_id) is not None:
        told = STAFF_RASA_DOWN if reason == "bot_error" else STAFF_NO_TICKET
        return Handoff(tr._(told))
    customer = accounts.linked_customer(session, telegram_user_id)
    order_id = None
    number = normalise_order_number(order_number)
    if customer is not None and number is not None:
        order = find_customer_order(session, customer_id=customer.id, number=number)
        order_id = order.id if order is not None else None
    ticket, new = tickets.open_ticket(
        session, telegram_user_id=telegram_user_id, chat_id=chat_id,
        customer_id=customer.id if customer else None, reason=reason, details=details,
        order_id=order_id, now=now)
    text = handoff_text(ticket, new=new, hours=BusinessHours.from_settings(settings),
                        target_minutes=settings.first_response_target_minutes, now=now, tr=tr)
    return Handoff(text, ticket, new)


# --- what the customer is told -------------------------------------------------------------

RESOLVED_TEXT = N_("Our team has marked your conversation as resolved, so you're back with me, the "
                 "shop's bot. Ask me about your orders any time, or say \"talk to a person\" to "
                 "reach the team again.")
RATING_QUESTION = N_("How happy are you with the help you got from our team? (1 = not at all, 5 = very)")
_OPENINGS = {
    "request_human": N_("OK, I've asked a person from our team to help you."),
    "complaint": N_("I'm sorry to hear that. I've passed this on to a person from our team."),
    "not_understood": N_("Sorry, I still don't understand. I've asked a person from our team to help you."),
    "bot_error": N_("Sorry, I can't answer right now because of a technical problem on our side. "
                  "I've passed your message on to a person from our team."),
}


# What the customer is told when a person takes their conversation ({staff}, {owner}: a first name)
CLAIMED_TEXT = N_("{staff} from our team is here and will answer you in this chat.")
TRANSFERRED_TEXT = N_("{staff} from our team is taking over your conversation.")
ESCALATED_TEXT = N_("{owner}, who runs the shop, is taking over your conversation.")

BACK_TO_BOT = N_("OK, I've told our team you don't need a person after all, so you're back with me, "
               "the shop's bot. How can I help? For example: \"where is my order 1042?\"")
NOTHING_TO_CANCEL = N_("You're talking to me, the shop's bot, already. How can I help?")
BACK_BUTTON = N_("Back to the assistant")


def cannot_cancel_text(ticket: Ticket, tr: Translator = ENGLISH) -> str:
    return tr._("A person from our team is already looking at your conversation (ticket #{ticket}), so "
                "it stays with them; they'll answer here. They can hand you back to me when you're done.",
                ticket=ticket.id)


def handoff_text(ticket: Ticket, *, new: bool, hours: BusinessHours, target_minutes: float,
                 now: datetime, tr: Translator = ENGLISH) -> str:
    """What the customer reads when their conversation goes to a person."""
    when = expected_answer(hours, target_minutes, now, tr)
    if not new:
        return tr._("You're already in touch with our team (ticket #{ticket}); a person will answer "
                    "here {when}. Everything you write now goes to them.", ticket=ticket.id, when=when)
    opening = tr._(_OPENINGS.get(ticket.reason, N_("I've asked a person from our team to help you.")))
    return tr._("{opening} They'll answer here {when}. Until then everything you write, photos "
                "included, goes to them.", opening=opening, when=when)


def first_name(name: str | None) -> str:
    return (name or "Someone").split()[0]
