"""Owner answers: numbers for owners only, charts as photo payloads, clear period errors."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from shop import demo
from shop.models import Feedback
from shop.owner import REFUSAL, WHICH_METRIC, metric_replies, report_replies
from shop.replies import parse_payload
from shop.settings import Settings

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def shop_with_ratings(session, now):
    """The personas plus March 2025 ratings 5, 5, 4, 2 (CSAT 75%) and one in February (1)."""
    demo.seed_personas(session, now=now)
    for day, rating in ((3, 5), (10, 5), (17, 4), (24, 2)):
        session.add(Feedback(rating=rating, created_at=datetime(2025, 3, day, 12, tzinfo=UTC)))
    session.add(Feedback(rating=1, created_at=datetime(2025, 2, 14, 12, tzinfo=UTC)))
    session.flush()
    return session


def ask(session, user_id: int, metrics: list[str], period: str | None, now, trend=False):
    return metric_replies(session, telegram_user_id=user_id, metrics=metrics, period_text=period,
                          wants_trend=trend, settings=SETTINGS, now=now)


def test_owner_gets_csat_with_window_and_comparison(shop_with_ratings, now):
    [reply] = ask(shop_with_ratings, demo.OWNER.telegram_user_id, ["csat"], "March 2025", now)
    assert "75%" in reply.text
    assert "Mar 2025" in reply.text
    assert "Feb 2025" in reply.text  # compared with the month before


@pytest.mark.parametrize("persona", [demo.CUSTOMER, demo.STAFF, demo.OTHER_CUSTOMER])
def test_everyone_else_is_refused_without_data(shop_with_ratings, now, persona):
    replies = ask(shop_with_ratings, persona.telegram_user_id, ["csat"], "March 2025", now)
    assert [r.text for r in replies] == [REFUSAL]
    report = report_replies(shop_with_ratings, telegram_user_id=persona.telegram_user_id,
                            period_text=None, settings=SETTINGS, now=now)
    assert [r.text for r in report] == [REFUSAL]


def test_unknown_user_is_refused(shop_with_ratings, now):
    assert [r.text for r in ask(shop_with_ratings, 999_999, ["revenue"], None, now)] == [REFUSAL]


def test_no_metric_offers_buttons(shop_with_ratings, now):
    [reply] = ask(shop_with_ratings, demo.OWNER.telegram_user_id, [], None, now)
    assert reply.text == WHICH_METRIC
    assert any('"metric":"csat"' in b.payload for b in reply.buttons)


def test_unreadable_period_says_what_to_write(shop_with_ratings, now):
    [reply] = ask(shop_with_ratings, demo.OWNER.telegram_user_id, ["csat"], "the blue moon", now)
    assert "blue moon" in reply.text
    assert "Try for example" in reply.text


def test_trend_comes_with_a_png_chart(shop_with_ratings, now):
    replies = ask(shop_with_ratings, demo.OWNER.telegram_user_id, ["revenue"], "this year", now, trend=True)
    assert len(replies) == 2
    photo = parse_payload(replies[1].custom)
    assert photo is not None and photo["type"] == "photo"
    assert base64.b64decode(photo["png_b64"]).startswith(b"\x89PNG")


def test_several_metrics_in_one_message(shop_with_ratings, now):
    replies = ask(shop_with_ratings, demo.OWNER.telegram_user_id, ["csat", "avg_rating"], "March 2025", now)
    assert len(replies) == 2
    assert "75%" in replies[0].text
    assert "4" in replies[1].text  # mean of 5, 5, 4, 2 = 4.0


@pytest.mark.parametrize(
    ("words", "period"),
    [("Kundenzufriedenheit", "März 2025"), ("удовлетворённости", "в марте 2025 года"),
     ("客户满意度", "2025年3月")],
)
def test_metric_and_period_in_german_russian_and_chinese(shop_with_ratings, now, words, period):
    """As the NLU passes them through when no synonym maps them: named here, then computed."""
    [reply] = ask(shop_with_ratings, demo.OWNER.telegram_user_id, [words], period, now)
    assert "75%" in reply.text and "Mar 2025" in reply.text


def test_report_for_owner_has_text_and_period(shop_with_ratings, now):
    replies = report_replies(shop_with_ratings, telegram_user_id=demo.OWNER.telegram_user_id,
                             period_text="last month", settings=SETTINGS, now=now)
    assert replies[0].text.startswith("Report for Oct 2026")
