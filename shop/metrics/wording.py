"""Metric values, windows and chart ticks written for the owner's language.

English keeps the assistant's own forms ("82.5%", "€12,340", "Oct 2026", "1–5 Dec 2026");
the other languages take their Babel locale's ("82,5 %", "12.340 €", "Okt. 2026",
"1.–5. Dez. 2026", "2026年第4季度"). A window's label is rebuilt from its edges and calendar
unit, so the period parser stays free of languages.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_interval, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent

from shop.charts import format_value
from shop.i18n import N_, SOURCE_LANGUAGE, Translator
from shop.periods import STEPS, Period, Unit

WEEK_OF = N_("week of {day}")
TO_DATE = N_("{period} to date")
NO_DATA = N_("no data")
DAYS = N_("{value} days")
HOURS = N_("{value} h")
# Why customers write (top_contact_reasons): the intent that starts a conversation, named for
# the owner. An intent missing here is shown as its name with spaces.
CONTACT_REASONS = {
    "order_status": N_("order status"),
    "delivery_status": N_("delivery status"),
    "list_orders": N_("listing their orders"),
    "give_feedback": N_("ratings"),
    "complaint": N_("complaints"),
    "request_human": N_("asking for a person"),
    "cancel_order": N_("cancellations"),
    "change_address": N_("address changes"),
    "refund_request": N_("refunds"),
    "ask_faq": N_("questions about the shop"),
    "faq_helpful": N_("\"That helps\" under an answer"),
    "greet": N_("greetings"),
    "goodbye": N_("goodbyes"),
    "thank": N_("saying thanks"),
    "affirm": N_("saying yes"),
    "deny": N_("saying no"),
    "help": N_("asking what the bot can do"),
    "bot_challenge": N_("asking whether it is a bot"),
    "ask_metric": N_("questions about the figures"),
    "ask_report": N_("report requests"),
    "out_of_scope": N_("off-topic messages"),
    "nlu_fallback": N_("messages the bot did not understand"),
    "unknown": N_("unknown (no intent recorded)"),
}


def value_text(value: float, unit: str, tr: Translator) -> str:
    """A metric value as the owner reads it: '82%', '82 %', '€12,340', '12.340 €', '2,5 Tage'."""
    if tr.language == SOURCE_LANGUAGE:
        return format_value(value, unit)
    locale = tr.locale
    if unit == "ratio":
        pattern = locale.percent_formats[None].pattern.replace("#,##0", "#,##0.#", 1)
        return format_percent(value, pattern, locale=locale)
    if unit == "count":
        return format_decimal(value, "#,##0", locale=locale)
    if unit in ("days", "hours"):
        message = DAYS if unit == "days" else HOURS
        return tr._(message, value=format_decimal(value, "#,##0.0", locale=locale))
    if unit == "stars":
        return format_decimal(value, "#,##0.0", locale=locale)
    pattern = locale.currency_formats["standard"].pattern
    if abs(value) >= 1000:
        pattern = pattern.replace("0.00", "0")
    return format_currency(value, unit, pattern, locale=locale, currency_digits=False)


def contact_reason(intent: str, tr: Translator) -> str:
    """An intent as a contact reason the owner reads: 'order_status' → 'order status', 'Bestellstatus'."""
    label = CONTACT_REASONS.get(intent)
    return tr._(label) if label else intent.replace("_", " ")


def chart_locale(tr: Translator) -> str | None:
    """The locale a chart's axis numbers are written for: None keeps the English forms
    ("€12,340", as value_text), else the reader's Babel locale ("12.340 €")."""
    return None if tr.language == SOURCE_LANGUAGE else str(tr.locale)


def maybe_value(value: float | None, unit: str, tr: Translator) -> str:
    return tr._(NO_DATA) if value is None else value_text(value, unit, tr)


def period_label(period: Period, tr: Translator) -> str:
    """The window's name: 'Oct 2026', 'Okt. 2026 bis heute', '1.–5. Dez. 2026', '2026年第4季度'."""
    if tr.language == SOURCE_LANGUAGE:
        return period.label
    zone = period.zone
    start = period.start.astimezone(zone).replace(tzinfo=None)
    end = period.end.astimezone(zone).replace(tzinfo=None)
    if period.to_date:
        return tr._(TO_DATE, period=_calendar(start, period.unit, tr) or _range(start, end, tr))
    if period.unit is not None and end == start + STEPS[period.unit] * period.count:
        return _calendar(start, period.unit, tr) if period.count == 1 and _aligned(
            start, period.unit) else _range(start, end, tr)
    return _range(start, end, tr)


def tick(start: datetime, unit: Unit, tr: Translator) -> str:
    """A bucket's label on a chart's axis: '05 Oct', '5. Okt.', '10月5日', 'Q4 2026'."""
    if tr.language == SOURCE_LANGUAGE:
        if unit in ("day", "week"):
            return f"{start:%d %b}"
        if unit == "month":
            return f"{start:%b %Y}"
        return f"Q{(start.month - 1) // 3 + 1} {start.year}" if unit == "quarter" else str(start.year)
    skeleton = {"day": "MMMd", "week": "MMMd", "month": "yMMM", "quarter": "yQQQ", "year": "y"}[unit]
    return format_skeleton(skeleton, start, locale=tr.locale)


def _aligned(start: datetime, unit: Unit) -> bool:
    midnight = start.hour == start.minute == start.second == start.microsecond == 0
    return midnight and {
        "day": True, "week": start.weekday() == 0, "month": start.day == 1,
        "quarter": start.day == 1 and start.month % 3 == 1, "year": (start.month, start.day) == (1, 1),
    }[unit]


def _calendar(start: datetime, unit: Unit | None, tr: Translator) -> str:
    if unit is None or not _aligned(start, unit):
        return ""
    if unit == "day":
        return format_skeleton("yMMMd", start, locale=tr.locale)
    if unit == "week":
        return tr._(WEEK_OF, day=format_skeleton("yMMMd", start, locale=tr.locale))
    return format_skeleton({"month": "yMMM", "quarter": "yQQQ", "year": "y"}[unit], start,
                           locale=tr.locale)


def _range(start: datetime, end: datetime, tr: Translator) -> str:
    first: date = start.date()
    last: date = (end - timedelta(microseconds=1)).date()
    if first == last:
        return format_skeleton("yMMMd", start, locale=tr.locale)
    return format_interval(first, last, "yMMMd", locale=tr.locale)
