"""The owner's data in and out of the store as CSV files (formats: `shop.csvio.formats`).

An import reads the whole file, validates every cell and reference, and either raises
ImportFailed listing every problem (line, column, value, reason) having written
nothing, or upserts all rows on their natural keys in the caller's transaction, so
importing the same file again changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session
from tqdm import tqdm

from shop.csvio.base import ImportOptions, ImportResult
from shop.csvio.bulk import Progress, big_cache
from shop.csvio.customers import import_customers
from shop.csvio.deliveries import derived_status, import_deliveries
from shop.csvio.export import export_csv
from shop.csvio.faq import import_faq
from shop.csvio.formats import FORMATS, Kind
from shop.csvio.items import import_items
from shop.csvio.orders import import_orders
from shop.csvio.problems import ImportFailed, Problem
from shop.csvio.reading import Sheet, read_sheet

Importer = Callable[[Connection, Sheet, ImportOptions, Progress], ImportResult]
IMPORTERS: dict[Kind, Importer] = {
    Kind.customers: import_customers,
    Kind.orders: import_orders,
    Kind.items: import_items,
    Kind.deliveries: import_deliveries,
    Kind.faq: import_faq,
}


def import_file(
    session: Session, kind: Kind, path: Path, *, options: ImportOptions, progress: bool = False,
) -> ImportResult:
    """Import `path` as a `kind` file in the session's transaction (never commits).

    Raises ImportFailed, before writing anything, if any row is wrong. `progress` shows
    a bar on stderr when it is a terminal.
    """
    sheet = read_sheet(path, FORMATS[kind])
    session.flush()  # the importers work on the connection: let them see pending objects
    connection = session.connection()
    with tqdm(total=len(sheet.frame), desc=f"importing {kind.value}", unit=" rows",
              file=sys.stderr, disable=None if progress else True, leave=False) as bar, \
            big_cache(connection):
        return IMPORTERS[kind](connection, sheet, options, bar.update)


__all__ = [
    "FORMATS", "ImportFailed", "ImportOptions", "ImportResult", "Kind", "Problem",
    "derived_status", "export_csv", "import_file",
]
