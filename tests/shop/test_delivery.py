"""Delivery progress: percent done, lateness, the shipment and project answers, stage updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shop import delivery
from shop.delivery import Progress, StageError
from shop.orders import NOT_FOUND, NOT_LINKED
from tests import journey_builders as b
from tests.conftest import BERLIN

USER = 515151


@pytest.fixture
def ann(session, now):
    person = b.customer(session, name="Ann Example", created_at=now - timedelta(days=100))
    b.account(session, telegram_user_id=USER, customer=person)
    return person


@pytest.mark.parametrize(("done", "total", "percent"), [(3, 5, 60), (2, 3, 67), (1, 3, 33), (0, 4, 0),
                                                        (5, 5, 100), (0, 0, 0), (1, 8, 13)])
def test_progress_percent(done, total, percent):
    assert Progress(done, total).percent == percent


def test_progress_counts_done_stages(session, now, ann):
    project = b.project_order(session, owner=ann, number="2001", created_at=now - timedelta(days=30), done=3)
    assert delivery.progress(project) == Progress(3, 5)


def test_days_late(session, now, ann):
    late = b.goods_order(session, owner=ann, number="2002", created_at=now - timedelta(days=10), done=3,
                         promised_at=now - timedelta(days=3))
    assert delivery.days_late(late, now=now, zone=BERLIN) == 3
    late.status, late.delivered_at = "delivered", now
    assert delivery.days_late(late, now=now, zone=BERLIN) == 0
    late.status, late.delivered_at = "cancelled", None
    assert delivery.days_late(late, now=now, zone=BERLIN) == 0


def test_an_order_promised_for_today_is_not_late_until_the_day_is_over(session, ann):
    morning = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    order = b.goods_order(session, owner=ann, number="2003", created_at=morning - timedelta(days=4),
                          done=2, promised_at=morning)
    assert delivery.days_late(order, now=datetime(2026, 11, 20, 22, 59, tzinfo=UTC), zone=BERLIN) == 0
    assert delivery.days_late(order, now=datetime(2026, 11, 20, 23, 1, tzinfo=UTC), zone=BERLIN) == 1


def test_shipment_answer(session, now, ann):
    order = b.goods_order(session, owner=ann, number="2004", created_at=now - timedelta(days=2), done=3,
                          carrier="DHL", tracking="JJD000111")
    text = delivery.describe_delivery(order, now=now, zone=BERLIN)
    assert text.splitlines()[0] == "Order 2004 is on its way with DHL, tracking JJD000111."
    assert "Now: shipped (20 Nov 2026)." in text
    assert "Next: out for delivery, planned for 21 Nov 2026." in text
    assert "Expected delivery: 22 Nov 2026." in text
    assert "late" not in text


def test_late_shipment_says_sorry_with_the_days(session, now, ann):
    order = b.goods_order(session, owner=ann, number="2005", created_at=now - timedelta(days=10), done=3,
                          promised_at=now - timedelta(days=2))
    text = delivery.describe_delivery(order, now=now, zone=BERLIN)
    assert "This is late by 2 days, sorry: we promised it for 18 Nov 2026." in text
    assert "Expected delivery" not in text


def test_not_yet_shipped_and_delivered_answers(session, now, ann):
    packed = b.goods_order(session, owner=ann, number="2006", created_at=now - timedelta(days=1), done=2)
    text = delivery.describe_delivery(packed, now=now, zone=BERLIN)
    assert text.startswith("Order 2006 hasn't shipped yet.")
    arrived = b.goods_order(session, owner=ann, number="2007", created_at=now - timedelta(days=6), done=5)
    text = delivery.describe_delivery(arrived, now=now, zone=BERLIN)
    assert text.startswith("Order 2007 was delivered on 18 Nov 2026.")
    assert "DHL" in text


def test_project_progress_and_next_milestone_on_time(session, now, ann):
    project = b.project_order(session, owner=ann, number="2008", created_at=now - timedelta(days=21), done=3)
    text = delivery.describe_delivery(project, now=now, zone=BERLIN)
    assert text.startswith("Project 2008 (Website project): 3 of 5 milestones done (60%).")
    assert "Done: brief (6 Nov 2026), design (13 Nov 2026), build (20 Nov 2026)." in text
    assert "Next: review, planned for 27 Nov 2026 (on time)." in text


def test_project_milestone_behind_plan(session, now, ann):
    project = b.project_order(session, owner=ann, number="2009", created_at=now - timedelta(days=40), done=2)
    text = delivery.describe_delivery(project, now=now, zone=BERLIN)
    assert "2 of 5 milestones done (40%)" in text
    assert "Next: build, planned for 1 Nov 2026 (19 days behind plan, sorry)." in text


def test_delivery_status_reply_rules(session, now, ann):
    other = b.customer(session, name="Omar Other", created_at=now)
    b.goods_order(session, owner=other, number="2999", created_at=now - timedelta(days=1))
    assert delivery.delivery_status_reply(session, telegram_user_id=999, raw_number="2999", now=now,
                                          zone=BERLIN).text == NOT_LINKED
    foreign = delivery.delivery_status_reply(session, telegram_user_id=USER, raw_number="2999", now=now,
                                             zone=BERLIN)
    assert foreign.text == NOT_FOUND.format(number="2999")
    b.goods_order(session, owner=ann, number="2010", created_at=now - timedelta(days=2), done=3)
    only = delivery.delivery_status_reply(session, telegram_user_id=USER, raw_number=None, now=now,
                                          zone=BERLIN)
    assert only.text.startswith("Order 2010 is on its way")
    b.project_order(session, owner=ann, number="2011", created_at=now - timedelta(days=22))
    pick = delivery.delivery_status_reply(session, telegram_user_id=USER, raw_number=None, now=now,
                                          zone=BERLIN)
    assert pick.text == "You have 2 open orders. Which one do you mean?"
    assert [btn.payload for btn in pick.buttons] == ['/delivery_status{"order_id":"2010"}',
                                                     '/delivery_status{"order_id":"2011"}']


# --- marking stages done ---------------------------------------------------------------------


def test_mark_stage_done_moves_the_order_along(session, now, ann):
    order = b.goods_order(session, owner=ann, number="2020", created_at=now - timedelta(days=2), done=2,
                          carrier=None, tracking=None)
    update = delivery.mark_stage_done(session, order=order, stage="Shipped", done_at=None, now=now,
                                      carrier="UPS", tracking_number="1Z999")
    assert update.changed and update.stage.done_at == now
    assert (update.stage.carrier, update.stage.tracking_number) == ("UPS", "1Z999")
    assert order.status == "shipped"
    later = now + timedelta(minutes=1)
    again = delivery.mark_stage_done(session, order=order, stage="shipped", done_at=later, now=later)
    assert not again.changed and again.stage.done_at == now  # a repeated report keeps the first date
    delivery.mark_stage_done(session, order=order, stage="out for delivery", done_at=None, now=now)
    assert order.status == "out_for_delivery"
    delivered = delivery.mark_stage_done(session, order=order, stage="delivered",
                                         done_at=now - timedelta(hours=1), now=now)
    assert order.status == "delivered" and order.delivered_at == delivered.stage.done_at


def test_mark_stage_done_creates_a_missing_goods_stage(session, now, ann):
    order = b.goods_order(session, owner=ann, number="2021", created_at=now - timedelta(days=2), done=1)
    for stage in list(order.stages)[1:]:
        order.stages.remove(stage)
    session.flush()
    update = delivery.mark_stage_done(session, order=order, stage="shipped", done_at=None, now=now)
    assert update.stage.position == 2 and update.stage.id is not None


@pytest.mark.parametrize(("stage", "done_at", "message"), [
    ("teleported", None, "unknown stage 'teleported'"),
    ("shipped", timedelta(hours=2), "in the future"),
    ("shipped", timedelta(days=-30), "before the order was placed"),
    ("  ", None, "stage is empty"),
])
def test_mark_stage_done_refuses(session, now, ann, stage, done_at, message):
    order = b.goods_order(session, owner=ann, number="2022", created_at=now - timedelta(days=2), done=2)
    with pytest.raises(StageError, match=message):
        delivery.mark_stage_done(session, order=order, stage=stage,
                                 done_at=now + done_at if done_at is not None else None, now=now)


def test_mark_stage_done_refuses_unknown_milestones_and_cancelled_orders(session, now, ann):
    project = b.project_order(session, owner=ann, number="2023", created_at=now - timedelta(days=22))
    with pytest.raises(StageError, match="has no milestone 'shipped'; its milestones: brief, design"):
        delivery.mark_stage_done(session, order=project, stage="shipped", done_at=None, now=now)
    done = delivery.mark_stage_done(session, order=project, stage="review", done_at=None, now=now)
    assert done.changed and project.status == "in_progress"
    parcel = b.goods_order(session, owner=ann, number="2024", created_at=now - timedelta(days=2), done=1,
                           status="cancelled")
    with pytest.raises(StageError, match="cancelled"):
        delivery.mark_stage_done(session, order=parcel, stage="shipped", done_at=None, now=now)
