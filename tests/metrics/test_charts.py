"""Charts are small, deterministic PNGs drawn without pyplot's global state."""

import subprocess
import sys

import pytest

from shop.charts import ChartSpec, axis_text, draw, format_value, render

SPECS = [
    ChartSpec("trend", "Revenue per day, Oct 2026", tuple(f"{d:02d} Oct" for d in range(1, 32)),
              tuple(None if d % 7 == 0 else 100.0 + d * 10 for d in range(1, 32)), "EUR"),
    ChartSpec("comparison", "CSAT", ("Sep 2026", "Oct 2026"), (0.78, 0.82), "ratio"),
    ChartSpec("ranking", "Top customers, Oct 2026 (revenue)",
              ("Ana", "Ben with a very long name indeed, really", "Cy"), (1200.0, 800.5, None),
              "EUR"),
    ChartSpec("trend", "Orders per month, 2025", tuple(f"m{m}" for m in range(12)),
              tuple(float(m) for m in range(12)), "count"),
    ChartSpec("trend", "CSAT per day, no ratings yet", ("01 Nov", "02 Nov"), (None, None),
              "ratio"),
    ChartSpec("comparison", "CSAT", ("Sep 2026", "Oct 2026"), (None, 0.5), "ratio"),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.kind)
def test_charts_are_small_deterministic_pngs(spec):
    first = render(spec)
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(first) < 150_000
    assert render(spec) == first
    assert b"Software" not in first  # no matplotlib version stamped in the file


def test_rendering_does_not_touch_pyplot():
    code = (
        "import sys; from shop.charts import ChartSpec, render; "
        "render(ChartSpec('comparison', 't', ('a', 'b'), (1.0, 2.0), 'count')); "
        "assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.82, "ratio", "82%"), (0.825, "ratio", "82.5%"), (12340.4, "EUR", "€12,340"),
        (74.9, "EUR", "€74.90"), (74.9, "CHF", "CHF 74.90"), (1234, "count", "1,234"),
        (4.26, "stars", "4.3"), (2.5, "days", "2.5 days"), (1.25, "hours", "1.2 h"),
    ],
)
def test_values_read_as_the_owner_expects(value, unit, text):
    assert format_value(value, unit) == text


@pytest.mark.parametrize(
    ("value", "unit", "locale", "text"),
    [
        (0.5, "ratio", None, "50%"), (12340.0, "EUR", None, "€12,340"), (2.5, "count", None, "2.5"),
        (0.5, "ratio", "de", "50\u00a0%"), (12340.0, "EUR", "de", "12.340\u00a0€"),
        (12.5, "EUR", "de", "12,5\u00a0€"), (1234.5, "count", "de", "1.234,5"),
        (12340.0, "EUR", "ru", "12\u00a0340\u00a0€"), (0.5, "ratio", "ru", "50\u00a0%"),
        (12340.0, "EUR", "zh_Hans_CN", "€12,340"), (4.5, "stars", "zh_Hans_CN", "4.5"),
    ],
)
def test_axis_numbers_are_written_as_the_reader_writes_them(value, unit, locale, text):
    assert axis_text(value, unit, locale) == text


def test_the_chart_draws_its_axis_in_its_locale():
    spec = ChartSpec("trend", "Umsatz pro Tag", ("1. Okt.", "2. Okt."), (1200.0, 2400.0), "EUR", locale="de")
    figure = draw(spec)
    assert figure.axes[0].yaxis.get_major_formatter()(2400, 0) == "2.400\u00a0€"
    assert render(spec) != render(ChartSpec(*(getattr(spec, f) for f in ("kind", "title", "labels", "values",
                                                                          "unit"))))
