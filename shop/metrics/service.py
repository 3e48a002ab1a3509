"""The owner's questions answered: a metric for a window, compared, explained, and charted.

This is what the Rasa action and the CLI call. It picks the loaders (load.py) and the
formulas (definitions.py) for a metric name, measures the window and the one before it,
and words the answer ("CSAT is 82% for Oct 2026, up 4 points on Sep 2026"). A window
with nothing in it is answered as "no data yet", never as an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from shop.charts import ChartSpec, format_value
from shop.i18n import ENGLISH, N_, SOURCE_LANGUAGE, Nn_, Translator
from shop.metrics import definitions as d
from shop.metrics import load, support
from shop.metrics.wording import chart_locale, contact_reason, maybe_value, period_label, tick, value_text
from shop.periods import Period, Unit

T = TypeVar("T")


@dataclass(frozen=True)
class MetricOptions:
    """The shop's choices that shape its metrics; the defaults suit a small shop."""

    currency: str = "EUR"
    churn_horizon_days: int = 90  # a customer with no order for this long counts as gone
    lifetime_months: float | None = None  # CLV lifetime; None: 1 ÷ monthly churn
    top: int = 10  # rows in top_customers and bought_together
    min_support: float = 0.01  # bought_together: a pair must be in this share of orders


DEFAULT_OPTIONS = MetricOptions()


class UnknownMetric(ValueError):
    """The metric name is not one of METRICS (the NLU maps synonyms to these names)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown metric {name!r}; known metrics: {', '.join(METRICS)}")


@dataclass(frozen=True)
class MetricResult:
    """One answer: the value for `period`, the value for `previous_period`, and their reading.

    Rates are fractions (0.82 for 82%) with unit "ratio"; money carries the currency code
    as its unit. `value` is None when the window holds no data, and `missing` says what
    is missing. Ranked metrics (top_customers, bought_together) also carry their `table`.
    """

    metric: str
    title: str
    period: Period
    previous_period: Period
    value: float | None
    previous: float | None
    unit: str
    reading: str
    missing: str | None = None
    chart: ChartSpec | None = None
    table: pd.DataFrame | None = field(default=None, compare=False)

    @property
    def change(self) -> float | None:
        """value − previous; for rates a difference of fractions (0.04 is 4 points)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def display(self) -> str:
        """The value as the owner reads it ("82%", "€12,340"), or "no data"."""
        return "no data" if self.value is None else format_value(self.value, self.unit)


@dataclass(frozen=True)
class Digest:
    """The owner's report: key metrics for a window against the previous one, and a chart."""

    period: Period
    previous_period: Period
    results: tuple[MetricResult, ...]
    chart: ChartSpec
    tr: Translator = field(default=ENGLISH, compare=False)

    @property
    def text(self) -> str:
        heading = self.tr._(REPORT_HEADING, period=period_label(self.period, self.tr),
                            previous=period_label(self.previous_period, self.tr))
        return "\n".join([heading] + [f"• {result.reading}" for result in self.results])


REPORT_HEADING = N_("Report for {period} (compared with {previous})")


def compute(
    session: Session,
    metric: str,
    period: Period,
    *,
    now: datetime,
    against: Period | None = None,
    trend: bool = False,
    options: MetricOptions = DEFAULT_OPTIONS,
    tr: Translator = ENGLISH,
) -> MetricResult:
    """`metric` over `period` (cut at `now` if still running), compared with `against`, or by
    default with the window of the same length before it.

    `trend=True` adds a line chart per day, week or month for the metrics in
    TREND_METRICS; an explicit `against` adds a comparison bar chart; ranked metrics
    always come with a bar chart. The answer is worded in `tr`'s language.
    """
    spec = _spec(metric)
    current = period.until(now)
    baseline = against.until(now) if against else current.previous()
    context = _Context(session, options, (current, baseline), tr)
    if trend and spec.source is not None:
        chart = _trend(context, spec, current)  # first: its buckets add up to the window
        return replace(_answer(context, metric, spec, current, baseline), chart=chart)
    result = _answer(context, metric, spec, current, baseline)
    if against is not None and spec.comparable:
        values = (result.previous, result.value)
        return replace(result, chart=ChartSpec(
            "comparison", tr._(spec.title), (period_label(baseline, tr), period_label(current, tr)),
            values, result.unit, tuple(maybe_value(v, result.unit, tr) for v in values), chart_locale(tr),
        ))
    return result


def digest(
    session: Session, period: Period, *, now: datetime, options: MetricOptions = DEFAULT_OPTIONS,
    tr: Translator = ENGLISH,
) -> Digest:
    """The report ("weekly report", "how is the business doing?"): DIGEST_METRICS for
    `period` against the window before it, with the revenue trend as its chart."""
    current = period.until(now)
    baseline = current.previous()
    context = _Context(session, options, (current, baseline), tr)
    chart = _trend(context, _spec("revenue"), current)
    results = tuple(
        _answer(context, name, _spec(name), current, baseline) for name in DIGEST_METRICS
    )
    return Digest(current, baseline, results, chart, tr)


class _Context:
    """One request's loaders, memoised so metrics sharing a query (revenue, orders, aov,
    clv...) read the store once per window; `windows` are the windows the request will
    ask about, so the customer activity (churn cohorts, buyers) of all of them comes from
    one scan."""

    def __init__(
        self, session: Session, options: MetricOptions, windows: tuple[Period, ...],
        tr: Translator = ENGLISH,
    ) -> None:
        self.session = session
        self.tr = tr
        self.options = options
        self.windows = windows
        self._memo: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], load_it: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = load_it()
        return self._memo[key]  # type: ignore[no-any-return]

    def sums(self, source: load.Source, window: Period) -> dict[str, float]:
        return self._once(("sums", source.name, window.start, window.end), lambda: load.window_sums(
            self.session, source, window.start, window.end, currency=self.options.currency
        ))

    def remember_sums(self, source: load.Source, window: Period, sums: dict[str, float]) -> None:
        self._memo[("sums", source.name, window.start, window.end)] = sums

    def activity(self, window: Period, *, buyers: bool = False) -> load.Activity:
        """The window's churn cohort (and buyers, if asked for), found for all of the
        request's windows in one scan."""
        key = ("activity", window.start, window.end)
        known = self._memo.get(key)
        if known is None or (buyers and known.buyers is None):
            wanted = list(dict.fromkeys((*self.windows, window)))
            found = load.customer_activity(
                self.session, [(w.start, w.end) for w in wanted],
                horizon=timedelta(days=self.options.churn_horizon_days), buyers=buyers,
            )
            for w, activity in zip(wanted, found, strict=True):
                self._memo[("activity", w.start, w.end)] = activity
        return self._memo[key]  # type: ignore[no-any-return]

    def cohort(self, window: Period) -> tuple[int, int]:
        activity = self.activity(window)
        return activity.active_at_start, activity.still_active

    def buyers(self, window: Period) -> tuple[int, int]:
        return self._once(("buyers", window.start, window.end),
                          lambda: load.buyers(self.session, window.start, window.end))

    def talks(self, window: Period) -> pd.DataFrame:
        return self._once(("talks", window.start, window.end),
                          lambda: support.talks(self.session, window.start, window.end))

    def reasons(self, window: Period) -> pd.DataFrame:
        previous = window.previous()
        return self._once(("reasons", window.start, window.end), lambda: d.contact_reasons(
            self.talks(window), self.talks(previous)))

    def top_customers(self, window: Period) -> pd.DataFrame:
        return self._once(("top", window.start, window.end), lambda: d.rank_customers(
            load.top_customers(self.session, window.start, window.end,
                               top=self.options.top, currency=self.options.currency),
            self.options.top,
        ))

    def pairs(self, window: Period) -> pd.DataFrame:
        def load_pairs() -> pd.DataFrame:
            lines = load.basket_lines(self.session, window.start, window.end)
            rules = d.item_pairs(lines, self.options.min_support, self.options.top)
            names = load.product_names(self.session, sorted(set(rules["antecedent_id"])))
            return rules.assign(
                antecedent=rules["antecedent_id"].map(names),
                consequent=rules["consequent_id"].map(names),
            )

        return self._once(("pairs", window.start, window.end), load_pairs)


Measure = Callable[[_Context, Period], float]
Details = Callable[[_Context, Period], Mapping[str, str]]


@dataclass(frozen=True)
class _Spec:
    """How one metric is measured and worded.

    `phrase` is formatted with the value ({value}) and `details`; a count's phrase is a
    (singular, plural) pair, chosen by the language's plural rule. Both are catalog ids. A
    metric with a `source` is a formula over that source's sums, so it can also be
    drawn as a trend. A metric that is not `comparable` is a ranking, shown with a table.
    """

    title: str
    phrase: str | tuple[str, str]
    unit: str  # "ratio", "money" (the shop's currency), "count", "stars", "days", "hours"
    measure: Measure
    source: load.Source | None = None
    formula: Callable[[Mapping[str, float]], float] | None = None
    comparable: bool = True
    table: Callable[[_Context, Period], pd.DataFrame] | None = None
    details: Details | None = None
    chart: Callable[[_Context, Period, str], ChartSpec] | None = None
    additive: bool = False  # a sum: an empty day in a trend is 0, not a gap


def _flow(
    title: str, phrase: str | tuple[str, str], unit: str, source: load.Source,
    formula: Callable[[Mapping[str, float]], float], *, additive: bool = False,
) -> _Spec:
    """A metric that is a formula over one source's sums in the window."""
    return _Spec(title, phrase, unit, lambda c, w: formula(c.sums(source, w)), source, formula,
                 additive=additive)


def _clv(context: _Context, window: Period) -> float:
    orders = context.sums(load.ORDERS, window)
    activity = context.activity(window, buyers=True)
    assert activity.buyers is not None
    lifetime = context.options.lifetime_months or d.lifetime_months(d.monthly_rate(
        d.churn_rate(activity.active_at_start, activity.still_active), window.days
    ))
    return d.clv(
        d.aov(orders["revenue"], orders["priced_orders"]),
        d.purchases_per_month(orders["orders"], activity.buyers, window.days),
        lifetime,
    )


def _value_addition(context: _Context, window: Period) -> float:
    signups = context.sums(load.SIGNUPS, window)
    cost = d.acquisition_cost(signups["cost_sum"], signups["costed"])
    return d.value_addition(_clv(context, window), cost)


def _top_share(context: _Context, window: Period) -> float:
    revenue = context.sums(load.ORDERS, window)["revenue"]
    return d.ratio(float(context.top_customers(window)["revenue"].sum()), revenue, N_("no orders"))


def _top_details(context: _Context, window: Period) -> dict[str, str]:
    top = context.top_customers(window)
    leader = top.iloc[0]
    spent = value_text(float(leader["revenue"]), context.options.currency, context.tr)
    return {"count": str(len(top)), "leader": f"{leader['name']} ({spent})"}


def _top_chart(context: _Context, window: Period, unit: str) -> ChartSpec:
    top = context.top_customers(window)
    return _ranking(context, N_("Top customers by value, {period} (revenue)"), window,
                    tuple(top["name"]), tuple(top["revenue"].astype(float)), unit)


def _pair_details(context: _Context, window: Period) -> dict[str, str]:
    best = context.pairs(window).iloc[0]
    return {"first": best["antecedent"], "second": best["consequent"]}


def _pair_chart(context: _Context, window: Period, unit: str) -> ChartSpec:
    rules = context.pairs(window)
    pairs = rules[rules["antecedent_id"] < rules["consequent_id"]]
    return _ranking(context, N_("Bought together, {period} (share of orders)"), window,
                    tuple(f"{a} + {b}" for a, b in zip(pairs["antecedent"], pairs["consequent"],
                                                       strict=True)),
                    tuple(pairs["support"].astype(float)), unit)


def _reason_details(context: _Context, window: Period) -> dict[str, str]:
    reasons, tr = context.reasons(window), context.tr

    def part(row: Any) -> str:
        trend = round(row.change * 100)
        share = value_text(row.share, "ratio", tr)
        reason = contact_reason(str(row.reason), tr)
        if not trend:
            return f"{reason} {share}"
        return tr._(N_("{reason} {share}, {change} pts"), reason=reason, share=share,
                    change=f"{'+' if trend > 0 else ''}{trend}")
    others = "; ".join(part(r) for r in reasons.iloc[1:4].itertuples()) or tr._(N_("no other reason"))
    return {"leader": contact_reason(str(reasons.iloc[0].reason), tr), "others": others}


def _reason_chart(context: _Context, window: Period, unit: str) -> ChartSpec:
    reasons = context.reasons(window).head(8)
    return _ranking(context, N_("Contact reasons, {period} (share of conversations)"), window,
                    tuple(contact_reason(str(r), context.tr) for r in reasons["reason"]),
                    tuple(reasons["share"].astype(float)), unit)


def _ranking(context: _Context, title: str, window: Period, labels: tuple[str, ...],
             values: tuple[float, ...], unit: str) -> ChartSpec:
    """A ranking bar chart titled and labelled in the request's language."""
    tr = context.tr
    return ChartSpec("ranking", tr._(title, period=period_label(window, tr)), labels, values, unit,
                     tuple(value_text(v, unit, tr) for v in values), chart_locale(tr))


def _median(loader: Callable[[Session, datetime, datetime], list[float]], missing: str) -> Measure:
    return lambda c, w: d.median_hours(loader(c.session, w.start, w.end), missing)


_SPECS: dict[str, _Spec] = {
    "csat": _flow(N_("CSAT"), N_("CSAT is {value}"), "ratio", load.FEEDBACK,
                  lambda s: d.csat(s["satisfied"], s["rated"])),
    "avg_rating": _flow(N_("Average rating"), N_("The average rating is {value} of 5"), "stars",
                        load.FEEDBACK, lambda s: d.avg_rating(s["rating_sum"], s["rated"])),
    "response_rate": _flow(N_("Survey response rate"), N_("The survey response rate is {value}"),
                           "ratio", load.SURVEYS,
                           lambda s: d.response_rate(s["answered"], s["sent"])),
    "churn_rate": _Spec(N_("Churn rate"), N_("Churn is {value}"), "ratio",
                        lambda c, w: d.churn_rate(*c.cohort(w))),
    "retention_rate": _Spec(N_("Retention rate"), N_("Retention is {value}"), "ratio",
                            lambda c, w: d.retention_rate(*c.cohort(w))),
    "clv": _Spec(N_("Customer lifetime value"), N_("Customer lifetime value is {value}"), "money", _clv),
    "value_addition": _Spec(N_("Value addition"), N_("Value addition (CLV − acquisition cost) is {value}"),
                            "money", _value_addition),
    "revenue": _flow(N_("Revenue"), N_("Revenue is {value}"), "money", load.ORDERS,
                     lambda s: d.total(s["revenue"], s["orders"], N_("no orders")), additive=True),
    "orders": _flow(N_("Orders"), Nn_("{value} order", "{value} orders"), "count", load.ORDERS,
                    lambda s: d.total(s["orders"], s["orders"], N_("no orders")), additive=True),
    "aov": _flow(N_("Average order value"), N_("The average order value is {value}"), "money",
                 load.ORDERS, lambda s: d.aov(s["revenue"], s["priced_orders"])),
    "new_customers": _flow(N_("New customers"),
                           Nn_("{value} new customer", "{value} new customers"), "count",
                           load.SIGNUPS,
                           lambda s: d.total(s["new_customers"], s["new_customers"],
                                             N_("no new customers")), additive=True),
    "repeat_rate": _Spec(N_("Repeat purchase rate"), N_("The repeat purchase rate is {value}"), "ratio",
                         lambda c, w: d.repeat_rate(*c.buyers(w))),
    "on_time_rate": _flow(N_("On-time delivery"), N_("On-time delivery is {value}"), "ratio",
                          load.DELIVERIES, lambda s: d.on_time_rate(s["on_time"], s["promised"])),
    "avg_delivery_days": _flow(N_("Average delivery time"), N_("The average delivery takes {value}"),
                               "days", load.DELIVERIES,
                               lambda s: d.avg_delivery_days(s["delivery_seconds"],
                                                             s["delivered"])),
    "open_tickets": _Spec(N_("Open tickets"),
                          Nn_("{value} open ticket", "{value} open tickets"), "count",
                          lambda c, w: float(load.open_tickets(c.session, w.end))),
    "first_response_time": _Spec(N_("First response time"), N_("The median first response takes {value}"),
                                 "hours", _median(load.first_response_seconds, N_("no first replies"))),
    "resolution_time": _Spec(N_("Resolution time"), N_("The median resolution takes {value}"), "hours",
                             _median(load.resolution_seconds, N_("no tickets resolved"))),
    "top_customers": _Spec(
        N_("Top customers"), N_("The top {count} customers, led by {leader}, brought {value} of revenue"),
        "ratio", _top_share, comparable=False, table=lambda c, w: c.top_customers(w),
        details=_top_details, chart=_top_chart,
    ),
    "bought_together": _Spec(
        N_("Bought together"),
        N_("{first} and {second} are bought together in {value} of orders"),
        "ratio", lambda c, w: float(c.pairs(w)["support"].iloc[0]), comparable=False,
        table=lambda c, w: c.pairs(w), details=_pair_details, chart=_pair_chart,
    ),
    "bot_resolution_rate": _Spec(
        N_("Bot resolution rate"), N_("The bot resolved {value} of conversations"), "ratio",
        lambda c, w: d.bot_resolution_rate(c.talks(w))),
    "handoff_rate": _Spec(N_("Handoff rate"), N_("{value} of conversations went to a person"), "ratio",
                          lambda c, w: d.handoff_rate(c.talks(w))),
    "faq_helpfulness": _Spec(
        N_("FAQ helpfulness"), N_("{value} of FAQ answers were marked \"That helps\""), "ratio",
        lambda c, w: d.faq_helpfulness(*reversed(support.faq_answers(c.session, w.start, w.end)))),
    "top_contact_reasons": _Spec(
        N_("Top contact reasons"), N_("Top contact reason: {leader}, {value} of conversations ({others})"),
        "ratio",
        lambda c, w: float(c.reasons(w)["share"].iloc[0]), comparable=False,
        table=lambda c, w: c.reasons(w), details=_reason_details, chart=_reason_chart),
}
METRICS: tuple[str, ...] = tuple(_SPECS)
TREND_METRICS: tuple[str, ...] = tuple(name for name, spec in _SPECS.items() if spec.source)
DIGEST_METRICS = (
    "revenue", "orders", "aov", "new_customers", "repeat_rate", "csat", "on_time_rate",
    "open_tickets", "churn_rate",
)


def title(metric: str, tr: Translator = ENGLISH) -> str:
    """The metric's name as the owner reads it ("csat" → "CSAT", "revenue" → "Umsatz")."""
    return tr._(_spec(metric).title)


def _spec(metric: str) -> _Spec:
    if metric not in _SPECS:
        raise UnknownMetric(metric)
    return _SPECS[metric]


NO_DATA_YET = N_("No data yet for {metric} in {period}: {missing}.")
NOT_COMPARED = N_("{head} for {period}.")
NOTHING_BEFORE = N_("{head} for {period}; no data for {previous} to compare.")
UP = N_("{head} for {period}, up {amount} on {previous}.")
DOWN = N_("{head} for {period}, down {amount} on {previous}.")
UNCHANGED = N_("{head} for {period}, unchanged from {previous}.")
UP_FROM_ZERO = N_("{head} for {period}, up from 0 on {previous}.")
POINTS = Nn_("{points} point", "{points} points")


def _answer(
    context: _Context, metric: str, spec: _Spec, current: Period, baseline: Period
) -> MetricResult:
    tr = context.tr
    unit = context.options.currency if spec.unit == "money" else spec.unit
    try:
        value: float | None = spec.measure(context, current)
        missing = None
    except d.NoData as exc:
        value, missing = None, str(exc)
    previous = None
    if spec.comparable and value is not None:
        try:
            previous = spec.measure(context, baseline)
        except d.NoData:
            previous = None
    name = tr._(spec.title)
    window, before = period_label(current, tr), period_label(baseline, tr)
    if value is None:
        if tr.language == SOURCE_LANGUAGE and not name.isupper():
            name = name[0].lower() + name[1:]  # "No data yet for average rating in ..."
        reading = tr._(NO_DATA_YET, metric=name, period=window, missing=tr._(missing) if missing else "")
        return MetricResult(metric, name, current, baseline, None, None, unit, reading,
                            missing)
    details = spec.details(context, current) if spec.details else {}
    shown = value_text(value, unit, tr)
    if isinstance(spec.phrase, tuple):
        head = tr.n_(*spec.phrase, round(value), value=shown, **details)
    else:
        head = tr._(spec.phrase, value=shown, **details)
    if not spec.comparable:
        reading = tr._(NOT_COMPARED, head=head, period=window)
    elif previous is None:
        reading = tr._(NOTHING_BEFORE, head=head, period=window, previous=before)
    else:
        change, amount = _change(value, previous, unit, tr)
        reading = tr._(change, head=head, period=window, previous=before, amount=amount)
    if reading.endswith(".."):  # a window label ending in an abbreviation ("2025 г.")
        reading = reading[:-1]
    return MetricResult(
        metric, name, current, baseline, value, previous, unit, reading,
        chart=spec.chart(context, current, unit) if spec.chart else None,
        table=spec.table(context, current) if spec.table else None,
    )


def _change(value: float, previous: float, unit: str, tr: Translator) -> tuple[str, str]:
    """The comparison's message and its amount ("up {amount} on" with "4 points", "8%"):
    points for rates, % for amounts, the unit's own difference for stars and times."""
    difference = value - previous
    if unit == "ratio":
        points = round(abs(difference) * 100, 1)
        amount = tr.n_(*POINTS, int(points) if points.is_integer() else 2,
                       points=format_decimal(points, "#,##0.#", locale=tr.locale))
        still = points == 0
    elif unit in ("stars", "days", "hours"):
        amount = value_text(abs(difference), unit, tr)
        still = amount == value_text(0.0, unit, tr)
    elif previous == 0:
        return (UP_FROM_ZERO if value > 0 else UNCHANGED), ""
    else:
        percent = round(abs(difference) / abs(previous) * 100)
        amount, still = value_text(percent / 100, "ratio", tr), percent == 0
    if still:
        return UNCHANGED, ""
    return (UP if difference > 0 else DOWN), amount


def _trend_unit(window: Period) -> Unit:
    """Days for a month or less, weeks up to half a year, then months, quarters, years:
    a chart of at most a few dozen points."""
    days = round(window.days)  # a month with a clock change is 31 days and an hour
    limits: tuple[tuple[int, Unit], ...] = ((31, "day"), (183, "week"), (1096, "month"),
                                            (3653, "quarter"))
    return next((unit for limit, unit in limits if days <= limit), "year")


def _trend(context: _Context, spec: _Spec, window: Period) -> ChartSpec:
    """The metric per day, week or month of the window, from one query."""
    assert spec.source is not None and spec.formula is not None
    unit = _trend_unit(window)
    buckets = window.split(unit)
    sums = load.bucket_sums(context.session, spec.source,
                            [(bucket.start, bucket.end) for bucket in buckets],
                            currency=context.options.currency)
    context.remember_sums(spec.source, window, {k: float(v) for k, v in sums.sum().items()})
    empty = 0.0 if spec.additive else None
    values = tuple(_or(spec.formula, row, empty) for row in sums.to_dict("records"))
    tr = context.tr
    labels = tuple(tick(bucket.start.astimezone(window.zone), unit, tr) for bucket in buckets)
    unit_label = context.options.currency if spec.unit == "money" else spec.unit
    title_line = tr._(TREND_TITLE[unit], metric=tr._(spec.title), period=period_label(window, tr))
    return ChartSpec("trend", title_line, labels, values, unit_label, locale=chart_locale(tr))


TREND_TITLE: dict[Unit, str] = {
    "day": N_("{metric} per day, {period}"), "week": N_("{metric} per week, {period}"),
    "month": N_("{metric} per month, {period}"), "quarter": N_("{metric} per quarter, {period}"),
    "year": N_("{metric} per year, {period}"),
}


def _or(
    formula: Callable[[Mapping[str, float]], float], sums: Mapping[str, float], empty: float | None
) -> float | None:
    try:
        return formula(sums)
    except d.NoData:
        return empty
