"""Growing past one machine (README "Scaling"): two Rasa servers and two action servers.

Everything shared lives outside the processes: the store and Rasa's tracker store on
PostgreSQL (fresh temporary databases), Rasa's lock store on Redis. Messages of the same
conversations go through both Rasa servers, interleaved and at the same time, and the
dialogue stays one: a form started on one server is finished on the other, every turn is
in the tracker once and whole, and the bot, which gives each conversation one of the two
(RASA_URL with two URLs), moves a conversation to the other when its server dies.

Heavy (two Rasa processes, about 1.5 GB and a minute or two to load), so one module.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from local_bot_api import LocalBotApi
from rasa_runtime.supervisor import Supervisor, actions_spec, rasa_spec
from shop.db import make_engine, make_session_factory
from shop.models import Feedback, Order, Role, Ticket
from shop.ratings import LOW
from shop.settings import PROJECT_ROOT, Settings
from shop.startup import prepare_store
from tests import journey_builders as b
from tests.e2e.conftest import bot_settings, free_port, run_bot
from tests.pg_temp import temporary_database
from tests.waiting import eventually_sync

pytestmark = pytest.mark.asyncio(loop_scope="session")

REDIS_URL = "redis://127.0.0.1:6379/7"
_people = iter(range(860_001, 869_999))


@dataclass
class Cluster:
    settings: Settings
    supervisor: Supervisor
    sessions: sessionmaker[Session]
    rasa: list[str]  # the two Rasa servers' URLs


def redis_or_skip() -> None:
    """PING over a plain socket (the redis client lives in Rasa's environment, not here)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        answer = str(exc).encode()
    if not answer.startswith(b"+PONG"):
        if os.environ.get("CI"):
            raise RuntimeError(f"Redis not reachable at {REDIS_URL}: {answer!r}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {answer!r}")


def wait_for_table(url: str, table: str, timeout: float = 300) -> None:
    """Rasa creates its tracker tables at start-up; two servers doing it at once would collide."""
    engine = make_engine(url)
    try:
        eventually_sync(lambda: inspect(engine).has_table(table), timeout=timeout, poll=1.0,
                        what=f"Rasa to create {table!r}")
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    redis_or_skip()
    folder = tmp_path_factory.mktemp("scale")
    with temporary_database("cs_scale_store") as store_url, \
            temporary_database("cs_scale_tracker") as tracker_url:
        rasa_ports, action_ports = [free_port(), free_port()], [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{p}" for p in rasa_ports]
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=store_url, rasa_tracker_store_url=tracker_url,
            rasa_lock_store_url=REDIS_URL, rasa_url=",".join(urls),
            action_server_port=action_ports[0], rasa_model=PROJECT_ROOT / "models" / "current.tar.gz",
            tz="Europe/Berlin", telegram_rate_per_chat=0, telegram_rate_per_group=0, incoming_limit=0)
        prepare_store(settings, now=datetime.now(UTC), demo_data=True)
        specs = [
            actions_spec(settings, name="actions-a", port=action_ports[0]),
            actions_spec(settings, name="actions-b", port=action_ports[1]),
            rasa_spec(settings, name="rasa-a", port=rasa_ports[0],
                      action_url=f"http://127.0.0.1:{action_ports[0]}/webhook"),
            rasa_spec(settings, name="rasa-b", port=rasa_ports[1],
                      action_url=f"http://127.0.0.1:{action_ports[1]}/webhook"),
        ]
        engine = make_engine(store_url)
        try:
            with Supervisor(specs, log_dir=folder / "logs") as supervisor:
                supervisor.start(["actions-a", "actions-b", "rasa-a"])
                wait_for_table(tracker_url, "events")
                supervisor.start(["rasa-b"])
                supervisor.wait_ready(timeout=600)
                yield Cluster(settings, supervisor, make_session_factory(engine), urls)
        finally:
            engine.dispose()


def customer_with_a_delivered_order(sessions: sessionmaker[Session]) -> tuple[int, str]:
    telegram_id = next(_people)
    number = str(telegram_id)[-5:]
    now = datetime.now(UTC)
    with sessions() as session, session.begin():
        person = b.customer(session, name=f"Scale {telegram_id}", created_at=now - timedelta(days=90))
        b.account(session, telegram_user_id=telegram_id, customer=person, role=Role.customer)
        b.goods_order(session, owner=person, number=number, created_at=now - timedelta(days=9), done=5)
    return telegram_id, number


async def say(client: httpx.AsyncClient, server: str, sender: int, text: str) -> list[dict[str, Any]]:
    response = await client.post(f"{server}/webhooks/rest/webhook",
                                 json={"sender": str(sender), "message": text})
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


async def tracker(client: httpx.AsyncClient, server: str, sender: int) -> dict[str, Any]:
    response = await client.get(f"{server}/conversations/{sender}/tracker")
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def text_of(message: dict[str, Any]) -> str:
    """A bot message's text, also when it travels inside one of our custom payloads."""
    return str(message.get("text") or (message.get("custom") or {}).get("text") or "")


def turns(events: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(user text, the bot texts after it up to the next user message) for each user message."""
    found: list[tuple[str, list[str]]] = []
    for event in events:
        if event["event"] == "user":
            found.append((event.get("text") or "", []))
        elif event["event"] == "bot" and found:
            found[-1][1].append(event.get("text") or "")
    return found


class TestTwoRasaServers:
    async def test_a_form_started_on_one_server_is_finished_on_the_other(self, cluster: Cluster) -> None:
        """Low rating on server A (the reason form starts), the reason on server B, a question
        on A again: for several customers at once. The form's state crossed servers."""
        people = [customer_with_a_delivered_order(cluster.sessions) for _ in range(4)]
        a, b_ = cluster.rasa

        async def conversation(client: httpx.AsyncClient, index: int, sender: int, number: str) -> None:
            first, second = (a, b_) if index % 2 == 0 else (b_, a)
            rated = await say(client, first, sender, '/give_feedback{"rating":"2"}')
            assert rated[0]["text"] == LOW["order"].format(number=number)  # and the form asks why
            thanked = await say(client, second, sender, f"the box for {number} arrived crushed")
            assert any("Thank you for telling us" in text_of(m) for m in thanked), thanked
            status = await say(client, first, sender, f'/order_status{{"order_id":"{number}"}}')
            assert status and (status[0].get("text") or "").startswith(f"Order {number}")

        async with httpx.AsyncClient(timeout=120) as client:
            await asyncio.gather(*(conversation(client, i, s, n) for i, (s, n) in enumerate(people)))
            for sender, number in people:
                for server in cluster.rasa:  # both servers see the same conversation
                    events = (await tracker(client, server, sender))["events"]
                    said = [text for text, _ in turns(events)]
                    assert said == ['/give_feedback{"rating":"2"}', f"the box for {number} arrived crushed",
                                    f'/order_status{{"order_id":"{number}"}}']
                    assert all(replies for _, replies in turns(events)), turns(events)
        with cluster.sessions() as session:
            for sender, number in people:
                feedback = session.scalars(select(Feedback).join(Order, Feedback.order_id == Order.id)
                                           .where(Order.number == number)).one()
                assert (feedback.rating, feedback.comment) == (2, f"the box for {number} arrived crushed")
                assert session.scalars(select(Ticket).where(Ticket.telegram_user_id == sender,
                                                            Ticket.reason == "low_rating")).one()

    async def test_simultaneous_messages_of_one_conversation_on_both_servers_stay_whole(
            self, cluster: Cluster) -> None:
        """The Redis lock store makes the two servers take a conversation's turns one at a time."""
        sender, number = customer_with_a_delivered_order(cluster.sessions)
        texts = [f'/order_status{{"order_id":"{number}"}}', "/list_orders"] * 4
        async with httpx.AsyncClient(timeout=120) as client:
            answers = await asyncio.gather(*(say(client, cluster.rasa[i % 2], sender, text)
                                             for i, text in enumerate(texts)))
            assert all(answers)
            events = (await tracker(client, cluster.rasa[0], sender))["events"]
        found = turns(events)
        assert sorted(text for text, _ in found) == sorted(texts)  # each message once
        for text, replies in found:  # and each turn whole: its own answer right after it
            assert len(replies) >= 1
            if text.startswith("/order_status"):
                assert replies[0].startswith(f"Order {number}")
            else:
                assert number in replies[0]


@pytest_asyncio.fixture(loop_scope="session", scope="class")
async def balanced_bot(cluster: Cluster, api: LocalBotApi) -> AsyncIterator[None]:
    settings = bot_settings(cluster.settings, api)
    async with run_bot(settings):
        yield


@pytest.mark.usefixtures("balanced_bot")
class TestTheBotBalances:
    async def test_the_bot_moves_a_conversation_off_a_dead_server(self, cluster: Cluster,
                                                                   api: LocalBotApi) -> None:
        sender, number = customer_with_a_delivered_order(cluster.sessions)
        user = api.user(sender)
        for _ in range(4):  # the conversation's own server (tests/bot/test_rasa_client.py: which one)
            await user.send(f"where is my order {number}?")
            [reply] = await user.wait_for(1, timeout=60)
            assert reply.text is not None and reply.text.startswith(f"Order {number}")
        cluster.supervisor.kill(("rasa-a", "rasa-b")[sender % 2])
        for _ in range(3):  # its server is dead: the other one takes the conversation over
            await user.send(f"where is my order {number}?")
            [reply] = await user.wait_for(1, timeout=60)
            assert reply.text is not None and reply.text.startswith(f"Order {number}")
        async with httpx.AsyncClient(timeout=30) as client:
            alive = cluster.rasa[1 - sender % 2]
            said = [t for t, _ in turns((await tracker(client, alive, sender))["events"])]
        assert len(said) == 7  # all seven turns in the one shared conversation
        with cluster.sessions() as session:
            assert session.scalars(select(Ticket).where(Ticket.telegram_user_id == sender)).first() is None
