"""The handoff desk: everything between customers in handoff and the shop's staff."""

from __future__ import annotations

from bot.handoff.relay import Relay
from bot.handoff.staff_actions import StaffActions
from bot.handoff.timers import Timers


class HandoffDesk(Relay, StaffActions, Timers):
    """Relays (bot/handoff/relay.py), staff actions (staff_actions.py) and timers (timers.py)
    over the shared groundwork of bot/handoff/base.py."""


__all__ = ["HandoffDesk"]
