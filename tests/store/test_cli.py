"""`python -m shop ...` end to end, against a SQLite file and a PostgreSQL database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from shop.cli import app
from shop.csvio import Kind
from shop.db import make_engine
from shop.models import Customer, Order

runner = CliRunner()
NOW = "2026-11-20T12:00:00+00:00"


class Shop:
    """The CLI pointed at one database."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, ok: bool = True, input: str | None = None,  # type: ignore[no-untyped-def]
                 env: dict[str, str] | None = None):
        result = runner.invoke(app, list(args), input=input,
                               env={"DATABASE_URL": self.url, "TZ": "Europe/Berlin", **(env or {})})
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def count(self, model) -> int:  # type: ignore[no-untyped-def]
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.scalar(select(func.count()).select_from(model)) or 0
        finally:
            engine.dispose()


@pytest.fixture
def shop(new_database) -> Shop:  # type: ignore[no-untyped-def]
    return Shop(new_database())


def exported(shop: Shop, folder: Path) -> dict[str, bytes]:
    shop("export", "all", "--out", str(folder))
    return {k.value: (folder / f"{k.value}.csv").read_bytes() for k in Kind}


def test_db_upgrade(shop):
    assert "latest schema" in shop("db", "upgrade").output


def test_demo_is_deterministic_and_exports_round_trip(new_database, tmp_path):
    first, second, copy = Shop(new_database()), Shop(new_database()), Shop(new_database())
    args = ("demo", "--customers", "30", "--orders", "120", "--seed", "4", "--now", NOW)
    assert "demo shop ready (seed 4): 67 products, 30 customers" in first(*args).stdout
    second(*args)
    files = exported(first, tmp_path / "first")
    assert exported(second, tmp_path / "second") == files

    for kind in Kind:
        result = copy("import", kind.value, str(tmp_path / "first" / f"{kind.value}.csv"))
        assert result.stdout.startswith(f"{kind.value}: ")
    assert exported(copy, tmp_path / "copy") == files
    again = copy("import", "orders", str(tmp_path / "first" / "orders.csv"))
    assert "0 new, 0 updated, 123 unchanged" in again.stdout


def test_demo_reset_and_refusal(shop):
    shop("demo", "--customers", "5", "--orders", "10", "--now", NOW)
    refused = shop("demo", "--customers", "5", "--orders", "10", ok=False)
    assert refused.exit_code == 1 and "--reset" in refused.stderr
    shop("demo", "--customers", "8", "--orders", "10", "--reset", "--now", NOW)
    assert shop.count(Customer) == 8 + 2


def test_a_broken_file_is_reported_as_a_table_and_changes_nothing(shop, tmp_path):
    shop("demo", "--customers", "5", "--orders", "10", "--now", NOW)
    before = shop.count(Order)
    bad = tmp_path / "orders.csv"
    bad.write_text("number,customer_email,total,created_at\n"
                   "9001,dana@example.com,-5,2026-03-01\n9001,nobody@example.com,5,2026-03-01\n")
    errors = tmp_path / "errors.csv"
    result = shop("import", "orders", str(bad), "--errors-csv", str(errors), ok=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].split() == ["line", "column", "value", "reason"]
    assert lines[2].split(None, 3) == ["2", "total", "-5", "must not be negative"]
    assert lines[3].split(None, 3)[:3] == ["3", "number", "9001"]
    assert "3 problem(s): nothing was imported" in result.stderr
    assert errors.read_text().splitlines()[1] == "2,total,-5,must not be negative"
    assert shop.count(Order) == before


def test_dry_run_writes_nothing(shop, tmp_path):
    shop("db", "upgrade")
    customers = tmp_path / "customers.csv"
    customers.write_text("email,name,phone\nann@example.com,Ann,0151 1234 5678\n")
    result = shop("import", "customers", str(customers), "--dry-run", "--phone-region", "DE")
    assert result.stdout.strip() == ("customers: 1 rows, 1 new, 0 updated, 0 unchanged "
                                     "(dry run: nothing written)")
    assert shop.count(Customer) == 0


def test_phone_region_from_the_settings(shop, tmp_path):
    """PHONE_REGION in .env is the import's default region; --phone-region overrides it."""
    shop("db", "upgrade")
    customers = tmp_path / "customers.csv"
    customers.write_text("email,name,phone\nann@example.com,Ann,0151 1234 5678\n")
    refused = shop("import", "customers", str(customers), ok=False)
    assert refused.exit_code != 0 and "PHONE_REGION=DE" in refused.stderr
    shop("import", "customers", str(customers), env={"PHONE_REGION": "de"})
    customers.write_text("email,name,phone\nbob@example.com,Bob,020 7946 0018\n")
    shop("import", "customers", str(customers), "--phone-region", "GB", env={"PHONE_REGION": "DE"})
    engine = make_engine(shop.url)
    with engine.connect() as conn:
        phones = dict(conn.execute(select(Customer.email, Customer.phone)).all())
    engine.dispose()
    assert phones == {"ann@example.com": "+4915112345678", "bob@example.com": "+442079460018"}
    unknown = shop("import", "customers", str(customers), ok=False, env={"PHONE_REGION": "XX"})
    assert unknown.exit_code != 0 and "unknown phone region 'XX'" in unknown.output


def test_customer_export_and_erase(shop, tmp_path):
    shop("demo", "--customers", "5", "--orders", "10", "--now", NOW)
    out = tmp_path / "dana.json"
    shop("customer", "export", "dana@example.com", "--out", str(out))
    record = json.loads(out.read_text())
    assert record["customer"]["name"] == "Dana Demo"
    assert {o["number"] for o in record["orders"]} == {"1042", "1043"}

    asked = shop("customer", "erase", str(record["customer"]["id"]), input="n\n", ok=False)
    assert asked.exit_code == 1  # declined: nothing erased
    result = shop("customer", "erase", "dana@example.com", "--yes")
    assert result.stdout.startswith(f"erased customer #{record['customer']['id']}:")
    missing = shop("customer", "export", "dana@example.com", ok=False)
    assert missing.exit_code == 1 and "no customer" in missing.stderr


def test_staff_commands(shop):
    shop("demo", "--customers", "0", "--orders", "0", "--now", NOW)
    assert shop("staff", "add", "42", "--role", "staff", "--name", "Kim").stdout.strip() \
        == "42 is now staff"
    listing = shop("staff", "list").stdout.splitlines()
    assert [line.split()[:2] for line in listing[2:]] == [["1", "owner"], ["2", "staff"],
                                                           ["42", "staff"]]
    shop("staff", "remove", "42")
    refused = shop("staff", "remove", "1", ok=False)
    assert refused.exit_code == 1 and "only owner" in refused.stderr
    wrong = shop("staff", "add", "43", "--role", "customer", ok=False)
    assert wrong.exit_code == 2
