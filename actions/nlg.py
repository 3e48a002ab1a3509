"""domain.yml's responses in the reader's language: Rasa's NLG endpoint, served by the action server.

Rasa asks `POST /nlg` (endpoints.yml `nlg`) for every `utter_*` response with the tracker; the
answer is the domain's text and button titles through the message catalogs, in the language
the bot chose for the message (its metadata) or the one last used with the user. Button
payloads stay as they are: they are what Rasa reads back. `python -m actions` adds the route.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cache, partial
from pathlib import Path
from typing import Any

import orjson
import yaml
from rasa_sdk import endpoint, utils
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request

from actions.base import store
from shop import accounts
from shop.i18n import LANGUAGE_KEY, Translator, supported_language, translator

log = logging.getLogger(__name__)

DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"
ROUTE = "/nlg"


@cache
def domain_responses(path: Path = DOMAIN_FILE) -> dict[str, list[dict[str, Any]]]:
    """domain.yml's responses (name → variations), read once."""
    with path.open(encoding="utf-8") as file:
        domain = yaml.safe_load(file) or {}
    return {str(name): list(variations or []) for name, variations in (domain.get("responses") or {}).items()}


def render(name: str, tr: Translator) -> dict[str, Any]:
    """The first variation of response `name`, translated; {} (nothing to say) if there is none."""
    variations = domain_responses().get(name)
    if not variations:
        log.warning("NLG asked for %r, which domain.yml does not define", name)
        return {}
    variation = variations[0]
    message: dict[str, Any] = {}
    if variation.get("text"):
        message["text"] = tr._(str(variation["text"]))
    if variation.get("buttons"):
        message["buttons"] = [{"title": tr._(str(b.get("title", ""))), "payload": b.get("payload")}
                              for b in variation["buttons"]]
    return message


def tracker_language(tracker: dict[str, Any]) -> tuple[str | None, int | None]:
    """The language the bot chose for the latest message, and the sender's Telegram id."""
    metadata = (tracker.get("latest_message") or {}).get("metadata") or {}
    language = (supported_language(str(metadata.get(LANGUAGE_KEY) or ""))
                if isinstance(metadata, dict) else None)
    try:
        sender = int(tracker.get("sender_id") or "")
    except ValueError:
        sender = None
    return language, sender


async def language_for(tracker: dict[str, Any]) -> Translator:
    language, sender = tracker_language(tracker)
    if language is None and sender is not None:
        def stored() -> str | None:
            _, sessions = store()
            with sessions() as session:
                return accounts.stored_language(session, sender)
        try:
            language = await asyncio.to_thread(stored)
        except Exception:  # the store is down: English rather than no answer
            log.exception("NLG could not read the language of sender %s", sender)
    return translator(language)


async def handle(request: Request) -> response.HTTPResponse:
    """Rasa's NLG request ({"response": name, "tracker": {...}, ...}) → a bot message."""
    body = request.json if isinstance(request.json, dict) else {}
    name = str(body.get("response") or body.get("template") or "")
    tr = await language_for(body.get("tracker") or {})
    return response.json(render(name, tr))


def create_app(executor: ActionExecutor, **options: Any) -> Sanic:
    """rasa-sdk's action server app with the NLG route (module level: Sanic's loader pickles it).

    Request bodies are parsed by orjson: Rasa sends the whole conversation with every action
    and NLG call, and parsing it was a quarter of the action server's CPU per message under
    the load bench with ujson (Sanic's default), about 40% less with orjson."""
    app = endpoint.create_app_for_serve(executor, **options)
    # What Sanic(loads=...) sets (rasa-sdk builds the app without it); Sanic's stub types the
    # attribute as a function generic over the app's types, which orjson.loads is not.
    Request._loads = orjson.loads  # type: ignore[assignment]
    # rasa-sdk checks Rasa's version on every call and warns (Rasa 3.6 with rasa-sdk 3.21, the
    # pair the action server is pinned to; 2.4% of its CPU per message under load): once per
    # version says it.
    if not hasattr(utils.check_version_compatibility, "cache_info"):
        utils.check_version_compatibility = cache(utils.check_version_compatibility)
    app.add_route(handle, ROUTE, methods=["POST"])
    return app


def serve(executor: ActionExecutor, *, host: str, port: int) -> None:
    """rasa-sdk's `endpoint.run`, with `create_app` as the app factory.

    With one worker (rasa-sdk's default, ACTION_SERVER_SANIC_WORKERS unset) the app is served
    in this process: Sanic's worker manager would add a process that watches it and a
    multiprocessing manager for the worker's state, about 8% of the action server's CPU per
    message under the load bench and two more processes to stop."""
    from sanic.worker.loader import AppLoader

    loader = AppLoader(factory=partial(create_app, executor))
    app = loader.load()
    workers = utils.number_of_sanic_workers()
    log.info("Action endpoint (and %s) is up and running on http://%s:%s", ROUTE, host, port)
    if workers == 1:
        app.prepare(host=host, port=port, single_process=True, motd=False)
        Sanic.serve_single(primary=app)
    else:
        app.prepare(host=host, port=port, workers=workers)
        Sanic.serve(primary=app, app_loader=loader)
