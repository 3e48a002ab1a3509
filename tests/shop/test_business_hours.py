"""Business hours (shop/hours.py): parsing, opening times and deadlines in working time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shop.hours import BusinessHours, duration_text, expected_answer, parse_days, parse_hours
from shop.settings import Settings, SettingsError, load_settings
from tests.conftest import BERLIN

OFFICE = BusinessHours.parse("09:00-18:00", "Mon-Fri", BERLIN)


def berlin(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(("text", "expected"), [
    ("09:00-18:00", (540, 1080)), ("00:00-24:00", (0, 1440)), (" 8:30 - 17:05 ", (510, 1025))])
def test_parse_hours(text: str, expected: tuple[int, int]) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize("text", ["9-5", "18:00-09:00", "09:00", "09:60-10:00", "00:00-24:01", ""])
def test_bad_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="business hours"):
        parse_hours(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Mon-Fri", {0, 1, 2, 3, 4}), ("mon,wed,FRI", {0, 2, 4}), ("Sat-Mon", {5, 6, 0}),
    ("Monday-Sunday", set(range(7)))])
def test_parse_days(text: str, expected: set[int]) -> None:
    assert parse_days(text) == expected


@pytest.mark.parametrize("text", ["Mon-Frx", "weekdays", ","])
def test_bad_days_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="business day"):
        parse_days(text)


def test_settings_fail_fast_on_bad_hours() -> None:
    with pytest.raises(SettingsError, match="BUSINESS_HOURS"):
        load_settings(_env_file=None, business_hours="9 to 5")
    with pytest.raises(SettingsError, match="FIRST_RESPONSE_TARGET_MINUTES"):
        load_settings(_env_file=None, first_response_target_minutes=0)
    assert Settings(_env_file=None).business_days == "Mon-Fri"  # type: ignore[call-arg]


def test_open_and_next_opening() -> None:
    assert OFFICE.is_open(berlin(20, 9)) and OFFICE.is_open(berlin(20, 17, 59))
    assert not OFFICE.is_open(berlin(20, 18)) and not OFFICE.is_open(berlin(21, 12))  # Sat
    assert OFFICE.next_open(berlin(20, 12)) == berlin(20, 12)
    assert OFFICE.next_open(berlin(20, 7)) == berlin(20, 9)
    assert OFFICE.next_open(berlin(20, 19)) == berlin(23, 9)  # Friday evening → Monday


def test_deadlines_count_only_open_time() -> None:
    assert OFFICE.add(berlin(20, 10), 30) == berlin(20, 10, 30)
    assert OFFICE.add(berlin(20, 17, 50), 30) == berlin(23, 9, 20)  # 10 min Fri + 20 min Mon
    assert OFFICE.add(berlin(21, 12), 30) == berlin(23, 9, 30)  # opened on Saturday
    assert OFFICE.add(berlin(20, 10), 9 * 60 * 2) == berlin(24, 10)  # two whole working days


def test_deadlines_across_a_clock_change() -> None:
    always = BusinessHours.parse("00:00-24:00", "Mon-Sun", BERLIN)
    before = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)  # clocks go back at 03:00
    assert always.add(before, 120) - before == timedelta(hours=2)
    assert always.add(before.astimezone(UTC), 120) == before.astimezone(UTC) + timedelta(hours=2)


def test_what_customers_are_told() -> None:
    assert expected_answer(OFFICE, 30, berlin(20, 12)) == "usually within 30 minutes"
    assert expected_answer(OFFICE, 90, berlin(20, 12)) == "usually within 1 h 30 min"
    assert expected_answer(OFFICE, 30, berlin(20, 7)) == "when we open today at 09:00 (Europe/Berlin time)"
    later = "at 09:00 (Europe/Berlin time)"
    assert expected_answer(OFFICE, 30, berlin(19, 20)) == f"when we open tomorrow {later}"
    assert expected_answer(OFFICE, 30, berlin(21, 10)) == f"when we open on Monday {later}"


def test_describe_and_durations() -> None:
    assert OFFICE.describe() == "Mon-Fri 09:00-18:00"
    assert BusinessHours.parse("10:00-14:00", "Mon,Wed", BERLIN).describe() == "Mon,Wed 10:00-14:00"
    assert [duration_text(m) for m in (0.2, 5, 60, 61, 150)] == [
        "a minute", "5 minutes", "1 h", "1 h 1 min", "2 h 30 min"]
