"""Writing and reading many rows at once, fast enough for million-row files and demo shops.

Going through the typed model columns costs more than the database itself when a
million rows go by: UTCDateTime and Numeric convert every value in Python, and
SQLAlchemy processes every parameter set. Bulk statements are therefore still compiled
by SQLAlchemy from the model tables, but executed with the driver's executemany on
values already in native form (`shop.csvio.native`); callers guarantee timestamps are
UTC. Reading back through the typed models works as usual. Used by the CSV importers and
the demo generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    Table,
    TableClause,
    bindparam,
    column,
    func,
    insert,
    select,
    table,
    update,
)

from shop.csvio.native import Native

CHUNK_ROWS = 5_000
WRITE_ROWS = 20_000

Progress = Callable[[int], object]


@contextmanager
def big_cache(connection: Connection, *, mib: int = 256) -> Iterator[None]:
    """A larger SQLite page cache while writing many rows.

    Random inserts into secondary indexes (orders by customer, say) and foreign-key
    lookups then stay in memory instead of spilling pages to the WAL and reading them
    back. The setting belongs to the pooled connection, so it is put back afterwards.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = {-mib * 1024:d}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {previous:d}")


def plain(model_table: Table) -> TableClause:
    """The same table without column types, so values go to the driver untouched."""
    return table(model_table.name, *(column(c.name) for c in model_table.columns))


class TableInsert:
    """An INSERT of some columns, run with the driver's executemany on native values."""

    def __init__(self, connection: Connection, model_table: Table, names: Sequence[str]) -> None:
        compiled = insert(plain(model_table)).compile(
            dialect=connection.dialect, column_keys=list(names)
        )
        self.connection = connection
        self.sql = str(compiled)
        self.order = list(compiled.positiontup or []) if compiled.positional else None

    def run(self, columns: dict[str, list[Any]]) -> None:
        if self.order is not None:
            params: list[Any] = list(zip(*(columns[n] for n in self.order), strict=True))
        else:
            names = list(columns)
            params = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        if params:
            self.connection.exec_driver_sql(self.sql, params)


def insert_rows(connection: Connection, model_table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert native-valued rows (all with the same keys), in chunks."""
    if not rows:
        return
    names = list(rows[0])
    statement = TableInsert(connection, model_table, names)
    for start in range(0, len(rows), WRITE_ROWS):
        part = rows[start : start + WRITE_ROWS]
        statement.run({n: [row[n] for row in part] for n in names})


@dataclass(frozen=True)
class Cents:
    """A money column as integer cents (negative: NULL), written as exact decimal text."""

    values: np.ndarray

    def render(self, part: slice) -> list[str | None]:
        return [None if v < 0 else f"{v // 100}.{v % 100:02d}" for v in self.values[part].tolist()]


def insert_arrays(
    connection: Connection, model_table: Table, columns: dict[str, np.ndarray | Cents],
    *, progress: Progress = lambda _n: None,
) -> int:
    """Insert rows given as equal-length arrays, converting one chunk at a time.

    datetime64 arrays (UTC) become native timestamps, Cents become decimal text, other
    arrays their Python values (object arrays pass their objects through unchanged, so
    repeated strings are not copied). Returns the number of rows.
    """
    native = Native(connection)
    statement = TableInsert(connection, model_table, list(columns))
    first = next(iter(columns.values()))
    total = len(first.values if isinstance(first, Cents) else first)
    for start in range(0, total, WRITE_ROWS):
        part = slice(start, start + WRITE_ROWS)
        statement.run({
            name: col.render(part) if isinstance(col, Cents)
            else native.timestamps(col[part]) if col.dtype.kind == "M"
            else col[part].tolist()
            for name, col in columns.items()
        })
        progress(min(WRITE_ROWS, total - start))
    return total


def update_rows(connection: Connection, model_table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Update rows by "id" with native values; every row must have the same keys."""
    if not rows:
        return
    light = plain(model_table)
    names = [name for name in rows[0] if name != "id"]
    statement = (
        update(light)
        .where(light.c.id == bindparam("_id"))
        .values({name: bindparam(f"_{name}") for name in names})
    )
    for start in range(0, len(rows), WRITE_ROWS):
        connection.execute(statement, [
            {f"_{k}": v for k, v in row.items()} for row in rows[start : start + WRITE_ROWS]
        ])


class KeyedSelect:
    """SELECT columns FROM a table WHERE its key is one of many values, run on the driver.

    SQLAlchemy prepares every one of the thousands of IN parameters in Python, which
    costs more than the query; here SQLAlchemy compiles the SELECT and only the list of
    placeholders is added, so the driver binds the values. Values come back untyped.
    """

    def __init__(self, connection: Connection, model_table: Table, key: Sequence[str],
                 columns: Sequence[str]) -> None:
        light = plain(model_table)
        dialect = connection.dialect
        self.connection = connection
        self.sql = str(select(*(light.c[c] for c in columns)).compile(dialect=dialect))
        quoted = [dialect.identifier_preparer.quote(k) for k in key]
        self.target = quoted[0] if len(key) == 1 else f"({', '.join(quoted)})"
        if dialect.paramstyle not in ("qmark", "format", "pyformat"):
            raise NotImplementedError(f"parameter style {dialect.paramstyle}")
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.group = mark if len(key) == 1 else f"({', '.join([mark] * len(key))})"
        self.width = len(key)

    def rows(self, keys: Sequence[Any]) -> list[Any]:
        if not keys:
            return []
        params = list(keys) if self.width == 1 else [v for k in keys for v in k]
        sql = f"{self.sql} WHERE {self.target} IN ({', '.join([self.group] * len(keys))})"
        return list(self.connection.exec_driver_sql(sql, tuple(params)))


def lookup(connection: Connection, model_table: Table, key: str, values: Iterable[Any],
           *, columns: Sequence[str] = ("id",)) -> dict[Any, tuple[Any, ...]]:
    """Rows whose `key` is one of `values`: key -> the requested columns (untyped)."""
    wanted = list(dict.fromkeys(v for v in values if v is not None))
    query = KeyedSelect(connection, model_table, [key], [key, *columns])
    found: dict[Any, tuple[Any, ...]] = {}
    for start in range(0, len(wanted), CHUNK_ROWS):
        for row in query.rows(wanted[start : start + CHUNK_ROWS]):
            found[row[0]] = tuple(row[1:])
    return found


def max_ids(connection: Connection, tables: Iterable[Table]) -> dict[str, int]:
    """The highest id in each table (0 when empty), for callers that number rows themselves."""
    return {
        t.name: connection.scalar(select(func.coalesce(func.max(t.c.id), 0))) or 0 for t in tables
    }


def resync_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if connection.dialect.name != "postgresql":
        return
    for t in tables:
        connection.execute(select(func.setval(
            func.pg_get_serial_sequence(t.name, "id"),
            select(func.coalesce(func.max(t.c.id), 0) + 1).scalar_subquery(),
            False,
        )))
