"""A benchmark result row and the table it is printed in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    suite: str
    measure: str
    value: float
    unit: str
    target: str = ""  # e.g. "<= 2 ms", ">= 50000 rows/s"
    ok: bool | None = None  # None: no target


def print_table(rows: list[Row]) -> None:
    headers = ("suite", "measure", "value", "unit", "target", "met")
    cells = [
        (r.suite, r.measure, f"{r.value:,.2f}" if r.value < 1000 else f"{r.value:,.0f}", r.unit,
         r.target, "" if r.ok is None else ("yes" if r.ok else "NO"))
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |")
