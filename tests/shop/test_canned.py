"""Canned replies (shop/canned.py): names, placeholders, filling from a ticket, /canned as text.

The store parts run on SQLite and PostgreSQL (the `session` fixture); the parsing and filling
are pure and also run over generated texts.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop import canned, tickets
from shop.canned import CannedError, Gap
from shop.models import CannedReply, Customer, Order, Role, TelegramAccount, Ticket
from tests import journey_builders as b
from tests.conftest import BERLIN, NOW  # Friday 20 Nov 2026, 12:00 UTC

_ids = itertools.count(7000)
ALL_FILLED = {"name": "Dana", "order": "1042", "status": "on its way", "tracking": "JJD0001",
              "eta": "22 Nov 2026", "staff": "Sam"}


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "name"), [("thanks", "thanks"), ("Late-Parcel", "late-parcel"),
                                           (" refund_2 ", "refund_2"), ("x" * 32, "x" * 32)])
def test_a_name_is_lower_case_letters_digits_dash_and_underscore(raw: str, name: str) -> None:
    assert canned.normalise_name(raw) == name


@pytest.mark.parametrize("raw", ["", "two words", "x" * 33, "straße", "thanks!", "{name}", "#1"])
def test_any_other_name_is_refused_with_the_rule(raw: str) -> None:
    with pytest.raises(CannedError, match="1 to 32 letters a-z, digits, _ or -"):
        canned.normalise_name(raw)


# --- placeholders -----------------------------------------------------------------------------


def test_the_placeholders_of_a_text_in_order_of_first_use() -> None:
    text = "Hi {name}, order {order} is {status} ({tracking}), due {eta}. {name}, {staff} here. {{x}}"
    assert canned.placeholders_in(text) == ["name", "order", "status", "tracking", "eta", "staff"]


@pytest.mark.parametrize(("text", "named"), [
    ("Hi {customer}", "{customer} is not a placeholder"),
    ("{name.__class__}", "{name.__class__} is not a placeholder"),
    ("{name.__class__.__mro__}", "{name.__class__.__mro__} is not a placeholder"),
    ("{order[0]}", "{order[0]} is not a placeholder"),
    ("{0}", "{0} is not a placeholder"),
    ("{}", "{} is not a placeholder"),
    ("{name!r}", "{name!r}: a placeholder is just its name in braces, like {name}"),
    ("{eta:>30}", "{eta:>30}: a placeholder is just its name in braces, like {eta}"),
    ("Hi {name", "a { or } without its partner"),
    ("Hi name}", "a { or } without its partner"),
])
def test_anything_but_our_placeholders_is_refused_naming_it(text: str, named: str) -> None:
    with pytest.raises(CannedError) as refused:
        canned.placeholders_in(text)
    assert named in str(refused.value)
    with pytest.raises(CannedError):
        canned.fill(text, ALL_FILLED)


def test_filling_puts_each_value_in_place_and_doubled_braces_become_one() -> None:
    text = "Hi {name}! Order {order} is {status}: {tracking}, due {eta}. {{Sam}} = {staff}"
    assert canned.fill(text, ALL_FILLED) == \
        "Hi Dana! Order 1042 is on its way: JJD0001, due 22 Nov 2026. {Sam} = Sam"


def test_a_value_is_inserted_as_text_never_formatted_again() -> None:
    values = {**ALL_FILLED, "name": "{staff.__class__} {0}"}
    assert canned.fill("Hi {name}", values) == "Hi {staff.__class__} {0}"


def test_each_placeholder_without_a_value_is_named_and_nothing_is_filled() -> None:
    values: dict[str, str | Gap] = {
        **ALL_FILLED, "tracking": Gap("order 1042 has no tracking number yet"),
        "eta": Gap("order 1042 has no expected delivery date yet")}
    with pytest.raises(CannedError) as refused:
        canned.fill("{tracking} {eta} and again {tracking}", values)
    assert str(refused.value) == ("{tracking}: order 1042 has no tracking number yet — not sent\n"
                                  "{eta}: order 1042 has no expected delivery date yet — not sent")


def test_a_text_without_the_missing_placeholder_is_filled() -> None:
    values: dict[str, str | Gap] = {**ALL_FILLED, "tracking": Gap("no tracking")}
    assert canned.fill("Thanks, {name}!", values) == "Thanks, Dana!"


def test_a_filled_text_longer_than_a_telegram_message_is_refused() -> None:
    with pytest.raises(CannedError, match="more than Telegram's 4096"):
        canned.fill("{name}" + "x" * 4093, ALL_FILLED)


@given(st.text(max_size=200))
def test_any_text_is_filled_or_refused_with_a_reason_and_never_evaluated(text: str) -> None:
    filled: str | None = None
    reason = ""
    try:
        filled = canned.fill(text, ALL_FILLED)
    except CannedError as exc:  # anything else (AttributeError, KeyError, IndexError) fails the test
        reason = str(exc)
    assert filled is not None or reason
    if filled is not None and "{" not in text and "}" not in text:
        assert filled == text


# --- the values of a ticket -----------------------------------------------------------------


def customer_with_ticket(session: Session, *, name: str = "Dana Demo", order: Order | None = None,
                         linked: bool = True, language: str | None = None) -> tuple[Customer, Ticket]:
    customer = b.customer(session, name=name, email=f"{next(_ids)}@example.com",
                          created_at=NOW - timedelta(days=100))
    account = b.account(session, telegram_user_id=next(_ids), customer=customer if linked else None,
                        display_name="dana_tg")
    account.reply_language = language  # the language the assistant answers this customer in
    ticket, _ = tickets.open_ticket(session, telegram_user_id=account.telegram_user_id,
                                    chat_id=account.telegram_user_id,
                                    customer_id=customer.id if linked else None,
                                    reason="request_human", order_id=order.id if order else None, now=NOW)
    return customer, ticket


def values_of(session: Session, ticket: Ticket, staff: str = "Sam Staff") -> dict[str, str | Gap]:
    return canned.ticket_values(session, ticket, staff_name=staff, zone=BERLIN, now=NOW)


def number() -> str:
    return str(next(_ids))


def test_a_shipped_order_fills_every_placeholder(session: Session) -> None:
    customer, ticket = customer_with_ticket(session)
    order = b.goods_order(session, owner=customer, number=number(), created_at=NOW - timedelta(days=2),
                          done=3, tracking="JJD0001")
    assert values_of(session, ticket) == {"name": "Dana", "order": order.number, "status": "on its way",
                                          "tracking": "JJD0001", "eta": "22 Nov 2026", "staff": "Sam"}


@pytest.mark.parametrize(("language", "status", "eta"), [
    ("de", "unterwegs", "22. Nov. 2026"),
    ("ru", "в пути", "22 нояб. 2026\u202fг."),
    ("zh", "运送中", "2026年11月22日"),
])
def test_status_and_eta_are_in_the_customers_language(session: Session, language: str, status: str,
                                                      eta: str) -> None:
    customer, ticket = customer_with_ticket(session, language=language)
    b.goods_order(session, owner=customer, number=number(), created_at=NOW - timedelta(days=2), done=3)
    values = values_of(session, ticket)
    assert (values["status"], values["eta"]) == (status, eta)
    assert canned.fill("{status}, {eta}", values) == f"{status}, {eta}"


def test_the_tickets_own_order_comes_before_the_latest(session: Session) -> None:
    customer = b.customer(session, name="Ann Example", email=f"{next(_ids)}@example.com",
                          created_at=NOW - timedelta(days=100))
    older = b.goods_order(session, owner=customer, number=number(), created_at=NOW - timedelta(days=9),
                          done=1)
    latest = b.goods_order(session, owner=customer, number=number(), created_at=NOW - timedelta(days=1),
                           done=1)
    account = b.account(session, telegram_user_id=next(_ids), customer=customer)

    def ticket_about(order: Order | None) -> Ticket:
        made = Ticket(telegram_user_id=account.telegram_user_id, chat_id=account.telegram_user_id,
                      customer_id=customer.id, order_id=order.id if order else None,
                      reason="complaint", status="waiting", created_at=NOW)
        session.add(made)
        session.flush()
        return made

    assert values_of(session, ticket_about(older))["order"] == older.number
    assert values_of(session, ticket_about(None))["order"] == latest.number


def why(value: str | Gap) -> str:
    """Why a placeholder has no value, in English (the reason is translated for its reader)."""
    assert isinstance(value, Gap), value
    return str(value.reason)


def test_an_order_not_shipped_yet_has_no_tracking(session: Session) -> None:
    customer, ticket = customer_with_ticket(session)
    order = b.goods_order(session, owner=customer, number=number(), created_at=NOW - timedelta(days=1),
                          done=1, tracking=None)
    values = values_of(session, ticket)
    assert values["status"] == "placed"
    assert why(values["tracking"]) == f"order {order.number} has no tracking number yet"
    with pytest.raises(CannedError) as refused:
        canned.fill("Your parcel: {tracking}", values)
    assert str(refused.value) == f"{{tracking}}: order {order.number} has no tracking number yet — not sent"


def test_a_delivered_or_cancelled_or_late_order_has_no_eta(session: Session) -> None:
    customer, ticket = customer_with_ticket(session)
    delivered = b.goods_order(session, owner=customer, number=number(), created_at=NOW - timedelta(days=8),
                              done=5)
    assert why(values_of(session, ticket)["eta"]) == \
        f"order {delivered.number} was already delivered on 16 Nov 2026"
    delivered.status, delivered.delivered_at = "cancelled", None
    assert why(values_of(session, ticket)["eta"]) == f"order {delivered.number} was cancelled"
    late = b.goods_order(session, owner=customer, number=number(), created_at=NOW - timedelta(days=7),
                         done=3)
    assert values_of(session, ticket)["order"] == late.number
    assert why(values_of(session, ticket)["eta"]) == \
        f"order {late.number} was expected on 17 Nov 2026, which has passed"


def test_a_project_has_no_tracking_number(session: Session) -> None:
    customer, ticket = customer_with_ticket(session)
    project = b.project_order(session, owner=customer, number=number(), created_at=NOW - timedelta(days=20))
    values = values_of(session, ticket)
    assert values["status"] == "in progress"
    assert why(values["tracking"]) == \
        f"order {project.number} is a service project, it has no tracking number"


def test_a_customer_without_orders_or_account_fills_only_names(session: Session) -> None:
    _, ticket = customer_with_ticket(session, name="Nora Noorders")
    assert why(values_of(session, ticket)["order"]) == "Nora Noorders has no orders"
    _, unlinked = customer_with_ticket(session, linked=False)
    values = values_of(session, unlinked, staff="Olivia")
    reason = f"the customer of ticket #{unlinked.id} isn't linked to a customer account, so there is no order"
    assert {k: why(values[k]) for k in ("order", "status", "tracking", "eta")} == dict.fromkeys(
        ("order", "status", "tracking", "eta"), reason)
    assert (values["name"], values["staff"]) == ("dana_tg", "Olivia")  # Telegram's name, first word


# --- the store -------------------------------------------------------------------------------


def test_a_name_is_unique_whatever_its_case(session: Session) -> None:
    first, new = canned.save_reply(session, name="Thanks", text="Thanks, {name}!", by=2, now=NOW)
    assert (first.name, new) == ("thanks", True)
    again, new = canned.save_reply(session, name="THANKS", text="Thank you, {name}.", by=3,
                                   now=NOW + timedelta(hours=1))
    assert (again.id, new, again.text, again.created_by) == (first.id, False, "Thank you, {name}.", 2)
    assert again.updated_at == NOW + timedelta(hours=1)
    assert canned.find_reply(session, "tHaNkS") is first
    assert session.scalar(select(func.count()).select_from(CannedReply)) == 1


def refused_by_the_store(session: Session, reply: CannedReply) -> None:
    nested = session.begin_nested()
    session.add(reply)
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()


def test_the_store_itself_refuses_an_upper_case_or_repeated_name(session: Session) -> None:
    refused_by_the_store(session, CannedReply(name="Thanks", text="x", created_by=2, created_at=NOW,
                                              updated_at=NOW))
    canned.save_reply(session, name="thanks", text="x", by=2, now=NOW)
    refused_by_the_store(session, CannedReply(name="thanks", text="y", created_by=2, created_at=NOW,
                                              updated_at=NOW))


@pytest.mark.parametrize("text", ["Hi {customer}", "{name.__class__}", "", "   ", "{", "x" * 4097])
def test_a_reply_that_could_never_be_filled_is_not_saved(session: Session, text: str) -> None:
    with pytest.raises(CannedError):
        canned.save_reply(session, name="bad", text=text, by=2, now=NOW)
    assert canned.find_reply(session, "bad") is None


def test_delete_and_an_unknown_name(session: Session) -> None:
    canned.save_reply(session, name="thanks", text="Thanks!", by=2, now=NOW)
    canned.save_reply(session, name="late", text="Sorry it's late.", by=2, now=NOW)
    assert [r.name for r in canned.list_replies(session)] == ["late", "thanks"]
    assert canned.delete_reply(session, "Thanks").name == "thanks"
    with pytest.raises(CannedError, match="There is no canned reply “thanks”. The team's: late."):
        canned.delete_reply(session, "thanks")


# --- /canned ---------------------------------------------------------------------------------


def staff_id(session: Session, role: Role = Role.staff) -> int:
    account: TelegramAccount = b.account(session, telegram_user_id=next(_ids), role=role,
                                         display_name="Sam Staff")
    return account.telegram_user_id


def command(session: Session, who: int, args: str) -> str:
    return canned.canned_command(session, telegram_user_id=who, args=args, now=NOW)


def test_only_the_team_may_use_canned_replies(session: Session) -> None:
    customer = b.account(session, telegram_user_id=next(_ids)).telegram_user_id
    for args in ("", "add thanks Thanks!", "delete thanks", "show thanks"):
        assert command(session, customer, args) == canned.NOT_STAFF
    assert canned.list_replies(session) == []


def test_the_team_adds_lists_shows_and_deletes(session: Session) -> None:
    sam, olivia = staff_id(session), staff_id(session, Role.owner)
    assert command(session, sam, "").startswith("No canned replies yet.")
    saved = command(session, sam, "add Shipped Hi {name},\nyour order {order} is {status}: {tracking}.")
    assert saved.startswith("Saved /c shipped. It fills {name} {order} {status} {tracking} from the ticket.")
    assert canned.require_reply(session, "shipped").text == \
        "Hi {name},\nyour order {order} is {status}: {tracking}."  # line breaks kept
    assert command(session, olivia, "add shipped Your order {order} has shipped.").startswith(
        "Replaced the text of /c shipped.")
    listing = command(session, sam, "")
    assert "Canned replies (1):\n• /c shipped: Your order {order} has shipped." in listing
    assert command(session, sam, "show SHIPPED") == "/c shipped:\nYour order {order} has shipped."
    assert command(session, sam, "add oops Hi {customer}").startswith("{customer} is not a placeholder")
    assert command(session, sam, "add bad name text").startswith("Saved /c bad.")
    assert command(session, sam, "add b@d text").startswith("“b@d” can't be a canned reply's name")
    assert command(session, sam, "delete shipped") == "Deleted /c shipped."
    assert command(session, sam, "delete shipped").startswith("There is no canned reply “shipped”.")
    assert command(session, sam, "frobnicate") == str(canned.USAGE)


def test_a_long_list_stays_one_telegram_message(session: Session) -> None:
    sam = staff_id(session)
    for n in range(120):
        canned.save_reply(session, name=f"reply-{n:03}", text="word " * 40, by=sam, now=NOW)
    listing = command(session, sam, "")
    assert len(listing) <= 4096
    assert "more (/canned show NAME)." in listing
