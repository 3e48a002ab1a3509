"""The owner's FAQ commands (/faq, /faq add, /faq edit N, /faq delete N) and the lists of
questions the bot couldn't answer (the weekly digest's, and "what couldn't the bot answer this
week?" in chat), as text in the owner's language; the doors only pass words in and text out.

Owner-only access is decided here from the store's roles, as for the metrics."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from shop.accounts import role_of
from shop.faq import entries, unanswered
from shop.faq.entries import FaqError
from shop.i18n import ENGLISH, N_, Nn_, Translator, available_languages
from shop.models import FaqEntry, Role

NOT_OWNER = N_("Sorry, only the shop's owner can change the FAQ.")
USAGE = N_("FAQ commands (owner only):\n"
           "/faq: list the entries\n"
           "/faq add Question? | Answer (in the language you write it in; to name it: /faq add de Frage? | "
           "Antwort)\n"
           "/faq edit N Question? | Answer (or /faq edit N New answer; /faq edit N de ... names the "
           "language)\n"
           "/faq delete N\n"
           "/faq unanswered: what the bot couldn't answer this week")
ADDED = N_("Added FAQ entry #{number} ({language}): {question}\nCustomers get it from their next message.")
DELETED = N_("Deleted FAQ entry #{number}: {question}")
CHANGED = N_("Changed FAQ entry #{number}: {question}\n{answer}")
NOW_IN = N_("It is now listed as {language}: customers who write {language} get it first.")
EMPTY = N_("The FAQ is empty. Add an entry: /faq add Question? | Answer")
LISTED = Nn_("FAQ ({count} entry)", "FAQ ({count} entries)")
OFF = N_("(off)")
MAX_LISTED_ANSWER = 80
# A question message starts "❓ <words> #<id>" in every language; a reply to it is its answer.
UNANSWERED_HEAD = "❓ Unanswered #"  # the English head
UNANSWERED = re.compile(r"^❓[^#\n]*#(\d+)\b")
ASKED_THIS_WEEK = Nn_(
    "❓ Unanswered #{number} · asked {count} time this week\n“{text}”\n"
    "Reply to this message with the answer to add it to the FAQ.",
    "❓ Unanswered #{number} · asked {count} times this week\n“{text}”\n"
    "Reply to this message with the answer to add it to the FAQ.")
ASKED_IN = Nn_(
    "❓ Unanswered #{number} · asked {count} time in {period}\n“{text}”\n"
    "Reply to this message with the answer to add it to the FAQ.",
    "❓ Unanswered #{number} · asked {count} times in {period}\n“{text}”\n"
    "Reply to this message with the answer to add it to the FAQ.")
ALL_ANSWERED_THIS_WEEK = N_("The bot answered every question about the shop this week.")
ALL_ANSWERED_IN = N_("The bot answered every question about the shop in {period}.")
TOP_THIS_WEEK = N_("What the bot couldn't answer this week, most asked first. Reply to a question "
                   "with its answer to add it to the FAQ (or use /faq add Question? | Answer).")
TOP_IN = N_("What the bot couldn't answer in {period}, most asked first. Reply to a question "
            "with its answer to add it to the FAQ (or use /faq add Question? | Answer).")
LAST_7_DAYS = N_("What the bot couldn't answer in the last 7 days:")
WEEK = timedelta(days=7)


def faq_command(session: Session, *, telegram_user_id: int, args: str, now: datetime,
                tr: Translator = ENGLISH) -> str:
    """The reply to `/faq <args>` from this user, in `tr`'s language."""
    if role_of(session, telegram_user_id) is not Role.owner:
        return tr._(NOT_OWNER)
    verb, _, rest = args.strip().partition(" ")
    try:
        if not verb:
            return listing(session, tr)
        if verb == "unanswered":
            return week_report(session, telegram_user_id=telegram_user_id, now=now, tr=tr)
        if verb == "add":
            named, rest = named_language(rest)
            question, answer = entries.split_question_answer(rest)
            language = named or entries.written_in(question, answer, fallback=tr.language)
            entry = entries.add_entry(session, question=question, answer=answer, now=now, language=language)
            return added(entry, tr)
        if verb in ("edit", "delete"):
            number, _, text = rest.strip().partition(" ")
            if not number.lstrip("#").isdigit():
                return tr._(USAGE)
            entry_id = int(number.lstrip("#"))
            if verb == "delete":
                entry = entries.delete_entry(session, entry_id)
                return tr._(DELETED, number=entry_id, question=entry.question)
            named, text = named_language(text)
            new_question: str | None = None
            if "|" in text:
                new_question, text = entries.split_question_answer(text)
            before = entries.get_entry(session, entry_id).language
            entry = entries.edit_entry(session, entry_id, question=new_question, answer=text, now=now,
                                       language=named)
            changed = tr._(CHANGED, number=entry.id, question=entry.question, answer=entry.answer)
            if entry.language == before:
                return changed
            return f"{changed}\n" + tr._(NOW_IN, language=tr.language_name(entry.language))
    except FaqError as exc:
        return exc.told(tr)
    return tr._(USAGE)


def named_language(args: str) -> tuple[str | None, str]:
    """'de Frage? | Antwort' → ('de', 'Frage? | Antwort'): a language code before the question
    names the entry's language; (None, args) when there is none."""
    first, _, rest = args.strip().partition(" ")
    if first in available_languages() and rest.strip():
        return first, rest
    return None, args


def added(entry: FaqEntry, tr: Translator) -> str:
    return tr._(ADDED, number=entry.id, language=tr.language_name(entry.language), question=entry.question)


def listing(session: Session, tr: Translator = ENGLISH) -> str:
    found = entries.list_entries(session)
    if not found:
        return tr._(EMPTY)
    lines = [f"#{e.id} [{e.language}] {e.question}{'' if e.enabled else ' ' + tr._(OFF)}\n   "
             f"{_short(e.answer)}" for e in found]
    return "\n".join([tr.n_(*LISTED, len(found)), *lines, "", tr._(USAGE)])


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_LISTED_ANSWER else flat[: MAX_LISTED_ANSWER - 1] + "…"


def digest_questions(session: Session, *, now: datetime, top: int = 5,
                     tr: Translator = ENGLISH) -> list[str]:
    """The week's most asked unanswered questions, one message each, for the owner to answer
    by replying (see `answer_by_reply`)."""
    asked = unanswered.top_unanswered(session, start=now - WEEK, end=now, top=top)
    return [tr.n_(*ASKED_THIS_WEEK, a.times, number=a.question_id, text=a.text) for a in asked]


def week_report(session: Session, *, telegram_user_id: int, now: datetime,
                tr: Translator = ENGLISH) -> str:
    """`/faq unanswered`: the last 7 days' unanswered questions as one list."""
    if role_of(session, telegram_user_id) is not Role.owner:
        return tr._(NOT_OWNER)
    asked = unanswered.top_unanswered(session, start=now - WEEK, end=now, top=10)
    if not asked:
        return tr._(ALL_ANSWERED_THIS_WEEK)
    lines = [f"{i}. “{a.text}” ({a.times}×)" for i, a in enumerate(asked, start=1)]
    return "\n".join([tr._(LAST_7_DAYS), *lines])


def answer_by_reply(session: Session, *, telegram_user_id: int, replied_text: str, answer: str,
                    now: datetime, tr: Translator = ENGLISH) -> str | None:
    """The owner replied to an unanswered question (digest or chat) with its answer: it becomes
    an FAQ entry. None when the replied-to message is not such a question."""
    found = UNANSWERED.match(replied_text or "")
    if found is None:
        return None
    if role_of(session, telegram_user_id) is not Role.owner:
        return tr._(NOT_OWNER)
    try:
        entry = unanswered.answer_question(session, int(found.group(1)), answer=answer, now=now,
                                           fallback_language=tr.language)
    except FaqError as exc:
        return exc.told(tr)
    return added(entry, tr)
