"""The owner's FAQ commands and the digest loop, on the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from shop import turns
from shop.faq import owner
from shop.faq.answers import answer
from shop.faq.demo import seed_faq
from shop.faq.retrieval import FaqLibrary
from shop.i18n import translator
from shop.models import FaqEntry, Role
from shop.owner import REFUSAL, metric_replies
from shop.settings import Settings
from tests import journey_builders as b

OWNER, STAFF, CUSTOMER = 51001, 51002, 51003
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


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
    entry_id = int(said.split("#")[1].split(" ")[0])
    assert said.startswith(f"Added FAQ entry #{entry_id} (English): Do you sell trombones?")

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


def test_an_edit_in_another_language_moves_the_entry_to_it(session, now):
    people(session)
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now,
                             args="add Do you sell trombones? | Yes, brass ones from €300.")
    entry_id = int(said.split("#")[1].split(" ")[0])
    entry = session.get(FaqEntry, entry_id)
    assert entry.language == "en"
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now,
                             args=f"edit {entry_id} Verkaufen Sie Posaunen? | Ja, aus Messing, ab 300 €.")
    assert entry.language == "de" and entry.question == "Verkaufen Sie Posaunen?"
    assert said.endswith("It is now listed as German: customers who write German get it first.")
    # a short new answer keeps the entry's language; a named one sets it, even for few words
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now, args=f"edit {entry_id} Ja.")
    assert entry.language == "de" and said.endswith("Ja.")
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now, args=f"edit {entry_id} ru Да.")
    assert entry.language == "ru" and entry.answer == "Да."
    assert said.endswith("It is now listed as Russian: customers who write Russian get it first.")
    # told in the owner's language
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now, tr=translator("de"),
                             args=f"edit {entry_id} Do you sell trombones? | Yes, brass ones from €300.")
    assert entry.language == "en" and said.endswith(
        "Er ist jetzt als Englisch eingetragen: Kunden, die Englisch schreiben, erhalten ihn zuerst.")


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


def collect_unanswered(session, now, texts: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    library = FaqLibrary()
    for text in texts:
        turns.record_turn(session, telegram_user_id=CUSTOMER, intent="ask_faq", confidence=1.0,
                          action="action_answer_faq", now=now - timedelta(days=1))
        answer(session, library, text=text, telegram_user_id=CUSTOMER, now=now - timedelta(days=1),
               collect=True)


def ask_in_chat(session, now, *, metrics: list[str], text: str, language: str = "en",  # type: ignore[no-untyped-def]
                who: int = OWNER, period: str | None = None) -> list[str]:
    replies = metric_replies(session, telegram_user_id=who, metrics=metrics, period_text=period,
                             wants_trend=False, settings=SETTINGS, now=now, tr=translator(language),
                             text=text)
    return [r.text for r in replies]


def test_what_the_bot_couldnt_answer_in_chat_is_the_digests_list_and_a_reply_answers_one(session, now):
    people(session)
    collect_unanswered(session, now, ("do you sell trombones?", "Do you sell trombones",
                                      "is there parking nearby"))
    said = ask_in_chat(session, now, metrics=["unanswered_questions"],
                       text="what couldn't the bot answer this week?")
    head, first, second = said
    assert head.startswith("What the bot couldn't answer this week, most asked first. Reply to a question")
    assert first == owner.digest_questions(session, now=now)[0]  # grouped and worded as the digest
    assert "asked 2 times this week" in first and "“do you sell trombones?”" in first
    assert "parking" in second and "asked 1 time this week" in second

    added = owner.answer_by_reply(session, telegram_user_id=OWNER, replied_text=first,
                                  answer="Yes, brass ones.", now=now)
    assert added is not None and added.startswith("Added FAQ entry #")
    [left] = ask_in_chat(session, now, metrics=["unanswered_questions"], text="unanswered questions")[1:]
    assert "parking" in left


def test_the_question_is_recognised_by_its_words_when_the_model_tagged_no_metric(session, now):
    people(session)
    collect_unanswered(session, now, ("do you sell trombones?",))
    said = ask_in_chat(session, now, metrics=[], text="Was konnte der Bot diese Woche nicht beantworten?",
                       language="de")
    assert said[0].startswith("Was der Bot diese Woche nicht beantworten konnte")
    assert said[1].startswith("❓ Unbeantwortet #") and "diese Woche 1-mal gefragt" in said[1]
    question_id = owner.UNANSWERED.match(said[1]).group(1)  # type: ignore[union-attr]
    added = owner.answer_by_reply(session, telegram_user_id=OWNER, replied_text=said[1],
                                  answer="Ja, aus Messing.", now=now, tr=translator("de"))
    assert added is not None and added.startswith("FAQ-Eintrag #") and question_id


@pytest.mark.parametrize(("language", "text", "head", "question"), [
    ("ru", "На какие вопросы бот не смог ответить на этой неделе?",
     "На что бот не смог ответить на этой неделе", "❓ Без ответа #"),
    ("zh", "本周机器人没能回答哪些问题？", "本周机器人没能回答的问题", "❓ 未回答 #"),
])
def test_the_list_in_russian_and_chinese(session, now, language, text, head, question):
    people(session)
    collect_unanswered(session, now, ("do you sell trombones?",))
    said = ask_in_chat(session, now, metrics=["unanswered_questions"], text=text, language=language)
    assert said[0].startswith(head) and said[1].startswith(question) and "trombones" in said[1]


def test_a_named_period_and_a_quiet_week(session, now):
    people(session)
    assert ask_in_chat(session, now, metrics=["unanswered_questions"], text="") == [
        "The bot answered every question about the shop this week."]
    collect_unanswered(session, now, ("do you sell trombones?",))
    head, first = ask_in_chat(session, now, metrics=["unanswered_questions"], text="", period="this month")
    assert head.startswith("What the bot couldn't answer in Nov 2026 to date")
    assert "asked 1 time in Nov 2026 to date" in first


@pytest.mark.parametrize("who", [STAFF, CUSTOMER])
def test_staff_and_customers_are_refused_like_for_other_owner_questions(session, now, who):
    people(session)
    collect_unanswered(session, now, ("do you sell trombones?",))
    said = ask_in_chat(session, now, metrics=["unanswered_questions"], text="", who=who, language="de")
    assert said == [translator("de")._(REFUSAL)]


def test_the_faq_commands_answer_in_the_owners_language(session, now):
    people(session)
    german, chinese = translator("de"), translator("zh")
    assert owner.faq_command(session, telegram_user_id=STAFF, args="", now=now, tr=german) == (
        "Die FAQ kann leider nur die Inhaberin oder der Inhaber des Shops ändern.")
    assert owner.faq_command(session, telegram_user_id=OWNER, args="", now=now, tr=chinese).startswith(
        "常见问题还是空的")
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now, tr=german,
                             args="add Verkauft ihr Posaunen? | Ja, aus Messing.")
    assert said.startswith("FAQ-Eintrag #") and "(Deutsch) hinzugefügt: Verkauft ihr Posaunen?" in said
    listing = owner.faq_command(session, telegram_user_id=OWNER, args="", now=now, tr=german)
    assert listing.startswith("FAQ (1 Eintrag)") and "[de] Verkauft ihr Posaunen?" in listing
    assert owner.faq_command(session, telegram_user_id=OWNER, args="edit 999999 x", now=now,
                             tr=chinese) == "没有第 #999999 条常见问题。发送 /faq 查看全部条目。"
    assert "mit einem | dazwischen" in owner.faq_command(session, telegram_user_id=OWNER, now=now,
                                                         args="add no bar", tr=german)


def test_this_week_named_by_the_owner_is_the_digests_week(session, now):
    people(session)
    collect_unanswered(session, now, ("do you sell trombones?",))
    head, first = ask_in_chat(session, now, metrics=["unanswered_questions"], text="", period="this week")
    assert head.startswith("What the bot couldn't answer this week")
    assert first == owner.digest_questions(session, now=now)[0]


def stored(session, said: str) -> FaqEntry:  # type: ignore[no-untyped-def]
    found = re.search(r"#(\d+)", said)
    assert found is not None, said
    entry = session.get(FaqEntry, int(found.group(1)))
    assert entry is not None
    return entry


@pytest.mark.parametrize(("args", "language", "named"), [
    ("add Liefert ihr auch nach Österreich? | Ja, in drei bis fünf Werktagen.", "de", "German"),
    ("add Вы доставляете в Казахстан? | Да, за семь-десять дней.", "ru", "Russian"),
    ("add 你们可以开发票吗？ | 可以，下单时填写抬头即可。", "zh", "Chinese"),
    ("add Do you ship to Austria? | Yes, in three to five working days.", "en", "English"),
])
def test_an_entry_is_stored_in_the_language_it_is_written_in(session, now, args, language, named):
    people(session)  # the owner reads English: what they write decides the entry's language
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now, args=args)
    assert stored(session, said).language == language
    assert f"({named}):" in said


def test_a_named_language_wins_and_too_few_words_are_the_owners_language(session, now):
    people(session)
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now, args="add ru PayPal? | PayPal: да.")
    entry = stored(session, said)
    assert (entry.language, entry.question, entry.answer) == ("ru", "PayPal?", "PayPal: да.")
    assert "(Russian)" in said
    # "Rechnung? | Ja." says too little to tell German from English: the owner writes in German
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now, args="add Rechnung? | Ja.",
                             tr=translator("de"))
    assert stored(session, said).language == "de" and "(Deutsch)" in said
    said = owner.faq_command(session, telegram_user_id=OWNER, now=now, args="add de | x")
    assert "Both a question and an answer are needed" in said  # "de" alone is no question


def test_a_german_customer_gets_the_entry_the_owner_wrote_in_german(session, now):
    people(session)
    library = FaqLibrary()
    owner.faq_command(session, telegram_user_id=OWNER, now=now,
                      args="add Do you ship to Austria? | Yes, in three to five working days.")
    owner.faq_command(session, telegram_user_id=OWNER, now=now,
                      args="add Liefert ihr nach Österreich? | Ja, in drei bis fünf Werktagen.")
    turns.record_turn(session, telegram_user_id=CUSTOMER, intent="ask_faq", confidence=1.0,
                      action="action_answer_faq", now=now)
    reply = answer(session, library, text="Liefert ihr nach Österreich?", telegram_user_id=CUSTOMER,
                   now=now, collect=False, tr=translator("de")).reply
    assert reply is not None and reply.text == "Ja, in drei bis fünf Werktagen."


def test_an_answered_question_takes_the_language_of_the_customer_who_asked_it(session, now):
    people(session)
    collect_unanswered(session, now, ("Можно ли оплатить заказ наличными при получении?",))
    [question] = owner.digest_questions(session, now=now)
    said = owner.answer_by_reply(session, telegram_user_id=OWNER, replied_text=question,
                                 answer="Да, курьеру наличными или картой.", now=now)
    assert said is not None and "(Russian)" in said
    assert stored(session, said).language == "ru"
