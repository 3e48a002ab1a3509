"""The metric formulas on tiny literal inputs with hand-computed answers, plus invariants."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.metrics import definitions as d


def test_csat_worked_example_50_very_satisfied_and_30_satisfied_of_100_is_80_percent():
    ratings = pd.Series([5] * 50 + [4] * 30 + [3] * 10 + [2] * 6 + [1] * 4)
    satisfied = int((ratings >= d.SATISFIED).sum())
    assert d.csat(satisfied, len(ratings)) == pytest.approx(0.80)
    assert d.avg_rating(ratings.sum(), len(ratings)) == pytest.approx(4.16)


def test_churn_worked_example_50_of_1000_gone_is_5_percent():
    assert d.churn_rate(active_at_start=1000, still_active=950) == pytest.approx(0.05)


def test_retention_worked_example_800_of_1000_still_active_is_80_percent():
    assert d.retention_rate(active_at_start=1000, still_active=800) == pytest.approx(0.80)


def test_clv_worked_example_aov_200_once_a_month_for_3_months_is_600():
    assert d.clv(aov=200, purchases_per_month=1, lifetime_months=3) == pytest.approx(600)


def test_value_addition_worked_example_600_minus_300_is_300():
    assert d.value_addition(clv=600, acquisition_cost=300) == pytest.approx(300)


def test_clv_pieces_from_a_shops_month():
    # 40 orders worth 8,000 by 40 customers in a 30.4375-day month: AOV 200, once a month.
    assert d.aov(8000, 40) == 200
    assert d.purchases_per_month(orders=40, buyers=40, days=d.MONTH_DAYS) == pytest.approx(1)
    # 1 in 3 customers lost a month: expected lifetime 3 months.
    assert d.lifetime_months(d.monthly_rate(1 / 3, d.MONTH_DAYS)) == pytest.approx(3)
    assert d.acquisition_cost(cost_sum=900, customers_with_cost=3) == 300


def test_monthly_rate_compounds_a_quarter_into_a_month():
    quarterly = 1 - 0.9**3  # keeping 90% a month keeps 72.9% over three months
    assert d.monthly_rate(quarterly, 3 * d.MONTH_DAYS) == pytest.approx(0.1)


def test_rates_and_times_from_aggregates():
    assert d.response_rate(answered=30, sent=120) == 0.25
    assert d.repeat_rate(buyers=8, repeat_buyers=2) == 0.25
    assert d.on_time_rate(on_time=9, promised=12) == 0.75
    assert d.avg_delivery_days(delivery_seconds=3 * 86400 * 4, delivered=4) == 3
    assert d.median_hours([3600, 7200, 36000], "no tickets") == 2
    assert d.median_hours([3600, 7200], "no tickets") == 1.5


@pytest.mark.parametrize(
    "call",
    [
        lambda: d.csat(0, 0),
        lambda: d.avg_rating(0, 0),
        lambda: d.response_rate(0, 0),
        lambda: d.aov(0, 0),
        lambda: d.churn_rate(0, 0),
        lambda: d.retention_rate(0, 0),
        lambda: d.repeat_rate(0, 0),
        lambda: d.on_time_rate(0, 0),
        lambda: d.avg_delivery_days(0, 0),
        lambda: d.median_hours([], "no tickets"),
        lambda: d.lifetime_months(0.0),
        lambda: d.acquisition_cost(0, 0),
        lambda: d.total(0, 0, "no orders"),
        lambda: d.rank_customers(pd.DataFrame(columns=["customer_id", "revenue", "orders",
                                                       "tenure_days"]), 10),
        lambda: d.item_pairs(pd.DataFrame(columns=["order_id", "product_id"]), 0.01, 10),
    ],
)
def test_an_empty_window_is_no_data_not_a_division_by_zero(call):
    with pytest.raises(d.NoData):
        call()


def test_top_customers_rank_by_revenue_times_purchases_times_tenure():
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "name": ["Ana", "Ben", "Cy", "Di"],
            "revenue": [300.0, 900.0, 300.0, 100.0],
            "orders": [3, 1, 3, 1],
            "tenure_days": [10 * d.MONTH_DAYS, 2 * d.MONTH_DAYS, 10 * d.MONTH_DAYS, 5.0],
        }
    )
    ranked = d.rank_customers(customers, top=3)
    # Ana and Cy: 300 × 3 × 10 = 9,000 (tie: lower id first); Ben 900 × 1 × 2 = 1,800;
    # Di is new (5 days): loyalty counts as 1 month, 100 × 1 × 1 = 100, and is cut by top=3.
    assert ranked["name"].tolist() == ["Ana", "Cy", "Ben"]
    assert ranked["score"].tolist() == pytest.approx([9000, 9000, 1800])
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert d.loyalty_months(5.0) == 1.0


LAMP, MUG, CABLE, SPOON = 1, 2, 3, 4
# 10 orders: lamp in 5, mug in 4, both in 3; cable in 2, both times with the lamp.
LINES = pd.DataFrame(
    [(1, LAMP), (1, MUG), (1, LAMP), (2, LAMP), (2, MUG), (3, LAMP), (3, MUG), (4, MUG),
     (5, LAMP), (5, CABLE), (6, LAMP), (6, CABLE), (7, SPOON), (8, SPOON), (9, SPOON),
     (10, SPOON)],
    columns=["order_id", "product_id"],
)


def test_bought_together_support_confidence_and_lift():
    rules = d.item_pairs(LINES, min_support=0.2, top=10)
    best = rules.iloc[0]
    assert (best["antecedent_id"], best["consequent_id"]) == (MUG, LAMP)  # 3/4 beats 3/5
    assert best["together"] == 3
    assert best["support"] == pytest.approx(0.3)
    assert best["confidence"] == pytest.approx(0.75)
    assert best["lift"] == pytest.approx(0.3 / (0.4 * 0.5))
    lamp_mug = rules[(rules["antecedent_id"] == LAMP) & (rules["consequent_id"] == MUG)].iloc[0]
    assert lamp_mug["confidence"] == pytest.approx(0.6)  # the duplicate lamp line counts once
    cable_lamp = rules[rules["antecedent_id"] == CABLE].iloc[0]
    assert cable_lamp["confidence"] == pytest.approx(1.0)
    assert len(rules) == 4


def test_bought_together_keeps_pairs_above_the_support_floor():
    assert d.min_together(0.01, 10) == 2
    assert d.min_together(0.01, 1000) == 10
    rules = d.item_pairs(LINES, min_support=0.3, top=10)
    assert set(rules["antecedent_id"]) == {LAMP, MUG}
    assert len(d.item_pairs(LINES, min_support=0.2, top=1)) == 2
    with pytest.raises(d.NoData):
        d.item_pairs(LINES, min_support=0.5, top=10)


@given(whole=st.integers(min_value=1, max_value=10**6), data=st.data())
def test_rates_stay_within_0_and_1(whole, data):
    part = data.draw(st.integers(min_value=0, max_value=whole))
    for rate in (
        d.csat(part, whole), d.response_rate(part, whole), d.churn_rate(whole, part),
        d.retention_rate(whole, part), d.repeat_rate(whole, part), d.on_time_rate(part, whole),
    ):
        assert 0 <= rate <= 1


@given(active=st.integers(min_value=1, max_value=10**6), data=st.data())
def test_retention_plus_churn_is_one_on_the_same_cohort(active, data):
    still = data.draw(st.integers(min_value=0, max_value=active))
    assert d.retention_rate(active, still) + d.churn_rate(active, still) == pytest.approx(1)


@given(
    rate=st.floats(min_value=0, max_value=0.99),
    days=st.floats(min_value=1, max_value=3 * 365),
)
def test_monthly_rate_is_a_rate_and_is_exact_on_a_month(rate, days):
    monthly = d.monthly_rate(rate, days)
    assert 0 <= monthly <= 1
    assert d.monthly_rate(rate, d.MONTH_DAYS) == pytest.approx(rate)


@given(st.lists(st.tuples(st.floats(0, 10**5), st.integers(1, 50), st.floats(0, 3000)),
                min_size=1, max_size=30))
def test_ranking_is_by_descending_score(rows):
    frame = pd.DataFrame(rows, columns=["revenue", "orders", "tenure_days"]).assign(
        customer_id=range(len(rows)), name="x"
    )
    ranked = d.rank_customers(frame, top=10)
    assert list(ranked["score"]) == sorted(ranked["score"], reverse=True)
    assert len(ranked) == min(10, len(rows))
