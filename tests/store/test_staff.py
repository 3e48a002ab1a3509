"""Staff and owner roles on Telegram accounts."""

from __future__ import annotations

import pytest

from shop import demo, staff
from shop.models import Role


def roles(session):  # type: ignore[no-untyped-def]
    return [(a.telegram_user_id, a.role, a.display_name) for a in staff.list_staff(session)]


def test_add_list_remove(session):
    staff.add_staff(session, telegram_user_id=42, role=Role.staff, name="Kim")
    staff.add_staff(session, telegram_user_id=7, role=Role.owner)
    assert roles(session) == [(7, "owner", None), (42, "staff", "Kim")]
    staff.add_staff(session, telegram_user_id=42, role=Role.owner)  # promote, name kept
    assert roles(session) == [(7, "owner", None), (42, "owner", "Kim")]
    account = staff.remove_staff(session, telegram_user_id=7)
    assert account.role == "customer"
    assert roles(session) == [(42, "owner", "Kim")]


def test_a_customer_account_keeps_its_link_when_made_staff(session, now):
    demo.seed_personas(session, now=now)
    account = staff.add_staff(session, telegram_user_id=demo.CUSTOMER.telegram_user_id,
                              role=Role.staff)
    assert account.customer is not None and account.chat_id == 1001


def test_the_last_owner_stays(session):
    staff.add_staff(session, telegram_user_id=7, role=Role.owner)
    with pytest.raises(staff.StaffError, match="only owner"):
        staff.remove_staff(session, telegram_user_id=7)
    with pytest.raises(staff.StaffError, match="only owner"):
        staff.add_staff(session, telegram_user_id=7, role=Role.staff)


def test_refusals(session):
    with pytest.raises(staff.StaffError, match="role must be"):
        staff.add_staff(session, telegram_user_id=9, role=Role.customer)
    with pytest.raises(staff.StaffError, match="not staff"):
        staff.remove_staff(session, telegram_user_id=9)
