"""The owner reads their figures in their language: metric answers, comparisons, reports,
period errors and refusals from the catalogs, with the language's number and date formats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shop import demo
from shop.i18n import translator
from shop.models import Feedback
from shop.owner import metric_replies, report_replies
from shop.replies import parse_payload
from shop.settings import Settings
from tests import journey_builders as b

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def plain(text: str) -> str:
    """Babel's no-break spaces ("75\xa0%", "2025\u202fг.") as spaces, for readable expectations."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture
def shop(session, now):
    """The personas; March 2025 ratings 5, 5, 4, 2 (CSAT 75%) and one of 1 in February (0%);
    three orders in March 2025 (123.45 EUR in all) and one in February (100 EUR)."""
    demo.seed_personas(session, now=now)
    for day, rating in ((3, 5), (10, 5), (17, 4), (24, 2)):
        session.add(Feedback(rating=rating, created_at=datetime(2025, 3, day, 12, tzinfo=UTC)))
    session.add(Feedback(rating=1, created_at=datetime(2025, 2, 14, 12, tzinfo=UTC)))
    buyer = b.customer(session, created_at=datetime(2025, 1, 1, tzinfo=UTC))
    for number, day, month, total in (("71001", 4, 3, "100.00"), ("71002", 11, 3, "13.45"),
                                      ("71003", 18, 3, "10.00"), ("71004", 9, 2, "100.00")):
        b.goods_order(session, owner=buyer, number=number, total=total,
                      created_at=datetime(2025, month, day, 12, tzinfo=UTC))
    return session


def ask(session, now, language: str, metrics: list[str], period: str | None, user=demo.OWNER):
    return metric_replies(session, telegram_user_id=user.telegram_user_id, metrics=metrics,
                          period_text=period, wants_trend=False, settings=SETTINGS, now=now,
                          tr=translator(language))


@pytest.mark.parametrize(("language", "metric", "period", "expected"), [
    # a figure for a month, compared with the month before
    ("en", "csat", "March 2025", "CSAT is 75% for Mar 2025, up 75 points on Feb 2025."),
    ("de", "csat", "März 2025", "Die Kundenzufriedenheit (CSAT) liegt bei 75 % im Zeitraum März 2025, "
                                "75 Prozentpunkte mehr als Feb. 2025."),
    ("ru", "csat", "в марте 2025 года", "CSAT составляет 75 % за март 2025 г., на 75 процентных "
                                        "пунктов больше, чем за февр. 2025 г."),
    ("zh", "csat", "2025年3月", "2025年3月：客户满意度（CSAT）为 75%，比2025年2月上升 75 个百分点。"),
    # two named windows compared: money, a percent change, and a comparison chart
    ("en", "revenue", "March 2025 vs February 2025",
     "Revenue is €123.45 for Mar 2025, up 23% on Feb 2025."),
    ("de", "revenue", "März 2025 vs Februar 2025",
     "Der Umsatz beträgt 123,45 € im Zeitraum März 2025, 23 % mehr als Feb. 2025."),
    ("ru", "revenue", "март 2025 vs февраль 2025",
     "Выручка составляет 123,45 € за март 2025 г., на 23 % больше, чем за февр. 2025 г."),
    ("zh", "revenue", "2025年3月和2025年2月相比", "2025年3月：营收为 €123.45，比2025年2月上升 23%。"),
])
def test_metric_answers_and_comparisons_in_each_language(shop, now, language, metric, period, expected):
    answer, *chart = ask(shop, now, language, [metric], period)
    assert plain(answer.text) == expected
    if metric == "revenue":
        photo = parse_payload(chart[0].custom)
        assert photo is not None and plain(photo["caption"]) == expected


def test_the_comparison_chart_is_labelled_in_the_owners_language(shop, now):
    from shop.charts import draw
    from shop.metrics.service import compute
    from shop.periods import parse_comparison

    period, against = parse_comparison("März 2025 vs Februar 2025", now=now)
    result = compute(shop, "revenue", period, now=now, against=against, tr=translator("de"))
    assert result.chart is not None
    assert (result.chart.title, result.chart.labels) == ("Umsatz", ("Feb. 2025", "März 2025"))
    assert tuple(map(plain, result.chart.value_labels or ())) == ("100,00 €", "123,45 €")
    trend = compute(shop, "orders", period, now=now, trend=True, tr=translator("zh")).chart
    assert trend is not None and trend.title == "订单数（按天），2025年3月"
    assert trend.labels[:2] == ("3月1日", "3月2日")
    # the axis numbers too: the German comparison's money axis, the Chinese trend's count axis
    money_axis = draw(result.chart).axes[0].yaxis.get_major_formatter()
    assert plain(money_axis(1234.5, 0)) == "1.234,5 €" and plain(money_axis(100, 0)) == "100 €"
    assert draw(trend).axes[0].yaxis.get_major_formatter()(1500, 0) == "1,500"
    english = compute(shop, "revenue", period, now=now, against=against).chart
    assert english is not None and draw(english).axes[0].yaxis.get_major_formatter()(1234.5, 0) == "€1,234.5"


@pytest.mark.parametrize(("language", "heading", "line"), [
    ("en", "Report for Mar 2025 (compared with Feb 2025)", "• 3 orders for Mar 2025"),
    ("de", "Bericht für März 2025 (im Vergleich zu Feb. 2025)", "• 3 Bestellungen im Zeitraum März 2025"),
    ("ru", "Отчёт за март 2025 г. (в сравнении с февр. 2025 г.)", "• 3 заказа за март 2025 г."),
    ("zh", "2025年3月报告（对比2025年2月）", "• 2025年3月：3 个订单"),
])
def test_a_report_in_each_language(shop, now, language, heading, line):
    replies = report_replies(shop, telegram_user_id=demo.OWNER.telegram_user_id,
                             period_text="March 2025", settings=SETTINGS, now=now,
                             tr=translator(language))
    lines = plain(replies[0].text).splitlines()
    assert lines[0] == heading
    assert any(text.startswith(line) for text in lines), lines
    caption = parse_payload(replies[1].custom)["caption"]  # type: ignore[index]
    assert caption.startswith(translator(language)._("Revenue"))


@pytest.mark.parametrize(("language", "words"), [
    ("de", "Noch keine Daten für „Durchschnittliche Lieferzeit“ im Zeitraum März 2025: keine Lieferungen."),
    ("ru", "Пока нет данных по показателю «Среднее время доставки» за март 2025 г.: нет доставок."),
    ("zh", "2025年3月还没有“平均配送时间”的数据：没有配送。"),
])
def test_no_data_is_said_in_the_owners_language(shop, now, language, words):
    [reply] = ask(shop, now, language, ["avg_delivery_days"], "March 2025")
    assert plain(reply.text) == words


@pytest.mark.parametrize(("language", "refusal", "period_words"), [
    ("de", "Geschäftszahlen sind leider nur", "letzten Monat"),
    ("ru", "показатели бизнеса доступны только владельцу", "в прошлом месяце"),
    ("zh", "经营数据只对店主开放", "上个月"),
])
def test_refusals_and_period_errors_in_the_owners_language(shop, now, language, refusal, period_words):
    [refused] = ask(shop, now, language, ["csat"], "March 2025", user=demo.CUSTOMER)
    assert refusal in refused.text and "75" not in refused.text
    [unread] = ask(shop, now, language, ["csat"], "the blue moon")
    assert "blue moon" in unread.text and period_words in unread.text
    [which] = ask(shop, now, language, [], None)
    assert which.text == translator(language)._("Which figure would you like? For example:")
    assert {b.title for b in which.buttons} >= {translator(language)._("Revenue")}
