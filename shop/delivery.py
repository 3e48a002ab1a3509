"""Delivery progress: where a shipment is, how far a project has come, and marking stages done.

Goods travel through the stages placed → packed → shipped → out_for_delivery → delivered;
services and custom projects through named milestones. Progress is done stages ÷ all
stages; an order is late when its promised date has passed and it is not delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.csvio.deliveries import MAX_CLOCK_SKEW, Stage, derived_status
from shop.models import GOODS_STAGES, DeliveryStage, Order, OrderKind, OrderStatus
from shop.orders import fmt_day, stage_label, users_order
from shop.replies import TALK_TO_PERSON, Button, Reply, intent_payload


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        """Whole percent, half up (2 of 3 → 67)."""
        return int(self.fraction * 100 + 0.5)


def progress(order: Order) -> Progress:
    return Progress(sum(1 for s in order.stages if s.done_at is not None), len(order.stages))


def days_between(earlier: datetime, later: datetime, zone: ZoneInfo) -> int:
    """Calendar days from `earlier` to `later` in the business time zone."""
    return (later.astimezone(zone).date() - earlier.astimezone(zone).date()).days


def days_late(order: Order, *, now: datetime, zone: ZoneInfo) -> int:
    """Whole days past the promised date for an order not yet delivered, else 0.

    An order promised for today is not late until the day is over.
    """
    if (order.promised_at is None or order.delivered_at is not None
            or order.status in (OrderStatus.delivered.value, OrderStatus.cancelled.value)):
        return 0
    return max(0, days_between(order.promised_at, now, zone))


def expected_at(order: Order) -> datetime | None:
    """When the order should arrive: the last stage's plan, else the promised date."""
    if order.stages and order.stages[-1].planned_at is not None:
        return order.stages[-1].planned_at
    return order.promised_at


def shipment_stage(order: Order) -> DeliveryStage | None:
    """The stage that carries the carrier and tracking number, if any does."""
    with_tracking = [s for s in order.stages if s.tracking_number]
    with_carrier = [s for s in order.stages if s.carrier and s.done_at is not None]
    found = with_tracking or with_carrier
    return found[-1] if found else None


def describe_shipment(order: Order, *, now: datetime, zone: ZoneInfo) -> str:
    """Carrier, tracking number, current stage, next stage, ETA and lateness of a parcel."""
    done = [s for s in order.stages if s.done_at is not None]
    upcoming = [s for s in order.stages if s.done_at is None]
    shipment = shipment_stage(order)
    if order.status == OrderStatus.cancelled.value:
        return f"Order {order.number} was cancelled, so there is no delivery to track."
    if order.status == OrderStatus.delivered.value or (order.stages and not upcoming):
        when = order.delivered_at or (done[-1].done_at if done else None)
        text = f"Order {order.number} was delivered" + (f" on {fmt_day(when, zone)}." if when else ".")
        if shipment is not None and shipment.carrier:
            text += f" Carrier: {shipment.carrier}" + (
                f", tracking {shipment.tracking_number}." if shipment.tracking_number else ".")
        return text
    lines = []
    if shipment is not None and shipment.done_at is not None:
        carrier = f" with {shipment.carrier}" if shipment.carrier else ""
        tracking = f", tracking {shipment.tracking_number}" if shipment.tracking_number else ""
        lines.append(f"Order {order.number} is on its way{carrier}{tracking}.")
    else:
        lines.append(f"Order {order.number} hasn't shipped yet.")
    if done:
        current = done[-1]
        assert current.done_at is not None
        lines.append(f"Now: {stage_label(current.name)} ({fmt_day(current.done_at, zone)}).")
    if upcoming:
        nxt = upcoming[0]
        planned = f", planned for {fmt_day(nxt.planned_at, zone)}" if nxt.planned_at else ""
        lines.append(f"Next: {stage_label(nxt.name)}{planned}.")
    late = days_late(order, now=now, zone=zone)
    if late and order.promised_at is not None:
        lines.append(f"This is late by {late} day{'s' if late != 1 else ''}, sorry: we promised it "
                     f"for {fmt_day(order.promised_at, zone)}.")
    elif (eta := expected_at(order)) is not None:
        lines.append(f"Expected delivery: {fmt_day(eta, zone)}.")
    return "\n".join(lines)


def describe_project(order: Order, *, now: datetime, zone: ZoneInfo) -> str:
    """Milestones done, percent, the next milestone and whether it is on time."""
    name = order.items[0].product.name if order.items else "project"
    p = progress(order)
    head = f"Project {order.number} ({name}): {p.done} of {p.total} milestones done ({p.percent}%)."
    if order.status == OrderStatus.cancelled.value:
        return f"Project {order.number} ({name}) was cancelled."
    lines = [head]
    done = [s for s in order.stages if s.done_at is not None]
    if done:
        lines.append("Done: " + ", ".join(
            f"{stage_label(s.name)} ({fmt_day(s.done_at, zone)})" for s in done if s.done_at) + ".")
    upcoming = [s for s in order.stages if s.done_at is None]
    if not upcoming:
        lines.append("All milestones are done.")
        return "\n".join(lines)
    nxt = upcoming[0]
    if nxt.planned_at is None:
        lines.append(f"Next: {stage_label(nxt.name)} (no date planned yet).")
    else:
        behind = days_between(nxt.planned_at, now, zone)
        status = (f"{behind} day{'s' if behind != 1 else ''} behind plan, sorry" if behind > 0
                  else "on time")
        lines.append(f"Next: {stage_label(nxt.name)}, planned for {fmt_day(nxt.planned_at, zone)} "
                     f"({status}).")
    late = days_late(order, now=now, zone=zone)
    if late and order.promised_at is not None:
        lines.append(f"The project is late by {late} day{'s' if late != 1 else ''}: we promised it "
                     f"for {fmt_day(order.promised_at, zone)}.")
    elif order.promised_at is not None:
        lines.append(f"Promised completion: {fmt_day(order.promised_at, zone)}.")
    return "\n".join(lines)


def describe_delivery(order: Order, *, now: datetime, zone: ZoneInfo) -> str:
    if order.kind == OrderKind.service.value:
        return describe_project(order, now=now, zone=zone)
    return describe_shipment(order, now=now, zone=zone)


def delivery_status_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, now: datetime,
    zone: ZoneInfo,
) -> Reply:
    """The answer to "when will my parcel arrive?" / "how far along is my project?"."""
    found = users_order(session, telegram_user_id=telegram_user_id, raw_number=raw_number,
                        intent="delivery_status", zone=zone)
    if isinstance(found, Reply):
        return found
    text = describe_delivery(found, now=now, zone=zone)
    if not days_late(found, now=now, zone=zone):
        return Reply(text)
    # Late: the apology is in the text; a person is one tap away.
    person = Button(TALK_TO_PERSON, intent_payload("request_human", order_id=found.number))
    return Reply(text, buttons=(person,))


# --- marking stages done (the order API; CSV import does the same in bulk) ----------------


class StageError(ValueError):
    """The stage update cannot be applied; the message says why, for the integration's author."""


@dataclass(frozen=True)
class StageUpdate:
    order: Order
    stage: DeliveryStage
    changed: bool  # False when the stage was done already (a repeated report)


def canonical_stage_name(order: Order, raw: str) -> str:
    """'Out for delivery' → 'out_for_delivery' for goods; milestones as written, trimmed."""
    name = " ".join(raw.split())
    if order.kind == OrderKind.goods.value:
        return name.lower().replace(" ", "_").replace("-", "_")
    return name


def mark_stage_done(
    session: Session, *, order: Order, stage: str, done_at: datetime | None, now: datetime,
    carrier: str | None = None, tracking_number: str | None = None,
) -> StageUpdate:
    """Record that a stage of `order` is done (creating a missing goods stage).

    A stage that is done already keeps its first date (integrations repeat themselves);
    carrier and tracking number are updated when given. The order's status and
    delivered_at follow from its stages. The customer is told by the notifier.
    """
    if order.status == OrderStatus.cancelled.value:
        raise StageError(f"order {order.number} is cancelled")
    name = canonical_stage_name(order, stage)
    if not name:
        raise StageError("stage is empty")
    when = done_at or now
    if when.tzinfo is None:
        raise StageError("done_at needs a time zone")
    if when > now + MAX_CLOCK_SKEW:
        raise StageError("done_at is in the future")
    if when < order.created_at - timedelta(days=1):
        raise StageError("done_at is before the order was placed")
    found = next((s for s in order.stages if s.name == name), None)
    if found is None:
        found = _new_stage(session, order, name)
    changed = found.done_at is None
    if changed:
        found.done_at = when
    if carrier:
        found.carrier = carrier
    if tracking_number:
        found.tracking_number = tracking_number
    implied = derived_status(order.kind, order.status, [
        Stage(s.position, s.name, s.done_at) for s in order.stages])
    if implied is not None:
        order.status, order.delivered_at = implied
    session.flush()
    return StageUpdate(order, found, changed)


def _new_stage(session: Session, order: Order, name: str) -> DeliveryStage:
    if order.kind != OrderKind.goods.value:
        milestones = ", ".join(s.name for s in order.stages) or "none"
        raise StageError(f"order {order.number} has no milestone {name!r}; its milestones: {milestones}")
    if name not in GOODS_STAGES:
        raise StageError(f"unknown stage {name!r}; a goods order's stages are: {', '.join(GOODS_STAGES)}")
    taken = {s.position for s in order.stages}
    position = GOODS_STAGES.index(name)
    if position in taken:
        position = (session.scalar(select(func.max(DeliveryStage.position))
                                   .where(DeliveryStage.order_id == order.id)) or 0) + 1
    created = DeliveryStage(order_id=order.id, position=position, name=name)
    order.stages.append(created)
    order.stages.sort(key=lambda s: s.position)
    return created
