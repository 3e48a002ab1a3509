"""Start the action server on BIND_HOST:ACTION_SERVER_PORT.

rasa-sdk's own CLI always listens on 0.0.0.0; this entry point binds to the configured
host (127.0.0.1 by default) and otherwise starts the server as rasa-sdk does, with one more
route: Rasa's NLG endpoint, domain.yml's responses in the reader's language (actions/nlg.py).
"""

from __future__ import annotations

import logging
import os

from rasa_sdk import utils
from rasa_sdk.executor import ActionExecutor

from actions import nlg
from shop.settings import load_settings


def main() -> None:
    settings = load_settings()
    os.environ["SANIC_HOST"] = settings.bind_host
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("matplotlib", "sanic.access", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package("actions")
    nlg.serve(executor, host=settings.bind_host, port=settings.action_server_port)


if __name__ == "__main__":
    main()
