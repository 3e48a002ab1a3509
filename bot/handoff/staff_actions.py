"""What staff do to a ticket: claim, resolve, transfer, escalate, note, and the queue."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Bot, User

from bot.handoff import cards
from bot.handoff.messenger import (
    CustomerRef,
    Messenger,
    Outcome,
    Refused,
    customer_ref,
    now_utc,
    refusals,
    require_staff,
    require_ticket,
)
from bot.render import inline_keyboard
from shop import conversation_log, feedback, staff_directory, tickets
from shop.handoff import (
    CLAIMED_TEXT,
    ESCALATED_TEXT,
    RATING_QUESTION,
    RESOLVED_TEXT,
    TRANSFERRED_TEXT,
    first_name,
)
from shop.i18n import L_, Translator, translator
from shop.models import TelegramAccount, Ticket, TicketStatus


class StaffActions:
    """Each action checks the actor is staff (in the store), changes the ticket, updates its
    cards and tells the customer what they need to know; refusals become an Outcome."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger
        self.settings = messenger.settings

    @refusals
    async def claim(self, bot: Bot, actor: User, ticket_id: int) -> Outcome:
        now = now_utc()

        def work(session: Session) -> tuple[bool, CustomerRef, str]:
            staff = require_staff(session, actor)
            ticket = require_ticket(session, ticket_id)
            claimed = tickets.claim(session, ticket, staff_telegram_id=actor.id, now=now)
            return claimed, customer_ref(session, ticket), staff.display_name or actor.first_name

        claimed, customer, name = await self.messenger.tx(work)
        if not claimed:
            return Outcome(L_("Ticket #{ticket} is already yours.", ticket=ticket_id))
        await self.messenger.refresh_cards(bot, ticket_id)
        await self.messenger.tell_customer(bot, customer, L_(CLAIMED_TEXT, staff=first_name(name)))
        values = {"ticket": ticket_id, "customer": customer.name}
        if await self.messenger.topics.enabled(bot):
            return Outcome(L_("You claimed ticket #{ticket} ({customer}). To answer, write in its topic.",
                              **values))
        return Outcome(L_("You claimed ticket #{ticket} ({customer}). To answer, reply to its card or to "
                          "{first_name}'s messages.", first_name=first_name(customer.name), **values))

    @refusals
    async def resolve(self, bot: Bot, actor: User, ticket_id: int) -> Outcome:
        now = now_utc()

        def work(session: Session) -> tuple[CustomerRef, int | None]:
            require_staff(session, actor)
            ticket = require_ticket(session, ticket_id)
            tickets.resolve(session, ticket, by=actor.id, now=now)
            return customer_ref(session, ticket), ticket.customer_id

        customer, customer_id = await self.messenger.tx(work)
        await self.messenger.refresh_cards(bot, ticket_id)
        if await self.messenger.tell_customer(bot, customer, translator(customer.language)._(RESOLVED_TEXT)):
            await self._ask_rating(bot, customer, customer_id)
        await self.messenger.topics.close(bot, ticket_id)
        return Outcome(L_("Resolved ticket #{ticket}; {customer} is back with the bot.", ticket=ticket_id,
                          customer=first_name(customer.name)))

    async def _ask_rating(self, bot: Bot, customer: CustomerRef, customer_id: int | None) -> None:
        """The one CSAT survey of a resolved ticket (shop.feedback refuses a second)."""
        now = now_utc()
        survey = await self.messenger.tx(lambda s: feedback.open_survey(
            s, customer_id=customer_id, ticket_id=customer.ticket_id, now=now))
        if survey is None:
            return
        question = translator(customer.language)._(RATING_QUESTION)
        reply = feedback.rating_reply(question, subject=f"ticket:{customer.ticket_id}")
        markup = inline_keyboard([{"title": b.title, "payload": b.payload} for b in reply.buttons])
        await self.messenger.tell_customer(bot, customer, reply.text or question, markup)

    @refusals
    async def transfer(self, bot: Bot, actor: User, ticket_id: int, ref: str) -> Outcome:
        now = now_utc()

        def work(session: Session) -> tuple[CustomerRef, TelegramAccount, str]:
            staff = require_staff(session, actor)
            ticket = require_ticket(session, ticket_id)
            target = staff_directory.find_staff(session, ref) if ref.strip() else None
            if target is None:
                raise Refused(L_("I don't know a team member called {name}. Use their Telegram id, or "
                                 "their @username once they have used the bot.", name=ref.strip() or "?"))
            tickets.transfer(session, ticket, by=actor.id, to=target.telegram_user_id, now=now)
            return customer_ref(session, ticket), target, staff.display_name or actor.first_name

        customer, target, by_name = await self.messenger.tx(work)
        target_name = target.display_name or f"user {target.telegram_user_id}"
        await self.messenger.refresh_cards(bot, ticket_id)
        if self.settings.staff_chat_id is not None:
            await self.messenger.post_card(bot, ticket_id, headline=L_(
                "➡️ Transferred to {staff} by {by}", staff=target_name, by=by_name))
        elif target.chat_id is not None:
            await self.messenger.post_card(bot, ticket_id, chats=[target.chat_id], headline=L_(
                "➡️ {by} transferred this ticket to you", by=by_name))
        await self.messenger.tell_customer(bot, customer, L_(TRANSFERRED_TEXT, staff=first_name(target_name)))
        return Outcome(L_("Ticket #{ticket} is now with {staff}.", ticket=ticket_id, staff=target_name))

    @refusals
    async def transfer_options(self, actor: User, ticket_id: int) -> Outcome:
        """The Transfer button: whom the ticket can go to, as buttons."""
        def work(session: Session) -> list[tuple[int, str]]:
            require_staff(session, actor)
            ticket = require_ticket(session, ticket_id)
            if ticket.status == TicketStatus.resolved.value:
                raise Refused(L_("Ticket #{ticket} is already resolved.", ticket=ticket_id))
            return [(a.telegram_user_id, a.display_name or f"user {a.telegram_user_id}")
                    for a in staff_directory.staff_recipients(session)
                    if a.telegram_user_id != ticket.assignee_telegram_id]

        options = await self.messenger.tx(work)
        if not options:
            return Outcome(L_("There is nobody else on the team to transfer it to."), ok=False)
        return Outcome(L_("Transfer ticket #{ticket} to:", ticket=ticket_id),
                       markup=cards.transfer_keyboard(ticket_id, options))

    @refusals
    async def escalate(self, bot: Bot, actor: User, ticket_id: int) -> Outcome:
        now = now_utc()

        def work(session: Session) -> tuple[CustomerRef, TelegramAccount, str]:
            staff = require_staff(session, actor)
            ticket = require_ticket(session, ticket_id)
            owner = tickets.escalate(session, ticket, by=actor.id, now=now)
            return customer_ref(session, ticket), owner, staff.display_name or actor.first_name

        customer, owner, by_name = await self.messenger.tx(work)
        owner_name = owner.display_name or f"user {owner.telegram_user_id}"
        await self.messenger.refresh_cards(bot, ticket_id)
        reached = await self.messenger.post_card(
            bot, ticket_id, chats=[owner.chat_id] if owner.chat_id else [],
            headline=L_("⬆️ {by} escalated this ticket to you", by=by_name))
        await self.messenger.tell_customer(bot, customer, L_(ESCALATED_TEXT, owner=first_name(owner_name)))
        if reached:
            return Outcome(L_("Ticket #{ticket} is escalated to {owner}, the owner.", ticket=ticket_id,
                              owner=owner_name))
        return Outcome(L_("Ticket #{ticket} is escalated to {owner}, the owner (I couldn't reach them "
                          "privately: they must start the bot first).", ticket=ticket_id, owner=owner_name))

    @refusals
    async def note(self, actor: User, ticket_id: int, text: str) -> Outcome:
        now = now_utc()

        def work(session: Session) -> None:
            require_staff(session, actor)
            tickets.add_note(session, require_ticket(session, ticket_id), by=actor.id, text=text, now=now)

        await self.messenger.tx(work)
        return Outcome(L_("📝 Note added to ticket #{ticket} (only the team sees it).", ticket=ticket_id))

    async def reader(self, user: User, chat_id: int) -> Translator:
        """The language to answer this staff member's command or press in (shop/staff_language.py)."""
        return await self.messenger.actor(user, chat_id)

    async def is_staff(self, user: User) -> bool:
        return await self.messenger.tx(lambda s: staff_directory.staff_member(s, user.id) is not None)

    @refusals
    async def queue(self, actor: User, tr: Translator) -> Outcome:
        def work(session: Session) -> list[tuple[Ticket, str, str | None]]:
            require_staff(session, actor)
            return [(t, conversation_log.customer_name(session, t),
                     staff_directory.name_of(session, t.assignee_telegram_id)
                     if t.assignee_telegram_id else None)
                    for t in tickets.open_queue(session)]

        rows = await self.messenger.tx(work)
        return Outcome(cards.queue_text(rows, now=now_utc(), tr=tr), markup=cards.queue_keyboard(rows, tr))

    @refusals
    async def show_card(self, bot: Bot, actor: User, ticket_id: int, chat_id: int,
                        thread_id: int | None = None) -> Outcome:
        """Post a fresh card of the ticket where the actor asked (a chat, or a topic of it)."""
        await self.messenger.tx(lambda s: (require_staff(s, actor), require_ticket(s, ticket_id)))
        await self.messenger.post_card(bot, ticket_id, headline=None, chats=[chat_id], thread_id=thread_id)
        return Outcome(None)
