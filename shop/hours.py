"""Business hours: when people answer, and deadlines counted in working time.

A ticket opened on Friday evening is not "late" on Saturday morning: the first-response
target is counted only while the business is open (BUSINESS_HOURS on BUSINESS_DAYS, in
TZ). Pure functions over an explicit `now`, so they are easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from shop.i18n import ENGLISH, Translator

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 24 * 60


def parse_hours(value: str) -> tuple[int, int]:
    """'09:00-18:00' → (540, 1080) minutes after midnight; '00:00-24:00' is all day."""
    try:
        start, end = (part.strip() for part in value.split("-"))
        opens, closes = _minutes(start), _minutes(end)
    except ValueError:
        raise ValueError(f"business hours look like 09:00-18:00, not {value!r}") from None
    if not 0 <= opens < closes <= MINUTES_PER_DAY:
        raise ValueError(f"business hours must open before they close within one day: {value!r}")
    return opens, closes


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(minutes) < 60):
        raise ValueError(text)
    return int(hours) * 60 + int(minutes)


def parse_days(value: str) -> frozenset[int]:
    """'Mon-Fri' or 'Mon,Wed,Sat' or 'Mon-Sun' → weekday numbers (Monday = 0)."""
    days: set[int] = set()
    lookup = {name.lower(): i for i, name in enumerate(DAY_NAMES)}
    try:
        for part in value.replace(" ", "").split(","):
            if not part:
                continue
            first, _, last = part.partition("-")
            a, b = lookup[first[:3].lower()], lookup[(last or first)[:3].lower()]
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    except KeyError:
        raise ValueError(f"business days look like Mon-Fri or Mon,Wed,Fri, not {value!r}") from None
    if not days:
        raise ValueError("at least one business day is needed")
    return frozenset(days)


@dataclass(frozen=True)
class BusinessHours:
    opens: int  # minutes after local midnight
    closes: int
    days: frozenset[int]
    zone: ZoneInfo

    @classmethod
    def parse(cls, hours: str, days: str, zone: ZoneInfo) -> BusinessHours:
        opens, closes = parse_hours(hours)
        return cls(opens, closes, parse_days(days), zone)

    @classmethod
    def from_settings(cls, settings: object) -> BusinessHours:
        """From a Settings object (business_hours, business_days, zone)."""
        return cls.parse(settings.business_hours, settings.business_days,  # type: ignore[attr-defined]
                         settings.zone)  # type: ignore[attr-defined]

    def _window(self, day: datetime) -> tuple[datetime, datetime]:
        """Opening and closing time (aware, local) of the local calendar day of `day`."""
        midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
        return (_local_at(midnight, self.opens, self.zone), _local_at(midnight, self.closes, self.zone))

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        if local.weekday() not in self.days:
            return False
        start, end = self._window(local)
        return start <= local < end

    def next_open(self, at: datetime) -> datetime:
        """`at` itself while open, else the next opening time."""
        local = at.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)) if offset else local
            if day.weekday() not in self.days:
                continue
            start, end = self._window(day)
            if offset == 0 and local >= end:
                continue
            return max(start, local) if offset == 0 else start
        raise AssertionError("parse_days guarantees a business day every week")

    def add(self, start: datetime, minutes: float) -> datetime:
        """`start` plus `minutes` of business time (the deadline of a target)."""
        left = timedelta(minutes=minutes)
        at = self.next_open(start).astimezone(UTC)  # sums in UTC: exact across DST changes
        while True:
            end = self._window(at.astimezone(self.zone))[1].astimezone(UTC)
            if at + left <= end:
                return at + left
            left -= end - at
            at = self.next_open(end).astimezone(UTC)

    def describe(self) -> str:
        """'Mon-Fri 09:00-18:00' for messages."""
        return f"{_days_text(self.days)} {_clock(self.opens)}-{_clock(self.closes)}"


def _local_at(midnight: datetime, minutes: int, zone: ZoneInfo) -> datetime:
    naive = midnight.replace(tzinfo=None) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=zone)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_text(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{DAY_NAMES[ordered[0]]}-{DAY_NAMES[ordered[-1]]}"
    return ",".join(DAY_NAMES[d] for d in ordered)


def duration_text(minutes: float, tr: Translator = ENGLISH) -> str:
    """45 → '45 minutes', 90 → '1 h 30 min', 0.2 → 'a minute'."""
    if minutes < 1.5:
        return tr._("a minute")
    if minutes < 60:
        return tr.n_("{count} minute", "{count} minutes", round(minutes))
    hours, rest = divmod(round(minutes), 60)
    return (tr._("{hours} h {minutes} min", hours=hours, minutes=rest) if rest
            else tr._("{hours} h", hours=hours))


def expected_answer(hours: BusinessHours, target_minutes: float, now: datetime,
                    tr: Translator = ENGLISH) -> str:
    """When a person will answer, for the customer: 'within about 30 minutes', or when we open."""
    if hours.is_open(now):
        return tr._("usually within {duration}", duration=duration_text(target_minutes, tr))
    opens = hours.next_open(now).astimezone(hours.zone)
    local_now = now.astimezone(hours.zone)
    days_ahead = (opens.date() - local_now.date()).days
    values = {"time": f"{opens:%H:%M}", "zone": hours.zone.key}
    if days_ahead == 0:
        return tr._("when we open today at {time} ({zone} time)", **values)
    if days_ahead == 1:
        return tr._("when we open tomorrow at {time} ({zone} time)", **values)
    return tr._("when we open on {weekday} at {time} ({zone} time)",
                weekday=format_date(opens, "EEEE", locale=tr.locale), **values)
