"""Upsert on a natural key: insert what is new, update what differs, leave the rest.

Writing nothing for unchanged rows is what makes importing the same file twice a no-op
(and cheap). Existing rows are read untyped and compared in native form (see
`shop.csvio.native`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table

from shop.csvio.bulk import CHUNK_ROWS, KeyedSelect, Progress, TableInsert, update_rows
from shop.csvio.native import Native


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert(
    connection: Connection,
    model_table: Table,
    rows: pd.DataFrame,
    *,
    key: Sequence[str],
    keep_when_none: Iterable[str] = (),
    insert_defaults: dict[str, Any] | None = None,
    progress: Progress = lambda _n: None,
) -> Counts:
    """Write `rows` (native values, one column per table column) keyed on `key`.

    New rows get `insert_defaults` for the columns `rows` lacks, and in the columns
    `keep_when_none` (those that can't be NULL) None means "the default" for a new row
    and "leave it" for an existing one.
    """
    native = Native(connection)
    names = list(rows.columns)
    defaults = insert_defaults or {}
    compared = [(i, n, n in set(keep_when_none)) for i, n in enumerate(names) if n not in key]
    render = [native.stored_renderer(model_table.c[n]) for _i, n, _keep in compared]
    query = KeyedSelect(connection, model_table, key,
                         ["id", *key, *(n for _i, n, _keep in compared)])
    skip = 1 + len(key)
    extra = [n for n in defaults if n not in names]
    insert = TableInsert(connection, model_table, names + extra)
    counts = Counts()
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows.iloc[start : start + CHUNK_ROWS]
        columns = {n: part[n].tolist() for n in names}
        keys = columns[key[0]] if len(key) == 1 else list(zip(*(columns[k] for k in key),
                                                               strict=True))
        existing = {_key(old, range(1, skip)): old for old in query.rows(keys)}
        changed = []
        if existing:  # compare row by row; otherwise every row is new
            new = []
            for record, record_key in zip(zip(*columns.values(), strict=True), keys, strict=True):
                old = existing.get(record_key)
                if old is None:
                    new.append(record)
                    continue
                current = [fn(v) for fn, v in zip(render, old[skip:], strict=True)]
                wanted = [now if record[i] is None and keep else record[i]
                          for (i, _n, keep), now in zip(compared, current, strict=True)]
                if wanted != current:
                    changed.append({"id": old[0], **{n: w for (_i, n, _k), w in
                                                     zip(compared, wanted, strict=True)}})
            columns = {n: [r[i] for r in new] for i, n in enumerate(names)}
        added = len(columns[names[0]])
        insert.run({
            **{n: _or_default(v, defaults.get(n)) for n, v in columns.items()},
            **{n: [defaults[n]] * added for n in extra},
        })
        update_rows(connection, model_table, changed)
        counts.inserted += added
        counts.updated += len(changed)
        counts.unchanged += len(part) - added - len(changed)
        progress(len(part))
    return counts


def _or_default(values: list[Any], default: Any) -> list[Any]:
    return values if default is None else [default if v is None else v for v in values]


def _key(row: Sequence[Any], at: Sequence[int]) -> Any:
    return row[at[0]] if len(at) == 1 else tuple(row[i] for i in at)
