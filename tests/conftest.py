"""Shared fixtures: a migrated store on SQLite and PostgreSQL, each test rolled back."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bot.services import Services
from shop.db import make_engine
from shop.migrate import upgrade
from shop.settings import Settings

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

# A fixed clock for tests: metric and delivery logic takes `now` explicitly.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _postgres_engine(tmp_name: str) -> Iterator[Engine]:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{tmp_name}"'))
    except Exception as exc:  # noqa: BLE001 - report the server as missing, not the test as failed
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{tmp_name}"
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{tmp_name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated, empty store; the same suite runs once per backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("store") / "shop.db"
        eng = make_engine(f"sqlite:///{path}")
        upgrade(eng)
        yield eng
        eng.dispose()
    else:
        for eng in _postgres_engine(f"cs_test_{uuid.uuid4().hex[:8]}"):
            upgrade(eng)
            yield eng


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield sess
        finally:
            sess.close()
            trans.rollback()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def services(tmp_path) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    """The bot's services on a fresh migrated SQLite store (Berlin time); no Rasa listens."""
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'shop.db'}",  # type: ignore[call-arg]
                        tz="Europe/Berlin", rasa_url="http://127.0.0.1:9")
    made = Services.create(settings)
    upgrade(made.engine)
    yield made
    made.engine.dispose()
