"""Import deliveries.csv: delivery events that move orders along their timeline.

Each row sets one stage of one order (matched on order number and stage name). The
touched orders' status and delivered_at are then recomputed from their stages, and the
import reports which stages became done, for the bot's proactive notifications.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from shop.csvio.base import ImportOptions, ImportResult
from shop.csvio.bulk import CHUNK_ROWS, Progress, lookup, update_rows
from shop.csvio.fields import Cells, objects
from shop.csvio.formats import FORMATS, Kind
from shop.csvio.native import Native
from shop.csvio.problems import Problems
from shop.csvio.reading import Sheet
from shop.csvio.upsert import upsert
from shop.models import GOODS_STAGES, DeliveryStage, Order, OrderKind, OrderStatus

STAGE_COLUMNS = ("planned_at", "done_at", "carrier", "tracking_number")
MAX_CLOCK_SKEW = timedelta(minutes=5)  # a stage reported done this far in the future is accepted


class Stage(NamedTuple):
    position: int
    name: str
    done_at: datetime | None


def derived_status(
    kind: str, status: str, stages: Sequence[Stage],
) -> tuple[str, datetime | None] | None:
    """The (status, delivered_at) an order's stages imply; None leaves the order as it is.

    Cancelled orders and orders without stages keep what they have. An order is
    delivered when its last stage is done; before that a goods order is at its furthest
    done stage and a service project is in progress once a milestone is done.
    """
    if status == OrderStatus.cancelled.value or not stages:
        return None
    ordered = sorted(stages)
    if ordered[-1].done_at is not None:
        return OrderStatus.delivered.value, ordered[-1].done_at
    done = [s for s in ordered if s.done_at is not None]
    if not done:
        return OrderStatus.placed.value, None
    if kind == OrderKind.goods.value and done[-1].name in GOODS_STAGES:
        return done[-1].name, None
    return OrderStatus.in_progress.value, None


def import_deliveries(
    connection: Connection, sheet: Sheet, options: ImportOptions, progress: Progress,
) -> ImportResult:
    problems, native = Problems(), Native(connection)
    cells = Cells(sheet.frame, problems, required=FORMATS[Kind.deliveries].required)
    number = cells.text("order_number", max_length=32)
    stage = cells.text("stage", max_length=100)
    position = cells.integer("position", minimum=0) if "position" in cells else cells.absent()
    rows = pd.DataFrame({"order_id": None, "name": stage, "position": None},
                        index=sheet.frame.index, dtype=object)
    done_at = None
    for name in ("planned_at", "done_at"):
        if name in cells:
            instants = cells.timestamp(name, zone=options.zone)
            rows[name] = objects(native.timestamps(instants), rows.index)
            if name == "done_at":
                done_at = rows[name]
                _refuse_future(cells, instants, options)
    for name in ("carrier", "tracking_number"):
        if name in cells:
            rows[name] = cells.text(name, max_length=100)
    cells.duplicates(pd.DataFrame({"n": number, "s": stage}), "stage",
                     what="this stage of this order")

    orders = lookup(connection, Order.__table__, "number", number.tolist(), columns=("id", "kind"))
    problems.add(number.notna() & ~number.isin(list(orders)), "order_number",
                 cells.raw("order_number"), "no order with this number; import orders.csv first")
    kinds = number.map(lambda n: orders.get(n, (None, None))[1])
    problems.add((kinds == OrderKind.goods.value) & stage.notna() & ~stage.isin(GOODS_STAGES),
                 "stage", cells.raw("stage"),
                 f"a goods order's stages are: {', '.join(GOODS_STAGES)}")
    order_ids = [orders.get(n, (None,))[0] for n in number.tolist()]
    existing = _existing_stages(connection, {i for i in order_ids if i is not None})
    resolved, clashes = _positions(order_ids, stage.tolist(), position.tolist(),
                                   kinds.tolist(), existing)
    for holder in sorted({h for _pos, h in clashes if h is not None}):
        problems.add(pd.Series([h == holder for _pos, h in clashes], index=rows.index),
                     "position", pd.Series([str(p) for p, _h in clashes], index=rows.index),
                     f"this position is already the stage {holder!r} of this order")
    sheet.check(problems)

    rows["order_id"] = order_ids
    rows["position"] = resolved
    newly_done = []
    if done_at is not None:
        for n, o, s, d in zip(number.tolist(), order_ids, stage.tolist(), done_at.tolist(),
                              strict=True):
            before = existing.get((o, s))
            if d is not None and (before is None or before[2] is None):
                newly_done.append((n, s))
    counts = upsert(connection, DeliveryStage.__table__, rows, key=["order_id", "name"],
                    progress=progress)
    _update_orders(connection, sorted(set(order_ids)), native)
    return ImportResult(Kind.deliveries, len(rows), counts, newly_done=newly_done)


def _refuse_future(cells: Cells, done_at: np.ndarray, options: ImportOptions) -> None:
    """Refuse stages done after the import's now, give or take MAX_CLOCK_SKEW.

    They haven't happened: they would deliver the order and tell the customer too early.
    """
    now = options.now.astimezone(UTC)
    latest = np.datetime64((now + MAX_CLOCK_SKEW).replace(tzinfo=None), "us")
    local = options.now.astimezone(options.zone)
    cells.problems.add(
        pd.Series(done_at > latest, index=cells.frame.index), "done_at", cells.raw("done_at"),
        f"in the future (the import ran at {local:%Y-%m-%d %H:%M} {options.zone.key}); "
        "a stage is done once it has happened: leave done_at blank until then",
    )


def _existing_stages(connection: Connection, order_ids: set[int]) -> dict[tuple[int, str], tuple]:
    """(order id, stage name) -> (stage id, position, done_at) for the given orders."""
    t = DeliveryStage.__table__
    found = {}
    ids = sorted(order_ids)
    for start in range(0, len(ids), CHUNK_ROWS):
        query = select(t.c.order_id, t.c.name, t.c.id, t.c.position, t.c.done_at).where(
            t.c.order_id.in_(ids[start : start + CHUNK_ROWS])
        )
        for order_id, name, *rest in connection.execute(query):
            found[(order_id, name)] = tuple(rest)
    return found


def _positions(order_ids: list, names: list, given: list, kinds: list,
               existing: dict[tuple[int, str], tuple]) -> tuple[list, list[tuple]]:
    """Each row's stage position, and (position, stage already there) where it collides.

    A stage keeps its position unless the file gives one; a new stage without a
    position takes the standard place of a goods stage, else the next free place.
    """
    taken: dict[int, dict[int, str]] = {}
    for (order_id, name), (_id, pos, _done) in existing.items():
        taken.setdefault(order_id, {})[pos] = name
    resolved: list[int | None] = []
    clashes: list[tuple] = []
    for order_id, name, pos, kind in zip(order_ids, names, given, kinds, strict=True):
        if order_id is None or name is None:
            resolved.append(None)
            clashes.append((pos, None))
            continue
        slots = taken.setdefault(order_id, {})
        current = existing.get((order_id, name))
        if pos is None:
            if current is not None:
                pos = current[1]
            elif kind == OrderKind.goods.value and name in GOODS_STAGES:
                pos = GOODS_STAGES.index(name)
            else:
                pos = max(slots, default=-1) + 1
        holder = slots.get(pos)
        if holder is not None and holder != name:
            resolved.append(None)
            clashes.append((pos, holder))
            continue
        for old in [p for p, n in slots.items() if n == name]:
            del slots[old]
        slots[pos] = name
        resolved.append(pos)
        clashes.append((pos, None))
    return resolved, clashes


def _update_orders(connection: Connection, order_ids: list[int], native: Native) -> None:
    """Bring status and delivered_at of the orders in line with their stages."""
    stages_t, orders_t = DeliveryStage.__table__, Order.__table__
    for start in range(0, len(order_ids), CHUNK_ROWS):
        chunk = order_ids[start : start + CHUNK_ROWS]
        stages: dict[int, list[Stage]] = {}
        query = select(stages_t.c.order_id, stages_t.c.position, stages_t.c.name,
                       stages_t.c.done_at).where(stages_t.c.order_id.in_(chunk))
        for order_id, pos, name, done in connection.execute(query):
            stages.setdefault(order_id, []).append(Stage(pos, name, done))
        changed = []
        query = select(orders_t.c.id, orders_t.c.kind, orders_t.c.status,
                       orders_t.c.delivered_at).where(orders_t.c.id.in_(chunk))
        for order_id, kind, status, delivered_at in connection.execute(query):
            derived = derived_status(kind, status, stages.get(order_id, []))
            if derived is not None and derived != (status, delivered_at):
                changed.append({"id": order_id, "status": derived[0],
                                "delivered_at": native.timestamp(derived[1])})
        update_rows(connection, orders_t, changed)
