"""Order status without a number (latest open order or a choice), the timeline, "show my orders"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nlu.order_id_regex import GROUP_SEPARATORS
from shop.orders import (
    NO_ORDERS,
    NOT_FOUND,
    NOT_LINKED,
    list_orders_reply,
    normalise_order_number,
    order_status_reply,
)
from shop.replies import MAX_CALLBACK_BYTES
from tests import journey_builders as b
from tests.conftest import BERLIN

USER = 616161


@pytest.fixture
def ann(session, now):
    person = b.customer(session, name="Ann Example", created_at=now - timedelta(days=300))
    b.account(session, telegram_user_id=USER, customer=person)
    return person


def status(session, number=None):
    return order_status_reply(session, telegram_user_id=USER, raw_number=number, zone=BERLIN)


def test_timeline_lists_done_stages_with_dates_and_the_next_one(session, now, ann):
    b.goods_order(session, owner=ann, number="3001", created_at=now - timedelta(days=2), done=3,
                  carrier="DHL", tracking="JJD42")
    text = status(session, "3001").text
    assert text.splitlines() == [
        "Order 3001 (placed 18 Nov 2026) is on its way.",
        "Done: placed 18 Nov, packed 19 Nov, shipped 20 Nov with DHL (tracking JJD42).",
        "Next: out for delivery, planned for 21 Nov 2026.",
        "Items: 2× Test mug. Total: 25.00 EUR.",
    ]


def test_without_a_number_the_only_open_order_is_described(session, now, ann):
    b.goods_order(session, owner=ann, number="3002", created_at=now - timedelta(days=40), done=5)
    b.goods_order(session, owner=ann, number="3003", created_at=now - timedelta(days=1), done=1)
    assert status(session).text.startswith("Order 3003 ")


def test_without_a_number_several_open_orders_offer_buttons(session, now, ann):
    for i, number in enumerate(("3004", "3005", "3006")):
        b.goods_order(session, owner=ann, number=number, created_at=now - timedelta(days=i + 1), done=1)
    reply = status(session)
    assert reply.text == "You have 3 open orders. Which one do you mean?"
    assert [btn.payload for btn in reply.buttons] == [
        '/order_status{"order_id":"3004"}', '/order_status{"order_id":"3005"}',
        '/order_status{"order_id":"3006"}']
    assert reply.buttons[0].title == "3004 · placed · 19 Nov"


def test_without_a_number_and_no_open_order_the_latest_is_described(session, now, ann):
    b.goods_order(session, owner=ann, number="3007", created_at=now - timedelta(days=40), done=5)
    b.goods_order(session, owner=ann, number="3008", created_at=now - timedelta(days=20), done=5)
    assert status(session).text.startswith("Order 3008 (placed 31 Oct 2026) has been delivered.")


def test_no_orders_not_linked_not_found(session, now, ann):
    assert status(session).text == NO_ORDERS
    assert order_status_reply(session, telegram_user_id=1, raw_number="3009", zone=BERLIN).text == NOT_LINKED
    other = b.customer(session, name="Omar", created_at=now)
    b.goods_order(session, owner=other, number="3010", created_at=now)
    assert status(session, "3010").text == NOT_FOUND.format(number="3010")
    assert status(session, "#3010").text == NOT_FOUND.format(number="3010")


@pytest.mark.parametrize(("raw", "number"), [
    ("#1042", "1042"), ("order no. 1042", "1042"), (" 1042 ", "1042"), ("1042 1043", "1042"),
    ("10 425", "10425"), ("#104 233", "104233"), ("10425", "10425"), ("no number", None), ("", None),
])
def test_the_order_number_is_read_out_of_what_the_customer_wrote(raw, number):
    assert normalise_order_number(raw) == number


def test_an_order_number_in_groups_is_read_as_the_order_id_regex_finds_it():
    """Each separator the regex joins groups with (nlu/order_id_regex.py) joins them here too."""
    found = {sep: normalise_order_number(f"order 10{sep}425") for sep in GROUP_SEPARATORS}
    assert found == dict.fromkeys(GROUP_SEPARATORS, "10425")


def test_an_order_number_in_groups_finds_the_order(session, now, ann):
    b.goods_order(session, owner=ann, number="10425", created_at=now - timedelta(days=2))
    assert status(session, "10 425").text.startswith("Order 10425 ")


def test_list_orders(session, now, ann):
    for i in range(7):
        b.goods_order(session, owner=ann, number=f"31{i:02d}", created_at=now - timedelta(days=10 - i),
                      done=5 if i < 4 else 2, total=f"{10 + i}.00")
    reply = list_orders_reply(session, telegram_user_id=USER, zone=BERLIN)
    lines = reply.text.splitlines()
    assert lines[0] == "Your recent orders:"
    assert lines[1] == "• 3106 · 16 Nov 2026 · packed · 16.00 EUR"
    assert lines[5] == "• 3102 · 12 Nov 2026 · delivered · 12.00 EUR"
    assert lines[6].startswith("…and 2 older orders.")
    assert [btn.title for btn in reply.buttons] == [f"Order 310{i}" for i in (6, 5, 4, 3, 2)]
    assert reply.buttons[0].payload == '/order_status{"order_id":"3106"}'


def test_list_orders_rules(session, now, ann):
    assert list_orders_reply(session, telegram_user_id=USER, zone=BERLIN).text == NO_ORDERS
    assert list_orders_reply(session, telegram_user_id=1, zone=BERLIN).text == NOT_LINKED
    b.goods_order(session, owner=ann, number="3200", created_at=now)
    assert list_orders_reply(session, telegram_user_id=USER, zone=BERLIN).text.startswith("Your orders:")


def test_buttons_fit_telegram_for_the_longest_order_numbers(session, now, ann):
    for number in ("123456789012", "123456789013"):
        b.goods_order(session, owner=ann, number=number, created_at=now)
    for reply in (status(session), list_orders_reply(session, telegram_user_id=USER, zone=BERLIN)):
        assert all(len(("r:" + btn.payload).encode()) <= MAX_CALLBACK_BYTES for btn in reply.buttons)
