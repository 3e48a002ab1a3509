"""Answering a customer's question from the FAQ: the entry's answer with "That helps" /
"Talk to a person", or an honest "I don't know that yet" with a person offered, the
question kept for the owner. Both doors (the ask_faq action and the fallback) call here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shop import turns
from shop.faq import unanswered
from shop.faq.retrieval import FaqLibrary, Match, accepts
from shop.i18n import ENGLISH, N_, Translator
from shop.models import FaqEntry
from shop.replies import TALK_TO_PERSON, Button, Reply, intent_payload

log = logging.getLogger(__name__)

HELPS = N_("That helps")
HELPFUL_INTENT = "faq_helpful"
ENTRY_ENTITY = "faq_entry"
DONT_KNOW = N_("I don't know that yet, sorry. I've passed your question on to the shop team so "
               "they can add the answer. Would you like to talk to a person now?")
GLAD = N_("Glad that helped! Anything else I can do for you?")


@dataclass(frozen=True)
class Outcome:
    reply: Reply | None  # None: no entry answers (only when not collecting)
    match: Match | None  # the best entry, answered or not


def faq_reply(entry: FaqEntry, tr: Translator = ENGLISH) -> Reply:
    """The shop's own answer (in the language the shop wrote it), with the reader's buttons."""
    return Reply(entry.answer, buttons=(
        Button(tr._(HELPS), intent_payload(HELPFUL_INTENT, **{ENTRY_ENTITY: str(entry.id)})),
        Button(tr._(TALK_TO_PERSON), intent_payload("request_human"))))


def answer(session: Session, library: FaqLibrary, *, text: str, telegram_user_id: int,
           now: datetime, collect: bool, threshold: float | None = None,
           tr: Translator = ENGLISH) -> Outcome:
    """The FAQ's answer to `text`. When the best entry doesn't answer (retrieval.accepts: its
    confidence, or its score against `threshold` when one is given): "I don't know that yet" and
    the question kept for the owner when `collect`, else no reply (the caller answers as it
    would have).

    The latest BotTurn of the user (the action's own) gets the entry and its score.
    """
    best = library.index(session).best_for_reader(text, tr.language, threshold=threshold)
    entry = session.get(FaqEntry, best.entry_id) if best and accepts(best, threshold) else None
    turn = turns.latest_turn(session, telegram_user_id)
    log.info("faq: user %s best entry %s score %.3f confidence %.3f -> %s", telegram_user_id,
             best.entry_id if best else None, best.score if best else 0.0, best.confidence if best else 0.0,
             "answered" if entry else ("collected" if collect else "not answered"))
    if entry is not None:
        if turn is not None:
            turn.faq_entry_id, turn.faq_score = entry.id, best.score if best else None
        return Outcome(faq_reply(entry, tr), best)
    if not collect:
        return Outcome(None, best)
    group = unanswered.collect(session, text=text, telegram_user_id=telegram_user_id, now=now)
    if turn is not None:
        turn.unanswered_id, turn.faq_score = group.id, best.score if best else None
    person = Button(tr._(TALK_TO_PERSON), intent_payload("request_human"))
    return Outcome(Reply(tr._(DONT_KNOW), buttons=(person,)), best)


def helpful(session: Session, *, telegram_user_id: int, entry_id: str | None,
            tr: Translator = ENGLISH) -> Reply:
    """"That helps" pressed under an answer: counted for faq_helpfulness."""
    if entry_id and entry_id.isdigit():
        turns.mark_helpful(session, telegram_user_id=telegram_user_id, entry_id=int(entry_id))
    return Reply(tr._(GLAD))
