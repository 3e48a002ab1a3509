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

The fourth development set (order_id_dev_en4.yml: every intent of a shop's chat, the owner's
metrics, staff notes, letters, dictation, text copied from e-mails and web pages) added: zeros
that pad a number after an order word are left out ("order #001042" is 1042) and a parcel's
suffix after one is allowed ("order 10425-1", "10425/2"); amounts named by a bill, a price cut
or the owner's metrics ("subtotal", "fee", "reduced to", "revenue", "AOV", "above", "number of
orders"), approximated or compared ("paid about 1200", "revenue > 10000"), after a no-break
space or a tab, after a thing and "was" ("the sofa was 1299"), after an order's number and
"shows"/"costs", as a part ("250 of 1299") or in a table's cell after a date or an amount;
the buyer's and couriers' documents and the records of people and places (a purchase order,
a quote, a claim, a batch, a store, an employee, a user, a building, a stand); brands before a
model number ("Vitamix 5200"); units of light, paper, print, air, pressure, speed and area
("2700 kelvin", "80 gsm", "1200 dpi", "5000 BTU", "1200 sq ft", "4000 K"), "+ VAT", "/month";
a product's code before "x2"; clock times after "ETA", after "from" on the quarter hour ("home
from 1400") and at the end of a range that begins with a leading zero ("0800 to 1630");
postcodes of all Australian states ("Perth WA 6000", in capitals), after "NY, ", a Dutch one
without its city ("1017 AB"), before more Belgian, Austrian, Swiss, Nordic and Dutch cities;
house numbers before "N. Lakeview Drive", "W 5th St", "Broadway"; a correction of a number of
another kind stays of that kind ("my flat is 1204 not 1240", "paid 1200 not 1020"); a year
compared ("orders 2025 vs 2024") is a year even after "orders".

The fifth (order_id_dev_grouped.yml, four languages) added order numbers written in digit
groups, "order 10 425", "Bestellung 10.425", "заказ №\xa010\xa0425", "订单10,425" (see
GROUP_SEPARATORS): after an order word or alone as the answer, as a year-like number, and not
as a count. Rasa takes the matched text as the value ("10 425"); the OrderIdFilter component
(rasa_runtime/components/order_id_filter.py) keeps its digits, so the slot and the actions get
"10425", and the tests score the regex on those digits.

Rasa's RegexEntityExtractor runs it with `re.finditer(pattern, text, re.IGNORECASE)` on every
message, and so does the RegexFeaturizer: it must be one line of Python `re`, and fast.
Python's look-behinds must have a fixed width, so the words before a number are grouped by
length, one look-behind per length.

`.venv/bin/python -m nlu.order_id_regex` writes the pattern into data/nlu/regex.yml;
tests/nlu_tooling/test_order_id_regex.py checks that the file holds this module's pattern and
scores it on tests/nlu_tooling/order_id_dev.yml, order_id_dev_en2.yml, order_id_dev_en3.yml,
order_id_dev_en4.yml and order_id_dev_grouped.yml.
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
# The commonest of them, for the rules that need them more than once (leading zeros, a parcel's
# suffix), so that the regex stays small.
SHORT_ORDER_WORDS = ["order", "orders", "ord", "order no.", "order no", "order nr", "order number",
                     "order id", "no.", "no", "nr", "nr.", "number", "id", "#", "ref", "parcel", "package"]
SHORT_ORDER_SEPARATORS = ["", " ", ": ", ":", " #", " # ", "#", "-", " is "]
ORDER_WORDS_ZH = ["订单", "订单号", "单号", "订单编号", "号"]
# What stands between an order word and the number; a no-break space too, as Russian typography
# sets one after "№" and web pages copied into the chat keep ("Order\xa0No.\xa010\xa0425").
ORDER_SEPARATORS = ["", " ", ": ", ":", " #", " # ", "#", "-", "_", " is ", " ist ", " - ", "\xa0"]
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
# Words for an amount, a price or a count.
AMOUNT_WORDS = [
    "usd", "eur", "gbp", "chf", "rs", "rub", "руб", "руб.", "cny", "rmb",
    "aud", "cad", "sek", "nok", "dkk", "kr",
    "% of", "% von", "% от", "percent of", "prozent von", "процентов от",
    "price", "prices", "priced at", "cost", "costs", "paid", "pay", "spent", "spend", "budget",
    "total", "worth", "over", "more than", "at least", "up to",
    "budget of", "refund of", "amount of", "sum of", "total of", "cost of", "price of",
    "value of", "payment of", "charge of",
    # more amounts: what a bill, a price cut or the owner's metrics name ("subtotal 1299",
    # "reduced to 1049", "revenue 12500", "AOV was 1250", "orders above 1000", "charged 1299")
    "subtotal", "sub-total", "fee", "deposit", "balance", "discount", "discount of", "charged",
    "reduced to", "down to", "dropped to", "approx.", "approx", "approximately", "roughly",
    "revenue", "turnover", "profit", "margin", "aov", "gmv", "income", "target", "goal",
    "above", "below", "less than", "fewer than", "at most", "number of orders",
    "order count", "count", "more like", "closer to", "paid full", "full price", "now it's",
    "now it is", "now its", "now only", "now just",
    # a price something is seen or sold at ("I saw it for 1199"; "do it for 10425" is an order)
    "saw it for", "seen it for", "got it for", "found it for", "bought it for", "sell it for",
    "selling it for", "sold it for", "get it for", "got them for", "saw them for", "selling for",
    "sells for", "sold for", "listed for", "on sale for", "available for", "retails for",
    # a quantity ordered or bought: "I ordered 1200 business cards"
    "ordered", "bought",
    # quantities
    "qty", "qty.", "quantity",
]
# Words after which a number is something else.
NOT_ORDER_WORDS = [
    *AMOUNT_WORDS,
    # products and other records of the shop that are not orders
    "rtx", "gtx", "rx", "radeon", "geforce", "model", "modell", "модель", "sku",
    # brands and product lines a model number follows ("Vitamix 5200", "HP LaserJet 1022",
    # "Philips 3200 LatteGo")
    "vitamix", "laserjet", "officejet", "deskjet", "pixma", "ecotank", "philips", "dyson",
    "bosch", "siemens", "miele", "samsung", "lg", "sony", "canon", "epson", "nikon", "hp",
    "kitchenaid", "breville", "delonghi", "de'longhi", "nespresso", "thermomix", "kenwood",
    "braun", "tefal", "roomba", "xiaomi", "garmin", "fitbit", "logitech", "lenovo", "dell",
    "asus", "acer", "galaxy", "pixel", "playstation", "xbox", "series",
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
    # documents of the buyer or of a courier, and records of people and places: "PO 4410",
    # "purchase order 44120", "quote 10425", "claim number 88120", "batch 4410", "store 1042",
    # "employee 4410", "user id 20561", "cost centre 4410" ("review 10425" may ask to review an
    # order: a review's number needs "no."/"id", as in RECORD_NOUNS)
    "po", "p.o.", "po#", "purchase order", "quote", "quotation", "estimate", "proforma", "claim",
    "batch", "store", "branch", "employee", "staff", "driver", "user", "profile",
    "cost centre", "cost center", "lego", "lego set", "set no.",
    # versions of an app or a device
    "version", "ver.", "build", "firmware", "release",
    # addresses
    "zip", "zip code", "zipcode", "postcode", "post code", "postal code", "plz", "postleitzahl",
    "индекс", "индекс на", "почтовый индекс", "street", "st.", "avenue", "ave", "road",
    "ул.", "улица", "д.", "дом",
    "room", "zimmer", "apartment", "apt", "flat", "suite", "unit", "po box", "p.o. box",
    "квартира", "кв.", "house", "floor", "buzzer", "intercom", "doorbell", "locker",
    "building", "block", "plot", "stand", "booth", "level", "door",
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
    "claim", "return", "refund", "quote", "po", "purchase order", "user", "profile", "lot", "batch",
    "store", "employee", "driver", "review",
]
NUMBER_WORDS = ["no", "no.", "nr", "nr.", "number", "num", "nos", "nos.", "n°", "nº", "#", "id", "ref",
                "ref.", "reference"]
# A flight or a train is named with its carrier's code between: "flight KL 1042", "train ICE
# 1042" (glued, "KL1042", it is a code anyway).
CARRIER_WORDS = ["flight", "train", "bus"]
# A street name after a house number, one or two words on: "1042 Elm Street", "1042 Main St",
# "2210 N. Lakeview Drive", "1042 W 5th St"; "1042 Broadway" has none.
STREETS_AFTER = ["street", "st", "avenue", "ave", "road", "rd", "lane", "ln", "boulevard", "blvd",
                 "drive", "dr", "parkway", "pkwy", "highway", "hwy", "court", "ct", "circle",
                 "terrace", "broadway", "plaza", "square", "crescent"]
# German street names end in these ("Hauptstraße 12", "Lindenweg 3"): no word boundary before.
STREET_ENDINGS = ["straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "damm"]
# Between such a word and the number; copied from a web page or an e-mail, a no-break space
# or a tab ("Subtotal:\xa01299").
NOT_ORDER_SEPARATORS = [" ", ": ", ":", " is ", " ist ", " was ", " #", "#", "-"]
# An amount approximated or compared ("paid about 1200", "revenue > 10000"), what a card holds
# ("a gift card with 1000 on it") or a bill shows ("the invoice shows 1299"), and, copied from
# a web page or an e-mail, after a no-break space or a tab ("Subtotal:\xa01299"). Only after
# the words for amounts and the things that hold them: "I called the customer about 10425"
# names an order.
AMOUNT_SEPARATORS = [" about ", " around ", " roughly ", " > ", " < ", " with ", " shows ",
                     "\xa0", ":\xa0", "\t", ":\t"]
HOLDERS = ["card", "gift card", "voucher", "account", "invoice", "receipt", "bill", "statement"]
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
    "leuven", "liège", "liege", "namur", "mechelen", "brugge", "bruges", "hasselt", "charleroi",
    "linz", "innsbruck", "klagenfurt", "st. pölten", "lugano", "luzern", "lucerne", "winterthur",
    "st. gallen", "københavn", "kobenhavn", "aalborg", "odense", "esbjerg", "århus", "trondheim",
    "stavanger", "uppsala", "västerås", "tampere", "espoo", "turku", "haarlem", "leiden",
    "arnhem", "nijmegen", "tilburg", "breda", "maastricht",
]
# Australian states before a 4-digit postcode: "Sydney NSW 2000", "Melbourne VIC 3000".
AU_STATES = ["nsw", "vic", "qld", "tas"]
# ... and those that are also words or US states, in capitals only: "Perth WA 6000", "Adelaide
# SA 5000", "Darwin NT 0800", "Canberra ACT 2601".
AU_STATES_CAPITALS = ["WA", "SA", "NT", "ACT"]
# A Dutch postcode without its city: four digits, then two capitals ("1017 AB"), unless the
# capitals are a word or an abbreviation a customer writes after an order number ("1042 OK").
NOT_POSTCODE_LETTERS = ["OK", "AM", "PM", "NO", "ID", "TV", "UK", "US", "EU", "PC", "IT", "IS", "OR",
                        "IN", "ON", "AT", "TO", "BY", "MY", "SO", "DO", "GO", "UP", "HI", "OH", "ME",
                        "WE", "BE", "AN", "AS", "IF", "OF", "NL", "DE", "FR", "BE", "CH", "AT", "XL"]

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
# ... and a state's code before a comma: "Brooklyn, NY, 11201".
ZIP_WORDS = ["deliver to", "delivery to", "ship to", "shipping to", "deliver it to", "ship it to"]

# A clock time written without a colon ("at 1030", "by 1700", "from 0900 till 1300", "between
# 1030 and 1130"), after a word that introduces a time. "look at 1042" asks about an order.
TIME = r"(?:[01]\d|2[0-3])[0-5]\d(?!\d)"
TIME_WORDS = ["at", "by", "after", "before", "until", "till", "til", "around", "eta"]
NOT_TIME_WORDS = ["look at", "looking at", "looked at", "glance at"]
TIME_RANGE_WORDS = ["from", "between"]
TIME_RANGE_SEPARATORS = [" to ", " till ", " til ", " until ", " and ", " - ", " – "]
# "I'm home from 1400": after "from" alone, a clock time on the quarter hour ("the kettle from
# 1042" names an order); and the end of a range that begins with a time with a leading zero
# ("at work 0800 to 1630", "0900 - 1300": an order number has no leading zero).
QUARTER_TIME = r"(?:[01]\d|2[0-3])(?:00|15|30|45)(?!\d)"
FROM_WORDS = ["from"]

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
# A suffix the shop prints for one parcel of an order, after an order word: "order 10425-1",
# "parcel 10425/2", "order 30871-01" (one digit, or two with a leading zero: "orders 2025/26"
# are a year's).
SUFFIX = r"[-–/]0?\d(?![\d]|[-./,:]\d)"
# A correction names the same kind of number as the one it corrects: "my flat is 1204 not
# 1240", "paid 1200 not 1020", "the wrong house: 1420 not 1402" (and "it's 10452 not 10425"
# two orders). The number after one of these, of the same length as the number before it,
# where that one follows a word for another kind of number (the commonest of NOT_ORDER_WORDS,
# so that the regex stays small), is of that kind ("I paid 1299 and 10425 is still not here").
CORRECTIONS = [" not ", ", not ", " and ", " or ", ", maybe ", " maybe "]
CORRECTED_WORDS = ["flat", "apartment", "apt", "house", "room", "unit", "suite", "floor", "building",
                   "paid", "price", "cost", "charged", "total", "subtotal", "model", "sku", "item",
                   "customer", "account", "zip", "postcode", "code", "pin", "locker", "card", "store"]
CORRECTED_SEPARATORS = [" ", ": ", " is ", " about "]
# "the sofa was 1299", "66012 was 1299": a price after a thing and "was"; after an order word,
# a pronoun or a word for the one meant it is an order ("my order was 5518", "it was 10425",
# "why was 10477 refunded", "the one I meant was 10425").
THING_VERBS = ["was"]
# ... and after an order's number, what it shows or costs: "the invoice for 58219 shows 1299".
NUMBER_VERBS = ["shows", "costs", "cost", "came to"]
WAS_ORDER_WORDS = ["it", "its", "mine", "one", "that", "this", "which", "why", "what", "where", "when",
                   "how", "meant", "mean", "got", "problem", "issue", "first", "second", "last", "other"]
# A year compared with another is a year, even after "orders": "how many orders 2025 vs 2024?"
COMPARE_WORDS = ["vs", "vs.", "versus", "compared", "against"]
RANGE_WORDS = ["orders", "orders:", "orders #", "order numbers", "order nos.", "nos.", "nos"]

# An order number written in digit groups, "10 425", "10,425", "10.425", "10’425", "104 233": a
# first group of 1-3 digits (no leading zero: the store's numbers have none) and one group of
# three, joined by what writes a number's thousands: a space by hand, a comma in English and
# Chinese (and dictation), a dot in German, an apostrophe in Swiss German, a no-break, narrow
# no-break or thin space in Russian and French number formats (a confirmation copied into the
# chat). Not a hyphen: no number format groups with one, and between digits it is a range, a
# Polish or Portuguese postcode ("02-495"), a phone's part or the shop's parcel suffix.
# Numbers in groups are mostly amounts and counts, so one is an order number only where a
# year-like number is (after an order word, or alone as the answer), never joined to more
# groups (a phone, a card, an IBAN), and not as a count: a single digit before a space
# ("order 3 100-packs", "2 500 g"), after a plural ("orders: 1,250 last month", "заказов
# 1 250"), or after "order" as a verb ("we want to order 5,000 flyers").
GROUP_SEPARATORS = " \u00a0\u202f\u2009,.'’"
PLURAL_ORDER_WORDS = ["orders", "bestellungen", "заказы", "заказов"]
ORDER_VERBS = ["order", "purchase"]
BEFORE_ORDER_VERBS = ["to", "i", "we", "you", "they", "can", "could", "would", "will", "i'd", "we'd",
                      "want", "wanna", "should", "shall", "must", "might", "may", "let's", "also"]

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
    # measures of light, paper, print, air, pressure, speed, area ("2700 kelvin", "80 gsm",
    # "1200 dpi", "5000 BTU", "1500 psi", "3000 Mbps", "1200 sq ft"), counted cards and returns
    "kelvin", "dpi", "gsm", "btu", "psi", "pa", "mbps", "gbps", "kbps", "mhz", "ghz", "hz", "lux",
    "sq ft", "sq m", "sqft", "sq", "square feet", "square metres", "square meters", "m2", "m²",
    "cards", "business cards", "returns",
    # what an amount is ("1200 + VAT", "1200 excl. VAT", "1500/month", "1250 store credit")
    "+ vat", "+vat", "vat", "excl", "incl", "ex vat", "net", "gross", "per month", "per year",
    "a month", "a year", "each", "/month", "/mo", "/year", "/yr", "/week", "/day", "/night",
    "/piece", "/unit", "/person", "store credit", "credit",
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


def _not_after(words: Iterable[str], separators: Iterable[str]) -> str:
    """Negative look-behinds for each word with each separator, grouped by separator: a
    separator's words are tried only where the text before the number ends with it, so that a
    long word list costs little (one look-behind per separator and word width). In a negative
    look-ahead, which the matcher does not backtrack into."""
    out = []
    for sep in separators:
        by_width: dict[int, list[str]] = defaultdict(list)
        for word in dict.fromkeys(words):
            fragment = ("\\b" if word[0].isalpha() else "") + re.escape(word)
            by_width[_width(fragment)].append(fragment)
        tail = re.escape(sep)
        inner = "|".join(f"(?<=(?:{'|'.join(sorted(by_width[w]))}){tail})" for w in sorted(by_width))
        out.append(f"(?!(?<={tail})(?:{inner}))")
    return "".join(out)


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
    order_before = _behind(
        _words(ORDER_WORDS, ORDER_SEPARATORS, boundary=True)
        + _words(ORDER_WORDS_ZH, ["", " ", "：", ":"], boundary=False), negative=False)
    # Zeros that pad an order number after an order word ("order #001042") are not part of it.
    short_order = _behind(_words(SHORT_ORDER_WORDS, SHORT_ORDER_SEPARATORS, boundary=True), negative=False)
    zeros = "(?<=0)(?:" + "|".join(rf"(?<={short_order}{'0' * n})" for n in range(1, 4)) + ")"
    # In groups (see GROUP_SEPARATORS): "10 425", "10,425"; the separators that are not ASCII as
    # escapes, so that regex.yml shows them.
    group_separators = "".join(c if c.isascii() else f"\\u{ord(c):04x}" for c in GROUP_SEPARATORS)
    in_groups = rf"[1-9]\d{{0,2}}[{group_separators}]\d{{3}}(?!\d)"
    start = rf"(?=(?:{digits}|{in_groups})(?!\d))(?:(?<!\d)|{zeros})"  # first, so most positions fail at once
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
    # A part of a whole ("a refund of 250 of 1299"), and a table's cell after a cell that holds
    # a date or an amount ("10426\t06/03/2026\t1299", "89.90\t1299").
    part_before = [r"\d of ", r"[./,]\d\d\t", r"[./,]\d\d\d\d\t"]
    # ... and a cell of a table with bars after a cell of words ("2 items | 1299 | Paid"), but
    # not after an order word ("Order | 10425"): a list of orders has digits before ("1042 | 1043").
    # (Here and below, "fails if A and not B" is a negative look-ahead: the matcher does not
    # backtrack into it to try B again at every position.)
    order_cell = _behind(_words(ORDER_WORDS, [" | "], boundary=True), negative=False)
    cell = rf"(?!(?<=[{LETTER}] \| )(?!{order_cell}))"
    # An address: a house number, then a comma or a line break, then the postcode
    # ("Hauptstraße 12, 10115 Berlin").
    house_before = [rf"(?<!\d){d}{sep}" for d in (r"\d", r"\d\d", r"\d\d\d") for sep in (", ", ",", r"\n")]
    glued_before = [f"[{LETTER}]", f"[{LETTER}]_", f"[{LETTER}]-"]
    signs = _words(NOT_ORDER_SIGNS + MASKS, ["", " "], boundary=False)
    words = (_words(STREET_ENDINGS, [" "], boundary=False)
             + _words(CODE_WORDS, CODE_VERBS, boundary=True)
             + _words(URL_NOT_ORDER_WORDS, URL_SEPARATORS, boundary=True))
    zh_words = [re.escape(w) + r"\D" * gap for w in NOT_ORDER_WORDS_ZH for gap in range(ZH_GAP + 1)]
    # "flat no. 1204": a record noun before "no." (a look-behind in the look-behind of "no. ",
    # so that each stays of a fixed width), and "flight KL 1042": a carrier's code.
    record_before = _behind(_words(RECORD_NOUNS, [" ", " ("], boundary=True), negative=False)
    by_width: dict[int, list[str]] = defaultdict(list)
    for fragment in _words(NUMBER_WORDS, [*NOT_ORDER_SEPARATORS, ""], boundary=False):
        by_width[_width(fragment)].append(fragment)
    records = "".join(f"(?<!{record_before}(?:{'|'.join(by_width[w])}))" for w in sorted(by_width))
    carrier_before = _behind(_words(CARRIER_WORDS, [" "], boundary=True), negative=False)
    carriers = "".join(f"(?<!{carrier_before}{f'[{LETTER}]' * n} )" for n in (2, 3))
    left = "".join(f"(?<!{f})" for f in joined_before) + _behind(
        grouped_before + sizes_before + part_before + house_before + signs + words + zh_words, negative=True
    ) + (_not_after(NOT_ORDER_WORDS, NOT_ORDER_SEPARATORS)
         + _not_after(AMOUNT_WORDS + HOLDERS, AMOUNT_SEPARATORS)
         + "".join(rf"(?<!\d {re.escape(verb)} )" for verb in NUMBER_VERBS)
         + cell + hyphen + grouped + not_card + records + carriers)
    glued_ok = _behind(_words(GLUED_ORDER_WORDS, [""], boundary=True), negative=False)
    glued = f"(?:{''.join(f'(?<!{f})' for f in glued_before)}|{glued_ok})"
    zip_before = (_words(US_STATES + ZIP_WORDS, [" "], boundary=True)
                  + [re.escape(f", {state} ") for state in US_STATES_AFTER_COMMA])
    zip_before += _words([s for s in US_STATES if len(s) == 2], [", "], boundary=True)
    zip_before += [re.escape(f", {state}, ") for state in US_STATES_AFTER_COMMA]
    au_before = _behind(_words(AU_STATES, [" "], boundary=True), negative=False)
    au_capitals = _behind(_words(AU_STATES_CAPITALS, [" "], boundary=True), negative=False)
    not_zip = (rf"(?!{_behind(zip_before, negative=False)}\d{{5}}(?!\d))"
               rf"(?!{au_before}\d{{4}}(?!\d))(?!(?-i:{au_capitals})\d{{4}}(?!\d))")
    time_before = _behind(_words(TIME_WORDS, [" "], boundary=True), negative=False)
    not_look = "".join(f"(?<!{w})" for w in _words(NOT_TIME_WORDS, [" "], boundary=True))
    range_words = _words(TIME_RANGE_WORDS, [" "], boundary=True)
    range_start = _behind(range_words, negative=False)
    range_end = _behind([rf"{w}\d\d\d\d{re.escape(sep)}"
                         for w in range_words for sep in TIME_RANGE_SEPARATORS], negative=False)
    separators = "|".join(re.escape(sep) for sep in TIME_RANGE_SEPARATORS)
    from_before = _behind(_words(FROM_WORDS, [" "], boundary=True), negative=False)
    zero_end = _behind([rf"(?<!\d)0\d\d\d{re.escape(sep)}" for sep in TIME_RANGE_SEPARATORS],
                       negative=False)
    not_time = (rf"(?!{time_before}{not_look}{TIME}|{range_end}{TIME}"
                rf"|{range_start}{TIME}(?:{separators}){TIME}|{from_before}{QUARTER_TIME}|{zero_end}{TIME})")
    units = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    units_zh = "|".join(re.escape(u) for u in sorted(UNITS_ZH, key=len, reverse=True))
    cities = "|".join(re.escape(c) for c in CITIES)
    right = (
        # glued letters (5800X3D, 1430h, dana1042@example.com), but not "and", "or", "pls"
        rf"(?!(?!(?:{'|'.join(GLUED_AFTER)})\b)[{LETTER}@])"
        r"(?![.:]\d)(?![.,]-)"  # 1042.50, 2026-12-05, 1042,-
        # 1042,5, 2026/27, 2026-12-05, unless the start of a range or a parcel's suffix
        rf"(?:(?(named)(?={SUFFIX})|(?!))|(?![,/]\d{{1,3}}(?!\d))(?![-–](?!{_same_as('range')})\d))"
        # digit groups unless a list (see LIST_LEAD), sizes ("3840 x 2160", not "1042 x 2")
        rf"(?! (?!{_same_as('lead')})\d{{3}})(?! [x×] \d\d)"
        # a product's code before its quantity glued to "x" ("SKU 4411 x2"; "1042 x 2" is left alone)
        r"(?![^\S\n]?[x×]\d{1,2}\b)"
        rf"(?!(?:[^\S\n]+(?:[{LETTER}]+\.?|\d+(?:st|nd|rd|th)\b)){{0,2}}[^\S\n]+"
        rf"(?:{'|'.join(STREETS_AFTER)})\b)"  # on its line
        # a postcode before its city, the Dutch one with two capitals ("1017 AB Amsterdam")
        rf"(?![^\S\n]+(?:(?-i:[A-Z]{{2}})[^\S\n]+)?(?:{cities})\b)"
        rf"(?!(?<=(?<!\d)\d{{4}})[^\S\n]?(?-i:(?!(?:{'|'.join(NOT_POSTCODE_LETTERS)})\b)[A-Z]{{2}}\b))"
        # units; watts ("1200 W kettle") but not "w/" (with); kelvin as a capital ("4000 K")
        rf"(?![^\S\n]?(?:[%％€$£¥₽]|(?:{units})\b|w\b(?!/)|(?-i:K\b)|{units_zh}|的\d+(?:\.\d+)?[%％]))"
    )
    # A year-like number, or one in groups, is an order number after an order word, before 号
    # ("2031号订单", "1,042号订单"), or alone in the message, maybe after a reply word (the answer
    # to "which order?").
    reply = _behind([r"(?<![\s\S])" + w for w in _words(REPLY_WORDS, [" "], boundary=False)],
                    negative=False)
    compare = "|".join(re.escape(w) for w in COMPARE_WORDS)
    year_like = r"(?:19\d|20[0-3])\d(?!\d)"
    year = (rf"(?!(?:19\d|20[0-3])\d[^\S\n]+(?:{compare})(?!\w))"
            rf"(?:(?!{year_like}|{in_groups})|{order_before}|(?=(?:\d{{4}}|{in_groups})号)"
            rf"|(?:(?<![\s\S])|{reply})(?=(?:\d{{4}}|{in_groups})[\s.!?]*$))")
    corrected = _behind(_words(CORRECTED_WORDS, CORRECTED_SEPARATORS, boundary=True), negative=False)
    guard = "|".join(f"(?<={re.escape(sep[-4:])})" for sep in CORRECTIONS)
    sep_widths: dict[int, list[str]] = defaultdict(list)
    for sep in CORRECTIONS:
        sep_widths[len(sep)].append(re.escape(sep))
    corrected_numbers = "|".join(rf"(?<={corrected}\d{{{n}}}(?:{'|'.join(seps)}))(?=\d{{{n}}}(?!\d))"
                                 for n in LENGTHS for seps in sep_widths.values())
    corrections = f"(?!(?:{guard})(?:{corrected_numbers}))"
    verbs = [f" {verb} " for verb in THING_VERBS]
    was_ok = _behind(_words(WAS_ORDER_WORDS + ORDER_WORDS, verbs, boundary=True), negative=False)
    was = "(?!(?:" + "|".join(rf"(?<=[{LETTER}\d]{re.escape(v)})" for v in verbs) + f")(?!{was_ok}))"
    # An order word before: a parcel's suffix may follow.
    named = rf"(?:(?=\d{{4,6}}{SUFFIX}){short_order}(?P<named>))?"
    number = (named + _leads("lead") + f"(?:{range_before}{_leads('range')})?" + digits + r"(?!\d)")
    # In groups: not a count (one digit before a space, after a plural or "order" as a verb), and
    # no more groups after it (a phone, a card, an IBAN: "мой номер 916 123 45 67").
    verbs_before = [f"{verb} {word}" for verb in BEFORE_ORDER_VERBS for word in ORDER_VERBS]
    grouped_number = (r"(?!\d )" + _not_after(PLURAL_ORDER_WORDS, ORDER_SEPARATORS)
                      + _not_after(verbs_before, [" "]) + in_groups + rf"(?![{group_separators}]\d)")
    return (start + left + glued + not_zip + not_time + year + was + corrections
            + f"(?:{number}|{grouped_number})" + right)


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
