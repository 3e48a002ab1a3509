"""The owner's words for a metric, in English, German, Russian and Chinese, to its name in
METRICS ("Kundenzufriedenheit", "удовлетворённость", "客户满意度" → "csat").

The NLU maps the synonyms it was trained with (data/nlu/**/synonyms.yml) to these names
already; this table catches what it passes through as written, which in German and
Russian is often an inflected or compound form no synonym list can hold ("Abwanderungsrate",
"оттока", "удовлетворённости клиентов"). Patterns are matched in lower case, with ё as е,
anywhere in the words; where several match, the longest match wins, so "average order
value" is aov and not orders.
"""

from __future__ import annotations

import re

_WORDS: dict[str, tuple[str, ...]] = {
    "csat": (r"csat", r"satisfaction", r"zufriedenheit", r"удовлетворенност\w*", r"满意度"),
    "avg_rating": (
        r"(?:average|avg|mean) rating", r"durchschnitt\w* ?bewertung\w*", r"bewertungsschnitt",
        r"средн\w* (?:оценк\w*|рейтинг\w*|балл\w*)", r"平均(?:评分|分|星级)",
    ),
    "response_rate": (
        r"response rate", r"rücklauf\w*", r"antwortquote", r"(?:доля|процент) ответов",
        r"отклик\w*", r"回复率", r"回收率",
    ),
    "churn_rate": (r"churn", r"abwanderung\w*", r"kündigungsrate", r"отток\w*", r"流失"),
    "retention_rate": (
        r"retention", r"kundenbindung\w*", r"bindungsrate", r"halterate", r"удержани\w*", r"留存",
    ),
    "clv": (
        r"\bc?ltv\b", r"\bclv\b", r"lifetime value", r"kundenwert\w*", r"kundenlebenswert\w*",
        r"пожизненн\w* ценност\w*", r"ценност\w* клиент\w*", r"终身价值", r"生命周期价值",
    ),
    "value_addition": (
        r"value add(?:ed|ition)", r"wertbeitrag\w*", r"mehrwert\w*", r"добавленн\w* стоимост\w*",
        r"增值", r"附加值",
    ),
    "revenue": (
        r"revenue", r"\bsales\b", r"turnover", r"income", r"umsatz\w*", r"erlös\w*", r"einnahmen",
        r"выручк\w*", r"доход\w*", r"продаж\w*", r"оборот\w*", r"营收", r"销售额", r"收入", r"营业额",
    ),
    "orders": (
        r"number of orders", r"order count", r"^orders$", r"anzahl (?:der )?bestellungen",
        r"bestellanzahl", r"^bestellungen$", r"количеств\w* заказ\w*", r"число заказ\w*",
        r"^заказ\w*$", r"订单数", r"订单量", r"^订单$",
    ),
    "aov": (
        r"average order value", r"\baov\b", r"basket size", r"bestellwert\w*", r"warenkorb\w*",
        r"средн\w* чек\w*", r"средн\w* (?:стоимост\w*|сумм\w*) заказ\w*", r"客单价",
        r"平均订单(?:金额|价值)",
    ),
    "new_customers": (r"new customers", r"neukunden", r"neue\w* kunden", r"нов\w* клиент\w*", r"新客"),
    "repeat_rate": (
        r"repeat (?:purchase )?rate", r"wiederkauf\w*", r"stammkundenquote", r"повторн\w* покуп\w*",
        r"复购率", r"回购率",
    ),
    "on_time_rate": (
        r"on[- ]time", r"late deliveries", r"pünktlich\w*", r"termintreue", r"liefertreue",
        r"вовремя", r"своевременн\w*", r"准时",
    ),
    "avg_delivery_days": (
        r"delivery time", r"delivery days", r"lieferzeit\w*", r"lieferdauer",
        r"(?:срок\w*|время) доставки", r"配送时间", r"配送天数", r"送货时间",
    ),
    "open_tickets": (
        r"open tickets", r"offene\w* (?:tickets|anfragen)", r"открыт\w* (?:тикет|заявк|обращени)\w*",
        r"(?:未处理|待处理|未结|未解决的?)工单",
    ),
    "first_response_time": (
        r"first response time", r"erste\w* antwortzeit", r"reaktionszeit", r"время первого ответа",
        r"首次响应时间",
    ),
    "resolution_time": (r"resolution time", r"lösungszeit", r"время решения", r"解决时间"),
    "top_customers": (
        r"(?:top|best) customers", r"topkunden", r"beste\w* kunden", r"лучш\w* клиент\w*",
        r"топ[- ]?клиент\w*", r"最佳客户", r"大客户", r"最好的客户",
    ),
    "bought_together": (
        r"bought together", r"sells together", r"zusammen gekauft", r"вместе покупа\w*",
        r"покупа\w* вместе", r"一起(?:购买|买)",
    ),
    "bot_resolution_rate": (
        r"bot resolution", r"resolved by the bot", r"vom bot gelöst", r"automatisierungsquote",
        r"решен\w* бот\w*", r"机器人解决",
    ),
    "handoff_rate": (
        r"hand-?off", r"übergabequote", r"übergaben? an (?:menschen|mitarbeiter)",
        r"передач\w* (?:оператор|человек|сотрудник)\w*", r"转人工",
    ),
    "faq_helpfulness": (
        r"faq helpful\w*", r"faq-? ?hilfreich\w*", r"полезност\w* (?:faq|ответов)",
        r"(?:faq|常见问题)有用",
    ),
    "top_contact_reasons": (
        r"contact reasons", r"kontaktgr[üu]nde", r"причин\w* обращени\w*", r"(?:联系|咨询)原因",
    ),
}
NAMES: tuple[str, ...] = tuple(_WORDS)

# Not a figure but asked like one: "what couldn't the bot answer this week?" lists the questions
# the FAQ had no answer for (shop/owner.py). The NLU tags its words as a `metric` entity.
UNANSWERED = "unanswered_questions"
_WORDS[UNANSWERED] = (
    r"unanswered", r"(?:could ?n[o'’]?t|could not|did ?n[o'’]?t|did not|ca ?n[o'’]?t|cannot|unable to"
    r"|fail(?:ed)? to) (?:\w+ ){0,2}answer", r"(?:no|without) (?:an )?answers?\b(?! rate)",
    r"(?:nobody|no one|no-one) answered",
    r"unbeantwortet\w*", r"nicht (?:\w+ ){0,2}beantwort\w*", r"keine antwort", r"ohne antwort",
    r"offen geblieben", r"offene\w* fragen",
    r"неотвеченн\w*", r"без ответа",
    r"не (?:\w+ ){0,2}(?:смог\w*|сумел\w*|знал\w*|нашел\w*) (?:\w+ ){0,2}ответ\w*",
    r"не (?:\w+ ){0,1}ответил\w*", r"не было ответа",
    r"(?:没|未|没有|没能)(?:能)?回答", r"答不(?:上|出)", r"没答(?:上|出)", r"回答不(?:了|出)",
    r"(?:无法|不能)回答", r"没有答案", r"没人回答",
)
_PATTERNS = [(name, re.compile(p)) for name, patterns in _WORDS.items() for p in patterns]


def metric_name(words: str) -> str | None:
    """The metric `words` name, or None; a canonical name is returned as it is."""
    text = re.sub(r"\s+", " ", words.strip().lower().replace("ё", "е"))
    if text in _WORDS:
        return text
    found = [(len(m.group()), name) for name, p in _PATTERNS if (m := p.search(text))]
    return max(found)[1] if found else None


def asks_unanswered(text: str) -> bool:
    """Whether the owner's message asks what the bot couldn't answer, whatever the NLU tagged."""
    return metric_name(text) == UNANSWERED
