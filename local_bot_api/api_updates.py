"""Bot API methods for receiving updates: getUpdates and the webhook settings."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from .context import ApiContext, Handler, Params
from .errors import BotApiError, bad_request

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


async def get_updates(ctx: ApiContext, p: Params) -> list[dict[str, Any]]:
    if ctx.webhook.url:
        raise BotApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    ctx.poll_generation += 1
    generation = ctx.poll_generation
    ctx.updates.signal.fire()  # an older long poll still waiting must notice and give up
    ctx.updates.set_allowed(p.get("allowed_updates"))
    if p.get("offset"):
        ctx.updates.confirm(p["offset"])
    limit = min(max(int(p.get("limit") or 100), 1), 100)
    deadline = asyncio.get_running_loop().time() + max(float(p.get("timeout") or 0), 0)
    while True:
        if generation != ctx.poll_generation:
            raise BotApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        batch = ctx.updates.peek(limit)
        remaining = deadline - asyncio.get_running_loop().time()
        if batch or remaining <= 0 or ctx.closing or ctx.webhook.url:
            return batch
        await ctx.updates.signal.wait(remaining)


async def set_webhook(ctx: ApiContext, p: Params) -> bool:
    url = p.get("url") or None
    if url and not url.startswith(("https://", "http://")):
        # Telegram insists on HTTPS; plain HTTP is allowed here for bots on this machine.
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get("secret_token") or None
    if secret and not SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    ctx.updates.set_allowed(p.get("allowed_updates"))
    if p.get("drop_pending_updates"):
        ctx.updates.clear()
    ctx.webhook.configure(url, secret, int(p.get("max_connections") or 40))
    return True


async def delete_webhook(ctx: ApiContext, p: Params) -> bool:
    if p.get("drop_pending_updates"):
        ctx.updates.clear()
    ctx.webhook.configure(None, None, 40)
    return True


async def get_webhook_info(ctx: ApiContext, p: Params) -> dict[str, Any]:
    hook = ctx.webhook
    info: dict[str, Any] = {
        "url": hook.url or "",
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.updates),
    }
    if hook.url:
        info.update(max_connections=hook.max_connections, allowed_updates=ctx.updates.allowed)
        info["ip_address"] = "127.0.0.1"
    if hook.last_error_date:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info


METHODS: dict[str, Handler] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
