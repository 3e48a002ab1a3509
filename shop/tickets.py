"""Human handoff: the ticket state machine of ARCHITECTURE.md §3.

bot ──(trigger)──▶ waiting ──(claim)──▶ human ──(resolve)──▶ resolved ──▶ bot
While a customer has a waiting or human ticket, their messages go to people, not Rasa.

The rules live here once, whatever the transport: who may act on a ticket, what a
claim, transfer or escalation does, which tickets are due for a reminder. Functions take
the session and never commit; the caller owns the transaction. Beside it: the team
(shop/staff_directory.py), the conversation log and ticket summaries
(shop/conversation_log.py), and opening a handoff with what the customer is told
(shop/handoff.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from shop import ticket_details
from shop.conversation_log import log_message
from shop.hours import BusinessHours
from shop.i18n import ENGLISH, L_, N_, TextError, Translator
from shop.models import TelegramAccount, Ticket, TicketEvent, TicketStatus
from shop.staff_directory import STAFF_ROLES, name_of, owners, staff_member

OPEN_STATES = (TicketStatus.waiting.value, TicketStatus.human.value)

REASON_LABELS = {
    "request_human": N_("asked for a person"),
    "complaint": N_("complaint"),
    "not_understood": N_("the bot did not understand twice in a row"),
    "low_rating": N_("low rating"),
    "bot_error": N_("the bot could not answer (technical problem)"),
    "cancel_order": N_("cancellation request"),
    "change_address": N_("change of delivery address"),
    "refund_request": N_("refund request"),
}


class TicketError(TextError):
    """A transition that is not allowed; the message (a Text, translated for the staff member
    who tried) says why."""


def reason_label(reason: str, tr: Translator = ENGLISH) -> str:
    label = REASON_LABELS.get(reason)
    return tr._(label) if label else reason.replace("_", " ")


# --- opening -----------------------------------------------------------------------------


# Built once: every customer message asks it (shop/db.py, "Statements on every message's path").
ACTIVE_TICKET = (select(Ticket)
                 .where(Ticket.telegram_user_id == bindparam("telegram_user_id"),
                        Ticket.status.in_(OPEN_STATES))
                 .order_by(Ticket.created_at.desc())
                 .limit(1))


def active_ticket(session: Session, telegram_user_id: int) -> Ticket | None:
    """The customer's open (waiting or human) ticket, if any."""
    return session.scalar(ACTIVE_TICKET, {"telegram_user_id": telegram_user_id})


def open_ticket(
    session: Session, *, telegram_user_id: int, chat_id: int, customer_id: int | None,
    reason: str, details: ticket_details.Part | None = None, order_id: int | None = None, now: datetime,
) -> tuple[Ticket, bool]:
    """Open a waiting ticket, or return the customer's open one; True when it is new.

    A second trigger while a ticket is open adds to it rather than opening another; `details`
    (the customer's words, or a shop.ticket_details.Detail) are added to its details.
    Staff are alerted by the bot, which watches for new tickets (bot/handoff).
    """
    existing = active_ticket(session, telegram_user_id)
    if existing is not None:
        if details:
            existing.details = ticket_details.added(existing.details, details)
        return existing, False
    ticket = Ticket(
        telegram_user_id=telegram_user_id, chat_id=chat_id, customer_id=customer_id,
        reason=reason, details=ticket_details.added(None, details), order_id=order_id,
        status=TicketStatus.waiting.value, created_at=now,
    )
    session.add(ticket)
    session.flush()
    return ticket, True


def get_ticket(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket | None:
    """A ticket by id; `lock` takes a row lock (PostgreSQL) for a state change."""
    query = select(Ticket).where(Ticket.id == ticket_id)
    return session.scalar(query.with_for_update() if lock else query)


# --- transitions --------------------------------------------------------------------------


def _event(session: Session, ticket: Ticket, kind: str, *, now: datetime, actor: int | None = None,
           target: int | None = None) -> None:
    session.add(TicketEvent(ticket_id=ticket.id, kind=kind, actor_telegram_id=actor,
                            target_telegram_id=target, created_at=now))


def _require_open(ticket: Ticket) -> None:
    if ticket.status == TicketStatus.resolved.value:
        raise TicketError(L_("Ticket #{ticket} is already resolved; the customer is back with the bot.",
                             ticket=ticket.id))
    if ticket.status == TicketStatus.cancelled.value:
        raise TicketError(L_("Ticket #{ticket} was cancelled by the customer; they're back with the bot.",
                             ticket=ticket.id))


def claim(session: Session, ticket: Ticket, *, staff_telegram_id: int, now: datetime) -> bool:
    """Take a waiting ticket; False if it was yours already. Someone else's claim is refused."""
    _require_open(ticket)
    if ticket.status == TicketStatus.human.value:
        if ticket.assignee_telegram_id == staff_telegram_id:
            return False
        raise TicketError(L_("Ticket #{ticket} is already claimed by {staff}.", ticket=ticket.id,
                             staff=name_of(session, ticket.assignee_telegram_id)))
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
        raise TicketError(L_("User {user} is not on the team, so they can't take ticket #{ticket}.",
                             user=to, ticket=ticket.id))
    if ticket.status == TicketStatus.human.value and ticket.assignee_telegram_id == to:
        raise TicketError(L_("Ticket #{ticket} is already with {staff}.", ticket=ticket.id,
                             staff=name_of(session, to)))
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
        raise TicketError(L_("You are the only owner; there is nobody to escalate to."))
    if ticket.assignee_telegram_id in {o.telegram_user_id for o in candidates}:
        raise TicketError(L_("Ticket #{ticket} is already with the owner, {owner}.", ticket=ticket.id,
                             owner=name_of(session, ticket.assignee_telegram_id)))
    owner = candidates[0]
    ticket.status = TicketStatus.human.value
    ticket.assignee_telegram_id = owner.telegram_user_id
    _event(session, ticket, "escalate", now=now, actor=by, target=owner.telegram_user_id)
    session.flush()
    return owner


def check_staff_reply(session: Session, ticket: Ticket) -> None:
    """A staff answer is allowed on an open ticket only."""
    if ticket.status == TicketStatus.resolved.value:
        raise TicketError(L_("Ticket #{ticket} is resolved, so nothing was sent: the customer is back "
                             "with the bot. They can ask for a person again at any time.", ticket=ticket.id))
    if ticket.status == TicketStatus.cancelled.value:
        raise TicketError(L_("Ticket #{ticket} was cancelled by the customer, so nothing was sent: they "
                             "went back to the bot. They can ask for a person again at any time.",
                             ticket=ticket.id))


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


def add_note(session: Session, ticket: Ticket, *, by: int, text: str, now: datetime) -> None:
    """An internal note on a ticket: shown to staff on its card, never to the customer."""
    if not text.strip():
        raise TicketError(L_("A note needs some text: /note 17 what you want to remember."))
    log_message(session, telegram_user_id=ticket.telegram_user_id, customer_id=ticket.customer_id,
                ticket_id=ticket.id, direction="note", text=f"{name_of(session, by)}: {text.strip()}",
                now=now)
    _event(session, ticket, "note", now=now, actor=by)


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
