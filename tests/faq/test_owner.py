"""The owner's FAQ commands and the digest loop, on the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from shop import turns
from shop.faq import owner
from shop.faq.answers import answer
from shop.faq.demo import seed_faq
from shop.faq.retrieval import FaqLibrary
from shop.models import Role
from tests import journey_builders as b

OWNER, STAFF, CUSTOMER = 51001, 51002, 51003


def people(session) -> None:  # type: ignore[no-untyped-def]
    b.account(session, telegram_user_id=OWNER, role=Role.owner)
    b.account(session, telegram_user_id=STAFF, role=Role.staff)


def test_only_the_owner_may_list_or_change_the_faq(session, now):
    people(session)
    for who in (STAFF, CUSTOMER):
        for args in ("", "add Q? | A", "delete 1"):
            assert owner.faq_command(session, telegram_user_id=who, args=args, now=now) == owner.NOT_OWNER


def test_add_edit_delete_and_the_next_question_gets_the_change(session, now):
    people(session)
    seed_faq(session, now=now)
    library = FaqLibrary()
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now,
                             args="add Do you sell trombones? | Yes, brass ones from €300.")
    entry_id = int(said.split("#")[1].split(":")[0])
    assert said.startswith(f"Added FAQ entry #{entry_id}: Do you sell trombones?")

    def asked(text: str) -> str | None:
        turns.record_turn(session, telegram_user_id=CUSTOMER, intent="ask_faq", confidence=1.0,
                          action="action_answer_faq", now=now)
        return answer(session, library, text=text, telegram_user_id=CUSTOMER, now=now,
                      collect=True).reply.text  # type: ignore[union-attr]

    assert asked("do you sell trombones") == "Yes, brass ones from €300."
    later = now + timedelta(minutes=1)
    said = owner.faq_command(session, telegram_user_id=OWNER, now=later,
                             args=f"edit {entry_id} Sold out, sorry.")
    assert said.endswith("Sold out, sorry.")
    assert asked("do you sell trombones") == "Sold out, sorry."
    said = owner.faq_command(session, telegram_user_id=OWNER, now=later, args=f"delete {entry_id}")
    assert said.startswith(f"Deleted FAQ entry #{entry_id}")
    assert asked("do you sell trombones") != "Sold out, sorry."
    listing = owner.faq_command(session, telegram_user_id=OWNER, now=later, args="")
    assert listing.startswith("FAQ (26 entries)") and "Can I pay with PayPal?" in listing
    said = owner.faq_command(session, telegram_user_id=OWNER, now=later, args="add no bar")
    assert "with a | between" in said
    assert owner.faq_command(session, telegram_user_id=OWNER, now=later, args="edit 999999 x").startswith(
        "There is no FAQ entry #999999")


def test_the_digest_lists_unanswered_questions_and_a_reply_answers_one(session, now):
    people(session)
    library = FaqLibrary()
    for text in ("do you sell trombones?", "Do you sell trombones", "is there parking nearby"):
        turns.record_turn(session, telegram_user_id=CUSTOMER, intent="ask_faq", confidence=1.0,
                          action="action_answer_faq", now=now - timedelta(days=1))
        answer(session, library, text=text, telegram_user_id=CUSTOMER, now=now - timedelta(days=1),
               collect=True)
    first, second = owner.digest_questions(session, now=now)
    assert first.startswith(owner.UNANSWERED_HEAD) and "asked 2 times this week" in first
    assert "“do you sell trombones?”" in first and "parking" in second
    assert "trombones" in owner.week_report(session, telegram_user_id=OWNER, now=now)

    assert owner.answer_by_reply(session, telegram_user_id=CUSTOMER, replied_text=first,
                                 answer="Yes.", now=now) == owner.NOT_OWNER
    assert owner.answer_by_reply(session, telegram_user_id=OWNER, replied_text="some other message",
                                 answer="Yes.", now=now) is None
    said = owner.answer_by_reply(session, telegram_user_id=OWNER, replied_text=first,
                                 answer="Yes, brass ones.", now=now)
    assert said is not None and said.startswith("Added FAQ entry #")
    assert [q for q in owner.digest_questions(session, now=now) if "trombones" in q] == []
    found = library.index(session).best("do you sell trombones?")
    assert found is not None
