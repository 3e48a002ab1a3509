"""Human handoff end to end (issue 6): a customer, two staff members in a staff group and the
owner, through the real Rasa server, the real action server and the local Bot API.

Every test seeds its own people with fresh Telegram ids; the staff group may also show
cards of other tickets in the shared store, so tests look for their ticket's messages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.handoff import HANDOFF_CLOSE, HANDOFF_SURE
from local_bot_api import LocalBotApi, tiny_png
from rasa_runtime.supervisor import Supervisor
from shop import staff as staff_admin
from shop import tickets
from shop.handoff import RATING_QUESTION, RESOLVED_TEXT
from shop.models import Message, Order, Role, Survey, TelegramAccount, Ticket, TicketEvent
from shop.settings import Settings
from tests.e2e.conftest import bot_settings, free_port, run_bot
from tests.e2e.handoff_support import (
    Team,
    add_person,
    card_of,
    customer_account,
    make_team,
    mentions,
    next_matching,
    open_ticket_of,
    press,
    staff_photo_reply,
    store,
    ticket,
    until,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

ASK_FOR_PERSON = "I want to talk to a person"
COMPLAINT = "my package arrived damaged"
# Words the model has not learned: some of them come out as nlu_fallback (checked per run,
# since every retraining moves the scores; see misunderstood())
# None that an e2e test teaches the shop's FAQ ("trombones" in test_faq.py): the fallback tries
# the FAQ first, and the e2e tests share one store.
ODD_WORDS = ("glorp", "quantum", "marmalade", "nebula", "paperclip", "gherkin", "lighthouse",
             "cobweb", "thimble", "spatula", "tangerine", "ptarmigan", "harpsichord", "blimp", "nutmeg",
             "sprocket", "thingamajig", "kumquat", "ocelot", "yodel", "origami")
PERSON_COMING = "a person from our team"
# A first miss: not understood, or understood as none of the shop's business
MISS = ("Sorry, I didn't get that.", "Sorry, that's outside what I can help with.")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def misunderstood(servers: Supervisor, e2e_settings: Settings) -> tuple[str, ...]:
    """Texts the running model classifies as nlu_fallback (asked through Rasa's /model/parse)."""
    found = []
    async with httpx.AsyncClient(base_url=e2e_settings.rasa_url, timeout=30) as client:
        for word in ODD_WORDS:
            response = await client.post("/model/parse", json={"text": word})
            if response.json()["intent"]["name"] == "nlu_fallback":
                found.append(word)
    assert len(found) >= 2, "update ODD_WORDS: fewer than two of them are nlu_fallback for this model"
    return tuple(found)


async def ask_for_person(team: Team, sessions: sessionmaker[Session], text: str = ASK_FOR_PERSON,
                         *, name: str = "Dana Demo") -> tuple[object, Ticket, str | None]:
    """A new linked customer asks for a person; returns them, their ticket and order number."""
    customer, number = add_person(sessions, team.api, name, Role.customer)
    await customer.send(text)
    [told] = await customer.wait_for(1, timeout=60)
    assert told.text is not None and PERSON_COMING in told.text, told.text
    return customer, open_ticket_of(sessions, customer.id), number


# --- a staff group -------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def group_team(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
                     sessions: sessionmaker[Session]) -> AsyncIterator[Team]:
    team = make_team(sessions, api, group=True)
    assert team.group is not None
    async with run_bot(bot_settings(e2e_settings, api, staff_chat_id=team.group.chat_id)):
        yield team


@pytest.mark.usefixtures("group_team")
class TestStaffGroup:
    async def test_the_whole_journey(self, group_team: Team, sessions: sessionmaker[Session],
                                     api: LocalBotApi) -> None:
        team, group = group_team, group_team.group
        assert group is not None
        customer, opened, number = await ask_for_person(team, sessions)
        assert opened.reason == "request_human" and opened.status == "waiting"

        # the card: who, which orders, why, the conversation so far
        card = await card_of(group, opened.id, "🆕 New ticket", "Dana Demo", f"Orders: {number} shipped",
                             "Reason: asked for a person", f"Dana: {ASK_FOR_PERSON}")
        assert card.buttons == ["Claim", "Transfer", "Resolve"]

        # Sam and Tom press Claim at the same moment: Sam was first, Tom is told so
        sam_press = await group.press(f"t:claim:{opened.id}", from_user=team.sam)
        tom_press = await group.press(f"t:claim:{opened.id}", from_user=team.tom)
        answer = await until(lambda: group.callback_answer(sam_press["id"]), view=group)
        assert "You claimed ticket" in answer["text"] and not answer.get("show_alert")
        refused = await until(lambda: group.callback_answer(tom_press["id"]), view=group)
        assert refused["show_alert"]
        assert refused["text"] == f"Ticket #{opened.id} is already claimed by Sam Staff."
        [hello] = await customer.wait_for(1)
        assert hello.text == "Sam from our team is here and will answer you in this chat."
        await group.send(f"/claim {opened.id}", from_user=team.tom)
        await next_matching(group, mentions(f"Ticket #{opened.id} is already claimed by Sam Staff."))
        assert ticket(sessions, opened.id).assignee_telegram_id == team.sam.id
        edited = next(m for m in api.sent_messages(group.chat_id) if m.message_id == card.message_id)
        assert f"Ticket #{opened.id} · with Sam Staff" in (edited.text or "")
        assert edited.buttons == ["Transfer", "Resolve"]

        # customer → group, with a header naming the ticket; not sent to Rasa
        question = await customer.send("is it on the way?")
        relayed = await next_matching(group, mentions(f"💬 #{opened.id} Dana Demo → Sam:",
                                                      "is it on the way?"))
        # group → customer: a reply to the relayed message, threaded to the customer's message
        await group.send("Yes, it left our warehouse today.", from_user=team.sam, reply_to=relayed.message_id)
        [answer_msg] = await customer.wait_for(1)
        assert answer_msg.text == "Yes, it left our warehouse today." and answer_msg.method == "copyMessage"
        assert answer_msg.message["reply_to_message"]["message_id"] == question["message_id"]
        await until(lambda: ticket(sessions, opened.id).first_response_at, what="first_response_at")

        # photos both ways
        photo = tiny_png(4, 4)
        await customer.send_photo(photo, caption="the box is dented")
        relayed_photo = await next_matching(group, mentions(f"💬 #{opened.id}", "the box is dented"))
        assert relayed_photo.photo == photo and relayed_photo.method == "copyMessage"
        await staff_photo_reply(group, team.sam, relayed_photo.message_id, "how it should look")
        [photo_back] = await customer.wait_for(1)
        assert photo_back.photo == tiny_png(3, 3) and photo_back.text == "how it should look"

        # an internal note reaches the team only
        customer_before = len(api.sent_messages(customer.id))
        await group.send(f"/note {opened.id} carrier says Tuesday", from_user=team.sam)
        await next_matching(group, mentions(f"Note added to ticket #{opened.id}"))
        assert len(api.sent_messages(customer.id)) == customer_before
        with store(sessions) as session:
            note = session.scalar(select(Message).where(Message.ticket_id == opened.id,
                                                        Message.direction == "note"))
            assert note is not None and note.text == "Sam Staff: carrier says Tuesday"

        # transfer to Tom with the button and the chooser
        await press(group, f"t:transfer:{opened.id}", team.sam)
        chooser = await next_matching(group, mentions(f"Transfer ticket #{opened.id} to:"))
        assert "Tom Helper" in chooser.buttons and "Sam Staff" not in chooser.buttons
        answer = await press(group, f"t:to:{opened.id}:{team.tom.id}", team.sam)
        assert answer["text"] == f"Ticket #{opened.id} is now with Tom Helper."
        await card_of(group, opened.id, "➡️ Transferred to Tom Helper by Sam Staff")
        [taking_over] = await customer.wait_for(1)
        assert taking_over.text == "Tom from our team is taking over your conversation."
        await customer.send("thanks, and the invoice?")
        await next_matching(group, mentions(f"💬 #{opened.id} Dana Demo → Tom:", "the invoice?"))

        # Tom resolves: back to the bot, and the support rating is asked once
        await group.send(f"/resolve {opened.id}", from_user=team.tom)
        await next_matching(group, mentions(f"Resolved ticket #{opened.id}"))
        resolved_msg, rating = await customer.wait_for(2)
        assert resolved_msg.text == RESOLVED_TEXT
        assert rating.text == RATING_QUESTION and len(rating.buttons) == 5
        callback = rating.reply_markup["inline_keyboard"][0][0]["callback_data"]
        assert callback.startswith("r:/give_feedback") and f"ticket:{opened.id}" in callback
        done = ticket(sessions, opened.id)
        assert done.status == "resolved" and done.resolved_at is not None
        assert done.first_response_at is not None and done.first_response_at <= done.resolved_at

        await customer.send(f"where is my order {number}?")
        [bot_again] = await customer.wait_for(1, timeout=60)
        assert bot_again.text is not None and bot_again.text.startswith(f"Order {number}")
        asked = [m for m in api.sent_messages(customer.id) if m.text == RATING_QUESTION]
        assert len(asked) == 1
        with store(sessions) as session:
            assert session.scalar(select(Survey).where(Survey.ticket_id == opened.id)) is not None

        # the cards show it resolved, without buttons; resolving again is refused
        ticket_cards = [m for m in api.sent_messages(group.chat_id)
                        if f"🎫 Ticket #{opened.id} " in (m.text or "")]
        assert len(ticket_cards) == 2
        assert all(m.buttons == [] and f"#{opened.id} · resolved" in (m.text or "") for m in ticket_cards)
        customer_seen = len(api.sent_messages(customer.id))
        await group.send(f"/resolve {opened.id}", from_user=team.tom)
        await next_matching(group, mentions(f"Ticket #{opened.id} is already resolved"))
        assert len(api.sent_messages(customer.id)) == customer_seen

    async def test_complaint(self, group_team: Team, sessions: sessionmaker[Session]) -> None:
        customer, opened, _ = await ask_for_person(group_team, sessions, COMPLAINT, name="Carl Complains")
        assert customer is not None and opened.reason == "complaint"
        assert group_team.group is not None
        await card_of(group_team.group, opened.id, "Reason: complaint", "Carl Complains", COMPLAINT)

    async def test_two_misses_in_a_row(self, group_team: Team, sessions: sessionmaker[Session],
                                       misunderstood: tuple[str, ...]) -> None:
        customer, _ = add_person(sessions, group_team.api, "Mia Muddled", Role.customer)
        await customer.send(misunderstood[0])
        [first] = await customer.wait_for(1, timeout=60)
        assert first.text is not None and first.text.startswith(MISS), first.text
        suggested = [b["callback_data"] for row in (first.reply_markup or {}).get("inline_keyboard", [])
                     for b in row]
        assert all(data.startswith("r:/") and len(data.encode()) <= 64 for data in suggested)
        with store(sessions) as session:
            assert tickets.active_ticket(session, customer.id) is None
        await customer.send(misunderstood[1])
        [second] = await customer.wait_for(1, timeout=60)
        assert second.text is not None and second.text.startswith("Sorry, I still don't understand.")
        # the second miss only offers a person: nothing the bot did not understand opens a ticket
        with store(sessions) as session:
            assert tickets.active_ticket(session, customer.id) is None
        offered = [b["callback_data"] for row in (second.reply_markup or {}).get("inline_keyboard", [])
                   for b in row]
        assert "r:/request_human" in offered, offered
        await customer.press("r:/request_human")  # the reply below shows it was handled
        [told] = await customer.wait_for(1, timeout=60)
        assert told.text is not None and PERSON_COMING in told.text, told.text
        opened = open_ticket_of(sessions, customer.id)
        assert opened.reason == "not_understood"
        assert group_team.group is not None
        await card_of(group_team.group, opened.id, "Reason: the bot did not understand twice",
                      misunderstood[0], misunderstood[1])

    async def test_a_miss_then_a_good_question_then_a_miss_is_no_handover(
            self, group_team: Team, sessions: sessionmaker[Session], misunderstood: tuple[str, ...]) -> None:
        customer, number = add_person(sessions, group_team.api, "Noa Normal", Role.customer)
        for text, start in [(misunderstood[0], MISS),
                            (f"where is my order {number}?", f"Order {number}"),
                            (misunderstood[1], MISS)]:
            await customer.send(text)
            [reply] = await customer.wait_for(1, timeout=60)
            assert reply.text is not None and reply.text.startswith(start), reply.text
        with store(sessions) as session:
            assert tickets.active_ticket(session, customer.id) is None

    async def test_low_rating_ticket_opened_by_other_code(self, group_team: Team,
                                                          sessions: sessionmaker[Session]) -> None:
        customer, _ = add_person(sessions, group_team.api, "Rita Rater", Role.customer)
        with store(sessions) as session:
            account = session.scalar(select(TelegramAccount)
                                     .where(TelegramAccount.telegram_user_id == customer.id))
            assert account is not None
            opened, _ = tickets.open_ticket(session, telegram_user_id=customer.id, chat_id=customer.id,
                                            customer_id=account.customer_id, reason="low_rating",
                                            details="rated order 2/5: arrived late", now=datetime.now(UTC))
            ticket_id = opened.id
        assert group_team.group is not None
        await card_of(group_team.group, ticket_id, "🆕 New ticket", "Reason: low rating", "arrived late")
        await customer.send("it was really late")
        await next_matching(group_team.group, mentions(f"💬 #{ticket_id} Rita Rater:", "really late"))

    async def test_escalate_to_the_owner(self, group_team: Team, sessions: sessionmaker[Session]) -> None:
        team, group = group_team, group_team.group
        assert group is not None
        customer, opened, _ = await ask_for_person(team, sessions, name="Eve Escalated")
        await card_of(group, opened.id)
        await press(group, f"t:claim:{opened.id}", team.sam)
        await customer.wait_for(1)
        await group.send(f"/escalate {opened.id}", from_user=team.sam)
        await next_matching(group, mentions(f"Ticket #{opened.id} is escalated to Olivia Owner, the owner."))
        await card_of(team.owner, opened.id, "⬆️ Sam Staff escalated this ticket to you", "with Olivia Owner")
        [told] = await customer.wait_for(1)
        assert told.text == "Olivia, who runs the shop, is taking over your conversation."
        assert ticket(sessions, opened.id).assignee_telegram_id == team.owner.id

    async def test_refusals_and_strays(self, group_team: Team, sessions: sessionmaker[Session],
                                       api: LocalBotApi) -> None:
        team, group = group_team, group_team.group
        assert group is not None
        customer, opened, _ = await ask_for_person(team, sessions, name="Finn Forged")
        card = await card_of(group, opened.id)

        # someone in the group who is not staff presses Claim
        stranger, _ = add_person(sessions, api, "Stan Stranger", Role.customer)
        group.add_member(stranger)
        refused = await press(group, f"t:claim:{opened.id}", stranger)
        assert refused["show_alert"] and refused["text"] == "Sorry, only the shop's team can do that."
        assert ticket(sessions, opened.id).status == "waiting"
        # ... or replies to the card: nothing reaches the customer
        before = len(api.sent_messages(customer.id))
        await group.send("I can help!", from_user=stranger, reply_to=card.message_id)
        await next_matching(group, mentions("Only the shop's team can answer customers"))
        # a customer tries staff commands privately
        await customer.send(f"/claim {opened.id}")
        [no] = await customer.wait_for(1)
        assert no.text == "Sorry, only the shop's team can do that."
        await customer.send("/queue")
        [no] = await customer.wait_for(1)
        assert no.text == "Sorry, only the shop's team can do that."
        assert len(api.sent_messages(customer.id)) == before + 2

        # staff reply to something that is not a ticket
        await group.send("/queue", from_user=team.sam)
        queue = await next_matching(group, mentions("Open tickets"))
        assert f"#{opened.id} · waiting · Finn Forged" in (queue.text or "")
        await group.send("who takes this?", from_user=team.sam, reply_to=queue.message_id)
        await next_matching(group, mentions("That message isn't part of a ticket"))
        # staff chatting among themselves is left alone
        chat = await group.send("lunch?", from_user=team.tom)
        await group.send("yes", from_user=team.sam, reply_to=chat["message_id"])
        await group.send(f"/claim {opened.id}", from_user=team.tom)
        claimed = await next_matching(group, lambda m: any(w in (m.text or "") for w in ("claimed", "lunch")))
        assert claimed.text is not None and claimed.text.startswith(f"You claimed ticket #{opened.id}")
        await customer.wait_for(1)

        # a reply on a resolved ticket
        await group.send(f"/resolve {opened.id}", from_user=team.tom)
        await next_matching(group, mentions(f"Resolved ticket #{opened.id}"))
        await customer.wait_for(2)
        await group.send("one more thing", from_user=team.tom, reply_to=card.message_id)
        await next_matching(group, mentions(f"Ticket #{opened.id} is resolved, so nothing was sent"))
        assert all(m.text != "one more thing" for m in api.sent_messages(customer.id))

    async def test_customer_who_blocked_the_bot(self, group_team: Team,
                                                sessions: sessionmaker[Session]) -> None:
        team, group = group_team, group_team.group
        assert group is not None
        customer, opened, _ = await ask_for_person(team, sessions, name="Bea Blocker")
        card = await card_of(group, opened.id)
        await press(group, f"t:claim:{opened.id}", team.sam)
        await customer.wait_for(1)
        customer.block()
        await next_matching(group, mentions(f"#{opened.id} Bea Blocker has blocked the bot"))
        await group.send("are you still there?", from_user=team.sam, reply_to=card.message_id)
        await next_matching(group, mentions("Not delivered: Bea Blocker has blocked the bot"))
        assert customer_account(sessions, customer.id).blocked
        assert ticket(sessions, opened.id).first_response_at is None

    async def test_a_staff_member_who_left(self, group_team: Team, sessions: sessionmaker[Session],
                                           api: LocalBotApi) -> None:
        team, group = group_team, group_team.group
        assert group is not None
        leaver, _ = add_person(sessions, api, "Lee Leaving", Role.staff)
        group.add_member(leaver)
        customer, opened, _ = await ask_for_person(team, sessions, name="Orla Orphan")
        await card_of(group, opened.id)
        await press(group, f"t:claim:{opened.id}", leaver)
        await customer.wait_for(1)
        with store(sessions) as session:
            staff_admin.remove_staff(session, telegram_user_id=leaver.id)
        card = await card_of(group, opened.id, "↩️ Back in the queue: Lee Leaving is no longer on the team.",
                             "waiting for someone to claim it")
        assert card.buttons == ["Claim", "Transfer", "Resolve"]
        back = ticket(sessions, opened.id)
        assert (back.status, back.assignee_telegram_id) == ("waiting", None)
        refused = await press(group, f"t:resolve:{opened.id}", leaver)
        assert refused["show_alert"] and ticket(sessions, opened.id).status == "waiting"
        await customer.send("hello?")
        await next_matching(group, mentions(f"💬 #{opened.id} Orla Orphan:", "hello?"))


# --- the bot fails --------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def broken_team(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
                      sessions: sessionmaker[Session]) -> AsyncIterator[Team]:
    """A bot whose Rasa is at a closed port (the action server still serves the store)."""
    team = make_team(sessions, api, group=True)
    assert team.group is not None
    settings = bot_settings(e2e_settings, api, staff_chat_id=team.group.chat_id,
                            rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2.0)
    async with run_bot(settings):
        yield team


class TestRasaDown:
    async def test_a_person_answers_when_rasa_is_down(self, broken_team: Team,
                                                      sessions: sessionmaker[Session]) -> None:
        team, group = broken_team, broken_team.group
        assert group is not None
        customer, number = add_person(sessions, team.api, "Ben Broken", Role.customer)
        await customer.send(f"where is my order {number}?")
        [told] = await customer.wait_for(1, timeout=30)
        assert told.text is not None and told.text.startswith(
            "Sorry, I can't answer right now because of a technical problem on our side.")
        assert PERSON_COMING in told.text
        opened = open_ticket_of(sessions, customer.id)
        assert opened.reason == "bot_error"
        await card_of(group, opened.id, "Reason: the bot could not answer", f"where is my order {number}?")
        await customer.send("hello??")
        await next_matching(group, mentions(f"💬 #{opened.id} Ben Broken:", "hello??"))
        await group.send(f"/reply {opened.id} Sorry! Your order {number} ships tomorrow.", from_user=team.sam)
        [answer] = await customer.wait_for(1)
        assert answer.text == f"Sorry! Your order {number} ships tomorrow."
        await until(lambda: ticket(sessions, opened.id).assignee_telegram_id == team.sam.id,
                    what="the answer to claim the ticket")

        # Tom has used the bot once, so Sam can name him by @username
        await group.send("/queue", from_user=team.tom)
        await next_matching(group, mentions("Open tickets"))
        await group.send(f"/transfer {opened.id} @Tom_Helper", from_user=team.sam)
        await next_matching(group, mentions(f"Ticket #{opened.id} is now with Tom Helper."))
        await group.send(f"/transfer {opened.id} @nobody_here", from_user=team.sam)
        await next_matching(group, mentions("I don't know a team member called @nobody_here"))
        assert ticket(sessions, opened.id).assignee_telegram_id == team.tom.id

    async def test_staff_asking_the_bot_get_no_ticket(self, broken_team: Team,
                                                      sessions: sessionmaker[Session]) -> None:
        await broken_team.owner.send("what's our CSAT this month?")
        [told] = await broken_team.owner.wait_for(1, timeout=30)
        assert told.text is not None and "restarting" in told.text
        with store(sessions) as session:
            assert tickets.active_ticket(session, broken_team.owner.id) is None


# --- a staff group the bot cannot reach ------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def team_without_group(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
                             sessions: sessionmaker[Session]) -> AsyncIterator[Team]:
    team = make_team(sessions, api, group=False)
    async with run_bot(bot_settings(e2e_settings, api, staff_chat_id=-1_009_999_999_999)):
        yield team


class TestUnreachableStaffGroup:
    async def test_cards_and_messages_go_to_staff_privately(self, team_without_group: Team,
                                                            sessions: sessionmaker[Session]) -> None:
        team = team_without_group
        customer, opened, _ = await ask_for_person(team, sessions, name="Gus Groupless")
        for person in (team.owner, team.sam, team.tom):
            await card_of(person, opened.id, "🆕 New ticket", "Gus Groupless")
        await customer.send("anyone there?")
        relayed = await next_matching(team.tom, mentions(f"💬 #{opened.id} Gus Groupless:", "anyone there?"))
        await team.tom.send("Yes, Tom here.", reply_to=relayed.message_id)
        [answer] = await customer.wait_for(1)
        assert answer.text == "Yes, Tom here."


# --- reminders ------------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def hurried_team(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
                       sessions: sessionmaker[Session]) -> AsyncIterator[Team]:
    """A team that must answer within 3 seconds, around the clock."""
    team = make_team(sessions, api, group=True)
    assert team.group is not None
    with store(sessions) as session:  # a quiet store: earlier tests' tickets would remind too
        for old in tickets.open_queue(session, limit=10_000):
            tickets.resolve(session, old, now=datetime.now(UTC))
    settings = bot_settings(e2e_settings, api, staff_chat_id=team.group.chat_id,
                            first_response_target_minutes=0.05, business_hours="00:00-24:00",
                            business_days="Mon-Sun")
    async with run_bot(settings):
        yield team


class TestReminders:
    async def test_staff_then_owner_are_reminded(self, hurried_team: Team,
                                                 sessions: sessionmaker[Session]) -> None:
        team, group = hurried_team, hurried_team.group
        assert group is not None
        customer, _ = add_person(sessions, team.api, "Wendy Waiting", Role.customer)
        with store(sessions) as session:
            opened, _ = tickets.open_ticket(session, telegram_user_id=customer.id, chat_id=customer.id,
                                            customer_id=None, reason="request_human", now=datetime.now(UTC))
            ticket_id = opened.id
        await card_of(group, ticket_id, "🆕 New ticket")
        await card_of(group, ticket_id, "⏰ Still waiting after", timeout=15)
        await card_of(team.owner, ticket_id, "⚠️ Nobody has answered this customer for", timeout=15)
        with store(sessions) as session:
            kinds = list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id)
                                         .order_by(TicketEvent.id)))
        assert kinds[0] == "alert" and "realert" in kinds and kinds.count("owner_alert") == 1


# --- one-person business --------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def solo_owner(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
                     sessions: sessionmaker[Session]) -> AsyncIterator[Team]:
    team = make_team(sessions, api, group=False, staff=0)
    async with run_bot(bot_settings(e2e_settings, api, staff_chat_id=None)):
        yield team


class TestOnePersonBusiness:
    async def test_the_owner_handles_everything_privately(self, solo_owner: Team,
                                                          sessions: sessionmaker[Session],
                                                          api: LocalBotApi) -> None:
        owner = solo_owner.owner
        customer, opened, number = await ask_for_person(solo_owner, sessions, name="Paula Private")
        card = await card_of(owner, opened.id, "🆕 New ticket", "Paula Private", "Reason: asked for a person")
        await press(owner, f"t:claim:{opened.id}", owner)
        [hello] = await customer.wait_for(1)
        assert hello.text == "Olivia from our team is here and will answer you in this chat."

        await customer.send("my parcel is late")
        relayed = await next_matching(owner, mentions(f"💬 #{opened.id} Paula Private → Olivia:", "late"))
        await owner.send("Sorry! It arrives Friday.", reply_to=relayed.message_id)
        [answer] = await customer.wait_for(1)
        assert answer.text == "Sorry! It arrives Friday." and answer.method == "copyMessage"
        await customer.send_photo(tiny_png(5, 5))
        photo = await next_matching(owner, lambda m: m.photo is not None)
        assert photo.text == f"💬 #{opened.id} Paula Private → Olivia:" and photo.photo == tiny_png(5, 5)

        await owner.send(f"/note {opened.id} refund shipping if it is late again")
        await next_matching(owner, mentions("Note added"))
        await owner.send(f"/ticket {opened.id}")  # the card again, with the latest messages and the note
        await card_of(owner, opened.id, "Paula: my parcel is late", "Team: Sorry! It arrives Friday.",
                      "📝 Note: Olivia Owner: refund shipping if it is late again")
        await owner.send("Thanks for waiting!", reply_to=card.message_id)
        [thanks] = await customer.wait_for(1)
        assert thanks.text == "Thanks for waiting!"
        assert all("refund shipping" not in (m.text or "") for m in api.sent_messages(customer.id))

        # the owner's own questions still go to the bot in the same chat
        await owner.send("what can you do?")
        help_text = await next_matching(owner, mentions("Here is what I can do"), timeout=60)
        assert help_text.method == "sendMessage"
        await owner.send("/queue")
        queue = await next_matching(owner, mentions("Open tickets"))
        assert f"#{opened.id} · with Olivia Owner · Paula Private" in (queue.text or "")

        await press(owner, f"t:resolve:{opened.id}", owner)
        resolved_msg, rating = await customer.wait_for(2)
        assert resolved_msg.text == RESOLVED_TEXT and rating.text == RATING_QUESTION
        await customer.send(f"where is my order {number}?")
        [bot_again] = await customer.wait_for(1, timeout=60)
        assert bot_again.text is not None and bot_again.text.startswith(f"Order {number}")
        only_to = {c["chat_id"] for c in api.calls_to("sendMessage")
                   if f"🎫 Ticket #{opened.id} " in c.get("text", "")}
        assert only_to == {owner.id}


# --- a restart in the middle of a conversation ------------------------------------------------


class TestRestart:
    async def test_nothing_is_lost_or_doubled(self, servers: Supervisor, e2e_settings: Settings,
                                              api: LocalBotApi, sessions: sessionmaker[Session]) -> None:
        team = make_team(sessions, api, group=True)
        group = team.group
        assert group is not None
        settings = bot_settings(e2e_settings, api, staff_chat_id=group.chat_id)
        async with run_bot(settings):
            customer, opened, _ = await ask_for_person(team, sessions, name="Rico Restart")
            card = await card_of(group, opened.id)
            await press(group, f"t:claim:{opened.id}", team.sam)
            await customer.wait_for(1)
            await customer.send("first, before the restart")
            await next_matching(group, mentions(f"💬 #{opened.id}", "first, before the restart"))

        # the bot is down: the customer and Sam keep writing
        await customer.send("second, while you were away")
        await customer.send("third, still away")
        await group.send("We are back in a moment.", from_user=team.sam, reply_to=card.message_id)
        assert ticket(sessions, opened.id).status == "human"

        async with run_bot(settings):
            second = await next_matching(group, mentions(f"💬 #{opened.id}"))
            third = await next_matching(group, mentions(f"💬 #{opened.id}"))
            assert [second.text, third.text] == [
                f"💬 #{opened.id} Rico Restart → Sam:\nsecond, while you were away",
                f"💬 #{opened.id} Rico Restart → Sam:\nthird, still away"]
            [back] = await customer.wait_for(1)
            assert back.text == "We are back in a moment."
            # the relay goes on, in both directions, with messages from before the restart
            await customer.send("fourth, after the restart")
            fourth = await next_matching(group, mentions(f"💬 #{opened.id}"))
            assert fourth.text is not None and fourth.text.endswith("fourth, after the restart")
            await group.send("All good now.", from_user=team.sam, reply_to=second.message_id)
            [good] = await customer.wait_for(1)
            assert good.text == "All good now."

        relayed = [m.text for m in api.sent_messages(group.chat_id)
                   if (m.text or "").startswith(f"💬 #{opened.id}")]
        assert len(relayed) == len(set(relayed)) == 4
        to_customer = [m.text for m in api.sent_messages(customer.id)]
        assert to_customer.count("We are back in a moment.") == 1


# --- no handoff from doubt (issue 13) -------------------------------------------------------

JUNK = ("<b>hi</b> <script>alert(1)</script>", "what's the weather in Paris tomorrow?",
        "'; DROP TABLE orders; --", "asdkjh qwpoeiru zmxncb", "🦄",
        "lorem ipsum dolor sit amet " * 190)  # a 5,000-character paste


def buttons_of(message: object) -> list[str]:
    markup = getattr(message, "reply_markup", None) or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


# Mild complaints: the running model takes some of them as complaints it is not sure enough
# of to hand over (below HANDOFF_SURE, or not close to its complaint examples: HANDOFF_CLOSE);
# checked per run, since every retraining moves the scores (see unsure_complaint()).
MILD_COMPLAINTS = (
    "the lid is a bit wobbly", "hmm the colour is not quite what I expected", "the box was a little dented",
    "not super happy with the stitching", "the strap feels kind of loose",
    "it is slightly smaller than I thought",
    "one corner of the box was squashed", "it smells a bit odd", "the zip sticks a little",
    "the print is a bit faded", "the handle came a little loose", "the paint has a tiny chip",
    "it arrived a bit scratched", "the fit is a bit off", "not quite what the photo showed",
    "a button was missing but it is fine", "the seam is coming apart slightly", "the glass has a small crack",
    "the sole is peeling a little", "honestly a bit disappointed with it", "the cable is kind of short",
    "the lid does not close properly", "the plant looks a bit sad", "the mug has a small chip",
    "it wobbles on the table", "the sleeve is a little torn", "one of the cups is cracked",
)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def unsure_complaint(servers: Supervisor, e2e_settings: Settings) -> str:
    """A mild complaint the running model takes as a complaint it is not sure of."""
    seen = []
    async with httpx.AsyncClient(base_url=e2e_settings.rasa_url, timeout=30) as client:
        for text in MILD_COMPLAINTS:
            parsed = (await client.post("/model/parse", json={"text": text})).json()
            intent, similarity = parsed["intent"], (parsed.get("out_of_domain") or {}).get("similarity", 1.0)
            seen.append((text, intent["name"], round(intent["confidence"], 3), similarity))
            if intent["name"] == "complaint" and (intent["confidence"] < HANDOFF_SURE
                                                  or similarity < HANDOFF_CLOSE):
                return text
    raise AssertionError(f"update MILD_COMPLAINTS: none is an unsure complaint for this model: {seen}")


@pytest.mark.usefixtures("group_team")
class TestNoHandoffFromDoubt:
    async def test_junk_and_unrelated_questions_never_open_a_ticket(
            self, group_team: Team, sessions: sessionmaker[Session]) -> None:
        customer, _ = add_person(sessions, group_team.api, "Jay Junk", Role.customer)
        for text in JUNK:
            await customer.send(text)
            [reply] = await customer.wait_for(1, timeout=60)
            assert reply.text is not None and reply.text.startswith("Sorry"), (text[:40], reply.text)
            assert buttons_of(reply), "a miss offers what the bot can do, or a person"
            with store(sessions) as session:
                assert tickets.active_ticket(session, customer.id) is None, text[:40]
                assert session.scalar(select(Ticket).where(Ticket.telegram_user_id == customer.id)) is None

    async def test_a_number_in_a_question_not_understood_is_not_taken_for_an_order(
            self, group_team: Team, sessions: sessionmaker[Session]) -> None:
        customer, _ = add_person(sessions, group_team.api, "Pia Prime", Role.customer)
        await customer.send("is 7919 a prime number")
        [missed] = await customer.wait_for(1, timeout=60)
        assert missed.text is not None and missed.text.startswith("Sorry"), missed.text
        await customer.send("where is my order")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.text is not None and "7919" not in answer.text, answer.text

    async def test_a_message_not_understood_that_names_the_customers_order_offers_that_order(
            self, group_team: Team, sessions: sessionmaker[Session]) -> None:
        with store(sessions) as session:  # an order number as a shop's are: 4-6 digits
            taken = set(session.scalars(select(Order.number)))
        number = next(str(n) for n in range(48213, 99999) if str(n) not in taken)
        customer, _ = add_person(sessions, group_team.api, "Nia Newsless", Role.customer, order_number=number)
        # the running model reads this as out_of_scope, whatever the number (checked 2026-12-06)
        await customer.send(f"what happen with {number}??")
        [offered] = await customer.wait_for(1, timeout=60)
        offer = f"Is this about your order {number}? Here is what I can do with it:"
        assert offered.text == offer, offered.text
        assert buttons_of(offered) == [f'r:/order_status{{"order_id":"{number}"}}',
                                       f'r:/delivery_status{{"order_id":"{number}"}}',
                                       f'r:/request_human{{"order_id":"{number}"}}']
        await customer.press(f'r:/order_status{{"order_id":"{number}"}}')
        [status] = await customer.wait_for(1, timeout=60)
        assert status.text is not None and status.text.startswith(f"Order {number}"), status.text
        with store(sessions) as session:
            assert tickets.active_ticket(session, customer.id) is None

    async def test_an_unsure_complaint_asks_first(self, group_team: Team, sessions: sessionmaker[Session],
                                                  unsure_complaint: str) -> None:
        customer, _ = add_person(sessions, group_team.api, "Uma Unsure", Role.customer)
        await customer.send(unsure_complaint)
        [asked] = await customer.wait_for(1, timeout=60)
        assert asked.text is not None and "Shall I pass this to a person" in asked.text, asked.text
        assert buttons_of(asked) == ["r:/complaint", "r:/deny"]
        with store(sessions) as session:
            assert tickets.active_ticket(session, customer.id) is None
        await customer.press("r:/deny")  # the reply below shows it was handled
        [declined] = await customer.wait_for(1, timeout=60)
        assert declined.text is not None and PERSON_COMING not in declined.text
        with store(sessions) as session:
            assert tickets.active_ticket(session, customer.id) is None
        await customer.send(unsure_complaint)
        await customer.wait_for(1, timeout=60)
        await customer.send("yes")  # typed, not pressed
        [told] = await customer.wait_for(1, timeout=60)
        assert told.text is not None and PERSON_COMING in told.text, told.text
        opened = open_ticket_of(sessions, customer.id)
        assert opened.reason == "complaint" and opened.details == unsure_complaint

    async def test_back_to_the_assistant_cancels_a_waiting_ticket(
            self, group_team: Team, sessions: sessionmaker[Session]) -> None:
        team, group = group_team, group_team.group
        assert group is not None
        customer, opened, number = await ask_for_person(team, sessions, name="Ben Back")
        await card_of(group, opened.id, "waiting")
        handoff_message = customer.sent_messages()[-1]
        assert "c:bot" in buttons_of(handoff_message)
        await customer.press("c:bot")  # the reply below shows it was handled
        [back] = await customer.wait_for(1, timeout=60)
        assert back.text is not None and back.text.startswith("OK, I've told our team"), back.text
        assert ticket(sessions, opened.id).status == "cancelled"
        await next_matching(group, mentions(f"#{opened.id}", "went back to the bot"))
        # the customer's next message goes to the bot again, not to staff
        await customer.send(f"where is my order {number}?")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.text is not None and f"Order {number}" in answer.text, answer.text

    async def test_slash_bot_cancels_but_not_once_claimed(
            self, group_team: Team, sessions: sessionmaker[Session]) -> None:
        team, group = group_team, group_team.group
        assert group is not None
        customer, opened, _ = await ask_for_person(team, sessions, name="Bo Bot")
        await customer.send("/bot")
        [back] = await customer.wait_for(1, timeout=60)
        assert back.text is not None and back.text.startswith("OK, I've told our team"), back.text
        assert ticket(sessions, opened.id).status == "cancelled"
        customer2, second, _ = await ask_for_person(team, sessions, name="Cy Claimed")
        await group.send(f"/claim {second.id}", from_user=team.tom)
        await until(lambda: ticket(sessions, second.id).status == "human", what="the claim")
        await customer2.wait_for(1, timeout=60)  # "Tom from our team is looking at it"
        await customer2.send("/bot")
        [kept] = await customer2.wait_for(1, timeout=60)
        assert kept.text is not None and "already looking at your conversation" in kept.text, kept.text
        assert ticket(sessions, second.id).status == "human"

    async def test_an_order_question_while_waiting_is_answered_and_relayed(
            self, group_team: Team, sessions: sessionmaker[Session]) -> None:
        team, group = group_team, group_team.group
        assert group is not None
        customer, opened, number = await ask_for_person(team, sessions, name="Wes Waiting")
        await customer.send(f"where is my order {number}?")
        [answer] = await customer.wait_for(1, timeout=60)
        assert answer.text is not None and f"Order {number}" in answer.text, answer.text
        await next_matching(group, mentions(f"where is my order {number}?"))
        assert ticket(sessions, opened.id).status == "waiting"
        # anything else still goes to staff only
        await customer.send("and also, the colour was not what I expected at all")
        await next_matching(group, mentions("the colour was not what I expected"))
        await customer.send(f"where is my order {number}?")
        [again] = await customer.wait_for(1, timeout=60)  # the next reply: none came to the colour
        assert again.text is not None and f"Order {number}" in again.text, again.text
