"""The multilingual tokenizer (rasa_runtime/components/multilingual_tokenizer.py), run in
Rasa's own environment on Rasa's Message objects: tokens and their offsets in English,
German, Russian, Chinese and mixed text, and every entity annotation of data/ on token
boundaries (Rasa's "Misaligned entity annotation" warning), without training a model."""

from __future__ import annotations

import json

import pytest

from tests.rasa_runtime.rasa_python import in_rasa

TOKENIZE = r"""
import json, sys
from rasa.shared.nlu.training_data.message import Message
from rasa_runtime.components.multilingual_tokenizer import MultilingualTokenizer

tokenizer = MultilingualTokenizer.create(MultilingualTokenizer.get_default_config(), None, None, None)
messages = [Message(data={"text": text}) for text in json.loads(sys.argv[1])]
tokenizer.process(messages)
print(json.dumps([[[t.text, t.start, t.end] for t in m.get("text_tokens")] for m in messages]))
"""

ALIGNMENT = r"""
import json
from pathlib import Path
from rasa.shared.importers.importer import TrainingDataImporter
from rasa_runtime.components.multilingual_tokenizer import MultilingualTokenizer

importer = TrainingDataImporter.load_from_dict(
    domain_path="domain.yml", training_data_paths=["data"])
data = importer.get_nlu_data()
tokenizer = MultilingualTokenizer.create(MultilingualTokenizer.get_default_config(), None, None, None)
tokenizer.process_training_data(data)
misaligned, wrong_offsets, chinese = [], [], 0
for example in data.training_examples:
    text = example.get("text")
    if not text:
        continue
    tokens = example.get("text_tokens")
    chinese += any("\u4e00" <= c <= "\u9fff" for c in text)
    wrong_offsets += [text for t in tokens if text[t.start:t.end] != t.text]
    starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
    for entity in example.get("entities") or []:
        if entity["start"] not in starts or entity["end"] not in ends:
            misaligned.append([text, entity["entity"], [t.text for t in tokens]])
print(json.dumps({"examples": len(data.training_examples), "chinese": chinese,
                  "misaligned": misaligned, "wrong_offsets": wrong_offsets}))
"""


CASES = [
        # English and German: as Rasa's WhitespaceTokenizer, punctuation and emoji dropped
        ("where is my order 1042? 😡", ["where", "is", "my", "order", "1042"]),
        ("Wo ist meine Bestellung 1042?", ["Wo", "ist", "meine", "Bestellung", "1042"]),
        ("Lieferung für Straße 5, bitte!", ["Lieferung", "für", "Straße", "5", "bitte"]),
        ("price 1,042.50 on 2026-01-01", ["price", "1,042.50", "on", "2026-01-01"]),
        # a number glued to the sign or word before it stands alone
        ("has #7731 shipped", ["has", "#", "7731", "shipped"]),
        ("order no.4471 please", ["order", "no.", "4471", "please"]),
        ("cancel order-1042", ["cancel", "order-", "1042"]),
        ("4/5 would recommend", ["4", "/", "5", "would", "recommend"]),
        # Russian
        ("Где мой заказ №1042?", ["Где", "мой", "заказ", "№", "1042"]),
        ("Здравствуйте! Где ваш оператор?", ["Здравствуйте", "Где", "ваш", "оператор"]),
        # Chinese: jieba words, digits and Latin letters apart, punctuation dropped
        ("我的订单1042在哪里？", ["我", "的", "订单", "1042", "在", "哪里"]),
        ("你好", ["你好"]),  # Rasa's emoji pattern would drop it as an emoji
        ("你好，我想查一下订单号：58213，谢谢！", ["你好", "我想查", "一下", "订单号", "58213", "谢谢"]),
        ("上个月的客户满意度是多少", ["上个月", "的", "客户满意度", "是", "多少"]),
        ("本月CSAT怎么样", ["本月", "CSAT", "怎么样"]),
        ("订单1042号到哪了😡", ["订单", "1042", "号", "到", "哪", "了"]),
        ("打五颗星，非常棒", ["打", "五", "颗星", "非常", "棒"]),  # a rating apart from its measure word
        # mixed
        ("hi 你好 привет hallo", ["hi", "你好", "привет", "hallo"]),
        ("Bestellung 1042 订单 заказ", ["Bestellung", "1042", "订单", "заказ"]),
        # nothing but emoji or punctuation: the whole text, one token
        ("😂", ["😂"]),
        ("？？", ["？？"]),
]
MORE = ["Wo ist meine Bestellung Nr.1042??", "本月CSAT怎么样 🙂", "😡😡", "заказ №1042"]

Tokens = list[tuple[str, int, int]]


@pytest.fixture(scope="module")
def tokenized() -> dict[str, Tokens]:
    """Every text of this module tokenized in one run of .venv-rasa (Rasa takes seconds to import)."""
    texts = [text for text, _ in CASES] + MORE
    result = in_rasa(TOKENIZE, json.dumps(texts))
    assert isinstance(result, list)
    return {text: [(w, start, end) for w, start, end in found]
            for text, found in zip(texts, result, strict=True)}


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_tokens_in_four_languages(tokenized: dict[str, Tokens], text: str, expected: list[str]) -> None:
    assert [word for word, _, _ in tokenized[text]] == expected


def test_every_token_is_the_text_between_its_offsets(tokenized: dict[str, Tokens]) -> None:
    for text, found in tokenized.items():
        assert all(text[start:end] == word for word, start, end in found), (text, found)


def test_offsets_of_chinese_and_glued_numbers(tokenized: dict[str, Tokens]) -> None:
    chinese = tokenized["我的订单1042在哪里？"]
    assert ("1042", 4, 8) in chinese and ("订单", 2, 4) in chinese
    assert tokenized["заказ №1042"] == [("заказ", 0, 5), ("№", 6, 7), ("1042", 7, 11)]


def test_every_entity_annotation_in_the_training_data_is_on_token_boundaries() -> None:
    result = in_rasa(ALIGNMENT)
    assert isinstance(result, dict)
    assert result["examples"] > 4000 and result["chinese"] > 600, "data/nlu/de, ru and zh are read"
    assert result["wrong_offsets"] == []
    assert result["misaligned"] == [], json.dumps(result["misaligned"], ensure_ascii=False)
