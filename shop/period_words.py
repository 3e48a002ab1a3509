"""The owner's periods in German, Russian and Chinese, rewritten into the English forms that
shop/periods.py parses: "letzten Monat", "в прошлом месяце", "上个月" → "last month".

The grammar of windows stays in one place (periods.py); this module only knows words.
It is applied to lower-cased text; English text passes through unchanged, because every
rule here matches words English does not use. Rules run in order: fixed phrases first,
then numbers written as words, then forms with numbers (dates, rolling windows), then the
prepositions that join two dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]

MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
             "september", "october", "november", "december")


def _rules(pairs: list[tuple[str, str | Callable[[re.Match[str]], str]]]) -> list[Rule]:
    return [(re.compile(pattern), replacement) for pattern, replacement in pairs]


def _apply(rules: list[Rule], text: str) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


# --- German ------------------------------------------------------------------------------

_DE_UNITS = {"tag": "day", "woche": "week", "monat": "month", "quartal": "quarter", "jahr": "year"}
_DE_UNIT = r"(tag|woche|monat|quartal|jahr)(?:e?s|e|en|n)?"
_DE_MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}
_DE_MONTH = r"\b(" + "|".join(sorted(_DE_MONTHS, key=len, reverse=True)) + r")\b\.?"
_DE_NUMBERS = {"ein": 1, "einen": 1, "eine": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4,
               "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
               "zwölf": 12, "dreißig": 30, "neunzig": 90}
_DE_ORDINALS = {"erst": 1, "zweit": 2, "dritt": 3, "viert": 4}
_DE_NUMBER = r"\b(" + "|".join(sorted(_DE_NUMBERS, key=len, reverse=True)) + r")\b"


def _de_unit(match: re.Match[str], group: int = 1) -> str:
    return _DE_UNITS[match[group]]


GERMAN = _rules([
    (r"\bheute\b", "today"),
    (r"\bvorgestern\b", "2 days ago"),
    (r"\bgestern\b", "yesterday"),
    (r"\bvor(woche|monat|quartal|jahr)(?:e?s)?\b", lambda m: f"last {_DE_UNITS[m[1]]}"),
    (r"\bseit (?:jahresbeginn|jahresanfang|anfang (?:des|dieses) jahres)\b", "year to date"),
    (r"\bseit (?:monatsbeginn|monatsanfang|anfang (?:des|dieses) monats)\b", "month to date"),
    (r"\b(?:bisher |bis jetzt |bislang )?(?:im |in diesem |in dieser )?"
     r"(?:diese[nmrs]?|laufende[nmrs]?|aktuelle[nmrs]?) " + _DE_UNIT + r"(?: bisher| bis jetzt)?\b",
     lambda m: f"this {_de_unit(m)}"),
    (_DE_NUMBER, lambda m: str(_DE_NUMBERS[m[1]])),
    (r"\b(?:in |während |über |für )?(?:de[nm] |die )?(?:letzte[nmrs]?|vergangene[nmrs]?|"
     r"vorige[nmrs]?) (\d+) " + _DE_UNIT + r"\b",
     lambda m: f"last {m[1]} {_de_unit(m, 2)}s"),
    (r"\b(?:im |in der |in de[nm] )?(?:letzte[nmrs]?|vergangene[nmrs]?|vorige[nmrs]?|"
     r"vorherige[nmrs]?) " + _DE_UNIT + r"\b",
     lambda m: f"last {_de_unit(m)}"),
    (r"\b([1-4])\.? ?quartal(?:s)?\b", r"q\1"),
    (r"\b(erst|zweit|dritt|viert)e[nms]? quartal(?:s)?\b", lambda m: f"q{_DE_ORDINALS[m[1]]}"),
    (r"\bquartal(?:s)? ([1-4])\b", r"q\1"),
    (r"\b(?:im )?jahr(?:e?s)? (\d{4})\b", r"\1"),
    (r"\b(\d{1,2})\. ?" + _DE_MONTH, lambda m: f"{m[1]} {MONTHS_EN[_DE_MONTHS[m[2]] - 1]}"),
    (_DE_MONTH, lambda m: MONTHS_EN[_DE_MONTHS[m[1]] - 1]),
    (r"\b(?:im vergleich (?:zu[mr]?|mit)|verglichen mit|gegenüber)\b", "vs"),
    (r"^zwischen (.+) und (.+)$", r"between \1 and \2"),
    (r"^(?:vo[nm] )?(.+?) bis (?:zu[mr]? |einschließlich )?(.+)$", r"from \1 to \2"),
    (r"^seit\b", "since"),
    (r"^(?:im|in der|in den|am)\b", "in"),
    (r"^für\b", "for"),
])

# --- Russian -----------------------------------------------------------------------------

_RU_UNIT = r"(день|дня|дней|дни|недел\w*|месяц\w*|квартал\w*|год\w*|лет)"
_RU_MONTHS = {"январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7,
              "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12}
# Stems with their case endings: март, марта, марте, мартом; май, мая, мае, маем.
_RU_MONTH = (r"\b(январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)"
             r"(?:ь|я|е|ем|ём|ю|а|ом|у|й)?\b")
_RU_NUMBERS = {"один": 1, "одну": 1, "одного": 1, "два": 2, "две": 2, "двух": 2, "три": 3,
               "трех": 3, "четыре": 4, "четырех": 4, "пять": 5, "пяти": 5, "шесть": 6,
               "шести": 6, "семь": 7, "семи": 7, "десять": 10, "десяти": 10,
               "двенадцать": 12, "двенадцати": 12, "тридцать": 30, "тридцати": 30,
               "девяносто": 90}
_RU_NUMBER = r"\b(" + "|".join(sorted(_RU_NUMBERS, key=len, reverse=True)) + r")\b"
_RU_ORDINALS = {"перв": 1, "втор": 2, "трет": 3, "четверт": 4}


def _ru_unit(word: str) -> str:
    if word.startswith(("ден", "дн")):
        return "day"
    if word.startswith("недел"):
        return "week"
    if word.startswith("месяц"):
        return "month"
    if word.startswith("квартал"):
        return "quarter"
    return "year"


RUSSIAN = _rules([
    (r"ё", "е"),
    (r"\bсегодня\b", "today"),
    (r"\bпозавчера\b", "2 days ago"),
    (r"\bвчера\b", "yesterday"),
    (r"\b(?:с начала (?:этого |текущего )?года)\b", "year to date"),
    (r"\b(?:с начала (?:этого |текущего )?месяца)\b", "month to date"),
    (_RU_NUMBER, lambda m: str(_RU_NUMBERS[m[1]])),
    (r"\b(?:за |в |на )?(?:последн\w+|прошедш\w+|минувш\w+|прошл\w+) (\d+) " + _RU_UNIT,
     lambda m: f"last {m[1]} {_ru_unit(m[2])}s"),
    (r"\b(?:за |в |на )?(?:последн\w+) " + _RU_UNIT,
     lambda m: f"last 1 {_ru_unit(m[1])}"),
    (r"\b(?:за |в |на )?(?:эт\w+|текущ\w+|нынешн\w+|сейчашн\w+) " + _RU_UNIT,
     lambda m: f"this {_ru_unit(m[1])}"),
    (r"\b(?:за |в |на )?(?:прошл\w+|предыдущ\w+|минувш\w+) " + _RU_UNIT,
     lambda m: f"last {_ru_unit(m[1])}"),
    (r"\b(?:в |за )?([1-4])[- ]?(?:й|м|ом|ый|ий)? квартал\w*", r"q\1"),
    (r"\b(?:в |за )?(перв|втор|трет|четверт)\w* квартал\w*", lambda m: f"q{_RU_ORDINALS[m[1]]}"),
    (r"\b(\d{4}) ?(?:год\w*|г\.?)(?!\w)", r"\1"),
    (r"\b(\d{1,2}) " + _RU_MONTH, lambda m: f"{m[1]} {MONTHS_EN[_RU_MONTHS[m[2]] - 1]}"),
    (_RU_MONTH, lambda m: MONTHS_EN[_RU_MONTHS[m[1]] - 1]),
    (r"\b(?:по сравнению с|в сравнении с|против|относительно)\b", "vs"),
    (r"^между (.+) и (.+)$", r"between \1 and \2"),
    (r"^(?:за период )?с (.+?) (?:по|до) (.+)$", r"from \1 to \2"),
    (r"^(.+?) - (.+)$", r"from \1 to \2"),
    (r"^(?:начиная )?с\b", "since"),
    (r"^(?:в|во|на)\b", "in"),
    (r"^за\b", "for"),
])

# --- Chinese -----------------------------------------------------------------------------

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}


def _zh_number(text: str) -> int:
    """一 → 1, 十二 → 12, 三十 → 30, 九十 → 90 (the numbers periods use)."""
    if "十" not in text:
        return int("".join(str(_ZH_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[units] if units else 0)


def _month(number: str) -> str:
    return MONTHS_EN[int(number) - 1]


_ZH_UNITS = {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week",
             "月": "month", "季度": "quarter", "年": "year"}

CHINESE = _rules([
    (r"\s+", ""),
    (r"(?:与|和|跟)(.+?)(?:相比|比较|对比)", r"vs\1"),
    (r"(?:对比|相比|比较|相较于?|vs\.?|versus)", " vs "),
    (r"今年(?=\d|[一二三四五六七八九十]+月)", ""),  # 今年3月: the latest March
    (r"今天|今日", " today "),
    (r"昨天|昨日", " yesterday "),
    (r"(?:今年|本年度?)(?:以来|至今|迄今)", " year to date "),
    (r"(?:本月|这个月)(?:以来|至今|迄今)", " month to date "),
    (r"本周|这周|这一周|这星期|这个星期|本星期", " this week "),
    (r"上周|上星期|上个星期|上一周|上个礼拜|上礼拜", " last week "),
    (r"本月|这个月|当月|这一个月", " this month "),
    (r"上个月|上月|上一个月|上一月", " last month "),
    (r"本季度?|这个季度|这季度|当季度?", " this quarter "),
    (r"上季度?|上个季度|上一季度|上一个季度", " last quarter "),
    (r"今年|本年度?|当年", " this year "),
    (r"去年|上一年|上年度?", " last year "),
    (r"([零〇一二两三四五六七八九十]+)(?=个?(?:天|日|周|星期|礼拜|月|季度|年))",
     lambda m: str(_zh_number(m[1]))),
    (r"第?([零〇一二三四五六七八九十]+)(?=季度)", lambda m: str(_zh_number(m[1]))),
    (r"(?:最近|过去|近|前|最后)的?(\d+)个?(天|日|周|星期|礼拜|月|季度|年)",
     lambda m: f" last {m[1]} {_ZH_UNITS[m[2]]}s "),
    (r"(\d{4})年?第?([1-4])季度", r" q\2 \1 "),
    (r"第?([1-4])季度", r" q\1 "),
    (r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]", lambda m: f" {m[3]} {_month(m[2])} {m[1]} "),
    (r"(\d{4})年(\d{1,2})月(?:份)?", lambda m: f" {_month(m[2])} {m[1]} "),
    (r"(\d{1,2})月(\d{1,2})[日号]", lambda m: f" {m[2]} {_month(m[1])} "),
    (r"(\d{1,2})月(?:份)?", lambda m: f" {_month(m[1])} "),
    (r"(\d{4})年(?:度)?", r" \1 "),
    (r"^(?:自从?|从)(.+?)(?:以来|起|开始|至今)$", r"since \1"),
    (r"^(.+?)(?:以来|至今)$", r"since \1"),
    (r"^(?:从|自)?(.+?)(?:到|至|~|～|—)(.+)$", r"from \1 to \2"),
    (r"[的里内期间在于]", " "),
])

_HAN = re.compile(r"[\u4e00-\u9fff]")
_CYRILLIC = re.compile(r"[а-яё]")


def to_english(text: str) -> str:
    """`text` (lower case) with the period words of German, Russian or Chinese in English."""
    if _HAN.search(text):
        text = _apply(CHINESE, text)
    elif _CYRILLIC.search(text):
        text = _apply(RUSSIAN, text)
    else:
        text = _apply(GERMAN, text)
    return re.sub(r"\s+", " ", text).strip()
