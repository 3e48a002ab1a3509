"""Questions no FAQ entry answered, grouped when they say the same thing, for the owner.

Each asking is the customer's turn linked to its group (BotTurn.unanswered_id). An asking the
customer later confirmed an offered entry answered ("That helps" under the answer of the entry
they picked from the offer) is taken off the list (`withdraw`); the group stays open for the
others who asked it, and only the owner's answer closes it (`answer_question`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shop.faq.entries import FaqError, add_entry, written_in
from shop.faq.retrieval import Document, FaqIndex, content_words
from shop.i18n import N_
from shop.models import BotTurn, FaqEntry, UnansweredQuestion

SAME_THING = 0.6  # a new question this close to an open group joins it
OPEN_GROUPS = 500  # compared with the most recently asked open groups only


def normalise(text: str) -> str:
    """The question's content words, sorted: "Do you sell gift cards?" = "gift cards sold?"."""
    return " ".join(sorted(set(content_words(text).split())))[:300]


def collect(session: Session, *, text: str, telegram_user_id: int, now: datetime) -> UnansweredQuestion:
    """Keep `text` for the owner: a new group, or one more asking of a group that says the same."""
    key = normalise(text) or text.strip().lower()[:300]
    open_groups = list(session.scalars(
        select(UnansweredQuestion).where(UnansweredQuestion.answered_by_entry_id.is_(None))
        .order_by(UnansweredQuestion.last_asked_at.desc()).limit(OPEN_GROUPS)))
    group = next((g for g in open_groups if g.normalised == key), None)
    if group is None and open_groups:
        match = FaqIndex([Document(g.id, g.text) for g in open_groups]).best(text, threshold=SAME_THING)
        group = next((g for g in open_groups if match and g.id == match.entry_id), None)
    if group is None:
        group = UnansweredQuestion(text=text[:1000], normalised=key, count=0, first_asked_at=now)
        session.add(group)
    group.count += 1
    group.last_asked_at = now
    group.telegram_user_id = telegram_user_id
    session.flush()
    return group


def withdraw(session: Session, question: BotTurn) -> bool:
    """The customer confirmed that an entry offered for `question` (their turn) answered it:
    that asking no longer counts for its group (the turn's link goes, the group's count goes
    down), so a group nobody else asked leaves the owner's list. Other customers' askings, and
    the group itself, stay as they are. False when the turn counts for no group (any more)."""
    group_id = question.unanswered_id
    if group_id is None:
        return False
    # guarded: a second "That helps" finds the link gone and changes nothing; and the count
    # goes down in SQL (count - 1), so another customer's asking counted meanwhile is not lost
    unlinked = session.execute(
        update(BotTurn).where(BotTurn.id == question.id, BotTurn.unanswered_id == group_id)
        .values(unanswered_id=None).execution_options(synchronize_session="fetch"))
    if not unlinked.rowcount:  # type: ignore[attr-defined]
        return False
    session.execute(
        update(UnansweredQuestion).where(UnansweredQuestion.id == group_id, UnansweredQuestion.count > 0)
        .values(count=UnansweredQuestion.count - 1).execution_options(synchronize_session="fetch"))
    return True


@dataclass(frozen=True)
class Asked:
    question_id: int
    text: str
    times: int  # asked this many times in the window


def top_unanswered(session: Session, *, start: datetime, end: datetime, top: int = 5) -> list[Asked]:
    """The open questions asked most often in [start, end), most asked first: the askings (turns)
    still linked to each group, so one a customer confirmed an offered entry answered (`withdraw`)
    is not counted, and a group with no asking left in the window is not listed."""
    times = func.count(BotTurn.id)
    rows = session.execute(
        select(UnansweredQuestion.id, UnansweredQuestion.text, times)
        .join(BotTurn, BotTurn.unanswered_id == UnansweredQuestion.id)
        .where(UnansweredQuestion.answered_by_entry_id.is_(None),
               BotTurn.created_at >= start, BotTurn.created_at < end)
        .group_by(UnansweredQuestion.id, UnansweredQuestion.text)
        .order_by(times.desc(), UnansweredQuestion.id).limit(top)).all()
    return [Asked(i, t, int(n)) for i, t, n in rows]


def answer_question(session: Session, question_id: int, *, answer: str, now: datetime,
                    fallback_language: str) -> FaqEntry:
    """The owner answers a collected question: it becomes an FAQ entry, and the group is closed.

    The entry's language is the one its question and answer are written in, else
    `fallback_language` (the owner's)."""
    group = session.get(UnansweredQuestion, question_id)
    if group is None:
        raise FaqError(N_("There is no unanswered question #{number}."), number=question_id)
    question = group.text[:300]
    entry = add_entry(session, question=question, answer=answer, now=now,
                      language=written_in(question, answer, fallback=fallback_language))
    group.answered_by_entry_id = entry.id
    session.flush()
    return entry
