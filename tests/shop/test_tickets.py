"""The handoff state machine (shop/tickets.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop import conversation_log, staff_directory, tickets
from shop import staff as staff_admin
from shop.handoff import STAFF_NO_TICKET, STAFF_RASA_DOWN, cannot_cancel_text, handoff_text, open_handoff
from shop.hours import BusinessHours
from shop.models import Customer, Message, Order, Role, TelegramAccount, Ticket, TicketEvent
from shop.settings import Settings
from shop.tickets import TicketError
from tests import journey_builders as b
from tests.conftest import BERLIN, NOW  # Friday 20 Nov 2026, 12:00 UTC (13:00 in Berlin)

OFFICE = BusinessHours.parse("09:00-18:00", "Mon-Fri", BERLIN)
_ids = itertools.count(5000)


def account(session: Session, role: Role, name: str, *, started: bool = True, blocked: bool = False,
            customer: Customer | None = None) -> TelegramAccount:
    return b.account(session, telegram_user_id=next(_ids), customer=customer, role=role, started=started,
                     blocked=blocked, display_name=name)


def customer_with_account(session: Session, name: str = "Dana Demo") -> tuple[Customer, TelegramAccount]:
    customer = b.customer(session, name=name, email=f"{next(_ids)}@example.com", created_at=NOW)
    return customer, account(session, Role.customer, name, customer=customer)


def new_ticket(session: Session, who: TelegramAccount, *, reason: str = "request_human",
               at: datetime = NOW, alerted: bool = True) -> Ticket:
    ticket, created = tickets.open_ticket(
        session, telegram_user_id=who.telegram_user_id, chat_id=who.telegram_user_id,
        customer_id=who.customer_id, reason=reason, details="please help", now=at)
    assert created
    if alerted:
        assert tickets.take_alert(session, ticket, kind="alert", now=at, expected_last=None)
    return ticket


def events(session: Session, ticket: Ticket) -> list[tuple[str, int | None, int | None]]:
    return [(e.kind, e.actor_telegram_id, e.target_telegram_id) for e in session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))]


@pytest.fixture
def team(session: Session) -> dict[str, TelegramAccount]:
    return {"owner": account(session, Role.owner, "Olivia Owner"),
            "sam": account(session, Role.staff, "Sam Staff"),
            "tom": account(session, Role.staff, "Tom Helper")}


@pytest.fixture
def dana(session: Session) -> TelegramAccount:
    return customer_with_account(session)[1]


class TestOpening:
    def test_a_second_trigger_adds_to_the_open_ticket(self, session: Session, dana: TelegramAccount) -> None:
        first = new_ticket(session, dana)
        again, created = tickets.open_ticket(
            session, telegram_user_id=dana.telegram_user_id, chat_id=dana.telegram_user_id,
            customer_id=dana.customer_id, reason="complaint", details="it broke", now=NOW)
        assert (again.id, created) == (first.id, False)
        assert again.details == "please help\nit broke"
        assert again.reason == "request_human"

    def test_active_ticket_until_resolved(self, session: Session, dana: TelegramAccount,
                                          team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        assert tickets.active_ticket(session, dana.telegram_user_id) is ticket
        tickets.resolve(session, ticket, by=team["sam"].telegram_user_id, now=NOW)
        assert tickets.active_ticket(session, dana.telegram_user_id) is None
        second, created = tickets.open_ticket(
            session, telegram_user_id=dana.telegram_user_id, chat_id=dana.telegram_user_id,
            customer_id=dana.customer_id, reason="complaint", now=NOW)
        assert created and second.id != ticket.id


class TestCustomerCancels:
    def test_a_waiting_ticket_is_cancelled_and_stays_closed(
            self, session: Session, dana: TelegramAccount, team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        found, cancelled = tickets.cancel_waiting(session, dana.telegram_user_id, now=NOW)
        assert (found, cancelled) == (ticket, True)
        assert ticket.status == "cancelled" and ticket.resolved_at is None
        assert events(session, ticket)[-1] == ("cancel", dana.telegram_user_id, None)
        assert tickets.active_ticket(session, dana.telegram_user_id) is None
        with pytest.raises(TicketError, match="cancelled by the customer"):
            tickets.claim(session, ticket, staff_telegram_id=team["sam"].telegram_user_id, now=NOW)
        with pytest.raises(TicketError, match="cancelled by the customer"):
            tickets.check_staff_reply(session, ticket)
        assert tickets.open_queue(session) == []
        assert tickets.cancel_waiting(session, dana.telegram_user_id, now=NOW) == (None, False)

    def test_a_claimed_ticket_stays_with_its_person(
            self, session: Session, dana: TelegramAccount, team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        tickets.claim(session, ticket, staff_telegram_id=team["sam"].telegram_user_id, now=NOW)
        assert tickets.cancel_waiting(session, dana.telegram_user_id, now=NOW) == (ticket, False)
        assert ticket.status == "human"
        assert "already looking at your conversation" in cannot_cancel_text(ticket)


class TestClaim:
    def test_claim_makes_it_human_and_a_second_claim_is_refused(
            self, session: Session, dana: TelegramAccount, team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        sam, tom = team["sam"].telegram_user_id, team["tom"].telegram_user_id
        assert tickets.claim(session, ticket, staff_telegram_id=sam, now=NOW) is True
        assert (ticket.status, ticket.assignee_telegram_id) == ("human", sam)
        with pytest.raises(TicketError, match="already claimed by Sam Staff"):
            tickets.claim(session, ticket, staff_telegram_id=tom, now=NOW)
        assert ticket.assignee_telegram_id == sam
        assert tickets.claim(session, ticket, staff_telegram_id=sam, now=NOW) is False
        assert events(session, ticket) == [("alert", None, None), ("claim", sam, None)]

    def test_a_resolved_ticket_cannot_be_claimed(self, session: Session, dana: TelegramAccount,
                                                 team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        tickets.resolve(session, ticket, now=NOW)
        with pytest.raises(TicketError, match="already resolved"):
            tickets.claim(session, ticket, staff_telegram_id=team["sam"].telegram_user_id, now=NOW)


class TestTransferAndEscalate:
    def test_transfer_to_a_colleague(self, session: Session, dana: TelegramAccount,
                                     team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        sam, tom = team["sam"].telegram_user_id, team["tom"].telegram_user_id
        tickets.claim(session, ticket, staff_telegram_id=sam, now=NOW)
        target = tickets.transfer(session, ticket, by=sam, to=tom, now=NOW)
        assert target.telegram_user_id == tom
        assert (ticket.status, ticket.assignee_telegram_id) == ("human", tom)
        assert events(session, ticket)[-1] == ("transfer", sam, tom)
        with pytest.raises(TicketError, match="already with Tom Helper"):
            tickets.transfer(session, ticket, by=sam, to=tom, now=NOW)

    def test_transfer_to_someone_not_on_the_team_is_refused(
            self, session: Session, dana: TelegramAccount, team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        with pytest.raises(TicketError, match="not on the team"):
            tickets.transfer(session, ticket, by=team["sam"].telegram_user_id,
                             to=dana.telegram_user_id, now=NOW)
        assert (ticket.status, ticket.assignee_telegram_id) == ("waiting", None)

    def test_a_waiting_ticket_can_be_assigned_by_transfer(
            self, session: Session, dana: TelegramAccount, team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        tickets.transfer(session, ticket, by=team["sam"].telegram_user_id,
                         to=team["tom"].telegram_user_id, now=NOW)
        assert (ticket.status, ticket.assignee_telegram_id) == ("human", team["tom"].telegram_user_id)

    def test_escalate_goes_to_the_owner(self, session: Session, dana: TelegramAccount,
                                        team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        sam, owner = team["sam"].telegram_user_id, team["owner"].telegram_user_id
        tickets.claim(session, ticket, staff_telegram_id=sam, now=NOW)
        assert tickets.escalate(session, ticket, by=sam, now=NOW).telegram_user_id == owner
        assert (ticket.status, ticket.assignee_telegram_id) == ("human", owner)
        assert events(session, ticket)[-1] == ("escalate", sam, owner)
        with pytest.raises(TicketError, match="already with the owner"):
            tickets.escalate(session, ticket, by=sam, now=NOW)

    def test_the_only_owner_cannot_escalate(self, session: Session, dana: TelegramAccount) -> None:
        # the test store may hold other owners; this one is alone in its own world
        for other in session.scalars(select(TelegramAccount).where(TelegramAccount.role == "owner")):
            other.role = Role.customer.value
        owner = account(session, Role.owner, "Solo Owner")
        ticket = new_ticket(session, dana)
        with pytest.raises(TicketError, match="only owner"):
            tickets.escalate(session, ticket, by=owner.telegram_user_id, now=NOW)


class TestAnswers:
    def test_the_first_answer_claims_and_sets_first_response(
            self, session: Session, dana: TelegramAccount, team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        sam = team["sam"].telegram_user_id
        assert tickets.record_staff_reply(session, ticket, staff_telegram_id=sam, text="Hi!",
                                          message_id=7, now=NOW + timedelta(minutes=4)) is True
        assert (ticket.status, ticket.assignee_telegram_id) == ("human", sam)
        assert ticket.first_response_at == NOW + timedelta(minutes=4)
        assert tickets.record_staff_reply(session, ticket, staff_telegram_id=sam, text="More",
                                          message_id=8, now=NOW + timedelta(minutes=9)) is False
        assert ticket.first_response_at == NOW + timedelta(minutes=4)
        logged = session.scalars(select(Message.direction).where(Message.ticket_id == ticket.id)).all()
        assert logged == ["staff", "staff"]

    def test_no_answer_on_a_resolved_ticket(self, session: Session, dana: TelegramAccount,
                                            team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        tickets.resolve(session, ticket, now=NOW)
        with pytest.raises(TicketError, match="resolved"):
            tickets.record_staff_reply(session, ticket, staff_telegram_id=team["sam"].telegram_user_id,
                                       text="late", message_id=None, now=NOW)
        assert ticket.first_response_at is None

    def test_notes_are_logged_as_notes(self, session: Session, dana: TelegramAccount,
                                       team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        tickets.add_note(session, ticket, by=team["sam"].telegram_user_id, text="called DHL", now=NOW)
        note = session.scalar(select(Message).where(Message.ticket_id == ticket.id))
        assert note is not None and (note.direction, note.text) == ("note", "Sam Staff: called DHL")
        with pytest.raises(TicketError):
            tickets.add_note(session, ticket, by=team["sam"].telegram_user_id, text="  ", now=NOW)

    def test_resolve_once(self, session: Session, dana: TelegramAccount,
                          team: dict[str, TelegramAccount]) -> None:
        ticket = new_ticket(session, dana)
        tickets.resolve(session, ticket, by=team["sam"].telegram_user_id, now=NOW + timedelta(hours=1))
        assert (ticket.status, ticket.resolved_at) == ("resolved", NOW + timedelta(hours=1))
        with pytest.raises(TicketError, match="already resolved"):
            tickets.resolve(session, ticket, now=NOW)


class TestDeparted:
    def test_tickets_of_someone_who_left_go_back_to_waiting(
            self, session: Session, dana: TelegramAccount, team: dict[str, TelegramAccount]) -> None:
        sam, tom = team["sam"].telegram_user_id, team["tom"].telegram_user_id
        held_by_sam = new_ticket(session, dana)
        tickets.claim(session, held_by_sam, staff_telegram_id=sam, now=NOW)
        other = new_ticket(session, customer_with_account(session, "Omar Other")[1])
        tickets.claim(session, other, staff_telegram_id=tom, now=NOW)
        assert tickets.release_departed(session, now=NOW) == []

        staff_admin.remove_staff(session, telegram_user_id=sam)
        later = NOW + timedelta(minutes=5)
        released = tickets.release_departed(session, now=later)
        assert released == [(held_by_sam, sam)]
        assert (held_by_sam.status, held_by_sam.assignee_telegram_id) == ("waiting", None)
        assert held_by_sam.last_alert_at == later
        assert (other.status, other.assignee_telegram_id) == ("human", tom)
        assert events(session, held_by_sam)[-1] == ("released", sam, None)
        assert tickets.release_departed(session, now=later) == []


class TestQueueAndAlerts:
    def test_queue_is_open_tickets_oldest_first(self, session: Session,
                                                team: dict[str, TelegramAccount]) -> None:
        for t in tickets.open_queue(session):  # earlier tests' rows are rolled back, but be sure
            tickets.resolve(session, t, now=NOW)
        people = [customer_with_account(session, f"C{i}")[1] for i in range(3)]
        newest = new_ticket(session, people[0], at=NOW)
        oldest = new_ticket(session, people[1], at=NOW - timedelta(hours=2))
        done = new_ticket(session, people[2], at=NOW - timedelta(hours=3))
        tickets.resolve(session, done, now=NOW)
        assert [t.id for t in tickets.open_queue(session)] == [oldest.id, newest.id]

    def test_an_alert_is_taken_once(self, session: Session, dana: TelegramAccount) -> None:
        ticket = new_ticket(session, dana, alerted=False)
        assert ticket in tickets.unalerted(session)
        assert tickets.take_alert(session, ticket, kind="alert", now=NOW, expected_last=None)
        assert not tickets.take_alert(session, ticket, kind="alert", now=NOW, expected_last=None)
        assert ticket not in tickets.unalerted(session)
        later = NOW + timedelta(minutes=30)
        assert not tickets.take_alert(session, ticket, kind="realert", now=later,
                                      expected_last=NOW - timedelta(minutes=1))
        assert tickets.take_alert(session, ticket, kind="realert", now=later, expected_last=NOW)
        assert ticket.last_alert_at == later

    def test_reminders_count_business_time(self, session: Session, dana: TelegramAccount) -> None:
        # Friday 13:00 Berlin: a ticket from 12:20 Berlin is 40 min old, the target is 30
        ticket = new_ticket(session, dana, at=NOW - timedelta(minutes=40))
        due = tickets.overdue(session, hours=OFFICE, target_minutes=30, now=NOW)
        assert ticket in due.realert and ticket not in due.owner
        assert tickets.take_alert(session, ticket, kind="realert", now=NOW,
                                  expected_last=ticket.last_alert_at)
        later = NOW + timedelta(minutes=25)  # 65 min old: twice the target → the owner, once
        due = tickets.overdue(session, hours=OFFICE, target_minutes=30, now=later)
        assert ticket in due.owner and ticket not in due.realert
        tickets.record_owner_alert(session, ticket, now=later)
        due = tickets.overdue(session, hours=OFFICE, target_minutes=30, now=later + timedelta(minutes=31))
        assert ticket not in due.owner and ticket in due.realert

    def test_a_friday_evening_ticket_is_not_late_on_saturday(self, session: Session,
                                                              dana: TelegramAccount) -> None:
        friday_evening = datetime(2026, 11, 20, 16, 50, tzinfo=NOW.tzinfo)
        ticket = new_ticket(session, dana, at=friday_evening)  # 17:50 in Berlin
        saturday = friday_evening + timedelta(hours=20)
        assert ticket not in tickets.overdue(session, hours=OFFICE, target_minutes=30, now=saturday).realert
        monday = datetime(2026, 11, 23, 8, 21, tzinfo=NOW.tzinfo)  # 09:21 Berlin: 10 + 20 min open
        assert ticket in tickets.overdue(session, hours=OFFICE, target_minutes=30, now=monday).realert

    def test_claimed_and_unalerted_tickets_get_no_reminder(
            self, session: Session, dana: TelegramAccount, team: dict[str, TelegramAccount]) -> None:
        claimed = new_ticket(session, dana, at=NOW - timedelta(hours=3))
        tickets.claim(session, claimed, staff_telegram_id=team["sam"].telegram_user_id, now=NOW)
        fresh = new_ticket(session, customer_with_account(session, "New")[1],
                           at=NOW - timedelta(hours=3), alerted=False)
        due = tickets.overdue(session, hours=OFFICE, target_minutes=30, now=NOW)
        assert {claimed, fresh}.isdisjoint(due.realert + due.owner)


class TestMessagesAndPeople:
    def test_the_bots_answer_is_logged_under_the_linked_customer(self, session: Session,
                                                                 dana: TelegramAccount) -> None:
        stranger = account(session, Role.customer, "Not Linked")
        ticket = new_ticket(session, dana)
        conversation_log.log_bot_answer(session, telegram_user_id=dana.telegram_user_id,
                                        texts=["Order 1042 is on its way.", "Anything else?"], now=NOW,
                                        ticket_id=ticket.id)
        conversation_log.log_bot_answer(session, telegram_user_id=stranger.telegram_user_id,
                                        texts=["Hello!"], now=NOW)
        session.flush()
        logged = session.execute(select(Message.telegram_user_id, Message.customer_id, Message.ticket_id,
                                        Message.direction, Message.text)
                                 .where(Message.direction == "out").order_by(Message.id)).all()
        assert [tuple(row) for row in logged] == [
            (dana.telegram_user_id, dana.customer_id, ticket.id, "out", "Order 1042 is on its way."),
            (dana.telegram_user_id, dana.customer_id, ticket.id, "out", "Anything else?"),
            (stranger.telegram_user_id, None, None, "out", "Hello!")]
        assert dana.customer_id is not None

    def test_messages_lead_back_to_their_ticket(self, session: Session, dana: TelegramAccount) -> None:
        ticket = new_ticket(session, dana)
        conversation_log.link_message(session, ticket_id=ticket.id, chat_id=-100777, message_id=5,
                                      kind="relay", origin_message_id=41, now=NOW)
        found = conversation_log.ticket_for_message(session, -100777, 5)
        assert found is not None and found[0] is ticket and found[1].origin_message_id == 41
        assert conversation_log.ticket_for_message(session, -100777, 6) is None
        assert conversation_log.ticket_for_message(session, -100778, 5) is None

    def test_a_message_id_handed_out_again_replaces_the_old_link(
            self, session: Session, dana: TelegramAccount) -> None:
        """A restarted Bot API (the console's) numbers messages from 1 again: no collision."""
        before = new_ticket(session, dana)
        conversation_log.link_message(session, ticket_id=before.id, chat_id=-100777, message_id=5,
                                      kind="relay", origin_message_id=41, now=NOW)
        tickets.resolve(session, before, now=NOW)
        after = new_ticket(session, dana)
        conversation_log.link_message(session, ticket_id=after.id, chat_id=-100777, message_id=5,
                                      kind="card", now=NOW + timedelta(minutes=1))
        found = conversation_log.ticket_for_message(session, -100777, 5)
        assert found is not None and found[0] is after
        assert (found[1].kind, found[1].origin_message_id) == ("card", None)
        assert conversation_log.card_messages(session, before.id) == []

    def test_cards_newest_first(self, session: Session, dana: TelegramAccount) -> None:
        ticket = new_ticket(session, dana)
        for message_id, kind in [(1, "card"), (2, "relay"), (3, "card")]:
            conversation_log.link_message(session, ticket_id=ticket.id, chat_id=-1, message_id=message_id,
                                          kind=kind, now=NOW)
        assert [m.message_id for m in conversation_log.card_messages(session, ticket.id)] == [3, 1]

    def test_find_staff_by_id_username_or_name(self, session: Session, team: dict[str, TelegramAccount],
                                               dana: TelegramAccount) -> None:
        tom = team["tom"]
        staff_directory.remember_username(session, telegram_user_id=tom.telegram_user_id,
                                          username="tommy_h", now=NOW)
        assert staff_directory.find_staff(session, str(tom.telegram_user_id)) is tom
        assert staff_directory.find_staff(session, "@Tommy_H") is tom
        assert staff_directory.find_staff(session, "tom") is tom
        assert staff_directory.find_staff(session, "Tom Helper") is tom
        assert staff_directory.find_staff(session, str(dana.telegram_user_id)) is None  # not staff
        assert staff_directory.find_staff(session, "@nobody") is None
        staff_directory.remember_username(session, telegram_user_id=tom.telegram_user_id, username="tom2",
                                          now=NOW)
        assert staff_directory.find_staff(session, "@tom2") is tom

    def test_a_username_belongs_to_its_latest_owner(self, session: Session,
                                                    team: dict[str, TelegramAccount]) -> None:
        sam, tom = team["sam"], team["tom"]
        staff_directory.remember_username(session, telegram_user_id=sam.telegram_user_id, username="helpdesk",
                                          now=NOW)
        assert staff_directory.find_staff(session, "@helpdesk") is sam
        later = NOW + timedelta(days=1)
        staff_directory.remember_username(session, telegram_user_id=tom.telegram_user_id, username="HelpDesk",
                                          now=later)
        assert staff_directory.find_staff(session, "@helpdesk") is tom

    def test_staff_recipients_are_reachable_staff_owners_first(self, session: Session) -> None:
        for other in session.scalars(select(TelegramAccount)
                                     .where(TelegramAccount.role.in_(["staff", "owner"]))):
            other.role = Role.customer.value
        sam = account(session, Role.staff, "Sam")
        owner = account(session, Role.owner, "Olivia")
        account(session, Role.staff, "Blocked", blocked=True)
        account(session, Role.staff, "Never started", started=False)
        account(session, Role.customer, "A customer")
        assert staff_directory.staff_recipients(session) == [owner, sam]

    def test_summary_has_orders_history_and_names(self, session: Session,
                                                  team: dict[str, TelegramAccount]) -> None:
        customer, who = customer_with_account(session, "Dana Demo")
        session.add_all([
            Order(number="7001", customer=customer, status="shipped", total=Decimal("5"),
                  created_at=NOW - timedelta(days=2)),
            Order(number="7002", customer=customer, status="placed", total=Decimal("5"), created_at=NOW)])
        for i in range(12):
            conversation_log.log_message(session, telegram_user_id=who.telegram_user_id,
                                         direction="in" if i % 2 else "out", text=f"m{i}",
                                         now=NOW + timedelta(seconds=i))
        ticket = new_ticket(session, who)
        tickets.claim(session, ticket, staff_telegram_id=team["sam"].telegram_user_id, now=NOW)
        summary = conversation_log.summary(session, ticket)
        assert summary.customer_name == "Dana Demo" and summary.linked
        assert summary.orders == (("7002", "placed"), ("7001", "shipped"))
        assert [line.text for line in summary.history] == [f"m{i}" for i in range(2, 12)]
        assert summary.assignee_name == "Sam Staff"

    def test_summary_of_an_unlinked_user(self, session: Session) -> None:
        who = account(session, Role.customer, "Nina New")
        ticket = new_ticket(session, who)
        summary = conversation_log.summary(session, ticket)
        assert (summary.customer_name, summary.linked, summary.orders) == ("Nina New", False, ())


def test_what_the_customer_is_told(session: Session, dana: TelegramAccount) -> None:
    ticket = new_ticket(session, dana, reason="complaint")
    text = handoff_text(ticket, new=True, hours=OFFICE, target_minutes=30, now=NOW)
    assert text.startswith("I'm sorry to hear that.")
    assert "usually within 30 minutes" in text
    saturday = NOW + timedelta(days=1)
    again = handoff_text(ticket, new=False, hours=OFFICE, target_minutes=30, now=saturday)
    assert f"ticket #{ticket.id}" in again and "when we open on Monday at 09:00" in again


class TestOpeningAHandoff:
    """shop.handoff.open_handoff: what both doors (an action, the bot failing) call."""

    SETTINGS = Settings(_env_file=None, tz="Europe/Berlin", business_hours="09:00-18:00",
                         # type: ignore[call-arg]
                        business_days="Mon-Fri", first_response_target_minutes=30)

    def test_a_customer_gets_a_ticket_with_their_order(self, session: Session) -> None:
        person, who = customer_with_account(session)
        order = Order(number="77001", customer_id=person.id, status="placed", total=Decimal("10"),
                      currency="EUR", created_at=NOW)
        session.add(order)
        session.flush()
        handoff = open_handoff(session, telegram_user_id=who.telegram_user_id, chat_id=who.telegram_user_id,
                               reason="complaint", details="cracked", settings=self.SETTINGS, now=NOW,
                               order_number="#77001")
        assert handoff.ticket is not None and handoff.new
        assert (handoff.ticket.order_id, handoff.ticket.customer_id) == (order.id, person.id)
        assert handoff.text.startswith("I'm sorry to hear that.")
        again = open_handoff(session, telegram_user_id=who.telegram_user_id, chat_id=who.telegram_user_id,
                             reason="bot_error", details="down", settings=self.SETTINGS, now=NOW)
        assert again.ticket is handoff.ticket and not again.new

    @pytest.mark.parametrize("reason", ["request_human", "complaint", "bot_error"])
    def test_staff_never_get_a_ticket(self, session: Session, team: dict[str, TelegramAccount],
                                      reason: str) -> None:
        for member in team.values():
            handoff = open_handoff(session, telegram_user_id=member.telegram_user_id,
                                   chat_id=member.telegram_user_id, reason=reason, details="x",
                                   settings=self.SETTINGS, now=NOW)
            assert handoff.ticket is None
            assert handoff.text == (STAFF_RASA_DOWN if reason == "bot_error" else STAFF_NO_TICKET)
        assert session.scalars(select(Ticket)).all() == []
