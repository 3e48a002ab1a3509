"""Ends the servers' process groups when the process that started them ends, however it ends.

The supervisor starts this guard with one end of a pipe as its stdin and keeps the other;
it writes ``+<pgid>`` for each server it starts and ``-<pgid>`` for each it has stopped. When
the supervisor's process ends - cleanly, by an exception, by kill -9 or the out-of-memory
killer - the kernel closes its end, the guard reads end of file, sends SIGTERM to every group
still listed and SIGKILL to what is left after a grace period.

Why a guard on a pipe rather than prctl(PR_SET_PDEATHSIG) in a preexec_fn: the parent-death
signal reaches only the direct child, while the servers start processes of their own (the
action server's Sanic workers); it fires when the *thread* that started the child ends, not
the process; and a preexec_fn is unsafe in a process with threads (the supervisor's log pumps,
the bot's executor). A group signal reaches the server and whatever it started.

Runs with nothing but the standard library, in a session of its own, so that a signal to the
starting process's group (Ctrl-C, ``kill -- -PGID``) does not take the guard with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

GRACE = 15.0  # seconds between SIGTERM and SIGKILL


def alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the id went to someone else's group: not ours any more
        return False
    return True


def end_groups(groups: set[int], grace: float = GRACE) -> None:
    """SIGTERM every group, SIGKILL those still there after `grace` seconds."""
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    left = {pgid for pgid in groups if alive(pgid)}
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = {pgid for pgid in left if alive(pgid)}
    for pgid in left:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


class Guard:
    """A guard process (this file, run as a script) that ends the process groups it is told
    about when this process ends, however it ends; started at the first group.

    Anything that starts a server in a process group of its own (start_new_session=True)
    adds the group here, so that a kill -9 of the starter leaves no orphan behind.
    """

    def __init__(self, grace: float = GRACE) -> None:
        self.grace = grace
        self._process: subprocess.Popen[bytes] | None = None

    def _write(self, line: str) -> None:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-S", __file__, str(self.grace)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
        assert self._process.stdin is not None
        self._process.stdin.write(f"{line}\n".encode())
        self._process.stdin.flush()

    def add(self, pgid: int) -> None:
        """End group `pgid` with this process."""
        self._write(f"+{pgid}")

    def discard(self, pgid: int) -> None:
        """Group `pgid` has ended already (its id may be reused)."""
        self._write(f"-{pgid}")

    def close(self) -> None:
        """End what is left now (end of file for the guard) and wait for the guard."""
        if self._process is not None:
            assert self._process.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
            self._process.wait()
            self._process = None


def main(argv: list[str]) -> int:
    grace = float(argv[0]) if argv else GRACE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    groups: set[int] = set()
    for line in sys.stdin:
        sign, number = line[:1], line[1:].strip()
        if number.isdigit():
            (groups.add if sign == "+" else groups.discard)(int(number))
    end_groups(groups, grace)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
