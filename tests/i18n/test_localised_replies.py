"""Customers read dates, amounts and texts in their language: the order answer in German and
Chinese, an action answering in the language the bot sent as metadata (or the stored one), and
domain.yml's responses through the NLG endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from actions.nlg import render, tracker_language
from actions.orders import ActionOrderStatus
from shop import accounts
from shop.db import transaction
from shop.i18n import ENGLISH, sentences, translator
from shop.models import Ticket
from shop.order_requests import handoff_reply
from shop.orders import order_status_reply
from shop.ratings import REASON_THANKS
from tests import journey_builders as b
from tests.conftest import BERLIN
from tests.trackers import make_tracker, run

USER = 717171
PLACED = datetime(2026, 12, 3, 10, tzinfo=UTC)


@pytest.fixture
def lena(session):
    person = b.customer(session, name="Lena Beispiel", created_at=PLACED - timedelta(days=300))
    b.account(session, telegram_user_id=USER, customer=person)
    b.goods_order(session, owner=person, number="3101", created_at=PLACED, done=3, total="74.90",
                  carrier="DHL", tracking="JJD42")
    return person


def status(session, language):
    return order_status_reply(session, telegram_user_id=USER, raw_number="3101", zone=BERLIN,
                              tr=translator(language)).text


def test_a_german_customer_reads_euros_and_dates_the_german_way(session, lena):
    assert status(session, "de").splitlines() == [
        "Bestellung 3101 (vom 3. Dez. 2026) ist unterwegs.",
        "Erledigt: bestellt 3. Dez., verpackt 4. Dez., verschickt 5. Dez. mit DHL (Sendungsnummer JJD42).",
        "Als Nächstes: in Zustellung, geplant für 6. Dez. 2026.",
        "Artikel: 2× Test mug. Summe: 74,90\u00a0€.",
    ]


def test_a_chinese_customer_reads_chinese_dates(session, lena):
    text = status(session, "zh")
    assert text.startswith("订单3101（2026年12月3日下单）运送中。")
    assert "12月3日已下单，12月4日已打包，12月5日已发货，DHL（运单号JJD42）" in text
    assert "€74.90" in text


def test_a_russian_customer_reads_russian_dates(session, lena):
    text = status(session, "ru")
    assert text.startswith("Заказ 3101 (оформлен 3 дек. 2026\u202fг.) в пути.")
    assert "74,90\u00a0€" in text


def test_english_is_unchanged(session, lena):
    assert status(session, "en").splitlines()[-1] == "Items: 2× Test mug. Total: 74.90 EUR."
    assert ENGLISH.money(1234.5, "EUR") == "1,234.50 EUR"


async def test_an_action_answers_in_the_language_the_bot_sent(action_store):
    _, factory = action_store
    with transaction(factory) as session:
        person = b.customer(session, name="Lena Beispiel", created_at=PLACED)
        b.account(session, telegram_user_id=USER, customer=person)
        b.goods_order(session, owner=person, number="3101", created_at=PLACED, done=3, total="74.90")
    latest = {"text": "Wo ist meine Bestellung 3101?", "intent": {"name": "order_status", "confidence": 1.0},
              "entities": [{"entity": "order_id", "value": "3101"}], "metadata": {"language": "de"}}
    [message], _ = await run(ActionOrderStatus(), make_tracker(sender=USER, latest=latest))
    assert message["text"].startswith("Bestellung 3101 (vom 3. Dez. 2026)") and "74,90" in message["text"]

    # without metadata (e.g. a message replayed by Rasa), the language last used with the user
    with transaction(factory) as session:
        accounts.choose_language(session, telegram_user_id=USER, language="zh")
    del latest["metadata"]
    [message], _ = await run(ActionOrderStatus(), make_tracker(sender=USER, latest=latest))
    assert message["text"].startswith("订单3101")


def test_domain_responses_are_translated_and_their_payloads_kept():
    asked = render("utter_ask_feedback_reason", translator("de"))
    assert asked["text"].startswith("Was ist schiefgelaufen? Tippen Sie auf einen Grund")
    assert asked["buttons"][0] == {"title": "Kam zu spät", "payload": "Arrived late"}  # the code stored
    assert render("utter_goodbye", translator("zh"))["text"] == "再见，感谢您在本店购物！"
    assert render("utter_goodbye", ENGLISH)["text"] == "Goodbye, and thanks for shopping with us!"
    assert render("utter_no_such_thing", ENGLISH) == {}


def test_the_nlg_reads_the_language_from_the_latest_message():
    tracker = {"sender_id": "42", "latest_message": {"metadata": {"language": "ru"}}}
    assert tracker_language(tracker) == ("ru", 42)
    assert tracker_language({"sender_id": "console"}) == (None, None)


def test_sentences_follow_each_other_as_the_language_writes_them():
    english = sentences("Order 3101 was delivered.", "Carrier: DHL.")
    assert english == "Order 3101 was delivered. Carrier: DHL."
    assert sentences("订单3101已送达。", "承运商：DHL。") == "订单3101已送达。承运商：DHL。"


def test_a_chinese_handoff_answer_has_no_space_between_its_sentences():
    ticket = Ticket(id=52)
    chinese = handoff_reply(ticket, new=True, text=translator("zh")._(REASON_THANKS, ticket=52),
                            tr=translator("zh")).custom
    assert chinese is not None and "。 " not in chinese["text"] and "工单 #52" in chinese["text"]
    english = handoff_reply(ticket, new=True, text=ENGLISH._(REASON_THANKS, ticket=52)).custom
    assert english is not None and "here. Until they answer" in english["text"]
