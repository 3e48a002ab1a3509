"""Ratings: one survey per delivered order and per resolved ticket; ratings typed in chat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.i18n import N_
from shop.models import Feedback, Survey
from shop.replies import Button, Reply, intent_payload

LOW_RATING = 2  # ratings at or below this ask for a reason and alert staff
# The Feedback.reason codes of the reason buttons, with their titles: domain.yml's
# utter_ask_feedback_reason shows these titles (translated) and sends them back in English.
REASON_TITLES = {
    "late_delivery": N_("Arrived late"),
    "damaged": N_("Arrived damaged"),
    "wrong_item": N_("Wrong item"),
    "quality": N_("Poor quality"),
    "communication": N_("Poor communication"),
}


def open_survey(
    session: Session, *, customer_id: int | None, order_id: int | None = None,
    ticket_id: int | None = None, now: datetime,
) -> Survey | None:
    """Record that a rating was asked for; None if this order/ticket was surveyed already."""
    if (order_id is None) == (ticket_id is None):
        raise ValueError("a survey is about exactly one order or one ticket")
    column = Survey.order_id if order_id is not None else Survey.ticket_id
    subject = order_id if order_id is not None else ticket_id
    if session.scalar(select(Survey.id).where(column == subject)) is not None:
        return None
    survey = Survey(customer_id=customer_id, order_id=order_id, ticket_id=ticket_id, sent_at=now)
    session.add(survey)
    session.flush()
    return survey


def rating_reply(question: str, *, subject: str) -> Reply:
    """A question with 1-5 buttons; `subject` is 'order:1042' or 'ticket:17'."""
    stars = ("1 ★", "2 ★★", "3 ★★★", "4 ★★★★", "5 ★★★★★")
    return Reply(question, buttons=tuple(
        Button(label, intent_payload("give_feedback", rating=str(i), subject=subject))
        for i, label in enumerate(stars, start=1)))


def record_rating(
    session: Session, *, customer_id: int | None, rating: int, now: datetime,
    order_id: int | None = None, ticket_id: int | None = None, source: str = "survey",
    comment: str | None = None,
) -> Feedback:
    """Store a 1-5 rating; a second rating of the same order or ticket updates the first."""
    if not 1 <= rating <= 5:
        raise ValueError(f"a rating is 1 to 5, not {rating}")
    existing = None
    if order_id is not None or ticket_id is not None:
        existing = session.scalar(select(Feedback).where(
            Feedback.order_id == order_id if order_id is not None else Feedback.ticket_id == ticket_id))
    if existing is not None:
        existing.rating, existing.created_at = rating, now
        if comment:
            existing.comment = comment
        feedback = existing
    else:
        feedback = Feedback(customer_id=customer_id, order_id=order_id, ticket_id=ticket_id,
                            rating=rating, source=source, comment=comment, created_at=now)
        session.add(feedback)
    survey = session.scalar(select(Survey).where(
        Survey.order_id == order_id if order_id is not None else Survey.ticket_id == ticket_id)
    ) if (order_id is not None or ticket_id is not None) else None
    if survey is not None and survey.answered_at is None:
        survey.answered_at = now
    session.flush()
    return feedback
