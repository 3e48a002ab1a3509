"""The owner's questions as replies: metrics, comparisons, charts and the digest.

Owner-only access is decided here from the store's roles, so every door (Rasa action,
scheduled digest) enforces it the same way.
"""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy.orm import Session

from shop.accounts import role_of
from shop.charts import ChartSpec, render
from shop.metrics.names import metric_name
from shop.metrics.service import METRICS, UnknownMetric, compute, digest, title
from shop.models import Role
from shop.periods import PeriodError, parse_comparison, parse_period
from shop.replies import Button, Reply, intent_payload, payload
from shop.settings import Settings

REFUSAL = ("Sorry, business figures are only for the shop's owner. I can help you with "
           "your orders instead: try \"show my orders\".")
WHICH_METRIC = "Which figure would you like? For example:"
SUGGESTED = ("csat", "revenue", "churn_rate", "top_customers")
MAX_METRICS = 4  # one message may name several metrics; more than this is a report


def chart_reply(spec: ChartSpec, caption: str) -> Reply:
    png = render(spec)
    return Reply(custom=payload("photo", png_b64=base64.b64encode(png).decode(), caption=caption[:1000]))


def metric_replies(
    session: Session, *, telegram_user_id: int, metrics: list[str], period_text: str | None,
    wants_trend: bool, settings: Settings, now: datetime,
) -> list[Reply]:
    """Answer "CSAT this month?", "revenue in October vs September", "churn and CSAT"."""
    if role_of(session, telegram_user_id) is not Role.owner:
        return [Reply(REFUSAL)]
    # The NLU maps its synonyms to METRICS' names; an inflected or compound word it passed
    # through as written ("Abwanderungsrate", "оттока") is named here (shop/metrics/names.py).
    names = list(dict.fromkeys(metric_name(m) or m for m in metrics if m))[:MAX_METRICS]
    if not names:
        return [Reply(WHICH_METRIC, buttons=tuple(
            Button(title(m), intent_payload("ask_metric", metric=m)) for m in SUGGESTED))]
    try:
        period, against = parse_comparison(period_text, now=now, tz=settings.tz)
    except PeriodError as exc:
        return [Reply(str(exc))]
    replies: list[Reply] = []
    charts: list[Reply] = []
    for name in names:
        try:
            result = compute(session, name, period, now=now, against=against, trend=wants_trend)
        except UnknownMetric:
            replies.append(Reply(f"I don't know the figure {name!r}. I know: {', '.join(METRICS)}."))
            continue
        replies.append(Reply(result.reading))
        if result.chart is not None and result.value is not None:
            charts.append(chart_reply(result.chart, result.reading))
    return replies + charts[:1]


def report_replies(
    session: Session, *, telegram_user_id: int | None, period_text: str | None, settings: Settings,
    now: datetime, default_period: str = "last 7 days",
) -> list[Reply]:
    """The digest ("weekly report", "how is the business doing?") with its chart.

    `telegram_user_id` None means the scheduler asks on the owners' behalf.
    """
    if telegram_user_id is not None and role_of(session, telegram_user_id) is not Role.owner:
        return [Reply(REFUSAL)]
    try:
        period = parse_period(period_text or default_period, now=now, tz=settings.tz)
    except PeriodError as exc:
        return [Reply(str(exc))]
    report = digest(session, period, now=now)
    replies = [Reply(report.text)]
    if report.chart is not None and any(v is not None for v in report.chart.values):
        replies.append(chart_reply(report.chart, f"Revenue, {report.period.label}"))
    return replies
