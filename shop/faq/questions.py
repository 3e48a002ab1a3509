"""Whether a message reads as a question ("can I return it?", "when do I get my money back",
"как вернуть товар", "可以退货吗") rather than a request ("I want my money back", "refund order
1042", "我要退款").

Used where a request and a question about the shop's policy share their words: a customer who
asks how refunds work is answered from the FAQ, and one who asks for a refund gets the refund.
A question mark anywhere, or a question word or an auxiliary at the start (after a greeting),
or one of the question words anywhere; Chinese by its question particles and words. The words are
per language, like the period words (shop/period_words.py); a language without a list here is
judged by its question marks alone.
"""

from __future__ import annotations

import re

_GREETING = (r"(?:hi|hello|hey|good (?:morning|afternoon|evening)|hallo|moin|guten (?:tag|morgen|abend)"
             r"|servus|привет|здравствуйте|добрый (?:день|вечер)|доброе утро)")
# Words that open a question (an auxiliary only counts at the start: "can I return it" asks,
# "I can return it" tells).
_OPENING = {
    "en": ("how", "when", "what", "whats", "what's", "which", "where", "who", "why", "is", "are",
           "can", "could", "do", "does", "did", "will", "would", "should", "shall", "may", "am",
           "have", "has", "any"),
    "de": ("wie", "wann", "was", "welche", "welcher", "welches", "welchen", "wo", "wohin",
           "woher", "wer", "warum", "wieso", "weshalb", "kann", "können", "könnt", "ist", "sind",
           "gibt", "muss", "müssen", "darf", "dürfen", "habt", "haben", "hat", "bekomme",
           "bekommt", "kriege", "krieg", "werde", "wird", "nehmt", "liefert", "versendet"),
    "ru": ("как", "когда", "что", "какой", "какая", "какое", "какие", "где", "куда", "откуда",
           "кто", "почему", "зачем", "сколько", "можно", "могу", "можете", "есть", "ли",
           "через", "принимаете", "доставляете"),
}
# Words that make a question wherever they stand ("ok so how do I get my money back").
_ANYWHERE = {
    "en": ("how", "when", "which", "how long", "how much", "how many"),
    "de": ("wie", "wann", "welche", "welcher", "welches", "wie lange", "wie viel"),
    "ru": ("как", "когда", "сколько", "какой", "какие", "ли"),
}
_ZH = re.compile(r"吗|怎么|怎样|如何|多久|多长|什么|哪|几|多少|呢|是否|能不能|可不可以|有没有|要不要")


def _words(table: dict[str, tuple[str, ...]]) -> str:
    return "|".join(sorted({re.escape(w) for words in table.values() for w in words}, key=len, reverse=True))


_OPENS = re.compile(rf"^\W*(?:{_GREETING}\W+)*(?:{_words(_OPENING)})(?!\w)", re.IGNORECASE)
_CONTAINS = re.compile(rf"(?<!\w)(?:{_words(_ANYWHERE)})(?!\w)", re.IGNORECASE)


def reads_as_question(text: str) -> bool:
    """Whether `text` asks rather than tells (see the module's docstring)."""
    return ("?" in text or "？" in text or bool(_OPENS.search(text)) or bool(_CONTAINS.search(text))
            or bool(_ZH.search(text)))
