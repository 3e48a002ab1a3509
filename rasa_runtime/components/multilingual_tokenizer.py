# Rasa validates its graph by comparing the annotations of connected components, which
# spell them with typing's List/Dict/Text: the old spellings stay here.
# ruff: noqa: UP006, UP019, UP035, UP045
"""One tokenizer for English, German, Russian and Chinese in one model.

Rasa's WhitespaceTokenizer splits on spaces and drops punctuation, which suits the
languages written with spaces, and refuses Chinese, which is written without them
("我的订单1042在哪里？" would be one token, and `order_id` could never be found in it).
Rasa's JiebaTokenizer segments Chinese but gives the spaces and punctuation of other
languages to jieba as well. This component does both: it splits a message as the
WhitespaceTokenizer does, then cuts every token that holds Chinese characters (Han) into
runs, Han and not Han, so that digits and Latin letters glued to Chinese ("订单1042号",
"本月CSAT") stand alone, and segments each Han run with jieba. A number glued to a sign
or word before it ("#1042", "№1042", "no.1042", "order-1042") is cut off it too: the
WhitespaceTokenizer keeps such a token whole, and an `order_id` annotated inside it was
misaligned (Rasa warned about the English data's "#[1042](order_id)" as well); so is
a score, "[4](rating)/5" → "4", "/", "5". Every token keeps its
start and end in the original text, so entity annotations stay aligned
(tests/rasa_runtime/test_multilingual_tokenizer.py checks every annotation in data/).

jieba's dictionary ships inside the package; it is loaded the first time a message with
Chinese characters is tokenized, not at import. `words` (config) are added to jieba's
dictionary so that the shop's own terms ("客户满意度", "上个月") come out whole; the
defaults are in SHOP_WORDS, kept in this file so that the model's cache key, which hashes
rasa_runtime/components/*.py, follows them.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import regex
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

HAN = regex.compile(r"\p{Han}")
# jieba keeps a Chinese numeral with its measure word ("五颗星", "四分", "两星"); a rating
# is the numeral alone: "打[五](rating:5)颗星".
RATED = regex.compile(r"^([一二两三四五])(颗星|星级|星|颗|分)$")
# A number glued to the sign or word before it: "#1042", "№1042", "no.1042", "order-1042".
# Not a number after a number ("1,042", "2026-01-01", "10:30").
SCORE = regex.compile(r"^(\d)(/)(\d{1,2})$")  # "4/5": a rating out of a maximum
GLUED_NUMBER = regex.compile(r"^(.*[^\w\s])(?<!\d[^\w\s]*)(\d+)$")
RUNS = regex.compile(r"\p{Han}+|\P{Han}+")
WORD_CHARACTER = regex.compile(r"\w")
LETTER_OR_DIGIT = regex.compile(r"[\p{L}\p{N}]")
SIGN_ONLY = regex.compile(r"[^\w#№]+")  # "：", "(": no token; "#" and "№" say "a number follows"

# Terms of the shop that jieba should keep whole: metric names and periods owners use,
# and the words around an order. Without them jieba's statistics cut some of them
# differently in different sentences.
SHOP_WORDS = (
    "订单", "订单号", "快递单号", "物流", "包裹", "退款", "退货", "人工客服", "真人客服",
    "客户满意度", "满意度", "平均评分", "回复率", "问卷回复率", "流失率", "客户流失率",
    "留存率", "客户留存率", "客户终身价值", "终身价值", "增值", "营收", "销售额", "收入",
    "订单数", "订单量", "客单价", "平均订单金额", "新客户", "新客", "复购率", "准时率",
    "准时送达率", "平均配送天数", "配送时间", "未处理工单", "待处理工单", "首次响应时间",
    "解决时间", "最佳客户", "大客户", "经常一起买", "一起购买",
    "今天", "昨天", "本周", "这周", "上周", "本月", "这个月", "上个月", "上月", "本季度",
    "这个季度", "上季度", "上个季度", "今年", "去年", "第一季度", "第二季度", "第三季度",
    "第四季度",
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MultilingualTokenizer(WhitespaceTokenizer):
    """Whitespace tokens, with Chinese spans segmented by jieba; offsets into the text kept."""

    @staticmethod
    def not_supported_languages() -> Optional[List[Text]]:
        return None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "words": list(SHOP_WORDS)}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._jieba: Any = None  # jieba.Tokenizer, made on first use

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> MultilingualTokenizer:
        return cls(config)

    def remove_emoji(self, text: Text) -> Text:
        """Rasa's emoji pattern spans U+24C2-U+1F251, which holds every Chinese character:
        its WhitespaceTokenizer drops a token made of Chinese characters only ("你好")
        as an emoji. A token with a letter or a digit is kept."""
        if LETTER_OR_DIGIT.search(text):
            return text
        return super().remove_emoji(text)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens: List[Token] = []
        for token in super().tokenize(message, attribute):
            if HAN.search(token.text):
                tokens.extend(self._split(token, attribute))
            else:
                tokens.extend(_unglue(token))
        return tokens

    def _split(self, token: Token, attribute: Text) -> List[Token]:
        """A token holding Han characters: its Han runs segmented by jieba, the runs
        between them (digits, Latin letters, punctuation) cleaned as whitespace words."""
        pieces: List[Token] = []
        for run in RUNS.finditer(token.text):
            offset = token.start + run.start()
            text = run.group()
            if HAN.match(text):
                for word, start, _ in self._segmenter().tokenize(text):
                    if rated := RATED.match(word):
                        pieces += [Token(rated[1], offset + start), Token(rated[2], offset + start + 1)]
                    else:
                        pieces.append(Token(word, offset + start))
            elif WORD_CHARACTER.search(text):  # "1042", "CSAT"; a lone "，" or "？" is dropped
                inner = super().tokenize(Message(data={attribute: text}), attribute)
                pieces.extend(piece for t in inner for piece in _unglue(Token(t.text, offset + t.start)))
        return pieces or [token]

    def _segmenter(self) -> Any:
        if self._jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)  # it logs its dictionary loading at DEBUG
            segmenter = jieba.Tokenizer()
            segmenter.initialize()
            for word in self._config.get("words") or ():
                segmenter.add_word(word)
            self._jieba = segmenter
        return self._jieba


def _unglue(token: Token) -> List[Token]:
    """"#1042" → "#", "1042" and "4/5" → "4", "/", "5": the order number or the rating a token
    of its own, so that "#[1042](order_id)", "заказ №[1042](order_id)" or "[4](rating)/5"
    match token boundaries."""
    if score := SCORE.match(token.text):  # "[4](rating)/5"
        return [Token(score[i], token.start + score.start(i)) for i in (1, 2, 3)]
    match = GLUED_NUMBER.match(token.text)
    if match is None:
        return [token]
    number = Token(match[2], token.start + match.start(2))
    return [number] if SIGN_ONLY.fullmatch(match[1]) else [Token(match[1], token.start), number]
