"""The load bench's bot, in a process of its own: `python -m bench.load_bot SETTINGS.json`.

The bench process holds the local Bot API and the simulated customers; this one holds only
the assistant's bot (the real Application, polling that Bot API), so that its CPU per
message is measured apart from the customers'. It prints "ready" once it polls, and stops
on SIGTERM or when its standard input closes (the bench ended, however it ended).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from bot.app import build_application
from bot.runtime import run, running
from bot.services import Services
from shop.settings import Settings


async def serve(fields: dict[str, object], token: str) -> None:
    settings = Settings(_env_file=None, **fields)  # type: ignore[call-arg, arg-type]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    # the bench holds our stdin's other end: its end of file means the bench is gone
    def bench_gone() -> None:
        if not os.read(sys.stdin.fileno(), 1):
            stop.set()

    loop.add_reader(sys.stdin.fileno(), bench_gone)
    async with Services.create(settings) as services, \
            running(build_application(services, token=token), settings):
        print("ready", flush=True)
        await stop.wait()


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    run(serve(spec["settings"], spec["token"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
