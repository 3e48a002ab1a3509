"""The staff desk in the staff's language, end to end (issue 17): the real bot, the real Rasa
server and action server, the local Bot API playing Telegram.

The team sets their staff group to German with /language there; a German-speaking customer
asks for a person in German; the card reaches the group in German, with German buttons; Sam
(whose Telegram is German) claims it and is answered in German, the card shows it in German,
and the customer hears it in German; Tom (whose Telegram is English) is refused in English.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy.orm import Session, sessionmaker

from local_bot_api import LocalBotApi
from rasa_runtime.supervisor import Supervisor
from shop.handoff import CLAIMED_TEXT
from shop.i18n import language_name, translator
from shop.models import Role
from shop.settings import Settings
from tests.e2e.conftest import bot_settings, run_bot
from tests.e2e.handoff_support import (
    Team,
    add_person,
    card_of,
    make_team,
    mentions,
    next_matching,
    open_ticket_of,
    until,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

GERMAN = translator("de")
# A request for a person as the German training data has it: this test is about the staff side,
# not about how well the model understands (tests/nlu/de/ measures that)
ASK_FOR_PERSON = "ich möchte mit einem Menschen sprechen"


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def german_team(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
                      sessions: sessionmaker[Session]) -> AsyncIterator[Team]:
    team = make_team(sessions, api, group=True)
    assert team.group is not None
    team.sam.account.language_code = "de"  # Sam's Telegram is German, Tom's English
    async with run_bot(bot_settings(e2e_settings, api, staff_chat_id=team.group.chat_id)):
        yield team


async def test_a_german_handoff_reaches_a_german_staff_group_in_german(
        german_team: Team, sessions: sessionmaker[Session], api: LocalBotApi) -> None:
    team, group = german_team, german_team.group
    assert group is not None
    sam, tom = team.sam, team.tom

    # the team's chat speaks English until someone on the team picks German with /language
    await group.send("/language", from_user=sam)
    question = await next_matching(group, lambda m: bool(m.buttons), what="the language buttons")
    assert question.text == GERMAN._("Which language shall cards and notices in this team chat be written "
                                     "in? Now: {language}.", language="English")
    await group.press("lang:de", from_user=sam)
    await next_matching(group, mentions("Karten, Hinweise und Themennamen", language_name("de")),
                        what="the group's language confirmed in German")

    # a customer whose Telegram is German asks for a person in German, and is answered in German
    dana, number = add_person(sessions, api, "Dana Demo", Role.customer)
    dana.account.language_code = "de"
    await dana.send(ASK_FOR_PERSON)
    [told] = await dana.wait_for(1, timeout=60)
    assert GERMAN._("OK, I've asked a person from our team to help you.") in (told.text or ""), told.text
    ticket = open_ticket_of(sessions, dana.id)

    # the card in the group: German words, German buttons, the customer's own words as written
    card = await card_of(group, ticket.id, "🆕 Neues Ticket", "wartet darauf, dass es jemand übernimmt",
                         f"Bestellungen: {number} verschickt", "Grund: möchte mit einem Menschen sprechen",
                         f"Dana: {ASK_FOR_PERSON}", "Antworte auf diese Nachricht, um Dana zu antworten.")
    assert card.buttons == ["Übernehmen", "Weitergeben", "Abschließen"]
    assert "Reason:" not in (card.text or "") and "New ticket" not in (card.text or "")

    # Sam claims with the command: answered in German; the card and the customer say so in German
    await group.send(f"/claim {ticket.id}", from_user=sam)
    await next_matching(group, mentions(GERMAN._(
        "You claimed ticket #{ticket} ({customer}). To answer, reply to its card or to {first_name}'s "
        "messages.", ticket=ticket.id, customer="Dana Demo", first_name="Dana")), what="Sam's claim answered")
    with_sam = f"🎫 Ticket #{ticket.id} · bei Sam Staff"
    await until(lambda: any(m.message_id == card.message_id and with_sam in (m.text or "")
                            for m in api.sent_messages(group.chat_id)), view=group,
                what="the card showing Sam has it, in German")
    [hello] = await dana.wait_for(1)
    assert hello.text == GERMAN._(CLAIMED_TEXT, staff="Sam") == \
        "Sam aus unserem Team ist jetzt da und antwortet Ihnen hier im Chat."

    # Tom's Telegram is English: his own command is answered in English, in the German group
    await group.send(f"/claim {ticket.id}", from_user=tom)
    await next_matching(group, lambda m: m.text == f"Ticket #{ticket.id} is already claimed by Sam Staff.",
                        what="Tom refused in English")
    # and Sam's press of the card's Transfer button in German: whom to, in German
    pressed = await group.press(f"t:transfer:{ticket.id}", from_user=sam)
    await next_matching(group, lambda m: m.text == f"Ticket #{ticket.id} weitergeben an:",
                        what="the transfer question in German")
    assert (await until(lambda: group.callback_answer(pressed["id"]), view=group)).get("text") is None
