"""The metrics CLI answers from the store named by DATABASE_URL."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from shop.db import make_engine
from shop.metrics.cli import metrics_app
from shop.migrate import upgrade
from shop.models import Customer, Feedback, Order

runner = CliRunner()


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        ana = Customer(name="Ana", created_at=datetime(2025, 1, 5, tzinfo=UTC))
        session.add_all([
            Order(number="1", customer=ana, total=Decimal("120"), status="delivered",
                  created_at=datetime(2025, 3, 3, 10, tzinfo=UTC)),
            Order(number="2", customer=ana, total=Decimal("80"), status="delivered",
                  created_at=datetime(2025, 3, 20, 10, tzinfo=UTC)),
            *[Feedback(rating=r, created_at=datetime(2025, 3, 4, tzinfo=UTC)) for r in (5, 4, 2)],
        ])
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TZ", "UTC")
    return url


def test_a_metric_for_a_period(store):
    result = runner.invoke(metrics_app, ["csat", "--period", "March 2025"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("CSAT is 66.7% for Mar 2025; no data for Feb 2025 to compare.")


def test_a_comparison_with_a_chart(store, tmp_path):
    chart = tmp_path / "revenue.png"
    result = runner.invoke(metrics_app, ["revenue", "-p", "March 2025 vs April 2025",
                                         "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    assert "Revenue is €200.00 for Mar 2025; no data for Apr 2025 to compare." in result.output
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_a_ranked_metric_prints_its_table(store):
    result = runner.invoke(metrics_app, ["top_customers", "-p", "2025"])
    assert result.exit_code == 0, result.output
    assert "led by Ana (€200.00), brought 100% of revenue for 2025" in result.output
    assert "score" in result.output.splitlines()[1]


def test_the_digest(store):
    result = runner.invoke(metrics_app, ["digest", "-p", "March 2025"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Report for Mar 2025 (compared with Feb 2025)\n• Revenue is")


def test_an_unreadable_period_exits_2_with_examples(store):
    result = runner.invoke(metrics_app, ["orders", "-p", "whenever"])
    assert result.exit_code == 2
    assert "I couldn't read the period 'whenever'" in result.output


def test_an_answer_in_the_owners_language(store, tmp_path):
    result = runner.invoke(metrics_app, ["csat", "-p", "March 2025", "--language", "de"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Die Kundenzufriedenheit (CSAT) liegt bei 66,7\u00a0% im Zeitraum "
                                    "März 2025")
    result = runner.invoke(metrics_app, ["digest", "-p", "March 2025", "-l", "zh"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2025年3月报告（对比2025年2月）")
    result = runner.invoke(metrics_app, ["orders", "-p", "March 2025", "-l", "xx"])
    assert result.exit_code == 2 and "unknown language 'xx'; one of: en, de, ru, zh" in result.output
