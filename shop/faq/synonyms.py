"""What shop customers ask about, in the words of each language: a small hand-written table of
shop-domain concepts applied to FAQ entries and questions alike (shop/faq/retrieval.py), so that
"parcel", "package" and "Paket" meet "delivery", "money back" meets "refund", and a German,
Russian or Chinese question finds an entry the shop wrote in another language.

General, not per entry: each concept is what any small online shop's customers ask about, with
the ways they say it. A key matches a word that starts with it ("deliver" matches "delivery",
"deliveries"), or with a trailing "$" only the whole word ("eu$"), or with a leading "*" anywhere
inside a word (German compounds: "*kosten" in "Versandkosten"); a key with a space matches those
words in a row, the last as a prefix ("money back"); Chinese keys match anywhere in the text.
Keys are written in lower case and without accents on Latin letters ("ruckgabe" for "Rückgabe"),
as `fold` writes text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

CONCEPTS: dict[str, tuple[str, ...]] = {
    "send": (  # sending goods to the customer
        "ship", "deliver", "dispatch", "send", "sent$", "post$", "postage", "postal", "mail$",
        "arrive", "transit", "receive", "get here", "be here",
        "versand", "versend", "liefer", "schick", "zustell", "verschick", "porto", "ankomm",
        "ankunft",
        "достав", "отправ", "присыл", "пришл", "высыл", "пересыл", "прид", "дойд", "везет", "везёт",
        "发货", "寄", "送货", "送到", "配送", "邮寄", "运送", "发到", "运费", "到货", "收到",
        "收货", "邮费"),
    "parcel": (
        "parcel", "package", "packet", "shipment", "box$",
        "paket", "sendung",
        "посылк", "пакет", "коробк",
        "包裹", "快递"),
    "carrier": (
        "carrier", "courier", "dhl$", "dpd$", "gls$", "ups$", "hermes", "fedex", "tnt$",
        "delivery company", "shipping company", "delivery service", "shipping provider",
        "delivery firm", "postal service", "post service", "mail service", "bring$", "brings$",
        "paketdienst", "zusteller", "kurier", "versanddienst", "lieferdienst", "mit wem",
        "курьер", "служб", "транспортн", "почтой",
        "快递公司", "物流", "哪家快递", "什么快递"),
    "cost": (
        "cost", "price", "fee", "charge", "cheap", "expensive", "how much", "pay for", "extra",
        "postage", "euro$", "euros$", "eur$", "amount", "total$", "order value", "basket", "cart$",
        "kost", "*kosten", "preis", "*preis", "gebuhr", "*gebuhr", "teuer", "gunstig", "porto", "wie hoch",
        "bestellwert", "mindestbestell", "warenkorb",
        "стоим", "стоит", "цен", "дорог", "дешев", "платн", "доплат", "евро$", "сумм", "корзин",
        "费", "多少钱", "价格", "价钱", "收费", "贵", "便宜", "欧元"),
    "free": (
        "free", "complimentary", "no charge",
        "kostenlos", "gratis", "umsonst", "frei$",
        "бесплатн",
        "免费", "包邮"),
    "duration": (
        "how long", "how many days", "how soon", "days$", "weeks$", "until",
        "when will", "when do", "when would", "when can", "when should", "usual", "expect it",
        "time$", "times$",
        "expect my",
        "wait", "working days",
        "dauer", "wie lange", "wann", "tage$", "*zeit", "braucht",
        "долго", "дней", "срок", "когда", "сколько времени", "через сколько", "ждать", "сколько ид",
        "обычно",
        "多久", "多长时间", "几天", "时间", "什么时候", "多少天"),
    "fast": (
        "fast", "quick", "express", "expedit", "urgent", "tomorrow", "next day", "next-day",
        "overnight", "rush", "asap", "faster", "sooner", "premium", "priority", "emergency", "same day",
        "same-day",
        "express", "*express", "schnell", "eil", "morgen", "uber nacht", "beschleunig", "noch heute",
        "am selben tag",
        "экспресс", "срочн", "быстр", "побыстр", "завтра", "ускор", "в тот же день",
        "加急", "加快", "次日", "明天", "特快", "急", "当天"),
    "country": (
        "country", "countries", "abroad", "international", "worldwide", "overseas", "foreign",
        "europe", "eu$", "austria", "switzerland", "swiss", "france", "italy", "spain", "poland",
        "netherlands", "holland", "belgium", "denmark", "sweden", "norway", "uk$", "britain",
        "england", "ireland", "us$", "usa$", "america", "canada", "czech", "portugal",
        "finland", "greece", "hungary", "luxembourg", "latvia", "lithuania", "estonia",
        "slovakia", "slovenia", "croatia", "romania", "bulgaria", "iceland", "scotland", "wales",
        "brexit", "outside$", "moving to", "move to",
        "vienna", "paris", "rome$", "madrid", "barcelona", "amsterdam", "london", "zurich",
        "prague", "warsaw", "copenhagen", "stockholm", "oslo", "brussels", "lisbon", "dublin",
        "budapest", "athens",
        "land$", "lander", "ausland", "*ausland", "osterreich", "schweiz", "frankreich",
        "italien", "spanien", "polen", "niederlande", "europa", "danemark", "schweden",
        "norwegen", "finnland", "belgien", "luxemburg", "tschechien", "ungarn", "irland",
        "grossbritannien", "griechenland", "lettland", "litauen", "estland", "wien$",
        "стран", "границ", "заграниц", "рубеж", "европ", "австри", "швейцар", "франци",
        "итали", "испани", "польш", "чехи", "нидерланд", "голланд", "бельги", "швеци",
        "норвеги", "финлянд", "великобритан", "англи", "ирланд", "португал", "латви", "литв",
        "эстон", "вену$", "вене$", "вена$", "париж", "лондон",
        "国外", "国家", "海外", "国际", "出国", "欧洲", "奥地利", "瑞士", "法国", "美国", "英国",
        "意大利", "西班牙", "荷兰", "比利时", "波兰", "挪威", "瑞典", "丹麦", "葡萄牙", "爱尔兰",
        "捷克", "加拿大"),
    "germany": (  # within Germany, where the shop is: its answers tell it from abroad
        "germany", "german$", "deutschland", "domestic", "inland", "berlin", "hamburg", "munich",
        "munchen", "cologne", "koln", "frankfurt", "stuttgart", "dusseldorf", "dresden", "leipzig",
        "hannover", "bremen", "nuremberg", "nurnberg", "bonn",
        "германи", "берлин", "мюнхен", "гамбург", "кельн", "франкфурт",
        "德国", "柏林", "慕尼黑", "汉堡", "科隆", "法兰克福"),
    "return": (
        "return", "send back", "send it back", "send something back", "give back", "give it back",
        "bring back", "take back", "sending it back", "change my mind", "don t like",
        "go back", "take it back", "ship it back", "ship back", "send them back",
        "post it back", "post back", "post them back", "mail it back", "mail back",
        "ruckgabe", "rucksend", "zuruck", "retour", "widerruf",
        "возврат", "вернуть", "верну", "вернут", "возвращ", "обратн",
        "退货", "退回", "退换", "退", "寄回"),
    "refund": (
        "refund", "reimburs", "money back", "pay me back", "repay", "my money", "money$",
        "credited",
        "erstatt", "*erstatt", "geld zuruck", "geld$",
        "деньги", "денег", "деньг", "возмещ", "вернут деньги",
        "退款", "退钱"),
    "exchange": (
        "exchang", "swap", "trade it", "trade in", "replace it", "switch", "different", "instead",
        "wrong size", "wrong colour", "wrong color", "another colour", "another color",
        "umtausch", "tausch", "*tausch",
        "обмен", "помен", "замен",
        "换", "调换"),
    "size": (
        "size", "sizing", "bigger", "smaller", "dimension", "measure", "fit$", "fits$", "large", "chart",
        "small", "big$", "centimet", "cm$", "inch", "how big", "wide", "width", "tall$",
        "height", "length", "deep$", "depth",
        "grosse", "*grosse", "gross", "klein", "masse$", "abmessung", "breit",
        "размер", "больш", "маленьк", "меньш", "габарит", "ширин", "высот", "длин",
        "尺寸", "尺码", "大小", "大号", "小号", "多大", "多宽", "多高"),
    "colour": (
        "colour", "color", "shade", "grey", "gray", "blue", "red$", "green", "white", "black",
        "farbe", "*farbe",
        "цвет",
        "颜色", "色"),
    "pay": (
        "pay$", "pays$", "paid$", "pay by", "pay with", "paying", "payment", "checkout",
        "check out",
        "zahl", "bezahl", "*zahlung",
        "оплат", "оплач", "плат", "заплат",
        "付款", "支付", "付", "结账"),
    "card": (
        "card$", "cards$", "visa", "mastercard", "amex", "american express", "credit card",
        "debit card", "debit", "apple pay", "google pay",
        "karte$", "kreditkarte", "ec-karte", "*karte",
        "карт", "картой",
        "信用卡", "银行卡", "卡"),
    "accept": (  # which ways of doing something the shop takes
        "accept", "method", "option", "ways to", "way to", "ways of",
        "akzeptier", "nehmt ihr", "zahlungsart", "zahlungsmittel", "moglichkeit",
        "принима", "способ", "вариант",
        "方式", "支持", "接受"),
    "paypal": ("paypal", "pay pal", "пейпал", "贝宝"),
    "later": (
        "instal", "klarna", "invoice", "later", "financ", "split", "monthly", "on account",
        "in parts", "credit$", "parts$", "afterward", "after delivery", "after it arrives",
        "bill$",
        "rate$", "raten", "rechnung", "spater", "finanzier", "ratenzahlung",
        "рассрочк", "кредит", "частям", "частями", "потом", "после получения", "после доставки",
        "分期", "先买后付", "月付", "发票", "以后付", "后付", "货到付款"),
    "secure": (
        "safe", "secur", "encrypt", "protect", "hack", "fraud", "trust", "steal", "stolen",
        "legit", "scam", "https", "ssl$", "card details", "bank details", "payment details",
        "card data", "card number", "on file", "keep my", "store my",
        "sicher", "verschlussel", "betrug", "daten", "*daten", "speicher", "gespeichert",
        "безопасн", "защищ", "надежн", "мошен", "украд", "данные", "хран",
        "安全", "加密", "可靠", "盗", "泄露", "保存"),
    "hours": (
        "open$", "opens$", "opening", "hours", "close$", "closed", "closing", "weekend",
        "saturday", "sunday", "monday", "friday", "evening", "morning", "working on",
        "what time", "till when", "until when", "what times",
        "geoffnet", "offnungszeit", "offen", "uhr$", "samstag", "sonntag", "wochenende",
        "bis wann",
        "часы работы", "работает", "работаете", "открыт$", "открыта$", "открыты$", "открыто$",
        "открыва", "закрыва", "выходн", "суббот", "воскресен", "во сколько", "до скольки",
        "营业", "几点", "上班", "周末", "开门", "下班", "关门"),
    "visit": (
        "store", "showroom", "visit", "physical", "in person", "pick up",
        "pick it up", "pickup", "collect", "address", "come by", "location", "located",
        "drop by", "where are you", "real life", "irl$", "brick and mortar", "see the products",
        "see them", "see it", "look at",
        "laden", "geschaft", "besuch", "abhol", "filiale", "vorbeikommen", "adresse",
        "магазин", "шоурум", "прийти", "зайти", "самовывоз", "адрес", "забрать",
        "实体店", "门店", "自取", "自提", "地址", "店", "参观"),
    "contact": (
        "contact", "reach", "phone", "call$", "call you", "ring", "email", "e-mail", "telephone",
        "hotline", "talk", "speak", "get hold", "write to", "human", "a person", "real person", "real human",
        "agent", "in touch", "message you", "message your", "chat$", "whatsapp",
        "customer service", "customer support", "support$",
        "erreich", "kontakt", "telefon", "anruf", "anrufen", "mail$", "schreiben", "mensch",
        "kundenservic", "kundendienst",
        "связат", "связь", "телефон", "звонить", "позвонить", "контакт", "написать", "почт",
        "email", "оператор", "человек", "поддержк",
        "联系", "电话", "邮箱", "客服", "邮件", "人工"),
    "warranty": (
        "warrant", "guarant", "defect", "broken", "broke", "break", "faulty", "repair", "fix$",
        "stopped working", "doesn t work", "doesn t turn on", "not working", "stops working",
        "flicker", "covered$", "goes dark", "died$", "dead$",
        "garantie", "gewahrleistung", "kaputt", "defekt", "reparatur", "reparier",
        "funktioniert nicht",
        "гарант", "сломал", "слома", "брак", "ремонт", "не работает", "неисправ",
        "перестал", "не включа",
        "保修", "质保", "坏", "维修", "故障"),
    "gift": (
        "gift", "present", "birthday", "christmas",
        "geschenk", "*geschenk", "prasent", "geburtstag",
        "подар", "день рождения",
        "礼品", "礼物", "送人", "生日"),
    "wrap": (
        "wrap", "packaging", "pack it", "pack nicely", "gift box", "note", "gift message",
        "personal message", "a message", "greeting card", "birthday card", "little card",
        "a card with", "a card saying", "price off", "prices off", "leave the price",
        "hide the price",
        "verpack", "einpack", "grusskarte",
        "упаков", "открытк",
        "包装", "贺卡"),
    "voucher": (
        "voucher", "gift card", "giftcard", "gift certificate", "certificate", "store credit",
        "e-gift", "egift", "credit for",
        "gutschein", "*gutschein",
        "сертификат",
        "礼品卡", "礼券", "购物卡", "代金券"),
    "code": (
        "code", "coupon", "promo", "redeem", "rabattcode", "gutscheincode", "aktionscode",
        "einlos", "invalid",
        "expired", "combine",
        "ungultig", "kombinier",
        "код", "промокод", "купон", "недействител",
        "码", "优惠码", "兑换", "无效"),
    "discount": (
        "discount", "% off", "reduction", "cheaper", "better price", "special price", "deal$",
        "trade price",
        "rabatt", "*rabatt", "nachlass", "ermassig",
        "скидк", "дешевле",
        "优惠", "折扣", "打折", "便宜点"),
    "eco": (
        "sustainab", "eco", "environment", "green$", "recycl", "plastic", "natural", "organic",
        "ethical", "made$", "manufactur", "produced", "origin", "workshop", "material",
        "planet", "climate", "carbon",
        "nachhaltig", "umwelt", "oko", "recycel", "plastik", "hergestellt", "produziert",
        "klima",
        "эколог", "переработ", "пластик", "натурал", "производ", "материал", "сделан",
        "изготов", "климат",
        "环保", "可持续", "塑料", "生产", "产地", "天然", "材料", "材质"),
    "bulk": (
        "wholesale", "bulk", "business", "company", "companies", "corporate", "b2b", "reseller",
        "hotel", "restaurant", "cafe", "office", "quantit", "large order", "resell",
        "a lot$", "identical", "pieces", "trade price", "work with",
        "grosshandel", "firma", "firmen", "unternehm", "gewerb", "menge", "*menge", "arbeitet ihr mit",
        "опт", "компан", "юрлиц", "юридич", "бизнес", "фирм", "партия", "работаете с",
        "批发", "公司", "企业", "大量", "团购", "批量", "合作"),
    "care": (
        "care", "clean", "wash", "dishwasher", "microwave", "machine", "laundry", "shrink",
        "dry", "iron", "look after",
        "pflege", "wasch", "spulmaschin", "*spulmaschin", "reinig", "mikrowelle",
        "стир", "мыть", "мойк", "посудомо", "уход", "чист", "микроволнов",
        "洗", "清洗", "洗碗机", "保养", "微波炉"),
    "ceramic": (
        "ceramic", "mug", "cup", "bowl", "plate", "porcelain", "tableware", "dishes", "stoneware",
        "keramik", "tasse", "becher", "schussel", "teller", "geschirr", "porzellan",
        "керами", "кружк", "чашк", "тарелк", "посуд", "фарфор",
        "陶瓷", "杯", "碗", "盘", "瓷"),
    "linen": (
        "linen", "textile", "fabric", "tablecloth", "napkin", "bedding", "sheet", "cotton",
        "leinen", "stoff", "tischdecke", "bettwasche", "servietten",
        "льнян", "лен$", "льна", "ткан", "скатерт", "постельн",
        "亚麻", "布", "桌布", "床品"),
    "account": (
        "account", "register", "registration", "sign up", "signup", "signing up", "login",
        "log in", "guest", "sign in", "signing in", "create an", "profile",
        "konto", "*konto", "registrier", "anmeld", "gast", "anlegen",
        "регистр", "аккаунт", "учетн", "логин", "гост", "личн кабинет",
        "注册", "账户", "账号", "登录", "游客", "会员"),
    "policy": (
        "policy", "conditions", "rules", "terms", "time limit", "too late", "deadline",
        "allowed", "opened$", "can t be", "cannot be", "exclud", "exception",
        "bedingung", "*bedingung", "richtlinie", "regel", "frist", "*recht",
        "услови", "правил", "политик",
        "政策", "规定", "条件", "天内"),
    "steps": (  # how something is done: the process, the form, the label
        "process", "procedure", "steps", "step$", "label", "form$", "go about",
        "ablauf", "vorgehen", "funktioniert", "etikett",
        "процесс", "порядок", "оформ", "этикетк",
        "流程", "步骤", "手续"),
}

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_MARKS = re.compile(r"(?<=[a-z])[\u0300-\u036f]+")
CJK_EDGE = re.compile(r"(?<=[\u3400-\u9fff])(?=[^\W\u3400-\u9fff])"  # Chinese, then other letters
                      r"|(?<=[^\W\u3400-\u9fff])(?=[\u3400-\u9fff])")  # or the other way


def fold(text: str) -> str:
    """`text` in lower case, Latin letters without accents ("Rückgabe" → "ruckgabe"), "ё" as
    "е", and anything but letters, digits, "%" and "-" a space between words (and between
    Chinese and other letters: "能用paypal付款吗" → "能用 paypal 付款吗")."""
    text = LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))
    text = unicodedata.normalize("NFC", text).replace("ё", "е").replace("ß", "ss")
    text = CJK_EDGE.sub(" ", text)
    return " ".join(re.findall(r"[\w%-]+", text)).replace("_", " ")


@dataclass(frozen=True)
class _Keys:
    prefixes: dict[str, list[str]]  # folded key -> the concepts it says, by kind of key
    whole: dict[str, list[str]]
    phrases: dict[str, list[tuple[str, str]]]  # first word -> (key, concept)
    inside: list[tuple[str, str]]  # (key, concept): Chinese and "*" keys
    longest: int


@cache
def _keys() -> _Keys:
    keys = _Keys({}, {}, {}, [], 0)
    for name, said in CONCEPTS.items():
        for key in said:
            if CJK.search(key) or key.startswith("*"):
                keys.inside.append((fold(key.lstrip("*")), name))
            elif " " in fold(key.rstrip("$")):
                phrase = fold(key.rstrip("$"))
                keys.phrases.setdefault(phrase.split()[0], []).append((phrase, name))
            else:
                table = keys.whole if key.endswith("$") else keys.prefixes
                table.setdefault(fold(key.rstrip("$")), []).append(name)
    return _Keys(keys.prefixes, keys.whole, keys.phrases, keys.inside, max(map(len, keys.prefixes)))


def concepts(folded: str) -> dict[str, list[tuple[int, int]]]:
    """The concepts `folded` (text as `fold` writes it) speaks of, each with where in `folded`
    it is said (start, end), in the table's order."""
    keys = _keys()
    found: dict[str, list[tuple[int, int]]] = {}
    start = 0
    for word in folded.split(" "):
        end = start + len(word)
        names = list(keys.whole.get(word, ()))
        for length in range(1, min(len(word), keys.longest) + 1):
            names += keys.prefixes.get(word[:length], ())
        for phrase, name in keys.phrases.get(word, ()):  # its last word, like a key, may go on
            if folded.startswith(phrase, start):
                found.setdefault(name, []).append((start, start + len(phrase)))
        for name in names:
            found.setdefault(name, []).append((start, end))
        start = end + 1
    for key, name in keys.inside:
        at = folded.find(key)
        while at >= 0:
            found.setdefault(name, []).append((at, at + len(key)))
            at = folded.find(key, at + 1)
    return {name: found[name] for name in CONCEPTS if name in found}
