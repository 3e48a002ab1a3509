"""The handoff desk through the real dispatcher, with no Rasa: a ticket from start to end.

Rasa is down, so the bot hands Dana to a person (shop.handoff.open_handoff); Sam claims the
ticket, answers, hears that Dana blocked the bot, and resolves it. Each step goes through a
part of the desk (relay, staff actions, timers) reached as context.bot_data.desk.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from shop import demo
from shop.handoff import RATING_QUESTION, RESOLVED_TEXT
from shop.i18n import translator
from shop.models import TelegramAccount, Ticket
from tests.bot_harness import RunningBot, bot_with_fake_rasa
from tests.waiting import all_handled, eventually


async def test_a_ticket_from_the_bot_failing_to_resolved(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        api = bot.api
        dana, sam = api.user(demo.CUSTOMER.telegram_user_id), api.user(demo.STAFF.telegram_user_id)
        api.user(demo.OWNER.telegram_user_id)
        bot.rasa.down = True
        await dana.send("where is my order 1042?")
        [told] = await dana.wait_for(1)
        assert "a person from our team" in (told.text or "")
        await eventually(lambda: any("New ticket" in (m.text or "") for m in sam.sent_messages()),
                         what="Sam alerted by the sweep")
        ticket = await bot.services.in_transaction(lambda s: s.scalars(
            select(Ticket).where(Ticket.telegram_user_id == dana.id)).one())

        await sam.send(f"/claim {ticket.id}")
        await eventually(lambda: any("from our team is here" in (m.text or "") for m in dana.sent_messages()),
                         what="Dana told Sam has her conversation")
        await dana.send("it was due on Monday")
        await eventually(lambda: any("it was due on Monday" in (m.text or "") for m in sam.sent_messages()),
                         what="Dana's message relayed to Sam")
        await sam.send(f"/reply {ticket.id} It ships today.")
        await eventually(lambda: any(m.text == "It ships today." for m in dana.sent_messages()),
                         what="Sam's answer reaches Dana")

        dana.block()
        await eventually(lambda: any("has blocked the bot" in (m.text or "") for m in sam.sent_messages()),
                         what="Sam told Dana blocked the bot")
        account = await bot.services.in_transaction(lambda s: s.scalars(
            select(TelegramAccount).where(TelegramAccount.telegram_user_id == dana.id)).one())
        assert account.blocked
        dana.unblock()
        await eventually(lambda: any("has unblocked the bot" in (m.text or "") for m in sam.sent_messages()),
                         what="Sam told Dana unblocked it")

        await sam.send(f"/resolve {ticket.id}")
        await eventually(lambda: any(m.text == RESOLVED_TEXT for m in dana.sent_messages()),
                         what="Dana back with the bot")
        await all_handled(api)
        resolved = await bot.services.in_transaction(lambda s: s.get(Ticket, ticket.id))
        assert resolved is not None
        assert (resolved.status, resolved.assignee_telegram_id) == ("resolved", sam.id)
        assert resolved.first_response_at is not None


async def test_staff_whom_the_bot_fails_get_no_ticket(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        sam = bot.api.user(demo.STAFF.telegram_user_id)
        bot.rasa.down = True
        await sam.send("hello")
        [answer] = await sam.wait_for(1)
        assert "part of the assistant is restarting" in (answer.text or "")
        assert await bot.services.in_transaction(lambda s: s.scalars(select(Ticket)).all()) == []


async def test_a_resolved_ticket_is_told_and_rated_in_the_customers_language(tmp_path: Path) -> None:
    async with bot_with_fake_rasa(tmp_path) as bot:
        api = bot.api
        dana = api.user(demo.CUSTOMER.telegram_user_id, "Dana", language_code="de")
        sam = api.user(demo.STAFF.telegram_user_id)
        api.user(demo.OWNER.telegram_user_id)
        bot.rasa.down = True
        await dana.send("Wo ist meine Bestellung 1042?")
        await dana.wait_for(1)
        ticket = await eventually(lambda: next(iter(ticket_ids(bot, dana.id)), None), what="the ticket")
        await sam.send(f"/resolve {ticket}")
        german = translator("de")
        await eventually(lambda: german._(RESOLVED_TEXT) in [m.text for m in dana.sent_messages()],
                         what="the German resolved message")
        await eventually(lambda: german._(RATING_QUESTION) in [m.text for m in dana.sent_messages()],
                         what="the German rating question")
        assert german._(RESOLVED_TEXT) != RESOLVED_TEXT and german._(RATING_QUESTION) != RATING_QUESTION


def ticket_ids(bot: RunningBot, user_id: int) -> list[int]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(Ticket.id).where(Ticket.telegram_user_id == user_id)))
