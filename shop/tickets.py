"""Human handoff: the ticket state machine of ARCHITECTURE.md §3.

bot ──(trigger)──▶ waiting ──(claim)──▶ human ──(resolve)──▶ resolved ──▶ bot
While a customer has a waiting or human ticket, their messages go to people, not Rasa.

The rules live here once, whatever the transport: who may act on a ticket, what a
claim, transfer or escalation does, which tickets are due for a reminder, which
Telegram messages belong to a ticket. Functions take the session and never commit;
the caller owns the transaction. Who is staff is read from the store on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from shop.hours import BusinessHours, expected_answer
from shop.models import (
    Customer,
    Message,
    Order,
    Role,
    TelegramAccount,
    TelegramUsername,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketStatus,
)

OPEN_STATES = (TicketStatus.waiting.value, TicketStatus.human.value)
STAFF_ROLES = (Role.staff.value, Role.owner.value)
HISTORY_LENGTH = 10  # messages shown on a ticket card
MAX_LOGGED_TEXT = 4000

REASON_LABELS = {
    "request_human": "asked for a person",
    "complaint": "complaint",
    "not_understood": "the bot did not understand twice in a row",
    "low_rating": "low rating",
    "bot_error": "the bot could not answer (technical problem)",
}


class TicketError(ValueError):
    """A transition that is not allowed; the message says why, for the person who tried."""


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " "))


# --- opening -----------------------------------------------------------------------------


def active_ticket(session: Session, telegram_user_id: int) -> Ticket | None:
    """The customer's open (waiting or human) ticket, if any."""
    return session.scalar(
        select(Ticket)
        .where(Ticket.telegram_user_id == telegram_user_id, Ticket.status.in_(OPEN_STATES))
        .order_by(Ticket.created_at.desc())
        .limit(1)
    )


def open_ticket(
    session: Session, *, telegram_user_id: int, chat_id: int, customer_id: int | None,
    reason: str, details: str | None = None, order_id: int | None = None, now: datetime,
) -> tuple[Ticket, bool]:
    """Open a waiting ticket, or return the customer's open one; True when it is new.

    A second trigger while a ticket is open adds to it rather than opening another.
    Staff are alerted by the bot, which watches for new tickets (bot/handoff).
    """
    existing = active_ticket(session, telegram_user_id)
    if existing is not None:
        if details:
            existing.details = f"{existing.details}\n{details}" if existing.details else details
        return existing, False
    ticket = Ticket(
        telegram_user_id=telegram_user_id, chat_id=chat_id, customer_id=customer_id,
        reason=reason, details=details, order_id=order_id, status=TicketStatus.waiting.value,
        created_at=now,
    )
    session.add(ticket)
    session.flush()
    return ticket, True


def get_ticket(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket | None:
    """A ticket by id; `lock` takes a row lock (PostgreSQL) for a state change."""
    query = select(Ticket).where(Ticket.id == ticket_id)
    return session.scalar(query.with_for_update() if lock else query)


# --- who is who --------------------------------------------------------------------------


def staff_member(session: Session, telegram_user_id: int) -> TelegramAccount | None:
    """The staff or owner account of this user, else None (checked on every staff action)."""
    return session.scalar(select(TelegramAccount).where(
        TelegramAccount.telegram_user_id == telegram_user_id,
        TelegramAccount.role.in_(STAFF_ROLES)))


def staff_recipients(session: Session) -> list[TelegramAccount]:
    """Staff and owners the bot can write to privately (started, not blocked), owners first."""
    return list(session.scalars(
        select(TelegramAccount)
        .where(TelegramAccount.role.in_(STAFF_ROLES), TelegramAccount.started.is_(True),
               TelegramAccount.blocked.is_(False), TelegramAccount.chat_id.is_not(None))
        .order_by(TelegramAccount.role != Role.owner.value, TelegramAccount.telegram_user_id)))


def owners(session: Session) -> list[TelegramAccount]:
    """Owners, those the bot can reach privately first."""
    return list(session.scalars(
        select(TelegramAccount)
        .where(TelegramAccount.role == Role.owner.value)
        .order_by((TelegramAccount.started.is_(True) & TelegramAccount.blocked.is_(False)).desc(),
                  TelegramAccount.telegram_user_id)))


def reachable_owners(session: Session) -> list[TelegramAccount]:
    """Owners the bot can write to privately (started, not blocked): the digest, the 2× alert."""
    return list(session.scalars(
        select(TelegramAccount)
        .where(TelegramAccount.role == Role.owner.value, TelegramAccount.started.is_(True),
               TelegramAccount.blocked.is_(False), TelegramAccount.chat_id.is_not(None))
        .order_by(TelegramAccount.telegram_user_id)))


def name_of(session: Session, telegram_user_id: int | None) -> str:
    if telegram_user_id is None:
        return "nobody"
    name = session.scalar(select(TelegramAccount.display_name)
                          .where(TelegramAccount.telegram_user_id == telegram_user_id))
    return name or f"user {telegram_user_id}"


def remember_username(session: Session, *, telegram_user_id: int, username: str | None,
                      now: datetime) -> None:
    """Keep a staff member's @username so others can name them in /transfer.

    A username belongs to one account at a time; one seen on someone else moved there.
    """
    if not username:
        return
    session.execute(delete(TelegramUsername).where(
        func.lower(TelegramUsername.username) == username.lower(),
        TelegramUsername.telegram_user_id != telegram_user_id))
    row = session.scalar(select(TelegramUsername)
                         .where(TelegramUsername.telegram_user_id == telegram_user_id))
    if row is None:
        session.add(TelegramUsername(telegram_user_id=telegram_user_id, username=username[:64],
                                     seen_at=now))
    elif row.username != username:
        row.username, row.seen_at = username[:64], now
    session.flush()


def find_staff(session: Session, ref: str) -> TelegramAccount | None:
    """A staff member by Telegram id, @username or (unique) name; None if not staff."""
    ref = ref.strip().removeprefix("@")
    if ref.lstrip("-").isdigit():
        return staff_member(session, int(ref))
    if not ref:
        return None
    by_username = session.scalar(
        select(TelegramAccount)
        .join(TelegramUsername, TelegramUsername.telegram_user_id == TelegramAccount.telegram_user_id)
        .where(func.lower(TelegramUsername.username) == ref.lower(), TelegramAccount.role.in_(STAFF_ROLES))
        .order_by(TelegramUsername.seen_at.desc()).limit(1))
    if by_username is not None:
        return by_username
    wanted = ref.lower()
    matches = [a for a in session.scalars(
        select(TelegramAccount).where(TelegramAccount.role.in_(STAFF_ROLES)))
        if a.display_name and wanted in (a.display_name.lower(), a.display_name.split()[0].lower())]
    return matches[0] if len(matches) == 1 else None


# --- transitions --------------------------------------------------------------------------


def _event(session: Session, ticket: Ticket, kind: str, *, now: datetime, actor: int | None = None,
           target: int | None = None) -> None:
    session.add(TicketEvent(ticket_id=ticket.id, kind=kind, actor_telegram_id=actor,
                            target_telegram_id=target, created_at=now))


def _require_open(ticket: Ticket) -> None:
    if ticket.status == TicketStatus.resolved.value:
        raise TicketError(f"Ticket #{ticket.id} is already resolved; the customer is back with the bot.")
    if ticket.status == TicketStatus.cancelled.value:
        raise TicketError(f"Ticket #{ticket.id} was cancelled by the customer; they're back with the bot.")


def claim(session: Session, ticket: Ticket, *, staff_telegram_id: int, now: datetime) -> bool:
    """Take a waiting ticket; False if it was yours already. Someone else's claim is refused."""
    _require_open(ticket)
    if ticket.status == TicketStatus.human.value:
        if ticket.assignee_telegram_id == staff_telegram_id:
            return False
        raise TicketError(f"Ticket #{ticket.id} is already claimed by "
                          f"{name_of(session, ticket.assignee_telegram_id)}.")
    ticket.status = TicketStatus.human.value
    ticket.assignee_telegram_id = staff_telegram_id
    _event(session, ticket, "claim", now=now, actor=staff_telegram_id)
    session.flush()
    return True


def transfer(session: Session, ticket: Ticket, *, by: int, to: int, now: datetime) -> TelegramAccount:
    """Hand an open ticket to another staff member (it becomes theirs, `human`)."""
    _require_open(ticket)
    target = staff_member(session, to)
    if target is None:
        raise TicketError(f"User {to} is not on the team, so they can't take ticket #{ticket.id}.")
    if ticket.status == TicketStatus.human.value and ticket.assignee_telegram_id == to:
        raise TicketError(f"Ticket #{ticket.id} is already with {name_of(session, to)}.")
    ticket.status = TicketStatus.human.value
    ticket.assignee_telegram_id = to
    _event(session, ticket, "transfer", now=now, actor=by, target=to)
    session.flush()
    return target


def escalate(session: Session, ticket: Ticket, *, by: int, now: datetime) -> TelegramAccount:
    """Hand an open ticket to the owner (the first one who is not `by`)."""
    _require_open(ticket)
    candidates = [o for o in owners(session) if o.telegram_user_id != by]
    if not candidates:
        raise TicketError("You are the only owner; there is nobody to escalate to.")
    if ticket.assignee_telegram_id in {o.telegram_user_id for o in candidates}:
        raise TicketError(f"Ticket #{ticket.id} is already with the owner, "
                          f"{name_of(session, ticket.assignee_telegram_id)}.")
    owner = candidates[0]
    ticket.status = TicketStatus.human.value
    ticket.assignee_telegram_id = owner.telegram_user_id
    _event(session, ticket, "escalate", now=now, actor=by, target=owner.telegram_user_id)
    session.flush()
    return owner


def check_staff_reply(session: Session, ticket: Ticket) -> None:
    """A staff answer is allowed on an open ticket only."""
    if ticket.status == TicketStatus.resolved.value:
        raise TicketError(f"Ticket #{ticket.id} is resolved, so nothing was sent: the customer is "
                          "back with the bot. They can ask for a person again at any time.")
    if ticket.status == TicketStatus.cancelled.value:
        raise TicketError(f"Ticket #{ticket.id} was cancelled by the customer, so nothing was sent: they "
                          "went back to the bot. They can ask for a person again at any time.")


def record_staff_reply(session: Session, ticket: Ticket, *, staff_telegram_id: int, text: str | None,
                       message_id: int | None, now: datetime) -> bool:
    """Log a staff answer that reached the customer; the first one sets first_response_at.

    Answering a waiting ticket claims it. Returns True when this answer claimed it.
    """
    check_staff_reply(session, ticket)
    claimed = False
    if ticket.status == TicketStatus.waiting.value:
        claimed = claim(session, ticket, staff_telegram_id=staff_telegram_id, now=now)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    log_message(session, telegram_user_id=ticket.telegram_user_id, customer_id=ticket.customer_id,
                ticket_id=ticket.id, direction="staff", text=text, message_id=message_id, now=now)
    return claimed


def add_note(session: Session, ticket: Ticket, *, by: int, text: str, now: datetime) -> Message:
    """An internal note on a ticket: shown to staff on its card, never to the customer."""
    if not text.strip():
        raise TicketError("A note needs some text: /note 17 what you want to remember.")
    message = log_message(session, telegram_user_id=ticket.telegram_user_id,
                          customer_id=ticket.customer_id, ticket_id=ticket.id, direction="note",
                          text=f"{name_of(session, by)}: {text.strip()}", now=now)
    _event(session, ticket, "note", now=now, actor=by)
    return message


def resolve(session: Session, ticket: Ticket, *, by: int | None = None, now: datetime) -> None:
    """Close the ticket; the customer goes back to the bot."""
    _require_open(ticket)
    ticket.status = TicketStatus.resolved.value
    ticket.resolved_at = now
    _event(session, ticket, "resolve", now=now, actor=by)
    session.flush()


def cancel_waiting(session: Session, telegram_user_id: int, *, now: datetime) -> tuple[Ticket | None, bool]:
    """The customer takes their request back ("Back to the assistant", /bot).

    Returns (their open ticket or None, cancelled): only a ticket nobody has claimed yet
    can be cancelled; one a person already handles stays with them.
    """
    ticket = active_ticket(session, telegram_user_id)
    if ticket is None or ticket.status != TicketStatus.waiting.value:
        return ticket, False
    ticket.status = TicketStatus.cancelled.value
    _event(session, ticket, "cancel", now=now, actor=telegram_user_id)
    session.flush()
    return ticket, True


def release_departed(session: Session, *, now: datetime) -> list[tuple[Ticket, int]]:
    """Tickets held by someone who is no longer staff go back to waiting, to be re-alerted.

    Returns each released ticket with the id of the person who had it; the caller posts
    the alert (last_alert_at is set now, so reminders follow if nobody claims it).
    """
    still_staff = select(TelegramAccount.telegram_user_id).where(TelegramAccount.role.in_(STAFF_ROLES))
    orphans = list(session.scalars(
        select(Ticket).where(Ticket.status == TicketStatus.human.value,
                             Ticket.assignee_telegram_id.not_in(still_staff))
        .order_by(Ticket.created_at)))
    released = []
    for ticket in orphans:
        previous = ticket.assignee_telegram_id
        assert previous is not None
        ticket.status = TicketStatus.waiting.value
        ticket.assignee_telegram_id = None
        ticket.last_alert_at = now  # the caller alerts staff at once; reminders count from now
        _event(session, ticket, "released", now=now, actor=previous)
        released.append((ticket, previous))
    session.flush()
    return released


def open_queue(session: Session, *, limit: int = 50) -> list[Ticket]:
    """Open tickets, oldest first (what /queue shows)."""
    return list(session.scalars(
        select(Ticket).where(Ticket.status.in_(OPEN_STATES))
        .order_by(Ticket.created_at, Ticket.id).limit(limit)))


# --- alerts and timers ---------------------------------------------------------------------


def unalerted(session: Session, *, limit: int = 20) -> list[Ticket]:
    """New waiting tickets nobody has been told about yet, oldest first."""
    return list(session.scalars(
        select(Ticket).where(Ticket.status == TicketStatus.waiting.value, Ticket.last_alert_at.is_(None))
        .order_by(Ticket.created_at, Ticket.id).limit(limit)))


def take_alert(session: Session, ticket: Ticket, *, kind: str, now: datetime,
               expected_last: datetime | None) -> bool:
    """Record an alert unless another process just did (compare-and-set on last_alert_at)."""
    condition = (Ticket.last_alert_at.is_(None) if expected_last is None
                 else Ticket.last_alert_at == expected_last)
    result = session.execute(update(Ticket).where(Ticket.id == ticket.id, condition)
                             .values(last_alert_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    ticket.last_alert_at = now
    _event(session, ticket, kind, now=now)
    session.flush()
    return True


def has_event(session: Session, ticket_id: int, kind: str) -> bool:
    return session.scalar(select(TicketEvent.id).where(
        TicketEvent.ticket_id == ticket_id, TicketEvent.kind == kind).limit(1)) is not None


@dataclass(frozen=True)
class Overdue:
    """Waiting tickets past their first-response target: re-alert staff, and (2×) the owner."""

    realert: list[Ticket]
    owner: list[Ticket]


def overdue(session: Session, *, hours: BusinessHours, target_minutes: float, now: datetime,
            limit: int = 20) -> Overdue:
    """Which waiting tickets need a reminder now, counting business time only.

    Staff are reminded every `target_minutes` of business time without an answer; the
    owner once, when a ticket has waited twice the target.
    """
    waiting = session.scalars(
        select(Ticket).where(Ticket.status == TicketStatus.waiting.value,
                             Ticket.last_alert_at.is_not(None))
        .order_by(Ticket.created_at, Ticket.id))
    realert: list[Ticket] = []
    owner: list[Ticket] = []
    for ticket in waiting:
        assert ticket.last_alert_at is not None
        if len(owner) < limit and hours.add(ticket.created_at, 2 * target_minutes) <= now \
                and not has_event(session, ticket.id, "owner_alert"):
            owner.append(ticket)
        elif len(realert) < limit and hours.add(ticket.last_alert_at, target_minutes) <= now:
            realert.append(ticket)
        if len(realert) >= limit and len(owner) >= limit:
            break
    return Overdue(realert, owner)


def record_owner_alert(session: Session, ticket: Ticket, *, now: datetime) -> None:
    ticket.last_alert_at = now
    _event(session, ticket, "owner_alert", now=now)
    session.flush()


# --- messages ----------------------------------------------------------------------------


def log_message(session: Session, *, telegram_user_id: int, direction: str, text: str | None,
                now: datetime, customer_id: int | None = None, ticket_id: int | None = None,
                message_id: int | None = None) -> Message:
    """Add one line to the conversation log (in | out | staff | note)."""
    message = Message(telegram_user_id=telegram_user_id, customer_id=customer_id, ticket_id=ticket_id,
                      direction=direction, text=(text or "")[:MAX_LOGGED_TEXT] or None,
                      telegram_message_id=message_id, created_at=now)
    session.add(message)
    return message


def link_message(session: Session, *, ticket_id: int, chat_id: int, message_id: int, kind: str,
                 now: datetime, origin_message_id: int | None = None) -> None:
    """Remember that a Telegram message belongs to a ticket (so replies to it reach the ticket)."""
    session.add(TicketMessage(ticket_id=ticket_id, chat_id=chat_id, message_id=message_id, kind=kind,
                              origin_message_id=origin_message_id, created_at=now))
    session.flush()


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


# --- what staff see -------------------------------------------------------------------------


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


# --- what the customer is told -------------------------------------------------------------

RESOLVED_TEXT = ("Our team has marked your conversation as resolved, so you're back with me, the "
                 "shop's bot. Ask me about your orders any time, or say \"talk to a person\" to "
                 "reach the team again.")
RATING_QUESTION = "How happy are you with the help you got from our team? (1 = not at all, 5 = very)"
_OPENINGS = {
    "request_human": "OK, I've asked a person from our team to help you.",
    "complaint": "I'm sorry to hear that. I've passed this on to a person from our team.",
    "not_understood": "Sorry, I still don't understand. I've asked a person from our team to help you.",
    "bot_error": ("Sorry, I can't answer right now because of a technical problem on our side. "
                  "I've passed your message on to a person from our team."),
}


BACK_TO_BOT = ("OK, I've told our team you don't need a person after all, so you're back with me, "
               "the shop's bot. How can I help? For example: \"where is my order 1042?\"")
NOTHING_TO_CANCEL = "You're talking to me, the shop's bot, already. How can I help?"
BACK_BUTTON = "Back to the assistant"


def cannot_cancel_text(ticket: Ticket) -> str:
    return (f"A person from our team is already looking at your conversation (ticket #{ticket.id}), so "
            "it stays with them; they'll answer here. They can hand you back to me when you're done.")


def handoff_text(ticket: Ticket, *, new: bool, hours: BusinessHours, target_minutes: float,
                 now: datetime) -> str:
    """What the customer reads when their conversation goes to a person."""
    when = expected_answer(hours, target_minutes, now)
    if not new:
        return (f"You're already in touch with our team (ticket #{ticket.id}); a person will answer "
                f"here {when}. Everything you write now goes to them.")
    opening = _OPENINGS.get(ticket.reason, "I've asked a person from our team to help you.")
    return (f"{opening} They'll answer here {when}. Until then everything you write, photos "
            "included, goes to them.")


def first_name(name: str | None) -> str:
    return (name or "Someone").split()[0]
