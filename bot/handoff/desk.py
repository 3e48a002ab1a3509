"""The handoff desk: everything between customers in handoff and the shop's staff."""

from __future__ import annotations

from dataclasses import dataclass

from bot.handoff.canned import CannedReplies
from bot.handoff.messenger import Messenger
from bot.handoff.relay import Relay
from bot.handoff.staff_actions import StaffActions
from bot.handoff.timers import Timers
from bot.handoff.topics import Topics
from bot.services import Services


@dataclass(frozen=True)
class HandoffDesk:
    """Four collaborators over one Messenger (bot/handoff/messenger.py), which sends the cards
    and messages and links them to their tickets: the relay between customers and staff
    (relay.py), what staff do to a ticket (staff_actions.py), the sweep (timers.py), and canned
    replies (canned.py), which go out through the relay as any staff answer."""

    relay: Relay
    staff: StaffActions
    timers: Timers
    canned: CannedReplies
    topics: Topics  # the staff group's forum topics, one per customer (topics.py)

    @classmethod
    def create(cls, services: Services) -> HandoffDesk:
        messenger = Messenger(services)
        relay = Relay(messenger)
        return cls(relay=relay, staff=StaffActions(messenger), timers=Timers(messenger),
                   canned=CannedReplies(messenger, relay), topics=messenger.topics)
