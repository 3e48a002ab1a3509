"""Import items.csv: the lines of orders, matched on (order number, sku).

A sku the store does not know yet becomes a product, named by the row's product_name
and priced at its unit_price, so a shop's order export is enough to get started.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from shop.csvio.base import ImportOptions, ImportResult
from shop.csvio.bulk import Progress, insert_rows, lookup
from shop.csvio.fields import Cells
from shop.csvio.formats import FORMATS, Kind
from shop.csvio.problems import Problems
from shop.csvio.reading import Sheet
from shop.csvio.upsert import upsert
from shop.models import Order, OrderItem, Product


def import_items(
    connection: Connection, sheet: Sheet, options: ImportOptions, progress: Progress,
) -> ImportResult:
    problems = Problems()
    cells = Cells(sheet.frame, problems, required=FORMATS[Kind.items].required)
    number = cells.text("order_number", max_length=32)
    sku = cells.text("sku", max_length=64)
    name = (cells.text("product_name", max_length=200) if "product_name" in cells
            else cells.absent())
    price = cells.money("unit_price")
    rows = pd.DataFrame({"order_id": None, "product_id": None}, index=sheet.frame.index,
                        dtype=object)
    if "quantity" in cells:
        rows["quantity"] = cells.integer("quantity", minimum=1)
    rows["unit_price"] = price
    cells.duplicates(pd.DataFrame({"n": number, "s": sku}), "sku",
                     what="this sku in this order")

    orders = lookup(connection, Order.__table__, "number", number.tolist(), columns=("id", "kind"))
    problems.add(number.notna() & ~number.isin(list(orders)), "order_number",
                 cells.raw("order_number"), "no order with this number; import orders.csv first")
    products = lookup(connection, Product.__table__, "sku", sku.tolist())
    first_of_new = sku.notna() & ~sku.isin(list(products)) & ~sku.duplicated(keep="first")
    problems.add(first_of_new & name.isna(), "product_name", cells.raw("product_name"),
                 "a new sku: give the product's name here so it can be created")
    sheet.check(problems)

    new_products = [
        {"sku": s, "name": n, "price": p, "kind": orders[o][1]}
        for s, n, p, o in zip(sku[first_of_new], name[first_of_new], price[first_of_new],
                              number[first_of_new], strict=True)
    ]
    insert_rows(connection, Product.__table__, new_products)
    products.update(lookup(connection, Product.__table__, "sku", [p["sku"] for p in new_products]))
    rows["order_id"] = [orders[n][0] for n in number.tolist()]
    rows["product_id"] = [products[s][0] for s in sku.tolist()]
    counts = upsert(
        connection, OrderItem.__table__, rows, key=["order_id", "product_id"],
        keep_when_none=["quantity"], insert_defaults={"quantity": 1}, progress=progress,
    )
    return ImportResult(Kind.items, len(rows), counts, products_created=len(new_products))
