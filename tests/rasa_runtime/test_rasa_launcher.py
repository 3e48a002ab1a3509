"""rasa_runtime/launcher.py: Rasa with a lock store safe across servers and a faster answer check.

Both run in .venv-rasa's Python against Rasa's own classes (and a real Redis for the lock
store), the way `python -m rasa_runtime.launcher run` uses them.
"""

from __future__ import annotations

import re

from tests.rasa_runtime.rasa_python import in_rasa, rasa_module

REDIS_DB = 7  # the scale-out tests' database; keys here are prefixed "racetest"

RACE = """
import json, sys, threading
from rasa_runtime.launcher import patch_redis_lock_store
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
import json
from rasa_runtime.launcher import patch_action_result_validation
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
    """The launcher checks Rasa's schema once; answers are still validated the same way."""
    read = in_rasa(PATCHED)
    assert read["good"] is True
    assert "is not of type 'array'" in read["bad"]
    assert "Failed to validate Action server response" in read["bad"]


EVENTS = """
import json
from rasa_runtime.launcher import patch_event_lookup
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
from rasa_runtime.launcher import patch_tracker_store
patch_tracker_store()
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=sys.argv[1])
with store.engine.connect() as connection:
    modes = [connection.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "synchronous",
                                                                          "busy_timeout")]
opened = []
from sqlalchemy import event
event.listen(store.engine, "connect", lambda *_: opened.append(1))
for _ in range(5):
    with store.session_scope() as session:
        session.execute(store.SQLEvent.__table__.select()).all()
print(json.dumps({"modes": modes, "tables": sorted(store.engine.table_names()), "opened": len(opened)}))
"""


def test_the_launchers_sqlite_tracker_store_uses_wal_and_waits_for_other_writers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """...and keeps its connections: five reads one after another open none (Rasa's own
    engine opens one per read)."""
    read = in_rasa(TRACKER, str(tmp_path / "tracker.db"))
    assert read["modes"] == ["wal", 1, 10_000]  # synchronous=NORMAL is 1
    assert read["opened"] == 0
    assert "events" in read["tables"]


CACHE = """
import asyncio, json, sys
from rasa_runtime.launcher import patch_tracker_cache
patch_tracker_cache()
from rasa.core import tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

domain = Domain.from_yaml("slots:\\n  order_id:\\n    type: text\\n    mappings: [{type: custom}]\\n")
plain = tracker_store.SQLTrackerStore.__mro__[1]  # Rasa's own class, as an unpatched server has it
server = tracker_store.SQLTrackerStore(domain, dialect="sqlite", db=sys.argv[1])
other = tracker_store.SQLTrackerStore(domain, dialect="sqlite", db=sys.argv[1])  # a second server
reader = plain(domain, dialect="sqlite", db=sys.argv[1])

def dicts(tracker):
    return [e.as_dict() for e in tracker.events]

def turn(tracker, text):
    tracker.update(UserUttered(text, {"name": "order_status", "confidence": 1.0}))
    tracker.update(SlotSet("order_id", text))
    tracker.update(ActionExecuted("action_listen"))

async def main():
    out = {"kind": type(server).__name__}
    new = DialogueStateTracker("c1", domain.slots)
    new.update(SessionStarted()); new.update(ActionExecuted("action_listen"))
    await server.save(new)  # not one this store handed out: Rasa's own save
    first = await server.retrieve("c1")
    out["kept"] = (await server.retrieve("c1")) is first
    turn(first, "1042")
    await server.save(first)
    again = await server.retrieve("c1")
    out["kept_after_save"] = again is first
    out["stored_as_kept"] = dicts(await reader.retrieve("c1")) == dicts(again)
    # Another server takes a turn of the same conversation: this one reads it back.
    theirs = await other.retrieve("c1")
    turn(theirs, "2001")
    await other.save(theirs)
    mine = await server.retrieve("c1")
    out["sees_other_server"] = mine is not first and mine.get_slot("order_id") == "2001"
    out["same_as_store"] = dicts(mine) == dicts(await reader.retrieve("c1"))
    # A turn that failed before its save leaves nothing behind.
    turn(mine, "3003")
    after_failure = await server.retrieve("c1")
    out["unsaved_dropped"] = after_failure is not mine and after_failure.get_slot("order_id") == "2001"
    # Another server writes while this one is in the middle of a turn: what this one saves
    # is not all there is, so the next turn reads the conversation back.
    during = await server.retrieve("c1")
    theirs = await other.retrieve("c1")
    turn(theirs, "4004")
    await other.save(theirs)
    turn(during, "5005")
    await server.save(during)
    next_turn = await server.retrieve("c1")
    out["raced"] = [next_turn is not during, dicts(next_turn) == dicts(await reader.retrieve("c1"))]
    after_failure = next_turn
    # A new session is read back as Rasa reads it: from its SessionStarted on.
    after_failure.update(SessionStarted()); after_failure.update(ActionExecuted("action_listen"))
    await server.save(after_failure)
    session = await server.retrieve("c1")
    out["new_session"] = [session is not after_failure, dicts(session) == dicts(await reader.retrieve("c1")),
                          len(session.events)]
    out["unknown"] = await server.retrieve("nobody")
    # Memory is bounded by events: a new conversation pushes out the least recently used.
    from rasa_runtime import launcher
    launcher.TRACKER_CACHE_EVENTS = len(session.events) + 3
    c2 = DialogueStateTracker("c2", domain.slots)
    c2.update(SessionStarted()); c2.update(ActionExecuted("action_listen")); turn(c2, "6006")
    await server.save(c2)
    await server.retrieve("c2")
    out["bounded"] = [list(server.kept), server.kept_events, len(c2.events)]
    print(json.dumps(out))

asyncio.run(main())
"""


def test_the_launchers_tracker_cache_serves_the_stored_tracker_and_notices_other_writers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A conversation's tracker stays in memory between turns while the store is unchanged;
    a turn written by another server, a turn that failed before its save, and a new session
    are all read back from the database, and what is stored is what Rasa would store."""
    read = in_rasa(CACHE, str(tmp_path / "tracker.db"))
    assert read["kind"] == "CachedSQLTrackerStore"
    assert read["kept"] is True and read["kept_after_save"] is True
    assert read["stored_as_kept"] is True
    assert read["sees_other_server"] is True and read["same_as_store"] is True
    assert read["unsaved_dropped"] is True
    assert read["raced"] == [True, True]
    assert read["new_session"] == [True, True, 2]
    assert read["unknown"] is None
    assert read["bounded"] == [["c2"], 5, 5]


def test_the_launcher_starts_as_a_module_of_the_project_in_rasas_python() -> None:
    """`python -m rasa_runtime.launcher` from the project root, as the supervisor starts it:
    every fix applies with only what .venv-rasa has installed, then Rasa's own CLI runs."""
    out = rasa_module("rasa_runtime.launcher", "--version")
    assert re.search(r"^Rasa Version\s*:\s*3\.6\.21$", out, re.MULTILINE)


SESSIONS = """
import asyncio, json, sys
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig
if sys.argv[1] == "patched":
    from rasa_runtime.launcher import patch_endpoint_sessions
    patch_endpoint_sessions()

async def main():
    connections, bodies = set(), []

    async def webhook(request):
        connections.add(request.transport.get_extra_info("peername"))
        bodies.append(await request.json())
        return web.json_response({"events": [], "responses": [{"text": "ok"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook", headers={"X-Shop": "demo"})
    answers = [await endpoint.request(json={"call": n}, method="post") for n in range(4)]
    other = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")  # another endpoint: its own session
    answers.append(await other.request(json={"call": 4}, method="post"))
    await runner.cleanup()
    return {"connections": len(connections), "bodies": [b["call"] for b in bodies],
            "answers": [a["responses"][0]["text"] for a in answers]}

print(json.dumps(asyncio.run(main())))
"""


def test_the_launcher_keeps_connections_to_the_action_server_open_between_calls() -> None:
    """Rasa opens a connection per call to an endpoint (the action server, NLG); the launcher
    keeps one session per endpoint, so calls reuse a kept-alive connection. Same answers."""
    plain, patched = in_rasa(SESSIONS, "plain"), in_rasa(SESSIONS, "patched")
    for read in (plain, patched):
        assert read["bodies"] == [0, 1, 2, 3, 4] and read["answers"] == ["ok"] * 5
    assert plain["connections"] == 5
    assert patched["connections"] == 2
