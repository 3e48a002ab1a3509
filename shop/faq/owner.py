"""The owner's FAQ commands (/faq, /faq add, /faq edit N, /faq delete N) and the weekly list of
unanswered questions, as text; the Telegram handler only passes words in and text out.

Owner-only access is decided here from the store's roles, as for the metrics."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from shop.accounts import role_of
from shop.faq import entries, unanswered
from shop.faq.entries import FaqError
from shop.models import Role

NOT_OWNER = "Sorry, only the shop's owner can change the FAQ."
USAGE = ("FAQ commands (owner only):\n"
         "/faq: list the entries\n"
         "/faq add Question? | Answer\n"
         "/faq edit N Question? | Answer (or /faq edit N New answer)\n"
         "/faq delete N\n"
         "/faq unanswered: what the bot couldn't answer this week")
MAX_LISTED_ANSWER = 80
UNANSWERED_HEAD = "❓ Unanswered #"  # the digest's question messages start so; replies find them
UNANSWERED = re.compile(r"^❓ Unanswered #(\d+)\b")
WEEK = timedelta(days=7)


def faq_command(session: Session, *, telegram_user_id: int, args: str, now: datetime) -> str:
    """The reply to `/faq <args>` from this user."""
    if role_of(session, telegram_user_id) is not Role.owner:
        return NOT_OWNER
    verb, _, rest = args.strip().partition(" ")
    try:
        if not verb:
            return listing(session)
        if verb == "unanswered":
            return week_report(session, telegram_user_id=telegram_user_id, now=now)
        if verb == "add":
            question, answer = entries.split_question_answer(rest)
            entry = entries.add_entry(session, question=question, answer=answer, now=now)
            return f"Added FAQ entry #{entry.id}: {entry.question}\nCustomers get it from their next message."
        if verb in ("edit", "delete"):
            number, _, text = rest.strip().partition(" ")
            if not number.lstrip("#").isdigit():
                return USAGE
            entry_id = int(number.lstrip("#"))
            if verb == "delete":
                entry = entries.delete_entry(session, entry_id)
                return f"Deleted FAQ entry #{entry_id}: {entry.question}"
            new_question: str | None = None
            if "|" in text:
                new_question, text = entries.split_question_answer(text)
            entry = entries.edit_entry(session, entry_id, question=new_question, answer=text, now=now)
            return f"Changed FAQ entry #{entry.id}: {entry.question}\n{entry.answer}"
    except FaqError as exc:
        return str(exc)
    return USAGE


def listing(session: Session) -> str:
    found = entries.list_entries(session)
    if not found:
        return "The FAQ is empty. Add an entry: /faq add Question? | Answer"
    lines = [f"#{e.id} {e.question}{'' if e.enabled else ' (off)'}\n   "
             f"{_short(e.answer)}" for e in found]
    return "\n".join([f"FAQ ({len(found)} entries)", *lines, "", USAGE])


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_LISTED_ANSWER else flat[: MAX_LISTED_ANSWER - 1] + "…"


def digest_questions(session: Session, *, now: datetime, top: int = 5) -> list[str]:
    """The week's most asked unanswered questions, one message each, for the owner to answer
    by replying (see `answer_by_reply`)."""
    asked = unanswered.top_unanswered(session, start=now - WEEK, end=now, top=top)
    return [f"{UNANSWERED_HEAD}{a.question_id} · asked {a.times} time{'' if a.times == 1 else 's'} "
            f"this week\n“{a.text}”\nReply to this message with the answer to add it to the FAQ."
            for a in asked]


def week_report(session: Session, *, telegram_user_id: int, now: datetime) -> str:
    """"What couldn't the bot answer this week?"."""
    if role_of(session, telegram_user_id) is not Role.owner:
        return NOT_OWNER
    asked = unanswered.top_unanswered(session, start=now - WEEK, end=now, top=10)
    if not asked:
        return "The bot answered every question about the shop this week."
    lines = [f"{i}. “{a.text}” ({a.times}×)" for i, a in enumerate(asked, start=1)]
    return "\n".join(["What the bot couldn't answer in the last 7 days:", *lines])


def answer_by_reply(session: Session, *, telegram_user_id: int, replied_text: str, answer: str,
                    now: datetime) -> str | None:
    """The owner replied to a digest question with its answer: it becomes an FAQ entry. None
    when the replied-to message is not such a question."""
    found = UNANSWERED.match(replied_text or "")
    if found is None:
        return None
    if role_of(session, telegram_user_id) is not Role.owner:
        return NOT_OWNER
    try:
        entry = unanswered.answer_question(session, int(found.group(1)), answer=answer, now=now)
    except FaqError as exc:
        return str(exc)
    return f"Added FAQ entry #{entry.id}: {entry.question}\nCustomers get it from their next message."
