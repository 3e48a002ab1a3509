"""The store fixtures of tests/store (CSV files, import options) for the FAQ tests too."""

from tests.store.conftest import new_database, options, write  # noqa: F401 - fixtures
