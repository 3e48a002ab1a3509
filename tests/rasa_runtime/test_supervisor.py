"""What the supervisor starts: the action server and one Rasa server per RASA_URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from rasa_runtime.supervisor import ProcessSpec, Supervisor, SupervisorError, server_specs
from shop.settings import PROJECT_ROOT, Settings
from tests.waiting import eventually_sync


def test_one_rasa_server_per_rasa_url_on_its_port(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    settings = Settings(_env_file=None, rasa_model=model,  # type: ignore[call-arg]
                        rasa_url="http://127.0.0.1:6101, http://127.0.0.1:6102")
    specs = server_specs(settings)
    assert [spec.name for spec in specs] == ["actions", "rasa", "rasa-2"]
    assert [spec.argv[spec.argv.index("--port") + 1] for spec in specs[1:]] == ["6101", "6102"]
    assert [spec.ready_url for spec in specs[1:]] == ["http://127.0.0.1:6101/status",
                                                      "http://127.0.0.1:6102/status"]
    assert all(spec.env["ACTION_ENDPOINT_URL"] == settings.action_server_url for spec in specs[1:])


def test_one_url_starts_one_rasa_server(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    settings = Settings(_env_file=None, rasa_model=model, rasa_url="http://127.0.0.1:5005")  # type: ignore[call-arg]
    assert [spec.name for spec in server_specs(settings)] == ["actions", "rasa"]


def test_rasa_runs_the_launcher_as_a_module_of_the_project(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    settings = Settings(_env_file=None, rasa_model=model, rasa_url="http://127.0.0.1:5005")  # type: ignore[call-arg]
    rasa = server_specs(settings, root=tmp_path)[1]
    assert rasa.argv[:3] == [str(tmp_path / ".venv-rasa" / "bin" / "python"), "-m", "rasa_runtime.launcher"]
    assert rasa.env["PYTHONPATH"] == str(tmp_path)


# --- children end with their parent, however it ends ----------------------------------------

# A parent that starts a server through the supervisor (the server starts a worker of its own,
# as Sanic does), prints their pids and waits to be killed.
PARENT = """
import sys, time
from rasa_runtime.supervisor import ProcessSpec, Supervisor
worker = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
server = ("import subprocess, sys, time; w = subprocess.Popen([sys.executable, '-c', %r]); "
          "print('worker', w.pid, flush=True); time.sleep(600)" % worker)
spec = ProcessSpec(name="server", argv=[sys.executable, "-c", server], env={},
                   ready_url="http://127.0.0.1:9/never")
supervisor = Supervisor([spec], orphan_grace=float(sys.argv[1]))
supervisor.start()
print("server", supervisor.pid("server"), flush=True)
time.sleep(600)
"""


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_the_servers_and_what_they_started_end_when_their_parent_is_killed() -> None:
    """kill -9 of the parent (an out-of-memory kill): no orphans, even a worker that ignores
    SIGTERM (it gets SIGKILL after the grace period)."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT, "1.0"], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, cwd=PROJECT_ROOT)
    assert parent.stdout is not None
    pids = {}
    try:
        for line in parent.stdout:
            name, pid = line.split()[-2:]  # the server's lines come through the supervisor: "server | ..."
            pids[name] = int(pid)
            if len(pids) == 2:
                break
        assert all(not gone(pid) for pid in pids.values())
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    eventually_sync(lambda: all(gone(pid) for pid in pids.values()), timeout=20,
                    what=f"the server and its worker {pids} to end with their parent")


# --- a port already taken -------------------------------------------------------------------


def test_a_taken_port_is_refused_naming_the_process_that_holds_it(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        spec = ProcessSpec(name="actions", argv=[sys.executable, "-c", "raise SystemExit('never started')"],
                           env={}, ready_url=f"http://127.0.0.1:{port}/health")
        with Supervisor([spec], log_dir=tmp_path) as supervisor, \
                pytest.raises(SupervisorError) as refused:
            supervisor.start()
        assert not supervisor.procs
    message = str(refused.value)
    assert f"port {port} for the actions server is taken by pid {os.getpid()} (" in message
    # the holder is this test's process: pytest, or a pytest-xdist worker
    assert " ".join(psutil.Process().cmdline())[:100] in message and "ACTION_SERVER_PORT" in message
