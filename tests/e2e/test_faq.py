"""The shop's own answers end to end (issue 15): customers and the owner through the real
Rasa server, the real action server and the local Bot API.

Every test makes its own people with fresh Telegram ids; FAQ entries added by a test use
words no other test asks about.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot

from actions.handoff import DID_NOT_GET
from bot.digest import deliver_digest
from bot.services import Services
from local_bot_api import LocalBotApi
from rasa_runtime.supervisor import Supervisor
from shop.db import make_engine, make_session_factory
from shop.faq.answers import DONT_KNOW, GLAD, HELPS, ONE_OF_THESE
from shop.faq.owner import NOT_OWNER, UNANSWERED_HEAD
from shop.models import BotTurn, FaqEntry, Role, UnansweredQuestion
from shop.replies import TALK_TO_PERSON
from shop.settings import Settings
from tests.e2e.conftest import TOKEN, bot_settings, run_bot
from tests.e2e.handoff_support import add_person, next_matching, store

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def sessions(e2e_settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(e2e_settings.database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def faq_bot(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi) -> AsyncIterator[None]:
    async with run_bot(bot_settings(e2e_settings, api)):
        yield


def collected(sessions: sessionmaker[Session], words: str) -> list[UnansweredQuestion]:
    with store(sessions) as session:
        query = select(UnansweredQuestion).where(UnansweredQuestion.text.contains(words))
        return list(session.scalars(query))


@pytest.mark.usefixtures("faq_bot")
class TestFaq:
    async def test_a_policy_question_gets_the_shops_answer(self, api: LocalBotApi,
                                                           sessions: sessionmaker[Session]) -> None:
        customer, _ = add_person(sessions, api, "Fay Faq", Role.customer)
        await customer.send("can I pay with PayPal?")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.text is not None and "PayPal is available at checkout" in answer.text
        assert answer.buttons == [HELPS, TALK_TO_PERSON]

    async def test_an_unknown_question_is_offered_a_person_and_collected(
            self, api: LocalBotApi, sessions: sessionmaker[Session]) -> None:
        customer, _ = add_person(sessions, api, "Una Known", Role.customer)
        await customer.send("do you have a loyalty programme?")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.text == DONT_KNOW and answer.buttons == [TALK_TO_PERSON]
        [group] = collected(sessions, "loyalty programme")
        assert group.telegram_user_id == customer.id

    async def test_a_question_close_to_entries_offers_them_and_a_tap_gets_the_answer(
            self, api: LocalBotApi, sessions: sessionmaker[Session]) -> None:
        customer, _ = add_person(sessions, api, "Wendy Wheels", Role.customer)
        await customer.send("is the showroom wheelchair accessible?")
        [offer] = await customer.wait_for(1, timeout=60)
        # ask_faq offers close entries, and so does the fallback, whether Rasa is unsure or
        # refuses the message (today's model reads it as a complaint far from its examples);
        # either way the shop's entry is the first button
        assert offer.text in (ONE_OF_THESE, DID_NOT_GET)
        assert offer.buttons[0] == "Do you have a shop I can visit?"
        await customer.press("Do you have a shop I can visit?")
        [answer] = await customer.wait_for(1, timeout=60)
        with store(sessions) as session:
            shop = session.scalar(select(FaqEntry).where(
                FaqEntry.question == "Do you have a shop I can visit?"))
        assert answer.text == shop.answer and answer.buttons == [HELPS, TALK_TO_PERSON]

    async def test_the_owner_adds_an_entry_and_the_next_customer_message_gets_it(
            self, api: LocalBotApi, sessions: sessionmaker[Session]) -> None:
        owner, _ = add_person(sessions, api, "Olga Owner", Role.owner)
        await owner.send("/faq add Do you sell trombones? | Yes: brass trombones from €300, in the showroom.")
        [added] = await owner.wait_for(1, timeout=30)
        assert added.text is not None and added.text.startswith("Added FAQ entry #")
        customer, _ = add_person(sessions, api, "Tim Trombone", Role.customer)
        await customer.send("do you sell trombones?")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.text == "Yes: brass trombones from €300, in the showroom."
        # deleted, the entry answers no one (and leaves the store the e2e tests share as it was)
        number = added.text.removeprefix("Added FAQ entry #").split(" ")[0]
        await owner.send(f"/faq delete {number}")
        [deleted] = await owner.wait_for(1, timeout=30)
        assert deleted.text == f"Deleted FAQ entry #{number}: Do you sell trombones?"
        await customer.send("do you sell trombones?")
        [again] = await customer.wait_for(1, timeout=60)
        assert again.text is not None and "trombones from €300" not in again.text, again.text

    async def test_a_customers_faq_add_is_refused(self, api: LocalBotApi,
                                                  sessions: sessionmaker[Session]) -> None:
        customer, _ = add_person(sessions, api, "Cory Curious", Role.customer)
        await customer.send("/faq add Free stuff? | Yes, all of it.")
        [refused] = await customer.wait_for(1, timeout=30)
        assert refused.text == NOT_OWNER
        with store(sessions) as session:
            assert session.scalar(select(FaqEntry.id).where(FaqEntry.question == "Free stuff?")) is None

    async def test_that_helps_under_a_picked_offer_takes_that_asking_off_the_owners_list(
            self, api: LocalBotApi, sessions: sessionmaker[Session]) -> None:
        # Before the digest test below, which asks the same question again: the group stays open.
        customer, _ = add_person(sessions, api, "Hana Helped", Role.customer)
        await customer.send("is there a car park at the showroom?")
        [offer] = await customer.wait_for(1, timeout=60)
        assert offer.text == ONE_OF_THESE
        [group] = collected(sessions, "car park")
        asked = group.count
        await customer.press("Do you have a shop I can visit?")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.buttons == [HELPS, TALK_TO_PERSON]
        await customer.press(HELPS)
        [glad] = await customer.wait_for(1, timeout=60)
        assert glad.text == GLAD
        [group] = collected(sessions, "car park")
        assert (group.count, group.answered_by_entry_id) == (asked - 1, None)
        with store(sessions) as session:
            shop = session.scalar(select(FaqEntry.id).where(
                FaqEntry.question == "Do you have a shop I can visit?"))
            turns = [tuple(t) for t in session.execute(
                select(BotTurn.unanswered_id, BotTurn.faq_entry_id, BotTurn.helpful)
                .where(BotTurn.telegram_user_id == customer.id).order_by(BotTurn.id))]
        # the question's turn no longer counts for the group; the tap's turn is the answer that helped
        assert turns[:2] == [(None, None, None), (None, shop, True)]

    async def test_the_digest_lists_unanswered_questions_and_a_reply_makes_an_entry(
            self, api: LocalBotApi, sessions: sessionmaker[Session], e2e_settings: Settings) -> None:
        customer, _ = add_person(sessions, api, "Pat Parking", Role.customer)
        await customer.send("is there a car park at the showroom?")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.text == ONE_OF_THESE  # the showroom entry is offered; the question kept
        owner, _ = add_person(sessions, api, "Otto Owner", Role.owner)
        async with Services.create(bot_settings(e2e_settings, api)) as services, \
                Bot(TOKEN, base_url=api.base_url) as bot:
            assert owner.id in await deliver_digest(bot, services, now=datetime.now(UTC))
        question = await next_matching(owner, lambda m: (m.text or "").startswith(UNANSWERED_HEAD)
                                       and "car park" in (m.text or ""), what="the car park question")
        await owner.send("Yes, 10 free spaces behind the building.", reply_to=question.message_id)
        [added] = await owner.wait_for(1, timeout=30)
        assert added.text is not None and added.text.startswith("Added FAQ entry #")
        [group] = collected(sessions, "car park")
        assert group.answered_by_entry_id is not None
        await customer.send("is there a car park at the showroom?")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.text == "Yes, 10 free spaces behind the building."
