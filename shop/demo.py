"""Demo data: the fixed personas the console and the tests act as, plus generated shops."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from shop.csvio import bulk
from shop.db import make_session_factory, transaction
from shop.faq.demo import seed_faq
from shop.models import (
    GOODS_STAGES,
    Base,
    Customer,
    DeliveryStage,
    Order,
    OrderItem,
    Product,
    Role,
    TelegramAccount,
)


@dataclass(frozen=True)
class Persona:
    telegram_user_id: int
    name: str
    role: Role


OWNER = Persona(1, "Olivia Owner", Role.owner)
STAFF = Persona(2, "Sam Staff", Role.staff)
CUSTOMER = Persona(1001, "Dana Demo", Role.customer)
OTHER_CUSTOMER = Persona(1002, "Omar Other", Role.customer)
PERSONAS = (OWNER, STAFF, CUSTOMER, OTHER_CUSTOMER)

DEMO_ORDER = "1042"  # Dana's parcel, shipped
DEMO_PROJECT_ORDER = "1043"  # Dana's service project, 3 of 5 milestones done
OTHER_ORDER = "1044"  # Omar's order: Dana must never see it


def seed_personas(session: Session, *, now: datetime) -> None:
    """Create the demo owner, staff, the two demo customers and their orders if absent."""
    if session.scalar(select(Order.id).where(Order.number == DEMO_ORDER)) is not None:
        return
    lamp = Product(sku="LAMP-01", name="Desk lamp", price=Decimal("49.90"), kind="goods")
    mug = Product(sku="MUG-02", name="Ceramic mug", price=Decimal("12.50"), kind="goods")
    site = Product(sku="WEB-SITE", name="Shop website project", price=Decimal("1800.00"), kind="service")
    dana = Customer(
        name=CUSTOMER.name, email="dana@example.com", phone="+4915112345678",
        created_at=now - timedelta(days=400),
    )
    omar = Customer(
        name=OTHER_CUSTOMER.name, email="omar@example.com", phone="+4915187654321",
        created_at=now - timedelta(days=200),
    )
    session.add_all([lamp, mug, site, dana, omar])
    session.flush()

    parcel = Order(
        number=DEMO_ORDER, customer=dana, kind="goods", status="shipped",
        total=Decimal("74.90"), currency="EUR", created_at=now - timedelta(days=3),
        promised_at=now + timedelta(days=2), shipping_address="Dana Demo, Hauptstr. 1, 10115 Berlin",
    )
    parcel.items = [
        OrderItem(product=lamp, quantity=1, unit_price=lamp.price),
        OrderItem(product=mug, quantity=2, unit_price=mug.price),
    ]
    done = {"placed": 3, "packed": 2, "shipped": 1}
    for position, name in enumerate(GOODS_STAGES):
        parcel.stages.append(DeliveryStage(
            position=position, name=name,
            carrier="DHL" if name in ("shipped", "out_for_delivery", "delivered") else None,
            tracking_number="JJD000390007782" if name == "shipped" else None,
            planned_at=now + timedelta(days=position - 2),
            done_at=now - timedelta(days=done[name]) if name in done else None,
        ))
    project = Order(
        number=DEMO_PROJECT_ORDER, customer=dana, kind="service", status="in_progress",
        total=Decimal("1800.00"), currency="EUR", created_at=now - timedelta(days=30),
        promised_at=now + timedelta(days=20),
    )
    project.items = [OrderItem(product=site, quantity=1, unit_price=site.price)]
    milestones = ("brief", "design", "build", "review", "launch")
    for position, name in enumerate(milestones):
        project.stages.append(DeliveryStage(
            position=position, name=name, planned_at=now + timedelta(days=(position - 2) * 7),
            done_at=now - timedelta(days=(3 - position) * 7) if position < 3 else None,
        ))
    other = Order(
        number=OTHER_ORDER, customer=omar, kind="goods", status="placed",
        total=Decimal("12.50"), currency="EUR", created_at=now - timedelta(days=1),
        promised_at=now + timedelta(days=5),
    )
    other.items = [OrderItem(product=mug, quantity=1, unit_price=mug.price)]
    other.stages = [
        DeliveryStage(position=i, name=name, done_at=now - timedelta(days=1) if i == 0 else None,
                      planned_at=now + timedelta(days=i))
        for i, name in enumerate(GOODS_STAGES)
    ]
    session.add_all([parcel, project, other])
    session.add_all([
        TelegramAccount(telegram_user_id=OWNER.telegram_user_id, chat_id=OWNER.telegram_user_id,
                        role=Role.owner.value, display_name=OWNER.name, started=True),
        TelegramAccount(telegram_user_id=STAFF.telegram_user_id, chat_id=STAFF.telegram_user_id,
                        role=Role.staff.value, display_name=STAFF.name, started=True),
        TelegramAccount(telegram_user_id=CUSTOMER.telegram_user_id, chat_id=CUSTOMER.telegram_user_id,
                        role=Role.customer.value, customer=dana, display_name=CUSTOMER.name,
                        started=True),
        TelegramAccount(telegram_user_id=OTHER_CUSTOMER.telegram_user_id,
                        chat_id=OTHER_CUSTOMER.telegram_user_id, role=Role.customer.value,
                        customer=omar, display_name=OTHER_CUSTOMER.name, started=True),
    ])
    session.flush()


# --- Generated shops --------------------------------------------------------------------
#
# A generated shop is built column-wise with numpy (one random generator, so the same
# seed and `now` give the same store) and written with bulk inserts, because a million
# orders as ORM objects would take many minutes and gigabytes.

GENERATED_NUMBERS_START = 10001  # far from the personas' 1042-1044
GENERATED_TABLES = ("products", "customers", "telegram_accounts", "orders", "order_items",
                    "delivery_stages", "tickets", "surveys", "feedback", "messages")
DEFAULT_SEED = 7
HISTORY_DAYS = 730  # two years before `now`
TELEGRAM_IDS_START = 800_000_000
SECOND = np.timedelta64(1, "s")
HOUR = 3600 * SECOND
DAY = 24 * HOUR

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannah", "Ivan", "Jana", "Karim",
    "Lea", "Lukas", "Maria", "Mehmet", "Mia", "Noah", "Nora", "Oskar", "Paul", "Paula", "Rosa",
    "Sara", "Sofia", "Tim", "Tom", "Vera", "Yusuf", "Zoe", "Emil", "Lina", "Jonas", "Amir",
    "Chloe", "Louis", "Camille", "Hugo", "Lucie", "Daan", "Sanne", "Bram", "Femke",
)
LAST_NAMES = (
    "Schmidt", "Mueller", "Weber", "Fischer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch",
    "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Hofmann", "Krause", "Lange",
    "Martin", "Bernard", "Dubois", "Laurent", "Moreau", "Girard", "deJong", "Jansen", "Visser",
    "Smit", "Bakker", "Yilmaz", "Kaya", "Novak", "Horvat", "Rossi", "Russo", "Costa", "Silva",
)
STREETS = ("Hauptstr.", "Bahnhofstr.", "Gartenweg", "Lindenallee", "Rue Victor Hugo", "Kerkstraat")
CITIES = ("10115 Berlin", "20095 Hamburg", "80331 Muenchen", "50667 Koeln", "75001 Paris",
          "69001 Lyon", "1012 Amsterdam", "3511 Utrecht")
GOODS_ADJECTIVES = ("Oak", "Linen", "Ceramic", "Brass", "Wool", "Glass", "Cork")
GOODS_NOUNS = ("lamp", "mug", "vase", "notebook", "candle", "scarf", "tote bag", "cushion",
               "plant pot")
GOODS_PRODUCTS = 61  # prime, so (first + j * step) % 61 gives distinct items in one order
SERVICES = (  # sku, name, price in cents, milestones
    ("S-SHOP", "Online shop setup", 240000, ("brief", "design", "build", "review", "launch")),
    ("S-LOGO", "Logo design", 45000, ("brief", "sketches", "revisions", "final files")),
    ("S-PHOTO", "Product photo shoot", 60000, ("booking", "shoot", "editing", "delivery")),
    ("S-SEO", "SEO audit", 90000, ("kickoff", "audit", "report")),
    ("S-TABLE", "Custom oak table", 180000, ("design", "materials", "build", "finishing",
                                              "delivery")),
    ("S-TRAIN", "Team workshop", 120000, ("planning", "workshop", "follow-up")),
)
CARRIERS = (("DHL", "JJD"), ("DPD", "DPD"), ("UPS", "1Z"), ("GLS", "GLS"), ("Hermes", "H"))
PHONE_RANGES = (("+49152", 8), ("+3367", 7), ("+3161", 7))  # valid mobiles: DE, FR, NL
RATING_ON_TIME = (0.03, 0.03, 0.07, 0.25, 0.62)  # P(rating 1..5): mostly 5s and 4s
RATING_LATE = (0.18, 0.14, 0.20, 0.26, 0.22)
RATING_SUPPORT = (0.05, 0.05, 0.10, 0.30, 0.50)
LOW_RATING_REASONS = ("damaged", "wrong_item", "quality", "communication")
COMMENTS = {
    1: ("Never again.", "Arrived broken and nobody answered my e-mail."),
    2: ("Took far too long.", "Not what the photos showed."),
    3: ("OK, nothing special.", "Fine, but the packaging was poor."),
    4: ("Nice product, delivery a bit slow.", "Good quality."),
    5: ("Love it, thank you!", "Great quality, fast delivery!", "Perfect gift, will order again."),
}
TICKET_REASONS = ("request_human", "not_understood", "bot_error", "complaint")  # shop.tickets
TICKET_TEXTS = {
    "request_human": "Can I talk to a person please?",
    "not_understood": "I need to change something about my order but the bot doesn't get it.",
    "bot_error": "The bot stopped answering.",
    "complaint": "My parcel is late and tracking hasn't moved for days.",
    "low_rating": "I rated my order badly: the item was not as described.",
}
HANDOFF_TEXT = "I've asked a person from our team to help - they'll reply here shortly."
STAFF_TEXT = "Hi, this is the shop team - let me check that for you."


def _choice(rng: np.random.Generator, options: tuple | list, size: int,
            p: tuple[float, ...] | None = None) -> np.ndarray:
    """Draw from `options` as an object array, so strings are shared, not copied."""
    table = np.empty(len(options), dtype=object)
    table[:] = list(options)
    return table[rng.choice(len(options), size=size, p=p)]


def _objects(values: list) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _within_group(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... inside each run of a np.repeat(..., counts) array."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(int(counts.sum())) - starts


def _draw_ratings(rng: np.random.Generator, late: np.ndarray, table_late: tuple,
                  table_else: tuple) -> np.ndarray:
    u = rng.random(len(late))
    return np.where(late, np.searchsorted(np.cumsum(table_late), u),
                    np.searchsorted(np.cumsum(table_else), u)).clip(0, 4) + 1


def _products(rng: np.random.Generator, first_id: int) -> tuple[dict, np.ndarray, np.ndarray]:
    names = [f"{a} {n}" for n in GOODS_NOUNS for a in GOODS_ADJECTIVES][:GOODS_PRODUCTS]
    goods_cents = (np.round(rng.lognormal(np.log(25), 0.6, GOODS_PRODUCTS)).clip(5, 400)
                   * 100 - 10).astype(np.int64)
    service_cents = np.array([s[2] for s in SERVICES], dtype=np.int64)
    count = GOODS_PRODUCTS + len(SERVICES)
    columns = {
        "id": np.arange(first_id, first_id + count),
        "sku": _objects([f"G-{i + 1:03d}" for i in range(GOODS_PRODUCTS)]
                        + [s[0] for s in SERVICES]),
        "name": _objects(names + [s[1] for s in SERVICES]),
        "price": bulk.Cents(np.concatenate([goods_cents, service_cents])),
        "kind": _objects(["goods"] * GOODS_PRODUCTS + ["service"] * len(SERVICES)),
    }
    return columns, goods_cents, service_cents


def _phone(country: int, i: int) -> str:
    """A valid mobile number, different for every customer (7919 is prime to 10**k)."""
    prefix, digits = PHONE_RANGES[country]
    return f"{prefix}{(i * 7919 + 12345) % 10**digits:0{digits}d}"


def _customers(rng: np.random.Generator, n: int, first_id: int, now: np.datetime64) -> dict:
    start = now - HISTORY_DAYS * DAY
    created = np.sort(start + (rng.random(n) ** 0.8 * HISTORY_DAYS * 86400).astype(np.int64)
                      * SECOND)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    index = np.arange(n)
    domains = ("com", "org", "net")
    email = _objects([
        f"{FIRST_NAMES[f].lower()}.{LAST_NAMES[la].lower()}.{i + 1}@example.{domains[i % 3]}"
        for f, la, i in zip(first.tolist(), last.tolist(), index.tolist(), strict=True)
    ])
    name = _objects([f"{FIRST_NAMES[f]} {LAST_NAMES[la]}"
                     for f, la in zip(first.tolist(), last.tolist(), strict=True)])
    country = rng.choice(len(PHONE_RANGES), size=n, p=(0.6, 0.25, 0.15))
    has_phone = rng.random(n) < 0.7
    phone = _objects([_phone(c, i) if ok else None for c, i, ok in zip(
        country.tolist(), index.tolist(), has_phone.tolist(), strict=True)])
    channel = rng.choice(3, size=n, p=(0.4, 0.45, 0.15))  # organic, ads, referral
    cac = np.where(channel == 1, np.round(rng.lognormal(np.log(2200), 0.5, n)),
                   np.where(channel == 2, 1000, -1)).astype(np.int64)
    street = rng.integers(0, len(STREETS), n)
    house = rng.integers(1, 120, n)
    city = rng.integers(0, len(CITIES), n)
    address = _objects([
        f"{nm}, {STREETS[s]} {h}, {CITIES[c]}"
        for nm, s, h, c in zip(name.tolist(), street.tolist(), house.tolist(), city.tolist(),
                               strict=True)
    ])
    return {
        "id": np.arange(first_id, first_id + n), "name": name, "email": email,
        "phone": phone, "created_at": created, "acquisition_cost": bulk.Cents(cac),
        "_address": address,
    }


def _order_counts(rng: np.random.Generator, created: np.ndarray, now: np.datetime64,
                  m: int) -> tuple[np.ndarray, np.ndarray]:
    """Orders per customer and the end of each customer's buying life.

    8% never buy, 47% buy once, the rest come back; a third of returning customers
    older than five months churn (stop buying at least 100 days before `now`).
    """
    n = len(created)
    segment = rng.choice(3, size=n, p=(0.08, 0.47, 0.45))
    churns = (segment == 2) & (rng.random(n) < 0.35) & (created < now - 150 * DAY)
    lifetime = (now - 100 * DAY - created) / SECOND  # type: ignore[operator]  # numpy stubs: datetime64 - array
    end = np.where(churns, created + (rng.uniform(0.2, 1.0, n) * lifetime).astype(np.int64)
                   * SECOND, now)
    counts = np.zeros(n, dtype=np.int64)
    buyers = np.flatnonzero(segment > 0)
    if m <= len(buyers):
        counts[rng.choice(buyers, size=m, replace=False)] = 1
        return counts, end
    counts[buyers] = 1
    repeat = np.flatnonzero(segment == 2)
    repeat = repeat if len(repeat) else buyers
    weight = rng.lognormal(0, 1, len(repeat)) * ((end - created)[repeat] / DAY + 1)
    counts[repeat] += rng.multinomial(m - len(buyers), weight / weight.sum())
    return counts, end


def _orders(rng: np.random.Generator, customers: dict, counts: np.ndarray, end: np.ndarray,
            first_id: int, now: np.datetime64) -> dict:
    created = customers["created_at"]
    m = int(counts.sum())
    owner = np.repeat(np.arange(len(counts)), counts)
    u = rng.random(m)
    u[np.cumsum(counts)[counts > 0] - counts[counts > 0]] = 0.0  # first order at sign-up
    span = (end[owner] - created[owner]) / SECOND
    when = np.minimum(created[owner] + (600 + u * span).astype(np.int64) * SECOND, now)
    order = np.argsort(when, kind="stable")
    owner, when = owner[order], when[order]
    service = rng.random(m) < 0.07
    cancelled = rng.random(m) < 0.03
    promise = np.where(service, rng.integers(3, 11, m) * 7, rng.choice((3, 4, 5, 7), m)) * DAY
    late = rng.random(m) < np.where(service, 0.20, 0.12)
    stretch = np.where(late, rng.uniform(1.05, 1.8, m), rng.uniform(0.35, 1.0, m))
    duration = (promise / SECOND * stretch).astype(np.int64) * SECOND
    return {
        "id": np.arange(first_id, first_id + m),
        "number": _objects([str(GENERATED_NUMBERS_START + i) for i in range(m)]),
        "owner": owner, "created_at": when, "service": service, "cancelled": cancelled,
        "promised_at": when + promise, "duration": duration,
    }


def _items(rng: np.random.Generator, orders: dict, product_first_id: int,
           goods_cents: np.ndarray, service_cents: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray]:
    """Order lines, the order totals in cents and each service order's service index."""
    m = len(orders["id"])
    service = orders["service"]
    lines = np.where(service, 1, rng.choice((1, 2, 3, 4), m, p=(0.55, 0.27, 0.12, 0.06)))
    popularity = 1 / np.arange(1, GOODS_PRODUCTS + 1) ** 0.8
    popularity = popularity[rng.permutation(GOODS_PRODUCTS)] / popularity.sum()
    first = rng.choice(GOODS_PRODUCTS, m, p=popularity)
    step = np.where(rng.random(m) < 0.5, 1, rng.integers(2, GOODS_PRODUCTS, m))  # pairs recur
    which_service = rng.choice(len(SERVICES), m, p=(0.3, 0.25, 0.2, 0.1, 0.05, 0.1))
    of = np.repeat(np.arange(m), lines)
    j = _within_group(lines)
    goods_product = (first[of] + j * step[of]) % GOODS_PRODUCTS
    is_service = service[of]
    product = np.where(is_service, GOODS_PRODUCTS + which_service[of], goods_product)
    quantity = np.where(is_service, 1, rng.choice((1, 2, 3), len(of), p=(0.8, 0.15, 0.05)))
    unit = np.where(is_service, service_cents[which_service[of]], goods_cents[goods_product])
    subtotal = np.bincount(of, weights=quantity * unit, minlength=m).astype(np.int64)
    shipping = np.where(service | (subtotal >= 5000), 0, 490)
    columns = {
        "order_id": orders["id"][of], "product_id": product_first_id + product,
        "quantity": quantity, "unit_price": bulk.Cents(unit),
    }
    return columns, subtotal + shipping, which_service


def _stages(rng: np.random.Generator, orders: dict, which_service: np.ndarray,
            now: np.datetime64) -> tuple[dict, np.ndarray, np.ndarray]:
    """Delivery timelines, and each order's status and delivered_at that follow from them.

    Goods get the five shipment stages; services the milestones of their service. Stage
    times are fixed fractions of the order's promise (planned) and actual duration
    (done); a stage is done once its time has passed, so done stages are a prefix and
    the status rule is the importer's `derived_status`.
    """
    m = len(orders["id"])
    service = orders["service"]
    milestones = [s[3] for s in SERVICES]
    count = np.where(service, np.array([len(x) for x in milestones])[which_service],
                     len(GOODS_STAGES))
    of = np.repeat(np.arange(m), count)
    position = _within_group(count)
    last = count[of] - 1
    fraction = np.where(service[of], np.maximum(position / last, 0.02),
                        np.array((0, 0.15, 0.3, 0.85, 1.0))[np.minimum(position, 4)])
    start = orders["created_at"][of]
    promise = (orders["promised_at"] - orders["created_at"])[of] / SECOND
    planned = start + (fraction * promise).astype(np.int64) * SECOND
    done = start + (fraction * orders["duration"][of] / SECOND).astype(np.int64) * SECOND
    is_done = (done <= now) & (~orders["cancelled"][of] | (position == 0))
    done = np.where(is_done, done, np.datetime64("NaT"))
    name_table = np.empty((len(SERVICES) + 1, 5), dtype=object)
    name_table[0, :] = GOODS_STAGES
    for i, names in enumerate(milestones):
        name_table[i + 1, : len(names)] = names
    name = name_table[np.where(service, which_service + 1, 0)[of], position]
    carrier_index = rng.integers(0, len(CARRIERS), m)
    carrier_names = _objects([c[0] for c in CARRIERS] + [None])
    carries = ~service[of] & (position >= 2) & ~orders["cancelled"][of]
    carrier = carrier_names[np.where(carries, carrier_index[of], len(CARRIERS))]
    tracking = np.full(len(of), None, dtype=object)
    shipped = np.flatnonzero(carries & (position == 2))
    tracking[shipped] = [
        f"{CARRIERS[c][1]}{i:012d}"
        for c, i in zip(carrier_index[of[shipped]].tolist(), orders["id"][of[shipped]].tolist(),
                        strict=True)
    ]
    done_count = np.bincount(of, weights=is_done, minlength=m).astype(np.int64)
    final = np.cumsum(count) - 1
    delivered = is_done[final] & ~orders["cancelled"]
    status = np.where(service, np.where(done_count > 0, "in_progress", "placed"),
                      np.array(GOODS_STAGES)[np.maximum(done_count - 1, 0)]).astype(object)
    status[delivered] = "delivered"
    status[orders["cancelled"]] = "cancelled"
    delivered_at = np.where(delivered, done[final], np.datetime64("NaT"))
    columns = {
        "order_id": orders["id"][of], "position": position, "name": name, "carrier": carrier,
        "tracking_number": tracking, "planned_at": planned, "done_at": done,
        # generated history counts as already announced: the notifier must not message it
        "notified_at": done,
    }
    return columns, status, delivered_at


def _surveys_and_feedback(rng: np.random.Generator, orders: dict, customer_ids: np.ndarray,
                          linked: np.ndarray, now: np.datetime64) -> tuple[dict, dict]:
    """Rating requests after delivery (to Telegram-linked customers) and the answers.

    About 40% answer; ratings are mostly 4 and 5, worse after a late delivery.
    """
    delivered_at = orders["delivered_at"]
    late = delivered_at > orders["promised_at"]
    sent = delivered_at + rng.integers(3600, 26 * 3600, len(late)) * SECOND
    asked = np.flatnonzero(linked[orders["owner"]] & ~np.isnat(delivered_at) & (sent <= now)
                           & (rng.random(len(late)) < 0.92))
    answered_at = sent[asked] + (rng.lognormal(np.log(7200), 1.0, len(asked))).astype(
        np.int64) * SECOND
    answers = (rng.random(len(asked)) < np.where(late[asked], 0.5, 0.4)) & (answered_at <= now)
    surveys = {
        "customer_id": customer_ids[orders["owner"][asked]], "order_id": orders["id"][asked],
        "ticket_id": np.full(len(asked), None, dtype=object), "sent_at": sent[asked],
        "answered_at": np.where(answers, answered_at, np.datetime64("NaT")),
    }
    rated = asked[answers]
    rating = _draw_ratings(rng, late[rated], RATING_LATE, RATING_ON_TIME)
    feedback = {
        "customer_id": customer_ids[orders["owner"][rated]], "order_id": orders["id"][rated],
        "ticket_id": np.full(len(rated), None, dtype=object), "rating": rating,
        "reason": _reasons(rng, rating, late[rated]),
        "comment": _comments(rng, rating),
        "source": _objects(["survey"] * len(rated)), "created_at": answered_at[answers],
    }
    return surveys, feedback


def _reasons(rng: np.random.Generator, rating: np.ndarray, late: np.ndarray) -> np.ndarray:
    reason = _choice(rng, LOW_RATING_REASONS, len(rating))
    reason[late] = "late_delivery"
    reason[rating > 2] = None
    return reason


def _comments(rng: np.random.Generator, rating: np.ndarray) -> np.ndarray:
    pick = rng.integers(0, 3, len(rating))
    has = rng.random(len(rating)) < 0.3
    return _objects([
        COMMENTS[r][p % len(COMMENTS[r])] if c else None
        for r, p, c in zip(rating.tolist(), pick.tolist(), has.tolist(), strict=True)
    ])


def _tickets(rng: np.random.Generator, orders: dict, feedback: dict, customer_ids: np.ndarray,
             telegram_ids: np.ndarray, linked: np.ndarray, first_id: int,
             now: np.datetime64) -> dict:
    """Hand-offs to people: late orders and bad ratings raise more of them.

    First responses come in a median of ~25 minutes, resolutions a few hours later;
    the newest tickets are still waiting or being handled.
    """
    m = len(orders["id"])
    late = orders["delivered_at"] > orders["promised_at"]
    low = np.zeros(m, dtype=bool)
    low_at = np.full(m, np.datetime64("NaT"), dtype="datetime64[s]")
    bad = feedback["rating"] <= 2
    index = np.searchsorted(orders["id"], feedback["order_id"][bad])
    low[index], low_at[index] = True, feedback["created_at"][bad]
    chance = 0.03 + 0.12 * late + 0.3 * low
    raised = np.flatnonzero(linked[orders["owner"]] & (rng.random(m) < chance))
    other = _choice(rng, TICKET_REASONS, len(raised), p=(0.6, 0.25, 0.05, 0.1))
    reason = np.where(low[raised], "low_rating",
                      np.where(late[raised], "complaint", other)).astype(object)
    created = np.where(
        low[raised], low_at[raised] + 60 * SECOND,
        np.where(late[raised], orders["promised_at"][raised],
                 orders["created_at"][raised]) + rng.integers(3600, 3 * 86400, len(raised))
        * SECOND,
    )
    keep = created <= now
    raised, reason, created = raised[keep], reason[keep], created[keep]
    order = np.argsort(created, kind="stable")
    raised, reason, created = raised[order], reason[order], created[order]
    k = len(raised)
    first = created + rng.lognormal(np.log(1500), 1.0, k).astype(np.int64) * SECOND
    resolved = first + rng.lognormal(np.log(4 * 3600), 1.2, k).astype(np.int64) * SECOND
    status = np.where(resolved <= now, "resolved",
                      np.where(first <= now, "human", "waiting")).astype(object)
    owner = orders["owner"][raised]
    telegram = telegram_ids[owner]
    return {
        "id": np.arange(first_id, first_id + k), "customer_id": customer_ids[owner],
        "telegram_user_id": telegram, "chat_id": telegram, "order_id": orders["id"][raised],
        "status": status, "reason": reason,
        "details": _objects([TICKET_TEXTS[r] for r in reason.tolist()]),
        "assignee_telegram_id": np.where(status == "waiting", None, _choice(  # type: ignore[call-overload]
            rng, (OWNER.telegram_user_id, STAFF.telegram_user_id), k, p=(0.4, 0.6))),
        "created_at": created,
        "last_alert_at": created,  # staff were told when each was raised, not again at start-up
        "first_response_at": np.where(status == "waiting", np.datetime64("NaT"), first),
        "resolved_at": np.where(status == "resolved", resolved, np.datetime64("NaT")),
    }


def _ticket_followups(rng: np.random.Generator, tickets: dict,
                      now: np.datetime64) -> tuple[dict, dict, dict]:
    """Each ticket's messages, and the CSAT survey (and answers) after resolution."""
    k = len(tickets["id"])
    answered = ~np.isnat(tickets["first_response_at"])
    per = np.where(answered, 3, 2)
    of = np.repeat(np.arange(k), per)
    j = _within_group(per)
    at = np.where(j == 0, tickets["created_at"][of],
                  np.where(j == 1, tickets["created_at"][of] + 2 * SECOND,
                           tickets["first_response_at"][of]))
    text = np.where(j == 0, tickets["details"][of], np.where(j == 1, HANDOFF_TEXT, STAFF_TEXT))
    messages = {
        "telegram_user_id": tickets["telegram_user_id"][of],
        "customer_id": tickets["customer_id"][of], "ticket_id": tickets["id"][of],
        "direction": _objects(["in", "out", "staff"])[j], "text": text.astype(object),
        "created_at": at,
    }
    sent = tickets["resolved_at"] + 300 * SECOND
    asked = np.flatnonzero(~np.isnat(sent) & (sent <= now) & (rng.random(k) < 0.9))
    answered_at = sent[asked] + rng.lognormal(np.log(1800), 1.0, len(asked)).astype(
        np.int64) * SECOND
    answers = (rng.random(len(asked)) < 0.5) & (answered_at <= now)
    surveys = {
        "customer_id": tickets["customer_id"][asked],
        "order_id": np.full(len(asked), None, dtype=object), "ticket_id": tickets["id"][asked],
        "sent_at": sent[asked], "answered_at": np.where(answers, answered_at,
                                                        np.datetime64("NaT")),
    }
    rated = asked[answers]
    rating = _draw_ratings(rng, np.zeros(len(rated), dtype=bool), RATING_SUPPORT, RATING_SUPPORT)
    feedback = {
        "customer_id": tickets["customer_id"][rated],
        "order_id": np.full(len(rated), None, dtype=object), "ticket_id": tickets["id"][rated],
        "rating": rating, "reason": _reasons(rng, rating, np.zeros(len(rated), dtype=bool)),
        "comment": _comments(rng, rating), "source": _objects(["survey"] * len(rated)),
        "created_at": answered_at[answers],
    }
    return messages, surveys, feedback


def _telegram_accounts(rng: np.random.Generator, customers: dict, counts: np.ndarray,
                       end: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray]:
    """45% of buyers use the bot; returns the rows, who is linked and everyone's user id."""
    n = len(counts)
    linked = (counts > 0) & (rng.random(n) < 0.45)
    telegram_ids = TELEGRAM_IDS_START + np.arange(n)
    who = np.flatnonzero(linked)
    span = np.minimum((end - customers["created_at"]) / SECOND, 30 * 86400)
    joined = customers["created_at"] + (rng.random(n) * span).astype(np.int64) * SECOND
    columns = {
        "telegram_user_id": telegram_ids[who], "chat_id": telegram_ids[who],
        "role": _objects([Role.customer.value] * len(who)),
        "customer_id": customers["id"][who], "display_name": customers["name"][who],
        "language": _choice(rng, ("en", "de", "fr", "nl"), len(who), p=(0.4, 0.35, 0.15, 0.1)),
        "started": np.ones(len(who), dtype=bool), "blocked": rng.random(len(who)) < 0.03,
        "created_at": joined[who],
    }
    return columns, linked, telegram_ids


def generate_shop(
    session: Session, *, customers: int, orders: int, seed: int, now: datetime,
    progress: bool = False,
) -> dict[str, int]:
    """Add a generated shop of `customers` and `orders` over the two years before `now`.

    Repeat, one-off and churned customers, goods (5 stages) and service projects
    (milestones), late and cancelled orders, surveys with skewed ratings, tickets with
    response times, acquisition costs. The same seed and `now` give the same rows. Runs
    in the session's transaction (never commits); returns rows written per table.
    """
    if orders and not customers:
        raise ValueError("orders need customers: give --customers too")
    _refuse_unless_only_personas(session)
    connection = session.connection()
    rng = np.random.default_rng(seed)
    t_now = np.datetime64(int(now.timestamp()), "s")
    tables = {t.name: t for t in Base.metadata.sorted_tables if t.name in GENERATED_TABLES}
    ids = bulk.max_ids(connection, tables.values())

    product_rows, goods_cents, service_cents = _products(rng, ids["products"] + 1)
    people = _customers(rng, customers, ids["customers"] + 1, t_now)
    counts, end = _order_counts(rng, people["created_at"], t_now, orders)
    accounts, linked, telegram_ids = _telegram_accounts(rng, people, counts, end)
    order_rows = _orders(rng, people, counts, end, ids["orders"] + 1, t_now)
    item_rows, totals, which_service = _items(rng, order_rows, ids["products"] + 1, goods_cents,
                                              service_cents)
    stage_rows, status, delivered_at = _stages(rng, order_rows, which_service, t_now)
    order_rows["delivered_at"] = delivered_at
    surveys, feedback = _surveys_and_feedback(rng, order_rows, people["id"], linked, t_now)
    tickets = _tickets(rng, order_rows, feedback, people["id"], telegram_ids, linked,
                       ids["tickets"] + 1, t_now)
    messages, ticket_surveys, ticket_feedback = _ticket_followups(rng, tickets, t_now)

    owner = order_rows["owner"]
    writes = {
        "products": product_rows,
        "customers": {k: v for k, v in people.items() if not k.startswith("_")},
        "telegram_accounts": accounts,
        "orders": {
            "id": order_rows["id"], "number": order_rows["number"],
            "customer_id": people["id"][owner],
            "kind": np.where(order_rows["service"], "service", "goods").astype(object),
            "status": status, "total": bulk.Cents(totals),
            "currency": _objects(["EUR"] * len(owner)),
            "created_at": order_rows["created_at"], "promised_at": order_rows["promised_at"],
            "delivered_at": delivered_at,
            "shipping_address": np.where(order_rows["service"], None, people["_address"][owner]),
        },
        "order_items": item_rows,
        "delivery_stages": stage_rows,
        "tickets": tickets,
        "surveys": _by_time(_concat(surveys, ticket_surveys), "sent_at"),
        "feedback": _by_time(_concat(feedback, ticket_feedback), "created_at"),
        "messages": _by_time(messages, "created_at"),
    }
    written = {}
    with tqdm(total=sum(_length(c) for c in writes.values()), desc="demo shop", unit=" rows",
              file=sys.stderr, disable=None if progress else True, leave=False) as bar, \
            bulk.big_cache(connection):
        for name, columns in writes.items():
            if "id" not in columns:  # explicit ids: the same rows whatever the sequences say
                columns = {"id": ids[name] + 1 + np.arange(_length(columns)), **columns}
            written[name] = bulk.insert_arrays(connection, tables[name], columns,
                                               progress=bar.update)
    bulk.resync_sequences(connection, tables.values())
    return written


PERSONA_ORDERS = (DEMO_ORDER, DEMO_PROJECT_ORDER, OTHER_ORDER)


def _refuse_unless_only_personas(session: Session) -> None:
    """Generated rows would clash with (or be mixed into) an owner's real data."""
    persona_customers = select(Order.customer_id).where(Order.number.in_(PERSONA_ORDERS))
    if (session.scalar(select(Order.id).where(Order.number.not_in(PERSONA_ORDERS)).limit(1))
            or session.scalar(select(Customer.id).where(Customer.id.not_in(persona_customers))
                              .limit(1))):
        raise ValueError("the store already has customers or orders; a demo shop needs an "
                         "empty store (use --reset to replace everything)")


def _length(columns: dict) -> int:
    first = next(iter(columns.values()))
    return len(first.values if isinstance(first, bulk.Cents) else first)


def _concat(a: dict, b: dict) -> dict:
    return {k: np.concatenate([a[k], b[k]]) for k in a}


def _by_time(columns: dict, key: str) -> dict:
    order = np.argsort(columns[key], kind="stable")
    return {k: v[order] for k, v in columns.items()}


def reset_store(session: Session) -> None:
    """Delete every row of every table (demo --reset), children before parents."""
    connection = session.connection()
    for t in reversed(Base.metadata.sorted_tables):
        connection.execute(t.delete())


def ensure_demo_store(
    target: Engine | sessionmaker[Session], *, now: datetime, customers: int = 300,
    orders: int = 2_000, seed: int = DEFAULT_SEED,
) -> bool:
    """Fill an empty store with the personas, the demo FAQ and a modest generated shop (for
    `make run`).

    A store that has any customer or order is left alone. Returns whether it filled it.
    """
    factory = target if isinstance(target, sessionmaker) else make_session_factory(target)
    with transaction(factory) as session:
        if session.scalar(select(Customer.id).limit(1)) or session.scalar(select(Order.id).limit(1)):
            return False
        seed_personas(session, now=now)
        seed_faq(session, now=now)
        generate_shop(session, customers=customers, orders=orders, seed=seed, now=now)
    return True
