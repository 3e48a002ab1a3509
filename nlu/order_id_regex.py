"""The order_id regex of data/nlu/regex.yml, built from the readable rules below.

An order number is what the shop's store holds (shop/models.py `Order.number`): 4 to 6
digits. The regex finds such a run of digits in a message unless something says it is another
number: a longer number it belongs to (a date, a price, a decimal, a phone or card number in
groups), a word in front of it that names another kind of number (a price, a product model,
an address, a flat, a locker, a flight, a code, an amount, a version, another record of the
shop: an invoice, a receipt, a tracking number, a customer account), the same with "no." in
between ("flat no. 1204", "customer no 44120"), a unit or a counted thing after it (pieces,
days, euros, mugs, watts, 件), a city after it (a postcode: "75011 Paris"), letters glued to
it (a model "5800X3D", "XR-2200", a code "SAVE2025", an e-mail; not the chat words of
"1042pls"), a time word before a clock time ("at 1030", "from 0900 till 1300"), a state
before a ZIP code or postcode ("Austin, TX 78701", "Sydney NSW 2000"), or, for a year-like
number (1900-2039: the years people talk about), the absence of an order word before it
("order 2031" is an order, "revenue 2025" is a year, "refunds for 2085" an order) unless
the number is the whole answer ("It's 2031."). Order numbers listed with spaces only
("orders 7710 7711 7712") or as a range ("orders 10421-10424") are told from a phone number's
groups by their shared length and first digits (LIST_LEAD).

Rasa's RegexEntityExtractor runs it with `re.finditer(pattern, text, re.IGNORECASE)` on every
message, and so does the RegexFeaturizer: it must be one line of Python `re`, and fast.
Python's look-behinds must have a fixed width, so the words before a number are grouped by
length, one look-behind per length.

`.venv/bin/python -m nlu.order_id_regex` writes the pattern into data/nlu/regex.yml;
tests/nlu_tooling/test_order_id_regex.py checks that the file holds this module's pattern and
scores it on tests/nlu_tooling/order_id_dev.yml, order_id_dev_en2.yml and order_id_dev_en3.yml.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from shop.settings import PROJECT_ROOT

REGEX_FILE = PROJECT_ROOT / "data" / "nlu" / "regex.yml"

LETTER = "a-zа-яёäöüß"  # Latin and Cyrillic letters (Chinese characters may touch a number)

# Words that name an order: a year-like number is an order number only after one of them
# ("order 2031", "Bestellung 2031", "заказ №2031", "订单2031"), and a number glued to one is
# still an order number ("ord1042", "Bestellung1042", "заказ1042"). English customers also
# name their order by what the shop's e-mails call it (a reference, a confirmation, a
# purchase, a parcel), and misspell "order" ("ordr", "odrer", "orer", or "prder" and "irder"
# with a key beside the "o"; not "oder", German for "or": "2024 oder 2025" are years).
ORDER_WORDS = [
    "order", "orders", "ord", "order no.", "order nr.", "order number", "order id", "order num",
    "no.", "nr.", "no", "nr", "num", "number", "id", "#", "№",
    "ordr", "orde", "odrer", "oredr", "ordrr", "orderr", "orderno", "ordernr", "ordernr.",
    "orer", "prder", "irder",
    "ordernumber", "order n°", "n°", "ref", "ref.", "reference", "reference number",
    "confirmation", "confirmation number", "purchase", "parcel", "package", "shipment", "booking",
    "bestellung", "bestellungen", "bestellnummer", "bestellnr.", "best.-nr.", "auftrag", "nummer",
    "заказ", "заказа", "заказу", "заказе", "заказом", "заказы", "заказов", "номер",
]
ORDER_WORDS_ZH = ["订单", "订单号", "单号", "订单编号", "号"]
ORDER_SEPARATORS = ["", " ", ": ", ":", " #", " # ", "#", "-", "_", " is ", " ist ", " - "]
# Words that may be glued to an order number, on its left: order words ("ordr1042", "ORD-4471")
# and, where a space was missed, "or" ("1042 or1043"). Other letters glued to a number, with or
# without a hyphen, make it part of a code or a model ("SAVE2025", "XR-2200", "INV-44120").
GLUED_ORDER_WORDS = ["ord", "order", "ordr", "nr", "no", "id", "ref", "bestellung", "заказ",
                     "ordernumber", "orderno", "ordernr", "number", "num",
                     "order_", "ord_", "ord-", "order-", "ordr-", "no-", "nr-", "id-", "ref-", "or"]
# ... and on its right, where a space was missed: "1042and 1043", and the chat words that end
# a request ("1042pls", "58213thx", "1042thanks"): no product or code ends in them.
GLUED_AFTER = ["and", "or", "pls", "plz", "please", "thanks", "thx", "ty", "asap"]

# Words after which a number is something else.
NOT_ORDER_WORDS = [
    # amounts
    "usd", "eur", "gbp", "chf", "rs", "rub", "руб", "руб.", "cny", "rmb",
    "aud", "cad", "sek", "nok", "dkk", "kr",
    "% of", "% von", "% от", "percent of", "prozent von", "процентов от",
    "price", "prices", "priced at", "cost", "costs", "paid", "pay", "spent", "spend", "budget",
    "total", "worth", "over", "more than", "at least", "up to",
    "budget of", "refund of", "amount of", "sum of", "total of", "cost of", "price of",
    "value of", "payment of", "charge of",
    # quantities
    "qty", "qty.", "quantity",
    # products and other records of the shop that are not orders
    "rtx", "gtx", "rx", "radeon", "geforce", "model", "modell", "модель", "sku",
    "art.", "art.-nr.", "art.-nr", "artikel", "artikelnummer", "article", "item", "product",
    "produkt", "артикул", "арт.", "ticket", "тикет",
    "part", "part no.", "part number", "serial", "serial no.", "serial number", "s/n",
    "model no.", "model number", "colour", "color", "page",
    # records of the shop other than orders: they are looked up by other means
    "invoice", "invoice no.", "invoice number", "inv", "inv.", "receipt", "receipt no.",
    "receipt number", "transaction", "transaction id", "transaction no.", "payment reference",
    "payment ref", "payment ref.", "payment id", "credit note", "rma", "rma no.", "case",
    "case number", "case no.", "ticket number", "ticket no.", "tracking number", "tracking no.",
    "tracking id", "customer", "customer number", "customer no.", "customer id", "account",
    "account number", "account no.", "account id", "member", "member no.", "membership number",
    "otp", "error", "loyalty", "loyalty number", "points card",
    # versions of an app or a device
    "version", "ver.", "build", "firmware", "release",
    # addresses
    "zip", "zip code", "zipcode", "postcode", "post code", "postal code", "plz", "postleitzahl",
    "индекс", "индекс на", "почтовый индекс", "street", "st.", "avenue", "ave", "road",
    "ул.", "улица", "д.", "дом",
    "room", "zimmer", "apartment", "apt", "flat", "suite", "unit", "po box", "p.o. box",
    "квартира", "кв.", "house", "floor", "buzzer", "intercom", "doorbell", "locker",
    "parcel box", "letterbox", "letter box", "mailbox",
    # journeys: "flight 1042", "train 1042", "bus 2150"
    "flight", "train", "bus", "tram", "platform", "gate", "seat",
    # codes, cards and phones
    "pin", "code", "password", "passwort", "код", "пин", "card", "karte", "карта", "ending",
    "ends in", "ends with", "tel", "tel.", "phone", "telefon", "телефон", "house number",
    "hausnummer", "номер дома", "ending in", "ending with", "visa", "mastercard", "amex",
    "maestro", "digits", "last 4", "last four", "ext", "ext.", "extension",
]
# Records, places and things that carry a number of their own, named with "no."/"nr"/
# "number" in between: "flat no. 1204", "card no. 4417", "customer no 44120", "invoice nr
# 20018", "loyalty number 771204". Alone those words name an order ("No:1042").
RECORD_NOUNS = [
    "flat", "room", "apartment", "apt", "apt.", "suite", "unit", "house", "floor", "locker",
    "box", "po box", "card", "gift card", "customer", "client", "account", "member", "membership",
    "loyalty", "invoice", "receipt", "ticket", "case", "item", "article", "part", "model",
    "serial", "tracking", "transaction", "voucher", "coupon", "flight", "train", "bus", "seat",
    "ext.", "extension", "phone", "tel.", "mobile",
]
NUMBER_WORDS = ["no", "no.", "nr", "nr.", "number", "num", "nos", "nos.", "n°", "nº", "#"]
# A flight or a train is named with its carrier's code between: "flight KL 1042", "train ICE
# 1042" (glued, "KL1042", it is a code anyway).
CARRIER_WORDS = ["flight", "train", "bus"]
# A street name after a house number, one or two words on: "1042 Elm Street", "1042 Main St".
STREETS_AFTER = ["street", "st", "avenue", "ave", "road", "rd", "lane", "ln", "boulevard", "blvd",
                 "drive", "dr", "parkway", "pkwy", "highway", "hwy", "court", "ct", "circle",
                 "terrace"]
# German street names end in these ("Hauptstraße 12", "Lindenweg 3"): no word boundary before.
STREET_ENDINGS = ["straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "damm"]
NOT_ORDER_SEPARATORS = [" ", ": ", ":", " is ", " ist ", " #", "#", "-"]
# A code or a card's digits told in a sentence: "the locker code was 4471", "the last four are
# 8812".
CODE_WORDS = ["code", "pin", "password", "digits", "last 4", "last four", "extension"]
CODE_VERBS = [" was ", " are "]
NOT_ORDER_SIGNS = ["$", "€", "£", "¥", "₽"]  # right before the number, or with a space
# A card number masked but for its last digits: "****4417", "•••• 4417" (markdown bold,
# "**58213**", has two stars).
MASKS = ["***", "•••", "···"]
# Query parameters and paths of a link that hold another number than an order's:
# "...&total=1299", "/products/4410-oak-lamp".
URL_NOT_ORDER_WORDS = ["total", "amount", "price", "sum", "qty", "quantity", "product",
                       "products", "item", "items", "sku", "variant", "page", "p", "category"]
URL_SEPARATORS = ["=", "/"]
# Chinese words may stand a few characters before the number ("房间号错了，是1808").
NOT_ORDER_WORDS_ZH = ["邮编", "邮政编码", "房间", "房间号", "电话", "手机", "型号", "货号", "商品编号",
                      "工单", "价格", "人民币", "路", "街"]
ZH_GAP = 4  # non-digit characters between such a word and the number

# A postcode before the name of a city: "1017 AB Amsterdam", "75011 Paris", "8001 Zürich",
# "10115 Berlin" (the Dutch one with its two letters). The cities of the countries the shop's
# customers write from; an order number is not followed by a city.
CITIES = [
    "amsterdam", "rotterdam", "den haag", "the hague", "utrecht", "eindhoven", "groningen",
    "brussels", "bruxelles", "brussel", "antwerp", "antwerpen", "ghent", "gent", "luxembourg",
    "paris", "lyon", "marseille", "toulouse", "nice", "bordeaux", "lille", "strasbourg",
    "berlin", "hamburg", "münchen", "munich", "köln", "cologne", "frankfurt", "stuttgart",
    "düsseldorf", "leipzig", "dresden", "hannover", "bremen", "nürnberg",
    "wien", "vienna", "graz", "salzburg", "zürich", "zurich", "genève", "geneva", "basel", "bern",
    "lausanne", "københavn", "copenhagen", "aarhus", "oslo", "bergen", "stockholm", "göteborg",
    "gothenburg", "malmö", "helsinki", "madrid", "barcelona", "valencia", "sevilla", "lisboa",
    "lisbon", "porto", "roma", "rome", "milano", "milan", "torino", "napoli", "warszawa",
    "warsaw", "kraków", "krakow", "praha", "prague", "budapest", "athens", "dublin",
]
# Australian states before a 4-digit postcode: "Sydney NSW 2000", "Melbourne VIC 3000".
AU_STATES = ["nsw", "vic", "qld", "tas"]

# A US ZIP code is 5 digits, like many order numbers: after a state ("Austin, TX 78701",
# "Boston, Massachusetts 02108") or "deliver/ship to" ("do you deliver to 90210") it is one.
# State codes that are also English words ("or", "in", "oh", "hi", ...) only count after the
# comma that ends the city ("Portland, OR 97205"): "1042 or 10431" lists two orders.
US_STATES = [
    "ak", "az", "ar", "ca", "ct", "dc", "fl", "ga", "ia", "il", "ks", "ky", "md", "mi", "mn", "mt",
    "nc", "nd", "ne", "nh", "nj", "nm", "nv", "ny", "ri", "sc", "sd", "tn", "tx", "ut", "va", "vt",
    "wa", "wi", "wv", "wy",
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
    "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
    "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey",
    "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
    "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah",
    "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming",
]
US_STATES_AFTER_COMMA = ["al", "co", "de", "hi", "id", "in", "la", "ma", "me", "mo", "ms", "oh",
                         "ok", "or", "pa"]
ZIP_WORDS = ["deliver to", "delivery to", "ship to", "shipping to", "deliver it to", "ship it to"]

# A clock time written without a colon ("at 1030", "by 1700", "from 0900 till 1300", "between
# 1030 and 1130"), after a word that introduces a time. "look at 1042" asks about an order.
TIME = r"(?:[01]\d|2[0-3])[0-5]\d(?!\d)"
TIME_WORDS = ["at", "by", "after", "before", "until", "till", "til", "around"]
NOT_TIME_WORDS = ["look at", "looking at", "looked at", "glance at"]
TIME_RANGE_WORDS = ["from", "between"]
TIME_RANGE_SEPARATORS = [" to ", " till ", " til ", " until ", " and ", " - ", " – "]

# The answer to the bot's question for the order number may start with a word or two: a
# year-like number is an order number then too ("It's 2031.", "ok 2025").
REPLY_WORDS = ["it's", "its", "it’s", "it is", "it was", "ok", "ok,", "okay", "yes", "yes,",
               "sure", "sure,", "sure, it's", "here:", "number is", "mine is", "mine's"]

# Order numbers listed with spaces only ("orders 7710 7711 7712", "7741 7742") look like the
# groups of a phone, card or code number ("0176 1234 5678", "6011 2233 4455"). A customer's
# orders written together were placed close together: they have the same length and begin
# with the same digits, where the groups of one phone or code number rarely do. A number
# beside such a group is in a list (unless four groups of four make a card number).
LIST_LEAD = 2
# ... and a range of orders, "orders 10421-10424", names its two ends after a word for several
# orders (the orders between are not in the text); its ends have the same length and begin
# with the same digits, as a list's. Other ranges are dates, times, sizes ("2024-2025").
RANGE_WORDS = ["orders", "orders:", "orders #", "order numbers", "order nos.", "nos.", "nos"]

# Units after a number: it counts something (amounts, quantities, durations, sizes).
UNITS = [
    "pieces", "piece", "pcs", "pc", "units", "unit", "items", "euros", "euro", "eur", "dollars",
    "dollar", "usd", "bucks", "pounds", "gbp", "chf", "yen", "years", "year", "days", "hours",
    "hrs", "minutes", "mins", "seconds", "weeks", "months", "km", "miles", "cm", "mm", "kg",
    "g", "lbs", "lb", "mah", "watts", "kwh", "mb", "gb", "tb", "people", "persons",
    "followers", "reviews", "times", "lumens", "calories", "kcal", "words", "grams", "gram",
    "liters", "litres", "ml", "inches", "inch", "feet", "ft", "orders", "customers", "clients",
    "users", "visitors", "kunden", "клиентов", "заказов",
    "aud", "cad", "sek", "nok", "dkk", "kr", "quid", "m", "rpm", "page", "pages", "sheets",
    "points", "pts", "model", "series", "views", "likes", "subscribers", "kw", "watt",
    "thread count", "in total",
    # the things a number before names: "the 2150 bus", "the 0815 train"
    "bus", "tram", "train", "flight",
    # things a customer orders by the hundred or thousand ("2500 labels", "1500 lids")
    "labels", "stickers", "prints", "mugs", "cups", "lids", "screws", "notebooks", "pens",
    "bottles",
    "stück", "stk", "jahre", "jahren", "tage", "tagen", "stunden", "minuten", "mal", "uhr",
    "leute", "personen",
    "штук", "штуки", "шт", "рублей", "рубля", "рубль", "руб", "р", "лет", "дней", "дня",
    "часов", "минут", "раз", "человек", "процентов", "год", "года", "году", "г",
]
UNITS_ZH = ["年", "元", "块", "件", "个", "次", "天", "人", "岁", "页", "张", "欧元", "美元", "小时", "分钟",
            "公里", "克", "米"]


def _words(words: Iterable[str], separators: Iterable[str], *, boundary: bool) -> list[str]:
    """Each word with each separator, escaped, `\\b` before a word that starts with a letter."""
    out = []
    for word in words:
        for sep in separators:
            text = re.escape(word + sep)
            out.append(("\\b" if boundary and word[0].isalpha() else "") + text)
    return out


def _width(fragment: str) -> int:
    """The width of an escaped literal with `\\b`, `\\d` or `[...]` classes (one character each)."""
    bare = re.sub(r"\(\?<[!=][^)]*\)", "", fragment)  # a look-behind inside has no width
    return len(re.sub(r"\\b|\\.|\[[^]]*\]", lambda m: "" if m.group() == "\\b" else "x", bare))


def _behind(fragments: Iterable[str], *, negative: bool) -> str:
    """Look-behinds for the fragments, one per width (Python needs a fixed width)."""
    by_width: dict[int, list[str]] = defaultdict(list)
    for fragment in dict.fromkeys(fragments):
        by_width[_width(fragment)].append(fragment)
    sign = "!" if negative else "="
    parts = [f"(?<{sign}{'|'.join(sorted(by_width[w]))})" for w in sorted(by_width)]
    return "".join(parts) if negative else "(?:" + "|".join(parts) + ")"


LENGTHS = range(4, 7)  # the digits of an order number


def _leads(name: str) -> str:
    """The first LIST_LEAD digits of the number ahead, captured in `name4`, `name5` or `name6`
    by its length."""
    return "(?:" + "|".join(rf"(?=(?P<{name}{n}>[1-9]\d{{{LIST_LEAD - 1}}})\d{{{n - LIST_LEAD}}}(?!\d))"
                            for n in LENGTHS) + ")"


def _same_as(name: str) -> str:
    """A number of the length captured by `_leads(name)` that begins with the same digits (a
    reference to a group that took no part fails)."""
    return "|".join(rf"(?P={name}{n})\d{{{n - LIST_LEAD}}}(?!\d)" for n in LENGTHS)


def _after_same(name: str, before: str, sep: str) -> str:
    """At a number: the number before it, after `before` and before `sep`, has its length and
    first digits."""
    return "|".join(rf"(?<={before}(?P<{name}{n}>[1-9]\d{{{LIST_LEAD - 1}}})\d{{{n - LIST_LEAD}}}{sep})"
                    rf"(?=(?P={name}{n})\d{{{n - LIST_LEAD}}}(?!\d))" for n in LENGTHS)


def pattern() -> str:
    digits = r"\d{4,6}"
    start = rf"(?={digits}(?!\d))(?<!\d)"  # first, so most positions fail at once
    # Part of a longer number: 1,042.50 / 05.12.2026 / 2026-12-05 / 3.14159 / 555-1234, and
    # digit groups (0176 1234 5678, +44 7700 900123, card and IBAN groups). A list of order
    # numbers joined by "," or "/" (1042,1043 / 5521/5522) is not one number, nor a list or a
    # range of them joined by spaces or a hyphen (see LIST_LEAD and RANGE_WORDS).
    joined_before = [r"\d[.:]"] + [rf"(?<!\d){d}[,/]" for d in (r"\d", r"\d\d", r"\d\d\d")]
    grouped_before = [r"\+\d ", r"\+\d\d ", r"\+\d\d\d "]
    # A list with spaces: the group before must not follow a short group or one that begins
    # with 0, as a phone number's do ("020 7946 7950", "0800 1234 1299").
    short_group = r"(?<!\d)" + "".join(
        rf"(?<!(?<!\d){d} )" for d in (r"\d", r"\d\d", r"\d\d\d", r"0\d\d\d", r"0\d\d\d\d", r"0\d\d\d\d\d"))
    grouped = rf"(?:(?<!\d\d\d )|{_after_same('prev', short_group, ' ')})"
    # ... but four groups of four digits are a card number ("4111 1111 1111 1111"), whichever
    # of the four the number is: k groups before it, 3 - k after.
    group = r"\d\d\d\d "
    not_card = "(?!" + "|".join(
        (f"(?<={group * k})" if k else "") + " ".join([r"\d{4}"] * (4 - k)) + r"(?!\d)"
        for k in range(4)) + ")"
    # A range: its first number after a word for several orders ("orders 10421-10424").
    range_before = _behind(_words(RANGE_WORDS, [" "], boundary=True), negative=False)
    hyphen = rf"(?:(?<!\d[-–])|{_after_same('start', range_before, '[-–]')})"
    # Sizes and multiples: "3840 x 2160", "3 x 1299".
    sizes_before = [r"\d x ", r"\d × "]
    # An address: a house number, then a comma or a line break, then the postcode
    # ("Hauptstraße 12, 10115 Berlin").
    house_before = [rf"(?<!\d){d}{sep}" for d in (r"\d", r"\d\d", r"\d\d\d") for sep in (", ", ",", r"\n")]
    glued_before = [f"[{LETTER}]", f"[{LETTER}]_", f"[{LETTER}]-"]
    signs = _words(NOT_ORDER_SIGNS + MASKS, ["", " "], boundary=False)
    words = (_words(NOT_ORDER_WORDS, NOT_ORDER_SEPARATORS, boundary=True)
             + _words(STREET_ENDINGS, [" "], boundary=False)
             + _words(CODE_WORDS, CODE_VERBS, boundary=True)
             + _words(URL_NOT_ORDER_WORDS, URL_SEPARATORS, boundary=True))
    zh_words = [re.escape(w) + r"\D" * gap for w in NOT_ORDER_WORDS_ZH for gap in range(ZH_GAP + 1)]
    # "flat no. 1204": a record noun before "no." (a look-behind in the look-behind of "no. ",
    # so that each stays of a fixed width), and "flight KL 1042": a carrier's code.
    record_before = _behind(_words(RECORD_NOUNS, [" "], boundary=True), negative=False)
    by_width: dict[int, list[str]] = defaultdict(list)
    for fragment in _words(NUMBER_WORDS, [*NOT_ORDER_SEPARATORS, ""], boundary=False):
        by_width[_width(fragment)].append(fragment)
    records = "".join(f"(?<!{record_before}(?:{'|'.join(by_width[w])}))" for w in sorted(by_width))
    carrier_before = _behind(_words(CARRIER_WORDS, [" "], boundary=True), negative=False)
    carriers = "".join(f"(?<!{carrier_before}{f'[{LETTER}]' * n} )" for n in (2, 3))
    left = "".join(f"(?<!{f})" for f in joined_before) + _behind(
        grouped_before + sizes_before + house_before + signs + words + zh_words, negative=True
    ) + hyphen + grouped + not_card + records + carriers
    glued_ok = _behind(_words(GLUED_ORDER_WORDS, [""], boundary=True), negative=False)
    glued = f"(?:{''.join(f'(?<!{f})' for f in glued_before)}|{glued_ok})"
    zip_before = (_words(US_STATES + ZIP_WORDS, [" "], boundary=True)
                  + [re.escape(f", {state} ") for state in US_STATES_AFTER_COMMA])
    au_before = _behind(_words(AU_STATES, [" "], boundary=True), negative=False)
    not_zip = (rf"(?!{_behind(zip_before, negative=False)}\d{{5}}(?!\d))"
               rf"(?!{au_before}\d{{4}}(?!\d))")
    time_before = _behind(_words(TIME_WORDS, [" "], boundary=True), negative=False)
    not_look = "".join(f"(?<!{w})" for w in _words(NOT_TIME_WORDS, [" "], boundary=True))
    range_words = _words(TIME_RANGE_WORDS, [" "], boundary=True)
    range_start = _behind(range_words, negative=False)
    range_end = _behind([rf"{w}\d\d\d\d{re.escape(sep)}"
                         for w in range_words for sep in TIME_RANGE_SEPARATORS], negative=False)
    separators = "|".join(re.escape(sep) for sep in TIME_RANGE_SEPARATORS)
    not_time = (rf"(?!{time_before}{not_look}{TIME}|{range_end}{TIME}"
                rf"|{range_start}{TIME}(?:{separators}){TIME})")
    units = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    units_zh = "|".join(re.escape(u) for u in sorted(UNITS_ZH, key=len, reverse=True))
    cities = "|".join(re.escape(c) for c in CITIES)
    right = (
        # glued letters (5800X3D, 1430h, dana1042@example.com), but not "and", "or", "pls"
        rf"(?!(?!(?:{'|'.join(GLUED_AFTER)})\b)[{LETTER}@])"
        r"(?![.:]\d)(?![,/]\d{1,3}(?!\d))(?![.,]-)"  # 1042.50, 2026-12-05, 1042,5, 1042,-
        rf"(?![-–](?!{_same_as('range')})\d)"  # unless the start of a range
        # digit groups unless a list (see LIST_LEAD), sizes ("3840 x 2160", not "1042 x 2")
        rf"(?! (?!{_same_as('lead')})\d{{3}})(?! [x×] \d\d)"
        rf"(?!(?:[^\S\n]+[{LETTER}]+){{0,2}}[^\S\n]+(?:{'|'.join(STREETS_AFTER)})\b)"  # on its line
        # a postcode before its city, the Dutch one with two capitals ("1017 AB Amsterdam")
        rf"(?![^\S\n]+(?:(?-i:[A-Z]{{2}})[^\S\n]+)?(?:{cities})\b)"
        # units; watts ("1200 W kettle") but not "w/" (with)
        rf"(?![^\S\n]?(?:[%％€$£¥₽]|(?:{units})\b|w\b(?!/)|{units_zh}|的\d+(?:\.\d+)?[%％]))"
    )
    order_before = _behind(
        _words(ORDER_WORDS, ORDER_SEPARATORS, boundary=True)
        + _words(ORDER_WORDS_ZH, ["", " ", "：", ":"], boundary=False), negative=False)
    # A year-like number is an order number after an order word, before 号 ("2031号订单"),
    # or alone in the message, maybe after a reply word (the answer to "which order?").
    reply = _behind([r"(?<![\s\S])" + w for w in _words(REPLY_WORDS, [" "], boundary=False)],
                    negative=False)
    year = (rf"(?:(?!(?:19\d|20[0-3])\d(?!\d))|{order_before}|(?=\d{{4}}号)"
            rf"|(?:(?<![\s\S])|{reply})(?=\d{{4}}[\s.!?]*$))")
    return (start + left + glued + not_zip + not_time + year + _leads("lead")
            + f"(?:{range_before}{_leads('range')})?" + digits + r"(?!\d)" + right)


def write(path: Path = REGEX_FILE) -> None:
    """Puts `pattern()` in place of the order_id example line of `path`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (at,) = [i for i, line in enumerate(lines) if line.strip() == "- regex: order_id"]
    example = next(i for i in range(at, len(lines)) if lines[i].lstrip().startswith("- ")
                   and i > at + 1)
    indent = lines[example][: len(lines[example]) - len(lines[example].lstrip())]
    lines[example] = f"{indent}- {pattern()}\n"
    path.write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    write()
