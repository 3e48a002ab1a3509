"""Handoff pieces that need no server: staff button data, cards, and the fallback's memory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker

from actions.handoff import ActionDefaultFallback, consecutive_misses, customer_words, quoted, suggestions
from bot.handoff import cards
from shop.conversation_log import LogLine, TicketSummary
from shop.replies import MAX_CALLBACK_BYTES
from tests.conftest import BERLIN, NOW
from tests.trackers import make_tracker


class TestButtonData:
    def test_round_trip_and_limits(self) -> None:
        for action, arg in [("claim", None), ("resolve", None), ("transfer", None), ("to", 9_999_999_999)]:
            data = cards.button_data(action, 2_147_483_647, arg)
            assert len(data.encode()) <= 64 and data.startswith("t:") and not data.startswith("r:")
            assert cards.parse_press(data) == cards.Press(action, 2_147_483_647, arg)

    @pytest.mark.parametrize("data", [None, "", "r:/greet", "t:", "t:claim", "t:claim:x", "t:drop:1",
                                      "t:to:1", "t:claim:1:2", "t:to:1:x"])
    def test_malformed_or_forged_data_is_ignored(self, data: str | None) -> None:
        assert cards.parse_press(data) is None


def summary(**changes: Any) -> TicketSummary:
    values: dict[str, Any] = dict(
        id=17, status="waiting", reason="request_human", details="let me talk to a person",
        created_at=NOW - timedelta(minutes=12), customer_name="Dana Demo", telegram_user_id=1001,
        linked=True, orders=(("1042", "shipped"), ("1043", "in_progress")),
        history=(LogLine("in", "where is my order?", NOW), LogLine("out", "Order 1042 is on its way", NOW),
                 LogLine("note", "Sam: called DHL", NOW)),
        assignee_id=None, assignee_name=None, first_response_at=None, resolved_at=None)
    values.update(changes)
    return TicketSummary(**values)


class TestCards:
    def test_a_waiting_card_has_what_staff_need(self) -> None:
        text = cards.card_text(summary(), zone=BERLIN, now=NOW, headline="🆕 New ticket")
        assert text.splitlines()[:2] == ["🆕 New ticket", "🎫 Ticket #17 · waiting for someone to claim it"]
        for part in ("Dana Demo (Telegram id 1001)", "Orders: 1042 shipped, 1043 in progress",
                     "Reason: asked for a person", "waiting 12 minutes", "Last 3 messages:",
                     "13:00 Dana: where is my order?", "13:00 Bot: Order 1042", "📝 Note: Sam: called DHL",
                     "Reply to this message to answer Dana."):
            assert part in text
        markup = cards.card_keyboard(summary())
        assert markup is not None
        assert [b.text for b in markup.inline_keyboard[0]] == ["Claim", "Transfer", "Resolve"]

    def test_claimed_and_resolved_cards(self) -> None:
        claimed = summary(status="human", assignee_id=2, assignee_name="Sam Staff")
        assert "Ticket #17 · with Sam Staff" in cards.card_text(claimed, zone=ZoneInfo("UTC"), now=NOW)
        markup = cards.card_keyboard(claimed)
        assert markup is not None and [b.text for b in markup.inline_keyboard[0]] == ["Transfer", "Resolve"]
        resolved = summary(status="resolved")
        assert cards.card_keyboard(resolved) is None
        assert "Reply to this message" not in cards.card_text(resolved, zone=ZoneInfo("UTC"), now=NOW)

    def test_a_huge_history_still_fits_one_message(self) -> None:
        long = summary(details="x" * 10_000, history=tuple(LogLine("in", "y" * 5000, NOW) for _ in range(10)))
        assert len(cards.card_text(long, zone=ZoneInfo("UTC"), now=NOW)) <= 4096


def tracker(events: list[dict[str, Any]], *, slot: float | None = None,
            latest: dict[str, Any] | None = None) -> Tracker:
    return make_tracker(sender=1001, slots={"fallback_count": slot}, events=events, latest=latest or {})


def user(text: str, intent: str = "nlu_fallback") -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


class TestFallbackMemory:
    def test_first_miss(self) -> None:
        assert consecutive_misses(tracker([action("action_listen"), user("blorp")])) == 1

    def test_second_miss_in_a_row(self) -> None:
        events = [user("blorp"), action("action_default_fallback"), action("action_listen"), user("zzz")]
        assert consecutive_misses(tracker(events, slot=1.0)) == 2
        assert quoted(customer_words(tracker(events), 2)) == "“blorp”\n“zzz”"
        with_button = [*events, action("action_listen"), user("/help", "help")]
        assert customer_words(tracker(with_button), 2) == ["blorp", "zzz"]  # a button's payload is no words

    def test_any_other_action_resets(self) -> None:
        events = [user("blorp"), action("action_default_fallback"), action("action_listen"),
                  user("where is 1042", "order_status"), action("action_order_status"),
                  action("action_listen"), user("zzz")]
        assert consecutive_misses(tracker(events, slot=1.0)) == 1

    def test_after_a_handover_the_count_starts_again(self) -> None:
        events = [user("a"), action("action_default_fallback"), action("action_listen"), user("b"),
                  action("action_default_fallback"), action("action_listen"), user("c")]
        assert consecutive_misses(tracker(events, slot=0.0)) == 1


class TestSuggestions:
    def latest(self, *intents: str, order_id: str | None = None) -> dict[str, Any]:
        ranking = [{"name": "nlu_fallback", "confidence": 0.5}] + [
            {"name": name, "confidence": 0.4 - i / 10} for i, name in enumerate(intents)]
        entities = [{"entity": "order_id", "value": order_id}] if order_id else []
        return {"text": "?", "intent_ranking": ranking, "entities": entities}

    def test_top_intents_become_buttons(self) -> None:
        latest = self.latest("out_of_scope", "order_status", "greet", "request_human", "complaint",
                             "help", order_id="1042")
        buttons = suggestions(tracker([], latest=latest), staff=False)
        assert [b.payload for b in buttons] == [
            '/order_status{"order_id":"1042"}', "/request_human", '/complaint{"order_id":"1042"}']
        assert [b.title for b in buttons] == ["Where is my order?", "Talk to a person", "Report a problem"]

    def test_owner_intents_only_for_staff(self) -> None:
        latest = self.latest("ask_metric", "help")
        assert [b.payload for b in suggestions(tracker([], latest=latest), staff=False)] == ["/help"]
        assert [b.payload for b in suggestions(tracker([], latest=latest), staff=True)] == [
            "/ask_metric", "/help"]

    def test_payloads_stay_short(self) -> None:
        latest = self.latest("order_status", order_id="9" * 60)
        [button] = suggestions(tracker([], latest=latest), staff=False)
        assert button.payload == "/order_status" and len(button.payload) <= MAX_CALLBACK_BYTES - 2


class TestFallbackForgetsUnnamedNumbers:
    """A message not understood fills the order_id slot as any other; the fallback forgets a
    number that no order word names, so a later "where is my order?" does not look it up."""

    def events(self, text: str, *numbers: str) -> list[dict[str, Any]]:
        entities = [{"entity": "order_id", "value": n, "start": text.index(n), "end": text.index(n) + len(n)}
                    for n in numbers]
        latest = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.7}, "entities": entities}
        return ActionDefaultFallback().events(tracker([], latest=latest))

    def test_a_bare_number_is_forgotten(self) -> None:
        assert {"event": "slot", "name": "order_id", "value": None, "timestamp": None} in \
            self.events("is 7919 a prime number", "7919")

    def test_a_number_an_order_word_names_is_kept(self) -> None:
        for text, number in [("my parcel 10425 came smashed!!!", "10425"),
                             ("https://shop.example.com/orders/58213/track", "58213"),
                             ("Bestellung Nr. 1042 ???", "1042"), ("订单号：10425 ？？", "10425")]:
            assert all(e.get("name") != "order_id" for e in self.events(text, number)), text

    def test_a_message_without_a_number_leaves_the_slot_alone(self) -> None:
        assert [e["name"] for e in self.events("blorp")] == ["fallback_count"]
