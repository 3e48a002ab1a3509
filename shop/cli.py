"""The admin command line, `python -m shop ...`: the owner's data in and out of the store.

Every command reads the settings (DATABASE_URL, TZ, CURRENCY), brings the database to
the latest migration, and runs its work in one transaction. Other command groups mount
here (`metrics`, when the metrics package provides it).
"""

from __future__ import annotations

import csv
import enum
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shop import demo as demo_data
from shop import privacy, staff
from shop.csvio import ImportFailed, ImportOptions, Kind, Problem, export_csv, import_file
from shop.db import make_engine, make_session_factory, transaction
from shop.migrate import upgrade
from shop.models import Role
from shop.settings import Settings, SettingsError, load_settings

logger = logging.getLogger("shop.cli")
SHOWN_PROBLEMS = 50

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Administer the shop's store: import, export, privacy, demo data, staff.")
db_app = typer.Typer(no_args_is_help=True, help="The database schema.")
customer_app = typer.Typer(no_args_is_help=True, help="One customer's data (access, erasure).")
staff_app = typer.Typer(no_args_is_help=True, help="Who is staff or owner in Telegram.")
app.add_typer(db_app, name="db")
app.add_typer(customer_app, name="customer")
app.add_typer(staff_app, name="staff")


@dataclass(frozen=True)
class Store:
    """What every command needs, built once by the app callback (ctx.obj)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


def _store(ctx: typer.Context) -> Store:
    store: Store = ctx.obj
    return store


@app.callback()
def main(ctx: typer.Context) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    engine = make_engine(settings.database_url)
    ctx.call_on_close(engine.dispose)
    upgrade(engine)
    ctx.obj = Store(settings, engine, make_session_factory(engine))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the database to the latest schema (every command also does this first)."""
    typer.echo(f"database is at the latest schema ({_store(ctx).engine.url.render_as_string()})")


# --- import / export -----------------------------------------------------------------

class ExportKind(enum.StrEnum):
    customers = "customers"
    orders = "orders"
    items = "items"
    deliveries = "deliveries"
    faq = "faq"
    all = "all"


@app.command("import")
def import_command(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="Which file: customers, orders, items, deliveries, faq.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option(help="Check and count, write nothing.")] = False,
    phone_region: Annotated[str | None, typer.Option(
        help="Country of phone numbers written without +country code, e.g. DE "
             "(default: PHONE_REGION).")] = None,
    errors_csv: Annotated[Path | None, typer.Option(
        help="Write every problem to this CSV file as well.")] = None,
) -> None:
    """Import a CSV file (formats: docs/csv-formats.md); all rows or none."""
    store = _store(ctx)
    options = ImportOptions(zone=store.settings.zone, now=datetime.now(UTC),
                            currency=store.settings.currency,
                            phone_region=phone_region or store.settings.phone_region)
    try:
        with store.sessions() as session:
            result = import_file(session, kind, file, options=options, progress=True)
            if dry_run:
                session.rollback()
            else:
                session.commit()
    except ImportFailed as exc:
        _report_problems(exc.problems, errors_csv)
        raise typer.Exit(1) from None
    suffix = " (dry run: nothing written)" if dry_run else ""
    logger.info("imported %s: %s%s", file, result.summary(), suffix)
    typer.echo(result.summary() + suffix)


def _report_problems(problems: list[Problem], errors_csv: Path | None) -> None:
    rows = [(str(p.line), p.column, _short(p.value), p.reason) for p in problems[:SHOWN_PROBLEMS]]
    typer.echo(_table(("line", "column", "value", "reason"), rows), err=True)
    if len(problems) > SHOWN_PROBLEMS:
        hint = "" if errors_csv else " (--errors-csv FILE lists them all)"
        typer.echo(f"... and {len(problems) - SHOWN_PROBLEMS} more{hint}", err=True)
    if errors_csv:
        with errors_csv.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(("line", "column", "value", "reason"))
            writer.writerows((p.line, p.column, p.value, p.reason) for p in problems)
    typer.echo(f"{len(problems)} problem(s): nothing was imported; fix the file and run "
               "the import again.", err=True)


def _short(value: str, width: int = 40) -> str:
    flat = value.replace("\n", "\\n")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    lines = [headers, tuple("-" * w for w in widths), *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


@app.command("export")
def export_command(
    ctx: typer.Context,
    kind: Annotated[ExportKind, typer.Argument(help="Which file, or all of them.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="A file, or a folder for <kind>.csv (default: standard output).")] = None,
) -> None:
    """Export CSV files that import reads back unchanged."""
    store = _store(ctx)
    kinds = list(Kind) if kind is ExportKind.all else [Kind(kind.value)]
    if out is None and len(kinds) > 1:
        raise typer.BadParameter("exporting all needs --out FOLDER", param_hint="--out")
    with transaction(store.sessions) as session:
        for k in kinds:
            with _output(out, f"{k.value}.csv", folder=len(kinds) > 1) as (target, name):
                rows = export_csv(session, k, target, zone=store.settings.zone)
            typer.echo(f"exported {rows} {k.value} to {name}", err=out is None)


@contextmanager
def _output(out: Path | None, default_name: str, *, folder: bool) -> Iterator[tuple[TextIO, str]]:
    """Standard output, the file `out`, or `default_name` inside the folder `out`."""
    if out is None:
        yield sys.stdout, "standard output"
        return
    if folder or out.is_dir() or str(out).endswith(("/", "\\")):
        out.mkdir(parents=True, exist_ok=True)
        out = out / default_name
    with out.open("w", newline="", encoding="utf-8") as file:
        yield file, str(out)


# --- one customer's data ------------------------------------------------------------

@customer_app.command("export")
def customer_export(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="ID|EMAIL")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="JSON file (default: stdout).")] = None,
) -> None:
    """Everything stored about one customer, as JSON (right of access)."""
    store = _store(ctx)
    with transaction(store.sessions) as session:
        customer = _find(session, ref)
        record = privacy.customer_record(session, customer_id=customer.id)
    with _output(out, f"customer-{customer.id}.json", folder=False) as (target, name):
        json.dump(record, target, indent=2, ensure_ascii=False)
        target.write("\n")
    typer.echo(f"exported the data of customer #{customer.id} to {name}", err=out is None)


@customer_app.command("erase")
def customer_erase(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="ID|EMAIL")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase one customer's personal data, keeping anonymous orders and ratings."""
    store = _store(ctx)
    with transaction(store.sessions) as session:
        customer = _find(session, ref)
        if not yes:
            typer.confirm(f"Erase the personal data of customer #{customer.id} "
                          f"({customer.name}, {customer.email})? This cannot be undone",
                          abort=True)
        erasure = privacy.erase_customer(session, customer_id=customer.id, now=datetime.now(UTC))
    typer.echo(
        f"erased customer #{erasure.customer_id}: {erasure.messages} message texts, "
        f"{erasure.comments} comments, {erasure.ticket_details} ticket details, "
        f"{erasure.addresses} addresses removed; {erasure.accounts_unlinked} Telegram "
        "accounts unlinked; orders and ratings kept anonymously"
    )


def _find(session: Session, ref: str):  # type: ignore[no-untyped-def]
    try:
        return privacy.find_customer(session, ref)
    except privacy.CustomerNotFound as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


# --- demo data ----------------------------------------------------------------------

@app.command()
def demo(
    ctx: typer.Context,
    customers: Annotated[int, typer.Option(min=0)] = 300,
    orders: Annotated[int, typer.Option(min=0)] = 2_000,
    seed: Annotated[int, typer.Option(help="Same seed and --now, same shop.")] = demo_data.DEFAULT_SEED,
    reset: Annotated[bool, typer.Option(help="Delete EVERYTHING in the store first.")] = False,
    now: Annotated[str | None, typer.Option(
        help="The shop's 'today', ISO 8601 (default: the current time).")] = None,
) -> None:
    """Fill the store with the demo personas and a generated shop."""
    store = _store(ctx)
    today = _parse_now(now, store.settings)
    with transaction(store.sessions) as session:
        if reset:
            demo_data.reset_store(session)
        demo_data.seed_personas(session, now=today)
        demo_data.seed_faq(session, now=today)
        try:
            written = demo_data.generate_shop(session, customers=customers, orders=orders,
                                              seed=seed, now=today, progress=True)
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    summary = ", ".join(f"{n} {table}" for table, n in written.items())
    logger.info("generated a demo shop (seed %s): %s", seed, summary)
    typer.echo(f"demo shop ready (seed {seed}): {summary}")


def _parse_now(value: str | None, settings: Settings) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use ISO 8601, e.g. 2026-11-20T12:00:00+00:00",
                                 param_hint="--now") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=settings.zone)


# --- staff --------------------------------------------------------------------------

class StaffRole(enum.StrEnum):
    owner = "owner"
    staff = "staff"


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    telegram_id: Annotated[int, typer.Argument(help="The person's Telegram user id.")],
    role: Annotated[StaffRole, typer.Option(help="owner or staff.")],
    name: Annotated[str | None, typer.Option(help="How to show them.")] = None,
) -> None:
    """Make a Telegram user staff or owner."""
    with transaction(_store(ctx).sessions) as session:
        try:
            account = staff.add_staff(session, telegram_user_id=telegram_id, role=Role(role.value),
                                      name=name)
        except staff.StaffError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        line = f"{account.telegram_user_id} is now {account.role}"
    logger.info(line)
    typer.echo(line)


@staff_app.command("list")
def staff_list(ctx: typer.Context) -> None:
    """Owners and staff."""
    with transaction(_store(ctx).sessions) as session:
        rows = [(str(a.telegram_user_id), a.role, a.display_name or "")
                for a in staff.list_staff(session)]
    typer.echo(_table(("telegram_id", "role", "name"), rows) if rows else "no staff yet")


@staff_app.command("remove")
def staff_remove(
    ctx: typer.Context,
    telegram_id: Annotated[int, typer.Argument(help="The person's Telegram user id.")],
) -> None:
    """Take away someone's staff or owner role."""
    with transaction(_store(ctx).sessions) as session:
        try:
            staff.remove_staff(session, telegram_user_id=telegram_id)
        except staff.StaffError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    logger.info("%s is no longer staff", telegram_id)
    typer.echo(f"{telegram_id} is no longer staff")


# --- other groups -------------------------------------------------------------------

try:
    from shop.metrics.cli import metrics_app
except ModuleNotFoundError as exc:
    if exc.name not in ("shop.metrics", "shop.metrics.cli"):
        raise
else:
    app.add_typer(metrics_app, name="metrics")
