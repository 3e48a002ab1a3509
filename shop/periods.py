"""Turn the owner's words ("last month", "Q3 2025", "October vs September") into time windows.

German, Russian and Chinese periods ("letzten Monat", "в прошлом месяце", "上个月") are first
rewritten into these English forms by shop/period_words.py.

A window is half-open, [start, end), held as aware UTC datetimes but cut on the business's
calendar: "this month" in Europe/Berlin starts at local midnight on the 1st, which is
22:00 or 23:00 UTC the day before. Nothing here reads the clock; `now` is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser
from dateutil.relativedelta import relativedelta

from shop.period_words import to_english

Unit = Literal["day", "week", "month", "quarter", "year"]

STEPS: dict[Unit, relativedelta] = {
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "month": relativedelta(months=1),
    "quarter": relativedelta(months=3),
    "year": relativedelta(years=1),
}
DEFAULT_PERIOD = "last 30 days"
EXAMPLES = (
    "today", "yesterday", "this week", "last month", "last quarter", "this year",
    "last 30 days", "October", "Oct 2025", "Q3 2025", "since March",
    "2026-01-01 to 2026-02-15", "from 3 March to 10 April", "October vs September",
)


class PeriodError(ValueError):
    """The text names no window we can compute; the message says what was understood."""

    def __init__(self, text: str, understood: tuple[str, ...] = (), problem: str = "") -> None:
        self.text = text
        self.understood = understood
        got = f"; understood {', '.join(understood)}" if understood else ""
        why = f" ({problem})" if problem else ""
        super().__init__(
            f"I couldn't read the period {text!r}{why}{got}. Try for example: "
            + ", ".join(f'"{e}"' for e in EXAMPLES)
        )


@dataclass(frozen=True)
class Period:
    """A half-open window [start, end) in UTC, cut on the calendar of time zone `tz`.

    `unit` and `count` say how the window steps back in time: "Oct 2026" is one month,
    so its previous window is Sep 2026 even though September is a day shorter; windows
    without a unit (explicit ranges, "since March") step back by their exact length.
    """

    start: datetime
    end: datetime
    label: str
    tz: str = "UTC"
    unit: Unit | None = None
    count: int = 1
    to_date: bool = False  # a calendar window cut at now ("Oct 2026 to date")

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a Period needs timezone-aware start and end")
        if self.start >= self.end:
            raise ValueError(f"a Period must end after it starts: {self.start} .. {self.end}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def previous(self) -> Period:
        """The window of the same length just before this one (same calendar unit if any)."""
        zone = self.zone
        start, end = _local(self.start, zone), _local(self.end, zone)
        if self.unit is None:
            length = self.end - self.start
            return _window(_local(self.start - length, zone), start, zone)
        step = _step(self.unit, self.count)
        before = start - step
        # Whole, counted from either edge: month arithmetic is not reversible at month ends
        # (29 Feb + 3 months = 29 May, but 30 May - 3 months = 29 Feb).
        if end == start + step or end - step == start:
            return _window(before, start, zone, self.unit, self.count)
        # A window cut short ("this month" to date) compares with the same stretch before.
        return _window(before, min(before + (end - start), start), zone, self.unit, self.count)

    def until(self, moment: datetime) -> Period:
        """This window cut at `moment` when it is still running ("this month" → to date)."""
        if not self.start < moment < self.end:
            return self
        zone = self.zone
        cut = replace(self, end=moment.astimezone(UTC))
        if self.label == _calendar_label(_local(self.start, zone), self.unit, self.count):
            return replace(cut, label=f"{self.label} to date", to_date=True)
        return replace(cut, label=_range_label(_local(self.start, zone), _local(moment, zone)))

    def split(self, unit: Unit) -> list[Period]:
        """Consecutive calendar buckets (days, weeks, months) covering this window."""
        zone = self.zone
        start, end = _local(self.start, zone), _local(self.end, zone)
        edges = [start]
        edge = _floor(start, unit) + STEPS[unit]
        while edge < end:
            edges.append(edge)
            edge += STEPS[unit]
        edges.append(end)
        return [
            _window(a, b, zone, unit)
            for a, b in zip(edges, edges[1:], strict=False)
            if _utc(a, zone) < _utc(b, zone)  # a day a zone skipped (Samoa, 30 Dec 2011)
        ]


def parse_period(
    text: str | None, *, now: datetime, tz: str = "UTC", date_order: str = "DMY"
) -> Period:
    """One window from the owner's words; no words means the last 30 days."""
    cleaned = _clean(text or DEFAULT_PERIOD)
    if _COMPARISON.search(cleaned):
        raise PeriodError(text or "", problem="that compares two periods; ask for one")
    return _Parser(now, ZoneInfo(tz), date_order).period(cleaned, text or "")


def parse_comparison(
    text: str | None, *, now: datetime, tz: str = "UTC", date_order: str = "DMY"
) -> tuple[Period, Period | None]:
    """(window, baseline) from "X vs Y"; the baseline is None when the text names one window,
    which is then compared with the window before it (see metrics.compute)."""
    cleaned = _clean(text or DEFAULT_PERIOD)
    parser = _Parser(now, ZoneInfo(tz), date_order)
    sides = _COMPARISON.split(cleaned)
    if len(sides) == 1:
        return parser.period(cleaned, text or ""), None
    if len(sides) != 2:
        raise PeriodError(text or "", problem="compare exactly two periods")
    understood: list[str] = []
    periods: list[Period] = []
    for side in sides:
        try:
            periods.append(parser.period(_clean(side), side))
            understood.append(f"{side!r} as {periods[-1].label}")
        except PeriodError:
            raise PeriodError(text or "", tuple(understood), f"not {side!r}") from None
    return periods[0], periods[1]


# --- calendar arithmetic on local wall-clock times (naive datetimes in the business zone) ---


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _utc(wall: datetime, zone: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _step(unit: Unit, count: int) -> relativedelta:
    return STEPS[unit] * count


def _floor(wall: datetime, unit: Unit) -> datetime:
    day = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    return day.replace(day=1, month=1)


def _window(
    start: datetime, end: datetime, zone: ZoneInfo, unit: Unit | None = None, count: int = 1
) -> Period:
    whole = unit is not None and end == start + _step(unit, count)
    label = (_calendar_label(start, unit, count) if whole else "") or _range_label(start, end)
    if _utc(start, zone) >= _utc(end, zone):
        raise PeriodError(label, problem=f"that time did not exist in {zone}")
    return Period(_utc(start, zone), _utc(end, zone), label, str(zone), unit, count)


def _calendar_label(start: datetime, unit: Unit | None, count: int) -> str:
    """"Oct 2026", "Q3 2026", "week of 16 Nov 2026"...; empty unless one aligned unit."""
    if unit is None or count != 1 or _floor(start, unit) != start:
        return ""
    if unit == "day":
        return _day(start.date())
    if unit == "week":
        return f"week of {_day(start.date())}"
    if unit == "month":
        return f"{start:%b %Y}"
    if unit == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def _range_label(start: datetime, end: datetime) -> str:
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_day(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {_day(last)}"
    return f"{_day(first)} – {_day(last)}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


# --- the parser ---

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_UNIT = r"(day|week|month|quarter|year)s?"
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(\d{4})"

_COMPARISON = re.compile(r"\s+(?:vs\.?|versus|compared (?:to|with)|against)\s+")
_RELATIVE = re.compile(r"(this|current|last) " + _UNIT)
_TO_DATE = re.compile(r"(week|month|quarter|year)[ -]to[ -]date|([wmqy])td")
_ROLLING = re.compile(r"last (\d+|" + "|".join(_NUMBERS) + r") " + _UNIT)
_QUARTER = re.compile(r"q([1-4])(?:[ /-]*(?:of )?" + _YEAR + r")?|" + _YEAR + r"[ /-]*q([1-4])")
_NAMED_MONTH = re.compile(_MONTH + r"(?:,? (?:of )?" + _YEAR + r")?|" + _YEAR + r"[ /-]" + _MONTH)
_YEAR_ONLY = re.compile(_YEAR)
_SINCE = re.compile(r"since (.+)")
_RANGE = re.compile(
    r"(?:from )?(.+?)\s+(?:to|until|till|through|thru|-|–|—)\s+(.+)|between (.+?) and (.+)"
)
_HAS_YEAR = re.compile(r"\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2}")
_FILLER = re.compile(r"^(?:(?:in|for|during|over|of|on|the|from the)\s+)+")


def _clean(text: str) -> str:
    cleaned = re.sub(r"\s+", " ", text.strip().lower()).strip(" ?!.,？！。，")
    cleaned = to_english(cleaned).strip(" ?!.,")  # German, Russian, Chinese words (period_words.py)
    cleaned = _FILLER.sub("", cleaned)
    cleaned = re.sub(r"\bfortnight\b", "2 weeks", cleaned)  # "the past fortnight": the last 14 days
    return re.sub(r"^(?:previous|past)\b", "last", cleaned)


@dataclass(frozen=True)
class _Span:
    """A parsed endpoint: its own window in wall-clock time, and whether it named a year."""

    start: datetime
    end: datetime
    unit: Unit
    explicit_year: bool


class _Parser:
    """The grammar of windows, relative to one `now` in one zone."""

    def __init__(self, now: datetime, zone: ZoneInfo, date_order: str) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.zone = zone
        self.date_order = date_order
        self.wall = _local(now, zone)
        self.today = _floor(self.wall, "day")
        self.tomorrow = self.today + STEPS["day"]

    def period(self, cleaned: str, original: str) -> Period:
        whole = self._whole(cleaned)
        if whole is not None:
            return whole
        if match := _SINCE.fullmatch(cleaned):
            span = self._endpoint(match[1], self.wall, "past")
            if span is None:
                raise PeriodError(original, problem=f"not a date: {match[1]!r}")
            if span.start >= self.tomorrow:
                raise PeriodError(original, problem="that is in the future")
            return _window(span.start, self.tomorrow, self.zone)
        if match := _RANGE.fullmatch(cleaned):
            first, last = (match[1], match[2]) if match[1] else (match[3], match[4])
            return self._range(first.strip(), last.strip(), original)
        span = self._endpoint(cleaned, self.wall, "past")
        if span is None:
            raise PeriodError(original)
        return _window(span.start, span.end, self.zone, span.unit)

    def _whole(self, text: str) -> Period | None:
        """Forms that name a window by themselves: today, last week, last 7 days..."""
        if text in ("today", "yesterday"):
            day = self.today - (STEPS["day"] if text == "yesterday" else relativedelta())
            return _window(day, day + STEPS["day"], self.zone, "day")
        if match := _TO_DATE.fullmatch(text):
            unit = match[1] or {"w": "week", "m": "month", "q": "quarter", "y": "year"}[match[2]]
            text = f"this {unit}"
        if match := _RELATIVE.fullmatch(text):
            unit = _unit(match[2])
            start = _floor(self.wall, unit)
            if match[1] == "last":
                start -= STEPS[unit]
            return _window(start, start + STEPS[unit], self.zone, unit)
        if match := _ROLLING.fullmatch(text):
            count = int(match[1]) if match[1].isdigit() else _NUMBERS[match[1]]
            if count < 1:
                return None
            unit = _unit(match[2])
            start = self.tomorrow - _step(unit, count)
            return _window(start, self.tomorrow, self.zone, unit, count)
        return None

    def _range(self, first: str, last: str, original: str) -> Period:
        end = self._endpoint(last, self.wall, "past")
        start = self._endpoint(first, end.start if end else self.wall, "past")
        understood = tuple(
            f"{part!r} as {_range_label(span.start, span.end)}"
            for part, span in ((first, start), (last, end))
            if span is not None
        )
        if start is None or end is None:
            missing = first if start is None else last
            raise PeriodError(original, understood, f"not a date: {missing!r}")
        if start.explicit_year and not end.explicit_year:
            end = self._endpoint(last, start.start, "future") or end
        if start.start >= end.end:
            raise PeriodError(original, understood, "the range ends before it starts")
        if start.unit == end.unit and (count := _units_between(start.start, end.end, start.unit)):
            return _window(start.start, end.end, self.zone, start.unit, count)
        return _window(start.start, end.end, self.zone)

    def _endpoint(self, text: str, base: datetime, prefer: str) -> _Span | None:
        """A month, quarter, year or single day; without a year, the nearest one in `prefer`."""
        explicit = bool(_HAS_YEAR.search(text))
        if match := _QUARTER.fullmatch(text):
            quarter, year = (match[1], match[2]) if match[1] else (match[4], match[3])
            first = (int(quarter) - 1) * 3 + 1
            return self._nearest(first, year, "quarter", base, prefer)
        if match := _NAMED_MONTH.fullmatch(text):
            month, year = (match[1], match[2]) if match[1] else (match[4], match[3])
            return self._nearest(_MONTHS[month], year, "month", base, prefer)
        if match := _YEAR_ONLY.fullmatch(text):
            start = datetime(int(match[1]), 1, 1)  # noqa: DTZ001 - wall-clock time in self.zone
            return _Span(start, start + STEPS["year"], "year", True)
        if text in ("today", "yesterday"):
            window = self._whole(text)
            assert window is not None
            day = _local(window.start, self.zone)
            return _Span(day, day + STEPS["day"], "day", False)
        return self._dateparser(text, base, prefer, explicit)

    def _nearest(
        self, month: int, year: str | None, unit: Unit, base: datetime, prefer: str
    ) -> _Span:
        if year:
            start = datetime(int(year), month, 1)  # noqa: DTZ001 - wall-clock time in self.zone
            return _Span(start, start + STEPS[unit], unit, True)
        start = datetime(base.year, month, 1)  # noqa: DTZ001 - wall-clock time in self.zone
        if prefer == "past" and start > base:
            start -= STEPS["year"]
        if prefer == "future" and start < _floor(base, unit):
            start += STEPS["year"]
        return _Span(start, start + STEPS[unit], unit, False)

    def _dateparser(self, text: str, base: datetime, prefer: str, explicit: bool) -> _Span | None:
        """Single dates in their many spellings ("3 March", "5/3/2026", "March 3rd")."""
        settings = {
            "PREFER_DATES_FROM": prefer,
            "RELATIVE_BASE": base,
            "RETURN_TIME_AS_PERIOD": True,
            "DATE_ORDER": self.date_order,
        }
        data = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
        if data.date_obj is None:
            return None
        period = data.period if data.period in ("week", "month", "year") else "day"
        unit: Unit = period  # type: ignore[assignment]
        start = _floor(data.date_obj.replace(tzinfo=None), unit)
        return _Span(start, start + STEPS[unit], unit, explicit)


def _units_between(start: datetime, end: datetime, unit: Unit) -> int | None:
    """How many whole `unit`s run from start to end, so "March to June" steps back 4 months."""
    count = 1
    while start + _step(unit, count) < end:
        count += 1
    return count if start + _step(unit, count) == end else None


def _unit(word: str) -> Unit:
    return word.rstrip("s")  # type: ignore[return-value]
