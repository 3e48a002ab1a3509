"""The period parser: every form, calendar boundaries, leap years and time zones."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.periods import Period, PeriodError, parse_comparison, parse_period
from tests.conftest import NOW


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def window(text: str | None, now: datetime = NOW, tz: str = "UTC") -> tuple[datetime, ...]:
    period = parse_period(text, now=now, tz=tz)
    return period.start, period.end, period.label


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("today", utc(2026, 11, 20), utc(2026, 11, 21), "20 Nov 2026"),
        ("yesterday", utc(2026, 11, 19), utc(2026, 11, 20), "19 Nov 2026"),
        ("this week", utc(2026, 11, 16), utc(2026, 11, 23), "week of 16 Nov 2026"),
        ("last week", utc(2026, 11, 9), utc(2026, 11, 16), "week of 9 Nov 2026"),
        ("this month", utc(2026, 11, 1), utc(2026, 12, 1), "Nov 2026"),
        ("last month", utc(2026, 10, 1), utc(2026, 11, 1), "Oct 2026"),
        ("previous month", utc(2026, 10, 1), utc(2026, 11, 1), "Oct 2026"),
        ("this quarter", utc(2026, 10, 1), utc(2027, 1, 1), "Q4 2026"),
        ("last quarter", utc(2026, 7, 1), utc(2026, 10, 1), "Q3 2026"),
        ("this year", utc(2026, 1, 1), utc(2027, 1, 1), "2026"),
        ("last year", utc(2025, 1, 1), utc(2026, 1, 1), "2025"),
        ("month to date", utc(2026, 11, 1), utc(2026, 12, 1), "Nov 2026"),
        ("ytd", utc(2026, 1, 1), utc(2027, 1, 1), "2026"),
        ("last 7 days", utc(2026, 11, 14), utc(2026, 11, 21), "14–20 Nov 2026"),
        ("the past 30 days", utc(2026, 10, 22), utc(2026, 11, 21), "22 Oct – 20 Nov 2026"),
        ("last 2 weeks", utc(2026, 11, 7), utc(2026, 11, 21), "7–20 Nov 2026"),
        ("in the past fortnight", utc(2026, 11, 7), utc(2026, 11, 21), "7–20 Nov 2026"),
        ("last three months", utc(2026, 8, 21), utc(2026, 11, 21), "21 Aug – 20 Nov 2026"),
        ("October", utc(2026, 10, 1), utc(2026, 11, 1), "Oct 2026"),
        ("in October?", utc(2026, 10, 1), utc(2026, 11, 1), "Oct 2026"),
        ("December", utc(2025, 12, 1), utc(2026, 1, 1), "Dec 2025"),  # the latest December
        ("Oct 2025", utc(2025, 10, 1), utc(2025, 11, 1), "Oct 2025"),
        ("september 2025", utc(2025, 9, 1), utc(2025, 10, 1), "Sep 2025"),
        ("Q3", utc(2026, 7, 1), utc(2026, 10, 1), "Q3 2026"),
        ("Q3 2025", utc(2025, 7, 1), utc(2025, 10, 1), "Q3 2025"),
        ("2025 Q4", utc(2025, 10, 1), utc(2026, 1, 1), "Q4 2025"),
        ("2024", utc(2024, 1, 1), utc(2025, 1, 1), "2024"),
        ("since March", utc(2026, 3, 1), utc(2026, 11, 21), "1 Mar – 20 Nov 2026"),
        ("2026-03-05", utc(2026, 3, 5), utc(2026, 3, 6), "5 Mar 2026"),
        ("3 March", utc(2026, 3, 3), utc(2026, 3, 4), "3 Mar 2026"),
        ("5/3/2026", utc(2026, 3, 5), utc(2026, 3, 6), "5 Mar 2026"),  # day first
        ("2026-01-01 to 2026-02-15", utc(2026, 1, 1), utc(2026, 2, 16), "1 Jan – 15 Feb 2026"),
        ("from 3 March to 10 April", utc(2026, 3, 3), utc(2026, 4, 11), "3 Mar – 10 Apr 2026"),
        ("between 1 Jan and 15 Feb", utc(2026, 1, 1), utc(2026, 2, 16), "1 Jan – 15 Feb 2026"),
        ("from March to June", utc(2026, 3, 1), utc(2026, 7, 1), "1 Mar – 30 Jun 2026"),
        ("3 December 2025 - 10 January", utc(2025, 12, 3), utc(2026, 1, 11),
         "3 Dec 2025 – 10 Jan 2026"),
    ],
)
def test_forms(text, start, end, label):
    assert window(text) == (start, end, label)


def test_no_words_means_the_last_30_days():
    assert window(None) == window("last 30 days") == window("")


def test_a_yearless_range_across_new_year_takes_the_latest_such_range():
    now = utc(2026, 2, 1, 9)
    assert window("from 3 December to 10 January", now)[:2] == (utc(2025, 12, 3), utc(2026, 1, 11))


@pytest.mark.parametrize(
    ("text", "now", "start", "end", "label"),
    [
        ("last month", utc(2026, 1, 15), utc(2025, 12, 1), utc(2026, 1, 1), "Dec 2025"),
        ("last quarter", utc(2026, 2, 1), utc(2025, 10, 1), utc(2026, 1, 1), "Q4 2025"),
        ("last week", utc(2026, 1, 2), utc(2025, 12, 22), utc(2025, 12, 29), "week of 22 Dec 2025"),
        ("yesterday", utc(2026, 1, 1, 8), utc(2025, 12, 31), utc(2026, 1, 1), "31 Dec 2025"),
        ("this month", utc(2028, 2, 29, 23), utc(2028, 2, 1), utc(2028, 3, 1), "Feb 2028"),
        ("last 1 month", utc(2028, 3, 30, 12), utc(2028, 2, 29), utc(2028, 3, 31),
         "29 Feb – 30 Mar 2028"),
        ("February", utc(2028, 3, 1), utc(2028, 2, 1), utc(2028, 3, 1), "Feb 2028"),
    ],
)
def test_month_year_and_leap_boundaries(text, now, start, end, label):
    assert window(text, now) == (start, end, label)


def test_previous_steps_back_by_calendar_unit_even_when_lengths_differ():
    march = parse_period("March 2028", now=NOW)
    assert (march.previous().start, march.previous().end) == (utc(2028, 2, 1), utc(2028, 3, 1))
    assert march.previous().label == "Feb 2028"  # 29 days in a leap year, March has 31
    q1 = parse_period("Q1 2026", now=NOW)
    assert q1.previous().label == "Q4 2025"
    assert parse_period("2026-01-01 to 2026-02-15", now=NOW).previous().start == utc(2025, 11, 16)
    assert parse_period("last 30 days", now=NOW).previous().label == "22 Sep – 21 Oct 2026"


def test_rolling_months_ending_after_a_month_end_step_back_without_a_gap():
    # 30 May - 3 months is 29 Feb (2000 is a leap year), but 29 Feb + 3 months is 29 May.
    window = parse_period("last 3 months", now=utc(2000, 5, 29, 12))
    assert (window.start, window.end) == (utc(2000, 2, 29), utc(2000, 5, 30))
    assert (window.previous().start, window.previous().end) == (utc(1999, 11, 29), window.start)


def test_a_running_window_is_cut_at_now_and_compared_with_the_same_stretch_before():
    this_month = parse_period("this month", now=NOW).until(NOW)
    assert (this_month.end, this_month.label) == (NOW, "Nov 2026 to date")
    before = this_month.previous()
    assert (before.start, before.end, before.label) == (utc(2026, 10, 1), utc(2026, 10, 20, 12),
                                                         "1–20 Oct 2026")
    finished = parse_period("last month", now=NOW)
    assert finished.until(NOW) is finished


def test_comparisons_give_two_periods():
    first, second = parse_comparison("in October vs September", now=NOW)
    assert (first.label, second.label) == ("Oct 2026", "Sep 2026")
    first, second = parse_comparison("this month compared to the last month", now=NOW)
    assert (first.label, second.label) == ("Nov 2026", "Oct 2026")
    first, second = parse_comparison("Q3 2025 versus Q3 2026", now=NOW)
    assert (first.label, second.label) == ("Q3 2025", "Q3 2026")


def test_a_single_period_has_no_explicit_baseline():
    first, second = parse_comparison("last month", now=NOW)
    assert (first.label, second) == ("Oct 2026", None)


@pytest.mark.parametrize(
    ("text", "shows"),
    [
        ("banana", "'banana'"),
        ("from banana to 10 April", "understood '10 april' as 10 Apr 2026"),
        ("October vs banana", "that compares two periods"),
        ("since the dawn of time", "not a date"),
    ],
)
def test_unreadable_periods_say_what_was_understood_and_give_examples(text, shows):
    with pytest.raises(PeriodError) as caught:
        parse_period(text, now=NOW)
    assert shows in str(caught.value)
    assert '"last month"' in str(caught.value)


def test_an_unreadable_side_of_a_comparison_names_the_side_understood():
    with pytest.raises(PeriodError, match="understood 'october' as Oct 2026"):
        parse_comparison("October vs banana", now=NOW)


def test_a_berlin_window_starts_at_berlin_midnight_which_is_the_offset_earlier_in_utc():
    utc_month = parse_period("October", now=NOW)
    berlin_month = parse_period("October", now=NOW, tz="Europe/Berlin")
    assert berlin_month.start == utc_month.start - timedelta(hours=2)  # summer time, UTC+2
    assert berlin_month.end == utc_month.end - timedelta(hours=1)  # winter time from 25 Oct
    assert berlin_month.label == utc_month.label == "Oct 2026"


def test_today_depends_on_the_zone_near_midnight():
    late = utc(2026, 11, 20, 23, 30)  # already 21 Nov in Berlin, still 20 Nov in New York
    assert window("today", late, "Europe/Berlin")[2] == "21 Nov 2026"
    assert window("today", late, "America/New_York")[2] == "20 Nov 2026"


@pytest.mark.parametrize(
    ("now", "hours"),
    [(utc(2026, 3, 25, 12), 7 * 24 - 1), (utc(2026, 10, 21, 12), 7 * 24 + 1)],  # 29 Mar, 25 Oct
)
def test_a_week_with_a_daylight_saving_change_is_an_hour_shorter_or_longer(now, hours):
    week = parse_period("this week", now=now, tz="Europe/Berlin")
    assert week.end - week.start == timedelta(hours=hours)
    assert week.start.astimezone(week.zone).hour == 0
    assert week.end.astimezone(week.zone).hour == 0


def test_split_cuts_a_window_into_calendar_buckets_in_its_zone():
    october = parse_period("October", now=NOW, tz="Europe/Berlin")
    days = october.split("day")
    assert len(days) == 31
    assert days[24].end - days[24].start == timedelta(hours=25)  # 25 Oct 2026, clocks go back
    weeks = october.split("week")
    assert (weeks[0].label, weeks[1].label) == ("1–4 Oct 2026", "week of 5 Oct 2026")
    assert weeks[-1].end == october.end
    assert [p.label for p in parse_period("2025", now=NOW).split("month")][:2] == [
        "Jan 2025", "Feb 2025"
    ]


def test_a_day_a_zone_skipped_is_no_bucket_and_no_window():
    december = parse_period("Dec 2011", now=NOW, tz="Pacific/Apia")  # Samoa skipped 30 Dec
    assert len(december.split("day")) == 30
    with pytest.raises(PeriodError, match="did not exist in Pacific/Apia"):
        parse_period("2011-12-30", now=NOW, tz="Pacific/Apia")


zones = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
                         "Australia/Lord_Howe"])
forms = st.sampled_from(["today", "yesterday", "this week", "last week", "this month",
                         "last month", "last quarter", "this year", "last 7 days",
                         "last 3 months", "October", "Q1", "since March", "last 30 days"])


@given(
    moment=st.datetimes(min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds
                        max_value=datetime(2040, 12, 31),  # noqa: DTZ001
                        timezones=st.just(UTC)),
    zone=zones,
    form=forms,
)
def test_every_window_is_ordered_and_its_previous_window_ends_where_it_starts(moment, zone, form):
    period = parse_period(form, now=moment, tz=zone)
    assert period.start < period.end
    assert period.start <= moment
    before = period.previous()
    assert isinstance(before, Period)
    assert before.end == period.start
    running = period.until(moment)
    assert running.previous().end <= running.start


# --- German, Russian and Chinese (shop/period_words.py) ----------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # German
        ("letzten Monat", "Oct 2026"),
        ("im letzten Monat", "Oct 2026"),
        ("diesen Monat", "Nov 2026"),
        ("im laufenden Monat", "Nov 2026"),
        ("letztes Quartal", "Q3 2026"),
        ("im vergangenen Quartal", "Q3 2026"),
        ("dieses Jahr", "2026"),
        ("letztes Jahr", "2025"),
        ("letzte Woche", "week of 9 Nov 2026"),
        ("Vormonat", "Oct 2026"),
        ("heute", "20 Nov 2026"),
        ("gestern", "19 Nov 2026"),
        ("in den letzten 30 Tagen", "22 Oct – 20 Nov 2026"),
        ("die letzten drei Monate", "21 Aug – 20 Nov 2026"),
        ("im Oktober", "Oct 2026"),
        ("Dezember", "Dec 2025"),
        ("Oktober 2025", "Oct 2025"),
        ("3. Quartal 2025", "Q3 2025"),
        ("im dritten Quartal", "Q3 2026"),
        ("im Jahr 2025", "2025"),
        ("seit März", "1 Mar – 20 Nov 2026"),
        ("von März bis Juni", "1 Mar – 30 Jun 2026"),
        ("zwischen Januar und März", "1 Jan – 31 Mar 2026"),
        ("vom 3. März bis 10. April", "3 Mar – 10 Apr 2026"),
        # Russian
        ("в прошлом месяце", "Oct 2026"),
        ("прошлый месяц", "Oct 2026"),
        ("за этот месяц", "Nov 2026"),
        ("в этом месяце", "Nov 2026"),
        ("прошлый квартал", "Q3 2026"),
        ("в прошлом квартале", "Q3 2026"),
        ("в этом году", "2026"),
        ("в прошлом году", "2025"),
        ("на прошлой неделе", "week of 9 Nov 2026"),
        ("сегодня", "20 Nov 2026"),
        ("вчера", "19 Nov 2026"),
        ("за последние 30 дней", "22 Oct – 20 Nov 2026"),
        ("за последние три месяца", "21 Aug – 20 Nov 2026"),
        ("в октябре", "Oct 2026"),
        ("октябрь 2025", "Oct 2025"),
        ("в 3 квартале 2025 года", "Q3 2025"),
        ("в третьем квартале", "Q3 2026"),
        ("в 2025 году", "2025"),
        ("с марта", "1 Mar – 20 Nov 2026"),
        ("с марта по июнь", "1 Mar – 30 Jun 2026"),
        ("с 1 марта по 15 апреля", "1 Mar – 15 Apr 2026"),
        ("в прошлом квартале?", "Q3 2026"),
        ("за прошлый год", "2025"),
        ("в этом квартале", "Q4 2026"),
        # Chinese
        ("上个月", "Oct 2026"),
        ("上月", "Oct 2026"),
        ("本月", "Nov 2026"),
        ("这个月", "Nov 2026"),
        ("上季度", "Q3 2026"),
        ("本季度", "Q4 2026"),
        ("今年", "2026"),
        ("去年", "2025"),
        ("上周", "week of 9 Nov 2026"),
        ("今天", "20 Nov 2026"),
        ("昨天", "19 Nov 2026"),
        ("最近30天", "22 Oct – 20 Nov 2026"),
        ("过去三个月", "21 Aug – 20 Nov 2026"),
        ("近两周", "7–20 Nov 2026"),
        ("十月", "Oct 2026"),
        ("10月份", "Oct 2026"),
        ("2025年10月", "Oct 2025"),
        ("2025年第三季度", "Q3 2025"),
        ("第三季度", "Q3 2026"),
        ("2025年", "2025"),
        ("3月3日", "3 Mar 2026"),
        ("3月以来", "1 Mar – 20 Nov 2026"),
        ("从3月到6月", "1 Mar – 30 Jun 2026"),
        ("上个月的", "Oct 2026"),
        ("本月？", "Nov 2026"),
    ],
)
def test_german_russian_and_chinese_periods(text, label):
    assert parse_period(text, now=NOW).label == label


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Oktober gegenüber September", ("Oct 2026", "Sep 2026")),
        ("diesen Monat im Vergleich zum letzten Monat", ("Nov 2026", "Oct 2026")),
        ("октябрь против сентября", ("Oct 2026", "Sep 2026")),
        ("этот месяц по сравнению с прошлым месяцем", ("Nov 2026", "Oct 2026")),
        ("本月对比上月", ("Nov 2026", "Oct 2026")),
        ("本月与上月相比", ("Nov 2026", "Oct 2026")),
    ],
)
def test_comparisons_in_german_russian_and_chinese(text, labels):
    first, second = parse_comparison(text, now=NOW)
    assert second is not None
    assert (first.label, second.label) == labels


@pytest.mark.parametrize("text", ["Banane", "в прошлой жизни", "很久以前"])
def test_an_unreadable_period_in_another_language_is_refused_with_examples(text):
    with pytest.raises(PeriodError) as caught:
        parse_period(text, now=NOW)
    assert repr(text) in str(caught.value) and '"last month"' in str(caught.value)
