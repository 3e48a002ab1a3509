"""A local Telegram Bot API server for end-to-end tests and the offline console chat.

Start a :class:`LocalBotApi`, point an unmodified python-telegram-bot ``Application`` at
``server.base_url`` / ``server.base_file_url``, and play users with ``server.user(...)``
and groups with ``server.group(...)``. This package speaks JSON over HTTP only; it never
imports ``telegram``.
"""

from .actors import FakeGroup, FakeUser
from .media import tiny_png
from .params import UploadedFile
from .server import LocalBotApi
from .world import ApiCall, ApiFailure, BotMessage, TimedCalls, Topic

__all__ = [
    "ApiCall",
    "ApiFailure",
    "BotMessage",
    "FakeGroup",
    "FakeUser",
    "LocalBotApi",
    "TimedCalls",
    "Topic",
    "UploadedFile",
    "tiny_png",
]
