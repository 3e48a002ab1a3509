"""The handoff desk: everything between customers in handoff and the shop's staff."""

from __future__ import annotations

from dataclasses import dataclass

from bot.handoff.messenger import Messenger
from bot.handoff.relay import Relay
from bot.handoff.staff_actions import StaffActions
from bot.handoff.timers import Timers
from bot.handoff.topics import Topics
from bot.services import Services


@dataclass(frozen=True)
class HandoffDesk:
    """Three collaborators over one Messenger (bot/handoff/messenger.py), which sends the cards
    and messages and links them to their tickets: the relay between customers and staff
    (relay.py), what staff do to a ticket (staff_actions.py), and the sweep (timers.py)."""

    relay: Relay
    staff: StaffActions
    timers: Timers
    topics: Topics  # the staff group's forum topics, one per customer (topics.py)

    @classmethod
    def create(cls, services: Services) -> HandoffDesk:
        messenger = Messenger(services)
        return cls(relay=Relay(messenger), staff=StaffActions(messenger), timers=Timers(messenger),
                   topics=messenger.topics)
