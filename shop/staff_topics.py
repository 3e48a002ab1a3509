"""Forum topics of the staff group: one per customer, holding their tickets one after another.

With a supergroup that has topics as the staff chat, each customer's tickets live in one
topic named after the current ticket ("#12 · Dana Demo · order 1042", "✅ …" once resolved).
The bot (bot/handoff/topics.py) creates, renames, closes and reopens topics in Telegram;
this module remembers whose topic is which and what it is called. Functions take the
session and never commit; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.conversation_log import customer_name
from shop.i18n import ENGLISH, Translator
from shop.models import Order, StaffTopic, Ticket, TicketStatus

MAX_NAME = 128  # Telegram's limit for a topic name
MARKS = {TicketStatus.resolved.value: "✅ ", TicketStatus.cancelled.value: "↩️ "}


def topic_of_customer(session: Session, *, chat_id: int, telegram_user_id: int) -> StaffTopic | None:
    return session.scalar(select(StaffTopic).where(StaffTopic.chat_id == chat_id,
                                                   StaffTopic.telegram_user_id == telegram_user_id))


def topic_of_thread(session: Session, *, chat_id: int, thread_id: int) -> StaffTopic | None:
    return session.scalar(select(StaffTopic).where(StaffTopic.chat_id == chat_id,
                                                   StaffTopic.thread_id == thread_id))


def ticket_of_thread(session: Session, *, chat_id: int, thread_id: int) -> Ticket | None:
    """The ticket a topic of the staff group is about now (its customer's latest), or None
    for a topic the bot did not open (the team's own)."""
    topic = topic_of_thread(session, chat_id=chat_id, thread_id=thread_id)
    if topic is None or topic.ticket_id is None:
        return None
    return session.get(Ticket, topic.ticket_id)


def remember_topic(session: Session, *, chat_id: int, telegram_user_id: int, thread_id: int,
                   ticket_id: int, now: datetime) -> StaffTopic:
    """The customer's topic is `thread_id` (new, or recreated after someone deleted it), open,
    and about `ticket_id`."""
    topic = topic_of_customer(session, chat_id=chat_id, telegram_user_id=telegram_user_id)
    if topic is None:
        topic = StaffTopic(chat_id=chat_id, telegram_user_id=telegram_user_id, created_at=now)
        session.add(topic)
    topic.thread_id, topic.ticket_id, topic.closed, topic.updated_at = thread_id, ticket_id, False, now
    session.flush()
    return topic


def set_closed(session: Session, topic: StaffTopic, *, closed: bool, now: datetime) -> None:
    topic.closed, topic.updated_at = closed, now
    session.flush()


def order_number(session: Session, ticket: Ticket) -> str | None:
    """The order a ticket is about, else the customer's latest order, for the topic's name."""
    if ticket.order_id is not None:
        number = session.scalar(select(Order.number).where(Order.id == ticket.order_id))
        if number:
            return number
    if ticket.customer_id is None:
        return None
    return session.scalar(select(Order.number).where(Order.customer_id == ticket.customer_id)
                          .order_by(Order.created_at.desc(), Order.id.desc()).limit(1))


def topic_name(session: Session, ticket: Ticket, tr: Translator = ENGLISH) -> str:
    """'#12 · Dana Demo · order 1042'; '✅ #12 …' once resolved, '↩️ #12 …' once cancelled;
    the fixed words in the staff group's language ('Bestellung 1042')."""
    parts = [f"#{ticket.id}", " ".join(customer_name(session, ticket).split())]
    number = order_number(session, ticket)
    if number:
        parts.append(tr._("order {number}", number=number))
    name = MARKS.get(ticket.status, "") + " · ".join(parts)
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"
