"""Exported files import back unchanged: export -> import into an empty store -> export."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from shop import demo, privacy
from shop.csvio import Kind, export_csv, import_file
from shop.models import Order
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
