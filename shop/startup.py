"""Get the store ready at start-up: migrate, bootstrap owners, demo data for the default."""

from __future__ import annotations

import logging
from datetime import datetime

from shop import accounts, demo
from shop.db import make_engine, make_session_factory
from shop.migrate import upgrade
from shop.settings import Settings

log = logging.getLogger(__name__)


def prepare_store(settings: Settings, *, now: datetime, demo_data: bool) -> None:
    """Migrate to head; fill an empty store with demo data; make configured owners owners."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        if demo_data and demo.ensure_demo_store(sessions, now=now):
            log.info("the store was empty: added the demo shop")
        with sessions() as session, session.begin():
            accounts.bootstrap_owners(session, settings.owner_telegram_ids)
    finally:
        engine.dispose()
