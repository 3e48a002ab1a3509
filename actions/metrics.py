"""Owner journeys: business metrics and the report, answered from the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.orm import Session

from actions.base import StoreAction
from shop.owner import metric_replies, report_replies
from shop.replies import Reply
from shop.settings import Settings

TREND_WORDS = ("trend", "over time", "chart", "graph", "plot", "evolution")


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def period_text(tracker: Tracker) -> str | None:
    """The period the owner named, as text ("last quarter", "October vs September")."""
    periods = [str(p) for p in tracker.get_latest_entity_values("period")]
    return " vs ".join(periods) if len(periods) > 1 else (periods[0] if periods else None)


class ActionAskMetric(StoreAction):
    def name(self) -> str:
        return "action_ask_metric"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime) -> list[Reply]:
        text = latest_text(tracker).lower()
        return metric_replies(
            session, telegram_user_id=telegram_user_id,
            metrics=[str(m) for m in tracker.get_latest_entity_values("metric")],
            period_text=period_text(tracker), wants_trend=any(w in text for w in TREND_WORDS),
            settings=settings, now=now)

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [SlotSet("metric", None), SlotSet("period", None)]


class ActionAskReport(StoreAction):
    def name(self) -> str:
        return "action_ask_report"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime) -> list[Reply]:
        text = latest_text(tracker).lower()
        default = "last 30 days" if "month" in text else "last 7 days"
        return report_replies(session, telegram_user_id=telegram_user_id,
                              period_text=period_text(tracker), settings=settings, now=now,
                              default_period=default)

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [SlotSet("period", None)]
