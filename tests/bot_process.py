"""`python -m bot --no-servers --no-demo` as a real child process, talking to the tests' local Bot API.

For what only a real process shows: what it writes to its logs, and what survives kill -9.
The child reads its configuration from the environment only (it runs in a folder
without a .env file).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shop.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def held_port() -> Iterator[int]:
    """A port where nothing listens, for as long as the block runs: bound but not listening, a
    connection to it is refused, and no other test's server can take it meanwhile (a free port
    could be, and answer: one run got another server's 401 there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


class BotProcess:
    """One run of the bot; `output` collects everything it printed (stdout and stderr)."""

    def __init__(self, folder: Path, env: dict[str, str],
                 args: tuple[str, ...] = ("--no-servers", "--no-demo")) -> None:
        self.folder = folder
        self.args = args
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")},
            "PYTHONPATH": str(PROJECT_ROOT),
            "ORDER_API_PORT": str(free_port()),
            "WEBHOOK_PORT": str(free_port()),
            "TZ": "Europe/Berlin",
            **env,
        }
        self.lines: list[str] = []
        self.proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> BotProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *self.args], cwd=self.folder, env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            bufsize=1, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._join()

    async def terminate(self, wait: float = 20.0) -> int:
        """SIGTERM (what a process manager sends) and wait for the bot to stop by itself.

        Async: the bot's last calls go to the local Bot API in the test's event loop."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.to_thread(self.proc.wait, wait)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise
        self._join()
        return code

    def _join(self) -> None:
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
