"""`metrics` commands: ask the configured store what the owner would ask the bot.

One command per metric (`metrics csat --period "last month"`), plus `digest`. Mounted
under the admin CLI as `python -m shop metrics ...` and runnable alone as
`python -m shop.metrics ...`. The clock is read here, at the edge, and passed inward.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from shop.charts import ChartSpec, render
from shop.db import make_engine
from shop.i18n import Translator, available_languages, supported_language, translator
from shop.metrics.service import (
    METRICS,
    TREND_METRICS,
    MetricOptions,
    MetricResult,
    compute,
    digest,
    title,
)
from shop.periods import DEFAULT_PERIOD, PeriodError, parse_comparison, parse_period
from shop.settings import Settings, SettingsError, load_settings

metrics_app = typer.Typer(
    name="metrics", help="Owner metrics from the store (CSAT, churn, revenue...).",
    no_args_is_help=True,
)

PeriodOption = Annotated[str, typer.Option(
    "--period", "-p", help='e.g. "last month", "Q3 2025", "October vs September".'
)]
ChartOption = Annotated[Path | None, typer.Option(
    "--chart", help="Write the chart (a trend where there is one) to this PNG file."
)]
TrendOption = Annotated[bool, typer.Option("--trend", help="Add a trend chart.")]
ZoneOption = Annotated[str | None, typer.Option(
    "--tz", help="Business time zone for the window (default: the TZ setting)."
)]
LanguageOption = Annotated[str, typer.Option(
    "--language", "-l", help="Answer in this language, as the bot answers an owner: en, de, ru, zh. "
                             "The period stays in English words."
)]


def _reader(language: str) -> Translator:
    """The translator for --language; an unknown language stops the command with the choices."""
    if supported_language(language) is None:
        typer.echo(f"unknown language {language!r}; one of: {', '.join(available_languages())}", err=True)
        raise typer.Exit(2)
    return translator(language)


@contextmanager
def _store() -> Iterator[tuple[Session, Settings]]:
    """A read-only session on the configured store; nothing is committed."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            yield session, settings
    finally:
        engine.dispose()


def _metric_command(metric: str) -> Callable[..., None]:
    def command(
        period: PeriodOption = DEFAULT_PERIOD,
        trend: TrendOption = False,
        chart: ChartOption = None,
        tz: ZoneOption = None,
        language: LanguageOption = "en",
    ) -> None:
        now, tr = datetime.now(UTC), _reader(language)
        with _store() as (session, settings):
            try:
                window, against = parse_comparison(period, now=now, tz=tz or settings.tz)
            except PeriodError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None
            result = compute(
                session, metric, window, now=now, against=against,
                trend=(trend or chart is not None) and metric in TREND_METRICS,
                options=MetricOptions(currency=settings.currency), tr=tr,
            )
        _print(result)
        _save(result.chart, chart)

    command.__doc__ = f"{title(metric)} for a period (default: {DEFAULT_PERIOD})."
    return command


for _name in METRICS:
    metrics_app.command(_name)(_metric_command(_name))


@metrics_app.command("digest")
def digest_command(
    period: PeriodOption = "last 7 days", chart: ChartOption = None, tz: ZoneOption = None,
    language: LanguageOption = "en",
) -> None:
    """The owner's report: key metrics against the previous window, with a revenue trend."""
    now, tr = datetime.now(UTC), _reader(language)
    with _store() as (session, settings):
        try:
            window = parse_period(period, now=now, tz=tz or settings.tz)
        except PeriodError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        report = digest(session, window, now=now,
                        options=MetricOptions(currency=settings.currency), tr=tr)
    typer.echo(report.text)
    _save(report.chart, chart)


def _print(result: MetricResult) -> None:
    typer.echo(result.reading)
    if result.table is not None:
        typer.echo(result.table.drop(
            columns=[c for c in result.table.columns if c.endswith("_id")]
        ).to_string(index=False, float_format=lambda v: f"{v:,.3f}"))


def _save(spec: ChartSpec | None, path: Path | None) -> None:
    if path is None:
        return
    if spec is None:
        typer.echo("(no chart for this answer)", err=True)
        return
    path.write_bytes(render(spec))
    typer.echo(f"chart: {path}")
