"""Logging: the assistant's own lines at LOG_LEVEL, libraries' routine chatter only at DEBUG."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.__main__ import configure_logging
from shop.settings import Settings

# loggers that write a line per scheduler run or per HTTP request at INFO
CHATTY = ("apscheduler.scheduler", "apscheduler.executors.default", "httpx",
          "httpcore.connection", "aiohttp.access")


@contextmanager
def configured(log_level: str, *, console: bool = False, log_dir: Path | None = None) -> Iterator[None]:
    """configure_logging as in a fresh process (no handlers on the root logger), undone after.

    Entered inside the test, since pytest puts its own handlers on the root logger for the
    duration of each test phase.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    names = ("bot", *CHATTY, *(name.split(".")[0] for name in CHATTY))
    levels = {name: logging.getLogger(name).level for name in names}
    root.handlers = []
    try:
        configure_logging(console, Settings(_env_file=None, log_level=log_level),  # type: ignore[call-arg]
                          **({"log_dir": log_dir} if log_dir else {}))
        yield
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


def enabled(level: int) -> dict[str, bool]:
    return {name: logging.getLogger(name).isEnabledFor(level) for name in ("bot", *CHATTY)}


def test_libraries_do_not_chatter_at_info() -> None:
    with configured("INFO"):
        assert enabled(logging.INFO) == {"bot": True, **{name: False for name in CHATTY}}
        assert enabled(logging.WARNING) == {"bot": True, **{name: True for name in CHATTY}}


def test_debug_lifts_the_libraries_too() -> None:
    with configured("DEBUG"):
        assert enabled(logging.DEBUG) == {"bot": True, **{name: True for name in CHATTY}}


def test_error_quiets_the_libraries_as_much_as_the_assistant() -> None:
    with configured("ERROR"):
        assert enabled(logging.WARNING) == {"bot": False, **{name: False for name in CHATTY}}
        assert enabled(logging.ERROR) == {"bot": True, **{name: True for name in CHATTY}}


def test_the_console_chat_stays_quiet_even_at_debug(tmp_path: Path) -> None:
    with configured("DEBUG", console=True, log_dir=tmp_path):
        assert enabled(logging.INFO) == {"bot": False, **{name: False for name in CHATTY}}


def test_the_console_chat_shows_an_error_as_one_line_and_logs_the_traceback_to_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with configured("INFO", console=True, log_dir=tmp_path):
        try:
            raise ValueError("UNIQUE constraint failed: ticket_messages.chat_id")
        except ValueError as exc:
            logging.getLogger("bot.app").error("update %s failed: %s", 7, exc, exc_info=exc)
        logging.getLogger("bot.app").warning("a warning stays in the file")
    shown = capsys.readouterr().err
    assert shown == ("(error: update 7 failed: UNIQUE constraint failed: ticket_messages.chat_id"
                     f" - details in {tmp_path / 'bot.log'})\n")
    written = (tmp_path / "bot.log").read_text()
    assert "Traceback (most recent call last)" in written and "a warning stays in the file" in written
