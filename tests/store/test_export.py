"""Exported files import back unchanged: export -> import into an empty store -> export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from shop import demo, privacy
from shop.csvio import Kind, export_csv, import_file
from shop.models import Customer, Order
from tests.store.conftest import BERLIN, snapshot


def export_all(session, folder: Path) -> dict[Kind, bytes]:  # type: ignore[no-untyped-def]
    folder.mkdir()
    for kind in Kind:
        with (folder / f"{kind.value}.csv").open("w", newline="", encoding="utf-8") as out:
            export_csv(session, kind, out, zone=BERLIN)
    return {kind: (folder / f"{kind.value}.csv").read_bytes() for kind in Kind}


def test_round_trip_is_byte_identical(session, options, tmp_path, now):
    demo.seed_personas(session, now=now)
    demo.generate_shop(session, customers=40, orders=150, seed=5, now=now)
    awkward = session.scalar(select(Order).where(Order.number == "1042"))
    awkward.shipping_address = 'Dana "DD" Demo,\nHauptstr. 1'  # quotes, comma, newline
    first = export_all(session, tmp_path / "one")
    assert first[Kind.orders].count(b"\n") > 150

    demo.reset_store(session)
    for kind in Kind:
        import_file(session, kind, tmp_path / "one" / f"{kind.value}.csv", options=options)
    assert export_all(session, tmp_path / "two") == first

    before = snapshot(session)
    for kind in Kind:
        result = import_file(session, kind, tmp_path / "one" / f"{kind.value}.csv",
                             options=options)
        assert result.counts.unchanged == result.rows
    assert snapshot(session) == before


def test_erased_customers_are_not_exported(session, tmp_path, now):
    demo.seed_personas(session, now=now)
    dana = privacy.find_customer(session, "dana@example.com")
    privacy.erase_customer(session, customer_id=dana.id, now=now)
    files = export_all(session, tmp_path / "out")
    assert files[Kind.customers].decode().splitlines()[1:] == [
        "omar@example.com,Omar Other,+4915187654321,2026-05-04T14:00:00+02:00,",
    ]
    assert [line.split(",")[0] for line in files[Kind.orders].decode().splitlines()[1:]] == [
        "1044"]


# What a spreadsheet would run (OWASP's CSV injection list), and text that already looks quoted
FORMULAS = {
    "name": '=HYPERLINK("http://x","click")',
    "email": "-dana@example.com",
    "shipping_address": "-2+3+cmd|' /C calc'!A0",
    "product_name": "@SUM(A1:A9)",
    "stage": "+build",
    "carrier": "\tDHL",
    "tracking_number": "'=already quoted",
}


def cells(file: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(file.decode())))


def test_formula_text_is_exported_quoted_and_imports_back_exactly(session, options, tmp_path, now):
    demo.seed_personas(session, now=now)
    dana = session.scalar(select(Customer).where(Customer.email == "dana@example.com"))
    dana.name, dana.email = FORMULAS["name"], FORMULAS["email"]
    parcel = session.scalar(select(Order).where(Order.number == "1042"))
    parcel.shipping_address = FORMULAS["shipping_address"]
    parcel.items[0].product.name = FORMULAS["product_name"]
    parcel.stages[0].carrier = FORMULAS["carrier"]
    parcel.stages[0].tracking_number = FORMULAS["tracking_number"]
    project = session.scalar(select(Order).where(Order.kind == "service"))
    project.stages[0].name = FORMULAS["stage"]
    files = export_all(session, tmp_path / "one")

    [customer, _omar] = cells(files[Kind.customers])
    assert (customer["name"], customer["email"]) == ("'" + FORMULAS["name"], "'" + FORMULAS["email"])
    assert customer["phone"] == "+4915112345678"  # a phone is a number, never a formula
    order = next(o for o in cells(files[Kind.orders]) if o["number"] == "1042")
    assert order["shipping_address"] == "'" + FORMULAS["shipping_address"]
    assert order["customer_email"] == "'" + FORMULAS["email"]
    assert order["total"] == "74.90"
    assert "'" + FORMULAS["product_name"] in {i["product_name"] for i in cells(files[Kind.items])}
    stages = cells(files[Kind.deliveries])
    assert "'" + FORMULAS["stage"] in {s["stage"] for s in stages}
    placed = next(s for s in stages if (s["order_number"], s["stage"]) == ("1042", "placed"))
    assert (placed["carrier"], placed["tracking_number"]) == (
        "'" + FORMULAS["carrier"], "'" + FORMULAS["tracking_number"])

    demo.reset_store(session)
    for kind in Kind:
        import_file(session, kind, tmp_path / "one" / f"{kind.value}.csv", options=options)
    assert export_all(session, tmp_path / "two") == files
    dana = session.scalar(select(Customer).where(Customer.email == FORMULAS["email"]))
    assert dana.name == FORMULAS["name"]
    parcel = session.scalar(select(Order).where(Order.number == "1042"))
    project = session.scalar(select(Order).where(Order.kind == "service"))
    assert (dana.name, parcel.shipping_address, parcel.items[0].product.name,
            parcel.stages[0].carrier, parcel.stages[0].tracking_number, project.stages[0].name) == (
        FORMULAS["name"], FORMULAS["shipping_address"], FORMULAS["product_name"],
        FORMULAS["carrier"], FORMULAS["tracking_number"], FORMULAS["stage"])
