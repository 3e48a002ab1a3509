"""Linking a Telegram user to a customer: own contact only, no enumeration, throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop import linking
from shop.accounts import linked_customer
from shop.linking import LinkStatus
from shop.models import LinkAttempt, Role
from shop.replies import parse_payload
from tests import journey_builders as b

USER = 424242
OTHER_USER = 434343


@pytest.fixture
def dana(session, now):
    person = b.customer(session, name="Dana Demo", email="Dana@Example.com", phone="+4915112345678",
                        created_at=now - timedelta(days=100))
    b.goods_order(session, owner=person, number="1042", created_at=now - timedelta(days=3), done=3)
    return person


@pytest.fixture
def omar(session, now):
    person = b.customer(session, name="Omar Other", email="omar@example.com", phone="+4915187654321",
                        created_at=now - timedelta(days=50))
    b.goods_order(session, owner=person, number="1044", created_at=now - timedelta(days=1))
    return person


def failures(session, user: int = USER) -> int:
    return session.scalar(select(func.count()).select_from(LinkAttempt)
                          .where(LinkAttempt.telegram_user_id == user)) or 0


@pytest.mark.parametrize("shared", ["4915112345678", "+4915112345678", "+49 151 12345678"])
def test_own_contact_links_by_normalised_phone(session, now, dana, shared):
    result = linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=USER,
                                   phone=shared, now=now)
    assert result.status is LinkStatus.linked
    assert "Dana" in result.text
    assert linked_customer(session, USER).id == dana.id
    assert failures(session) == 0


def test_forged_contact_is_refused_and_counts_as_a_failure(session, now, dana):
    result = linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=OTHER_USER,
                                   phone="+4915112345678", now=now)
    assert result.status is LinkStatus.forged
    assert result.text == linking.FORGED
    assert linked_customer(session, USER) is None
    assert failures(session) == 1


def test_contact_card_without_user_id_is_refused(session, now, dana):
    result = linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=None,
                                   phone="+4915112345678", now=now)
    assert result.status is LinkStatus.forged
    assert linked_customer(session, USER) is None


def test_unknown_phone_is_not_linked(session, now, dana):
    result = linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=USER,
                                   phone="+4915199999999", now=now)
    assert result.status is LinkStatus.no_match
    assert linked_customer(session, USER) is None
    assert failures(session) == 1


def test_a_phone_shared_by_two_customers_links_neither(session, now, dana):
    b.customer(session, name="Dana's partner", phone=dana.phone, created_at=now)
    result = linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=USER,
                                   phone=dana.phone, now=now)
    assert result.status is LinkStatus.no_match
    assert linked_customer(session, USER) is None


def test_erased_customer_cannot_be_linked(session, now, dana):
    dana.erased_at = now
    result = linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=USER,
                                   phone=dana.phone, now=now)
    assert result.status is LinkStatus.no_match


def test_email_and_own_order_number_link(session, now, dana):
    result = linking.link_by_email(session, telegram_user_id=USER, email="dana@example.COM",
                                   order_number="#1042", now=now)
    assert result.status is LinkStatus.linked
    assert linked_customer(session, USER).id == dana.id


def test_wrong_pair_gets_the_same_answer_as_unknown_details(session, now, dana, omar):
    wrong_pair = linking.link_by_email(session, telegram_user_id=USER, email="dana@example.com",
                                       order_number="1044", now=now)  # Omar's order
    unknown_email = linking.link_by_email(session, telegram_user_id=USER, email="nobody@example.com",
                                          order_number="1042", now=now)
    unknown_order = linking.link_by_email(session, telegram_user_id=USER, email="dana@example.com",
                                          order_number="9999", now=now)
    assert wrong_pair == unknown_email == unknown_order
    assert wrong_pair.status is LinkStatus.no_match
    assert linked_customer(session, USER) is None
    assert failures(session) == 3


def test_five_failures_in_an_hour_pause_linking(session, now, dana):
    for minute in range(linking.MAX_FAILURES):
        result = linking.link_by_email(session, telegram_user_id=USER, email="dana@example.com",
                                       order_number=f"99{minute:02d}", now=now + timedelta(minutes=minute))
        assert result.status is LinkStatus.no_match
    later = now + timedelta(minutes=10)
    paused = linking.link_by_email(session, telegram_user_id=USER, email="dana@example.com",
                                   order_number="1042", now=later)  # even the right pair
    assert paused.status is LinkStatus.throttled
    assert "paused for about 50 minutes" in paused.text
    phone = linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=USER,
                                  phone=dana.phone, now=later)
    assert phone.status is LinkStatus.throttled
    assert linked_customer(session, USER) is None
    assert failures(session) == linking.MAX_FAILURES  # a paused attempt is not another failure
    # Another user is not affected, and the first user may try again after the hour.
    assert linking.link_by_email(session, telegram_user_id=OTHER_USER, email="dana@example.com",
                                 order_number="1042", now=later).linked
    after = now + linking.FAILURE_WINDOW + timedelta(seconds=1)
    assert linking.link_by_email(session, telegram_user_id=USER, email="dana@example.com",
                                 order_number="1042", now=after).linked


def test_four_failures_do_not_pause(session, now, dana):
    for minute in range(linking.MAX_FAILURES - 1):
        linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=OTHER_USER,
                              phone=dana.phone, now=now + timedelta(minutes=minute))
    assert linking.paused_until(session, telegram_user_id=USER, now=now + timedelta(minutes=5)) is None
    assert linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=USER,
                                 phone=dana.phone, now=now + timedelta(minutes=5)).linked


def test_unlink(session, now, dana):
    linking.link_by_phone(session, telegram_user_id=USER, contact_user_id=USER, phone=dana.phone, now=now)
    assert linking.unlink_reply(session, telegram_user_id=USER) == linking.UNLINKED
    assert linked_customer(session, USER) is None
    assert linking.unlink_reply(session, telegram_user_id=USER) == linking.NOT_LINKED_YET


@pytest.mark.parametrize(("text", "expected"), [
    ("link dana@example.com 1042", ("dana@example.com", "1042")),
    ("/link Dana@Example.com #1042", ("dana@example.com", "1042")),
    ("/link@shop_bot dana@example.com order 1042", ("dana@example.com", "1042")),
    ("LINK  dana@example.com   no. 1042 ", ("dana@example.com", "1042")),
    ("link dana@example.com", None),
    ("link 1042 dana@example.com", None),
    ("linked dana@example.com 1042", None),
    ("/link", None),
])
def test_parse_link_command(text, expected):
    assert linking.parse_link_command(text) == expected


def test_greeting_by_identity(session, now, dana):
    b.account(session, telegram_user_id=1, role=Role.owner, display_name="Olivia Owner")
    b.account(session, telegram_user_id=2, role=Role.staff, display_name="Sam Staff")
    b.account(session, telegram_user_id=USER, customer=dana, display_name="D")
    assert "owner" in linking.greeting(session, telegram_user_id=1).text
    assert "Olivia" in linking.greeting(session, telegram_user_id=1).text
    assert "support team" in linking.greeting(session, telegram_user_id=2).text
    customer = linking.greeting(session, telegram_user_id=USER)
    assert customer.text.startswith("Hi Dana!") and customer.custom is None
    stranger = linking.greeting(session, telegram_user_id=OTHER_USER)
    payload = parse_payload(stranger.custom)
    assert stranger.text is None  # the text travels in the payload, shown once
    assert payload is not None and payload["type"] == "contact_request"
    assert payload["button"] == linking.SHARE_BUTTON
    assert "/link" in payload["text"]
