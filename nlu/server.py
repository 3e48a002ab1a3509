"""A real Rasa HTTP server (`rasa run --enable-api`) on 127.0.0.1 for one trained model.

Started in an empty working folder, so the project's endpoints.yml (tracker store, action
server) is not read: only the model is served.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from nlu.rasa_run import GUARD, RASA, tf_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll /status until the model is loaded; fail early if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rasa run exited with {process.returncode} before serving")
        try:
            status = httpx.get(f"{url}/status", timeout=2)
            if status.status_code == 200 and status.json().get("model_file"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise TimeoutError(f"rasa run not ready after {timeout:.0f} s")


@contextmanager
def rasa_server(model: Path, *, threads: int | None = None, timeout: float = 900) -> Iterator[str]:
    """Serve `model` and yield the base URL; the server is stopped on exit.

    Start-up loads TensorFlow and the model: about a minute on an idle machine, several on a
    busy one, hence the generous timeout.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as cwd:
        log = Path(cwd) / "rasa-run.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(RASA),
                    "run",
                    "--enable-api",
                    "--model",
                    str(model.resolve()),
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=tf_env(threads),
                start_new_session=True,  # a group of its own, ended by the guard if we are killed
            )
            GUARD.add(process.pid)
            try:
                try:
                    wait_ready(url, process, timeout)
                except (RuntimeError, TimeoutError) as exc:
                    raise RuntimeError(f"{exc}\n{log.read_text(errors='replace')[-3000:]}") from exc
                yield url
            finally:
                with contextlib.suppress(ProcessLookupError):  # it may have died on its own
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                GUARD.discard(process.pid)
