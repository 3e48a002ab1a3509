"""Small PNG charts for owner answers: a trend line, a comparison bar, a ranking bar.

A `ChartSpec` is plain data (the metrics service builds it cheaply, the bot renders it
only when it sends a picture). Rendering uses matplotlib's object API on a `Figure`
with the Agg canvas, never pyplot's global state, so it is safe in threads and servers,
and it writes no timestamp or version into the file: the same spec gives the same bytes.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Literal, cast

from babel import Locale
from babel.numbers import format_currency, format_decimal, format_percent
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

ChartKind = Literal["trend", "comparison", "ranking"]
SIZE_INCHES = (6.4, 3.6)
DPI = 100
MAX_TICKS = 8
COLOUR = "#2f6690"
MUTED = "#9db4c0"
CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}
# Fonts with Chinese glyphs, tried after matplotlib's own (DejaVu Sans has none) for labels in
# Chinese; whichever of them the machine has (Debian: fonts-noto-cjk or fonts-wqy-microhei).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChartSpec:
    """What to draw: `values[i]` belongs to `labels[i]`; None is a gap (no data there).

    `unit` is the metric's unit: "ratio" draws a percent axis, a currency code draws money.
    `value_labels`, when given, are the bars' labels as the reader writes them ("82 %").
    `locale`, when given, is the Babel locale the axis numbers are written for ("de":
    "12.340 €", "50 %"); without one they are the assistant's English forms ("€12,340", "50%").
    """

    kind: ChartKind
    title: str
    labels: tuple[str, ...]
    values: tuple[float | None, ...]
    unit: str
    value_labels: tuple[str, ...] | None = None
    locale: str | None = None


def render(spec: ChartSpec) -> bytes:
    """The chart as PNG bytes."""
    with warnings.catch_warnings():
        if _needs_cjk(spec) and not _families()[1:]:
            # Without a Chinese font the labels come out as boxes; say so once, not per glyph.
            _warn_no_cjk_font()
            warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        buffer = io.BytesIO()
        draw(spec).savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def draw(spec: ChartSpec) -> Figure:
    """The chart as a matplotlib Figure on the Agg canvas, not drawn yet (render saves it)."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(spec.title, fontsize=11, loc="left")
    {"trend": _trend_line, "comparison": _comparison_bar, "ranking": _ranking_bar}[spec.kind](axes, spec)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if _needs_cjk(spec):
        for text in figure.findobj(Text):
            cast(Text, text).set_fontfamily(list(_families()))
    return figure


@cache
def _families() -> tuple[str, ...]:
    """matplotlib's default sans-serif, then the installed fonts of CJK_FONTS (its fallbacks)."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ("DejaVu Sans", *(name for name in CJK_FONTS if name in installed))


def _needs_cjk(spec: ChartSpec) -> bool:
    return any("\u2e80" <= char <= "\u9fff" for text in (spec.title, *spec.labels) for char in text)


@cache
def _warn_no_cjk_font() -> None:
    log.warning("no Chinese font installed (e.g. Debian's fonts-noto-cjk): chart labels in "
                "Chinese are drawn as boxes")


def _trend_line(axes: Axes, spec: ChartSpec) -> None:
    positions = range(len(spec.values))
    values = [math.nan if v is None else v for v in spec.values]
    axes.plot(positions, values, color=COLOUR, marker="o" if len(values) <= 31 else None,
              markersize=3, linewidth=1.8)
    step = max(1, math.ceil(len(spec.labels) / MAX_TICKS))
    axes.set_xticks(list(positions)[::step], spec.labels[::step], fontsize=8)
    axes.yaxis.set_major_formatter(_formatter(spec))
    axes.yaxis.set_major_locator(MaxNLocator(5))
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)


def _comparison_bar(axes: Axes, spec: ChartSpec) -> None:
    values = [0.0 if v is None else v for v in spec.values]
    colours = [MUTED] * (len(values) - 1) + [COLOUR]
    bars = axes.bar(range(len(values)), values, color=colours, width=0.6)
    axes.set_xticks(range(len(values)), spec.labels, fontsize=9)
    axes.bar_label(bars, labels=_value_labels(spec), fontsize=9)
    axes.yaxis.set_major_formatter(_formatter(spec))
    axes.yaxis.set_major_locator(MaxNLocator(5))
    axes.margins(y=0.15)


def _ranking_bar(axes: Axes, spec: ChartSpec) -> None:
    values = [0.0 if v is None else v for v in spec.values]
    positions = range(len(values))
    bars = axes.barh(positions, values, color=COLOUR, height=0.6)
    axes.set_yticks(positions, [_short(label) for label in spec.labels], fontsize=8)
    axes.invert_yaxis()  # the best first, at the top
    axes.bar_label(bars, labels=_value_labels(spec), fontsize=8, padding=2)
    axes.xaxis.set_major_formatter(_formatter(spec))
    axes.xaxis.set_major_locator(MaxNLocator(4))
    axes.margins(x=0.2)


def _formatter(spec: ChartSpec) -> FuncFormatter:
    return FuncFormatter(lambda value, _position: axis_text(value, spec.unit, spec.locale))


def axis_text(value: float, unit: str, locale: str | None = None) -> str:
    """An axis tick: a whole percent or an amount with at most one decimal, no unit words (the
    title names the unit); in `locale`'s forms when one is given."""
    if locale is None:
        if unit == "ratio":
            return f"{value:.0%}"
        return f"{_currency_sign(unit)}{value:,.{0 if value == int(value) else 1}f}"
    reader = Locale.parse(locale)
    if unit == "ratio":
        return format_percent(value, locale=reader)
    if _currency_sign(unit):
        pattern = reader.currency_formats["standard"].pattern.replace("0.00", "0.#")
        return format_currency(value, unit, pattern, locale=reader, currency_digits=False)
    return format_decimal(value, "#,##0.#", locale=reader)


def format_value(value: float, unit: str) -> str:
    """A metric value as the owner reads it: "82%", "€12,340", "€74.90", "4.3", "2.5 days"."""
    if unit == "ratio":
        return f"{value:.1%}".replace(".0%", "%")
    if unit == "count":
        return f"{value:,.0f}"
    if unit in ("days", "hours"):
        return f"{value:,.1f} {'h' if unit == 'hours' else 'days'}"
    if unit == "stars":
        return f"{value:.1f}"
    decimals = 0 if abs(value) >= 1000 else 2
    return f"{_currency_sign(unit)}{value:,.{decimals}f}"


def _value_labels(spec: ChartSpec) -> list[str]:
    return list(spec.value_labels or (_text(v, spec.unit) for v in spec.values))


def _text(value: float | None, unit: str) -> str:
    return "no data" if value is None else format_value(value, unit)


def _currency_sign(unit: str) -> str:
    if unit in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[unit]
    return f"{unit} " if len(unit) == 3 and unit.isupper() else ""


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"
