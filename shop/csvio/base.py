"""What every importer takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from shop.csvio.formats import Kind
from shop.csvio.upsert import Counts


@dataclass(frozen=True)
class ImportOptions:
    zone: ZoneInfo  # naive date-times in the file are local time here (settings.tz)
    now: datetime  # "created at" of customers whose file gives none; no stage is done later
    currency: str = "EUR"  # for orders whose currency cell is blank (settings.currency)
    phone_region: str | None = None  # country of phone numbers written without +CC


@dataclass(frozen=True)
class ImportResult:
    kind: Kind
    rows: int
    counts: Counts
    products_created: int = 0  # items: products created from their rows
    # deliveries: (order number, stage name) of stages that became done with this import,
    # in file order, for the bot's proactive notifications
    newly_done: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        text = (f"{self.kind.value}: {self.rows} rows, {c.inserted} new, {c.updated} updated, "
                f"{c.unchanged} unchanged")
        if self.products_created:
            text += f", {self.products_created} products created"
        if self.newly_done:
            text += f", {len(self.newly_done)} stages newly done"
        return text

