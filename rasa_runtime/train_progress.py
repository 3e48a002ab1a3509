"""Progress of `rasa train`, read from its log as it grows: a line per stage with the time taken.

Training takes minutes and Rasa's own output (warnings, progress bars redrawn with carriage
returns) goes to var/log/train.log; scripts/train-model runs this beside it, so that stderr
shows where training is while stdout keeps only the model's path.

    python -m rasa_runtime.train_progress LOG PID   # follows LOG until process PID has ended

Standard library only: it runs under either environment's Python.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

VALIDATING = re.compile(r"Started validating domain and training data")
STARTING = re.compile(r"Starting to train component '([^']+)'")
FINISHED = re.compile(r"Finished training component '([^']+)'")
EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")
SAVED = re.compile(r"Your Rasa model is trained and saved")
STEPS = 10  # epoch lines per component: one per tenth of its epochs


class TrainProgress:
    """Turns the text of Rasa's training log, fed in pieces, into progress lines."""

    def __init__(self) -> None:
        self._partial = ""
        self.component: str | None = None
        self._last_step = -1

    def feed(self, text: str) -> list[str]:
        """Progress lines for `text`; a line cut off at its end waits for the rest."""
        pieces = re.split(r"[\r\n]", self._partial + text)
        self._partial = pieces.pop()
        return [said for piece in pieces if (said := self.read(piece))]

    def read(self, line: str) -> str | None:
        if VALIDATING.search(line):
            return "checking the domain and the training data"
        if found := STARTING.search(line):
            self.component, self._last_step = found.group(1), -1
            return f"training {self.component}"
        if found := FINISHED.search(line):
            return f"{found.group(1)} trained"
        if found := EPOCHS.search(line):
            done, total = int(found.group(1)), int(found.group(2))
            step = done * STEPS // total if total else STEPS
            if step == self._last_step or done == 0:
                return None
            self._last_step = step
            return f"{self.component or 'model'}: epoch {done}/{total}"
        if SAVED.search(line):
            return "model saved"
        return None


def elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def follow(log: Path, pid: int, out: IO[str], *, clock: Callable[[], float] = time.monotonic,
           poll: float = 0.5) -> None:
    """Print progress lines from `log` (with the time since the start) until `pid` has ended."""
    start = clock()
    progress = TrainProgress()
    offset = 0
    while True:
        alive = running(pid)  # before reading: what it wrote before it ended is read below
        text = ""
        if log.exists():
            with log.open("rb") as handle:
                handle.seek(offset)
                data = handle.read()
            offset += len(data)
            text = data.decode("utf-8", errors="replace")
        for line in progress.feed(text):
            out.write(f"   {elapsed(clock() - start):>6}  {line}\n")
            out.flush()
        if not alive:
            return
        if not text:
            time.sleep(poll)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print(__doc__, file=sys.stderr)  # noqa: T201 - a command line tool's usage
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        follow(Path(argv[0]), int(argv[1]), sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
