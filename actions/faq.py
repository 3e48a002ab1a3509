"""The shop's own answers (ARCHITECTURE.md §11): ask_faq answered from the FAQ entries at run
time (or, from an offered entry's button, that entry's answer), and "That helps" counted.
Thin: the text goes to shop.faq.answers."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions.base import StoreAction
from shop.faq import answers
from shop.faq.retrieval import FaqLibrary
from shop.i18n import Translator
from shop.replies import Reply, read_intent_payload
from shop.settings import Settings


@cache
def faq_library() -> FaqLibrary:
    """The action server's one index, built on first use and rebuilt when the entries change."""
    return FaqLibrary()


def question_text(tracker: Tracker) -> str:
    text = str((tracker.latest_message or {}).get("text") or "")
    return "" if read_intent_payload(text) is not None else text[:1000]


def faq_outcome(session: Session, tracker: Tracker, *, telegram_user_id: int,
                now: datetime, tr: Translator) -> answers.Outcome | None:
    """The FAQ's answer if an entry is close enough, else the entries that come close (the
    fallback's one call into the FAQ; nothing is collected). None: no question to ask it."""
    text = question_text(tracker)
    if not text:
        return None
    return answers.answer(session, faq_library(), text=text, telegram_user_id=telegram_user_id,
                          now=now, collect=False, tr=tr)


class ActionAnswerFaq(StoreAction):
    def name(self) -> str:
        return "action_answer_faq"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        text = question_text(tracker)
        picked = next(tracker.get_latest_entity_values(answers.ENTRY_ENTITY), None)
        if not text and picked is not None:  # an offered entry's button
            return answers.picked(session, telegram_user_id=telegram_user_id, entry_id=str(picked), tr=tr)
        if not text:
            return Reply(tr._(answers.DONT_KNOW))
        outcome = answers.answer(session, faq_library(), text=text,
                                 telegram_user_id=telegram_user_id, now=now, collect=True, tr=tr)
        assert outcome.reply is not None  # collecting always answers
        return outcome.reply


class ActionFaqHelpful(StoreAction):
    def name(self) -> str:
        return "action_faq_helpful"

    def answer(self, session: Session, tracker: Tracker, *, telegram_user_id: int,
               settings: Settings, now: datetime, tr: Translator) -> Reply:
        entry = next(tracker.get_latest_entity_values(answers.ENTRY_ENTITY), None)
        return answers.helpful(session, telegram_user_id=telegram_user_id,
                               entry_id=str(entry) if entry is not None else None, tr=tr)
