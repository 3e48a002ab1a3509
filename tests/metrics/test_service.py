"""Every metric through the SQL loaders on a small hand-built shop, on SQLite and PostgreSQL.

The shop, October 2026 against September 2026 (UTC unless a test says otherwise):

customers   Ana (since 10 Jan, cost 100), Ben (5 Oct, cost 300), Cy (20 Oct, cost 300),
            Di (1 Jun, no cost), Eve (12 Sep, cost 200, never ordered), Fay (1 Jun)
orders Oct  Ana 100 (2 Oct: lamp+mug), Ana 200 (00:30 on 15 Oct in Berlin: lamp+mug+site),
            Ben 50 (6 Oct: mug), Cy 150 (21 Oct: lamp+mug), Di 80 USD (10 Oct: site),
            Di 999 cancelled (3 Oct: lamp+mug)
orders Sep  Ana 120 (5 Sep), Di 80 (20 Sep); Fay 40 (15 Jul) and nothing since
ratings     Oct 5 5 4 3 1; Sep 5 4 4 2
surveys     Oct 4 sent, 2 answered; Sep 2 sent, 2 answered
tickets     see `shop` below
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shop.charts import render
from shop.metrics import (
    DIGEST_METRICS,
    METRICS,
    MetricOptions,
    UnknownMetric,
    compute,
    digest,
    load,
)
from shop.metrics.definitions import MONTH_DAYS
from shop.models import Customer, Feedback, Order, OrderItem, Product, Survey, Ticket
from shop.periods import parse_period
from tests.conftest import NOW


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def shop(session):
    lamp = Product(sku="LAMP", name="Desk lamp", price=Decimal("50"))
    mug = Product(sku="MUG", name="Ceramic mug", price=Decimal("10"))
    site = Product(sku="SITE", name="Website", price=Decimal("80"), kind="service")
    people = {
        "ana": Customer(name="Ana", created_at=at(1, 10), acquisition_cost=Decimal("100")),
        "ben": Customer(name="Ben", created_at=at(10, 5, 9), acquisition_cost=Decimal("300")),
        "cy": Customer(name="Cy", created_at=at(10, 20), acquisition_cost=Decimal("300")),
        "di": Customer(name="Di", created_at=at(6, 1)),
        "eve": Customer(name="Eve", created_at=at(9, 12), acquisition_cost=Decimal("200")),
        "fay": Customer(name="Fay", created_at=at(6, 1)),
    }
    session.add_all([lamp, mug, site, *people.values()])
    numbers = iter(range(5000, 6000))

    def order(who, created, total, *items, status="delivered", currency="EUR",
              promised=None, delivered=None):
        placed = Order(
            number=str(next(numbers)), customer=people[who], total=Decimal(total),
            status=status, currency=currency, created_at=created, promised_at=promised,
            delivered_at=delivered,
            items=[OrderItem(product=p, quantity=1, unit_price=p.price) for p in items],
        )
        session.add(placed)
        return placed

    order("ana", at(10, 2), "100", lamp, mug, promised=at(10, 6), delivered=at(10, 5))
    order("ana", at(10, 14, 22, 30), "200", lamp, mug, site, status="shipped")
    order("ben", at(10, 6), "50", mug, promised=at(10, 10), delivered=at(10, 12))
    order("cy", at(10, 21), "150", lamp, mug, delivered=at(10, 23))
    order("di", at(10, 10), "80", site, currency="USD", status="in_progress")
    order("di", at(10, 3), "999", lamp, mug, status="cancelled")
    order("ana", at(9, 5), "120", promised=at(9, 10), delivered=at(9, 9))
    order("di", at(9, 20), "80", status="packed")
    order("fay", at(7, 15), "40")

    for month, ratings in ((10, [5, 5, 4, 3, 1]), (9, [5, 4, 4, 2])):
        for day, rating in enumerate(ratings, start=3):
            session.add(Feedback(rating=rating, created_at=at(month, day)))
    for month, sent, answered in ((10, 4, 2), (9, 2, 2)):
        for i in range(sent):
            session.add(Survey(sent_at=at(month, 10 + i),
                               answered_at=at(month, 11 + i) if i < answered else None))

    def ticket(created, first_reply, resolved=None):
        session.add(Ticket(telegram_user_id=7, chat_id=7, reason="complaint", created_at=created,
                           first_response_at=first_reply, resolved_at=resolved,
                           status="resolved" if resolved else "human"))

    ticket(at(10, 1, 10), at(10, 1, 11), at(10, 2, 10))  # reply 1 h, resolved 24 h
    ticket(at(10, 10, 8), at(10, 10, 11), at(10, 15, 8))  # reply 3 h, resolved 120 h
    ticket(at(10, 30, 9), at(10, 30, 9, 30))  # reply 0.5 h, still open
    ticket(at(9, 28, 0), at(9, 28, 2), at(10, 3, 0))  # reply 2 h in Sep, resolved in Oct
    session.flush()
    return {"lamp": lamp, "mug": mug, "site": site, **people}


def answer(session, metric, text="October", tz="UTC", **kwargs):
    return compute(session, metric, parse_period(text, now=NOW, tz=tz), now=NOW, **kwargs)


@pytest.mark.parametrize(
    ("metric", "value", "previous", "reading"),
    [
        ("csat", 3 / 5, 3 / 4, "CSAT is 60% for Oct 2026, down 15 points on Sep 2026."),
        ("avg_rating", 18 / 5, 15 / 4,
         "The average rating is 3.6 of 5 for Oct 2026, down 0.1 on Sep 2026."),
        ("response_rate", 2 / 4, 2 / 2,
         "The survey response rate is 50% for Oct 2026, down 50 points on Sep 2026."),
        ("revenue", 500, 200, "Revenue is €500.00 for Oct 2026, up 150% on Sep 2026."),
        ("orders", 5, 2, "5 orders for Oct 2026, up 150% on Sep 2026."),
        ("aov", 125, 100, "The average order value is €125.00 for Oct 2026, up 25% on Sep 2026."),
        ("new_customers", 2, 1, "2 new customers for Oct 2026, up 100% on Sep 2026."),
        # Ana ordered twice; Di once in October but also in September; Ben and Cy once.
        # In September, Ana and Di ordered for the first time.
        ("repeat_rate", 2 / 4, 0.0,
         "The repeat purchase rate is 50% for Oct 2026, up 50 points on Sep 2026."),
        # Ana on time, Ben late; Cy's delivery had no promised date.
        ("on_time_rate", 1 / 2, 1.0,
         "On-time delivery is 50% for Oct 2026, down 50 points on Sep 2026."),
        ("avg_delivery_days", (3 + 6 + 2) / 3, 4.0,
         "The average delivery takes 3.7 days for Oct 2026, down 0.3 days on Sep 2026."),
        ("open_tickets", 1, 1, "1 open ticket for Oct 2026, unchanged from Sep 2026."),
        ("first_response_time", 1.0, 2.0,
         "The median first response takes 1.0 h for Oct 2026, down 1.0 h on Sep 2026."),
        ("resolution_time", 120.0, None,
         "The median resolution takes 120.0 h for Oct 2026; no data for Sep 2026 to compare."),
    ],
)
def test_window_metrics_give_the_hand_computed_answers(session, shop, metric, value, previous,
                                                       reading):
    result = answer(session, metric)
    assert result.value == pytest.approx(value)
    assert result.previous == (None if previous is None else pytest.approx(previous))
    assert result.reading == reading
    assert (result.period.label, result.previous_period.label) == ("Oct 2026", "Sep 2026")


def test_churn_and_retention_follow_the_customers_active_at_the_window_start(session, shop):
    # Active on 1 Oct (an order within 90 days before): Ana, Di, Fay. Active on 1 Nov:
    # Ana and Di (orders since 3 Aug); Fay's last order was 15 Jul. Di's cancelled order
    # does not count, her USD order does.
    churn = answer(session, "churn_rate")
    retention = answer(session, "retention_rate")
    assert churn.value == pytest.approx(1 / 3)
    assert retention.value == pytest.approx(2 / 3)
    assert churn.value + retention.value == pytest.approx(1)
    assert churn.reading.startswith("Churn is 33.3% for Oct 2026")
    # On 1 Sep only Fay was active (15 Jul), and she still was on 1 Oct.
    assert churn.previous == 0.0


def test_activity_of_several_windows_in_one_scan_matches_one_by_one(session, shop):
    windows = [(at(10, 1, 0), at(11, 1, 0)), (at(9, 1, 0), at(10, 1, 0)),
               (datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 11, 1, tzinfo=UTC))]
    horizon = timedelta(days=90)
    together = load.customer_activity(session, windows, horizon=horizon, buyers=True)
    alone = [load.customer_activity(session, [w], horizon=horizon, buyers=True)[0]
             for w in windows]
    # October: Ana, Ben, Cy and Di bought; September: Ana and Di (Di's cancelled October
    # order is not a purchase, her USD one is).
    assert together == alone == [load.Activity(3, 2, 4), load.Activity(1, 1, 2),
                                 load.Activity(0, 0, 0)]
    cohorts_only = load.customer_activity(session, windows, horizon=horizon)
    assert [(a.active_at_start, a.still_active, a.buyers) for a in cohorts_only] == [
        (3, 2, None), (1, 1, None), (0, 0, None)]
    far = compute(session, "churn_rate", parse_period("October", now=NOW), now=NOW,
                  against=parse_period("Oct 2025", now=NOW))
    assert far.value == pytest.approx(1 / 3) and far.previous is None


def test_a_shorter_horizon_makes_more_customers_churn(session, shop):
    result = answer(session, "churn_rate", options=MetricOptions(churn_horizon_days=20))
    # Within 20 days before 1 Oct only Di ordered (20 Sep); her next order, on 10 Oct, is
    # 22 days before 1 Nov, so she is no longer active at the end.
    assert result.value == pytest.approx(1.0)


def test_clv_and_value_addition(session, shop):
    # AOV 500 / 4 EUR orders = 125; 5 orders by 4 buyers over 31 days; lifetime 3 months.
    options = MetricOptions(lifetime_months=3)
    assert load.buyers(session, at(10, 1, 0), at(11, 1, 0))[0] == 4
    expected_clv = 125 * (5 / 4) * (MONTH_DAYS / 31) * 3
    clv = answer(session, "clv", options=options)
    assert clv.value == pytest.approx(expected_clv)
    assert clv.unit == "EUR"
    # Ben and Cy were acquired in October for 300 each.
    added = answer(session, "value_addition", options=options)
    assert added.value == pytest.approx(expected_clv - 300)
    assert added.reading.startswith("Value addition (CLV − acquisition cost) is €160.24 for Oct")


def test_clv_lifetime_defaults_to_one_over_monthly_churn(session, shop):
    clv = answer(session, "clv")
    monthly_churn = 1 - (2 / 3) ** (MONTH_DAYS / 31)
    assert clv.value == pytest.approx(125 * (5 / 4) * (MONTH_DAYS / 31) / monthly_churn)
    assert clv.previous is None  # no one churned in September: lifetime unknown


def test_top_customers_rank_by_value_and_show_a_table_and_chart(session, shop):
    result = answer(session, "top_customers", options=MetricOptions(top=2))
    table = result.table
    # Ana 300 × 2 orders × 9.7 months; Cy 150 × 1 × 1; Ben 50 × 1 × 1; Di paid in USD.
    assert table["name"].tolist() == ["Ana", "Cy"]
    assert table["revenue"].tolist() == pytest.approx([300, 150])
    tenure = (datetime(2026, 11, 1, tzinfo=UTC) - at(1, 10)).total_seconds() / 86400
    assert table["score"].tolist() == pytest.approx([300 * 2 * tenure / MONTH_DAYS, 150])
    assert result.value == pytest.approx(450 / 500)
    assert result.reading == (
        "The top 2 customers, led by Ana (€300.00), brought 90% of revenue for Oct 2026."
    )
    assert result.chart is not None and result.chart.labels == ("Ana", "Cy")


def test_bought_together_finds_the_lamp_and_mug(session, shop):
    result = answer(session, "bought_together")
    best = result.table.iloc[0]
    # Baskets: 5 orders with items (the cancelled one is out); lamp+mug in 3 of them,
    # lamp in 3, mug in 4; the other pairs are seen once, under the floor of 2.
    assert (best["antecedent"], best["consequent"]) == ("Desk lamp", "Ceramic mug")
    assert best["support"] == pytest.approx(3 / 5)
    assert best["confidence"] == pytest.approx(1.0)
    assert best["lift"] == pytest.approx(3 * 5 / (3 * 4))
    assert len(result.table) == 2
    assert result.reading == (
        "Desk lamp and Ceramic mug are bought together in 60% of orders for Oct 2026."
    )


def test_the_window_is_cut_on_the_business_calendar(session, shop):
    # Ana's 200 order at 22:30 UTC on 14 Oct is 15 Oct in Berlin; both are in October.
    utc_trend = answer(session, "revenue", trend=True).chart
    berlin_trend = answer(session, "revenue", tz="Europe/Berlin", trend=True).chart
    assert utc_trend.labels[13] == berlin_trend.labels[13] == "14 Oct"
    assert utc_trend.values[13] == pytest.approx(200)
    assert berlin_trend.values[14] == pytest.approx(200)
    assert utc_trend.values[1] == pytest.approx(100)
    assert sum(v for v in utc_trend.values if v) == pytest.approx(500)
    assert utc_trend.values[0] == 0  # no orders on 1 Oct: revenue is a sum, so 0
    day = answer(session, "revenue", text="2026-10-15", tz="Europe/Berlin")
    assert day.value == pytest.approx(200)
    assert answer(session, "revenue", text="2026-10-15").value is None


def test_trend_by_week_and_month_adds_up_to_the_window(session, shop):
    weekly = answer(session, "orders", text="from 1 September to 31 October", trend=True).chart
    assert weekly.labels[0] == "01 Sep"
    assert sum(weekly.values) == 7
    monthly = answer(session, "csat", text="this year", trend=True, tz="Europe/Berlin").chart
    assert len(monthly.labels) == 11 and monthly.labels[9] == "Oct 2026"
    assert monthly.values[8] == pytest.approx(3 / 4) and monthly.values[9] == pytest.approx(3 / 5)
    assert monthly.values[0] is None  # no ratings in January: a gap, not 0%
    assert len(render(monthly)) < 150_000


def test_long_trends_use_quarters_then_years(session, shop):
    quarters = answer(session, "revenue", text="2020-01-01 to 2026-12-31", trend=True).chart
    assert quarters.labels[:2] == ("Q1 2020", "Q2 2020") and len(quarters.labels) == 28
    assert quarters.values[-2] == pytest.approx(40 + 120 + 80) and quarters.values[-1] == 500
    years = answer(session, "revenue", text="2000 to 2026", trend=True).chart
    assert years.labels[-1] == "2026" and sum(years.values) == pytest.approx(740)


def test_an_explicit_comparison_carries_a_bar_chart(session, shop):
    result = compute(session, "revenue", parse_period("October", now=NOW), now=NOW,
                     against=parse_period("July", now=NOW))
    assert result.previous == pytest.approx(40)
    assert result.reading == "Revenue is €500.00 for Oct 2026, up 1150% on Jul 2026."
    assert result.chart.kind == "comparison"
    assert result.chart.values == (pytest.approx(40), pytest.approx(500))


def test_a_running_window_is_compared_to_date(session, shop):
    this_month = answer(session, "orders", text="this month")
    assert this_month.period.label == "Nov 2026 to date"
    assert this_month.previous_period.label == "1–20 Oct 2026"
    assert this_month.value is None
    assert this_month.reading == "No data yet for orders in Nov 2026 to date: no orders."


@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_on_an_empty_window_is_no_data_yet(session, shop, metric):
    result = answer(session, metric, text="2020")
    if metric == "open_tickets":
        assert result.value == 0
    else:
        assert result.value is None
        assert result.reading.startswith("No data yet for ")
        assert result.missing


def test_an_unknown_metric_names_the_known_ones(session):
    with pytest.raises(UnknownMetric, match="csat, avg_rating"):
        answer(session, "happiness")


def test_digest_has_the_key_metrics_and_a_revenue_trend(session, shop):
    report = digest(session, parse_period("October", now=NOW), now=NOW)
    assert [r.metric for r in report.results] == list(DIGEST_METRICS)
    assert report.text.splitlines()[0] == "Report for Oct 2026 (compared with Sep 2026)"
    assert "• Revenue is €500.00 for Oct 2026, up 150% on Sep 2026." in report.text
    assert report.chart.kind == "trend" and len(report.chart.values) == 31
    png = render(report.chart)
    assert png.startswith(b"\x89PNG") and len(png) < 150_000


def test_a_week_digest_looks_back_one_week(session, shop):
    report = digest(session, parse_period("2026-10-05 to 2026-10-11", now=NOW), now=NOW)
    revenue = report.results[0]
    assert revenue.value == pytest.approx(50)  # Ben's order; Di's USD order is not revenue
    assert report.previous_period.label == "28 Sep – 4 Oct 2026"
    assert revenue.previous == pytest.approx(100)
    assert report.chart.labels == ("05 Oct", "06 Oct", "07 Oct", "08 Oct", "09 Oct", "10 Oct",
                                   "11 Oct")


def test_ticket_times_use_events_in_the_window(session, shop):
    # The September ticket was resolved on 3 Oct: it counts for October's resolution time.
    result = answer(session, "resolution_time", text="2026-10-03")
    assert result.value == pytest.approx(120.0)
    assert answer(session, "open_tickets", text="2026-10-01").value == 2
    assert answer(session, "open_tickets", text="last week").value == 1  # since 30 Oct


def test_timestamps_exactly_on_the_edges_belong_to_the_window_that_starts_there(session, shop):
    edge = datetime(2026, 8, 1, tzinfo=UTC)
    session.add(Feedback(rating=5, created_at=edge))
    session.add(Feedback(rating=1, created_at=edge - timedelta(microseconds=1)))
    session.flush()
    assert answer(session, "csat", text="August 2026").value == 1.0
    assert answer(session, "csat", text="July 2026").value == 0.0


def test_a_ticket_the_customer_cancelled_is_never_open(session, shop):
    before = answer(session, "open_tickets", text="2026-10-01").value
    session.add(Ticket(telegram_user_id=77001, chat_id=77001, reason="request_human", status="cancelled",
                       created_at=datetime(2026, 9, 20, tzinfo=UTC)))
    session.flush()
    assert answer(session, "open_tickets", text="2026-10-01").value == before
