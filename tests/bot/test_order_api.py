"""The order API: bearer token, clear JSON errors, and stages marked done in the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.order_api import make_app
from bot.services import Services
from shop.db import transaction
from shop.models import DeliveryStage, Order
from tests import journey_builders as b

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def services(services: Services) -> Services:
    """The shared services, with a customer's goods order (8001) and project (8002)."""
    now = datetime.now(UTC)
    with transaction(services.sessions) as session:
        person = b.customer(session, name="Api Customer", created_at=now - timedelta(days=10))
        b.goods_order(session, owner=person, number="8001", created_at=now - timedelta(days=2), done=2,
                      carrier=None, tracking=None)
        b.project_order(session, owner=person, number="8002", created_at=now - timedelta(days=21))
    return services


@pytest.fixture
def changes() -> list[int]:
    return []


@pytest_asyncio.fixture
async def client(services, changes) -> AsyncIterator[TestClient]:
    app = make_app(services, token=TOKEN, on_change=lambda: changes.append(1))
    async with TestClient(TestServer(app)) as made:
        yield made


def stage(services: Services, number: str, name: str) -> DeliveryStage:
    with services.sessions() as session:
        return session.scalar(select(DeliveryStage).join(Order).where(
            Order.number == number, DeliveryStage.name == name))


def status(services: Services, number: str) -> str:
    with services.sessions() as session:
        return session.scalar(select(Order.status).where(Order.number == number))


async def test_marks_a_stage_done_and_wakes_the_notifier(client, services, changes):
    when = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    response = await client.post("/api/orders/8001/stages", headers=AUTH, json={
        "stage": "shipped", "carrier": "DHL", "tracking_number": "JJD123",
        "done_at": when.astimezone(timezone(timedelta(hours=1))).isoformat()})
    assert response.status == 200
    body = await response.json()
    assert body == {"order": "8001", "stage": "shipped", "done_at": when.isoformat(),
                    "status": "shipped", "changed": True}
    shipped = stage(services, "8001", "shipped")
    assert (shipped.carrier, shipped.tracking_number, shipped.notified_at) == ("DHL", "JJD123", None)
    assert status(services, "8001") == "shipped"
    assert changes == [1]
    again = await client.post("/api/orders/8001/stages", headers=AUTH, json={"stage": "shipped"})
    assert (await again.json())["changed"] is False
    assert changes == [1]  # nothing new to tell


async def test_naive_times_are_in_the_business_time_zone(client, services):
    when = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    naive = when.astimezone(services.settings.zone).replace(tzinfo=None)
    response = await client.post("/api/orders/8002/stages", headers=AUTH,
                                 json={"stage": "review", "done_at": naive.isoformat()})
    assert response.status == 200
    assert stage(services, "8002", "review").done_at == when


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
async def test_401_without_the_token(client, services, headers):
    response = await client.post("/api/orders/8001/stages", headers=headers, json={"stage": "shipped"})
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert (await response.json())["error"] == "unauthorized"
    assert stage(services, "8001", "shipped").done_at is None


async def test_404_for_an_unknown_order(client):
    response = await client.post("/api/orders/9999/stages", headers=AUTH, json={"stage": "shipped"})
    assert response.status == 404
    assert await response.json() == {"error": "not_found", "detail": "no order 9999"}


@pytest.mark.parametrize(("body", "detail"), [
    ({"stage": "teleported"}, "unknown stage 'teleported'"),
    ({"stage": ""}, "stage is required"),
    ({}, "stage is required"),
    ({"stage": "shipped", "done_at": "yesterday"}, "not an ISO 8601 date-time"),
    ({"stage": "shipped", "done_at": 1732000000}, "must be an ISO 8601 date-time"),
    ({"stage": "shipped", "done_at": "2099-01-01T00:00:00Z"}, "in the future"),
    ({"stage": "shipped", "carrier": "x" * 101}, "carrier must be a text"),
    ({"stage": "shipped", "colour": "red"}, "unknown field(s): colour"),
])
async def test_422_for_a_bad_stage_or_date(client, services, body, detail):
    response = await client.post("/api/orders/8001/stages", headers=AUTH, json=body)
    assert response.status == 422
    answer = await response.json()
    assert answer["error"] == "invalid" and detail in answer["detail"]
    assert stage(services, "8001", "shipped").done_at is None


async def test_422_for_an_unknown_milestone(client):
    response = await client.post("/api/orders/8002/stages", headers=AUTH, json={"stage": "shipped"})
    assert response.status == 422
    assert "has no milestone 'shipped'" in (await response.json())["detail"]


@pytest.mark.parametrize("data", ["not json", "[1, 2]"])
async def test_400_for_a_body_that_is_not_a_json_object(client, data):
    headers = {**AUTH, "Content-Type": "application/json"}
    response = await client.post("/api/orders/8001/stages", headers=headers, data=data)
    assert response.status == 400
    assert (await response.json())["error"] == "bad_request"
