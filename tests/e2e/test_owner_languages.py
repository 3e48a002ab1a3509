"""The owner in their own language, end to end (issues 17 and 15): real bot, Rasa and action
server. Owners asking in German, Russian and Chinese get the figure in that language with its
number and date formats; "what couldn't the bot answer this week?" lists the collected
questions in chat, a reply to one adds it to the FAQ, and staff are refused.

Every test makes its own people with fresh Telegram ids; the ratings are in June 2023, a month
no other test writes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from local_bot_api import BotMessage, FakeUser, LocalBotApi
from rasa_runtime.supervisor import Supervisor
from shop import turns
from shop.db import make_engine, make_session_factory
from shop.faq import unanswered
from shop.faq.answers import DONT_KNOW
from shop.i18n import translator
from shop.models import BotTurn, FaqEntry, Feedback, Role, TelegramAccount, UnansweredQuestion
from shop.owner import REFUSAL
from shop.settings import Settings
from tests.e2e.conftest import bot_settings, run_bot
from tests.e2e.handoff_support import add_person, fresh_id, next_matching, store

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def sessions(e2e_settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(e2e_settings.database_url)
    factory = make_session_factory(engine)
    with store(factory) as session:  # ratings 5, 5, 4, 1, 1 in June 2023: CSAT 60%, none in May
        for day, rating in ((2, 5), (9, 5), (16, 4), (23, 1), (30, 1)):
            session.add(Feedback(rating=rating, created_at=datetime(2023, 6, day, 12, tzinfo=UTC)))
    yield factory
    engine.dispose()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def owner_bot(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi) -> AsyncIterator[None]:
    async with run_bot(bot_settings(e2e_settings, api)):
        yield


def owner_speaking(sessions: sessionmaker[Session], api: LocalBotApi, language: str) -> FakeUser:
    """A new owner whose Telegram is set to `language`."""
    tid = fresh_id()
    with store(sessions) as session:
        session.add(TelegramAccount(telegram_user_id=tid, chat_id=tid, role=Role.owner.value,
                                    display_name=f"Owner {language}", started=True))
    return api.user(tid, f"Owner{language}", language_code=language)


def plain(message: BotMessage) -> str:
    """The text with Babel's no-break spaces as spaces ("60\xa0%" → "60 %")."""
    return (message.text or "").replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.usefixtures("owner_bot")
class TestOwnerInTheirLanguage:
    @pytest.mark.parametrize(("language", "question", "answer"), [
        ("de", "wie war unsere Kundenzufriedenheit im Juni 2023?",
         "Die Kundenzufriedenheit (CSAT) liegt bei 60 % im Zeitraum Juni 2023; für Mai 2023 "
         "fehlen Daten zum Vergleich."),
        ("ru", "какая удовлетворённость клиентов в июне 2023 года?",
         "CSAT составляет 60 % за июнь 2023 г.; за май 2023 г. нет данных для сравнения."),
        ("zh", "看看2023年6月的客户满意度",
         "2023年6月：客户满意度（CSAT）为 60%；2023年5月没有可比较的数据。"),
    ])
    async def test_the_owner_asks_and_reads_the_figure_in_their_language(
            self, api: LocalBotApi, sessions: sessionmaker[Session], language: str, question: str,
            answer: str) -> None:
        owner = owner_speaking(sessions, api, language)
        await owner.send(question)
        reply = await next_matching(owner, lambda m: "60" in (m.text or ""), timeout=60,
                                    what="the CSAT answer")
        assert plain(reply) == answer

    async def test_what_the_bot_couldnt_answer_in_german_and_a_reply_adds_it(
            self, api: LocalBotApi, sessions: sessionmaker[Session]) -> None:
        customer, _ = add_person(sessions, api, "Vera Vegan", Role.customer)
        await customer.send("are your candles vegan?")
        [told] = await customer.wait_for(1, timeout=60)
        assert told.text == DONT_KNOW
        owner = owner_speaking(sessions, api, "de")
        await owner.send("Was konnte der Bot diese Woche nicht beantworten?")
        question = await next_matching(owner, lambda m: "vegan" in (m.text or ""), timeout=60,
                                       what="the candle question")
        assert (question.text or "").startswith("❓ Unbeantwortet #")
        assert "Antworten Sie auf diese Nachricht mit der Antwort" in (question.text or "")
        await owner.send("Ja, alle unsere Kerzen sind aus Rapswachs.", reply_to=question.message_id)
        added = await next_matching(owner, lambda m: (m.text or "").startswith("FAQ-Eintrag #"),
                                    what="the added entry")
        assert "hinzugefügt" in (added.text or "")
        with store(sessions) as session:
            group = session.scalar(select(UnansweredQuestion).where(
                UnansweredQuestion.text.contains("candles vegan")))
            assert group is not None and group.answered_by_entry_id is not None
            entry = session.get(FaqEntry, group.answered_by_entry_id)
            assert entry is not None and entry.answer == "Ja, alle unsere Kerzen sind aus Rapswachs."

    @pytest.mark.parametrize(("language", "question", "head", "words"), [
        ("en", "what couldn't the bot answer this week?", "What the bot couldn't answer this week",
         "xylophone tuning for left-handed players"),
        ("zh", "本周机器人没能回答哪些问题？", "本周机器人没能回答的问题", "tubas in size twelve"),
    ])
    async def test_what_the_bot_couldnt_answer_in_english_and_chinese(
            self, api: LocalBotApi, sessions: sessionmaker[Session], language: str, question: str,
            head: str, words: str) -> None:
        # Collected as the assistant collects a question it has no answer for (the German test
        # above and tests/e2e/test_faq.py collect theirs through the chat): this test is about
        # the owner's question, not about how the model reads an odd customer question.
        customer, _ = add_person(sessions, api, "Tuba Tom", Role.customer)
        with store(sessions) as session:  # what the ask_faq action records for it
            now = datetime.now(UTC)
            turn = session.get_one(BotTurn, turns.record_turn(
                session, telegram_user_id=customer.id, intent="ask_faq", confidence=0.9,
                action="action_answer_faq", now=now))
            turn.unanswered_id = unanswered.collect(session, text=f"do you have {words}?",
                                                    telegram_user_id=customer.id, now=now).id
        owner = owner_speaking(sessions, api, language)
        await owner.send(question)
        heading = await next_matching(owner, lambda m: (m.text or "").startswith(head), timeout=60,
                                      what="the list's heading")
        assert heading.text is not None
        await next_matching(owner, lambda m: words in (m.text or ""), what="the customer's question")

    async def test_staff_are_refused_like_for_the_figures(self, api: LocalBotApi,
                                                          sessions: sessionmaker[Session]) -> None:
        staff, _ = add_person(sessions, api, "Stella Staff", Role.staff)
        await staff.send("what couldn't the bot answer this week?")
        refused = await next_matching(staff, lambda m: m.text == translator("en")._(REFUSAL),
                                      timeout=60, what="the refusal")
        assert refused.text == REFUSAL
