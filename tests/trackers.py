"""Rasa trackers for testing actions by value: build one, run an action, read what it said and did.

Used by the journey and handoff actions' tests (tests/actions/) and the FAQ actions' (tests/faq/).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

# make_tracker's default sender: the linked customer of tests/actions/test_journey_actions.py.
SENDER = 45601


def make_tracker(*, sender: int = SENDER, text: str = "", intent: str = "greet", confidence: float = 1.0,
                 entities: dict[str, str] | None = None, slots: dict[str, Any] | None = None,
                 events: list[dict[str, Any]] | None = None,
                 latest: dict[str, Any] | None = None) -> Tracker:
    """A tracker whose latest message is `text` understood as `intent` with `entities`
    (or exactly `latest`, when given), after `events`."""
    if latest is None:
        latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
                  "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()]}
    return Tracker(sender_id=str(sender), slots=slots or {}, latest_message=latest, events=events or [],
                   paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")


async def run(action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run one action: (the messages it sent, the events it returned)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events
