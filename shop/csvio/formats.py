"""The CSV formats the owner imports and exports (also in docs/csv-formats.md).

All files: UTF-8 (a byte-order mark is fine), comma-separated, one header line. Header
names are matched case-insensitively; columns may come in any order; optional columns
may be left out. Values are trimmed of surrounding spaces.

Values
  date/time  ISO 8601: 2026-03-01, 2026-03-01 14:30, 2026-03-01T14:30:00+01:00 or ...Z.
             Without an offset it is local time in the business time zone (TZ).
  amount     digits with an optional dot and up to 2 decimals, >= 0: 12, 12.5, 1800.00
  currency   3 letters (ISO 4217), e.g. EUR; blank: the shop's CURRENCY
  phone      international (+4915112345678, spaces and dashes allowed) or national
             with --phone-region or PHONE_REGION; stored as E.164

Text cells (names, e-mails, addresses, numbers, skus, stages, carriers; not phones,
amounts or dates) that a spreadsheet would run as a formula, starting with = + - @, a
tab or a carriage return, are exported with a ' in front, and a ' in front of such a
character is taken off on import (`shop.csvio.text`). Control characters other than tab
and line breaks are refused in them.

Blank optional cells mean "none" (NULL), except for columns that always have a value
(kind, status, currency, quantity, customers' created_at): blank there means the
default for a new row and "leave as it is" for an existing one. A column left out of
the file is never changed on existing rows.

customers.csv   key: email (stored lower-case)
  email*, name*, phone, created_at (default: time of import), acquisition_cost

orders.csv      key: number
  number*, customer_email*, kind (goods|service, default goods),
  status (placed|packed|shipped|out_for_delivery|in_progress|delivered|cancelled,
  default placed), total*, currency, created_at*, promised_at, delivered_at,
  shipping_address

items.csv       key: (order_number, sku)
  order_number*, sku*, product_name (needed when the sku is new: the product is
  created with this name, the row's unit_price as price and the order's kind),
  quantity (whole number >= 1, default 1), unit_price*

deliveries.csv  key: (order_number, stage)
  order_number*, stage* (goods orders: placed|packed|shipped|out_for_delivery|
  delivered; service orders: any milestone name), position (0-based place in the
  timeline; blank: the standard place of a goods stage, else after the order's last
  stage), planned_at, done_at (not after the time of the import, give or take 5
  minutes), carrier, tracking_number
  Importing recomputes each touched order's status and delivered_at from its stages
  (cancelled orders stay cancelled). When you import deliveries, leave status and
  delivered_at out of orders.csv (except to cancel), or the two files will disagree.

faq.csv         key: (language, question)
  question*, answer*, variants (other wordings, separated by | or line breaks), tags
  (comma-separated), language (default en), enabled (yes|no, default yes)
  Stands alone: it refers to no other file.

(* = required.) Import in this order, since each file refers to the one before:
customers, orders, items, deliveries. Exports write the same columns in the order
above; customers without an e-mail (erased ones) and their orders are not exported.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    customers = "customers"
    orders = "orders"
    items = "items"
    deliveries = "deliveries"
    faq = "faq"


@dataclass(frozen=True)
class Format:
    columns: tuple[str, ...]  # every known column, in export order
    required: tuple[str, ...]
    key: tuple[str, ...]  # the natural key, unique within one file
    text: tuple[str, ...]  # free text: formula-looking cells are quoted in exports


FORMATS: dict[Kind, Format] = {
    Kind.customers: Format(
        columns=("email", "name", "phone", "created_at", "acquisition_cost"),
        required=("email", "name"),
        key=("email",),
        text=("email", "name"),
    ),
    Kind.orders: Format(
        columns=(
            "number", "customer_email", "kind", "status", "total", "currency",
            "created_at", "promised_at", "delivered_at", "shipping_address",
        ),
        required=("number", "customer_email", "total", "created_at"),
        key=("number",),
        text=("number", "customer_email", "shipping_address"),
    ),
    Kind.items: Format(
        columns=("order_number", "sku", "product_name", "quantity", "unit_price"),
        required=("order_number", "sku", "unit_price"),
        key=("order_number", "sku"),
        text=("order_number", "sku", "product_name"),
    ),
    Kind.deliveries: Format(
        columns=(
            "order_number", "stage", "position", "planned_at", "done_at", "carrier",
            "tracking_number",
        ),
        required=("order_number", "stage"),
        key=("order_number", "stage"),
        text=("order_number", "stage", "carrier", "tracking_number"),
    ),
    Kind.faq: Format(
        columns=("question", "answer", "variants", "tags", "language", "enabled"),
        required=("question", "answer"),
        key=("language", "question"),
        text=("question", "answer", "variants", "tags"),
    ),
}
