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
from shop.i18n import ENGLISH, Translator, sentences
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


def describe_shipment(order: Order, *, now: datetime, zone: ZoneInfo, tr: Translator = ENGLISH) -> str:
    """Carrier, tracking number, current stage, next stage, ETA and lateness of a parcel."""
    done = [s for s in order.stages if s.done_at is not None]
    upcoming = [s for s in order.stages if s.done_at is None]
    shipment = shipment_stage(order)
    number = order.number
    if order.status == OrderStatus.cancelled.value:
        return tr._("Order {number} was cancelled, so there is no delivery to track.", number=number)
    if order.status == OrderStatus.delivered.value or (order.stages and not upcoming):
        when = order.delivered_at or (done[-1].done_at if done else None)
        text = (tr._("Order {number} was delivered on {date}.", number=number, date=fmt_day(when, zone, tr))
                if when else tr._("Order {number} was delivered.", number=number))
        if shipment is not None and shipment.carrier:
            text = sentences(text, tr._("Carrier: {carrier}, tracking {tracking}.", carrier=shipment.carrier,
                                        tracking=shipment.tracking_number)
                             if shipment.tracking_number
                             else tr._("Carrier: {carrier}.", carrier=shipment.carrier))
        return text
    lines = []
    if shipment is not None and shipment.done_at is not None:
        values = {"number": number, "carrier": shipment.carrier, "tracking": shipment.tracking_number}
        if shipment.carrier and shipment.tracking_number:
            lines.append(tr._("Order {number} is on its way with {carrier}, tracking {tracking}.", **values))
        elif shipment.carrier:
            lines.append(tr._("Order {number} is on its way with {carrier}.", **values))
        elif shipment.tracking_number:
            lines.append(tr._("Order {number} is on its way, tracking {tracking}.", **values))
        else:
            lines.append(tr._("Order {number} is on its way.", **values))
    else:
        lines.append(tr._("Order {number} hasn't shipped yet.", number=number))
    if done:
        current = done[-1]
        assert current.done_at is not None
        lines.append(tr._("Now: {stage} ({date}).", stage=stage_label(current.name, tr),
                          date=fmt_day(current.done_at, zone, tr)))
    if upcoming:
        nxt = upcoming[0]
        if nxt.planned_at:
            lines.append(tr._("Next: {stage}, planned for {date}.", stage=stage_label(nxt.name, tr),
                              date=fmt_day(nxt.planned_at, zone, tr)))
        else:
            lines.append(tr._("Next: {stage}.", stage=stage_label(nxt.name, tr)))
    late = days_late(order, now=now, zone=zone)
    if late and order.promised_at is not None:
        lines.append(tr.n_("This is late by {count} day, sorry: we promised it for {date}.",
                           "This is late by {count} days, sorry: we promised it for {date}.", late,
                           date=fmt_day(order.promised_at, zone, tr)))
    elif (eta := expected_at(order)) is not None:
        lines.append(tr._("Expected delivery: {date}.", date=fmt_day(eta, zone, tr)))
    return "\n".join(lines)


def describe_project(order: Order, *, now: datetime, zone: ZoneInfo, tr: Translator = ENGLISH) -> str:
    """Milestones done, percent, the next milestone and whether it is on time."""
    name = order.items[0].product.name if order.items else tr._("project")
    p = progress(order)
    if order.status == OrderStatus.cancelled.value:
        return tr._("Project {number} ({name}) was cancelled.", number=order.number, name=name)
    lines = [tr._("Project {number} ({name}): {done} of {total} milestones done ({percent}%).",
                  number=order.number, name=name, done=p.done, total=p.total, percent=p.percent)]
    done = [s for s in order.stages if s.done_at is not None]
    if done:
        lines.append(tr._("Done: {steps}.", steps=tr.p_("list separator", ", ").join(
            tr._("{stage} ({date})", stage=stage_label(s.name, tr), date=fmt_day(s.done_at, zone, tr))
            for s in done if s.done_at)))
    upcoming = [s for s in order.stages if s.done_at is None]
    if not upcoming:
        lines.append(tr._("All milestones are done."))
        return "\n".join(lines)
    nxt = upcoming[0]
    if nxt.planned_at is None:
        lines.append(tr._("Next: {stage} (no date planned yet).", stage=stage_label(nxt.name, tr)))
    else:
        behind = days_between(nxt.planned_at, now, zone)
        values = {"stage": stage_label(nxt.name, tr), "date": fmt_day(nxt.planned_at, zone, tr)}
        lines.append(tr.n_("Next: {stage}, planned for {date} ({count} day behind plan, sorry).",
                           "Next: {stage}, planned for {date} ({count} days behind plan, sorry).",
                           behind, **values) if behind > 0
                     else tr._("Next: {stage}, planned for {date} (on time).", **values))
    late = days_late(order, now=now, zone=zone)
    if late and order.promised_at is not None:
        lines.append(tr.n_("The project is late by {count} day: we promised it for {date}.",
                           "The project is late by {count} days: we promised it for {date}.", late,
                           date=fmt_day(order.promised_at, zone, tr)))
    elif order.promised_at is not None:
        lines.append(tr._("Promised completion: {date}.", date=fmt_day(order.promised_at, zone, tr)))
    return "\n".join(lines)


def describe_delivery(order: Order, *, now: datetime, zone: ZoneInfo, tr: Translator = ENGLISH) -> str:
    if order.kind == OrderKind.service.value:
        return describe_project(order, now=now, zone=zone, tr=tr)
    return describe_shipment(order, now=now, zone=zone, tr=tr)


def delivery_status_reply(
    session: Session, *, telegram_user_id: int, raw_number: str | None, now: datetime,
    zone: ZoneInfo, tr: Translator = ENGLISH,
) -> Reply:
    """The answer to "when will my parcel arrive?" / "how far along is my project?"."""
    found = users_order(session, telegram_user_id=telegram_user_id, raw_number=raw_number,
                        intent="delivery_status", zone=zone, tr=tr)
    if isinstance(found, Reply):
        return found
    text = describe_delivery(found, now=now, zone=zone, tr=tr)
    if not days_late(found, now=now, zone=zone):
        return Reply(text)
    # Late: the apology is in the text; a person is one tap away.
    person = Button(tr._(TALK_TO_PERSON), intent_payload("request_human", order_id=found.number))
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
