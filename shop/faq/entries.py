"""The FAQ entries as the owner keeps them: list, add, edit, delete (Telegram and CSV)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.i18n import N_, Translator
from shop.language import written_language
from shop.models import FaqEntry

MAX_QUESTION = 300
MAX_ANSWER = 2000


class FaqError(ValueError):
    """What the owner asked for can't be done; the message says why, for the owner.

    The message is a catalog id with named placeholders; `told` gives it in the owner's language.
    """

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(message.format(**values))
        self.message, self.values = message, values

    def told(self, tr: Translator) -> str:
        return tr._(self.message, **self.values)


def list_entries(session: Session, *, include_disabled: bool = True) -> list[FaqEntry]:
    query = select(FaqEntry).order_by(FaqEntry.id)
    if not include_disabled:
        query = query.where(FaqEntry.enabled.is_(True))
    return list(session.scalars(query))


def get_entry(session: Session, entry_id: int) -> FaqEntry:
    entry = session.get(FaqEntry, entry_id)
    if entry is None:
        raise FaqError(N_("There is no FAQ entry #{number}. /faq lists them."), number=entry_id)
    return entry


def _checked(question: str, answer: str) -> tuple[str, str]:
    question, answer = question.strip(), answer.strip()
    if not question or not answer:
        raise FaqError(N_("Both a question and an answer are needed: Question? | Answer"))
    if len(question) > MAX_QUESTION:
        raise FaqError(N_("The question is longer than {limit} characters."), limit=MAX_QUESTION)
    if len(answer) > MAX_ANSWER:
        raise FaqError(N_("The answer is longer than {limit} characters."), limit=MAX_ANSWER)
    return question, answer


def add_entry(session: Session, *, question: str, answer: str, now: datetime,
              variants: str | None = None, tags: str | None = None, language: str = "en") -> FaqEntry:
    question, answer = _checked(question, answer)
    if session.scalar(select(FaqEntry.id).where(FaqEntry.language == language,
                                                FaqEntry.question == question)) is not None:
        raise FaqError(N_("That question is already in the FAQ; edit it instead (/faq)."))
    entry = FaqEntry(question=question, answer=answer, variants=variants, tags=tags,
                     language=language, enabled=True, created_at=now, updated_at=now)
    session.add(entry)
    session.flush()
    return entry


def written_in(question: str, answer: str, *, fallback: str) -> str:
    """The language an entry is written in, as customers' messages are recognised
    (shop.language); `fallback` (the owner's own language) when its words are too few to tell."""
    return written_language(f"{question}\n{answer}") or fallback


def edit_entry(session: Session, entry_id: int, *, now: datetime, answer: str,
               question: str | None = None, language: str | None = None) -> FaqEntry:
    """A new answer, and a new question if one is given; the entry answers from now on.

    Its language is `language` when named, else what the new words are written in (the
    entry's own language when they are too few to tell): an English entry rewritten in
    German is a German entry, served to German readers first."""
    entry = get_entry(session, entry_id)
    entry.question, entry.answer = _checked(question or entry.question, answer)
    entry.language = language or written_in(entry.question, entry.answer, fallback=entry.language)
    entry.updated_at = now
    session.flush()
    return entry


def delete_entry(session: Session, entry_id: int) -> FaqEntry:
    entry = get_entry(session, entry_id)
    session.delete(entry)
    session.flush()
    return entry


def split_variants(variants: str | None) -> list[str]:
    """Variants as stored (one per line) or as typed in a cell ("a | b")."""
    if not variants:
        return []
    return [v.strip() for line in variants.splitlines() for v in line.split("|") if v.strip()]


def split_question_answer(text: str) -> tuple[str, str]:
    """'Question? | Answer' → (question, answer), as the owner types it after /faq add."""
    question, bar, answer = text.partition("|")
    if not bar:
        raise FaqError(N_("Write the question and the answer with a | between them, e.g.\n"
                          "/faq add Do you ship to Austria? | Yes, in 3-5 working days."))
    return _checked(question, answer)
