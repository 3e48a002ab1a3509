"""Export the store as the CSV files the importers read.

The columns are the import formats', so exporting, importing the files into an empty
store and exporting again gives the same bytes. Date-times are written in the business
time zone with their UTC offset, amounts with two decimals, and text that a spreadsheet
would run as a formula with a ' in front (`shop.csvio.text`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shop.csvio.formats import FORMATS, Kind
from shop.csvio.text import quote_formula
from shop.models import Customer, DeliveryStage, FaqEntry, Order, OrderItem, Product

YIELD_ROWS = 10_000


def _queries() -> dict[Kind, Select[*tuple[Any, ...]]]:
    has_email = Customer.email.is_not(None)  # erased customers have no key to import on
    return {
        Kind.customers: select(
            Customer.email, Customer.name, Customer.phone, Customer.created_at,
            Customer.acquisition_cost,
        ).where(has_email).order_by(Customer.id),
        Kind.orders: select(
            Order.number, Customer.email, Order.kind, Order.status, Order.total, Order.currency,
            Order.created_at, Order.promised_at, Order.delivered_at, Order.shipping_address,
        ).join(Order.customer).where(has_email).order_by(Order.id),
        Kind.items: select(
            Order.number, Product.sku, Product.name, OrderItem.quantity, OrderItem.unit_price,
        ).join(OrderItem.order).join(OrderItem.product).join(Order.customer)
        .where(has_email).order_by(Order.id, OrderItem.id),
        Kind.deliveries: select(
            Order.number, DeliveryStage.name, DeliveryStage.position, DeliveryStage.planned_at,
            DeliveryStage.done_at, DeliveryStage.carrier, DeliveryStage.tracking_number,
        ).join(DeliveryStage.order).join(Order.customer)
        .where(has_email).order_by(Order.id, DeliveryStage.position),
        Kind.faq: select(
            FaqEntry.question, FaqEntry.answer, FaqEntry.variants, FaqEntry.tags, FaqEntry.language,
            FaqEntry.enabled,
        ).order_by(FaqEntry.id),
    }


def _formatter(zone: ZoneInfo) -> Callable[[object], str]:
    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.astimezone(zone).isoformat()
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return cell


def _text_formatter(cell: Callable[[object], str]) -> Callable[[object], str]:
    """`cell` for a free-text column: quoted where a spreadsheet would run it."""
    return lambda value: quote_formula(cell(value))


def export_csv(session: Session, kind: Kind, out: TextIO, *, zone: ZoneInfo) -> int:
    """Write the `kind` file to `out` (opened with newline=""); return the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    fmt = FORMATS[kind]
    writer.writerow(fmt.columns)
    cell = _formatter(zone)
    cells = [_text_formatter(cell) if name in fmt.text else cell for name in fmt.columns]
    rows = 0
    result = session.execute(_queries()[kind], execution_options={"yield_per": YIELD_ROWS})
    for partition in result.partitions():
        writer.writerows([[f(v) for f, v in zip(cells, row, strict=True)] for row in partition])
        rows += len(partition)
    return rows
