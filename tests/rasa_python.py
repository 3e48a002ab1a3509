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
    output, read as JSON."""
    if not RASA_PYTHON.exists():
        pytest.fail("no .venv-rasa: run `make setup` (make test does)")
    done = subprocess.run([str(RASA_PYTHON), "-c", script, *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300, check=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "2",
                               **(env or {})})
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
