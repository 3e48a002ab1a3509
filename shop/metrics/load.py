"""SQL loaders for the metrics: counts and sums per window, computed by the database.

Loaders return small aggregates (a few numbers, or one row per bucket or customer), not
raw orders, so a metric over a million orders stays fast; the one exception is basket
analysis, which reads two integer columns per order line of the window. The queries are
SQLAlchemy Core over the store models and give the same answers on SQLite and
PostgreSQL; the one dialect difference, turning a timestamp into epoch seconds, is
compiled per backend below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from shop.metrics.definitions import MONTH_DAYS, SATISFIED
from shop.models import (
    Customer,
    Feedback,
    Order,
    OrderItem,
    OrderStatus,
    Product,
    Survey,
    Ticket,
    TicketStatus,
)

CANCELLED = OrderStatus.cancelled.value
CURRENCY = bindparam("currency", type_=String())


class epoch_seconds(FunctionElement[int]):  # noqa: N801 - SQL function names are lower case
    """Whole seconds since 1970-01-01 UTC of a timestamp column, on SQLite and PostgreSQL."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return compiler.process(cast(func.strftime("%s", column), Integer), **kw)


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return compiler.process(cast(func.floor(extract("epoch", column)), BigInteger), **kw)


def _total(expression: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[float]:
    """SUM that is 0 rather than NULL over no rows, as a float on every backend."""
    return cast(func.coalesce(func.sum(expression), 0), Float)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _frame(rows: Sequence[Any], columns: Sequence[str], dtype: Any) -> pd.DataFrame:
    """A frame built column by column: pandas is slow to unpack SQLAlchemy rows one by one."""
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return pd.DataFrame(dict(zip(columns, values, strict=True))).astype(dtype)


def _between(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    """start <= column < end."""
    return and_(column >= start, column < end)


def _merged(ranges: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of [start, end) ranges as few disjoint ranges, so each row is read once."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class Source:
    """Rows of one table that fall in a window by one timestamp, summed into named columns.

    The sums are additive, so the same source serves one window (one row) and a trend
    (one row per day, week or month), and the buckets of a trend add up to the window.
    """

    name: str
    time: InstrumentedAttribute[datetime]
    sums: Mapping[str, ColumnElement[Any]]
    filters: tuple[ColumnElement[bool], ...] = ()

    def select(self, start: datetime, end: datetime) -> Select[Any]:
        columns = [expression.label(name) for name, expression in self.sums.items()]
        return select(*columns).where(_between(self.time, start, end), *self.filters)


ORDERS = Source(
    "orders",
    Order.created_at,
    {
        "orders": _total(literal(1)),
        "priced_orders": _total(_flag(Order.currency == CURRENCY)),
        "revenue": _total(case((Order.currency == CURRENCY, Order.total), else_=0)),
    },
    (Order.status != CANCELLED,),
)
DELIVERIES = Source(
    "deliveries",
    Order.delivered_at,  # type: ignore[arg-type]
    {
        "delivered": _total(literal(1)),
        "promised": _total(_flag(Order.promised_at.is_not(None))),
        "on_time": _total(_flag(Order.delivered_at <= Order.promised_at)),
        "delivery_seconds": _total(
            epoch_seconds(Order.delivered_at) - epoch_seconds(Order.created_at)
        ),
    },
    (Order.status != CANCELLED,),
)
FEEDBACK = Source(
    "feedback",
    Feedback.created_at,
    {
        "rated": _total(literal(1)),
        "satisfied": _total(_flag(Feedback.rating >= SATISFIED)),
        "rating_sum": _total(Feedback.rating),
    },
)
SURVEYS = Source(
    "surveys",
    Survey.sent_at,
    {"sent": _total(literal(1)), "answered": _total(_flag(Survey.answered_at.is_not(None)))},
)
SIGNUPS = Source(
    "signups",
    Customer.created_at,
    {
        "new_customers": _total(literal(1)),
        "costed": _total(_flag(Customer.acquisition_cost.is_not(None))),
        "cost_sum": _total(func.coalesce(Customer.acquisition_cost, 0)),
    },
)


def window_sums(
    session: Session, source: Source, start: datetime, end: datetime, *, currency: str
) -> dict[str, float]:
    """The source's sums over [start, end)."""
    row = session.execute(source.select(start, end), {"currency": currency}).one()
    return {name: float(value) for name, value in row._mapping.items()}


def bucket_sums(
    session: Session,
    source: Source,
    buckets: Sequence[tuple[datetime, datetime]],
    *,
    currency: str,
) -> pd.DataFrame:
    """The source's sums for each [start, end) bucket (days, weeks, months of a trend).

    One statement of index range scans glued with UNION ALL: the bucket edges are local
    midnights computed in Python, so the database needs no time-zone arithmetic, and
    no per-row date function or sort is needed to group rows into buckets.
    """
    stmt = union_all(*(
        source.select(start, end).add_columns(literal(index, Integer).label("bucket"))
        for index, (start, end) in enumerate(buckets)
    ))
    rows = session.execute(stmt, {"currency": currency}).all()
    frame = _frame(rows, [*source.sums, "bucket"], "float64")
    return frame.astype({"bucket": "int64"}).set_index("bucket").sort_index()


@dataclass(frozen=True)
class Activity:
    """Who was active around one window: the churn cohort and, when asked for, the buyers."""

    active_at_start: int  # customers active at the window start
    still_active: int  # of those, the ones still active at its end
    buyers: int | None = None  # customers with an order in the window (None: not counted)


def customer_activity(
    session: Session,
    windows: Sequence[tuple[datetime, datetime]],
    *,
    horizon: timedelta,
    buyers: bool = False,
) -> list[Activity]:
    """The `Activity` of each (start, end) window. Active at a moment = a non-cancelled order
    within `horizon` before it.

    A customer's last order before a moment t tells all: they are active at t if it is at
    or after t - horizon, and they bought in [start, end) if their last order before `end`
    is at or after `start`. So one scan grouped by customer, with one "last order before"
    per distinct window edge, answers every window. Only the horizons before the edges (and
    the windows, for buyers) can change the answer, so only they are read, unless they
    cover most of the order history.
    """
    edges = sorted({edge for window in windows for edge in window})
    read = _merged([(edge - horizon, edge) for edge in edges] + (list(windows) if buyers else []))
    first_order, last_order = _order_span(session)
    if first_order is None or last_order is None:
        return [Activity(0, 0, 0 if buyers else None) for _ in windows]
    scan_all = _covered(read, first_order, last_order) * 2 > last_order - first_order
    last_before = [
        # When no order read is after the last edge, its "last order before" is a plain max.
        func.max(Order.created_at if edge == edges[-1] and (not scan_all or last_order < edge)
                 else case((Order.created_at < edge, Order.created_at))).label(f"before{index}")
        for index, edge in enumerate(edges)
    ]
    # A few ranges are read by time, then sorted by customer; once they cover over half of
    # the history, one pass over all orders in customer order (ix_orders_customer_sales, no
    # sort) is cheaper: on SQLite, about half the time for a year against the year before.
    # Orders outside the ranges never change the answer, so both ways give the same one.
    in_ranges = or_(*(_between(Order.created_at, start, end) for start, end in read))
    per_customer = (
        select(*last_before)
        .where(Order.status != CANCELLED, true() if scan_all else in_ranges)
        .group_by(Order.customer_id)
        .subquery()
    )
    last = {edge: per_customer.c[f"before{index}"] for index, edge in enumerate(edges)}

    def active(at: datetime) -> ColumnElement[bool]:
        return last[at] >= at - horizon

    counts: list[ColumnElement[bool]] = []
    for start, end in windows:
        counts += [active(start), and_(active(start), active(end))]
        if buyers:
            counts.append(last[end] >= start)
    row = session.execute(
        select(*(func.coalesce(func.sum(_flag(count)), 0) for count in counts))
    ).one()
    size = 3 if buyers else 2
    return [Activity(*(int(value) for value in row[index * size:(index + 1) * size]))
            for index in range(len(windows))]


def _order_span(session: Session) -> tuple[datetime | None, datetime | None]:
    """When the first and the last order were placed (two index lookups)."""
    first, last = session.execute(select(
        select(func.min(Order.created_at)).scalar_subquery(),
        select(func.max(Order.created_at)).scalar_subquery(),
    )).one()
    return first, last


def _covered(ranges: Sequence[tuple[datetime, datetime]], first: datetime, last: datetime
             ) -> timedelta:
    """How much of [first, last] the disjoint `ranges` cover."""
    return sum((min(end, last) - max(start, first) for start, end in ranges
                if end > first and start < last), timedelta())


def buyers(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """(customers who ordered in the window, those of them who are repeat customers).

    A repeat customer placed two orders in the window, or one in it and any order before
    it. That earlier order counts even if it was cancelled later (the customer came back),
    which keeps the check a lookup in the (customer_id, created_at) index, no table read.
    """
    in_window = (
        select(Order.customer_id, func.count().label("orders"))
        .where(_between(Order.created_at, start, end), Order.status != CANCELLED)
        .group_by(Order.customer_id)
        .subquery()
    )
    earlier = aliased(Order)
    ordered_before = (
        select(earlier.id)
        .where(
            earlier.customer_id == in_window.c.customer_id, earlier.created_at < start
        )
        .exists()
    )
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(_flag(or_(in_window.c.orders >= 2, ordered_before))), 0),
        )
    ).one()
    return int(row[0]), int(row[1])


def open_tickets(session: Session, at: datetime) -> int:
    """Tickets created before `at` and not resolved by then."""
    return session.execute(
        select(func.count()).where(
            Ticket.created_at < at, or_(Ticket.resolved_at.is_(None), Ticket.resolved_at >= at),
            Ticket.status != TicketStatus.cancelled.value,  # taken back by the customer: never open
        )
    ).scalar_one()


def first_response_seconds(session: Session, start: datetime, end: datetime) -> list[float]:
    """Seconds from ticket to first staff reply, for first replies sent in the window."""
    first_reply = Ticket.first_response_at
    return _ticket_durations(session, first_reply, start, end)  # type: ignore[arg-type]


def resolution_seconds(session: Session, start: datetime, end: datetime) -> list[float]:
    """Seconds from ticket to resolution, for tickets resolved in the window."""
    return _ticket_durations(session, Ticket.resolved_at, start, end)  # type: ignore[arg-type]


def _ticket_durations(
    session: Session, event: InstrumentedAttribute[datetime], start: datetime, end: datetime
) -> list[float]:
    seconds = epoch_seconds(event) - epoch_seconds(Ticket.created_at)
    stmt = select(seconds).where(_between(event, start, end))
    return [float(value) for value in session.scalars(stmt)]


def top_customers(
    session: Session, start: datetime, end: datetime, *, top: int, currency: str
) -> pd.DataFrame:
    """The `top` customers by value score (definitions.rank_customers) over the window.

    The score is computed here too, in SQL, only to pick the few rows worth returning;
    `rank_customers` computes the reported score from the same columns.
    """
    spent = (
        select(
            Order.customer_id,
            _total(Order.total).label("revenue"),
            func.count().label("orders"),
        )
        .where(
            _between(Order.created_at, start, end),
            Order.status != CANCELLED,
            Order.currency == currency,
        )
        .group_by(Order.customer_id)
        .subquery()
    )
    since = literal(int(end.timestamp()), BigInteger) - epoch_seconds(Customer.created_at)
    tenure_days = cast(since, Float) / 86400
    months = tenure_days / MONTH_DAYS
    loyalty = case((months < 1, 1.0), else_=months)  # definitions.loyalty_months, in SQL
    score = spent.c.revenue * spent.c.orders * loyalty
    stmt = (
        select(
            Customer.id.label("customer_id"),
            Customer.name,
            spent.c.revenue,
            spent.c.orders,
            tenure_days.label("tenure_days"),
        )
        .join(spent, spent.c.customer_id == Customer.id)
        .where(Customer.erased_at.is_(None))
        .order_by(score.desc(), Customer.id)
        .limit(top)
    )
    columns = ["customer_id", "name", "revenue", "orders", "tenure_days"]
    return _frame(session.execute(stmt).all(), columns, {
        "customer_id": "int64", "name": "object", "revenue": "float64", "orders": "int64",
        "tenure_days": "float64",
    })


def basket_lines(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """(order_id, product_id) of every line of the window's non-cancelled orders.

    Pairs are counted in pandas (definitions.item_pairs): one narrow scan here is far
    cheaper than a self-join grouped by product pair, on SQLite and PostgreSQL alike. The
    rows stream straight into one integer array: a list of rows first would cost as much
    again as the query.
    """
    result = session.execute(
        select(OrderItem.order_id, OrderItem.product_id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(_between(Order.created_at, start, end), Order.status != CANCELLED)
    )
    lines = np.fromiter(chain.from_iterable(result), dtype=np.int64).reshape(-1, 2)
    return pd.DataFrame(lines, columns=["order_id", "product_id"])


def product_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Names of the given products."""
    rows = session.execute(select(Product.id, Product.name).where(Product.id.in_(ids)))
    return {product_id: name for product_id, name in rows}
