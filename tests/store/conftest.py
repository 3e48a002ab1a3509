"""Builders and fixtures for the store's import/export, privacy, staff and demo tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.csvio import ImportOptions
from shop.models import Base, Customer, Order
from tests.conftest import BERLIN, NOW
from tests.pg_temp import temporary_database


@pytest.fixture
def options() -> ImportOptions:
    return ImportOptions(zone=BERLIN, now=NOW, currency="EUR")


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """write("name.csv", text or bytes) -> the file's path."""
    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path
    return write


def row_counts(session: Session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables}


def snapshot(session: Session) -> dict[str, list[tuple]]:
    """Every row of every table, by id: for 'nothing changed' and 'same data' checks."""
    session.flush()
    return {t.name: [tuple(r) for r in session.execute(select(t).order_by(*t.primary_key))]
            for t in Base.metadata.sorted_tables}


def add_customer(session: Session, email: str = "ann@example.com", **values) -> Customer:  # type: ignore[no-untyped-def]
    customer = Customer(email=email, name=values.pop("name", "Ann Example"),
                        created_at=values.pop("created_at", NOW), **values)
    session.add(customer)
    session.flush()
    return customer


def add_order(session: Session, customer: Customer, number: str, **values) -> Order:  # type: ignore[no-untyped-def]
    order = Order(number=number, customer=customer, total=values.pop("total", Decimal("10.00")),
                  created_at=values.pop("created_at", NOW), **values)
    session.add(order)
    session.flush()
    return order


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """new_database() -> the URL of an empty database of its own (for code that commits):
    a SQLite file, or a PostgreSQL database dropped after the test."""
    numbers = itertools.count()
    with ExitStack() as databases:

        def new() -> str:
            if request.param == "sqlite":
                return f"sqlite:///{tmp_path / f'shop{next(numbers)}.db'}"
            return databases.enter_context(temporary_database("cs_store"))

        yield new
