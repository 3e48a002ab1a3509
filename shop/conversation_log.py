"""The conversation log: what was said, which Telegram messages belong to which ticket, and
the summary of a ticket that staff see on its card.

Functions take the session and never commit; the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, or_, select
from sqlalchemy.orm import Session

from shop.models import Customer, Message, Order, TelegramAccount, Ticket, TicketMessage
from shop.staff_directory import name_of

HISTORY_LENGTH = 10  # messages shown on a ticket card
MAX_LOGGED_TEXT = 4000
LOG = Message.__table__  # written with Core INSERTs (log_message)
# Built once, as the statements of every message's path are (shop/db.py).
LOG_LINE = insert(LOG)
BOT_ANSWER = insert(LOG).values(
    telegram_user_id=bindparam("telegram_user_id"), ticket_id=bindparam("ticket_id"), direction="out",
    text=bindparam("text"), created_at=bindparam("created_at"),
    customer_id=(select(TelegramAccount.customer_id)
                 .where(TelegramAccount.telegram_user_id == bindparam("telegram_user_id"))
                 .scalar_subquery()))


def log_message(session: Session, *, telegram_user_id: int, direction: str, text: str | None,
                now: datetime, customer_id: int | None = None, ticket_id: int | None = None,
                message_id: int | None = None) -> None:
    """Add one line to the conversation log (in | out | staff | note). A Core INSERT into the
    table, written at once: each customer message and each answer writes one, and the ORM's
    unit of work (or its ORM-enabled INSERT) costs several times as much."""
    session.execute(LOG_LINE, {
        "telegram_user_id": telegram_user_id, "customer_id": customer_id, "ticket_id": ticket_id,
        "direction": direction, "text": (text or "")[:MAX_LOGGED_TEXT] or None,
        "telegram_message_id": message_id, "created_at": now})


def log_bot_answer(session: Session, *, telegram_user_id: int, texts: list[str], now: datetime,
                   ticket_id: int | None = None) -> None:
    """The bot's answer to this user, a line per message, tagged with their linked customer
    (looked up inside the INSERT: no read before the write, on the path of every message)."""
    for text in texts:
        session.execute(BOT_ANSWER, {"telegram_user_id": telegram_user_id, "ticket_id": ticket_id,
                                     "text": (text or "")[:MAX_LOGGED_TEXT] or None, "created_at": now})


def link_message(session: Session, *, ticket_id: int, chat_id: int, message_id: int, kind: str,
                 now: datetime, origin_message_id: int | None = None, origin_chat_id: int | None = None,
                 layout: str | None = None, thread_id: int | None = None) -> None:
    """Remember that a Telegram message belongs to a ticket (so replies to it reach the ticket).

    A link already stored for the same (chat, message id) is replaced: Telegram never hands
    out an id twice in a chat, so a repeat means the Bot API started numbering again (the
    console's local Bot API after a restart) and the message linked before no longer exists;
    the one just sent is the message a reply can point at.
    """
    link = session.scalars(select(TicketMessage).where(
        TicketMessage.chat_id == chat_id, TicketMessage.message_id == message_id)).first()
    if link is None:
        link = TicketMessage(chat_id=chat_id, message_id=message_id)
        session.add(link)
    link.ticket_id, link.kind, link.origin_message_id, link.created_at = \
        ticket_id, kind, origin_message_id, now
    link.origin_chat_id, link.layout, link.thread_id = origin_chat_id, layout, thread_id
    session.flush()


def relayed_copies(session: Session, *, chat_id: int, message_id: int,
                   open_only: bool = True) -> list[tuple[Ticket, TicketMessage]]:
    """Where a customer's message (`chat_id` is their private chat) was relayed to staff,
    with its ticket: what an edit of it must change. Only open tickets' unless told."""
    query = (select(Ticket, TicketMessage).join(TicketMessage, TicketMessage.ticket_id == Ticket.id)
             .where(TicketMessage.kind == "relay", TicketMessage.origin_message_id == message_id,
                    or_(TicketMessage.origin_chat_id == chat_id,
                        (TicketMessage.origin_chat_id.is_(None)) & (Ticket.chat_id == chat_id)))
             .order_by(TicketMessage.id))
    if open_only:
        query = query.where(Ticket.status.in_(("waiting", "human")))
    return [(ticket, link) for ticket, link in session.execute(query)]


def staff_copies(session: Session, *, chat_id: int, message_id: int) -> list[TicketMessage]:
    """The copies a customer received of a staff member's message (in `chat_id`)."""
    return list(session.scalars(select(TicketMessage).where(
        TicketMessage.kind == "staff", TicketMessage.origin_chat_id == chat_id,
        TicketMessage.origin_message_id == message_id).order_by(TicketMessage.id)))


def record_edit(session: Session, *, telegram_user_id: int, direction: str, message_id: int,
                text: str) -> int:
    """A logged message was edited in Telegram: the log (and so the card) shows the new text.

    `telegram_user_id` is the customer's; `message_id` the id the log kept (the customer's
    own message for "in", the copy the customer received for "staff"). Returns rows changed.
    """
    rows = list(session.scalars(select(Message).where(
        Message.telegram_user_id == telegram_user_id, Message.direction == direction,
        Message.telegram_message_id == message_id)))
    for row in rows:
        row.text = text[:MAX_LOGGED_TEXT] or None
    session.flush()
    return len(rows)


def ticket_for_message(session: Session, chat_id: int, message_id: int
                       ) -> tuple[Ticket, TicketMessage] | None:
    """The ticket a Telegram message belongs to, with the link, or None."""
    row = session.execute(
        select(Ticket, TicketMessage).join(TicketMessage, TicketMessage.ticket_id == Ticket.id)
        .where(TicketMessage.chat_id == chat_id, TicketMessage.message_id == message_id)).first()
    return (row[0], row[1]) if row else None


def card_messages(session: Session, ticket_id: int, *, limit: int = 20) -> list[TicketMessage]:
    """The ticket's cards in staff chats, newest first (the ones to update on a change)."""
    return list(session.scalars(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket_id, TicketMessage.kind == "card")
        .order_by(TicketMessage.id.desc()).limit(limit)))


@dataclass(frozen=True)
class LogLine:
    direction: str
    text: str
    at: datetime


@dataclass(frozen=True)
class TicketSummary:
    """Everything a staff member needs about a ticket, independent of how it is shown."""

    id: int
    status: str
    reason: str
    details: str | None
    created_at: datetime
    customer_name: str
    telegram_user_id: int
    linked: bool
    orders: tuple[tuple[str, str], ...]  # (number, status), newest first
    history: tuple[LogLine, ...]  # oldest first
    assignee_id: int | None
    assignee_name: str | None
    first_response_at: datetime | None
    resolved_at: datetime | None


def customer_name(session: Session, ticket: Ticket) -> str:
    if ticket.customer_id is not None:
        name = session.scalar(select(Customer.name).where(Customer.id == ticket.customer_id))
        if name:
            return name
    account_name = session.scalar(select(TelegramAccount.display_name)
                                  .where(TelegramAccount.telegram_user_id == ticket.telegram_user_id))
    return account_name or f"Telegram user {ticket.telegram_user_id}"


def summary(session: Session, ticket: Ticket, *, history: int = HISTORY_LENGTH) -> TicketSummary:
    orders: tuple[tuple[str, str], ...] = ()
    if ticket.customer_id is not None:
        orders = tuple((number, status) for number, status in session.execute(
            select(Order.number, Order.status).where(Order.customer_id == ticket.customer_id)
            .order_by(Order.created_at.desc()).limit(5)))
    lines = [(d, t, at) for d, t, at in session.execute(
        select(Message.direction, Message.text, Message.created_at)
        .where(Message.telegram_user_id == ticket.telegram_user_id)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(history))]
    return TicketSummary(
        id=ticket.id, status=ticket.status, reason=ticket.reason, details=ticket.details,
        created_at=ticket.created_at, customer_name=customer_name(session, ticket),
        telegram_user_id=ticket.telegram_user_id, linked=ticket.customer_id is not None,
        orders=orders,
        history=tuple(LogLine(d, t or "", at) for d, t, at in reversed(lines)),
        assignee_id=ticket.assignee_telegram_id,
        assignee_name=(name_of(session, ticket.assignee_telegram_id)
                       if ticket.assignee_telegram_id is not None else None),
        first_response_at=ticket.first_response_at, resolved_at=ticket.resolved_at,
    )
