"""The rating journey: survey buttons, ratings typed in chat, and why a rating was low."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import (
    NOT_FROM_TELEGRAM,
    SORRY,
    dispatch,
    guarded,
    reply_translator,
    sender_telegram_id,
    store,
)
from actions.order_requests import latest_entity
from shop.ratings import RatingOutcome, add_reason, rate, rating_in_text
from shop.replies import Reply

REASON_FORM = "feedback_reason_form"  # domain.yml: asks "what went wrong?" after a low rating
REASON_SLOT = "feedback_reason"
SUBJECT_SLOT = "feedback_subject"  # the id of the low Feedback the reason belongs to


class ActionGiveFeedback(Action):
    """Record a rating; after a low one, run the reason form and come back with the answer."""

    def name(self) -> str:
        return "action_give_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        telegram_user_id = sender_telegram_id(tracker)
        if telegram_user_id is None:
            dispatch(dispatcher, Reply(reply_translator(None, tracker, None)._(NOT_FROM_TELEGRAM)))
            return []
        settings, sessions = store()
        now = datetime.now(UTC)
        sorry = Reply(reply_translator(None, tracker, None)._(SORRY))
        reason = tracker.get_slot(REASON_SLOT)
        feedback_ref = tracker.get_slot(SUBJECT_SLOT)
        if reason is not None and str(feedback_ref or "").isdigit():
            def explain(session: Session) -> Reply:
                return add_reason(session, telegram_user_id=telegram_user_id,
                                  feedback_id=int(feedback_ref), text=str(reason), now=now,
                                  tr=reply_translator(session, tracker, telegram_user_id))
            reply = await guarded(sessions, explain, sorry, action=self.name(),
                                  sender=telegram_user_id)
            dispatch(dispatcher, reply)
            return [SlotSet(REASON_SLOT, None), SlotSet(SUBJECT_SLOT, None)]

        raw_rating = latest_entity(tracker, "rating") or rating_in_text(tracker.latest_message.get("text"))

        def record(session: Session) -> RatingOutcome:
            return rate(session, telegram_user_id=telegram_user_id, raw_rating=raw_rating,
                        raw_subject=latest_entity(tracker, "subject"), now=now, zone=settings.zone,
                        tr=reply_translator(session, tracker, telegram_user_id))

        outcome = await guarded(sessions, record, RatingOutcome(sorry), action=self.name(),
                                sender=telegram_user_id)
        dispatch(dispatcher, outcome.reply)
        events: list[dict[str, Any]] = [SlotSet("rating", None)]
        if outcome.ask_reason and outcome.feedback_id is not None:
            events += [SlotSet(SUBJECT_SLOT, str(outcome.feedback_id)), SlotSet(REASON_SLOT, None),
                       FollowupAction(REASON_FORM)]
        return events
