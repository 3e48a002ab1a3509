"""Checking a file's cells column by column: text in, typed values out, problems recorded.

Every cell is trimmed, then parsed; a bad or missing required cell becomes a problem and
None (or NaT) in the parsed column. Cells are parsed once per distinct value: exported
columns repeat a lot (statuses, currencies, a customer's e-mail on each of their orders),
and a million-row file must stay quick.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from shop.csvio.problems import Problems
from shop.csvio.text import control_character, unquote_formula
from shop.phones import InvalidPhone, normalise

EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")
AMOUNT = re.compile(r"(-?)(\d+)(?:\.(\d*))?")
WHOLE_NUMBER = re.compile(r"-?\d{1,9}")
CURRENCY = re.compile(r"[A-Z]{3}")
TIMESTAMP = re.compile(  # ISO 8601 date[time] and its UTC offset, if any
    r"(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))"
    r"(?:[T ](?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,6})?)?))?"
    r"(?P<offset>Z|[+-](?P<offset_hours>\d{2})(?::?(?P<offset_minutes>\d{2}))?)?"
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MAX_AMOUNT_DIGITS = 10  # Numeric(12, 2)
NOT_AN_AMOUNT = ("not an amount: use digits and a dot for decimals, e.g. 1234.50 "
                 "(no currency sign or thousands separator)")
NOT_A_DATETIME = ("not an ISO 8601 date or date-time "
                  "(e.g. 2026-03-01, 2026-03-01 14:30 or 2026-03-01T14:30:00+01:00)")
MISSING = "required value is missing"
DISTINCT_SAMPLE = 2_000
EXPORTED_DATETIME = "%Y-%m-%dT%H:%M:%S%z"

Parsed = tuple[object, str | None]  # (value, None) or (None, reason); blank cells never get here


def objects(values: object, index: pd.Index) -> pd.Series:
    """A column of Python values kept as they are (pandas would turn None into NaN in text)."""
    return pd.Series(values, index=index, dtype=object)


class Cells:
    """The cells of one file, checked column by column into `problems`."""

    def __init__(self, frame: pd.DataFrame, problems: Problems, *, required: tuple[str, ...]) -> None:
        self.frame = frame
        self.problems = problems
        self.required = required

    def __contains__(self, column: str) -> bool:
        return column in self.frame

    def raw(self, column: str) -> pd.Series:
        """The column as written (blank if the file leaves it out)."""
        return self.frame[column] if column in self.frame else objects("", self.frame.index)

    def absent(self) -> pd.Series:
        """The parsed column of an optional field the file leaves out: None everywhere."""
        return objects([None] * len(self.frame), self.frame.index)

    def check(self, column: str, parse: Callable[[str], Parsed]) -> pd.Series:
        """Trim and parse every cell; record the bad ones; the parsed column."""
        codes, parsed, _cells = self._distinct(column, parse)
        return objects(parsed[codes], self.frame.index)

    def _distinct(self, column: str, parse: Callable[[str], Parsed],
                  where: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Parse each distinct cell once: (each row's code, parsed and trimmed distinct cells).

        `where` (a row mask) limits the work to those rows; the codes then follow them.
        """
        values = self.frame[column] if where is None else self.frame[column][where]
        sample = values.iloc[:DISTINCT_SAMPLE]
        if sample.nunique() > 0.9 * len(sample):  # all different (numbers, times): no hashing
            codes, uniques = np.arange(len(values)), values.tolist()
        else:
            codes, distinct = pd.factorize(values)
            uniques = distinct.tolist()
        cells = [u.strip() for u in uniques]
        blank = (None, MISSING if column in self.required else None)
        results = [parse(c) if c else blank for c in cells]
        parsed = np.empty(len(results), dtype=object)
        parsed[:] = [value for value, _reason in results]
        reasons = [reason for _value, reason in results]
        for reason in sorted({r for r in reasons if r is not None}, key=_missing_first):
            bad = np.array([r == reason for r in reasons], dtype=bool)[codes]
            if where is not None:
                bad = _spread(bad, where)
            self.problems.add(pd.Series(bad, index=self.frame.index), column,
                              self.frame[column], reason)
        return codes, parsed, cells

    def text(self, column: str, *, max_length: int) -> pd.Series:
        def parse(cell: str) -> Parsed:
            text, reason = _text(cell)
            if reason is None and len(text) > max_length:
                reason = f"longer than {max_length} characters"
            return (None, reason) if reason is not None else (text, None)
        return self.check(column, parse)

    def email(self, column: str) -> pd.Series:
        def parse(cell: str) -> Parsed:
            text, reason = _text(cell)
            return (None, reason) if reason is not None else _email(text)
        return self.check(column, parse)

    def phone(self, column: str, *, region: str | None) -> pd.Series:
        """E.164 numbers."""
        def parse(cell: str) -> Parsed:
            try:
                return normalise(cell, region=region), None
            except InvalidPhone as exc:
                return None, str(exc)
        return self.check(column, parse)

    def money(self, column: str) -> pd.Series:
        return self.check(column, _money)

    def integer(self, column: str, *, minimum: int) -> pd.Series:
        def parse(cell: str) -> Parsed:
            if not WHOLE_NUMBER.fullmatch(cell):
                return None, "not a whole number"
            return (None, f"must be {minimum} or more") if int(cell) < minimum else (int(cell), None)
        return self.check(column, parse)

    def choice(self, column: str, *, allowed: tuple[str, ...]) -> pd.Series:
        def parse(cell: str) -> Parsed:
            if cell.lower() not in allowed:
                return None, f"must be one of: {', '.join(allowed)}"
            return cell.lower(), None
        return self.check(column, parse)

    def currency(self, column: str) -> pd.Series:
        return self.check(column, _currency)

    def timestamp(self, column: str, *, zone: ZoneInfo) -> np.ndarray:
        """UTC instants as datetime64[us] (NaT where blank or bad).

        Values without an offset are local time in `zone`; a local time that the clock
        change skips or repeats is refused rather than guessed. The form exports write
        (2026-03-01T14:30:00+01:00) is parsed in one go; only other forms are looked at
        one by one.
        """
        raw = self.frame[column]
        out = pd.to_datetime(raw, format=EXPORTED_DATETIME, errors="coerce", utc=True).astype(
            "datetime64[us, UTC]"
        )
        other = out.isna().to_numpy()
        if not other.any():
            return out.dt.tz_convert(None).to_numpy(dtype="datetime64[us]")
        codes, has_offset, cells = self._distinct(column, _iso_8601, where=other)
        values = objects(_spread(np.array(cells, dtype=object)[codes], other, fill=""),
                         raw.index)
        aware = pd.Series(_spread(np.equal(has_offset, True)[codes], other), index=raw.index)
        naive = pd.Series(_spread(np.equal(has_offset, False)[codes], other), index=raw.index)
        unplaceable = pd.Series(False, index=raw.index)
        if aware.any():
            out[aware] = pd.to_datetime(values[aware], format="ISO8601", errors="coerce", utc=True)
        if naive.any():
            local = pd.to_datetime(values[naive], format="ISO8601", errors="coerce").astype(
                "datetime64[us]"
            )
            placed = local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
            out[naive] = placed.dt.tz_convert("UTC")
            unplaceable[naive] = local.notna() & placed.isna()
            self.problems.add(unplaceable, column, raw, (
                f"this local time is skipped or repeated by the clock change in {zone.key}; "
                "add the UTC offset, e.g. +01:00"
            ))
        impossible = (aware | naive) & out.isna() & ~unplaceable  # e.g. year 0000
        self.problems.add(impossible, column, raw, NOT_A_DATETIME)
        return out.dt.tz_convert(None).to_numpy(dtype="datetime64[us]")

    def duplicates(self, key: pd.DataFrame, column: str, *, what: str) -> None:
        """Report every repeat of a natural key (parsed columns) after its first row."""
        filled = key.notna().all(axis=1)
        repeated = key.duplicated(keep="first") & filled
        if not repeated.any():
            return
        first = pd.Series(np.arange(len(key)), index=key.index).groupby(
            [key[c] for c in key.columns], dropna=True,
        ).transform("first")
        self.problems.add(repeated, column, self.raw(column),
                          f"{what} appears twice; first on line {{line}}",
                          refer=first.reindex(key.index).fillna(0).astype(int))


def _spread(values: np.ndarray, where: np.ndarray, fill: object = False) -> np.ndarray:
    """Values for the rows of `where`, `fill` for the others."""
    full = np.full(len(where), fill, dtype=values.dtype)
    full[where] = values
    return full


def _missing_first(reason: str) -> tuple[bool, str]:
    return reason != MISSING, reason


def _text(cell: str) -> tuple[str, str | None]:
    """A free-text cell as the text it stands for (see `shop.csvio.text`), or why it can't be."""
    reason = control_character(cell)
    return (cell, reason) if reason is not None else (unquote_formula(cell), None)


def _email(cell: str) -> Parsed:
    """Lower-cased, since the address is the customer's key and people type it both ways."""
    lowered = cell.lower()
    if not EMAIL.fullmatch(lowered):
        return None, "not a valid e-mail address"
    if len(lowered) > 320:
        return None, "longer than 320 characters"
    return lowered, None


def _money(cell: str) -> Parsed:
    """Amounts >= 0 as canonical text "1234.50" (Decimal-exact, no float on the way)."""
    match = AMOUNT.fullmatch(cell)
    if not match:
        return None, NOT_AN_AMOUNT
    sign, units, cents = match.group(1), match.group(2).lstrip("0") or "0", match.group(3) or ""
    if sign:
        return None, "must not be negative"
    if len(cents) > 2:
        return None, "more than 2 decimals"
    if len(units) > MAX_AMOUNT_DIGITS:
        return None, "too large"
    return f"{units}.{cents.ljust(2, '0')}", None


def _currency(cell: str) -> Parsed:
    if not CURRENCY.fullmatch(cell.upper()):
        return None, "not a 3-letter currency code such as EUR"
    return cell.upper(), None


def _iso_8601(cell: str) -> Parsed:
    """Whether the date-time has a UTC offset (None if it is not ISO 8601 or does not exist)."""
    match = TIMESTAMP.fullmatch(cell)
    if match is None:
        return None, NOT_A_DATETIME
    reason = _not_in_calendar(match)
    return (None, reason) if reason is not None else (match["offset"] is not None, None)


def _not_in_calendar(match: re.Match[str]) -> str | None:
    """Why a well-formed ISO 8601 date-time names no moment (2026-02-30, 25:00), if it doesn't."""
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not 1 <= month <= 12:
        return f"{match['date']} is not a date in the calendar (there is no month {month:02d})"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return (f"{match['date']} is not a date in the calendar "
                f"({MONTHS[month - 1]} has {days} days in {year})")
    if match["time"] and (int(match["hour"]) > 23 or int(match["minute"]) > 59
                          or int(match["second"] or 0) > 59):
        return (f"{match['time']} is not a time of day "
                "(hours go up to 23, minutes and seconds up to 59)")
    if match["offset_hours"] and (int(match["offset_hours"]) > 23
                                  or int(match["offset_minutes"] or 0) > 59):
        return f"{match['offset']} is not a UTC offset (e.g. +01:00 or -05:00)"
    return None
