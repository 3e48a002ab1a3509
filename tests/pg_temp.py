"""Fresh PostgreSQL databases: the store fixtures (tests/conftest.py, tests/store/conftest.py) and the
end-to-end tests that need one of their own (faults, scale-out)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from shop.db import make_engine

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def temporary_database(prefix: str) -> Iterator[str]:
    """Create an empty database; yield its URL (psycopg 3); drop it after. Skips without a server."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - a missing server skips locally, fails in CI
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def via_port(url: str, port: int) -> str:
    """The same database URL, reached through another port on 127.0.0.1 (a proxy)."""
    scheme, rest = url.split("://", 1)
    userinfo, _, hostpath = rest.rpartition("@")
    path = hostpath.split("/", 1)[1]
    return f"{scheme}://{userinfo + '@' if userinfo else ''}127.0.0.1:{port}/{path}"
