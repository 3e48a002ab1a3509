"""LocalBotApi: a Bot API server on 127.0.0.1 that an unmodified PTB Application talks to.

Telegram is out of reach from tests and from the offline console, and published
emulators break PTB 22, so this server speaks the Bot API itself: PTB connects with
``ApplicationBuilder().base_url(server.base_url).base_file_url(server.base_file_url)``
and polls or receives webhooks as it would from Telegram. The test side plays users and
groups (:meth:`LocalBotApi.user`, :meth:`LocalBotApi.group`), inspects every call, and
injects faults.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from typing import Any

from aiohttp import web

from . import api_bot, api_forum, api_messages, api_updates
from .actors import ChatView, FakeGroup, FakeUser
from .context import ApiContext, Handler
from .errors import BotApiError, injected
from .params import read_params
from .updates import UpdateQueue, WebhookDelivery
from .world import Account, ApiCall, ApiFailure, BotMessage, World

log = logging.getLogger(__name__)

METHODS: dict[str, Handler] = {
    **api_bot.METHODS, **api_updates.METHODS, **api_messages.METHODS, **api_forum.METHODS,
}
# Bot API method names are case-insensitive; calls are logged under Telegram's spelling.
CANONICAL = {name.lower(): name for name in METHODS}
MAX_UPLOAD = 50 * 1024 * 1024  # Telegram's limit for bot uploads


class LocalBotApi:
    """One fake Telegram with one bot, served over HTTP, plus the test-side controls."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Local Test Bot",
        bot_username: str = "local_test_bot",
        callback_query_ttl: float = 15.0,
        webhook_max_attempts: int = 20,
        webhook_retry_delay: float = 0.1,
        webhook_timeout: float = 10.0,
    ) -> None:
        """``port=0`` picks a free port. ``callback_query_ttl`` is how long a button press
        may wait for answerCallbackQuery. A failed webhook delivery is retried after
        ``webhook_retry_delay`` seconds, doubling up to 2 s, for ``webhook_max_attempts``
        tries in all (about half a minute by default) before the update is dropped."""
        self.host = host
        self.port = port
        self.world = World(token, bot_name=bot_name, bot_username=bot_username)
        self._updates = UpdateQueue()
        self._ctx = ApiContext(
            world=self.world,
            updates=self._updates,
            webhook=WebhookDelivery(
                self._updates,
                max_attempts=webhook_max_attempts,
                retry_delay=webhook_retry_delay,
                timeout=webhook_timeout,
            ),
            callback_query_ttl=callback_query_ttl,
        )
        self._faults: defaultdict[str, deque[BotApiError]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._handles: dict[int, ChatView] = {}
        self._runner: web.AppRunner | None = None

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_call)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        # handler_cancellation: a client that hangs up on a long poll ends it, as on Telegram.
        self._runner = web.AppRunner(
            app, shutdown_timeout=1.0, handler_cancellation=True, access_log=None
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        self._ctx.closing = False
        await self._ctx.webhook.start()
        log.info("local Bot API listening on http://%s:%s", self.host, self.port)

    async def stop(self) -> None:
        self._ctx.closing = True
        self._updates.signal.fire()  # release long polls
        await self._ctx.webhook.stop()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def bot(self) -> dict[str, Any]:
        """The bot's User object (id = the number before ':' in the token)."""
        return dict(self.world.bot)

    # -- people and chats ------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        phone_number: str | None = None,
        started: bool = True,
    ) -> FakeUser:
        """A user and their private chat; ``started=False`` for one who never pressed Start
        (the bot gets 403 until they write). Asking again for an id returns the same user."""
        existing = self._handles.get(user_id)
        if existing is not None:
            if not isinstance(existing, FakeUser):
                raise ValueError(f"{user_id} is a group")
            return existing
        if user_id <= 0:
            raise ValueError("user ids are positive")
        account = Account(
            id=user_id,
            first_name=first_name or f"User {user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number,
            started=started,
        )
        handle = FakeUser(self.world, self._updates, self.world.add_account(account))
        self._handles[user_id] = handle
        return handle

    def group(
        self,
        chat_id: int,
        title: str = "Group",
        *,
        username: str | None = None,
        chat_type: str | None = None,
        members: tuple[FakeUser, ...] = (),
        forum: bool = False,
        bot_can_manage_topics: bool | None = None,
    ) -> FakeGroup:
        """A group chat; ids starting with -100 are supergroups unless ``chat_type`` says.

        ``forum=True`` turns topics on (a supergroup only); the bot is then an administrator
        with the right to manage topics unless ``bot_can_manage_topics=False``."""
        existing = self._handles.get(chat_id)
        if existing is not None:
            if not isinstance(existing, FakeGroup):
                raise ValueError(f"{chat_id} is a user")
            return existing
        kind = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        manages = forum if bot_can_manage_topics is None else bot_can_manage_topics
        chat = self.world.add_group(chat_id, title, chat_type=kind, username=username, forum=forum,
                                    bot_can_manage_topics=manages)
        handle = FakeGroup(self.world, self._updates, chat)
        for member in members:
            handle.add_member(member)
        self._handles[chat_id] = handle
        return handle

    # -- inspection ------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call received, in order, as ``(method, params)``."""
        return self.world.calls

    @property
    def failures(self) -> list[ApiFailure]:
        """Every call answered with an error, with the code and description sent."""
        return self.world.failures

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of one method, e.g. ``calls_to("answerCallbackQuery")``."""
        return [call.params for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, with edits applied and deleted ones gone."""
        return self.world.chat(chat_id).current_bot_messages()

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not confirmed (polling) or received (webhook) yet."""
        return len(self._updates)

    # -- fault injection -------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` answer this error instead of running,
        e.g. ``fail_next("sendMessage", error_code=429, description="Too Many Requests:
        retry after 3", retry_after=3)``."""
        for _ in range(times):
            self._faults[method.lower()].append(injected(error_code, description, retry_after))

    def set_delay(self, method: str, seconds: float) -> None:
        """Answer every call of ``method`` ``seconds`` late (0 restores speed)."""
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    # -- HTTP ------------------------------------------------------------------------

    async def _handle_call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            return _error(BotApiError(401, "Unauthorized"))
        name = CANONICAL.get(request.match_info["method"].lower())
        if name is None:
            return _error(BotApiError(404, "Not Found: method not found"))
        params: dict[str, Any] = {}
        try:
            params = await read_params(request)
            self.world.calls.append(ApiCall(name, params))
            log.debug("%s %s", name, params)
            if delay := self._delays.get(name.lower()):
                await asyncio.sleep(delay)
            if faults := self._faults.get(name.lower()):
                raise faults.popleft()
            result = await METHODS[name](self._ctx, params)
        except BotApiError as exc:
            self.world.failures.append(ApiFailure(name, params, exc.error_code, exc.description))
            log.debug("%s failed: %s %s", name, exc.error_code, exc.description)
            return _error(exc)
        except Exception:
            log.exception("local Bot API crashed in %s", name)
            error = BotApiError(500, "Internal Server Error")
            self.world.failures.append(ApiFailure(name, params, 500, error.description))
            return _error(error)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            return _error(BotApiError(401, "Unauthorized"))
        stored = self.world.files.by_path(request.match_info["file_path"])
        if stored is None:
            return _error(BotApiError(404, "Not Found: file not found"))
        ctype = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=ctype)


def _error(exc: BotApiError) -> web.Response:
    return web.json_response(exc.payload(), status=exc.error_code)
