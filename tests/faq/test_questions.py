"""Questions told from requests (shop/faq/questions.py), in the four languages."""

from __future__ import annotations

import pytest

from shop.faq.questions import reads_as_question


@pytest.mark.parametrize("text", [
    "can I return it", "when do I get my money back", "ok so how do I get my money back",
    "hi, which courier do you use", "Hello! is there a time limit for returns", "refund?",
    "wie kann ich das zurückschicken", "Hallo, wann bekomme ich mein Geld zurück", "gibt es Expressversand",
    "как вернуть товар", "Добрый день, сколько ждать возврата", "можно вернуть товар",
    "可以退货吗", "退款多久到账", "怎么联系你们", "退货？",
])
def test_a_question_reads_as_one(text: str) -> None:
    assert reads_as_question(text)


@pytest.mark.parametrize("text", [
    "I want my money back", "I can return it tomorrow", "refund order 1042", "send back and refund",
    "anyway I want a refund", "please cancel it", "Ich will mein Geld zurück", "bitte stornieren",
    "хочу вернуть товар", "верните деньги", "我要退款", "取消订单", "",
])
def test_a_request_does_not(text: str) -> None:
    assert not reads_as_question(text)
