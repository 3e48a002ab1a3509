"""Who may import whom: bot/ is the Telegram door; the rooms beside it stay apart."""

from __future__ import annotations

import ast
from pathlib import Path

from shop.settings import PROJECT_ROOT


def imported_roots(path: Path) -> set[str]:
    """The top-level names of the absolute imports of one module."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (PROJECT_ROOT / package).rglob("*.py"))


def test_only_the_console_imports_the_local_bot_api() -> None:
    """The local Bot API serves the console chat, the tests and the benchmarks, nothing else."""
    importers = [str(path.relative_to(PROJECT_ROOT)) for path in modules("bot", "shop", "actions", "nlu")
                 if "local_bot_api" in imported_roots(path)]
    assert importers == ["bot/console.py"]


def test_the_local_bot_api_speaks_http_only() -> None:
    """It never imports telegram (it would then test PTB against itself) nor the project."""
    for path in modules("local_bot_api"):
        assert not imported_roots(path) & {"telegram", "bot", "shop", "actions", "rasa_runtime"}, path


def test_the_rasa_launcher_imports_nothing_of_the_project() -> None:
    """It runs in .venv-rasa's Python, which has Rasa but not the project's dependencies."""
    launcher = PROJECT_ROOT / "rasa_runtime" / "launcher.py"
    assert not imported_roots(launcher) & {"bot", "shop", "actions", "nlu", "local_bot_api"}
    # Importing rasa_runtime.launcher runs the package's __init__ first: it must not bring in
    # the supervisor (httpx, shop), which .venv-rasa does not have.
    assert imported_roots(PROJECT_ROOT / "rasa_runtime" / "__init__.py") == set()
