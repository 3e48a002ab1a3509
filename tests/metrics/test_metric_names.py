"""The owner's words for a metric in English, German, Russian and Chinese (shop/metrics/names.py)."""

from __future__ import annotations

import pytest

from shop.metrics import METRICS
from shop.metrics.names import NAMES, UNANSWERED, asks_unanswered, metric_name


def test_every_metric_has_words_and_every_name_is_a_metric() -> None:
    assert set(NAMES) == set(METRICS)


@pytest.mark.parametrize("name", METRICS)
def test_a_canonical_name_stays_itself(name: str) -> None:
    assert metric_name(name) == name


@pytest.mark.parametrize(
    ("words", "name"),
    [
        # English, as the NLU may pass it through
        ("customer satisfaction", "csat"),
        ("Churn", "churn_rate"),
        ("average order value", "aov"),
        ("orders", "orders"),
        # German, with inflections and compounds
        ("Kundenzufriedenheit", "csat"),
        ("CSAT", "csat"),
        ("durchschnittliche Bewertung", "avg_rating"),
        ("Rücklaufquote", "response_rate"),
        ("Abwanderung", "churn_rate"),
        ("Abwanderungsrate", "churn_rate"),
        ("Kundenbindung", "retention_rate"),
        ("Kundenwert", "clv"),
        ("Wertbeitrag", "value_addition"),
        ("Umsatz", "revenue"),
        ("Umsätze", None),  # an umlaut plural is another word; the NLU's synonyms hold it
        ("Anzahl der Bestellungen", "orders"),
        ("durchschnittlicher Bestellwert", "aov"),
        ("Neukunden", "new_customers"),
        ("Wiederkaufrate", "repeat_rate"),
        ("pünktliche Lieferungen", "on_time_rate"),
        ("Lieferzeit", "avg_delivery_days"),
        ("offene Tickets", "open_tickets"),
        ("erste Antwortzeit", "first_response_time"),
        ("Lösungszeit", "resolution_time"),
        ("Topkunden", "top_customers"),
        ("zusammen gekauft", "bought_together"),
        # Russian, in several cases
        ("удовлетворённость", "csat"),
        ("удовлетворенности клиентов", "csat"),
        ("средняя оценка", "avg_rating"),
        ("отток", "churn_rate"),
        ("оттока клиентов", "churn_rate"),
        ("удержание", "retention_rate"),
        ("пожизненная ценность клиента", "clv"),
        ("выручка", "revenue"),
        ("выручку", "revenue"),
        ("количество заказов", "orders"),
        ("средний чек", "aov"),
        ("новых клиентов", "new_customers"),
        ("повторные покупки", "repeat_rate"),
        ("доставка вовремя", "on_time_rate"),
        ("среднее время доставки", "avg_delivery_days"),
        ("открытые заявки", "open_tickets"),
        ("время первого ответа", "first_response_time"),
        ("время решения", "resolution_time"),
        ("лучшие клиенты", "top_customers"),
        ("что покупают вместе", "bought_together"),
        # Chinese
        ("客户满意度", "csat"),
        ("满意度", "csat"),
        ("平均评分", "avg_rating"),
        ("流失率", "churn_rate"),
        ("客户流失率", "churn_rate"),
        ("留存率", "retention_rate"),
        ("客户终身价值", "clv"),
        ("营收", "revenue"),
        ("销售额", "revenue"),
        ("订单数", "orders"),
        ("客单价", "aov"),
        ("平均订单金额", "aov"),
        ("新客户", "new_customers"),
        ("复购率", "repeat_rate"),
        ("准时率", "on_time_rate"),
        ("平均配送天数", "avg_delivery_days"),
        ("未处理工单", "open_tickets"),
        ("首次响应时间", "first_response_time"),
        ("解决时间", "resolution_time"),
        ("最佳客户", "top_customers"),
        ("经常一起购买", "bought_together"),
        # the support metrics
        ("Übergabequote", "handoff_rate"),
        ("причины обращений", "top_contact_reasons"),
        ("转人工率", "handoff_rate"),
        ("FAQ-hilfreichkeit", "faq_helpfulness"),
        ("решено ботом", "bot_resolution_rate"),
        # not a metric
        ("banana", None),
        ("погода", None),
        ("天气", None),
    ],
)
def test_words_in_four_languages_name_their_metric(words: str, name: str | None) -> None:
    assert metric_name(words) == name


@pytest.mark.parametrize("words", [
    "what couldn't the bot answer this week?", "unanswered questions",
    "which questions did it fail to answer",
    "Was konnte der Bot diese Woche nicht beantworten?", "unbeantwortete Fragen", "offen geblieben",
    "На какие вопросы бот не смог ответить?", "вопросы без ответа", "неотвеченные",
    "本周机器人没能回答哪些问题？", "答不上来", "未回答的问题",
])
def test_the_questions_the_bot_couldnt_answer_are_named_in_every_language(words: str) -> None:
    assert metric_name(words) == UNANSWERED and asks_unanswered(words)


@pytest.mark.parametrize("words", ["response rate", "Antwortquote", "время первого ответа",
                                   "offene Tickets", "what's our CSAT?", "回复率"])
def test_figures_about_answers_are_not_the_unanswered_questions(words: str) -> None:
    assert metric_name(words) != UNANSWERED and not asks_unanswered(words)
