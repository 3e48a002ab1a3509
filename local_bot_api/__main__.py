"""Run the local Bot API standalone, to poke at it by hand or point a bot at it.

    python -m local_bot_api --port 8081 --token 123456:TEST-TOKEN --user 1001

Every Bot API call is logged. Lines typed on standard input, ``<user id> <text>``, are
sent to the bot as messages from that user, and the bot's replies are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from .server import LocalBotApi


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local_bot_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument(
        "--user", type=int, action="append", default=[], help="a user id to create (repeatable)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("local_bot_api").setLevel(logging.DEBUG)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.token, args.user))


async def _serve(host: str, port: int, token: str, user_ids: list[int]) -> None:
    server = LocalBotApi(token, host=host, port=port)
    async with server:
        for user_id in user_ids:
            server.user(user_id)
        print(f"base_url={server.base_url} base_file_url={server.base_file_url}", flush=True)
        print("type '<user id> <text>' to write to the bot", flush=True)
        while line := await asyncio.to_thread(sys.stdin.readline):
            user_id, _, text = line.strip().partition(" ")
            if not user_id.isdigit() or not text:
                print("usage: <user id> <text>", flush=True)
                continue
            user = server.user(int(user_id))
            await user.send(text)
            try:
                for reply in await user.wait_for(count=1, timeout=5):
                    print(f"bot -> {user_id}: {reply.summary()}", flush=True)
            except TimeoutError as exc:
                print(exc, flush=True)
        await asyncio.Event().wait()  # stdin closed: keep serving until interrupted


if __name__ == "__main__":
    main()
