"""What staff see in Telegram: ticket cards, relay headers, the queue, and button data.

Pure functions from the store's TicketSummary to text and inline keyboards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from shop.conversation_log import TicketSummary
from shop.handoff import first_name
from shop.hours import duration_text
from shop.models import Ticket, TicketStatus
from shop.tickets import OPEN_STATES, reason_label

PREFIX = "t:"  # callback_data of staff buttons; "r:" belongs to Rasa's buttons (bot/render.py)
HISTORY_CHARS = 180  # per message on a card
DETAILS_CHARS = 400
WHO = {"in": None, "out": "Bot", "staff": "Team", "note": "📝 Note"}


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


def status_text(summary: TicketSummary) -> str:
    if summary.status == TicketStatus.waiting.value:
        return "waiting for someone to claim it"
    if summary.status == TicketStatus.human.value:
        return f"with {summary.assignee_name}"
    if summary.status == TicketStatus.cancelled.value:
        return "cancelled: the customer went back to the bot"
    return "resolved"


def card_text(summary: TicketSummary, *, zone: ZoneInfo, now: datetime, headline: str | None = None,
              in_topic: bool = False) -> str:
    """The ticket card: who, which orders, why, the last messages, and how to answer.

    In the ticket's forum topic the conversation follows the card as messages of their own,
    so the card leaves the history out and says that whatever is written there is the answer.
    """
    customer = first_name(summary.customer_name)
    lines = [headline] if headline else []
    lines.append(f"🎫 Ticket #{summary.id} · {status_text(summary)}")
    linked = "" if summary.linked else " · not linked to a customer record"
    lines.append(f"Customer: {summary.customer_name} (Telegram id {summary.telegram_user_id}){linked}")
    if summary.orders:
        lines.append("Orders: " + ", ".join(f"{n} {s.replace('_', ' ')}" for n, s in summary.orders))
    elif summary.linked:
        lines.append("Orders: none")
    lines.append(f"Reason: {reason_label(summary.reason)}")
    if summary.details:
        lines.append(_clip(summary.details, DETAILS_CHARS))
    opened = summary.created_at.astimezone(zone)
    waited = duration_text((now - summary.created_at).total_seconds() / 60)
    age = f" · waiting {waited}" if summary.status == TicketStatus.waiting.value else ""
    lines.append(f"Opened {opened:%d %b %H:%M}{age}")
    if summary.history and not in_topic:
        lines.append("")
        lines.extend(_history_lines(summary, zone))
    if summary.status in OPEN_STATES:
        lines.append("")
        lines.append(f"✍️ Everything you write in this topic goes to {customer} (no need to reply); "
                     "/note text stays within the team." if in_topic else
                     f"↩️ Reply to this message to answer {customer}.")
    return _fit("\n".join(lines))


def history_text(summary: TicketSummary, *, zone: ZoneInfo) -> str | None:
    """The conversation before the handoff, posted under the card in the ticket's topic."""
    if not summary.history:
        return None
    return _fit("\n".join(_history_lines(summary, zone)))


def _history_lines(summary: TicketSummary, zone: ZoneInfo) -> list[str]:
    customer = first_name(summary.customer_name)
    lines = [f"Last {len(summary.history)} messages:"]
    for line in summary.history:
        who = WHO.get(line.direction) or customer
        at = line.at.astimezone(zone)
        lines.append(f"{at:%H:%M} {who}: {_clip(line.text, HISTORY_CHARS)}")
    return lines


def _fit(text: str) -> str:
    limit = MessageLimit.MAX_TEXT_LENGTH
    return text if len(text) <= limit else text[: limit - 1] + "…"


def card_keyboard(summary: TicketSummary) -> InlineKeyboardMarkup | None:
    if summary.status not in OPEN_STATES:
        return None
    row = []
    if summary.status == TicketStatus.waiting.value:
        row.append(InlineKeyboardButton("Claim", callback_data=button_data("claim", summary.id)))
    row.append(InlineKeyboardButton("Transfer", callback_data=button_data("transfer", summary.id)))
    row.append(InlineKeyboardButton("Resolve", callback_data=button_data("resolve", summary.id)))
    return InlineKeyboardMarkup([row])


def relay_header(ticket_id: int, customer: str, assignee: str | None) -> str:
    """The line above a customer's relayed message, naming the ticket."""
    to = f" → {first_name(assignee)}" if assignee else ""
    return f"💬 #{ticket_id} {customer}{to}:"


def queue_text(rows: list[tuple[Ticket, str, str | None]], *, now: datetime) -> str:
    """/queue: open tickets oldest first; rows are (ticket, customer name, assignee name)."""
    if not rows:
        return "No open tickets. 🎉"
    lines = [f"Open tickets ({len(rows)}), oldest first:"]
    for ticket, customer, assignee in rows:
        age = duration_text((now - ticket.created_at).total_seconds() / 60)
        who = f"with {assignee}" if assignee else "waiting"
        lines.append(f"#{ticket.id} · {who} · {customer} · {reason_label(ticket.reason)} · {age} old")
    lines.append("")
    lines.append("/ticket N · /claim N · /resolve N · /transfer N @name · /escalate N · /note N text · "
                 "/reply N text · /c NAME N (/canned)")
    return "\n".join(lines)


def queue_keyboard(rows: list[tuple[Ticket, str, str | None]], *,
                   limit: int = 8) -> InlineKeyboardMarkup | None:
    buttons = [[InlineKeyboardButton(f"Claim #{t.id}", callback_data=button_data("claim", t.id))]
               for t, _, assignee in rows if assignee is None][:limit]
    return InlineKeyboardMarkup(buttons) if buttons else None


def transfer_keyboard(ticket_id: int, staff: list[tuple[int, str]]) -> InlineKeyboardMarkup | None:
    """One button per team member who could take the ticket."""
    buttons = [[InlineKeyboardButton(name[:60], callback_data=button_data("to", ticket_id, tid))]
               for tid, name in staff]
    return InlineKeyboardMarkup(buttons) if buttons else None
