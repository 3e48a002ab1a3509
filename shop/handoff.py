"""Handing a customer to a person (ARCHITECTURE.md §3), the same for both doors.

An action (a request for a person, a sure complaint) and the bot (Rasa or an action failed)
both call `open_handoff`: it opens the customer's ticket, or adds to their open one, and says
what to tell them. One rule for staff whatever the door: the shop's team talk to the bot for
themselves, so nothing of theirs becomes a ticket; they are told why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shop import accounts, tickets
from shop.hours import BusinessHours
from shop.models import Ticket
from shop.orders import find_customer_order, normalise_order_number
from shop.settings import Settings

STAFF_NO_TICKET = ("You're on the shop's team, so I don't open a ticket for you. /queue shows the "
                   "customers who are waiting for a person.")
STAFF_RASA_DOWN = ("Sorry, I can't answer right now because part of the assistant is restarting. "
                   "Please try again in a minute.")


@dataclass(frozen=True)
class Handoff:
    """What the asker is told, and the ticket it opened or added to (None: they are staff)."""

    text: str
    ticket: Ticket | None = None
    new: bool = False


def open_handoff(session: Session, *, telegram_user_id: int, chat_id: int, reason: str,
                 details: str | None, settings: Settings, now: datetime,
                 order_number: str | None = None) -> Handoff:
    """Open (or add to) the customer's ticket for `reason` and tell them a person will answer.

    `order_number`, as the customer wrote it, is attached when it is one of their orders.
    """
    if tickets.staff_member(session, telegram_user_id) is not None:
        return Handoff(STAFF_RASA_DOWN if reason == "bot_error" else STAFF_NO_TICKET)
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
    text = tickets.handoff_text(ticket, new=new, hours=BusinessHours.from_settings(settings),
                                target_minutes=settings.first_response_target_minutes, now=now)
    return Handoff(text, ticket, new)
