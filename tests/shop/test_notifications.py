"""Which done stages are announced to whom, with what text; everything else is marked handled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop import accounts, notifications
from shop.i18n import translator
from shop.models import DeliveryStage, TelegramAccount
from tests import journey_builders as b
from tests.conftest import BERLIN

MAX_AGE = timedelta(hours=12)
USER = 919191


@pytest.fixture
def ann(session, now):
    person = b.customer(session, name="Ann Example", created_at=now - timedelta(days=300))
    b.account(session, telegram_user_id=USER, customer=person)
    return person


def claim(session, now):
    found = notifications.claim_announcements(session, now=now, max_age=MAX_AGE, zone=BERLIN)
    session.expire_all()
    return found


def mark_done(session, order, name, at, **values):
    stage = next(s for s in order.stages if s.name == name)
    stage.done_at = at
    for key, value in values.items():
        setattr(stage, key, value)
    session.flush()
    return stage


def unannounced(session):
    return session.scalars(select(DeliveryStage).where(DeliveryStage.done_at.is_not(None),
                                                       DeliveryStage.notified_at.is_(None))).all()


def test_a_shipped_parcel_is_announced_once(session, now, ann):
    order = b.goods_order(session, owner=ann, number="6001", created_at=now - timedelta(days=2), done=2,
                          promised_at=now + timedelta(days=3))
    stage = mark_done(session, order, "shipped", now - timedelta(minutes=5), tracking_number="JJD77")
    [item] = claim(session, now)
    assert (item.chat_id, item.telegram_user_id, item.order_number, item.stage_id) == (USER, USER, "6001",
                                                                                       stage.id)
    assert item.text == ("Good news: your order 6001 has shipped with DHL, tracking JJD77. "
                         "Expected delivery: 22 Nov 2026.")
    assert not item.survey
    assert session.get(DeliveryStage, stage.id).notified_at == now
    assert claim(session, now + timedelta(seconds=5)) == []


def test_out_for_delivery_and_delivered_texts(session, now, ann):
    order = b.goods_order(session, owner=ann, number="6002", created_at=now - timedelta(days=3), done=3)
    mark_done(session, order, "out_for_delivery", now)
    [out] = claim(session, now)
    assert out.text == "Your order 6002 is out for delivery today with DHL (tracking JJD0001)."
    mark_done(session, order, "delivered", now)
    [arrived] = claim(session, now)
    assert arrived.text == "Your order 6002 has been delivered. We hope you enjoy it!"
    assert arrived.survey


def test_placed_and_packed_are_marked_without_a_message(session, now, ann):
    order = b.goods_order(session, owner=ann, number="6003", created_at=now, done=0)
    mark_done(session, order, "placed", now)
    mark_done(session, order, "packed", now)
    assert claim(session, now) == []
    assert unannounced(session) == []


def test_several_new_stages_of_one_order_give_one_message_about_the_furthest(session, now, ann):
    order = b.goods_order(session, owner=ann, number="6004", created_at=now - timedelta(days=3), done=2)
    mark_done(session, order, "shipped", now - timedelta(minutes=30))
    mark_done(session, order, "out_for_delivery", now - timedelta(minutes=1))
    [item] = claim(session, now)
    assert "out for delivery" in item.text
    assert unannounced(session) == []


def test_stale_stages_are_marked_silently(session, now, ann):
    order = b.goods_order(session, owner=ann, number="6005", created_at=now - timedelta(days=3), done=2)
    mark_done(session, order, "shipped", now - MAX_AGE - timedelta(minutes=1))
    assert claim(session, now) == []
    assert unannounced(session) == []


@pytest.mark.parametrize(("started", "blocked"), [(False, False), (True, True)])
def test_unreachable_accounts_are_skipped_and_the_stage_is_not_retried(session, now, started, blocked):
    person = b.customer(session, name="Quiet", created_at=now - timedelta(days=5))
    b.account(session, telegram_user_id=USER + 1, customer=person, started=started, blocked=blocked)
    order = b.goods_order(session, owner=person, number="6006", created_at=now - timedelta(days=2), done=2)
    mark_done(session, order, "shipped", now)
    assert claim(session, now) == []
    assert unannounced(session) == []


def test_customers_without_telegram_are_marked_too(session, now):
    person = b.customer(session, name="Offline", created_at=now - timedelta(days=5))
    order = b.goods_order(session, owner=person, number="6007", created_at=now - timedelta(days=2), done=2)
    mark_done(session, order, "shipped", now)
    assert claim(session, now) == []
    assert unannounced(session) == []


def test_every_reachable_account_of_the_customer_hears(session, now, ann):
    b.account(session, telegram_user_id=USER + 2, customer=ann)
    order = b.goods_order(session, owner=ann, number="6008", created_at=now - timedelta(days=2), done=2)
    mark_done(session, order, "shipped", now)
    assert sorted(item.chat_id for item in claim(session, now)) == [USER, USER + 2]


def test_each_account_hears_in_the_language_it_was_last_answered_in(session, now, ann):
    accounts.choose_language(session, telegram_user_id=USER, language="de")
    b.account(session, telegram_user_id=USER + 3, customer=ann)
    accounts.choose_language(session, telegram_user_id=USER + 3, language="zh")
    order = b.goods_order(session, owner=ann, number="6011", created_at=now - timedelta(days=2), done=2,
                          promised_at=now + timedelta(days=3))
    mark_done(session, order, "shipped", now, tracking_number="JJD78")
    german, chinese = sorted(claim(session, now), key=lambda item: item.chat_id)
    assert (german.language, german.text) == ("de", "Gute Nachricht: Ihre Bestellung 6011 wurde mit DHL "
                                               "verschickt, Sendungsnummer JJD78. Voraussichtliche "
                                               "Zustellung: 22. Nov. 2026.")
    assert (chinese.language, chinese.text) == ("zh", "好消息：您的订单6011已由DHL发货，运单号JJD78。"
                                                "预计送达：2026年11月22日。")
    assert notifications.survey_question("6011", translator("de")).startswith(
        "Wie zufrieden sind Sie mit Bestellung 6011?")


def test_cancelled_orders_are_not_announced(session, now, ann):
    order = b.goods_order(session, owner=ann, number="6009", created_at=now - timedelta(days=2), done=2,
                          status="cancelled")
    mark_done(session, order, "shipped", now)
    assert claim(session, now) == []


def test_project_milestones(session, now, ann):
    project = b.project_order(session, owner=ann, number="6010", created_at=now - timedelta(days=21), done=3)
    mark_done(session, project, "review", now)
    [item] = claim(session, now)
    assert item.text == ("Update on your project 6010: review is done. 4 of 5 milestones done (80%). "
                         "Next: launch, planned for 4 Dec 2026.")
    assert not item.survey
    mark_done(session, project, "launch", now)
    [last] = claim(session, now)
    assert last.text.startswith("Your project 6010 is complete: all 5 milestones are done")
    assert last.survey


def test_claiming_is_atomic_and_a_released_stage_comes_back(session, now, ann):
    order = b.goods_order(session, owner=ann, number="6011", created_at=now - timedelta(days=2), done=2)
    stage = mark_done(session, order, "shipped", now)
    assert notifications.claim(session, stage.id, now=now)
    assert not notifications.claim(session, stage.id, now=now)  # a second process gets nothing
    notifications.release(session, stage.id)
    session.expire_all()
    [again] = claim(session, now + timedelta(seconds=10))
    assert again.stage_id == stage.id


def test_a_blocked_chat_and_a_user_without_a_chat_are_marked(session, now, ann):
    assert accounts.mark_blocked(session, chat_id=USER)
    account = session.scalar(select(TelegramAccount).where(TelegramAccount.telegram_user_id == USER))
    assert account.blocked and account.started
    assert not accounts.mark_blocked(session, chat_id=USER)  # already marked: nothing changed
    notifications.mark_not_started(session, telegram_user_id=USER)
    assert not account.started
    assert not accounts.mark_blocked(session, chat_id=123)  # unknown: no error
    notifications.mark_not_started(session, telegram_user_id=123)
