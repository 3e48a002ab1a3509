"""The customer's side of ratings: a tap on a survey button or a rating typed in chat.

One rating per order or ticket (a second one updates it, shop.feedback.record_rating).
A rating of LOW_RATING or less asks what went wrong; the answer (a reason button or
the customer's own words) is stored on the feedback and a "low_rating" ticket alerts
staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop import ticket_details
from shop.accounts import linked_customer
from shop.feedback import LOW_RATING, REASON_TITLES, rating_reply, record_rating
from shop.i18n import ENGLISH, N_, Translator
from shop.models import Feedback, Order, OrderStatus, Ticket
from shop.order_requests import asker, handoff_reply
from shop.orders import NOT_FOUND, NOT_LINKED, find_customer_order, normalise_order_number
from shop.replies import Reply
from shop.tickets import open_ticket

# The reason buttons of domain.yml's utter_ask_feedback_reason send these texts, in English
# whatever the language their titles are shown in; they are stored as Feedback.reason codes
# (the demo data and metrics use the same codes).
REASON_BUTTONS = {title: code for code, title in REASON_TITLES.items()}
OTHER_REASON = "other"
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}

# What a rating is about: each message exists once per subject (order, our help, our service),
# so that every language can inflect it.
ASK_RATING = {
    "order": N_("How would you rate order {number}? Tap 1 (poor) to 5 (excellent)."),
    "ticket": N_("How would you rate our help? Tap 1 (poor) to 5 (excellent)."),
    "service": N_("How would you rate our service? Tap 1 (poor) to 5 (excellent)."),
}
LOW = {
    "order": N_("I'm sorry order {number} disappointed you."),
    "ticket": N_("I'm sorry our help disappointed you."),
    "service": N_("I'm sorry our service disappointed you."),
}
THANKS = {
    "order": N_("Thank you for rating order {number} {rating}/5!"),
    "ticket": N_("Thank you for rating our help {rating}/5!"),
    "service": N_("Thank you for rating our service {rating}/5!"),
}
UPDATED = {
    "order": N_("Thanks, I've updated your rating of order {number} to {rating}/5."),
    "ticket": N_("Thanks, I've updated your rating of our help to {rating}/5."),
    "service": N_("Thanks, I've updated your rating of our service to {rating}/5."),
}
REASON_THANKS = N_("Thank you for telling us. I've passed this to our team (ticket #{ticket}); "
                   "a person will get back to you here.")


@dataclass(frozen=True)
class RatingOutcome:
    reply: Reply
    ask_reason: bool = False  # a low rating: ask what went wrong next
    feedback_id: int | None = None


def parse_rating(raw: object) -> int | None:
    """'4', 'four', '4/5', '4 stars' → 4; None unless it is a whole number 1-5."""
    if raw is None:
        return None
    text = str(raw).strip().lower()
    if text in WORDS:
        return WORDS[text]
    match = re.match(r"^(\d)(?:\s*(?:/|of|out of)\s*5)?\b", text)
    if match is None:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= 5 else None


_RATING_IN_TEXT = re.compile(
    r"\b([1-5]|one|two|three|four|five)\s*(?:stars?|★+|/\s*5\b|out of (?:5|five)\b|of 5\b)",
    re.IGNORECASE)


def rating_in_text(text: str | None) -> int | None:
    """A rating written out in a message ("4 stars", "five out of five"), if there is one."""
    match = _RATING_IN_TEXT.search(text or "")
    return parse_rating(match.group(1)) if match else None


def parse_subject(raw: str | None) -> tuple[str, str] | None:
    """'order:1042' → ('order', '1042'), 'ticket:17' → ('ticket', '17'); else None."""
    kind, _, ref = (raw or "").partition(":")
    if kind in ("order", "ticket") and ref.strip().isdigit():
        return kind, ref.strip()
    return None


def latest_delivered_order(session: Session, customer_id: int) -> Order | None:
    return session.scalar(
        select(Order)
        .where(Order.customer_id == customer_id, Order.status == OrderStatus.delivered.value)
        .order_by(Order.delivered_at.desc().nulls_last(), Order.created_at.desc())
        .limit(1))


def rate(
    session: Session, *, telegram_user_id: int, raw_rating: object, raw_subject: str | None,
    now: datetime, zone: ZoneInfo, tr: Translator = ENGLISH,
) -> RatingOutcome:
    """Record a rating from a survey button (with a subject) or typed in chat (without).

    Typed ratings are about the customer's latest delivered order, or about the service
    in general when there is none (and for users not linked to a customer).
    """
    subject = parse_subject(raw_subject)
    customer = linked_customer(session, telegram_user_id)
    order: Order | None = None
    ticket: Ticket | None = None
    if subject is not None and subject[0] == "order":
        if customer is None:
            return RatingOutcome(Reply(tr._(NOT_LINKED)))
        number = normalise_order_number(subject[1]) or subject[1]
        order = find_customer_order(session, customer_id=customer.id, number=number)
        if order is None:
            return RatingOutcome(Reply(tr._(NOT_FOUND, number=number)))
    elif subject is not None:
        ticket = session.scalar(select(Ticket).where(
            Ticket.id == int(subject[1]), Ticket.telegram_user_id == telegram_user_id))
        if ticket is None:
            return RatingOutcome(Reply(tr._("I can't find that conversation to rate, sorry.")))
    elif customer is not None:
        order = latest_delivered_order(session, customer.id)
    what = "order" if order is not None else "ticket" if ticket is not None else "service"
    number = order.number if order is not None else ""
    rating = parse_rating(raw_rating)
    if rating is None:
        ref = (f"order:{order.number}" if order is not None
               else f"ticket:{ticket.id}" if ticket is not None else "service")
        return RatingOutcome(rating_reply(tr._(ASK_RATING[what], number=number), subject=ref))
    order_id = order.id if order is not None else None
    ticket_id = ticket.id if ticket is not None else None
    existing = None
    if order_id is not None or ticket_id is not None:
        existing = session.scalar(select(Feedback.id).where(
            Feedback.order_id == order_id if order_id is not None else Feedback.ticket_id == ticket_id))
    feedback = record_rating(
        session, customer_id=customer.id if customer is not None else None, rating=rating, now=now,
        order_id=order_id, ticket_id=ticket_id, source="survey" if subject is not None else "chat")
    if rating <= LOW_RATING:
        return RatingOutcome(Reply(tr._(LOW[what], number=number)), ask_reason=True,
                             feedback_id=feedback.id)
    template = UPDATED if existing is not None else THANKS
    return RatingOutcome(Reply(tr._(template[what], number=number, rating=rating)), feedback_id=feedback.id)


def add_reason(
    session: Session, *, telegram_user_id: int, feedback_id: int, text: str, now: datetime,
    tr: Translator = ENGLISH,
) -> Reply:
    """Store why a low rating was given and alert staff with a "low_rating" ticket."""
    said = " ".join((text or "").split())
    feedback = session.get(Feedback, feedback_id)
    customer = linked_customer(session, telegram_user_id)
    if feedback is None or (feedback.customer_id is not None and (
            customer is None or feedback.customer_id != customer.id)):
        return Reply(tr._("Thank you for telling us."))
    code = REASON_BUTTONS.get(said)
    feedback.reason = code or OTHER_REASON
    if code is None and said:
        feedback.comment = said[:2000]
    order = session.get(Order, feedback.order_id) if feedback.order_id else None
    details = ticket_details.low_rating(
        subject="order" if order is not None else "ticket" if feedback.ticket_id else "service",
        number=order.number if order is not None else feedback.ticket_id, rating=feedback.rating,
        reason=code, said=None if code is not None else said)
    who = asker(session, telegram_user_id)
    ticket, new = open_ticket(
        session, telegram_user_id=telegram_user_id,
        chat_id=who.chat_id if who is not None else telegram_user_id,
        customer_id=customer.id if customer is not None else None, reason="low_rating",
        details=details, order_id=feedback.order_id, now=now)
    session.flush()
    return handoff_reply(ticket, new=new, text=tr._(REASON_THANKS, ticket=ticket.id), tr=tr)
