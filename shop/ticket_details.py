"""What a ticket records when it opens, kept as codes and read in each staff member's language.

When the assistant itself says why a ticket opened (a cancellation or refund it could not do, a
new address, a low rating, its own failure), the ticket's `details` hold a `Detail`: a stable
code with its values (order number, status code, rating...) and the customer's own words, as
JSON. Cards render it at display time in the reader's language (`render`), so the same ticket
reads "Cancel order 1042 (status: on its way)" in English and "Bestellung 1042 stornieren
(Status: unterwegs)" in German. The customer's words are shown as they wrote them.

Plain text stays plain: what the customer said when asking for a person (actions/handoff.py)
and every ticket written before this is shown as it is stored.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

from shop.feedback import REASON_TITLES
from shop.i18n import N_, Translator, sentences
from shop.models import Order
from shop.orders import status_word

MAX_SAID = 1000  # characters of the customer's words a detail keeps
FORMAT = "ticket_details"  # the key that tells a stored detail from plain text (its version)

# Why the bot itself could not answer (the bot's door passes one of these codes).
BOT_FAILURES = {
    "rasa_unavailable": N_("the language server did not answer"),
    "no_answer": N_("the bot had no answer (an action failed)"),
    "empty_answer": N_("the bot's answer was empty"),
}


@dataclass(frozen=True)
class Detail:
    """One reason a ticket records: `code` (a key of RENDERERS), its values, the customer's words."""

    code: str
    values: Mapping[str, str | int | None] = field(default_factory=dict)
    said: str | None = None


Part: TypeAlias = "Detail | str"  # a plain string is shown as it is


def customer_words(text: str | None) -> str | None:
    """What the customer wrote, clipped; None for nothing or a button's payload ('/cancel_order{…}')."""
    said = (text or "").strip()
    return None if not said or said.startswith("/") else said[:MAX_SAID]


def cancel_order(order: Order, said: str | None) -> Detail:
    return Detail("cancel_order", {"number": order.number, "status": order.status}, customer_words(said))


def change_address(order: Order, said: str | None) -> Detail:
    return Detail("change_address", {"number": order.number, "address": order.shipping_address or None},
                  customer_words(said))


def refund(order: Order, said: str | None) -> Detail:
    items = "\n".join(f"{item.quantity}\t{item.product.name}" for item in order.items)
    return Detail("refund", {"number": order.number, "items": items, "total": str(order.total),
                             "currency": order.currency}, customer_words(said))


def low_rating(*, subject: str, number: str | int | None, rating: int, reason: str | None,
               said: str | None) -> Detail:
    """A rating of `subject` ('order', 'ticket' or 'service'); `reason` a Feedback.reason code
    of a button, else the customer's own words (or neither)."""
    return Detail("low_rating", {"subject": subject, "number": number, "rating": rating, "reason": reason},
                  customer_words(said))


def bot_error(why: str, said: str | None) -> Detail:
    """The bot could not answer; `why` is a key of BOT_FAILURES."""
    return Detail("bot_error", {"why": why}, customer_words(said))


# --- rendering ---------------------------------------------------------------------------


def _cancel_order(v: Mapping[str, Any], tr: Translator) -> str:
    return tr._("Cancel order {number} (status: {status}).", number=v["number"],
                status=status_word(str(v["status"]), tr))


def _change_address(v: Mapping[str, Any], tr: Translator) -> str:
    if v.get("address"):
        return tr._("New delivery address for order {number} (now: {address}).", number=v["number"],
                    address=v["address"])
    return tr._("New delivery address for order {number} (no address on file).", number=v["number"])


def _refund(v: Mapping[str, Any], tr: Translator) -> str:
    separator = tr.p_("list separator", ", ")
    parts = [f"{quantity}× {name}" for quantity, _, name in
             (line.partition("\t") for line in str(v.get("items") or "").splitlines())]
    with contextlib.suppress(InvalidOperation, KeyError, ValueError):
        parts.append(tr.money(Decimal(str(v["total"])), str(v["currency"])))
    return tr._("Refund for order {number} ({summary}).", number=v["number"], summary=separator.join(parts))


RATED = {
    "order": N_("Rated order {number} {rating}/5."),
    "ticket": N_("Rated the help with ticket #{number} {rating}/5."),
    "service": N_("Rated the service {rating}/5."),
}


def _low_rating(v: Mapping[str, Any], tr: Translator) -> str:
    head = tr._(RATED.get(str(v["subject"]), RATED["service"]), number=v.get("number"), rating=v["rating"])
    reason = REASON_TITLES.get(str(v.get("reason")))
    if reason is not None:
        return sentences(head, tr._("Reason: {reason}", reason=tr._(reason)))
    return head


def _bot_error(v: Mapping[str, Any], tr: Translator) -> str:
    why = BOT_FAILURES.get(str(v["why"]))
    return tr._("The bot could not answer: {why}.", why=tr._(why) if why else str(v["why"]))


RENDERERS: dict[str, Callable[[Mapping[str, Any], Translator], str]] = {
    "cancel_order": _cancel_order, "change_address": _change_address, "refund": _refund,
    "low_rating": _low_rating, "bot_error": _bot_error,
}


def render(details: str | None, tr: Translator) -> str:
    """A ticket's details as `tr`'s reader reads them, one line per reason recorded."""
    return "\n".join(_render_part(part, tr) for part in decode(details))


def _render_part(part: Part, tr: Translator) -> str:
    if isinstance(part, str):
        return part
    try:
        head = RENDERERS[part.code](part.values, tr)
    except (KeyError, ValueError):  # a value missing: show what is there rather than lose the card
        head = f"{part.code}: {dict(part.values)}"
    if part.said is None:
        if part.code == "low_rating" and part.values.get("reason") is None:
            return sentences(head, tr._("No reason given."))
        return head
    return sentences(head, tr._("The customer wrote: «{said}»", said=part.said))


# --- storing -----------------------------------------------------------------------------


def encode(parts: Sequence[Part]) -> str | None:
    """Parts as the details column stores them: plain text when all are plain, else JSON."""
    if not parts:
        return None
    if all(isinstance(part, str) for part in parts):
        return "\n".join(str(part) for part in parts)
    stored = [part if isinstance(part, str) else
              {"code": part.code, "values": dict(part.values), "said": part.said} for part in parts]
    return json.dumps({FORMAT: 1, "parts": stored}, ensure_ascii=False)


def decode(details: str | None) -> list[Part]:
    """The parts of a stored details column; anything that is not our JSON is one plain part."""
    if not details:
        return []
    if details.startswith("{") and f'"{FORMAT}"' in details:
        try:
            stored = json.loads(details)
            return [_part(item) for item in stored["parts"]]
        except (ValueError, TypeError, KeyError):
            pass
    return [details]


def _part(item: object) -> Part:
    if isinstance(item, str):
        return item
    if not isinstance(item, dict) or item.get("code") not in RENDERERS \
            or not isinstance(item.get("values"), dict):
        raise ValueError("not a ticket detail")
    said = item.get("said")
    return Detail(str(item["code"]), item["values"], said if isinstance(said, str) else None)


def added(existing: str | None, new: Part | None) -> str | None:
    """The details column with one more reason: a second trigger while the ticket is open."""
    parts = decode(existing)
    if new:
        parts.append(new)
    return encode(parts)
