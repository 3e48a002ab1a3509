"""Import customers.csv: one row per customer, matched on e-mail."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from shop.csvio.base import ImportOptions, ImportResult
from shop.csvio.bulk import Progress
from shop.csvio.fields import Cells, objects
from shop.csvio.formats import FORMATS, Kind
from shop.csvio.native import Native
from shop.csvio.problems import Problems
from shop.csvio.reading import Sheet
from shop.csvio.upsert import upsert
from shop.models import Customer


def import_customers(
    connection: Connection, sheet: Sheet, options: ImportOptions, progress: Progress,
) -> ImportResult:
    problems, native = Problems(), Native(connection)
    cells = Cells(sheet.frame, problems, required=FORMATS[Kind.customers].required)
    rows = pd.DataFrame(index=sheet.frame.index)
    rows["email"] = cells.email("email")
    rows["name"] = cells.text("name", max_length=200)
    if "phone" in cells:
        rows["phone"] = cells.phone("phone", region=options.phone_region)
    if "created_at" in cells:
        created = cells.timestamp("created_at", zone=options.zone)
        rows["created_at"] = objects(native.timestamps(created), rows.index)
    if "acquisition_cost" in cells:
        rows["acquisition_cost"] = cells.money("acquisition_cost")
    cells.duplicates(rows[["email"]], "email", what="this e-mail")
    sheet.check(problems)

    counts = upsert(
        connection, Customer.__table__, rows, key=["email"],
        keep_when_none=["created_at"],
        insert_defaults={"created_at": native.timestamp(options.now)},
        progress=progress,
    )
    return ImportResult(Kind.customers, len(rows), counts)
