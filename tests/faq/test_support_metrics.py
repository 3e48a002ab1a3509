"""The support metrics (issue 15) on worked examples: pure definitions on literal frames, and
the same numbers computed from the store on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from shop.faq import entries
from shop.i18n import translator
from shop.metrics import definitions as d
from shop.metrics.service import compute
from shop.models import BotTurn, Role, Ticket
from shop.periods import parse_period
from tests import journey_builders as b
from tests.conftest import NOW

T0 = pd.Timestamp("2026-11-16 09:00", tz="UTC")  # Monday of the week before NOW


def at(minutes: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(minutes=minutes)


# Ten conversations by six customers; a person takes two over, and customer 6 asks about the
# same delivery again the next morning: 7 of 10 resolved by the bot.
TURNS = [  # user, intent, minutes after T0
    (1, "order_status", 0), (1, "thank", 2),               # 1 resolved
    (1, "ask_faq", 300),                                    # 2 resolved (a new conversation, 5 h later)
    (2, "ask_faq", 0), (2, "request_human", 1),             # 3 handed off (ticket at 1 min)
    (3, "delivery_status", 10),                             # 4 resolved
    (4, "complaint", 20),                                   # 5 handed off (ticket at 21 min)
    (5, "ask_faq", 30),                                     # 6 resolved
    (5, "ask_faq", 30 + 3 * 24 * 60),                       # 7 resolved (3 days later: no repeat)
    (6, "delivery_status", 40),                             # 8 repeat: asked again within 24 h
    (6, "delivery_status", 40 + 16 * 60),                   # 9 resolved
    (7, "list_orders", 50),                                 # 10 resolved
]
TICKETS = [(2, 1), (4, 21)]


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    turns = pd.DataFrame([(u, i, at(m)) for u, i, m in TURNS],
                         columns=["telegram_user_id", "intent", "created_at"])
    tickets = pd.DataFrame([(u, at(m)) for u, m in TICKETS], columns=["telegram_user_id", "created_at"])
    return turns, tickets


def test_worked_example_resolution_and_handoff():
    turns, tickets = frames()
    talks = d.conversations(turns)
    assert len(talks) == 10
    outcomes = d.support_outcomes(talks, tickets)
    assert d.bot_resolution_rate(outcomes) == pytest.approx(0.7)
    assert d.handoff_rate(outcomes) == pytest.approx(0.2)
    assert 0 <= d.bot_resolution_rate(outcomes) + d.handoff_rate(outcomes) <= 1


def test_worked_example_reasons_and_helpfulness():
    turns, _tickets = frames()
    reasons = d.contact_reasons(d.conversations(turns), d.conversations(turns.iloc[:0]))
    assert reasons.iloc[0][["reason", "conversations", "share"]].tolist() == ["ask_faq", 4, 0.4]
    assert reasons["share"].sum() == pytest.approx(1.0)
    assert reasons.iloc[0]["change"] == pytest.approx(0.4)
    assert d.faq_helpfulness(3, 12) == pytest.approx(0.25)
    with pytest.raises(d.NoData):
        d.faq_helpfulness(0, 0)
    with pytest.raises(d.NoData):
        d.bot_resolution_rate(d.support_outcomes(d.conversations(turns.iloc[:0]), frames()[1]))


def test_the_same_numbers_from_the_store(session):
    b.account(session, telegram_user_id=99, role=Role.owner)  # the owner's own turns are no contacts
    session.add(BotTurn(telegram_user_id=99, intent="ask_metric", action="action_ask_metric",
                        created_at=at(5).to_pydatetime()))
    entry = entries.add_entry(session, question="Q?", answer="A.", now=NOW)
    for user, intent, minutes in TURNS:  # users 1 and 5 get FAQ answers; user 1 says it helped
        answered = entry.id if intent == "ask_faq" and user in (1, 5) else None
        session.add(BotTurn(telegram_user_id=user, intent=intent, action=f"action_{intent}",
                            created_at=at(minutes).to_pydatetime(), faq_entry_id=answered,
                            helpful=True if (user, minutes) == (1, 300) else None))
    for user, minutes in TICKETS:
        session.add(Ticket(telegram_user_id=user, chat_id=user, reason="request_human",
                           created_at=at(minutes).to_pydatetime()))
    session.flush()
    week = parse_period("last 14 days", now=NOW + timedelta(days=3))
    now = NOW + timedelta(days=3)
    assert compute(session, "bot_resolution_rate", week, now=now).value == pytest.approx(0.7)
    assert compute(session, "handoff_rate", week, now=now).value == pytest.approx(0.2)
    reasons = compute(session, "top_contact_reasons", week, now=now)
    assert reasons.value == pytest.approx(0.4) and reasons.reading.startswith(
        "Top contact reason: questions about the shop, 40% of conversations (delivery status 30%, +30 pts; "
        "complaints 10%, +10 pts; listing their orders 10%, +10 pts)")
    assert reasons.chart is not None and reasons.chart.labels == (
        "questions about the shop", "delivery status", "complaints", "listing their orders", "order status")
    assert list(reasons.table["reason"]) == ["ask_faq", "delivery_status", "complaint", "list_orders",
                                             "order_status"]  # the table keeps the intents
    german = compute(session, "top_contact_reasons", week, now=now, tr=translator("de"))
    assert german.reading.replace("\u00a0", " ").startswith(
        "Häufigster Kontaktgrund: Fragen zum Shop, 40 % der Gespräche (Lieferstatus 30 %, +30 Pkt.; "
        "Beschwerden 10 %, +10 Pkt.; Liste der eigenen Bestellungen 10 %, +10 Pkt.)")
    assert german.chart is not None and german.chart.labels[:2] == ("Fragen zum Shop", "Lieferstatus")
    chinese = compute(session, "top_contact_reasons", week, now=now, tr=translator("zh"))
    assert "最常见的联系原因是关于店铺的问题，占对话的 40%（配送状态 30%" in chinese.reading
    assert compute(session, "faq_helpfulness", week, now=now).value == pytest.approx(1 / 3)
