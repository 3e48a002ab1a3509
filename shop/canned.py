"""Canned replies: the team's saved answers, with placeholders filled from a ticket (issue 16).

A reply's text may hold the placeholders of PLACEHOLDERS, written `{name}`; `{{` and `}}` are
a brace itself. The text is parsed with string.Formatter and filled piece by piece: nothing is
ever looked up on an object, so `{name.__class__}` or `{order[0]}` are refused when the reply
is saved, not evaluated. A placeholder the ticket has no value for (an order without a
tracking number) refuses the whole reply, naming it, rather than sending a gap.

Only the shop's team (staff and owners) may list, save, delete or send them. Functions take
the session and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.accounts import linked_customer, stored_language
from shop.delivery import expected_at, shipment_stage
from shop.handoff import first_name
from shop.i18n import ENGLISH, L_, N_, Readable, Text, TextError, Translator, translator
from shop.models import CannedReply, Customer, Order, OrderKind, OrderStatus, TelegramAccount, Ticket
from shop.orders import customer_orders, fmt_day, status_word
from shop.staff_directory import staff_member

PLACEHOLDERS: dict[str, str] = {
    "name": "the customer's first name",
    "order": "the ticket's order number (else the customer's latest order)",
    "status": "that order's status in the customer's language, e.g. “on its way”, “unterwegs”",
    "tracking": "that order's tracking number",
    "eta": "the day that order is expected, as the customer's language writes it: “23 Nov 2026”, "
           "“23. Nov. 2026”",
    "staff": "your first name",
}
NAME = re.compile(r"[a-z0-9_-]{1,32}")
MAX_TEXT = 4096  # Telegram's limit for one message, filled or not
MAX_LISTED_TEXT = 70
MAX_LISTING = 3500  # one Telegram message (4096), with room for the usage lines

NOT_STAFF = N_("Sorry, only the shop's team can use canned replies.")
_LISTED = " ".join(f"{{{p}}}" for p in PLACEHOLDERS)  # "{name} {order} ...", never translated
USAGE = L_("Canned replies (the shop's team):\n"
           "/canned: list them\n"
           "/canned add NAME text: save one (NAME: a-z, 0-9, _ or -, up to 32); saving an existing "
           "NAME replaces its text\n"
           "/canned show NAME: its whole text\n"
           "/canned delete NAME\n"
           "/c NAME as a reply to a ticket card or a customer's message, or /c NAME 17 (a ticket "
           "number) anywhere: send it to the customer\n"
           "Placeholders: {placeholders}; write {{{{ or }}}} for a brace itself.", placeholders=_LISTED)


class CannedError(TextError):
    """The reply can't be saved, found or filled; the message (a Text, translated for the staff
    member) says why."""


# --- the text and its placeholders -----------------------------------------------------------


def normalise_name(raw: str) -> str:
    """'Thanks' → 'thanks'; a name that is not 1-32 of a-z, 0-9, _ and - is refused."""
    name = raw.strip().lower()
    if not NAME.fullmatch(name):
        raise CannedError(L_("“{name}” can't be a canned reply's name: use 1 to 32 letters a-z, digits, "
                             "_ or -, e.g. thanks or late-parcel.", name=raw.strip()[:40]))
    return name


def _pieces(text: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder or None) in order; every placeholder checked to be one of ours."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise CannedError(L_("The text has a {open} or {close} without its partner. Placeholders are "
                             "written like {example}; write {{{{ or }}}} for a brace itself.",
                             open="{", close="}", example="{name}")) from None
    pieces: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if field is None:
            pieces.append((literal, None))
            continue
        written = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if field not in PLACEHOLDERS:
            raise CannedError(L_("{written} is not a placeholder. Placeholders: {placeholders}; write "
                                 "{{{{ or }}}} for a brace itself.", written=written, placeholders=_LISTED))
        if conversion or spec:
            raise CannedError(L_("{written}: a placeholder is just its name in braces, like {field}.",
                                 written=written, field=f"{{{field}}}"))
        pieces.append((literal, field))
    return pieces


def placeholders_in(text: str) -> list[str]:
    """The placeholders the text uses, in order of first use; CannedError for anything else."""
    found: list[str] = []
    for _, field in _pieces(text):
        if field is not None and field not in found:
            found.append(field)
    return found


@dataclass(frozen=True)
class Gap:
    """A placeholder without a value, and why (“order 1042 has no tracking number yet”)."""

    reason: Readable


Values = Mapping[str, "str | Gap"]


def fill(text: str, values: Values) -> str:
    """The text with each placeholder replaced by its value; CannedError naming every
    placeholder that has none (nothing is sent with a gap)."""
    pieces = _pieces(text)
    gaps: list[Text] = []
    out: list[str] = []
    for literal, field in pieces:
        out.append(literal)
        if field is None:
            continue
        value = values.get(field, Gap(L_("no value")))
        if isinstance(value, Gap):
            line = L_("{placeholder}: {reason} — not sent", placeholder=f"{{{field}}}", reason=value.reason)
            if line not in gaps:
                gaps.append(line)
        else:
            out.append(value)
    if gaps:
        raise CannedError(tuple(gaps))
    filled = "".join(out)
    if not filled.strip():
        raise CannedError(L_("The filled text is empty — not sent"))
    if len(filled) > MAX_TEXT:
        raise CannedError(L_("The filled text is {length} characters, more than Telegram's {limit} for one "
                             "message — not sent", length=len(filled), limit=MAX_TEXT))
    return filled


# --- the values of a ticket ------------------------------------------------------------------


def _ticket_customer(session: Session, ticket: Ticket) -> Customer | None:
    if ticket.customer_id is not None:
        return session.get(Customer, ticket.customer_id)
    return linked_customer(session, ticket.telegram_user_id)  # linked after the ticket opened


def ticket_order(session: Session, ticket: Ticket) -> Order | Text:
    """The order a ticket is about (its own, else the customer's latest), or why there is none."""
    if ticket.order_id is not None:
        order = session.get(Order, ticket.order_id)
        if order is not None:
            return order
    customer = _ticket_customer(session, ticket)
    if customer is None:
        return L_("the customer of ticket #{ticket} isn't linked to a customer account, so there is no order",
                  ticket=ticket.id)
    latest = customer_orders(session, customer_id=customer.id, limit=1)
    return latest[0] if latest else L_("{customer} has no orders", customer=customer.name)


def _customer_first_name(session: Session, ticket: Ticket) -> str | Gap:
    customer = _ticket_customer(session, ticket)
    name = customer.name if customer is not None and customer.erased_at is None else None
    if not name:
        name = session.scalar(select(TelegramAccount.display_name)
                              .where(TelegramAccount.telegram_user_id == ticket.telegram_user_id))
    if not name or not name.strip():
        return Gap(L_("the customer of ticket #{ticket} has no name on record", ticket=ticket.id))
    return first_name(name)


def _tracking(order: Order) -> str | Gap:
    if order.kind == OrderKind.service.value:
        return Gap(L_("order {number} is a service project, it has no tracking number", number=order.number))
    stage = shipment_stage(order)
    if stage is None or not stage.tracking_number:
        return Gap(L_("order {number} has no tracking number yet", number=order.number))
    return stage.tracking_number


def _eta(order: Order, *, zone: ZoneInfo, now: datetime, tr: Translator) -> str | Gap:
    if order.status == OrderStatus.cancelled.value:
        return Gap(L_("order {number} was cancelled", number=order.number))
    if order.status == OrderStatus.delivered.value or order.delivered_at is not None:
        if order.delivered_at is None:
            return Gap(L_("order {number} was already delivered", number=order.number))
        delivered = order.delivered_at
        return Gap(L_("order {number} was already delivered on {day}", number=order.number,
                      day=lambda tr: tr.date(delivered, zone)))
    eta = expected_at(order)
    if eta is None:
        return Gap(L_("order {number} has no expected delivery date yet", number=order.number))
    if eta.astimezone(zone).date() < now.astimezone(zone).date():
        return Gap(L_("order {number} was expected on {day}, which has passed", number=order.number,
                      day=lambda tr: tr.date(eta, zone)))
    return fmt_day(eta, zone, tr)


def ticket_values(session: Session, ticket: Ticket, *, staff_name: str, zone: ZoneInfo,
                  now: datetime) -> dict[str, str | Gap]:
    """Every placeholder's value for a staff answer on this ticket, or the Gap that explains why not.

    The values go to the customer, so {status} and {eta} are in the language the assistant
    answers them in (the reasons of a Gap are for the staff member, translated where shown).
    """
    tr = translator(stored_language(session, ticket.telegram_user_id))
    order = ticket_order(session, ticket)
    values: dict[str, str | Gap] = {"name": _customer_first_name(session, ticket),
                                    "staff": first_name(staff_name)}
    if isinstance(order, Text):
        values.update(dict.fromkeys(("order", "status", "tracking", "eta"), Gap(order)))
    else:
        values.update(order=order.number, status=status_word(order.status, tr),
                      tracking=_tracking(order), eta=_eta(order, zone=zone, now=now, tr=tr))
    return values


# --- the store -----------------------------------------------------------------------------


def find_reply(session: Session, name: str) -> CannedReply | None:
    """The reply of this name (any case), or None (also for a name that can't be one)."""
    try:
        key = normalise_name(name)
    except CannedError:
        return None
    return session.scalar(select(CannedReply).where(CannedReply.name == key))


def require_reply(session: Session, name: str) -> CannedReply:
    reply = find_reply(session, name)
    if reply is None:
        names = [r.name for r in list_replies(session)]
        wanted = name.strip()[:40]
        raise CannedError(L_("There is no canned reply “{name}”. The team's: {names}.", name=wanted,
                             names=", ".join(names)) if names else
                          L_("There is no canned reply “{name}”. There are none yet: /canned add NAME text.",
                             name=wanted))
    return reply


def list_replies(session: Session) -> list[CannedReply]:
    return list(session.scalars(select(CannedReply).order_by(CannedReply.name)))


def save_reply(session: Session, *, name: str, text: str, by: int, now: datetime) -> tuple[CannedReply, bool]:
    """Save a reply (replacing the text of one of that name); True when it is new.

    Its placeholders are checked here, so a reply that was saved can always be filled
    from a ticket that has the values.
    """
    key = normalise_name(name)
    text = text.strip()
    if not text:
        raise CannedError(L_("A canned reply needs a text: /canned add {name} Thanks, {{name}}!", name=key))
    if len(text) > MAX_TEXT:
        raise CannedError(L_("The text is {length} characters; Telegram sends at most {limit} in one "
                             "message.", length=len(text), limit=MAX_TEXT))
    placeholders_in(text)
    reply = session.scalar(select(CannedReply).where(CannedReply.name == key).with_for_update())
    if reply is None:
        reply = CannedReply(name=key, text=text, created_by=by, created_at=now, updated_at=now)
        session.add(reply)
        session.flush()
        return reply, True
    reply.text, reply.updated_at = text, now
    session.flush()
    return reply, False


def delete_reply(session: Session, name: str) -> CannedReply:
    reply = require_reply(session, name)
    session.delete(reply)
    session.flush()
    return reply


# --- /canned, as text ------------------------------------------------------------------------


def canned_command(session: Session, *, telegram_user_id: int, args: str, now: datetime,
                   tr: Translator = ENGLISH) -> str:
    """The answer to `/canned <args>` from this Telegram user (staff and owners only), in `tr`'s language."""
    return tr.render(_canned_command(session, telegram_user_id=telegram_user_id, args=args, now=now))


def _canned_command(session: Session, *, telegram_user_id: int, args: str, now: datetime) -> Readable:
    if staff_member(session, telegram_user_id) is None:
        return L_(NOT_STAFF)
    words = args.split(maxsplit=1)  # the text keeps its own line breaks
    verb = words[0].lower() if words else ""
    rest = words[1].strip() if len(words) > 1 else ""
    try:
        if not verb or verb == "list":
            return listing(session)
        if verb == "add":
            parts = rest.split(maxsplit=1)
            if not parts:
                return USAGE
            reply, new = save_reply(session, name=parts[0], text=parts[1] if len(parts) > 1 else "",
                                    by=telegram_user_id, now=now)
            used = " ".join(f"{{{p}}}" for p in placeholders_in(reply.text))
            values = {"name": reply.name, "placeholders": used}
            if new:
                done = (L_("Saved /c {name}. It fills {placeholders} from the ticket.", **values) if used
                        else L_("Saved /c {name}.", **values))
            else:
                done = (L_("Replaced the text of /c {name}. It fills {placeholders} from the ticket.",
                           **values) if used else L_("Replaced the text of /c {name}.", **values))
            return done, L_("Send it with /c {name} as a reply to a ticket message, or /c {name} N.",
                            **values)
        if verb == "show" and rest:
            reply = require_reply(session, rest)
            return f"/c {reply.name}:\n{reply.text}"
        if verb == "delete" and rest:
            reply = delete_reply(session, rest)
            return L_("Deleted /c {name}.", name=reply.name)
    except CannedError as exc:
        return exc.text
    return USAGE


def listing(session: Session) -> Readable:
    replies = list_replies(session)
    if not replies:
        return L_("No canned replies yet."), "", USAGE
    lines: list[Readable] = [L_("Canned replies ({count}):", count=len(replies))]
    size = len(str(lines[0]))
    for shown, reply in enumerate(replies):
        line = f"• /c {reply.name}: {_short(reply.text)}"
        if size + len(line) > MAX_LISTING:
            lines.append(L_("…and {count} more (/canned show NAME).", count=len(replies) - shown))
            break
        lines.append(line)
        size += len(line) + 1
    return (*lines, "", USAGE)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_LISTED_TEXT else flat[: MAX_LISTED_TEXT - 1] + "…"
