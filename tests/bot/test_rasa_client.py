"""RasaClient over several Rasa servers (RASA_URL=url1,url2): a server per conversation, skipping the dead."""

from __future__ import annotations

import pytest

from bot.rasa_client import RasaClient, RasaUnavailable
from tests.bot_process import held_port
from tests.stub_rasa import StubRasa


async def test_one_url_works_as_before() -> None:
    async with StubRasa() as rasa:
        client = RasaClient(rasa.url + "/")
        try:
            assert await client.send(7, "hi") == [{"recipient_id": "7", "text": "You said: hi"}]
            assert await client.ready()
        finally:
            await client.aclose()


async def test_each_conversation_keeps_its_server_and_conversations_spread() -> None:
    async with StubRasa() as a, StubRasa() as b:
        client = RasaClient(f"{a.url}, {b.url}")
        try:
            for n in range(3):
                for sender in (7, 8, 9, 10):
                    await client.send(sender, f"{sender}:m{n}")
        finally:
            await client.aclose()
    assert [t for _, t in a.received] == ["8:m0", "10:m0", "8:m1", "10:m1", "8:m2", "10:m2"]
    assert [t for _, t in b.received] == ["7:m0", "9:m0", "7:m1", "9:m1", "7:m2", "9:m2"]


async def test_a_server_that_cannot_be_reached_is_skipped_and_nothing_is_lost() -> None:
    with held_port() as port:
        await _skips_the_dead_one(f"http://127.0.0.1:{port}")


async def _skips_the_dead_one(dead: str) -> None:
    async with StubRasa() as alive:
        client = RasaClient(f"{dead},{alive.url}")
        try:
            answers = [await client.send(8, f"m{n}") for n in range(5)]  # 8's server is the dead one
            assert not await client.ready()  # not every server is up
        finally:
            await client.aclose()
    assert [a[0]["text"] for a in answers] == [f"You said: m{n}" for n in range(5)]
    assert [t for _, t in alive.received] == [f"m{n}" for n in range(5)]  # each exactly once


async def test_all_servers_down_is_rasa_unavailable() -> None:
    with held_port() as one, held_port() as other:
        client = RasaClient(f"http://127.0.0.1:{one},http://127.0.0.1:{other}")
        try:
            with pytest.raises(RasaUnavailable, match="ConnectError"):
                await client.send(7, "hi")
        finally:
            await client.aclose()


async def test_a_slow_server_is_not_retried_elsewhere() -> None:
    """It may have acted on the message: sending it to another server could act twice."""
    async with StubRasa(delay=5) as slow, StubRasa() as quick:
        client = RasaClient(f"{slow.url},{quick.url}", timeout=0.5)
        try:
            with pytest.raises(RasaUnavailable, match="ReadTimeout"):
                await client.send(8, "cancel order 1042")  # 8's server is the slow one
        finally:
            await client.aclose()
    assert quick.received == []


def test_no_url_is_an_error() -> None:
    with pytest.raises(ValueError, match="no Rasa server"):
        RasaClient(" , ")
