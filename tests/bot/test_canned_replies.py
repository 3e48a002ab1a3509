"""Canned replies through the real dispatcher and the local Bot API, with no Rasa (issue 16).

Rasa is down, so a customer's message opens a ticket (as in tests/bot/test_handoff_desk.py).
Staff save replies with /canned and send them with /c: as a reply to the ticket's card or a
relayed message, or naming the ticket; the filled text reaches the customer as a staff answer.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.handoff.messenger import NOT_STAFF as STAFF_ONLY
from local_bot_api import BotMessage, FakeUser
from local_bot_api.actors import ChatView
from shop import demo
from shop.canned import NOT_STAFF, find_reply
from shop.delivery import expected_at
from shop.models import Message, Ticket, TicketMessage
from shop.orders import fmt_day, order_by_number
from tests.bot_harness import RunningBot, bot_with_fake_rasa
from tests.waiting import all_handled, eventually

GROUP = -1009876543210
SHIPPED = "Hi {name}, your order {order} is {status}: tracking {tracking}, expected {eta}. {staff}"


async def open_ticket(bot: RunningBot, customer: FakeUser, text: str) -> Ticket:
    """Rasa is down: the customer's message opens a ticket for a person."""
    bot.rasa.down = True
    await customer.send(text)
    await eventually(lambda: any("a person from our team" in (m.text or "")
                                 for m in customer.sent_messages()), what="the customer told")
    # The ticket was committed before the customer was told.
    return await bot.services.in_transaction(lambda s: s.scalars(
        select(Ticket).where(Ticket.telegram_user_id == customer.id)).one())


async def answer(view: ChatView, sending: Awaitable[object]) -> BotMessage:
    """Post a message (`sending`, not yet awaited) and return the bot's next new message in `view`."""
    before = {m.message_id for m in view.sent_messages()}
    await sending
    fresh = await eventually(lambda: [m for m in view.sent_messages() if m.message_id not in before],
                             what=f"the bot's answer in chat {view.chat_id}", wake=view.chat.signal.wait)
    return fresh[0]


async def answer_to(user: FakeUser, text: str) -> BotMessage:
    """Send `text` in the user's private chat, and return the bot's answer."""
    return await answer(user, user.send(text))


async def test_a_canned_reply_sent_as_a_reply_to_the_card_reaches_the_customer_filled(
        tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        api = bot.api
        dana, sam = api.user(demo.CUSTOMER.telegram_user_id), api.user(demo.STAFF.telegram_user_id)
        api.user(demo.OWNER.telegram_user_id)
        ticket = await open_ticket(bot, dana, "where is my order 1042?")
        card = await eventually(lambda: [m for m in sam.sent_messages() if "New ticket" in (m.text or "")],
                                what="Sam's card of the ticket")
        await all_handled(api)

        saved = await answer_to(sam, f"/canned add Shipped {SHIPPED}")
        assert (saved.text or "").startswith("Saved /c shipped.")
        confirmed = await answer(sam, sam.send("/c SHIPPED", reply_to=card[-1].message_id))
        expected = ("Hi Dana, your order 1042 is on its way: tracking JJD000390007782, expected "
                    f"{await expected_day(bot)}. Sam")
        await eventually(lambda: any(m.text == expected for m in dana.sent_messages()),
                         what="the filled reply reaches Dana")
        assert confirmed.text == f"✅ Sent /c shipped to Dana Demo (ticket #{ticket.id}):\n{expected}"

        # The same path as a typed answer: logged, linked, and the waiting ticket claimed by Sam.
        await all_handled(api)
        after, logged, links = await bot.services.in_transaction(lambda s: (
            s.get(Ticket, ticket.id),
            s.scalars(select(Message.text).where(Message.ticket_id == ticket.id,
                                                 Message.direction == "staff")).all(),
            s.scalars(select(TicketMessage.kind).where(TicketMessage.ticket_id == ticket.id,
                                                       TicketMessage.chat_id == dana.id)).all()))
        assert after is not None
        assert (after.status, after.assignee_telegram_id) == ("human", sam.id)
        assert after.first_response_at is not None
        assert list(logged) == [expected]
        assert list(links) == ["staff"]


async def expected_day(bot: RunningBot) -> str:
    """Dana's order 1042 is expected the day its last stage is planned (the demo data's clock)."""
    def day(session: Session) -> str:
        order = order_by_number(session, demo.DEMO_ORDER)
        assert order is not None
        eta = expected_at(order)
        assert eta is not None
        return fmt_day(eta, bot.settings.zone)
    return await bot.services.in_transaction(day)


async def test_a_missing_value_is_refused_and_nothing_reaches_the_customer(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        api = bot.api
        omar, sam = api.user(demo.OTHER_CUSTOMER.telegram_user_id), api.user(demo.STAFF.telegram_user_id)
        api.user(demo.OWNER.telegram_user_id)
        ticket = await open_ticket(bot, omar, "where is my order 1044?")
        await eventually(lambda: any("New ticket" in (m.text or "") for m in sam.sent_messages()),
                         what="Sam alerted")
        await all_handled(api)
        told_omar = len(omar.sent_messages())

        await answer_to(sam, f"/canned add shipped {SHIPPED}")
        refused = await answer_to(sam, f"/c shipped {ticket.id}")
        assert refused.text == ("{tracking}: order 1044 has no tracking number yet — not sent")
        await all_handled(api)
        assert len(omar.sent_messages()) == told_omar
        still = await bot.services.in_transaction(lambda s: s.get(Ticket, ticket.id))
        assert still is not None and (still.status, still.first_response_at) == ("waiting", None)

        # A reply whose placeholders Omar's ticket has goes through, named by its number.
        await answer_to(sam, "/canned add hello Hello {name}, {staff} here: order {order} is {status}.")
        sent = await answer_to(sam, f"/c hello #{ticket.id}")
        assert sent.text == (f"✅ Sent /c hello to Omar Other (ticket #{ticket.id}):\n"
                             "Hello Omar, Sam here: order 1044 is placed.")
        await eventually(lambda: any(m.text == "Hello Omar, Sam here: order 1044 is placed."
                                     for m in omar.sent_messages()), what="the reply reaching Omar")


async def test_wrong_names_tickets_and_contexts_get_a_clear_answer(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        api = bot.api
        dana, sam = api.user(demo.CUSTOMER.telegram_user_id), api.user(demo.STAFF.telegram_user_id)
        api.user(demo.OWNER.telegram_user_id)
        ticket = await open_ticket(bot, dana, "hello?")
        await eventually(lambda: any("New ticket" in (m.text or "") for m in sam.sent_messages()),
                         what="Sam alerted")
        await all_handled(api)
        told_dana = len(dana.sent_messages())

        assert (await answer_to(sam, f"/c thanks {ticket.id}")).text == (
            "There is no canned reply “thanks”. There are none yet: /canned add NAME text.")
        assert (await answer_to(sam, "/canned add thanks Thanks, {name}! {customer}")).text == (
            "{customer} is not a placeholder. Placeholders: {name} {order} {status} {tracking} {eta} "
            "{staff}; write {{ or }} for a brace itself.")
        assert (await answer_to(sam, "/canned add thanks Thanks, {name.__class__}!")).text == (
            "{name.__class__} is not a placeholder. Placeholders: {name} {order} {status} {tracking} "
            "{eta} {staff}; write {{ or }} for a brace itself.")
        await answer_to(sam, "/canned add thanks Thanks, {name}!")
        assert (await answer_to(sam, "/c thanks")).text == (
            "Which ticket? Send /c thanks as a reply to a ticket's card or to one of the customer's "
            "messages, or name it: /c thanks 17.")
        assert (await answer_to(sam, "/c thanks 99999")).text == "There is no ticket #99999."
        usage = (await answer_to(sam, "/c thanks twelve")).text
        assert usage.startswith("/c NAME in a ticket's topic, as a reply")
        own = await answer_to(sam, "/queue")  # a message of the bot's that belongs to no ticket
        not_a_ticket = await answer(sam, sam.send("/c thanks", reply_to=own.message_id))
        assert not_a_ticket.text == (
            "That message isn't part of a ticket, so nothing was sent. Reply with /c thanks to a ticket's "
            "card or to one of the customer's messages, or name it: /c thanks 17.")
        await all_handled(api)
        assert len(dana.sent_messages()) == told_dana  # none of it reached Dana

        await answer_to(sam, f"/resolve {ticket.id}")
        await eventually(lambda: len(dana.sent_messages()) > told_dana, what="Dana told it is resolved")
        await all_handled(api)
        told_dana = len(dana.sent_messages())
        assert (await answer_to(sam, f"/c thanks {ticket.id}")).text == (
            f"Ticket #{ticket.id} is resolved, so nothing was sent: the customer is back with the bot. "
            "They can ask for a person again at any time.")
        await all_handled(api)
        assert len(dana.sent_messages()) == told_dana


async def test_in_the_staff_group_a_reply_or_a_number_finds_the_ticket(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path, staff_chat_id=GROUP) as bot:
        api = bot.api
        dana, omar = api.user(demo.CUSTOMER.telegram_user_id), api.user(demo.OTHER_CUSTOMER.telegram_user_id)
        sam, olivia = api.user(demo.STAFF.telegram_user_id), api.user(demo.OWNER.telegram_user_id)
        group = api.group(GROUP, "Shop team", members=(sam, olivia))
        danas = await open_ticket(bot, dana, "where is my order 1042?")
        omars = await open_ticket(bot, omar, "where is my order 1044?")
        await dana.send("it was due on Monday")
        relayed = await eventually(
            lambda: [m for m in group.sent_messages() if "it was due on Monday" in (m.text or "")],
            what="Dana's message relayed to the group")
        omar_card = await eventually(
            lambda: [m for m in group.sent_messages() if f"Ticket #{omars.id} " in (m.text or "")],
            what="the card of Omar's ticket")
        await eventually(
            lambda: [m for m in group.sent_messages() if f"Ticket #{danas.id} " in (m.text or "")],
            what="the card of Dana's ticket")
        await all_handled(api)

        saved = await answer(group, group.send("/canned add sorry Sorry for the wait, {name}. {staff}",
                                               from_user=olivia))
        assert (saved.text or "").startswith("Saved /c sorry.")
        to_dana = await answer(group, group.send("/c sorry", from_user=sam, reply_to=relayed[-1].message_id))
        assert to_dana.text == (f"✅ Sent /c sorry to Dana Demo (ticket #{danas.id}):\n"
                                "Sorry for the wait, Dana. Sam")
        to_omar = await answer(group, group.send(f"/c sorry {omars.id}", from_user=olivia))
        assert to_omar.text == (f"✅ Sent /c sorry to Omar Other (ticket #{omars.id}):\n"
                                "Sorry for the wait, Omar. Olivia")
        assert [m.text for m in dana.sent_messages()][-1] == "Sorry for the wait, Dana. Sam"
        assert [m.text for m in omar.sent_messages()][-1] == "Sorry for the wait, Omar. Olivia"

        mismatch = await answer(group, group.send(f"/c sorry {danas.id}", from_user=sam,
                                                  reply_to=omar_card[-1].message_id))
        assert mismatch.text == (f"You replied to a message of ticket #{omars.id} but named #{danas.id}, "
                                     "so nothing was sent. Name the one you mean without replying, or reply "
                                     "without a number.")
        await all_handled(api)
        assert sum(m.text == "Sorry for the wait, Dana. Sam" for m in dana.sent_messages()) == 1


async def test_customers_can_neither_see_nor_send_canned_replies(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        api = bot.api
        dana, omar = api.user(demo.CUSTOMER.telegram_user_id), api.user(demo.OTHER_CUSTOMER.telegram_user_id)
        sam = api.user(demo.STAFF.telegram_user_id)
        api.user(demo.OWNER.telegram_user_id)
        ticket = await open_ticket(bot, dana, "where is my order 1042?")
        await all_handled(api)
        await answer_to(sam, "/canned add secret Your order {order} is {status}, {name}.")
        told_dana = len(dana.sent_messages())

        for command in ("/canned", "/canned show secret", "/canned delete secret",
                        "/canned add mine Hello", f"/c secret {ticket.id}", "/c"):
            refused = await answer_to(omar, command)
            assert refused.text in (NOT_STAFF, STAFF_ONLY), (command, refused.text)
        await all_handled(api)
        assert len(dana.sent_messages()) == told_dana
        stored = await bot.services.in_transaction(lambda s: (find_reply(s, "secret") is not None,
                                                              find_reply(s, "mine")))
        assert stored == (True, None)
