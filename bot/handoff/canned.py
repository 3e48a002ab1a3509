"""Canned replies from a staff chat: which ticket a /c is about, and sending the filled text.

The text is filled by shop.canned and goes out as a staff answer (Relay.deliver_text): logged,
linked, rate-limited and claiming a waiting ticket exactly like a typed one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Bot, User

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
from bot.handoff.relay import Relay
from shop import canned, conversation_log, tickets
from shop.i18n import L_, N_

WHICH_TICKET = N_("Which ticket? Send {command} as a reply to a ticket's card or to one of the "
                  "customer's messages, or name it: {command} 17.")
NOT_A_TICKET = N_("That message isn't part of a ticket, so nothing was sent. Reply with {command} to a "
                  "ticket's card or to one of the customer's messages, or name it: {command} 17.")


def ticket_in_context(session: Session, *, chat_id: int, replied_to: int | None, named: int | None,
                      command: str) -> int:
    """The ticket a staff command in `chat_id` is about: the number it names, else the ticket of
    the message it replies to. Refused when neither says, or when they disagree; `command`
    (e.g. "/c thanks") is how the refusal shows the right way to write it.

    The one place that reads a ticket from where a command was written; a forum topic (a
    ticket per topic) is one more clue to add here.
    """
    linked = conversation_log.ticket_for_message(session, chat_id, replied_to) if replied_to else None
    if named is not None:
        if linked is not None and linked[0].id != named:
            raise Refused(L_("You replied to a message of ticket #{ticket} but named #{named}, so nothing "
                             "was sent. Name the one you mean without replying, or reply without a number.",
                             ticket=linked[0].id, named=named))
        return named
    if linked is not None:
        return linked[0].id
    raise Refused(L_(NOT_A_TICKET if replied_to else WHICH_TICKET, command=command))


class CannedReplies:
    """/c NAME: a saved answer, filled from the ticket, to the ticket's customer."""

    def __init__(self, messenger: Messenger, relay: Relay) -> None:
        self.messenger = messenger
        self.relay = relay
        self.settings = messenger.settings

    @refusals
    async def send_from_chat(self, bot: Bot, actor: User, name: str, *, chat_id: int,
                             replied_to: int | None, named: int | None) -> Outcome:
        """/c NAME [N] written in a staff chat, maybe as a reply to a ticket's message."""
        def find(session: Session) -> int:
            require_staff(session, actor)
            try:
                canned.require_reply(session, name)  # a wrong name is the first thing to hear about
            except canned.CannedError as exc:
                raise Refused(exc.text) from None
            return ticket_in_context(session, chat_id=chat_id, replied_to=replied_to,
                                     named=named, command=f"/c {name}")

        if replied_to is not None:
            await self.messenger.links_settled()  # the message replied to may be being linked
        ticket_id = await self.messenger.tx(find)
        return await self.send(bot, actor, name, ticket_id)

    @refusals
    async def send(self, bot: Bot, actor: User, name: str, ticket_id: int) -> Outcome:
        """Fill the reply NAME from ticket `ticket_id` and send it to its customer; a missing
        value refuses it, naming the placeholder."""
        now = now_utc()

        def prepare(session: Session) -> tuple[CustomerRef, str, str]:
            staff = require_staff(session, actor)
            try:
                reply = canned.require_reply(session, name)
                ticket = require_ticket(session, ticket_id)
                tickets.check_staff_reply(session, ticket)
                values = canned.ticket_values(session, ticket, now=now, zone=self.settings.zone,
                                              staff_name=staff.display_name or actor.first_name)
                text = canned.fill(reply.text, values)
            except canned.CannedError as exc:
                raise Refused(exc.text) from None
            return customer_ref(session, ticket), reply.name, text

        customer, key, text = await self.messenger.tx(prepare)
        outcome = await self.relay.deliver_text(bot, actor, customer, text)
        if outcome.text:
            return outcome
        sent = L_("✅ Sent /c {name} to {customer} (ticket #{ticket}):", name=key, customer=customer.name,
                  ticket=ticket_id)
        return Outcome((sent, text))
