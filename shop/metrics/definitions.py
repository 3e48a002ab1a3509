"""The owner's metrics (ARCHITECTURE.md §6) as pure functions of small aggregates and frames.

The loaders count and sum in SQL; these functions turn those counts into the number the
owner sees, so each definition is written once and tested with literal values. Nothing
here reads the clock or the database. An empty denominator raises `NoData` ("no data
yet") instead of dividing by zero.

Rates are fractions in 0..1; money is in the shop's currency; times are in hours or days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from shop.i18n import N_

MONTH_DAYS = 365.25 / 12
SATISFIED = 4  # CSAT counts ratings of 4 and 5 as satisfied
NO_COHORT = N_("no active customers at the start")


class NoData(Exception):
    """The window holds nothing to measure; the message says what is missing ("no ratings")."""


def ratio(part: float, whole: float, missing: str) -> float:
    """part ÷ whole, or NoData(missing) when there is nothing to divide by."""
    if whole <= 0:
        raise NoData(missing)
    return part / whole


def total(amount: float, counted: float, missing: str) -> float:
    """A sum or count as it stands, except that nothing counted means no data yet."""
    if counted <= 0:
        raise NoData(missing)
    return amount


def csat(satisfied: float, rated: float) -> float:
    """Ratings of 4 or 5 ÷ all ratings: 50 fives + 30 fours of 100 ratings → 0.80."""
    return ratio(satisfied, rated, N_("no ratings"))


def avg_rating(rating_sum: float, rated: float) -> float:
    """Mean rating on the 1-5 scale."""
    return ratio(rating_sum, rated, N_("no ratings"))


def response_rate(answered: float, sent: float) -> float:
    """Surveys answered ÷ surveys sent in the window."""
    return ratio(answered, sent, N_("no surveys sent"))


def aov(revenue: float, orders: float) -> float:
    """Average order value: revenue ÷ orders (cancelled orders are in neither)."""
    return ratio(revenue, orders, N_("no orders"))


def churn_rate(active_at_start: float, still_active: float) -> float:
    """Customers active at the window start who are no longer active at its end, as a share
    of those active at the start: 50 of 1,000 gone → 0.05."""
    return ratio(active_at_start - still_active, active_at_start, NO_COHORT)


def retention_rate(active_at_start: float, still_active: float) -> float:
    """1 − churn on the same cohort: 800 of 1,000 still active → 0.80."""
    return ratio(still_active, active_at_start, NO_COHORT)


def repeat_rate(buyers: float, repeat_buyers: float) -> float:
    """Customers who bought in the window and have bought more than once, ÷ all buyers."""
    return ratio(repeat_buyers, buyers, N_("no orders"))


def on_time_rate(on_time: float, promised: float) -> float:
    """Delivered orders that arrived by their promised date ÷ delivered orders with a promise."""
    return ratio(on_time, promised, N_("no deliveries with a promised date"))


def avg_delivery_days(delivery_seconds: float, delivered: float) -> float:
    """Mean days from order to delivery, over orders delivered in the window."""
    return ratio(delivery_seconds, delivered, N_("no deliveries")) / 86400


def median_hours(seconds: Sequence[float], missing: str) -> float:
    """Median of durations in seconds, in hours (support times are skewed: median, not mean)."""
    if len(seconds) == 0:
        raise NoData(missing)
    return float(pd.Series(seconds, dtype="float64").median()) / 3600


def monthly_rate(rate: float, days: float) -> float:
    """A rate observed over `days` as the equivalent compounded monthly rate."""
    if days <= 0:
        raise NoData(N_("an empty window"))
    return 1 - (1 - rate) ** (MONTH_DAYS / days)


def purchases_per_month(orders: float, buyers: float, days: float) -> float:
    """Orders per buying customer per month over a window of `days`."""
    return ratio(orders, buyers, N_("no orders")) * MONTH_DAYS / days


def lifetime_months(monthly_churn: float) -> float:
    """Expected customer lifetime when none is configured: 1 ÷ monthly churn."""
    return ratio(1, monthly_churn, N_("no churn observed, so the lifetime is unknown (configure it)"))


def clv(aov: float, purchases_per_month: float, lifetime_months: float) -> float:
    """Customer lifetime value: AOV 200 × once a month × 3 months → 600."""
    return aov * purchases_per_month * lifetime_months


def acquisition_cost(cost_sum: float, customers_with_cost: float) -> float:
    """Mean acquisition cost of the customers acquired in the window who have one recorded."""
    return ratio(cost_sum, customers_with_cost, N_("no acquisition costs recorded"))


def value_addition(clv: float, acquisition_cost: float) -> float:
    """What a customer is worth beyond what it cost to win them: 600 − 300 → 300."""
    return clv - acquisition_cost


def loyalty_months(tenure_days: float) -> float:
    """Tenure in months, at least 1 so a brand-new customer is not scored zero."""
    return max(tenure_days / MONTH_DAYS, 1.0)


def rank_customers(customers: pd.DataFrame, top: int) -> pd.DataFrame:
    """Customers ranked by value score = revenue × purchases × loyalty (tenure in months).

    In: one row per customer with `customer_id`, `name`, `revenue`, `orders` (in the window)
    and `tenure_days` (since they became a customer, at the window end).
    Out: the best `top`, with `loyalty_months`, `score` and `rank` (1 = best); ties go to
    the older customer id so the order is stable.
    """
    if customers.empty:
        raise NoData(N_("no orders"))
    ranked = customers.assign(
        loyalty_months=customers["tenure_days"].map(loyalty_months),
    )
    ranked = ranked.assign(score=ranked["revenue"] * ranked["orders"] * ranked["loyalty_months"])
    ranked = ranked.sort_values(["score", "customer_id"], ascending=[False, True]).head(top)
    return ranked.assign(rank=range(1, len(ranked) + 1)).reset_index(drop=True)


def item_pairs(lines: pd.DataFrame, min_support: float, top: int) -> pd.DataFrame:
    """Association rules between two products, as Apriori gives them for item sets of two.

    In: the window's order lines (order_id, product_id); each order is one basket.
    Out: the `top` pairs found in at least `min_support` of the orders (and in two), one
    row per direction A → B: together (orders with both), support = together ÷ orders,
    confidence = together ÷ orders with A, lift = confidence ÷ support of B. Best first.
    """
    baskets = lines[["order_id", "product_id"]].drop_duplicates()
    orders = baskets["order_id"].nunique()
    if orders == 0:
        raise NoData(N_("no orders"))
    floor = min_together(min_support, orders)
    with_item = baskets["product_id"].value_counts()
    # Apriori's pruning: a pair can only be frequent if both of its items are.
    frequent = baskets[baskets["product_id"].map(with_item) >= floor]
    both = frequent.merge(frequent, on="order_id", suffixes=("_a", "_b"))
    both = both[both["product_id_a"] < both["product_id_b"]]
    pairs = both.groupby(["product_id_a", "product_id_b"]).size().rename("together").reset_index()
    pairs = pairs[pairs["together"] >= floor].sort_values(
        ["together", "product_id_a", "product_id_b"], ascending=[False, True, True]
    ).head(top)
    if pairs.empty:
        raise NoData(N_("no two products bought together"))
    forward = {"product_id_a": "antecedent_id", "product_id_b": "consequent_id"}
    backward = {"product_id_b": "antecedent_id", "product_id_a": "consequent_id"}
    rules = pd.concat(
        [pairs.rename(columns=forward), pairs.rename(columns=backward)], ignore_index=True
    )
    with_a = rules["antecedent_id"].map(with_item)
    with_b = rules["consequent_id"].map(with_item)
    rules = rules.assign(
        support=rules["together"] / orders,
        confidence=rules["together"] / with_a,
        lift=rules["together"] * orders / (with_a * with_b),
    )
    rules = rules.sort_values(
        ["support", "confidence", "antecedent_id", "consequent_id"],
        ascending=[False, False, True, True],
    )
    return rules.reset_index(drop=True)[
        ["antecedent_id", "consequent_id", "together", "support", "confidence", "lift"]
    ]


def min_together(min_support: float, baskets: int) -> int:
    """Fewest shared orders for a pair to count as frequent: the support floor, and at least 2."""
    return max(2, math.ceil(min_support * baskets))


# --- support (issue 15): what the bot resolved, handed over, and was asked about ----------

CONVERSATION_GAP_SECONDS = 3600  # Rasa's session_expiration_time (domain.yml): a longer pause starts anew
REPEAT_SECONDS = 24 * 3600


def conversations(turns: pd.DataFrame) -> pd.DataFrame:
    """A customer's bot turns grouped into conversations.

    In: one row per customer message the bot answered (BotTurn): `telegram_user_id`, `intent`,
    `created_at` (UTC). Out: one row per conversation, `telegram_user_id`, `start`, `end`
    (its first and last turn) and `reason` (the intent of its first turn). A conversation is
    a run of one customer's turns with no pause longer than CONVERSATION_GAP_SECONDS.
    """
    columns = ["telegram_user_id", "start", "end", "reason"]
    if turns.empty:
        return pd.DataFrame(columns=columns)
    ordered = turns.sort_values(["telegram_user_id", "created_at"], kind="stable")
    user = ordered["telegram_user_id"]
    pause = ordered["created_at"].diff().dt.total_seconds()
    new = (user != user.shift()) | (pause > CONVERSATION_GAP_SECONDS)
    number = new.cumsum()
    grouped = ordered.groupby(number)
    return pd.DataFrame({
        "telegram_user_id": grouped["telegram_user_id"].first(),
        "start": grouped["created_at"].first(),
        "end": grouped["created_at"].last(),
        "reason": grouped["intent"].first().fillna("unknown"),
    }).reset_index(drop=True)[columns]


def support_outcomes(talks: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """Each conversation with `handed_off` and `resolved`.

    `handed_off`: a ticket of that customer was opened between the conversation's start and
    CONVERSATION_GAP_SECONDS after its end (a person took over). `repeat`: the same customer
    started another conversation for the same reason within REPEAT_SECONDS of its end.
    `resolved` (by the bot): neither.
    """
    out = talks.copy()
    gap = pd.Timedelta(seconds=CONVERSATION_GAP_SECONDS)
    repeat_window = pd.Timedelta(seconds=REPEAT_SECONDS)
    handed, repeated = [], []
    ticket_times = tickets.groupby("telegram_user_id")["created_at"].apply(list).to_dict() \
        if not tickets.empty else {}
    for row in out.itertuples(index=False):
        times = ticket_times.get(row.telegram_user_id, [])
        handed.append(any(row.start <= t <= row.end + gap for t in times))
        later = out[(out["telegram_user_id"] == row.telegram_user_id) & (out["reason"] == row.reason)
                    & (out["start"] > row.end) & (out["start"] <= row.end + repeat_window)]
        repeated.append(not later.empty)
    out["handed_off"] = pd.Series(handed, index=out.index, dtype=bool)
    out["repeat"] = pd.Series(repeated, index=out.index, dtype=bool)
    out["resolved"] = ~out["handed_off"] & ~out["repeat"]
    return out


def bot_resolution_rate(outcomes: pd.DataFrame) -> float:
    """Conversations the bot closed without a person and with no repeat contact about the same
    thing (the same first intent) within 24 hours, ÷ all conversations started in the window:
    10 conversations, 2 handed to a person, 1 asked again the next morning → 0.70."""
    return ratio(float(outcomes["resolved"].sum()), len(outcomes), N_("no conversations"))


def handoff_rate(outcomes: pd.DataFrame) -> float:
    """Conversations in which a ticket was opened (a person took over) ÷ all conversations."""
    return ratio(float(outcomes["handed_off"].sum()), len(outcomes), N_("no conversations"))


def faq_helpfulness(helpful: float, answered: float) -> float:
    """FAQ answers the customer marked "That helps" ÷ FAQ answers given: 3 of 12 → 0.25."""
    return ratio(helpful, answered, N_("no FAQ answers"))


def contact_reasons(talks: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Why customers write, by the intent that starts each conversation: `reason`,
    `conversations`, `share` of the window's conversations, and `change` in share (points as
    fractions) against the previous window's share (its trend). Most frequent first."""
    if talks.empty:
        raise NoData(N_("no conversations"))
    counts = talks["reason"].value_counts()
    share = counts / counts.sum()
    before = previous["reason"].value_counts(normalize=True) if not previous.empty else pd.Series(dtype=float)
    table = pd.DataFrame({"reason": counts.index, "conversations": counts.to_numpy(),
                          "share": share.to_numpy()})
    table["change"] = table["share"] - table["reason"].map(before).fillna(0.0).to_numpy()
    return table.sort_values(["conversations", "reason"], ascending=[False, True]).reset_index(drop=True)
