"""The one rule of what names a number as an order (shop/order_words.py), used by Rasa's
OrderIdFilter and by the action server's fallback."""

from __future__ import annotations

import pytest

from shop.order_words import named_as_order


@pytest.mark.parametrize(("text", "number", "named"), [
    ("I bought it under order 20554 and it is cheaper now", "20554", True),
    ("https://shop.example.com/orders/58213/track", "58213", True),
    ("shop.example.com/returns/new?order_id=66017", "66017", True),
    ("order no. 1042 please", "1042", True),
    ("Bestellung Nr. 1042 ist weg", "1042", True),
    ("где заказ №1042", "1042", True),
    ("订单号：10425", "10425", True),
    ("is 7919 a prime number", "7919", False),
    ("DROP TABLE orders; -- 1042", "1042", False),
    ("my order from the other shop was late, anyway what is 7919 squared", "7919", False),
    ("<script>alert(10425)</script>", "10425", False),
])
def test_an_order_word_right_before_the_number_names_it(text: str, number: str, named: bool) -> None:
    assert named_as_order(text, text.index(number)) is named


def test_no_start_is_no_name() -> None:
    assert not named_as_order("order 1042", None) and not named_as_order("order 1042", True)
