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


# What bot/ may take from SQLAlchemy: the names that type a transaction it hands to shop/.
TRANSACTION_TYPES = {"sqlalchemy": {"Engine"}, "sqlalchemy.orm": {"Session", "sessionmaker"}}
# Session (and Connection) methods that run SQL or write to the store.
# (Not add, get or delete: sets, dicts and bot_data have those too; a row added needs a flush
# or a commit, which bot/ leaves to services.in_transaction.)
QUERY_METHODS = {"execute", "scalar", "scalars", "merge", "query", "bulk_save_objects",
                 "bulk_insert_mappings", "bulk_update_mappings", "add_all"}


def sql_in(source: str) -> list[str]:
    """Where a module builds or runs SQL itself: an import from SQLAlchemy beyond the
    transaction types (select, update, insert, delete, text, func, loader options...), or a
    call of a session's query method on anything."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "sqlalchemy":
            allowed = TRANSACTION_TYPES.get(node.module, set())
            found += [f"line {node.lineno}: from {node.module} import {a.name}" for a in node.names
                      if a.name not in allowed]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in QUERY_METHODS:
            found.append(f"line {node.lineno}: .{node.func.attr}(...)")
    return sorted(found, key=lambda line: int(line.split(":")[0].removeprefix("line ")))


def test_no_module_of_the_telegram_door_runs_sql() -> None:
    """Every store query lives in shop/, once; bot/ calls it inside services.in_transaction."""
    offenders = {str(path.relative_to(PROJECT_ROOT)): sql_in(path.read_text(encoding="utf-8"))
                 for path in modules("bot")}
    assert {path: lines for path, lines in offenders.items() if lines} == {}


def test_the_sql_rule_sees_queries() -> None:
    """The rule above catches a query builder, a whole-module import and a session call."""
    sample = ("import sqlalchemy\nfrom sqlalchemy import Engine, select\n"
              "from sqlalchemy.orm import Session, selectinload\n"
              "def work(s: Session) -> None:\n    s.execute(select(1))\n    s.scalars(1)\n"
              "    s.add(1)\n    {1}.add(2)\n")
    assert sql_in(sample) == ["line 1: import sqlalchemy", "line 2: from sqlalchemy import select",
                              "line 3: from sqlalchemy.orm import selectinload", "line 5: .execute(...)",
                              "line 6: .scalars(...)"]
