"""`rasa` with six fixes: run by .venv-rasa's Python (3.10), so it imports only what that has.

1. Several Rasa servers on one Redis lock store (README "Scaling"): Rasa's RedisLockStore
reads a conversation's ticket lock, changes it and writes it back with nothing guarding
the gap, so two servers taking a message of the same conversation at once can both draw
the same ticket and both go ahead; each then saves the tracker it started from and one
turn is lost (RasaHQ/rasa#9213; the fix, ConcurrentRedisLockStore, went to Rasa Pro
only). `AtomicRedisLockStore` does each of those read-change-writes under a short Redis
mutex (redis-py's Lock: SET NX PX, released by a Lua script), so tickets are unique and
conversations are served one turn at a time across servers.

2. Speed: every event Rasa reads back from the tracker store is turned into its class by
``Event.resolve_by_type``, which walks all subclasses of Event each time: 15% of Rasa's
CPU per message in a 40-turn conversation, growing with its length. The classes are
fixed once Rasa is imported, so the answer is remembered per type name.

3. Several Rasa processes on one machine sharing a SQLite tracker store (RASA_URL with
several local URLs, README "Scaling"): each creates the store's tables at start-up (check,
then create: two at once collide), so that runs one process at a time under a file lock;
and SQLite runs in WAL mode with synchronous=NORMAL and a busy timeout, so that a commit
does not wait for the disk and a writer waits for another instead of failing. (WAL is
safe against a crash of the process; a power cut may lose the last turns' dialogue state,
never the shop's data, which is in the store.)
Rasa (on SQLAlchemy 1.4) opens a new SQLite connection for every read and write of the
tracker store and closes it after: 9% of its CPU per message under load. The connections
are kept in a pool instead, as SQLAlchemy 2 does by default for SQLite files.

4. Speed: Rasa 3.6 checks every action server answer with ``jsonschema.validate(answer, schema)``,
which first re-validates the schema itself against the JSON Schema meta-schema (Draft
2020-12 with jsonschema 4.17): about a third of Rasa's CPU time per customer message in
our profile (py-spy, README "Operations"). The schema is a constant, so it is checked once
here and the answers are validated with the compiled validator: the same check, the same
errors (``best_match``), without the repeated meta-validation. Rasa 3.6.21 is the last
Apache-licensed release and will not change under this patch.

5. Speed: for every customer message Rasa reads the conversation's whole session back from
the SQL tracker store, turns each event from JSON into its class and replays them all into
a new tracker, then counts the stored events again to know which ones to write: about 40%
of Rasa's CPU per message under load, growing with the session. `CachedSQLTrackerStore`
keeps the tracker it handed out (and saved) in memory, for the most recent conversations
up to `TRACKER_CACHE_EVENTS` events in all (about 1.2 KB each), with the number of stored
events and the highest event id at that moment. On the next message of that conversation
one indexed query reads those two figures back: if they are unchanged, nothing was written
in between (by this server or any other) and the tracker in memory is the stored one;
otherwise it is read from the database as Rasa does. On a save, the same query in the same
transaction shows whether only this turn's events were added. A tracker that gained
events it did not save (a turn that failed half-way), a new session, or an event broker:
read from the database too. Each conversation is taken one message at a time (the lock
store), so the tracker in memory is never used twice at once. With the pooled connections
of 3., Rasa's CPU per message under the load bench went from 32 to 20 ms.

6. Speed: Rasa 3.6 opens a new HTTP client session, and so a new connection, for every call
to the action server and the NLG endpoint (``EndpointConfig.request``), and closes it after:
both sides pay a TCP connection and Sanic a new protocol per action (about a fifth of the
action server's CPU per message under the load bench). Each endpoint's session is kept for the
life of the server's event loop instead, so calls reuse kept-alive connections (aiohttp closes
an idle one after 15 s, before the action server's keep-alive of 120 s would).

Usage, from the project root (or with it on PYTHONPATH):
``.venv-rasa/bin/python -m rasa_runtime.launcher run ...`` (what rasa_runtime/supervisor.py starts).
"""

from __future__ import annotations

import sys

SQLITE_BUSY_MS = 10_000  # how long a tracker store writer waits for another
TRACKER_CACHE_EVENTS = 100_000  # events of recent conversations' trackers kept in memory (5. above)
MUTEX_SECONDS = 10.0  # a read-change-write of a lock takes milliseconds; a crashed holder frees it after this


def patch_redis_lock_store() -> None:
    """Make `type: redis` in endpoints.yml create an `AtomicRedisLockStore` (see above)."""
    from typing import Any

    import rasa.core.lock_store as lock_store

    class AtomicRedisLockStore(lock_store.RedisLockStore):  # type: ignore[misc,valid-type]
        def _mutex(self, conversation_id: str) -> Any:
            return self.red.lock(f"{self.key_prefix}{conversation_id}:mutex", timeout=MUTEX_SECONDS,
                                 blocking_timeout=MUTEX_SECONDS, sleep=0.002)

        def issue_ticket(self, conversation_id: str, lock_lifetime: float = lock_store.LOCK_LIFETIME) -> int:
            with self._mutex(conversation_id):
                return super().issue_ticket(conversation_id, lock_lifetime)  # type: ignore[no-any-return]

        def update_lock(self, conversation_id: str) -> None:
            with self._mutex(conversation_id):
                super().update_lock(conversation_id)

        def cleanup(self, conversation_id: str, ticket_number: int) -> None:
            with self._mutex(conversation_id):
                super().cleanup(conversation_id, ticket_number)

    lock_store.RedisLockStore = AtomicRedisLockStore  # what _create_from_endpoint_config builds


def patch_tracker_store() -> None:
    """One process at a time creates the tracker tables; SQLite in WAL mode, pooled (see 3. above)."""
    import fcntl
    import tempfile
    from pathlib import Path
    from typing import Any

    from rasa.core import tracker_store
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy import event
    from sqlalchemy.engine import Engine, make_url
    from sqlalchemy.pool import QueuePool

    @event.listens_for(Engine, "connect")
    def sqlite_pragmas(connection: Any, _record: Any) -> None:
        if type(connection).__module__.startswith("sqlite3"):
            cursor = connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"busy_timeout={SQLITE_BUSY_MS}"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

    engine_kwargs = tracker_store.create_engine_kwargs

    def pooled_sqlite(url: Any) -> dict[str, Any]:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            # A connection serves one session at a time, whichever thread takes it from the pool.
            return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
        return engine_kwargs(url)  # type: ignore[no-any-return]

    tracker_store.create_engine_kwargs = pooled_sqlite  # what SQLTrackerStore.__init__ calls
    create = SQLTrackerStore.__init__

    def one_at_a_time(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
        with open(Path(tempfile.gettempdir()) / "cs-assistant-rasa-tracker.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            create(self, *args, **kwargs)

    SQLTrackerStore.__init__ = one_at_a_time  # type: ignore[method-assign]


def patch_tracker_cache() -> None:
    """Keep the trackers of recent conversations in memory, checked against the store (5. above)."""
    import itertools
    import json
    from collections import OrderedDict
    from dataclasses import dataclass
    from typing import Any

    import sqlalchemy as sa
    from rasa.core import tracker_store
    from rasa.shared.core.events import SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    @dataclass
    class Kept:
        tracker: DialogueStateTracker
        length: int  # len(tracker.events) when it was read or last saved
        stamp: tuple[int, int]  # (stored events, highest event id) of the conversation then

    class CachedSQLTrackerStore(tracker_store.SQLTrackerStore):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.kept: OrderedDict[str, Kept] = OrderedDict()
            self.kept_events = 0

        def _stamp_query(self, sender_id: str) -> Any:
            table = self.SQLEvent.__table__
            return sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(
                table.c.sender_id == sender_id)

        def _stamp(self, sender_id: str) -> tuple[int, int]:
            with self.session_scope() as session:
                count, last = session.execute(self._stamp_query(sender_id)).one()
            return int(count), int(last or 0)

        def _keep(self, sender_id: str, kept: Kept) -> None:
            self._forget(sender_id)
            self.kept[sender_id] = kept
            self.kept_events += kept.length
            while self.kept_events > TRACKER_CACHE_EVENTS:  # the least recently used go first
                self._forget(next(iter(self.kept)))

        def _forget(self, sender_id: str) -> Kept | None:
            kept = self.kept.pop(sender_id, None)
            if kept is not None:
                self.kept_events -= kept.length
            return kept

        async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
            if self.max_event_history is not None or self.event_broker is not None:
                self._forget(sender_id)
                return await super().retrieve(sender_id)
            stamp = self._stamp(sender_id)  # before the read: a write in between shows next time
            kept = self.kept.get(sender_id)
            if kept is not None and kept.stamp == stamp and len(kept.tracker.events) == kept.length:
                self.kept.move_to_end(sender_id)
                return kept.tracker
            tracker = await super().retrieve(sender_id)
            if tracker is None:
                self._forget(sender_id)
            else:
                self._keep(sender_id, Kept(tracker, len(tracker.events), stamp))
            return tracker

        async def save(self, tracker: DialogueStateTracker) -> None:
            kept = self._forget(tracker.sender_id)
            if kept is None or kept.tracker is not tracker:
                await super().save(tracker)  # a tracker this store did not hand out: Rasa's way
                return
            new = list(itertools.islice(tracker.events, kept.length, None))
            rows = []
            for event in new:
                data = event.as_dict()
                rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                             "timestamp": data.get("timestamp"), "action_name": data.get("name"),
                             "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             "data": json.dumps(data)})
            with self.session_scope() as session:
                if rows:
                    session.execute(self.SQLEvent.__table__.insert(), rows)
                count, last = session.execute(self._stamp_query(tracker.sender_id)).one()
                session.commit()
            # Only this turn's events were added since the tracker was read (no other server
            # wrote in between), and the session goes on: it stays in memory.
            if count == kept.stamp[0] + len(rows) and not any(isinstance(e, SessionStarted) for e in new):
                stamp = (int(count), int(last or 0))
                self._keep(tracker.sender_id, Kept(tracker, len(tracker.events), stamp))

    tracker_store.SQLTrackerStore = CachedSQLTrackerStore  # what _create_from_endpoint_config builds


def patch_event_lookup() -> None:
    """Remember which Event class each type name is (see 2. above)."""
    from typing import Any

    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    known: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = known.get(type_name)
        if found is None:
            found = resolve(type_name, default)  # raises or returns `default` if unknown
            if found is not None and found is not default:
                known[type_name] = found
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]


def patch_action_result_validation() -> None:
    from jsonschema import ValidationError, validators
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: dict) -> bool:  # type: ignore[type-arg]
        error = best_match(validator.iter_errors(result))
        if error is not None:
            assert isinstance(error, ValidationError)
            error.message += (
                ". Failed to validate Action server response from API, make sure your response "
                f"from the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions")
            raise error
        return True

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def patch_endpoint_sessions() -> None:
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    new_session = EndpointConfig.session
    kept: dict[tuple[int, str, str, str], aiohttp.ClientSession] = {}

    class Lent:
        """`async with` on a kept session: it stays open for the next call."""

        def __init__(self, session: aiohttp.ClientSession) -> None:
            self.session = session

        async def __aenter__(self) -> aiohttp.ClientSession:
            return self.session

        async def __aexit__(self, *exc: object) -> None:
            return None

    def session(self: EndpointConfig) -> Lent:
        key = (id(asyncio.get_running_loop()), str(self.url), repr(sorted(self.headers.items())),
               repr(sorted(self.basic_auth.items())))
        found = kept.get(key)
        if found is None or found.closed:
            found = kept[key] = new_session(self)
        return Lent(found)

    EndpointConfig.session = session  # type: ignore[method-assign]


def main() -> int:
    patch_redis_lock_store()
    patch_tracker_store()
    patch_tracker_cache()
    patch_event_lookup()
    patch_action_result_validation()
    patch_endpoint_sessions()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
