"""Staff read the desk in their language (issue 17), through the real dispatcher and the local
Bot API, with Rasa played by a fake that is down (so the bot hands Dana to a person).

The staff group's cards, notices and topic names follow the group's language (STAFF_LANGUAGE,
or /language in the group); answers to a staff member's own commands and presses follow
theirs (their Telegram language here); cards sent privately follow each recipient's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from local_bot_api import BotMessage, FakeGroup, LocalBotApi
from shop import demo
from shop.handoff import CLAIMED_TEXT
from shop.i18n import Translator, language_name, translator
from shop.models import Ticket
from shop.settings import Settings
from shop.tickets import reason_label
from tests.bot_harness import RunningBot, bot_with_fake_rasa
from tests.waiting import all_handled, eventually

GROUP = -1001000000088
# A few words of each language, written out, so the test does not only compare the catalog with itself
NEW_TICKET = {"de": "🆕 Neues Ticket", "ru": "🆕 Новая заявка", "zh": "🆕 新工单"}
CLAIM_BUTTON = {"de": "Übernehmen", "ru": "Взять", "zh": "认领"}
ORDER_WORD = {"de": "Bestellung", "ru": "заказ", "zh": "订单"}
WHERE_IS_MY_ORDER = {"de": "Wo ist meine Bestellung 1042?", "ru": "Где мой заказ 1042?",
                     "zh": "我的订单1042在哪里？"}


def texts(messages: list[BotMessage]) -> list[str]:
    return [m.text or "" for m in messages]


async def ticket_of(bot: RunningBot, user_id: int) -> Ticket:
    def find() -> Ticket | None:
        with bot.services.sessions() as session:
            return session.query(Ticket).filter(Ticket.telegram_user_id == user_id).one_or_none()

    await all_handled(bot.api)
    return await eventually(find, what=f"a ticket of {user_id}")


async def card_in(group: FakeGroup, ticket: Ticket, part: str) -> BotMessage:
    """The newest message of the group showing the ticket's card with `part` in it."""
    def find() -> BotMessage | None:
        found = [m for m in group.sent_messages()
                 if f"#{ticket.id}" in (m.text or "") and part in (m.text or "")]
        return found[-1] if found else None
    return await eventually(find, wake=group.chat.signal.wait, what=f"the card of #{ticket.id} with {part!r}")


async def answer_to(group: FakeGroup, text: str) -> str:
    """Wait for a bot message in the group equal to `text`."""
    await eventually(lambda: text in texts(group.sent_messages()), wake=group.chat.signal.wait,
                     what=f"{text!r} in the staff group")
    return text


@pytest.mark.parametrize("language", ["de", "ru", "zh"])
async def test_the_staff_chat_set_to_a_language_gets_cards_and_answers_in_it(tmp_path: Path,
                                                                              language: str) -> None:
    tr = translator(language)
    api = LocalBotApi(token="123456:STAFF-LANGUAGE")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP) as bot:
        dana = api.user(demo.CUSTOMER.telegram_user_id, "Dana", language_code=language)
        sam = api.user(demo.STAFF.telegram_user_id, "Sam", language_code=language)
        olivia = api.user(demo.OWNER.telegram_user_id, "Olivia", language_code="en")
        group = api.group(GROUP, "Shop team", members=(sam, olivia))

        # /language in the staff group: Sam picks the group's language with a button
        await group.send("/language", from_user=sam)
        await eventually(lambda: any(m.buttons for m in group.sent_messages()), wake=group.chat.signal.wait,
                         what="the language buttons")
        await group.press(f"lang:{language}", from_user=sam)
        await answer_to(group, tr._(
            "OK: cards, notices and topic names in this team chat are in {language} from now on. "
            "/language here changes it.", language=language_name(language)))

        # a new ticket's card in the group's language, buttons too
        bot.rasa.down = True
        await dana.send(WHERE_IS_MY_ORDER[language])
        ticket = await ticket_of(bot, dana.id)
        card = await card_in(group, ticket, NEW_TICKET[language])
        text = card.text or ""
        assert status_line(tr, ticket, tr._("waiting for someone to claim it")) in text
        assert tr._("Reason: {reason}", reason=reason_label("bot_error", tr)) in text
        assert tr._("↩️ Reply to this message to answer {customer}.", customer="Dana") in text
        assert card.buttons == [CLAIM_BUTTON[language], tr.p_("button", "Transfer"),
                                tr.p_("button", "Resolve")]
        assert "Reason:" not in text and "waiting for someone" not in text

        # Sam's /claim is answered in Sam's language; the card shows it; Dana hears it in hers
        await group.send(f"/claim {ticket.id}", from_user=sam)
        await answer_to(group, tr._(
            "You claimed ticket #{ticket} ({customer}). To answer, reply to its card or to "
            "{first_name}'s messages.", ticket=ticket.id, customer="Dana Demo", first_name="Dana"))
        await card_in(group, ticket, status_line(tr, ticket, tr._("with {staff}", staff="Sam Staff")))
        await eventually(lambda: tr._(CLAIMED_TEXT, staff="Sam") in texts(dana.sent_messages()),
                         what="Dana told in her language that Sam is here")

        # refusals and command help in Sam's language too
        await group.send("/claim 999999", from_user=sam)
        await answer_to(group, tr._("There is no ticket #{ticket}.", ticket=999999))
        await group.send("/canned", from_user=sam)
        none_yet = tr._("No canned replies yet.")
        await eventually(lambda: any(t.startswith(none_yet) for t in texts(group.sent_messages())),
                         wake=group.chat.signal.wait, what="/canned answered in Sam's language")

        # Olivia's Telegram is English: her own command is answered in English, in the same group
        await group.send(f"/note {ticket.id} called DHL", from_user=olivia)
        await answer_to(group, f"📝 Note added to ticket #{ticket.id} (only the team sees it).")

        # resolved: the card says so in the group's language
        await group.send(f"/resolve {ticket.id}", from_user=sam)
        await answer_to(group, tr._("Resolved ticket #{ticket}; {customer} is back with the bot.",
                                    ticket=ticket.id, customer="Dana"))
        await card_in(group, ticket, status_line(tr, ticket, tr._("resolved")))


def status_line(tr: Translator, ticket: Ticket, status: str) -> str:
    return tr._("🎫 Ticket #{ticket} · {status}", ticket=ticket.id, status=status)


async def test_staff_language_names_the_group_language_and_its_topics(tmp_path: Path) -> None:
    """STAFF_LANGUAGE alone (no /language): a forum group's topic name and card in Chinese."""
    tr = translator("zh")
    api = LocalBotApi(token="123456:STAFF-LANGUAGE-TOPICS")
    async with api, bot_with_fake_rasa(tmp_path, api=api, staff_chat_id=GROUP, staff_language="zh") as bot:
        dana = api.user(demo.CUSTOMER.telegram_user_id, "Dana")
        sam = api.user(demo.STAFF.telegram_user_id, "Sam")
        group = api.group(GROUP, "Shop team", forum=True, members=(sam,))
        bot.rasa.down = True
        await dana.send("where is my order 1042?")
        ticket = await ticket_of(bot, dana.id)
        topic = await eventually(lambda: group.topic_named(f"#{ticket.id} · Dana Demo"),
                                 wake=group.chat.signal.wait, what="the ticket's topic")
        assert f" · {ORDER_WORD['zh']} " in topic.name
        thread = topic.thread_id
        await eventually(lambda: any(NEW_TICKET["zh"] in t for t in texts(group.topic_messages(thread))),
                         wake=group.chat.signal.wait, what="the card in Chinese")
        card = next(m for m in group.topic_messages(thread) if NEW_TICKET["zh"] in (m.text or ""))
        assert tr._("✍️ Everything you write in this topic goes to {customer} (no need to reply); "
                    "/note text stays within the team.", customer="Dana") in (card.text or "")
        # Sam's Telegram is English ("en"): his claim is answered in English, in the topic
        await group.send("/claim", from_user=sam, topic=thread)
        claimed = f"You claimed ticket #{ticket.id} (Dana Demo). To answer, write in its topic."
        await eventually(lambda: claimed in texts(group.topic_messages(thread)),
                         wake=group.chat.signal.wait, what="the claim answered in English")
        assert tr._("with {staff}", staff="Sam Staff") in (group.topic_messages(thread)[0].text or "")


async def test_without_a_staff_group_each_member_gets_cards_in_their_own_language(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        api = bot.api
        dana = api.user(demo.CUSTOMER.telegram_user_id, "Dana")
        sam = api.user(demo.STAFF.telegram_user_id, "Sam", language_code="ru")
        olivia = api.user(demo.OWNER.telegram_user_id, "Olivia", language_code="en")
        await sam.send("/queue")  # Sam talks to the bot once: it learns his language
        [empty] = await sam.wait_for(1)
        assert empty.text == translator("ru")._("No open tickets. 🎉") == "Открытых заявок нет. 🎉"
        bot.rasa.down = True
        await dana.send("where is my order 1042?")
        await eventually(lambda: any(NEW_TICKET["ru"] in t for t in texts(sam.sent_messages())),
                         what="Sam's card in Russian")
        await eventually(lambda: any("🆕 New ticket" in t for t in texts(olivia.sent_messages())),
                         what="Olivia's card in English")


def test_staff_language_is_a_language_with_a_catalog() -> None:
    assert Settings(_env_file=None, staff_language="de-AT").staff_language == "de"  # type: ignore[call-arg]
    assert Settings(_env_file=None).staff_language == "en"  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="no catalog for language 'xx'"):
        Settings(_env_file=None, staff_language="xx")  # type: ignore[call-arg]
