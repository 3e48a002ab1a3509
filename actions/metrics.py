"""Owner journeys: business metrics (and the questions the bot couldn't answer, asked like one)
and the report, answered from the store."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import StoreAction
from shop.i18n import Translator
from shop.owner import metric_replies, report_replies
from shop.replies import Reply
from shop.settings import Settings

# "Show the trend" in the four languages the model understands (issue 17).
TREND_WORDS = ("trend", "over time", "chart", "graph", "plot", "evolution", "verlauf", "entwicklung",
               "diagramm", "grafik", "динамик", "график", "趋势", "走势", "图表")
MONTH_WORDS = ("month", "monat", "месяц", "месяч", "月")


def wants_trend(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in TREND_WORDS)


def report_default_period(text: str) -> str:
    """A report without a period: the last 30 days when a month is mentioned ("monthly
    report", "Monatsbericht", "месячный отчёт", "月报"), else the last 7 days."""
    lowered = text.lower()
    return "last 30 days" if any(word in lowered for word in MONTH_WORDS) else "last 7 days"


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


YEAR = re.compile(r"(?:19|20)\d\d\b")
YEAR_AFTER = re.compile(r"[ ,]*(?:19|20)\d\d\b")


def period_text(tracker: Tracker) -> str | None:
    """The period the owner named, as text ("last quarter", "October vs September").

    The model sometimes ends a period one word early, before its year ("in March | 2024"):
    a year right after a period that has none belongs to it.
    """
    message = tracker.latest_message or {}
    text = str(message.get("text") or "")
    periods = []
    for entity in message.get("entities") or []:
        if entity.get("entity") != "period" or entity.get("value") is None:
            continue
        value, end = str(entity["value"]), entity.get("end")
        if isinstance(end, int) and not YEAR.search(value) and (year := YEAR_AFTER.match(text, end)):
            value += year.group(0)
        if value not in periods:
            periods.append(value)
    return " vs ".join(periods) if len(periods) > 1 else (periods[0] if periods else None)


class ActionAskMetric(StoreAction):
    def name(self) -> str:
        return "action_ask_metric"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> list[Reply]:
        return metric_replies(
            session, telegram_user_id=telegram_user_id,
            metrics=[str(m) for m in tracker.get_latest_entity_values("metric")],
            period_text=period_text(tracker), wants_trend=wants_trend(latest_text(tracker)),
            settings=settings, now=now, tr=tr, text=latest_text(tracker))

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [SlotSet("metric", None), SlotSet("period", None)]


class ActionAskReport(StoreAction):
    def name(self) -> str:
        return "action_ask_report"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> list[Reply]:
        return report_replies(session, telegram_user_id=telegram_user_id,
                              period_text=period_text(tracker), settings=settings, now=now,
                              default_period=report_default_period(latest_text(tracker)), tr=tr)

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [SlotSet("period", None)]

