"""`rasa` with four fixes: run by .venv-rasa's Python (3.10), not part of the bot package.

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

4. Speed: Rasa 3.6 checks every action server answer with ``jsonschema.validate(answer, schema)``,
which first re-validates the schema itself against the JSON Schema meta-schema (Draft
2020-12 with jsonschema 4.17): about a third of Rasa's CPU time per customer message in
our profile (py-spy, README "Operations"). The schema is a constant, so it is checked once
here and the answers are validated with the compiled validator: the same check, the same
errors (``best_match``), without the repeated meta-validation. Rasa 3.6.21 is the last
Apache-licensed release and will not change under this patch.

Usage: ``.venv-rasa/bin/python bot/rasa_launcher.py run ...`` (what bot/supervisor.py starts).
"""

from __future__ import annotations

import sys

SQLITE_BUSY_MS = 10_000  # how long a tracker store writer waits for another
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
    """One process at a time creates the tracker tables; SQLite in WAL mode (see 3. above)."""
    import fcntl
    import tempfile
    from pathlib import Path
    from typing import Any

    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def sqlite_pragmas(connection: Any, _record: Any) -> None:
        if type(connection).__module__.startswith("sqlite3"):
            cursor = connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", f"busy_timeout={SQLITE_BUSY_MS}"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

    create = SQLTrackerStore.__init__

    def one_at_a_time(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
        with open(Path(tempfile.gettempdir()) / "cs-assistant-rasa-tracker.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            create(self, *args, **kwargs)

    SQLTrackerStore.__init__ = one_at_a_time  # type: ignore[method-assign]


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


def main() -> int:
    if sys.path and sys.path[0].rstrip("/").endswith("/bot"):
        del sys.path[0]  # this file's folder: its modules must not shadow anything Rasa imports
    patch_redis_lock_store()
    patch_tracker_store()
    patch_event_lookup()
    patch_action_result_validation()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
