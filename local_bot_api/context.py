"""What every Bot API method implementation works on, and the shape of one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .updates import UpdateQueue, WebhookDelivery
from .world import World

Params = dict[str, Any]


@dataclass
class ApiContext:
    """The fake Telegram behind the HTTP surface, plus server-wide switches."""

    world: World
    updates: UpdateQueue
    webhook: WebhookDelivery
    callback_query_ttl: float
    closing: bool = False  # set on shutdown so long polls answer at once
    poll_generation: int = 0  # each getUpdates call bumps it; an older poll gets 409


Handler = Callable[[ApiContext, Params], Awaitable[Any]]
