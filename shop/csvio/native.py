"""Values in the form the database stores them, so bulk writes can skip type processing.

Timestamps are UTC text: SQLAlchemy's own SQLite format (so SQL comparisons with typed
parameters keep working) or the same with "+00:00" for PostgreSQL; money is exact
decimal text. Values rendered here and values read back untyped compare equal when the
stored data is the same, which is how an import sees that nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import Column, Connection, Numeric

from shop.models import UTCDateTime

SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_ISO_T = 10  # where datetime_as_string puts the "T" that SQLAlchemy's format has as " "


class Native:
    """Renders values as the connected database stores them (see the module docstring)."""

    def __init__(self, connection: Connection) -> None:
        self.sqlite = connection.dialect.name == "sqlite"
        self.suffix = "" if self.sqlite else "+00:00"

    def timestamps(self, values: np.ndarray) -> list[str | None]:
        """datetime64 values, taken as UTC, with None for NaT."""
        if not len(values):
            return []
        missing = np.isnat(values)
        text = np.datetime_as_string(values.astype("datetime64[us]"), unit="us")
        chars = text.view(np.uint32).reshape(len(text), -1)
        chars[~missing, _ISO_T] = ord(" ")
        if self.suffix:
            text = np.char.add(text, self.suffix)
        out = text.astype(object)
        out[missing] = None
        return out.tolist()

    def timestamp(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        return value.astimezone(UTC).strftime(SQLITE_FORMAT) + self.suffix

    def stored_renderer(self, col: Column[Any]) -> Callable[[Any], Any]:
        """How to render a value of `col` read back untyped (through `plain`) natively."""
        if isinstance(col.type, UTCDateTime):
            return _same if self.sqlite else self.timestamp  # SQLite hands back the text
        if isinstance(col.type, Numeric):
            return _money  # SQLite: int or float; PostgreSQL: Decimal
        return _same


def _same(value: Any) -> Any:
    return value


def _money(value: float | Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
