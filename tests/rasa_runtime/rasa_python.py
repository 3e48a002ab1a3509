"""Run a snippet in .venv-rasa's Python (Rasa's own classes), the way Rasa itself would."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from shop.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


def in_rasa(script: str, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run `script` with `args` (and extra `env`) from the project root; its last line of
    output, read as JSON. The project's modules (rasa_runtime.launcher) import as packages."""
    done = _run_rasa_python(["-c", script, *args], env)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def rasa_module(module: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run `python -m module args` from the project root, as the supervisor does; its output."""
    return _run_rasa_python(["-m", module, *args], env).stdout


def _run_rasa_python(argv: list[str], env: dict[str, str] | None) -> subprocess.CompletedProcess[str]:
    if not RASA_PYTHON.exists():
        pytest.fail("no .venv-rasa: run `make setup` (make test does)")
    return subprocess.run([str(RASA_PYTHON), *argv], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300, check=True,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONWARNINGS": "ignore",
                               "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
                               **(env or {})})
