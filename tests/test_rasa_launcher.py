"""bot/rasa_launcher.py: Rasa with a lock store safe across servers and a faster answer check.

Both run in .venv-rasa's Python against Rasa's own classes (and a real Redis for the lock
store), the way `rasa_launcher.py run` uses them.
"""

from __future__ import annotations

from tests.rasa_python import in_rasa

REDIS_DB = 7  # the scale-out tests' database; keys here are prefixed "racetest"

RACE = """
import json, sys, threading
sys.path.insert(0, "bot")
from rasa_launcher import patch_redis_lock_store
if sys.argv[1] == "patched":
    patch_redis_lock_store()
import rasa.core.lock_store as ls
THREADS, ROUNDS = 8, 20
stores = [ls.RedisLockStore(host="127.0.0.1", port=6379, db=int(sys.argv[2]), key_prefix="racetest")
          for _ in range(THREADS)]
duplicates = 0
for round_ in range(ROUNDS):
    conversation = f"race-{sys.argv[1]}-{round_}"
    stores[0].delete_lock(conversation)
    barrier = threading.Barrier(THREADS)
    tickets = []
    def draw(store):
        barrier.wait()
        tickets.append(store.issue_ticket(conversation))
    threads = [threading.Thread(target=draw, args=(s,)) for s in stores]
    [t.start() for t in threads]
    [t.join() for t in threads]
    duplicates += len(tickets) - len(set(tickets))
    stores[0].delete_lock(conversation)
print(json.dumps({"kind": type(stores[0]).__name__, "duplicates": duplicates}))
"""


def test_rasa_servers_drawing_tickets_at_once_get_distinct_tickets_only_with_the_launcher() -> None:
    """Eight lock stores (one per Rasa server) draw a ticket for one conversation at the same
    moment, twenty times: Rasa's own store hands out the same ticket twice (so two servers
    would handle one conversation at once); the launcher's never does."""
    plain = in_rasa(RACE, "plain", str(REDIS_DB))
    patched = in_rasa(RACE, "patched", str(REDIS_DB))
    assert plain["kind"] == "RedisLockStore" and patched["kind"] == "AtomicRedisLockStore"
    assert plain["duplicates"] > 0  # the race this guards against is real
    assert patched["duplicates"] == 0


PATCHED = """
import json, sys
sys.path.insert(0, "bot")
from rasa_launcher import patch_action_result_validation
from rasa.core.actions.action import RemoteAction
from jsonschema import ValidationError
patch_action_result_validation()
action = RemoteAction("action_x", None)
answer = {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []}
good = action._validate_action_result(answer)
try:
    action._validate_action_result({"events": "not a list"})
    bad = "accepted"
except ValidationError as exc:
    bad = exc.message
print(json.dumps({"good": good, "bad": bad}))
"""


def test_the_launcher_validates_action_answers_as_rasa_does_only_faster() -> None:
    """bot/rasa_launcher.py checks Rasa's schema once; answers are still validated the same way."""
    read = in_rasa(PATCHED)
    assert read["good"] is True
    assert "is not of type 'array'" in read["bad"]
    assert "Failed to validate Action server response" in read["bad"]


EVENTS = """
import json, sys
sys.path.insert(0, "bot")
from rasa_launcher import patch_event_lookup
patch_event_lookup()
from rasa.shared.core.events import Event, UserUttered, SlotSet
found = [Event.resolve_by_type("user") is UserUttered, Event.resolve_by_type("user") is UserUttered,
         Event.resolve_by_type("slot") is SlotSet, Event.resolve_by_type("nonsense", SlotSet) is SlotSet]
try:
    Event.resolve_by_type("nonsense")
    unknown = "accepted"
except ValueError as exc:
    unknown = str(exc)
event = Event.from_parameters({"event": "slot", "name": "order_id", "value": "1042"})
print(json.dumps({"found": found, "unknown": unknown, "event": [type(event).__name__, event.value]}))
"""


def test_the_launcher_finds_event_classes_as_rasa_does() -> None:
    read = in_rasa(EVENTS)
    assert read["found"] == [True, True, True, True]
    assert read["unknown"] == "Unknown event name 'nonsense'."
    assert read["event"] == ["SlotSet", "1042"]


TRACKER = """
import json, sys
sys.path.insert(0, "bot")
from rasa_launcher import patch_tracker_store
patch_tracker_store()
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=sys.argv[1])
with store.engine.connect() as connection:
    modes = [connection.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "synchronous",
                                                                          "busy_timeout")]
print(json.dumps({"modes": modes, "tables": sorted(store.engine.table_names())}))
"""


def test_the_launchers_sqlite_tracker_store_uses_wal_and_waits_for_other_writers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    read = in_rasa(TRACKER, str(tmp_path / "tracker.db"))
    assert read["modes"] == ["wal", 1, 10_000]  # synchronous=NORMAL is 1
    assert "events" in read["tables"]
