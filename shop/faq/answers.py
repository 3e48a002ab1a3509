"""Answering a customer's question from the FAQ: the entry's answer with "That helps" /
"Talk to a person"; when no entry is sure enough but some come close, those entries offered as
buttons ("Is it one of these?", the answer one tap away); else an honest "I don't know that
yet" with a person offered. Whatever the bot did not answer at once is kept for the owner,
until the customer says an offered entry answered it: "That helps" under the answer of an entry
they picked from the offer takes that asking (theirs only) off the owner's list.
Both doors (the ask_faq action and the fallback) call here; the fallback only takes answers
and the entries that come close (`shown_offers`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shop import turns
from shop.faq import offers, unanswered
from shop.faq.questions import reads_as_question
from shop.faq.retrieval import FaqLibrary, Match, accepts
from shop.i18n import ENGLISH, N_, Translator
from shop.models import FaqEntry
from shop.replies import TALK_TO_PERSON, Button, Reply, intent_payload

log = logging.getLogger(__name__)

HELPS = N_("That helps")
HELPFUL_INTENT = "faq_helpful"
ASK_INTENT = "ask_faq"  # an offered entry's button asks for it by id
ENTRY_ENTITY = "faq_entry"
DONT_KNOW = N_("I don't know that yet, sorry. I've passed your question on to the shop team so "
               "they can add the answer. Would you like to talk to a person now?")
GLAD = N_("Glad that helped! Anything else I can do for you?")
ONE_OF_THESE = N_("I'm not sure I have the answer to that. Is it one of these? If not, I've passed "
                  "your question on to the shop team; you can also talk to a person.")
GONE = N_("That answer isn't available any more, sorry. Would you like to talk to a person?")
LABEL_LENGTH = 60  # an offered entry's question on its button, at most


@dataclass(frozen=True)
class Outcome:
    reply: Reply | None  # None: no entry answers (only when not collecting)
    match: Match | None  # the best entry, answered or not
    offers: tuple[Button, ...] = ()  # when none answers: the entries that come close
    offered_ids: tuple[int, ...] = ()  # those entries' ids, in the same order


def faq_reply(entry: FaqEntry, tr: Translator = ENGLISH) -> Reply:
    """The shop's own answer (in the language the shop wrote it), with the reader's buttons."""
    return Reply(entry.answer, buttons=(
        Button(tr._(HELPS), intent_payload(HELPFUL_INTENT, **{ENTRY_ENTITY: str(entry.id)})),
        Button(tr._(TALK_TO_PERSON), intent_payload("request_human"))))


def answer(session: Session, library: FaqLibrary, *, text: str, telegram_user_id: int,
           now: datetime, collect: bool, threshold: float | None = None,
           tr: Translator = ENGLISH) -> Outcome:
    """The FAQ's answer to `text`. When the best entry doesn't answer (retrieval.accepts: its
    confidence, or its score against `threshold` when one is given) and `collect`: the question
    kept for the owner, and the entries that come close offered as buttons (`suggestions`), or
    "I don't know that yet" when none does; without `collect`, no reply (the caller answers as
    it would have, with the Outcome's `offers` if it likes).

    The latest BotTurn of the user (the action's own) gets the entry and its score.
    """
    best, close = library.index(session).read(text, tr.language, threshold=threshold)
    entry = session.get(FaqEntry, best.entry_id) if best and accepts(best, threshold) else None
    turn = turns.latest_turn(session, telegram_user_id)
    log.info("faq: user %s best entry %s score %.3f confidence %.3f -> %s", telegram_user_id,
             best.entry_id if best else None, best.score if best else 0.0, best.confidence if best else 0.0,
             "answered" if entry else ("collected" if collect else "not answered"))
    if entry is not None:
        if turn is not None:
            turn.faq_entry_id, turn.faq_score = entry.id, best.score if best else None
        return Outcome(faq_reply(entry, tr), best)
    close_entries = [e for m in close if (e := session.get(FaqEntry, m.entry_id)) is not None]
    offered = tuple(offer_button(e) for e in close_entries)
    offered_ids = tuple(e.id for e in close_entries)
    if not collect:
        return Outcome(None, best, offered, offered_ids)
    group = unanswered.collect(session, text=text, telegram_user_id=telegram_user_id, now=now)
    if turn is not None:
        turn.unanswered_id, turn.faq_score = group.id, best.score if best else None
    person = Button(tr._(TALK_TO_PERSON), intent_payload("request_human"))
    if offered:
        if turn is not None:
            offers.record(session, turn_id=turn.id, entry_ids=offered_ids)
        return Outcome(Reply(tr._(ONE_OF_THESE), buttons=(*offered, person)), best, offered, offered_ids)
    return Outcome(Reply(tr._(DONT_KNOW), buttons=(person,)), best)


def answer_beside(session: Session, library: FaqLibrary, *, text: str, telegram_user_id: int,
                  now: datetime, request: Button, tr: Translator = ENGLISH) -> Reply | None:
    """A question about the shop that came as a request: Rasa read "can I return it?" or "when
    do I get my money back" as a refund request, which would open a ticket. When `text` reads as
    a question (shop.faq.questions) and an FAQ entry answers it, the entry's answer, with
    `request` (the request, one tap away) between "That helps" and "Talk to a person"; None
    otherwise, and the request goes ahead. Nothing is collected or offered."""
    if not reads_as_question(text):
        return None
    outcome = answer(session, library, text=text, telegram_user_id=telegram_user_id, now=now,
                     collect=False, tr=tr)
    if outcome.reply is None:
        return None
    helps, person = outcome.reply.buttons
    return Reply(outcome.reply.text, buttons=(helps, request, person))


def shown_offers(session: Session, *, telegram_user_id: int, outcome: Outcome) -> tuple[Button, ...]:
    """The entries `outcome` offers, as buttons, for a reply that shows them (the fallback's,
    which collects nothing): recorded against the customer's latest turn (the action's own), so
    that a tap on one is a tap on this offer and not on an older one."""
    turn = turns.latest_turn(session, telegram_user_id) if outcome.offered_ids else None
    if turn is not None:
        offers.record(session, turn_id=turn.id, entry_ids=outcome.offered_ids)
    return outcome.offers


def offer_button(entry: FaqEntry) -> Button:
    """A button that shows `entry`'s answer: its question as the label (shortened), the entry's
    id as the ask_faq intent's `faq_entry`."""
    label = entry.question if len(entry.question) <= LABEL_LENGTH else entry.question[:LABEL_LENGTH - 1] + "…"
    return Button(label, intent_payload(ASK_INTENT, **{ENTRY_ENTITY: str(entry.id)}))


def picked(session: Session, *, telegram_user_id: int, entry_id: str, tr: Translator = ENGLISH) -> Reply:
    """An offered entry the customer picked: its answer, counted as the FAQ's answer on the
    customer's latest turn (the action's own, the tap's: not the question's turn), which takes
    the latest offer of that entry to them (offers.take; none when it was not offered); an entry
    deleted or disabled since is said so."""
    entry = session.get(FaqEntry, int(entry_id)) if entry_id.isdigit() else None
    if entry is None or not entry.enabled:
        return Reply(tr._(GONE), buttons=(Button(tr._(TALK_TO_PERSON), intent_payload("request_human")),))
    turn = turns.latest_turn(session, telegram_user_id)
    if turn is not None:
        turn.faq_entry_id = entry.id
        offers.take(session, tap=turn, entry_id=entry.id)
    log.info("faq: user %s picked offered entry %s", telegram_user_id, entry.id)
    return faq_reply(entry, tr)


def helpful(session: Session, *, telegram_user_id: int, entry_id: str | None,
            tr: Translator = ENGLISH) -> Reply:
    """"That helps" pressed under an answer: counted for faq_helpfulness on the turn that gave it.
    When that turn was a tap on an offered entry, the question the offer was made for no longer
    counts as unanswered (unanswered.withdraw: that customer's asking only; the group stays open
    for the others). Twice, or under an answer that was not offered, nothing more changes."""
    if entry_id and entry_id.isdigit():
        turn = turns.mark_helpful(session, telegram_user_id=telegram_user_id, entry_id=int(entry_id))
        question = offers.question_of(session, turn) if turn is not None else None
        if question is not None and unanswered.withdraw(session, question):
            log.info("faq: user %s confirmed offered entry %s answered turn %s", telegram_user_id,
                     entry_id, question.id)
    return Reply(tr._(GLAD))
