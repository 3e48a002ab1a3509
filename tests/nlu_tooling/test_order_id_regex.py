"""The order_id regex (data/nlu/regex.yml) on literal cases, on its five development sets
(tests/nlu_tooling/order_id_dev.yml in four languages, order_id_dev_en2.yml,
order_id_dev_en3.yml and order_id_dev_en4.yml in English, order_id_dev_grouped.yml in four
languages, each scored separately) and on the training data's annotations; no Rasa.

The regex is applied as Rasa 3.6's RegexEntityExtractor applies it: `re.finditer` over the
message, case-insensitively (its default), each match one `order_id` value; the value is the
match's digits, as the OrderIdFilter component makes it ("10 425" is 10425).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from nlu import metrics
from nlu.data import load_nlu, parse_annotated
from nlu.order_id_regex import pattern
from shop.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
DEV_SET = Path(__file__).with_name("order_id_dev.yml")
# The second set: English chat messages with many numbers of other kinds beside the order's.
DEV_SET_EN2 = Path(__file__).with_name("order_id_dev_en2.yml")
# The third: English short messages, replies, lists, corrections, URLs and pasted e-mails, glued
# words, and numbers of records that look like orders (house, flat, locker, card, postcodes).
DEV_SET_EN3 = Path(__file__).with_name("order_id_dev_en3.yml")
# The fourth: every intent of a shop's chat (cancel, address changes in many countries, returns,
# invoices, ratings, the owner's metrics, staff notes), formal letters, dictation, text copied
# from e-mails and web pages, leading zeros and parcel suffixes, and numbers of other kinds the
# first three lack (amounts after "was"/"now"/"for", subtotals, VAT, times after "ETA" or
# "from", sq ft, kelvin, dpi, gsm, brand models, Australian and Nordic postcodes, purchase-order,
# quote, claim, return, batch, store and employee numbers).
DEV_SET_EN4 = Path(__file__).with_name("order_id_dev_en4.yml")
# The fifth, in four languages: order numbers in digit groups ("order 10 425", "Bestellung
# 10.425") and numbers in groups that are no order (amounts, phones, IBANs, counts).
DEV_SET_GROUPED = Path(__file__).with_name("order_id_dev_grouped.yml")


def _order_id_pattern() -> str:
    """The one `regex: order_id` example of data/nlu/regex.yml, as Rasa reads it."""
    items = yaml.safe_load((DATA / "nlu" / "regex.yml").read_text())["nlu"]
    (regex,) = [item for item in items if item.get("regex") == "order_id"]
    (pattern,) = [line[2:].strip() for line in regex["examples"].splitlines() if line.startswith("- ")]
    return pattern


ORDER_ID = re.compile(_order_id_pattern(), flags=re.IGNORECASE)

# Training sentences where the regex is wrong, and why no rule can be right.
KNOWN_WRONG = {
    # 12306 is the Chinese railways' booking line: 5 digits with nothing around them that
    # says so; only knowing the number tells.
    "12306怎么改签": ["12306"],
}


def test_regex_yml_holds_the_pattern_nlu_order_id_regex_builds() -> None:
    """data/nlu/regex.yml is written by `python -m nlu.order_id_regex`: edit the rules there."""
    assert _order_id_pattern() == pattern()


def order_ids(text: str) -> list[str]:
    """The values Rasa's pipeline gives: each match's digits (rasa_runtime/components/
    order_id_filter.py `order_number`, which runs in Rasa's environment and is not imported here;
    tests/rasa_runtime/test_order_id_filter.py checks it gives the same)."""
    return [re.sub(r"\D", "", m.group()) for m in ORDER_ID.finditer(text)]


LANGUAGES = ("en", "de", "ru", "zh")


def _dev_set(path: Path = DEV_SET) -> dict[str, list[tuple[str, list[str]]]]:
    """A development set in four languages, by language: (message, the order numbers in it)."""
    by_language = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {lang: [(text, [str(n) for n in numbers]) for text, numbers in by_language[lang]]
            for lang in LANGUAGES}


def _english_set(path: Path) -> list[tuple[str, list[str]]]:
    """An English development set: (message, the order numbers in it)."""
    messages = yaml.safe_load(path.read_text(encoding="utf-8"))["en"]
    return [(text, [str(n) for n in numbers]) for text, numbers in messages]


# The English sets scored apart from the first, each on its own, so that each file's figure shows.
ENGLISH_SETS = {"en2": DEV_SET_EN2, "en3": DEV_SET_EN3, "en4": DEV_SET_EN4}


def test_the_dev_set_is_large_and_mostly_english() -> None:
    sizes = {lang: len(messages) for lang, messages in _dev_set().items()}
    assert sum(sizes.values()) >= 300
    assert sizes["en"] > sum(sizes.values()) / 2
    assert min(sizes.values()) >= 30, sizes


def _f1(messages: list[tuple[str, list[str]]]) -> tuple[float, float, float, list[str]]:
    """Precision, recall, F1 as the held-out evaluation counts them (nlu.metrics.entity_scores:
    a value once a message), and the messages the regex gets wrong."""
    found = [order_ids(text) for text, _ in messages]
    scores = metrics.entity_scores([[("order_id", n) for n in gold] for _, gold in messages],
                                   [[("order_id", n) for n in said] for said in found])
    wrong = [f"{text!r}: want {gold}, got {said}" for (text, gold), said in zip(messages, found, strict=True)
             if sorted(set(gold)) != sorted(set(said))]
    return (*scores.loc["order_id", ["precision", "recall", "f1"]].tolist(), wrong)


def _assert_f1_at_least(floor: float, messages: list[tuple[str, list[str]]], name: str, prefix: str,
                        record_property: Callable[[str, object], None]) -> None:
    """The figures go to the JUnit report (`--junitxml`, `prefix`_precision ...) and, when F1 is
    under `floor`, to the message with the messages the regex gets wrong."""
    precision, recall, f1, wrong = _f1(messages)
    for measure, value in (("precision", precision), ("recall", recall), ("f1", f1)):
        record_property(f"{prefix}_{measure}", round(value, 3))
    figures = (f"order_id on the dev set {name}: precision {precision:.3f}, recall {recall:.3f}, "
               f"F1 {f1:.3f}; {len(wrong)} of {len(messages)} messages wrong")
    assert f1 >= floor, "\n".join([figures, *wrong])


@pytest.mark.parametrize("language", ["all", *LANGUAGES])
def test_order_id_f1_on_the_dev_set_is_at_least_098(
    language: str, record_property: Callable[[str, object], None]
) -> None:
    dev = _dev_set()
    messages = [m for lang in LANGUAGES for m in dev[lang]] if language == "all" else dev[language]
    _assert_f1_at_least(0.98, messages, f"({language})", "order_id", record_property)


def test_the_grouped_dev_set_has_every_language_and_about_half_no_order_number() -> None:
    sizes = {lang: len(messages) for lang, messages in _dev_set(DEV_SET_GROUPED).items()}
    messages = [m for lang in LANGUAGES for m in _dev_set(DEV_SET_GROUPED)[lang]]
    assert len(messages) >= 140 and min(sizes.values()) >= 15, sizes
    assert len(messages) * 0.4 <= sum(1 for _, numbers in messages if not numbers) <= len(messages) * 0.6


@pytest.mark.parametrize("language", ["all", *LANGUAGES])
def test_order_id_f1_on_the_grouped_dev_set_is_at_least_096(
    language: str, record_property: Callable[[str, object], None]
) -> None:
    """Measured 0.344 before its rules (precision 1.000, recall 0.208), 0.966 after; in each
    language at least 0.92 (English 0.940: the misses left are decided in the rules' comments)."""
    dev = _dev_set(DEV_SET_GROUPED)
    messages = [m for lang in LANGUAGES for m in dev[lang]] if language == "all" else dev[language]
    _assert_f1_at_least(0.96 if language == "all" else 0.92, messages, f"grouped ({language})",
                        "order_id_grouped", record_property)


@pytest.mark.parametrize("name", ENGLISH_SETS)
def test_each_english_dev_set_is_large_and_a_third_has_no_order_number(name: str) -> None:
    messages = _english_set(ENGLISH_SETS[name])
    assert len(messages) >= 300
    assert len(messages) / 4 <= sum(1 for _, numbers in messages if not numbers) <= len(messages) / 2


@pytest.mark.parametrize("name", ENGLISH_SETS)
def test_order_id_f1_on_each_english_dev_set_is_at_least_098(
    name: str, record_property: Callable[[str, object], None]
) -> None:
    _assert_f1_at_least(0.98, _english_set(ENGLISH_SETS[name]), name, f"order_id_{name}", record_property)


def test_the_regex_finds_exactly_the_annotated_order_numbers_in_the_training_data() -> None:
    """DIET and the RegexFeaturizer learn from these annotations: they must agree with the regex."""
    disagree = []
    for text in load_nlu(DATA / "nlu").examples["text"]:
        plain, entities = parse_annotated(text)
        gold = [e["value"] for e in entities if e["entity"] == "order_id"]
        if order_ids(plain) != KNOWN_WRONG.get(plain, gold):
            disagree.append((text, order_ids(plain)))
    assert disagree == []


def test_the_regex_takes_well_under_a_millisecond_a_message() -> None:
    texts = [text for path in (DEV_SET, DEV_SET_GROUPED) for messages in _dev_set(path).values()
             for text, _ in messages]
    texts += [text for path in ENGLISH_SETS.values() for text, _ in _english_set(path)]
    best = float("inf")
    for _ in range(5):  # the best of five runs: the machine is shared
        start = time.perf_counter()
        for text in texts:
            order_ids(text)
        best = min(best, time.perf_counter() - start)
    assert best / len(texts) < 0.2e-3, f"{best / len(texts) * 1e6:.0f} µs a message"


@pytest.mark.parametrize(
    ("line", "orders_a_line"),
    [
        ("order 1042 of 2025, call +49 30 1234567 or 8 800 555 35 35, заказ 10 425 за 12 500 ₽ ", 2),
        # every position begins a number in groups that the rules for groups must look at and
        # refuse (each group has more after it)
        ("1 234 567 890 ", 0),
    ],
    ids=["words-and-numbers", "digit-groups"],
)
def test_a_long_message_is_scanned_in_linear_time(line: str, orders_a_line: int) -> None:
    """Junk and pasted e-mails reach the regex too: ten times the text (5 KB -> 50 KB of digits
    and words) takes about ten times as long, not a hundred (backtracking would). A ratio of two
    timings taken in turns, the best of five each, so a busy machine slows both alike (measured:
    10-12x, 0.63 µs a character; 1.6 and 3.2 µs on these lines); an absolute limit failed once
    under a parallel training, and the best of three once gave 31x under the whole suite beside
    a training."""
    texts = {size: line * (size // len(line)) for size in (5_000, 50_000)}
    best = dict.fromkeys(texts, float("inf"))
    for _ in range(5):
        for size, text in texts.items():
            start = time.perf_counter()
            assert len(order_ids(text)) == orders_a_line * (size // len(line))
            best[size] = min(best[size], time.perf_counter() - start)
    short, long = best[5_000], best[50_000]
    assert long / short < 40, f"5 KB {short * 1e3:.1f} ms, 50 KB {long * 1e3:.1f} ms"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is my order 1042?", ["1042"]),
        ("has #58213 shipped?", ["58213"]),
        ("order no. 1042", ["1042"]),
        ("order no.1042 please", ["1042"]),
        ("nr 1042", ["1042"]),
        ("order-1042", ["1042"]),
        ("1042", ["1042"]),
        ("order 120034", ["120034"]),
        ("cancel 1042 and ship 7731 to my office", ["1042", "7731"]),
        ("order 2031 status", ["2031"]),
        ("revenue in 2025", []),
        ("sales 2025 vs 2024", []),
        ("since 2024", []),
        ("from 2026-01-01 to 2026-02-15", []),
        ("between 2026-03-01 and 2026-03-31", []),
        ("price 1,042.50", []),
        ("call 0123456789", []),
        ("churn 3.14159", []),
        ("rated 4/5", []),
        # German, Russian, Chinese (issue 17)
        ("Wo ist meine Bestellung 1042?", ["1042"]),
        ("Bestellnr. 58213", ["58213"]),
        ("Nr.1042 storniert?", ["1042"]),
        ("Bestellung 2031", ["2031"]),
        ("Umsatz im Jahr 2025", []),
        ("seit 2024", []),
        ("von 2024 bis 2025", []),
        ("zwischen 2024 und 2025", []),
        ("am 3.12.2025", []),
        ("Где мой заказ 1042?", ["1042"]),
        ("заказ №1042", ["1042"]),
        ("заказ № 58213", ["58213"]),
        ("№1042", ["1042"]),
        ("заказ 2031", ["2031"]),
        ("выручка в 2025 году", []),
        ("за 2025 год", []),
        ("с 2024", []),
        ("2025 против 2024", []),
        ("2025 г.", []),
        ("我的订单1042在哪里？", ["1042"]),
        ("订单1042", ["1042"]),
        ("订单号：58213", ["58213"]),
        ("1042号订单", ["1042"]),
        ("订单2031", ["2031"]),
        ("#1042", ["1042"]),
        ("2025年的营收", []),
        ("2025年3月的客户满意度", []),
        ("营收2025对比2024", []),
        ("从2024到2025", []),
        ("退款1500元", []),
        # lists, ranges and look-alikes (the third development set's rules)
        ("orders 7710 7711 7712", ["7710", "7711", "7712"]),
        ("phone 0800 1234 1299", []),
        ("4242 4242 4242 4242", []),
        ("orders 10421-10424", ["10421", "10424"]),
        ("sizes 1200-1250", []),
        ("flat no. 1204", []),
        ("No: 1042", ["1042"]),
        ("1042pls", ["1042"]),
        ("75011 Paris", []),
        ("ship 10452 to Berlin", ["10452"]),
        ("It's 2031.", ["2031"]),
        ("order 1042 w/ 2 lamps", ["1042"]),
        ("the 1200 W kettle", []),
        # the fourth development set's rules
        ("order #001042", ["1042"]),
        ("order 10425-1", ["10425"]),
        ("orders 2025/26 revenue", []),
        ("subtotal 1299", []),
        ("Total:\xa01299", []),
        ("the sofa was 1299", []),
        ("my order was 5518", ["5518"]),
        ("I called the customer about 10425", ["10425"]),
        ("paid about 1200", []),
        ("purchase order 44120", []),
        ("is the Vitamix 5200 in stock?", []),
        ("do you have 2700 kelvin bulbs", []),
        ("ETA 1430?", []),
        ("I'm home from 1400", []),
        ("the kettle from 1042 trips", ["1042"]),
        ("Perth WA 6000", []),
        ("Brooklyn, NY, 11201", []),
        ("2210 N. Lakeview Drive", []),
        ("my flat is 1204 not 1240", []),
        ("it's 10452 not 10425", ["10452", "10425"]),
        ("I paid 1299 and 10425 is still not here", ["10425"]),
        ("how many orders 2025 vs 2024?", []),
        # digit groups (the fifth development set's rules): the value is the digits
        ("order 10 425", ["10425"]),
        ("where is order #10 425?", ["10425"]),
        ("Order no. 104 233", ["104233"]),
        ("order number 44,120", ["44120"]),
        ("Bestellung 10.425", ["10425"]),
        ("Bestellung 10’425", ["10425"]),
        ("заказ № 10 425", ["10425"]),
        ("заказ №\xa010\xa0425", ["10425"]),
        ("订单10,425在哪里", ["10425"]),
        ("1,042号订单", ["1042"]),
        ("10 425", ["10425"]),
        ("It's 104 233.", ["104233"]),
        ("order 10 425 (10425)", ["10425", "10425"]),  # the filter keeps one
        ("order 10-425", []),
        ("where is 10 425?", []),
        ("order 3 100-packs", []),
        ("we want to order 5,000 flyers", []),
        ("orders: 1,250 last month", []),
        ("заказов 1 250 за месяц", []),
        ("order 1,250 €", []),
        ("заказ 12 500 руб", []),
        ("заказ на 12 500", []),
        ("Bestellung 1.249,00 EUR", []),
        ("order 1,042.50", []),
        ("order no. 8 800 555 35 35", []),
        ("order 10 425 123", []),
        ("мой номер 916 123 45 67", []),
        ("invoice no. 10 425", []),
        ("customer number 10 425", []),
        ("1042 1043", ["1042", "1043"]),
        ("2 10425 boxes", ["10425"]),
        ("$1,250", []),
        ("12 500 руб", []),
        ("1 250 €", []),
    ],
)
def test_order_id_regex(text: str, expected: list[str]) -> None:
    # RegexEntityExtractor matches case-insensitively by default.
    assert order_ids(text) == expected


