"""Get the store ready at start-up: migrate, bootstrap owners, demo data for the default."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select

from shop import accounts, demo
from shop.db import make_engine, make_session_factory
from shop.migrate import upgrade
from shop.models import Order
from shop.settings import Settings

log = logging.getLogger(__name__)


def prepare_store(settings: Settings, *, now: datetime, demo_data: bool) -> None:
    """Migrate to head; make configured owners owners; fill an empty store with demo data."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session, session.begin():
            accounts.bootstrap_owners(session, settings.owner_telegram_ids)
            empty = not session.scalar(select(func.count()).select_from(Order))
            if demo_data and empty:
                log.info("empty store: adding demo data")
                demo.seed_personas(session, now=now)
    finally:
        engine.dispose()
