"""The staff desk in a staff group with topics, end to end (issue 16): the real bot, the real
Rasa server and action server, the local Bot API playing Telegram.

A customer asks for a person: their ticket opens a topic with the card pinned; staff answer
in it without reply-to, media both ways; claim, transfer, note and resolve from the topic;
resolve closes it and asks for a rating once; the customer's second ticket reopens it; a
deleted topic is opened again; edits are carried over both ways; the bot restarted in the
middle loses nothing and sends nothing twice. Canned replies sent in a topic are filled from
the ticket, and one with a placeholder that has no value is refused, naming it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from local_bot_api import BotMessage, FakeGroup, FakeUser, LocalBotApi, tiny_png
from rasa_runtime.supervisor import Supervisor
from shop.handoff import RATING_QUESTION, RESOLVED_TEXT
from shop.models import Message, Role, StaffTopic, Ticket
from shop.settings import Settings
from tests.e2e.conftest import bot_settings, run_bot
from tests.e2e.handoff_support import (
    add_person,
    fresh_group_id,
    make_team,
    mentions,
    next_matching,
    open_ticket_of,
    store,
    ticket,
    until,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

ASK_FOR_PERSON = "I want to talk to a person"
PERSON_COMING = "a person from our team"


def in_topic(group: FakeGroup, thread: int) -> list[str]:
    return [m.text or "" for m in group.topic_messages(thread)]


def said(user: FakeUser) -> list[str]:
    return [m.text or "" for m in user.sent_messages()]


async def asks_for_a_person(customer: FakeUser, text: str = ASK_FOR_PERSON) -> BotMessage:
    await customer.send(text)
    return await next_matching(customer, mentions(PERSON_COMING), timeout=60, what="the handoff")


async def test_the_staff_desk_in_topics(servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
                                        sessions: sessionmaker[Session]) -> None:
    team = make_team(sessions, api, group=False)
    group = api.group(fresh_group_id(), "Shop team", forum=True, members=(team.owner, *team.staff))
    settings = bot_settings(e2e_settings, api, staff_chat_id=group.chat_id)
    dana, number = add_person(sessions, api, "Dana Demo", Role.customer)
    sam, tom = team.sam, team.tom

    async with run_bot(settings):
        # a ticket opens a topic: the card first, pinned, then the conversation so far
        await asks_for_a_person(dana)
        opened = open_ticket_of(sessions, dana.id)
        topic = await until(lambda: group.topic_named(f"#{opened.id} · Dana Demo"), view=group,
                            what="the ticket's topic")
        thread, name = topic.thread_id, topic.name
        assert name == f"#{opened.id} · Dana Demo · order {number}"
        # (other tests' tickets still waiting in the shared store may get topics of their own:
        # only this topic's pins count)
        await until(lambda: len(group.topic_messages(thread)) >= 2
                    and group.topic_messages(thread)[0].message_id in group.pinned(), view=group,
                    what="the card pinned and the conversation")
        card = group.topic_messages(thread)[0]
        assert card.buttons == ["Claim", "Transfer", "Resolve"]
        assert [m for m in group.topic_messages(thread) if m.message_id in group.pinned()] == [card]
        assert "🆕 New ticket" in (card.text or "") and "Reason: asked for a person" in (card.text or "")
        assert ASK_FOR_PERSON in in_topic(group, thread)[1]

        # claim with the button in the topic; staff answer without reply-to
        query = await group.press(f"t:claim:{opened.id}", from_user=sam)
        await until(lambda: group.callback_answer(query["id"]), view=group, what="the claim answered")
        await until(lambda: any("Sam from our team is here" in t for t in said(dana)), view=dana,
                    what="Dana told Sam has her")
        await dana.send("is it on the way?")
        await until(lambda: "is it on the way?" in in_topic(group, thread), view=group, what="the relay")
        await group.send("Yes, it left today.", from_user=sam, topic=thread)
        await until(lambda: "Yes, it left today." in said(dana), view=dana, what="the answer at Dana's")
        await until(lambda: ticket(sessions, opened.id).first_response_at, what="first_response_at")

        # media both ways
        await dana.send_photo(tiny_png(4, 4), caption="the box is dented")
        await dana.send_voice()
        await until(lambda: any("voice" in m.message for m in group.topic_messages(thread)), view=group,
                    what="the voice note in the topic")
        relayed_photo = next(m for m in group.topic_messages(thread) if m.text == "the box is dented")
        assert relayed_photo.photo == tiny_png(4, 4)
        await group.send_photo(from_user=sam, data=tiny_png(3, 3), caption="how it should look", topic=thread)
        await group.send_document(b"%PDF-1.4 label", "label.pdf", from_user=sam, topic=thread)
        await until(lambda: any("document" in m.message for m in dana.sent_messages()), view=dana,
                    what="the document at Dana's")
        photo_back = next(m for m in dana.sent_messages() if m.text == "how it should look")
        assert photo_back.photo == tiny_png(3, 3)

        # edits both ways
        address = await dana.send("ship the new one to Main St 1")
        await until(lambda: "ship the new one to Main St 1" in in_topic(group, thread), view=group,
                    what="the address relayed")
        await dana.edit(address["message_id"], "ship the new one to Main St 10")
        await until(lambda: "ship the new one to Main St 10" in in_topic(group, thread), view=group,
                    what="the relayed address edited")
        assert "ship the new one to Main St 1" not in in_topic(group, thread)
        promise = await group.send("It will arrive Monday", from_user=sam, topic=thread)
        await until(lambda: "It will arrive Monday" in said(dana), view=dana, what="the promise")
        await group.edit(promise["message_id"], "It will arrive Tuesday", from_user=sam)
        await until(lambda: "It will arrive Tuesday" in said(dana), view=dana, what="the promise edited")
        assert "It will arrive Monday" not in said(dana)

        # note and transfer from the topic, no ticket number
        await group.send("/note carrier says Tuesday", from_user=sam, topic=thread)
        await group.send(f"/transfer {tom.id}", from_user=sam, topic=thread)
        moved = f"Ticket #{opened.id} is now with Tom Helper"
        await until(lambda: any(moved in t for t in in_topic(group, thread)), view=group, what="the transfer")
        await until(lambda: any("Tom from our team is taking over" in t for t in said(dana)), view=dana,
                    what="Dana told Tom took over")
        with store(sessions) as session:
            notes = session.scalars(select(Message.text).where(Message.ticket_id == opened.id,
                                                               Message.direction == "note")).all()
        assert notes == ["Sam Staff: carrier says Tuesday"]
        assert not any("carrier says" in t for t in said(dana))

    # the bot restarts in the middle: Dana writes while it is down, Tom answers meanwhile
    await dana.send("hello? anyone?")
    await group.send("Tom here, one moment", from_user=tom, topic=thread)
    async with run_bot(settings):
        await until(lambda: "hello? anyone?" in in_topic(group, thread), view=group,
                    what="Dana's message after the restart")
        await until(lambda: "Tom here, one moment" in said(dana), view=dana, what="Tom's answer after it")

        # resolve from the topic: closed and renamed, the rating asked once
        await group.send("/resolve", from_user=tom, topic=thread)
        await until(lambda: group.topics[thread].closed, view=group, what="the topic closed")
        assert group.topics[thread].name == f"✅ {name}"
        await until(lambda: RATING_QUESTION in said(dana), view=dana, what="the rating question")
        assert said(dana).count(RESOLVED_TEXT) == 1 and said(dana).count(RATING_QUESTION) == 1
        assert in_topic(group, thread).count("hello? anyone?") == 1
        assert said(dana).count("Tom here, one moment") == 1

        # a second ticket reopens the topic under its new number
        await asks_for_a_person(dana)
        second = open_ticket_of(sessions, dana.id)
        assert second.id != opened.id
        reopened = f"#{second.id} ·"
        await until(lambda: not group.topics[thread].closed and reopened in group.topics[thread].name,
                    view=group, what="the topic reopened for the second ticket")
        await until(lambda: any(f"🎫 Ticket #{second.id} " in t for t in in_topic(group, thread)), view=group,
                    what="the second ticket's card")

        # someone deletes the topic: the next message opens it again
        group.delete_topic(thread)
        await dana.send("still there?")
        again = await until(lambda: group.topic_named(f"#{second.id} · Dana Demo"), view=group,
                            what="the topic opened again")
        assert again.thread_id != thread
        await until(lambda: "still there?" in in_topic(group, again.thread_id), view=group,
                    what="the message in the new topic")
        await group.send("Yes!", from_user=sam, topic=again.thread_id)
        await until(lambda: "Yes!" in said(dana), view=dana, what="the answer from the new topic")
        with store(sessions) as session:
            topics = session.scalars(select(StaffTopic).where(StaffTopic.telegram_user_id == dana.id)).all()
            assert [(t.thread_id, t.ticket_id) for t in topics] == [(again.thread_id, second.id)]
            assert session.get(Ticket, opened.id).status == "resolved"  # type: ignore[union-attr]


async def test_canned_replies_in_a_topic_fill_their_placeholders_or_are_refused(
        servers: Supervisor, e2e_settings: Settings, api: LocalBotApi,
        sessions: sessionmaker[Session]) -> None:
    team = make_team(sessions, api, group=False)
    group = api.group(fresh_group_id(), "Shop team", forum=True, members=(team.owner, *team.staff))
    settings = bot_settings(e2e_settings, api, staff_chat_id=group.chat_id)
    lena, number = add_person(sessions, api, "Lena Lang", Role.customer)  # her order has no tracking yet
    sam = team.sam

    async with run_bot(settings):
        await asks_for_a_person(lena)
        opened = open_ticket_of(sessions, lena.id)
        topic = await until(lambda: group.topic_named(f"#{opened.id} · Lena Lang"), view=group,
                            what="the ticket's topic")
        thread = topic.thread_id
        await group.send("/canned add e2e-hello Hi {name}, order {order} is {status}.", from_user=sam,
                         topic=thread)
        await group.send("/canned add e2e-track Your tracking number for {order}: {tracking}", from_user=sam,
                         topic=thread)
        await until(lambda: sum("saved" in t.lower() for t in in_topic(group, thread)) >= 2, view=group,
                    what="both replies saved")

        await group.send("/c e2e-hello", from_user=sam, topic=thread)  # no ticket number: the topic's
        hello = await until(lambda: next((t for t in said(lena) if t.startswith("Hi Lena, order ")), None),
                            view=lena, what="the filled reply at Lena's")
        assert hello.startswith(f"Hi Lena, order {number} is ") and "{" not in hello

        await group.send("/c e2e-track", from_user=sam, topic=thread)
        refusal = await until(lambda: next((t for t in in_topic(group, thread)
                                            if t.startswith("{tracking}:")), None),
                              view=group, what="the refusal naming the placeholder")
        assert f"order {number} has no tracking number yet" in refusal and "not sent" in refusal
        await until(lambda: ticket(sessions, opened.id).first_response_at, what="the first answer counted")
    assert not any("tracking number for" in t for t in said(lena))
