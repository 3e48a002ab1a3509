"""Start the Rasa server and the action server, wait until they are ready, stop them cleanly.

A small supervisor rather than honcho: the console chat needs the terminal's stdin, which
a Procfile runner keeps for itself, and readiness (Rasa loads its model for about a
minute) must be waited for before the bot starts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

import httpx
import psutil

from rasa_runtime import watchdog
from rasa_runtime.watchdog import Guard
from shop.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)


class SupervisorError(RuntimeError):
    """A server did not start; the message holds the end of its log."""


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str
    ready: Callable[[httpx.Response], bool] = field(default=lambda response: response.status_code == 200)


def rasa_env(settings: Settings, *, action_url: str | None = None) -> dict[str, str]:
    """The variables endpoints.yml expands, plus quiet, offline Rasa."""
    action_url = action_url or settings.action_server_url
    return {
        "ACTION_ENDPOINT_URL": action_url,
        # domain.yml's responses come translated from the same server (actions/nlg.py)
        "NLG_ENDPOINT_URL": action_url.rsplit("/webhook", 1)[0] + "/nlg",
        "RASA_TRACKER_STORE_URL": rasa_sql_url(settings.rasa_tracker_store_url),
        **lock_store_env(settings.rasa_lock_store_url),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
    }


def rasa_sql_url(url: str) -> str:
    """Rasa's environment has psycopg2, not psycopg 3: a postgresql+psycopg URL is rewritten."""
    scheme, sep, rest = url.partition("://")
    if scheme in ("postgresql+psycopg", "postgres"):
        return f"postgresql{sep}{rest}"
    return url


def lock_store_env(url: str | None) -> dict[str, str]:
    """endpoints.yml's lock store: in memory (one Rasa server) unless a redis:// URL is given.

    Rasa expands every ${VAR} of endpoints.yml and fails on an unset one, so all are set;
    the in-memory lock store ignores the connection values.
    """
    if not url:
        return {"RASA_LOCK_STORE_TYPE": "in_memory", "RASA_LOCK_STORE_HOST": "localhost",
                "RASA_LOCK_STORE_PORT": "6379", "RASA_LOCK_STORE_DB": "1",
                "RASA_LOCK_STORE_PASSWORD": ""}
    parts = urlsplit(url)
    return {
        "RASA_LOCK_STORE_TYPE": "redis",
        "RASA_LOCK_STORE_HOST": parts.hostname or "localhost",
        "RASA_LOCK_STORE_PORT": str(parts.port or 6379),
        "RASA_LOCK_STORE_DB": parts.path.strip("/") or "1",
        "RASA_LOCK_STORE_PASSWORD": unquote(parts.password or ""),
    }


def rasa_spec(settings: Settings, *, name: str = "rasa", port: int | None = None,
              action_url: str | None = None, root: Path = PROJECT_ROOT) -> ProcessSpec:
    """A Rasa server on `port` (default: the port of the first RASA_URL) calling `action_url`."""
    if not settings.rasa_model.exists():
        raise SupervisorError(f"no trained model at {settings.rasa_model}: run `make model` (or `make run`)")
    port = port or settings.rasa_port
    return ProcessSpec(
        name=name,
        argv=[str(root / ".venv-rasa" / "bin" / "python"), "-m", "rasa_runtime.launcher", "run",
              "--enable-api",
              "--model", str(settings.rasa_model.resolve()),
              "--endpoints", str(root / "endpoints.yml"), "--credentials", str(root / "credentials.yml"),
              "--interface", settings.bind_host, "--port", str(port)],
        env={**rasa_env(settings, action_url=action_url), "PYTHONPATH": str(root)},  # finds rasa_runtime
        ready_url=f"http://127.0.0.1:{port}/status",
        ready=lambda r: r.status_code == 200 and bool(r.json().get("model_file")),
    )


def actions_spec(settings: Settings, *, name: str = "actions", port: int | None = None,
                 workers: int | None = None, root: Path = PROJECT_ROOT) -> ProcessSpec:
    """The action server on `port` (default ACTION_SERVER_PORT), with `workers` Sanic workers."""
    port = port or settings.action_server_port
    env = {"PYTHONPATH": str(root), "DATABASE_URL": settings.database_url,
           "ACTION_SERVER_PORT": str(port), "BIND_HOST": settings.bind_host, "TZ": settings.tz}
    if workers:
        env["ACTION_SERVER_SANIC_WORKERS"] = str(workers)
    return ProcessSpec(name=name, argv=[sys.executable, "-m", "actions"], env=env,
                       ready_url=f"http://127.0.0.1:{port}/health")


def server_specs(settings: Settings, *, root: Path = PROJECT_ROOT) -> list[ProcessSpec]:
    """The action server and one Rasa server per RASA_URL (their ports), sharing the tracker
    store: several local URLs put Rasa, the heaviest process, on several cores."""
    ports = [urlsplit(url).port or 5005 for url in settings.rasa_urls]
    return [actions_spec(settings, root=root)] + [
        rasa_spec(settings, name="rasa" if index == 0 else f"rasa-{index + 1}", port=port, root=root)
        for index, port in enumerate(ports)]


class Supervisor:
    """Runs the servers as child processes with their output prefixed by name.

    They end with the process that started them however it ends: a guard process
    (rasa_runtime/watchdog.py) ends their process groups when that process is gone.
    """

    def __init__(self, specs: list[ProcessSpec], *, log_dir: Path | None = None,
                 out: IO[str] | None = None, root: Path = PROJECT_ROOT,
                 orphan_grace: float = watchdog.GRACE) -> None:
        self.specs = specs
        self.log_dir = log_dir
        self.out = out or sys.stdout
        self.root = root
        self.orphan_grace = orphan_grace
        self._guard = Guard(orphan_grace)
        self.procs: dict[str, subprocess.Popen[str]] = {}
        self.tails: dict[str, deque[str]] = {}
        self._threads: list[threading.Thread] = []
        self._pumps: dict[str, threading.Thread] = {}

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, names: list[str] | None = None) -> None:
        """Start every server (or those named) as a child in its own process group.

        Refuses (SupervisorError) when a server's port is taken, naming the process that
        holds it: a server left from an earlier run would otherwise answer in its place.
        """
        chosen = [spec for spec in self.specs if names is None or spec.name in names]
        for spec in chosen:
            check_port_free(spec)
        for spec in chosen:
            env = {**os.environ, **spec.env}
            proc = subprocess.Popen(
                spec.argv, cwd=self.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, text=True, bufsize=1, start_new_session=True)
            self._guard.add(proc.pid)
            self.procs[spec.name] = proc
            self.tails[spec.name] = deque(maxlen=40)
            thread = threading.Thread(target=self._pump, args=(spec.name, proc), daemon=True)
            thread.start()
            self._threads.append(thread)
            self._pumps[spec.name] = thread

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal one server's process group and wait for it to end (a crash, for fault tests)."""
        proc = self.procs.pop(name)
        if proc.poll() is None:
            _signal_group(proc, sig)
        proc.wait()
        self._guard.discard(proc.pid)
        pump = self._pumps.pop(name, None)
        if pump is not None:
            pump.join(timeout=5)  # it ends at the pipe's end of file
        if proc.stdout is not None:
            proc.stdout.close()

    def pid(self, name: str) -> int:
        return self.procs[name].pid

    def _pump(self, name: str, proc: subprocess.Popen[str]) -> None:
        sink: IO[str] = self.out
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            sink = open(self.log_dir / f"{name}.log", "a", encoding="utf-8")  # noqa: SIM115
        assert proc.stdout is not None
        for line in proc.stdout:
            self.tails[name].append(line.rstrip())
            sink.write(f"{name:>8} | {line}")
            sink.flush()
        if sink is not self.out:
            sink.close()

    def wait_ready(self, timeout: float = 300.0, names: list[str] | None = None) -> None:
        """Block until every server (or those named) answers its readiness check, or raise."""
        deadline = time.monotonic() + timeout
        pending = [spec for spec in self.specs if names is None or spec.name in names]
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for spec in list(pending):
                    proc = self.procs[spec.name]
                    if proc.poll() is not None:
                        raise SupervisorError(self._failure(spec.name, f"exited with code {proc.returncode}"))
                    try:
                        if spec.ready(client.get(spec.ready_url)):
                            log.info("%s is ready", spec.name)
                            pending.remove(spec)
                    except (httpx.HTTPError, ValueError):
                        pass
                if pending and time.monotonic() > deadline:
                    raise SupervisorError(self._failure(pending[0].name, f"not ready after {timeout:.0f} s"))
                if pending:
                    time.sleep(0.5)

    def _failure(self, name: str, what: str) -> str:
        tail = "\n".join(self.tails.get(name, []))
        return f"{name} {what}. Last lines of its log:\n{tail}"

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every server's process group, then SIGKILL what is left."""
        for proc in self.procs.values():
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        for thread in self._threads:
            thread.join(timeout=2)
        for proc in self.procs.values():
            if proc.stdout is not None:
                proc.stdout.close()
        self.procs.clear()
        self._guard.close()


def check_port_free(spec: ProcessSpec) -> None:
    """Raise SupervisorError naming the process that listens on the port `spec` is to serve."""
    port = urlsplit(spec.ready_url).port
    if port is None:
        return
    with socket.socket() as probe:
        probe.settimeout(1.0)
        if probe.connect_ex(("127.0.0.1", port)) != 0:
            return
    raise SupervisorError(
        f"port {port} for the {spec.name} server is taken by {port_holder(port)}; "
        f"a server left from an earlier run? Stop it, or configure another port "
        f"({'RASA_URL' if spec.name.startswith('rasa') else 'ACTION_SERVER_PORT'}).")


def port_holder(port: int) -> str:
    """'pid 123 (python -m actions)' for the process listening on `port`, as far as we may see."""
    try:
        listeners = [c for c in psutil.net_connections(kind="inet")
                     if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN]
    except psutil.AccessDenied:
        listeners = []
    for conn in listeners:
        if conn.pid is None:
            continue
        try:
            command = " ".join(psutil.Process(conn.pid).cmdline()) or "?"
        except psutil.Error:
            command = "?"
        return f"pid {conn.pid} ({command[:160]})"
    return "a process this user may not see (try `ss -ltnp` as root)"


def _signal_group(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
