"""Shared fixtures: a migrated store on SQLite and PostgreSQL, each test rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import actions.base
from bot.services import Services
from shop.db import make_engine, make_session_factory
from shop.migrate import upgrade
from shop.settings import Settings
from tests.pg_temp import temporary_database

SHARED_SERVERS = "tests/e2e/"  # end-to-end tests on the session's one Rasa server
OWN_SERVERS = "tests/e2e/standalone/"  # end-to-end tests that start (and kill) their own


def work_unit(nodeid: str) -> str:
    """What one xdist worker runs in one go: every end-to-end test on the session's servers
    (one Rasa server, a minute to load and 1.5 GB, serves them all), else a test file."""
    path = nodeid.split("::", 1)[0]
    if path.startswith(SHARED_SERVERS) and not path.startswith(OWN_SERVERS):
        return SHARED_SERVERS.rstrip("/")
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist (make test): the work units of work_unit(), handed out in the order
    pytest_collection_modifyitems puts them (the longest first), each to whichever worker is
    free. (xdist's own --dist loadgroup marks groups by rewriting node ids, which pytest 9 no
    longer allows: its groups silently fall apart.)"""
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    config.option.loadscopereorder = False  # keep our order, not xdist's by number of tests
    return LongestFirst(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest work units first, so that none of them starts last and runs alone: the
    tests on the session's servers, then those that start a Rasa of their own (marked
    own_rasa), then the rest in file order."""
    def rank(item: pytest.Item) -> int:
        unit = work_unit(item.nodeid)
        return 0 if unit == SHARED_SERVERS.rstrip("/") else 1 if item.get_closest_marker("own_rasa") else 2
    items.sort(key=rank)


# A fixed clock for tests: metric and delivery logic takes `now` explicitly.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday, 13:00 in Berlin
# The shop's time zone in the tests (Settings(tz="Europe/Berlin")).
BERLIN = ZoneInfo("Europe/Berlin")


def sqlite_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings for a SQLite store file in `folder`, in Berlin time, reading no .env file."""
    return Settings(_env_file=None, database_url=f"sqlite:///{folder / 'shop.db'}",  # type: ignore[call-arg]
                    tz="Europe/Berlin", **overrides)


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
        with temporary_database("cs_test") as url:
            eng = make_engine(url)
            try:
                upgrade(eng)
                yield eng
            finally:
                eng.dispose()


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
    settings = sqlite_settings(tmp_path, rasa_url="http://127.0.0.1:9")
    made = Services.create(settings)
    upgrade(made.engine)
    yield made
    made.engine.dispose()


@pytest.fixture
def action_store(tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    """A migrated SQLite store that the actions use instead of the configured one."""
    settings = sqlite_settings(tmp_path)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    monkeypatch.setattr(actions.base, "store", lambda: (settings, factory))
    yield settings, factory
    engine.dispose()
