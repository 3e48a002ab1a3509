"""Import orders.csv: one row per order, matched on its public number."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from shop.csvio.base import ImportOptions, ImportResult
from shop.csvio.bulk import Progress, lookup
from shop.csvio.fields import Cells, objects
from shop.csvio.formats import FORMATS, Kind
from shop.csvio.native import Native
from shop.csvio.problems import Problems
from shop.csvio.reading import Sheet
from shop.csvio.upsert import upsert
from shop.models import Customer, Order, OrderKind, OrderStatus

KINDS = tuple(k.value for k in OrderKind)
STATUSES = tuple(s.value for s in OrderStatus)
TIMESTAMPS = ("created_at", "promised_at", "delivered_at")


def import_orders(
    connection: Connection, sheet: Sheet, options: ImportOptions, progress: Progress,
) -> ImportResult:
    problems, native = Problems(), Native(connection)
    cells = Cells(sheet.frame, problems, required=FORMATS[Kind.orders].required)
    rows = pd.DataFrame(index=sheet.frame.index)
    rows["number"] = cells.text("number", max_length=32)
    email = cells.email("customer_email")
    if "kind" in cells:
        rows["kind"] = cells.choice("kind", allowed=KINDS)
    if "status" in cells:
        rows["status"] = cells.choice("status", allowed=STATUSES)
    rows["total"] = cells.money("total")
    if "currency" in cells:
        rows["currency"] = cells.currency("currency")
    for name in TIMESTAMPS:
        if name in cells:
            instants = cells.timestamp(name, zone=options.zone)
            rows[name] = objects(native.timestamps(instants), rows.index)
    if "shipping_address" in cells:
        rows["shipping_address"] = cells.text("shipping_address", max_length=2000)
    cells.duplicates(rows[["number"]], "number", what="this order number")

    customers = lookup(connection, Customer.__table__, "email", email.tolist())
    problems.add(email.notna() & ~email.isin(list(customers)), "customer_email",
                 cells.raw("customer_email"),
                 "no customer with this e-mail; add them to customers.csv and import it first")
    sheet.check(problems)

    rows.insert(1, "customer_id", [customers[e][0] for e in email.tolist()])
    counts = upsert(
        connection, Order.__table__, rows, key=["number"],
        keep_when_none=["kind", "status", "currency"],
        insert_defaults={"kind": OrderKind.goods.value, "status": OrderStatus.placed.value,
                         "currency": options.currency},
        progress=progress,
    )
    return ImportResult(Kind.orders, len(rows), counts)
