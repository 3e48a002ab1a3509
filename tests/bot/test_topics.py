"""The staff desk in a staff group with topics (issue 16), through the real dispatcher and the
local Bot API, with Rasa played by a fake (down, so the bot hands the customer to a person).

A ticket opens its customer's topic: the card first (pinned), then the conversation so far;
staff answer by writing in the topic, without reply-to; media go both ways; commands need no
ticket number there; resolving closes and renames the topic, the customer's next ticket
reopens it, a deleted topic is opened again; edits are carried over both ways; a restart
carries on in the same topic. A group without topics keeps the reply-to flow.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.handlers.staff import _target
from bot.handoff.messenger import Messenger
from local_bot_api import BotMessage, FakeGroup, FakeUser, LocalBotApi, Topic
from shop import conversation_log, demo
from shop.handoff import RATING_QUESTION, RESOLVED_TEXT
from shop.models import Message, StaffTopic, Ticket
from tests.bot_harness import RunningBot, bot_with_fake_rasa
from tests.waiting import all_handled, eventually

GROUP = -1001000000077


def texts(messages: list[BotMessage]) -> list[str]:
    return [m.text or "" for m in messages]


def topic_texts(group: FakeGroup, thread: int) -> list[str]:
    return texts(group.topic_messages(thread))


async def open_ticket(bot: RunningBot, dana: FakeUser, group: FakeGroup, text: str = "where is my parcel?"
                      ) -> tuple[Ticket, Topic]:
    """Rasa is down, so Dana's message opens a ticket; its topic appears with the card pinned."""
    bot.rasa.down = True
    await dana.send(text)
    ticket = await _open_ticket_of(bot, dana.id)
    topic = await eventually(lambda: group.topic_named(f"#{ticket.id} · Dana Demo"),
                             what=f"the topic of ticket #{ticket.id}", wake=group.chat.signal.wait)
    card = f"🎫 Ticket #{ticket.id} "
    await eventually(lambda: any(card in t for t in topic_texts(group, topic.thread_id)),
                     wake=group.chat.signal.wait, what="the card in the topic")
    return ticket, topic


async def _open_ticket_of(bot: RunningBot, user_id: int) -> Ticket:
    """The customer's open ticket, once the bot has opened it (waits for the bot's updates)."""
    def find() -> Ticket | None:
        with bot.services.sessions() as session:
            return session.scalars(select(Ticket).where(
                Ticket.telegram_user_id == user_id, Ticket.status.in_(("waiting", "human")))).first()

    await all_handled(bot.api)
    return await eventually(find, what=f"an open ticket of {user_id}")


def people(api: LocalBotApi) -> tuple[FakeUser, FakeUser, FakeGroup]:
    dana, sam = api.user(demo.CUSTOMER.telegram_user_id, "Dana"), api.user(demo.STAFF.telegram_user_id, "Sam")
    owner = api.user(demo.OWNER.telegram_user_id, "Olivia")
    group = api.group(GROUP, "Shop team", forum=True, members=(sam, owner))
    return dana, sam, group


async def test_a_ticket_lives_in_its_topic_from_card_to_resolved(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, sam, group = people(api)
        ticket, topic = await open_ticket(bot, dana, group)
        thread, name = topic.thread_id, topic.name
        assert name.startswith(f"#{ticket.id} · Dana Demo · order ") and not topic.closed
        await eventually(lambda: len(group.pinned()) == 1 and len(group.topic_messages(thread)) >= 2,
                         wake=group.chat.signal.wait, what="the card pinned, the conversation after it")
        card, history = group.topic_messages(thread)[:2]
        assert "🆕 New ticket" in (card.text or "")
        assert f"🎫 Ticket #{ticket.id} · waiting" in (card.text or "")
        assert "Everything you write in this topic goes to Dana" in (card.text or "")
        assert card.buttons == ["Claim", "Transfer", "Resolve"]
        assert group.pinned() == [card.message_id]
        assert "Last" in (history.text or "") and "where is my parcel?" in (history.text or "")
        assert api.sent_messages(GROUP) == group.topic_messages(thread), "nothing in General"

        # claim with the command, no ticket number: the card shows it, no second card is posted
        await group.send("/claim", from_user=sam, topic=thread)
        await eventually(lambda: any("You claimed ticket" in t for t in texts(group.topic_messages(thread))),
                         wake=group.chat.signal.wait, what="the claim answered in the topic")
        assert f"Ticket #{ticket.id} · with Sam Staff" in (group.topic_messages(thread)[0].text or "")
        assert sum("🎫 Ticket" in t for t in texts(group.topic_messages(thread))) == 1

        # the customer's messages arrive in the topic as they are, text and media
        await dana.send("it was due on Monday")
        await dana.send_photo(caption="the label")
        await dana.send_voice()
        await dana.send_document(b"%PDF-1.4 invoice", "invoice.pdf", mime_type="application/pdf")
        await dana.send_sticker()
        await dana.send_location(52.52, 13.40)
        await dana.send_video()
        await eventually(lambda: len(group.topic_messages(thread)) >= 10, wake=group.chat.signal.wait,
                         what="seven relayed messages")
        relayed = group.topic_messages(thread)[-7:]
        assert relayed[0].text == "it was due on Monday" and relayed[0].method == "copyMessage"
        kinds = [next(k for k in ("photo", "voice", "document", "sticker", "location", "video")
                      if k in m.message) for m in relayed[1:]]
        assert kinds == ["photo", "voice", "document", "sticker", "location", "video"]
        assert relayed[1].text == "the label" and relayed[1].photo is not None
        assert all(m.message.get("message_thread_id") == thread for m in relayed)

        # staff write in the topic, without reply-to: text and media reach Dana
        await group.send("It ships today.", from_user=sam, topic=thread)
        await group.send_photo(from_user=sam, caption="your parcel at the depot", topic=thread)
        await group.send_document(b"label", "label.pdf", from_user=sam, topic=thread)
        await group.send_voice(from_user=sam, topic=thread)
        await group.send_video(from_user=sam, topic=thread)
        await group.send_sticker(from_user=sam, topic=thread)
        await group.send_location(48.1, 11.5, from_user=sam, topic=thread)
        got = await dana.wait_for(2 + 7)  # the handoff and the claim notices came first
        assert "Sam from our team is here" in (got[1].text or "")
        got = got[2:]
        assert got[0].text == "It ships today." and "reply_to_message" not in got[0].message
        assert got[1].photo is not None and got[1].text == "your parcel at the depot"
        assert [k for m in got[2:] for k in ("document", "voice", "video", "sticker", "location")
                if k in m.message] == ["document", "voice", "video", "sticker", "location"]

        # a note stays inside; resolve closes and renames the topic; one rating question
        await group.send("/note called DHL, it is at the depot", from_user=sam, topic=thread)
        await eventually(lambda: any("Note added to ticket" in t for t in topic_texts(group, thread)),
                         wake=group.chat.signal.wait, what="the note confirmed")
        await group.send("/resolve", from_user=sam, topic=thread)
        await eventually(lambda: group.topics[thread].closed, wake=group.chat.signal.wait,
                         what="the topic closed")
        assert group.topics[thread].name == f"✅ {name}"
        await eventually(lambda: RATING_QUESTION in texts(dana.sent_messages()), what="the rating question")
        assert texts(dana.sent_messages()).count(RESOLVED_TEXT) == 1
        assert texts(dana.sent_messages()).count(RATING_QUESTION) == 1
        assert not any("called DHL" in t for t in texts(dana.sent_messages()))

        # writing in the closed topic reaches nobody, and says so
        await group.send("one more thing", from_user=sam, topic=thread)
        await eventually(lambda: any("is resolved, so nothing was sent" in t
                                     for t in texts(group.topic_messages(thread))),
                         wake=group.chat.signal.wait, what="the refusal in the topic")
        await all_handled(api)
        assert "one more thing" not in texts(dana.sent_messages())
        assert bot.rasa.received == [(dana.id, "where is my parcel?")], "nothing of the handoff went to Rasa"


async def test_a_new_ticket_reopens_the_topic_and_a_deleted_topic_is_opened_again(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, sam, group = people(api)
        first, topic = await open_ticket(bot, dana, group)
        await group.press(f"t:resolve:{first.id}", from_user=sam)
        await eventually(lambda: group.topics[topic.thread_id].closed, wake=group.chat.signal.wait,
                         what="the first ticket's topic closed")

        second, reopened = await open_ticket(bot, dana, group, "hello again?")
        assert second.id != first.id
        assert reopened.thread_id == topic.thread_id and not reopened.closed
        assert reopened.name.startswith(f"#{second.id} · Dana Demo")
        cards = [m for m in group.topic_messages(topic.thread_id)
                 if f"🎫 Ticket #{second.id}" in (m.text or "")]
        assert len(cards) == 1
        await eventually(lambda: group.pinned()[-1] == cards[0].message_id, wake=group.chat.signal.wait,
                         what="the new card pinned")
        assert len(group.topics) == 1

        group.delete_topic(topic.thread_id)  # someone deletes it in the app; the bot is not told
        await dana.send("anyone there?")
        recreated = await eventually(lambda: group.topic_named(f"#{second.id} · Dana Demo"),
                                     wake=group.chat.signal.wait, what="the topic opened again")
        assert recreated.thread_id != topic.thread_id
        await eventually(lambda: "anyone there?" in texts(group.topic_messages(recreated.thread_id)),
                         wake=group.chat.signal.wait, what="the message in the new topic")
        in_topic = texts(group.topic_messages(recreated.thread_id))
        assert f"🎫 Ticket #{second.id}" in in_topic[0] and in_topic.count("anyone there?") == 1
        stored = await bot.services.in_transaction(lambda s: s.scalars(select(StaffTopic)).all())
        assert [(t.thread_id, t.ticket_id, t.closed) for t in stored] == [
            (recreated.thread_id, second.id, False)]

        await group.send("Yes, here!", from_user=sam, topic=recreated.thread_id)
        await eventually(lambda: "Yes, here!" in texts(dana.sent_messages()), what="the answer at Dana's")


async def test_edits_are_carried_over_both_ways(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, sam, group = people(api)
        ticket, topic = await open_ticket(bot, dana, group)
        thread = topic.thread_id
        address = await dana.send("please ship to Main St 1")
        photo = await dana.send_photo(caption="the old label")
        await eventually(lambda: "the old label" in texts(group.topic_messages(thread)),
                         wake=group.chat.signal.wait, what="both relayed")
        copy_of = {m.text: m.message_id for m in group.topic_messages(thread)}

        await dana.edit(address["message_id"], "please ship to Main St 10")
        await dana.edit(photo["message_id"], "the new label")
        await eventually(lambda: {"please ship to Main St 10", "the new label"}
                         <= set(texts(group.topic_messages(thread))),
                         wake=group.chat.signal.wait, what="the copies edited")
        now = {m.message_id: m for m in group.topic_messages(thread)}
        assert now[copy_of["please ship to Main St 1"]].edited
        assert now[copy_of["the old label"]].text == "the new label"

        answer = await group.send("We ship on Monday", from_user=sam, topic=thread)
        [received] = [m for m in await dana.wait_for(2) if m.text == "We ship on Monday"]
        await group.edit(answer["message_id"], "We ship on Tuesday", from_user=sam)
        await eventually(lambda: any(m.message_id == received.message_id and m.text == "We ship on Tuesday"
                                     for m in dana.sent_messages()), what="Dana's copy edited")

        # a copy someone deleted can't be edited: the new text follows instead
        group.delete(copy_of["please ship to Main St 1"])
        await dana.edit(address["message_id"], "please ship to Main St 12")
        await eventually(lambda: "✏ edited: please ship to Main St 12" in texts(group.topic_messages(thread)),
                         wake=group.chat.signal.wait, what="the edit posted as a message")
        await all_handled(api)
        # an edit is never a new message: nothing relayed twice, nothing sent to Rasa
        assert bot.rasa.received == [(dana.id, "where is my parcel?")]
        assert texts(dana.sent_messages()).count("We ship on Tuesday") == 1
        logged = await bot.services.in_transaction(lambda s: s.scalars(
            select(Message.text).where(Message.ticket_id == ticket.id)).all())
        assert "please ship to Main St 12" in logged and "We ship on Tuesday" in logged
        assert "please ship to Main St 1" not in logged


async def test_buttons_and_commands_in_the_topic(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, sam, group = people(api)
        owner = api.user(demo.OWNER.telegram_user_id)
        ticket, topic = await open_ticket(bot, dana, group)
        thread = topic.thread_id
        press = await group.press("Claim", from_user=sam)
        await eventually(lambda: group.callback_answer(press["id"]), wake=group.chat.signal.wait,
                         what="the claim answered")
        assert "write in its topic" in group.callback_answer(press["id"])["text"]
        await group.press("Transfer", from_user=sam)
        options = await eventually(lambda: [m for m in group.topic_messages(thread)
                                            if (m.text or "").startswith("Transfer ticket")],
                                   wake=group.chat.signal.wait, what="the transfer options in the topic")
        assert options[0].buttons == ["Olivia Owner"]
        await group.send("/transfer 1", from_user=sam, topic=thread)  # Olivia's Telegram id, no ticket number
        await eventually(lambda: any(f"Ticket #{ticket.id} is now with Olivia Owner" in t
                                     for t in texts(group.topic_messages(thread))),
                         wake=group.chat.signal.wait, what="the transfer done")
        await group.send(f"/note {ticket.id} the number may be given too", from_user=owner, topic=thread)
        await group.send("/ticket", from_user=owner, topic=thread)
        await eventually(lambda: sum(f"🎫 Ticket #{ticket.id}" in t for t in topic_texts(group, thread)) >= 3,
                         wake=group.chat.signal.wait, what="the transfer card and /ticket's card")
        await all_handled(api)
        notes = await bot.services.in_transaction(lambda s: s.scalars(
            select(Message.text).where(Message.ticket_id == ticket.id, Message.direction == "note")).all())
        assert notes == ["Olivia Owner: the number may be given too"]
        assert api.sent_messages(GROUP) == group.topic_messages(thread), "nothing in General"


async def test_a_restart_carries_on_in_the_same_topic(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api:
        async with bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
            dana, sam, group = people(api)
            ticket, topic = await open_ticket(bot, dana, group)
        await dana.send("are you still there?")  # while the bot is down
        await group.send("Yes, one moment", from_user=sam, topic=topic.thread_id)
        async with bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as again:
            await eventually(lambda: "are you still there?" in texts(group.topic_messages(topic.thread_id)),
                             wake=group.chat.signal.wait, what="the message relayed after the restart")
            await eventually(lambda: "Yes, one moment" in texts(dana.sent_messages()),
                             what="the answer delivered")
            await all_handled(api)
            assert len(group.topics) == 1
            assert texts(group.topic_messages(topic.thread_id)).count("are you still there?") == 1
            assert sum("🎫 Ticket" in t for t in texts(group.topic_messages(topic.thread_id))) == 1
            assert texts(dana.sent_messages()).count("Yes, one moment") == 1
            count = await again.services.in_transaction(lambda s: s.scalar(select(func.count(StaffTopic.id))))
            assert count == 1 and ticket.id


def card_linked(bot: RunningBot, message_id: int) -> bool:
    """The bot has linked this message of the staff group to its ticket."""
    with bot.services.sessions() as session:
        return conversation_log.ticket_for_message(session, GROUP, message_id) is not None


async def card_in_general(api: LocalBotApi, bot: RunningBot, **group_options: Any
                          ) -> tuple[FakeUser, FakeUser, FakeGroup, BotMessage]:
    """Dana, Sam, the staff group and the card of the ticket Dana's first message opens (Rasa
    is down), posted in the group's General chat."""
    dana, sam = api.user(demo.CUSTOMER.telegram_user_id), api.user(demo.STAFF.telegram_user_id)
    group = api.group(GROUP, "Shop team", members=(sam,), **group_options)
    bot.rasa.down = True
    await dana.send("where is my parcel?")
    card = await eventually(
        lambda: next((m for m in group.sent_messages() if "🎫 Ticket" in (m.text or "")), None),
        wake=group.chat.signal.wait, what="the card")
    return dana, sam, group, card


async def test_without_the_right_to_manage_topics_the_reply_flow_goes_on(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, sam, group, card = await card_in_general(api, bot, forum=True, bot_can_manage_topics=False)
        assert "Reply to this message" in (card.text or "") and group.topics == {}
        await group.send("On its way!", from_user=sam, reply_to=card.message_id)
        await eventually(lambda: "On its way!" in texts(dana.sent_messages()), what="the answer by reply")


async def test_a_reply_quicker_than_the_cards_link_waits_for_it(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram hands the card to staff before the bot has stored which ticket it belongs to;
    a reply in that gap waits for the link instead of being refused as "not a ticket".
    Here the store is held up on purpose until the reply is there."""
    stored = asyncio.Event()
    reply_waiting = asyncio.Event()
    link, settled = Messenger.link, Messenger.links_settled

    async def slow_link(self: Messenger, ticket_id: int, kind: str, *args: Any, **kwargs: Any) -> None:
        if kind == "card":  # until the staff reply is being handled (bounded: the test must end)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reply_waiting.wait(), 15)
        await link(self, ticket_id, kind, *args, **kwargs)
        stored.set()

    async def noticed_links_settled(self: Messenger) -> None:
        if self._unlinked:
            reply_waiting.set()
        await settled(self)

    monkeypatch.setattr(Messenger, "link", slow_link)
    monkeypatch.setattr(Messenger, "links_settled", noticed_links_settled)
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, sam, group, card = await card_in_general(api, bot)
        assert not card_linked(bot, card.message_id)
        await group.send("On its way!", from_user=sam, reply_to=card.message_id)
        await eventually(lambda: "On its way!" in texts(dana.sent_messages()), what="the answer by reply")
        assert stored.is_set() and card_linked(bot, card.message_id)
        # The card itself is edited meanwhile (claimed, the answer added; out of hours it says
        # when the team opens): every other message in the group would be a refusal.
        others = [m.text or "" for m in group.sent_messages() if m.message_id != card.message_id]
        assert not [t for t in others if "not" in t.lower() and "ticket" in t.lower()], others


async def test_edits_in_a_group_without_topics_edit_the_relayed_message(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, sam = api.user(demo.CUSTOMER.telegram_user_id), api.user(demo.STAFF.telegram_user_id)
        group = api.group(GROUP, "Shop team", members=(sam,))
        bot.rasa.down = True
        await dana.send("where is my parcel?")
        await eventually(lambda: any("🎫 Ticket" in t for t in texts(group.sent_messages())),
                         wake=group.chat.signal.wait, what="the card")
        sent = await dana.send("ship to Main St 1")
        relayed = await eventually(lambda: next((m for m in group.sent_messages()
                                                 if (m.text or "").endswith("ship to Main St 1")), None),
                                   wake=group.chat.signal.wait, what="the relay")
        await dana.edit(sent["message_id"], "ship to Main St 10")
        await eventually(lambda: any(m.message_id == relayed.message_id and (m.text or "").endswith(
            "\nship to Main St 10") and (m.text or "").startswith("💬 #") for m in group.sent_messages()),
            wake=group.chat.signal.wait, what="the relayed message edited, header kept")
        await all_handled(api)
        assert bot.rasa.received == [(dana.id, "where is my parcel?")]


async def test_a_customer_who_goes_back_to_the_bot_closes_the_topic(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, _, group = people(api)
        ticket, topic = await open_ticket(bot, dana, group)
        thread, name = topic.thread_id, topic.name
        await dana.send("/bot")
        await eventually(lambda: group.topics[thread].closed, wake=group.chat.signal.wait,
                         what="the topic closed")
        assert group.topics[thread].name == f"↩️ {name}"
        # the notice and the card's edit may come just after the topic is closed
        await eventually(lambda: any(f"#{ticket.id} Dana Demo went back to the bot" in t
                                     for t in topic_texts(group, thread)),
                         wake=group.chat.signal.wait, what="the notice in the topic")
        await eventually(lambda: f"🎫 Ticket #{ticket.id} · cancelled" in topic_texts(group, thread)[0],
                         wake=group.chat.signal.wait, what="the card showing the ticket cancelled")


def test_in_a_topic_the_ticket_number_may_be_left_out() -> None:
    assert _target("note", ["12", "three", "boxes"], None) == (12, ["three", "boxes"])
    assert _target("note", ["3", "boxes", "arrived"], 12) == (12, ["3", "boxes", "arrived"])
    assert _target("note", ["12", "three", "boxes"], 12) == (12, ["three", "boxes"])
    assert _target("transfer", ["1"], 1) == (1, ["1"])  # to the colleague with Telegram id 1
    assert _target("transfer", ["7", "@tom"], 12) == (7, ["@tom"])
    assert _target("claim", [], 12) == (12, [])
    assert _target("claim", ["7"], 12) == (7, [])
    assert _target("resolve", [], None) == (None, [])


async def test_a_canned_reply_sent_in_a_topic_needs_no_ticket_number(tmp_path: Path) -> None:
    api = LocalBotApi(token="123456:TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana, sam, group = people(api)
        ticket, topic = await open_ticket(bot, dana, group)
        await group.send("/canned add hello Hello {name}, {staff} here.", from_user=sam,
                         topic=topic.thread_id)
        await eventually(lambda: any("hello" in t and "saved" in t.lower()
                                     for t in topic_texts(group, topic.thread_id)),
                         wake=group.chat.signal.wait, what="the reply saved")
        await group.send("/c hello", from_user=sam, topic=topic.thread_id)
        await eventually(lambda: "Hello Dana, Sam here." in texts(dana.sent_messages()),
                         what="the canned reply at Dana's")
        sent = await eventually(lambda: next((t for t in topic_texts(group, topic.thread_id)
                                              if t.startswith("✅ Sent /c hello")), None),
                                wake=group.chat.signal.wait, what="the confirmation in the topic")
        assert f"(ticket #{ticket.id})" in sent
