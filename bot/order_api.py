"""A small HTTP API for the shop system or a courier integration to report delivery progress.

    POST /api/orders/{number}/stages
    Authorization: Bearer <ORDER_API_TOKEN>
    {"stage": "shipped", "done_at": "2026-11-21T10:30:00+01:00",   # done_at optional: now
     "carrier": "DHL", "tracking_number": "JJD000390007782"}          # both optional

It marks the stage done in the store (shop.delivery.mark_stage_done) and wakes the
notifier, which tells the customer. Answers are JSON: 200 with the order's new status,
401 without the right token, 404 for an unknown order, 400 for a body that is not a JSON
object, 422 for an unknown stage, a bad date or unknown fields. It runs inside the bot
process on BIND_HOST:ORDER_API_PORT, only when ORDER_API_TOKEN is set.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.orm import Session

from bot import notifier
from bot.services import BotApplication, Services
from shop.delivery import StageError, mark_stage_done
from shop.orders import order_by_number

log = logging.getLogger(__name__)

FIELDS = {"stage", "done_at", "carrier", "tracking_number"}
MAX_TEXT = 100
SERVICES_KEY: web.AppKey[Services] = web.AppKey("services", Services)
ON_CHANGE_KEY: web.AppKey[Callable[[], None]] = web.AppKey("on_change", Callable[[], None])  # type: ignore[arg-type]
TOKEN_KEY: web.AppKey[str] = web.AppKey("token", str)


class Invalid(ValueError):
    """The request body breaks the contract: 422 with this message."""


class UnknownOrder(LookupError):
    pass


def _error(status: int, error: str, detail: str) -> web.Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return web.json_response({"error": error, "detail": detail}, status=status, headers=headers)


def parse_stage_request(body: object, *, zone: ZoneInfo) -> dict[str, Any]:
    """Check the JSON body; naive times are in the business time zone."""
    if not isinstance(body, dict):
        raise TypeError("the body must be a JSON object")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(sorted(FIELDS))}")
    stage = body.get("stage")
    if not isinstance(stage, str) or not stage.strip():
        raise Invalid("stage is required, e.g. \"shipped\" or a project milestone's name")
    parsed: dict[str, Any] = {"stage": stage.strip()[:MAX_TEXT], "done_at": None}
    for name in ("carrier", "tracking_number"):
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            raise Invalid(f"{name} must be a text of at most {MAX_TEXT} characters")
        parsed[name] = value.strip() if isinstance(value, str) and value.strip() else None
    raw = body.get("done_at")
    if raw is not None:
        if not isinstance(raw, str):
            raise Invalid("done_at must be an ISO 8601 date-time, e.g. 2026-11-21T10:30:00+01:00")
        try:
            when = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise Invalid(f"done_at {raw!r} is not an ISO 8601 date-time, "
                          "e.g. 2026-11-21T10:30:00+01:00") from None
        parsed["done_at"] = when if when.tzinfo is not None else when.replace(tzinfo=zone)
    return parsed


async def post_stage(request: web.Request) -> web.Response:
    app = request.app
    expected = app[TOKEN_KEY]
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        return _error(401, "unauthorized", "send the ORDER_API_TOKEN as 'Authorization: Bearer <token>'")
    services = app[SERVICES_KEY]
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "bad_request", "the body must be JSON")
    try:
        fields = parse_stage_request(body, zone=services.settings.zone)
    except TypeError as exc:
        return _error(400, "bad_request", str(exc))
    except Invalid as exc:
        return _error(422, "invalid", str(exc))
    number = request.match_info["number"].strip().lstrip("#")
    now = datetime.now(UTC)

    def work(session: Session) -> dict[str, Any]:
        order = order_by_number(session, number)
        if order is None:
            raise UnknownOrder(number)
        result = mark_stage_done(session, order=order, stage=fields["stage"], done_at=fields["done_at"],
                                 now=now, carrier=fields["carrier"],
                                 tracking_number=fields["tracking_number"])
        assert result.stage.done_at is not None
        return {"order": order.number, "stage": result.stage.name,
                "done_at": result.stage.done_at.astimezone(UTC).isoformat(), "status": order.status,
                "changed": result.changed}

    try:
        answer = await services.in_transaction(work)
    except UnknownOrder:
        return _error(404, "not_found", f"no order {number}")
    except StageError as exc:
        return _error(422, "invalid", str(exc))
    log.info("order API: order %s stage %s done (changed: %s)", answer["order"], answer["stage"],
             answer["changed"])
    if answer["changed"]:
        app[ON_CHANGE_KEY]()
    return web.json_response(answer)


def make_app(services: Services, *, token: str, on_change: Callable[[], None]) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[SERVICES_KEY] = services
    app[TOKEN_KEY] = token
    app[ON_CHANGE_KEY] = on_change
    app.router.add_post("/api/orders/{number}/stages", post_stage)
    return app


async def start(application: BotApplication) -> None:
    """Serve the API beside the bot when ORDER_API_TOKEN is set."""
    services = application.bot_data.services
    settings = services.settings
    if settings.order_api_token is None:
        return
    app = make_app(services, token=settings.order_api_token.get_secret_value(),
                   on_change=lambda: notifier.run_soon(application))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.bind_host, settings.order_api_port).start()
    application.bot_data.order_api = runner
    log.info("order API listening on http://%s:%s/api/orders/{number}/stages",
             settings.bind_host, settings.order_api_port)


async def stop(application: BotApplication) -> None:
    runner, application.bot_data.order_api = application.bot_data.order_api, None
    if runner is not None:
        await runner.cleanup()
