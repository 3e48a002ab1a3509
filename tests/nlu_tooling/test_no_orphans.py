"""What the NLU tooling starts (rasa train/test, a Rasa server) ends with it, however it ends."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil

from shop.settings import PROJECT_ROOT
from tests.waiting import eventually_sync

# A parent that runs a long "Rasa" job the way nlu.rasa_run runs `rasa train` (a stand-in
# program that starts a worker of its own and sleeps), and waits to be killed.
PARENT = """
import sys
from pathlib import Path
from nlu.rasa_run import _run
job = ("import subprocess, sys, time; "
       "w = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
       "print(w.pid, flush=True); time.sleep(600)")
_run(["-c", job], Path(sys.argv[1]), None, program=Path(sys.executable))
"""


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_rasa_job_and_its_workers_end_when_the_tooling_is_killed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "job.log"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(log)], cwd=PROJECT_ROOT,
                              env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    try:
        eventually_sync(lambda: log.exists() and log.read_text().strip().isdigit(), timeout=30,
                        what="the job to start its worker")
        worker = int(log.read_text())
        job = next(child for child in psutil.Process(parent.pid).children() if child.pid != worker
                   and "watchdog" not in " ".join(child.cmdline()))
        assert not gone(worker) and not gone(job.pid)
    finally:
        parent.kill()  # kill -9: what the out-of-memory killer does
        parent.wait()
    eventually_sync(lambda: gone(worker) and gone(job.pid), timeout=30,
                    what=f"the job {job.pid} and its worker {worker} to end with the tooling")
