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
from shop.faq import owner as faq_owner
from shop.faq import unanswered
from shop.i18n import ENGLISH, N_, SOURCE_LANGUAGE, Translator
from shop.metrics.names import UNANSWERED, asks_unanswered, metric_name
from shop.metrics.service import METRICS, UnknownMetric, compute, digest, title
from shop.metrics.wording import period_label
from shop.models import Role
from shop.periods import PeriodError, parse_comparison, parse_period
from shop.replies import Button, Reply, intent_payload, payload
from shop.settings import Settings

REFUSAL = N_("Sorry, business figures are only for the shop's owner. I can help you with "
             "your orders instead: try \"show my orders\".")
WHICH_METRIC = N_("Which figure would you like? For example:")
UNKNOWN_METRIC = N_("I don't know the figure {name}. I know: {names}.")
UNREAD_PERIOD = N_("I couldn't read the period “{text}”. Try for example: {examples}")
# Periods the parser reads in each language (shop/period_words.py), as the translation gives them.
PERIOD_EXAMPLES = N_("\"today\", \"this week\", \"last month\", \"last quarter\", \"this year\", "
                     "\"last 30 days\", \"October\", \"Q3 2025\", \"October vs September\"")
REPORT_CHART = N_("Revenue, {period}")
SUGGESTED = ("csat", "revenue", "churn_rate", "top_customers")
MAX_METRICS = 4  # one message may name several metrics; more than this is a report
UNANSWERED_TOP = 5  # questions listed in chat, as in the digest


def chart_reply(spec: ChartSpec, caption: str) -> Reply:
    png = render(spec)
    return Reply(custom=payload("photo", png_b64=base64.b64encode(png).decode(), caption=caption[:1000]))


def metric_replies(
    session: Session, *, telegram_user_id: int, metrics: list[str], period_text: str | None,
    wants_trend: bool, settings: Settings, now: datetime, tr: Translator = ENGLISH, text: str = "",
) -> list[Reply]:
    """Answer "CSAT this month?", "revenue in October vs September", "churn and CSAT", in `tr`'s
    language; `text` is the owner's message as written."""
    if not is_owner(session, telegram_user_id):
        return [Reply(tr._(REFUSAL))]
    # The NLU maps its synonyms to METRICS' names; an inflected or compound word it passed
    # through as written ("Abwanderungsrate", "оттока") is named here (shop/metrics/names.py).
    names = list(dict.fromkeys(metric_name(m) or m for m in metrics if m))[:MAX_METRICS]
    # "What couldn't the bot answer this week?" is asked like a figure; the model may tag its
    # words as a metric, or leave them untagged.
    questions: list[Reply] = []
    if UNANSWERED in names or (not names and asks_unanswered(text)):
        questions = unanswered_replies(session, telegram_user_id=telegram_user_id,
                                       period_text=period_text, settings=settings, now=now, tr=tr)
        names = [n for n in names if n != UNANSWERED]
        if not names:
            return questions
    if not names:
        return [Reply(tr._(WHICH_METRIC), buttons=tuple(
            Button(title(m, tr), intent_payload("ask_metric", metric=m)) for m in SUGGESTED))]
    try:
        period, against = parse_comparison(period_text, now=now, tz=settings.tz)
    except PeriodError as exc:
        return [Reply(unread_period(exc, tr))]
    replies: list[Reply] = []
    charts: list[Reply] = []
    for name in names:
        try:
            result = compute(session, name, period, now=now, against=against, trend=wants_trend,
                             tr=tr)
        except UnknownMetric:
            replies.append(Reply(tr._(UNKNOWN_METRIC, name=repr(name),
                                      names=", ".join(title(m, tr) for m in METRICS))))
            continue
        replies.append(Reply(result.reading))
        if result.chart is not None and result.value is not None:
            charts.append(chart_reply(result.chart, result.reading))
    return replies + charts[:1] + questions


def report_replies(
    session: Session, *, telegram_user_id: int | None, period_text: str | None, settings: Settings,
    now: datetime, default_period: str = "last 7 days", tr: Translator = ENGLISH,
) -> list[Reply]:
    """The digest ("weekly report", "how is the business doing?") with its chart, in `tr`'s
    language.

    `telegram_user_id` None means the scheduler asks on the owners' behalf.
    """
    if telegram_user_id is not None and not is_owner(session, telegram_user_id):
        return [Reply(tr._(REFUSAL))]
    try:
        period = parse_period(period_text or default_period, now=now, tz=settings.tz)
    except PeriodError as exc:
        return [Reply(unread_period(exc, tr))]
    report = digest(session, period, now=now, tr=tr)
    replies = [Reply(report.text)]
    if report.chart is not None and any(v is not None for v in report.chart.values):
        replies.append(chart_reply(report.chart, tr._(REPORT_CHART,
                                                      period=period_label(report.period, tr))))
    return replies


def unanswered_replies(session: Session, *, telegram_user_id: int, period_text: str | None,
                       settings: Settings, now: datetime, tr: Translator = ENGLISH) -> list[Reply]:
    """"What couldn't the bot answer this week?" in chat: the most asked unanswered questions of
    the period (the last 7 days unless named), grouped and worded as in the digest, each one a
    message the owner answers by replying to it. Owner only, like the other business questions."""
    if not is_owner(session, telegram_user_id):
        return [Reply(tr._(REFUSAL))]
    start, end, label = now - faq_owner.WEEK, now, None  # "this week", as in the digest
    if period_text is not None:
        try:
            period = parse_period(period_text, now=now, tz=settings.tz).until(now)
        except PeriodError as exc:
            return [Reply(unread_period(exc, tr))]
        if not (period.to_date and period.unit == "week"):  # "this week" is the digest's week
            start, end, label = period.start, period.end, period_label(period, tr)
    asked = unanswered.top_unanswered(session, start=start, end=end, top=UNANSWERED_TOP)
    if not asked:
        return [Reply(tr._(faq_owner.ALL_ANSWERED_THIS_WEEK) if label is None
                      else tr._(faq_owner.ALL_ANSWERED_IN, period=label))]
    head = tr._(faq_owner.TOP_THIS_WEEK) if label is None else tr._(faq_owner.TOP_IN, period=label)
    return [Reply(head), *(
        Reply(tr.n_(*faq_owner.ASKED_THIS_WEEK, a.times, number=a.question_id, text=a.text) if label is None
              else tr.n_(*faq_owner.ASKED_IN, a.times, number=a.question_id, text=a.text, period=label))
        for a in asked)]


def is_owner(session: Session, telegram_user_id: int) -> bool:
    return role_of(session, telegram_user_id) is Role.owner


def unread_period(error: PeriodError, tr: Translator) -> str:
    """Why the period was not understood: in English with what was understood; in the other
    languages with examples the parser reads in that language."""
    if tr.language == SOURCE_LANGUAGE:
        return str(error)
    return tr._(UNREAD_PERIOD, text=error.text, examples=tr._(PERIOD_EXAMPLES))
