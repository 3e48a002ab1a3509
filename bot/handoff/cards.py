"""What staff see in Telegram: ticket cards, relay headers, the queue, and button data.

Pure functions from the store's TicketSummary to text and inline keyboards, in the language
of the chat they go to (shop/staff_language.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from shop import ticket_details
from shop.conversation_log import TicketSummary
from shop.handoff import first_name
from shop.hours import duration_text
from shop.i18n import ENGLISH, N_, Readable, Translator
from shop.models import Ticket, TicketStatus
from shop.tickets import OPEN_STATES, reason_label

PREFIX = "t:"  # callback_data of staff buttons; "r:" belongs to Rasa's buttons (bot/render.py)
HISTORY_CHARS = 180  # per message on a card
DETAILS_CHARS = 400
WHO = {"in": None, "out": N_("Bot"), "staff": N_("Team"), "note": N_("📝 Note")}
ORDER_STATUS = {"placed": N_("placed"), "packed": N_("packed"), "shipped": N_("shipped"),
                "out_for_delivery": N_("out for delivery"), "in_progress": N_("in progress"),
                "delivered": N_("delivered"), "cancelled": N_("cancelled")}


@dataclass(frozen=True)
class Press:
    """A staff button: what it does, to which ticket, and an argument (a Telegram id)."""

    action: str  # claim | resolve | transfer | to
    ticket_id: int
    arg: int | None = None


def button_data(action: str, ticket_id: int, arg: int | None = None) -> str:
    data = f"{PREFIX}{action}:{ticket_id}" + (f":{arg}" if arg is not None else "")
    assert len(data.encode()) <= 64, data
    return data


def parse_press(data: str | None) -> Press | None:
    """The press behind callback data, or None for anything malformed (forged or stale)."""
    if not data or not data.startswith(PREFIX):
        return None
    parts = data[len(PREFIX):].split(":")
    try:
        if len(parts) == 2 and parts[0] in ("claim", "resolve", "transfer"):
            return Press(parts[0], int(parts[1]))
        if len(parts) == 3 and parts[0] == "to":
            return Press("to", int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return None


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_text(summary: TicketSummary, tr: Translator = ENGLISH) -> str:
    if summary.status == TicketStatus.waiting.value:
        return tr._("waiting for someone to claim it")
    if summary.status == TicketStatus.human.value:
        return tr._("with {staff}", staff=summary.assignee_name)
    if summary.status == TicketStatus.cancelled.value:
        return tr._("cancelled: the customer went back to the bot")
    return tr._("resolved")


def card_text(summary: TicketSummary, *, zone: ZoneInfo, now: datetime, tr: Translator = ENGLISH,
              headline: Readable | None = None, in_topic: bool = False) -> str:
    """The ticket card: who, which orders, why, the last messages, and how to answer.

    In the ticket's forum topic the conversation follows the card as messages of their own,
    so the card leaves the history out and says that whatever is written there is the answer.
    """
    customer = first_name(summary.customer_name)
    lines = [tr.render(headline)] if headline else []
    lines.append(tr._("🎫 Ticket #{ticket} · {status}", ticket=summary.id, status=status_text(summary, tr)))
    values = {"customer": summary.customer_name, "telegram_id": summary.telegram_user_id}
    lines.append(tr._("Customer: {customer} (Telegram id {telegram_id})", **values) if summary.linked else
                 tr._("Customer: {customer} (Telegram id {telegram_id}) · not linked to a customer record",
                      **values))
    if summary.orders:
        separator = tr.p_("list separator", ", ")
        orders = separator.join(f"{n} {tr._(ORDER_STATUS[s]) if s in ORDER_STATUS else s.replace('_', ' ')}"
                                for n, s in summary.orders)
        lines.append(tr._("Orders: {orders}", orders=orders))
    elif summary.linked:
        lines.append(tr._("Orders: none"))
    lines.append(tr._("Reason: {reason}", reason=reason_label(summary.reason, tr)))
    if summary.details:
        lines.append(_clip(ticket_details.render(summary.details, tr), DETAILS_CHARS))
    opened = tr.day(summary.created_at, zone) + f" {summary.created_at.astimezone(zone):%H:%M}"
    if summary.status == TicketStatus.waiting.value:
        waited = duration_text((now - summary.created_at).total_seconds() / 60, tr)
        lines.append(tr._("Opened {opened} · waiting {waited}", opened=opened, waited=waited))
    else:
        lines.append(tr._("Opened {opened}", opened=opened))
    if summary.history and not in_topic:
        lines.append("")
        lines.extend(_history_lines(summary, zone, tr))
    if summary.status in OPEN_STATES:
        lines.append("")
        lines.append(tr._("✍️ Everything you write in this topic goes to {customer} (no need to reply); "
                          "/note text stays within the team.", customer=customer) if in_topic else
                     tr._("↩️ Reply to this message to answer {customer}.", customer=customer))
    return _fit("\n".join(lines))


def history_text(summary: TicketSummary, *, zone: ZoneInfo, tr: Translator = ENGLISH) -> str | None:
    """The conversation before the handoff, posted under the card in the ticket's topic."""
    if not summary.history:
        return None
    return _fit("\n".join(_history_lines(summary, zone, tr)))


def _history_lines(summary: TicketSummary, zone: ZoneInfo, tr: Translator) -> list[str]:
    customer = first_name(summary.customer_name)
    lines = [tr.n_("Last {count} message:", "Last {count} messages:", len(summary.history))]
    for line in summary.history:
        label = WHO.get(line.direction)
        who = tr._(label) if label else customer
        at = line.at.astimezone(zone)
        lines.append(f"{at:%H:%M} {who}: {_clip(line.text, HISTORY_CHARS)}")
    return lines


def _fit(text: str) -> str:
    limit = MessageLimit.MAX_TEXT_LENGTH
    return text if len(text) <= limit else text[: limit - 1] + "…"


def card_keyboard(summary: TicketSummary, tr: Translator = ENGLISH) -> InlineKeyboardMarkup | None:
    if summary.status not in OPEN_STATES:
        return None
    actions: list[tuple[str, str]] = []
    if summary.status == TicketStatus.waiting.value:
        actions.append(("claim", tr.p_("button", "Claim")))
    actions += [("transfer", tr.p_("button", "Transfer")), ("resolve", tr.p_("button", "Resolve"))]
    row = [InlineKeyboardButton(title, callback_data=button_data(action, summary.id))
           for action, title in actions]
    return InlineKeyboardMarkup([row])


def relay_header(ticket_id: int, customer: str, assignee: str | None) -> str:
    """The line above a customer's relayed message, naming the ticket."""
    to = f" → {first_name(assignee)}" if assignee else ""
    return f"💬 #{ticket_id} {customer}{to}:"


def queue_text(rows: list[tuple[Ticket, str, str | None]], *, now: datetime, tr: Translator = ENGLISH) -> str:
    """/queue: open tickets oldest first; rows are (ticket, customer name, assignee name)."""
    if not rows:
        return tr._("No open tickets. 🎉")
    lines = [tr._("Open tickets ({count}), oldest first:", count=len(rows))]
    for ticket, customer, assignee in rows:
        age = duration_text((now - ticket.created_at).total_seconds() / 60, tr)
        who = tr._("with {staff}", staff=assignee) if assignee else tr._("waiting")
        lines.append(tr._("#{ticket} · {who} · {customer} · {reason} · {age} old", ticket=ticket.id, who=who,
                          customer=customer, reason=reason_label(ticket.reason, tr), age=age))
    lines.append("")
    lines.append(tr._("/ticket N · /claim N · /resolve N · /transfer N @name · /escalate N · /note N text · "
                      "/reply N text · /c NAME N (/canned)"))
    return "\n".join(lines)


def queue_keyboard(rows: list[tuple[Ticket, str, str | None]], tr: Translator, *,
                   limit: int = 8) -> InlineKeyboardMarkup | None:
    buttons = [[InlineKeyboardButton(tr._("Claim #{ticket}", ticket=t.id),
                                     callback_data=button_data("claim", t.id))]
               for t, _, assignee in rows if assignee is None][:limit]
    return InlineKeyboardMarkup(buttons) if buttons else None


def transfer_keyboard(ticket_id: int, staff: list[tuple[int, str]]) -> InlineKeyboardMarkup | None:
    """One button per team member who could take the ticket."""
    buttons = [[InlineKeyboardButton(name[:60], callback_data=button_data("to", ticket_id, tid))]
               for tid, name in staff]
    return InlineKeyboardMarkup(buttons) if buttons else None
