"""The reply language (shop/language.py): Telegram's setting first, the written language when it
clearly differs, /language above both; "ok", "1042" and an emoji never switch it."""

from __future__ import annotations

import pytest

from shop import accounts
from shop.language import LanguageSource, reply_language, written_language
from tests import journey_builders as b


@pytest.mark.parametrize(("text", "language"), [
    ("Wo ist meine Bestellung 1042?", "de"),
    ("Wann kommt mein Paket an?", "de"),
    ("where is my order 1042?", "en"),
    ("when will my parcel arrive?", "en"),
    ("Где мой заказ 1042?", "ru"),
    ("我的订单1042在哪里？", "zh"),
    ("本月的客户满意度?", "zh"),
])
def test_a_sentence_tells_its_language(text, language):
    assert written_language(text) == language


@pytest.mark.parametrize("text", ["ok", "OK!", "1042", "#1042", "👍", "danke", "спасибо", "好的", "ja bitte",
                                  "/start", '/order_status{"order_id":"1042"}', "", "   "])
def test_a_word_a_number_an_emoji_or_a_command_tells_nothing(text):
    assert written_language(text) is None


def test_telegram_setting_first_then_the_written_language_then_the_choice():
    first = reply_language(current=None, source=None, telegram_code="de-DE", text="1042")
    assert (first.language, first.source) == ("de", LanguageSource.telegram)
    same = reply_language(current="de", source="telegram", telegram_code="de", text="ok")
    assert same.language == "de"
    switched = reply_language(current="de", source="telegram", telegram_code="de",
                              text="where is my order 1042?")
    assert (switched.language, switched.source) == ("en", LanguageSource.written)
    # Telegram still says German with every message: what they wrote wins until they write otherwise
    kept = reply_language(current="en", source="written", telegram_code="de", text="ok")
    assert kept.language == "en"
    chosen = reply_language(current="zh", source="chosen", telegram_code="de", text="Где мой заказ 1042?")
    assert (chosen.language, chosen.source) == ("zh", LanguageSource.chosen)


def test_an_unsupported_telegram_language_answers_in_english():
    assert reply_language(current=None, source=None, telegram_code="fr", text=None).language == "en"
    assert reply_language(current=None, source=None, telegram_code="zh-hant", text=None).language == "zh"
    assert reply_language(current=None, source=None, telegram_code=None, text=None).language == "en"


def test_the_language_is_remembered_on_the_account(session):
    b.account(session, telegram_user_id=777001)
    ask = dict(session=session, telegram_user_id=777001, telegram_code="ru")
    assert accounts.answer_language(**ask, text="hi") == "ru"
    assert accounts.answer_language(**ask, text="Wo ist meine Bestellung 1042?") == "de"
    assert accounts.answer_language(**ask, text="1042") == "de"
    assert accounts.stored_language(session, 777001) == "de"
    accounts.choose_language(session, telegram_user_id=777001, language="zh")
    assert accounts.answer_language(**ask, text="where is my order 1042?") == "zh"
    assert accounts.get_account(session, 777001).language_source == "chosen"
