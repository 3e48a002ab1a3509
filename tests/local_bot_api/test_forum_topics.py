"""Contract tests: forum topics, edits and pins as python-telegram-bot 22 relies on them.

A supergroup with topics turned on: the bot (an administrator who may manage topics)
creates, renames, closes, reopens and deletes topics; messages sent with message_thread_id
land in a topic; members' messages in a topic reach the bot with is_topic_message and a
reply_to_message that is the topic's creation message, as on Telegram; a deleted topic
answers "message thread not found"; edited messages arrive as edited_message updates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, ChatMemberAdministrator, Message, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from local_bot_api import LocalBotApi
from tests.local_bot_api.helpers import bot_for, polling_app
from tests.waiting import eventually

pytestmark = pytest.mark.timeout(20)
FORUM = -1001000000042


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi() as srv:
        yield srv


@pytest.fixture
async def bot(server: LocalBotApi) -> AsyncIterator[Bot]:
    async with bot_for(server) as ptb_bot:
        yield ptb_bot


async def test_a_forum_is_a_supergroup_with_is_forum_and_the_bot_may_manage_topics(
        server: LocalBotApi, bot: Bot) -> None:
    server.group(FORUM, "Staff", forum=True)
    chat = await bot.get_chat(FORUM)
    assert chat.type == "supergroup" and chat.is_forum is True
    member = await bot.get_chat_member(FORUM, bot.id)
    assert isinstance(member, ChatMemberAdministrator) and member.can_manage_topics is True
    server.group(-1001000000043, "Plain")
    assert (await bot.get_chat(-1001000000043)).is_forum is not True


async def test_sends_and_copies_with_message_thread_id_land_in_the_topic(server: LocalBotApi,
                                                                        bot: Bot) -> None:
    group = server.group(FORUM, "Staff", forum=True)
    dana = server.user(7001, "Dana")
    topic = await bot.create_forum_topic(FORUM, "#12 · Dana Demo · order 1042")
    assert topic.name == "#12 · Dana Demo · order 1042" and topic.icon_color == 0x6FB9F0
    assert group.topics[topic.message_thread_id].name == topic.name
    sent = await bot.send_message(FORUM, "the card", message_thread_id=topic.message_thread_id)
    assert sent.is_topic_message is True and sent.message_thread_id == topic.message_thread_id
    photo = await dana.send_photo(caption="the parcel")
    copied = await bot.copy_message(FORUM, dana.id, photo["message_id"],
                                    message_thread_id=topic.message_thread_id)
    in_topic = group.topic_messages(topic.message_thread_id)
    assert [m.message_id for m in in_topic] == [sent.message_id, copied.message_id]
    assert in_topic[1].photo is not None and in_topic[1].text == "the parcel"
    general = await bot.send_message(FORUM, "in General")
    assert general.message_thread_id is None and not general.is_topic_message


async def test_a_members_message_in_a_topic_replies_to_the_topics_creation_message(
        server: LocalBotApi) -> None:
    group = server.group(FORUM, "Staff", forum=True)
    sam = server.user(7002, "Sam")
    seen: list[Message] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        seen.append(update.message)

    async with polling_app(server, [MessageHandler(filters.ALL, record)]) as app:
        topic = await app.bot.create_forum_topic(FORUM, "Dana")
        card = await app.bot.send_message(FORUM, "card", message_thread_id=topic.message_thread_id)
        await group.send("plain", from_user=sam, topic=topic.message_thread_id)
        await group.send("a reply", from_user=sam, reply_to=card.message_id)
        await group.send("in General", from_user=sam)
        await eventually(lambda: len(seen) == 3, what="three messages")
    plain, reply, general = seen
    assert plain.is_topic_message and plain.message_thread_id == topic.message_thread_id
    assert plain.chat.is_forum is True
    assert plain.reply_to_message is not None
    assert plain.reply_to_message.message_id == topic.message_thread_id
    assert plain.reply_to_message.forum_topic_created is not None
    assert plain.reply_to_message.forum_topic_created.name == "Dana"
    assert reply.is_topic_message and reply.message_thread_id == topic.message_thread_id
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == card.message_id
    assert not general.is_topic_message and general.reply_to_message is None


async def test_a_reply_in_a_supergroup_without_topics_has_a_thread_id_that_is_no_topic(
        server: LocalBotApi, bot: Bot) -> None:
    group = server.group(-1001000000043, "Plain")
    sam = server.user(7002, "Sam")
    card = await bot.send_message(group.chat_id, "card")
    reply = await group.send("answer", from_user=sam, reply_to=card.message_id)
    assert reply["message_thread_id"] == card.message_id and "is_topic_message" not in reply
    with pytest.raises(Exception, match="Message thread not found"):
        await bot.send_message(group.chat_id, "echo", message_thread_id=reply["message_thread_id"])
    with pytest.raises(Exception, match="The chat is not a forum"):
        await bot.create_forum_topic(group.chat_id, "no topics here")


async def test_rename_close_reopen_and_telegrams_errors(server: LocalBotApi, bot: Bot) -> None:
    group = server.group(FORUM, "Staff", forum=True)
    topic = await bot.create_forum_topic(FORUM, "#12 · Dana")
    thread = topic.message_thread_id
    assert await bot.edit_forum_topic(FORUM, thread, name="✅ #12 · Dana")
    assert await bot.close_forum_topic(FORUM, thread)
    assert group.topics[thread].name == "✅ #12 · Dana" and group.topics[thread].closed
    with pytest.raises(Exception, match="Topic_not_modified"):
        await bot.close_forum_topic(FORUM, thread)
    with pytest.raises(Exception, match="Topic_not_modified"):
        await bot.edit_forum_topic(FORUM, thread, name="✅ #12 · Dana")
    # the bot manages topics, so it may still write in a closed one
    assert (await bot.send_message(FORUM, "still here", message_thread_id=thread)).is_topic_message
    assert await bot.reopen_forum_topic(FORUM, thread)
    assert not group.topics[thread].closed
    with pytest.raises(Exception, match="Topic_id_invalid"):
        await bot.reopen_forum_topic(FORUM, thread + 100)


async def test_a_deleted_topic_is_gone_with_its_messages(server: LocalBotApi, bot: Bot) -> None:
    group = server.group(FORUM, "Staff", forum=True)
    topic = await bot.create_forum_topic(FORUM, "Dana")
    sent = await bot.send_message(FORUM, "card", message_thread_id=topic.message_thread_id)
    await bot.pin_chat_message(FORUM, sent.message_id, disable_notification=True)
    assert group.pinned() == [sent.message_id]
    group.delete_topic(topic.message_thread_id)  # a member deletes it in the app
    assert group.topics == {} and group.pinned() == []
    with pytest.raises(Exception, match="Message thread not found"):
        await bot.send_message(FORUM, "hello?", message_thread_id=topic.message_thread_id)
    with pytest.raises(Exception, match="Message to edit not found"):
        await bot.edit_message_text("card 2", chat_id=FORUM, message_id=sent.message_id)
    with pytest.raises(Exception, match="Topic_id_invalid"):
        await bot.delete_forum_topic(FORUM, topic.message_thread_id)


async def test_without_the_right_to_manage_topics_the_bot_can_neither_create_nor_post_in_closed_ones(
        server: LocalBotApi, bot: Bot) -> None:
    group = server.group(FORUM, "Staff", forum=True, bot_can_manage_topics=False)
    with pytest.raises(Exception, match="Not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM, "Dana")
    topic = server.world.create_topic(group.chat, "made by a member", icon_color=0x6FB9F0,
                                      icon_custom_emoji_id=None)
    topic.closed = True
    with pytest.raises(Exception, match="Topic_closed"):
        await bot.send_message(FORUM, "hi", message_thread_id=topic.thread_id)


async def test_edits_reach_the_bot_and_the_bot_edits_its_copies(server: LocalBotApi) -> None:
    group = server.group(FORUM, "Staff", forum=True)
    dana, sam = server.user(7001, "Dana"), server.user(7002, "Sam")
    edits: list[Message] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None
        edits.append(update.edited_message)

    async with polling_app(server, [MessageHandler(filters.UpdateType.EDITED_MESSAGE, record)]) as app:
        topic = await app.bot.create_forum_topic(FORUM, "Dana")
        thread = topic.message_thread_id
        text = await dana.send("ship it to Main St 1")
        photo = await dana.send_photo(caption="the box")
        text_copy = await app.bot.copy_message(FORUM, dana.id, text["message_id"], message_thread_id=thread)
        photo_copy = await app.bot.copy_message(FORUM, dana.id, photo["message_id"], message_thread_id=thread)
        await dana.edit(text["message_id"], "ship it to Main St 10")
        await dana.edit(photo["message_id"], "the dented box")
        answer = await group.send("Will do", from_user=sam, topic=thread)
        await group.edit(answer["message_id"], "Will do today", from_user=sam)
        await eventually(lambda: len(edits) == 3, what="three edits")
        assert [e.text or e.caption for e in edits] == ["ship it to Main St 10", "the dented box",
                                                        "Will do today"]
        assert edits[2].is_topic_message and edits[2].message_thread_id == thread
        assert edits[0].edit_date is not None
        await app.bot.edit_message_text("ship it to Main St 10", chat_id=FORUM,
                                        message_id=text_copy.message_id)
        await app.bot.edit_message_caption(chat_id=FORUM, message_id=photo_copy.message_id,
                                           caption="the dented box")
    now = {m.message_id: m for m in group.topic_messages(thread)}
    assert now[text_copy.message_id].text == "ship it to Main St 10" and now[text_copy.message_id].edited
    assert now[photo_copy.message_id].text == "the dented box"
    assert now[text_copy.message_id].message["message_thread_id"] == thread
