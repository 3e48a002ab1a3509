"""python-telegram-bot's requests to the Bot API over aiohttp instead of httpx.

Every update the bot answers costs at least two Bot API requests (getUpdates, sendMessage).
PTB's own HTTPXRequest spent about 0.8 ms of CPU on each here (httpx, httpcore and anyio,
which also look over every idle connection of the pool on each request), aiohttp about
0.1 ms: under the load bench that was a tenth of the bot's CPU per message. This is
HTTPXRequest's behaviour on aiohttp: the same form or multipart bodies, the same default
time-outs, and the same errors (a time-out is TimedOut, any other failure NetworkError), so
the rate limiter's retries see what they saw before; a proxy is taken from the environment
(HTTPS_PROXY, NO_PROXY) as httpx takes it, once per server (bot/proxies.py). No SOCKS proxy
and no HTTP/2 (the assistant uses neither).
"""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.proxies import proxy_for

# As HTTPXRequest: seconds, and its connection pool.
READ, WRITE, CONNECT, POOL, MEDIA_WRITE = 5.0, 5.0, 5.0, 1.0, 20.0
KEEPALIVE = 5.0  # httpx's keep-alive expiry


class AiohttpRequest(BaseRequest):
    """A BaseRequest for ApplicationBuilder.request() and .get_updates_request()."""

    def __init__(self, *, connection_pool_size: int = 256, read_timeout: float | None = READ,
                 write_timeout: float | None = WRITE, connect_timeout: float | None = CONNECT,
                 pool_timeout: float | None = POOL, media_write_timeout: float | None = MEDIA_WRITE) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # per scheme and host, from the environment

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # certifi's roots, as httpx uses: the same servers are trusted as before
            context = ssl.create_default_context(cafile=certifi.where())
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(
                limit=self._pool_size, keepalive_timeout=KEEPALIVE, ssl=context))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self, read: ODVInput[float], write: ODVInput[float], connect: ODVInput[float],
                 pool: ODVInput[float], *, files: bool) -> aiohttp.ClientTimeout:
        """HTTPXRequest's four time-outs as aiohttp's: waiting for a free connection and making
        one are aiohttp's `connect`; the whole request is held to the sum of all four (aiohttp
        has no time-out of its own for writing the body)."""
        def value(given: ODVInput[float], name: str) -> float | None:
            if not isinstance(given, DefaultValue):
                return given
            return self._media_write_timeout if name == "write" and files else self._timeouts[name]

        read_s, write_s, connect_s, pool_s = (value(read, "read"), value(write, "write"),
                                              value(connect, "connect"), value(pool, "pool"))
        phases = (read_s, write_s, connect_s, pool_s)
        total = None if any(t is None for t in phases) else sum(t for t in phases if t is not None)
        waiting = None if connect_s is None or pool_s is None else connect_s + pool_s
        return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect_s, sock_read=read_s)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: Any = fields
        if files:  # a multipart form, as httpx makes it from data= and files=
            body = aiohttp.FormData()
            for name, value in (fields or {}).items():
                body.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                body.add_field(name, content, filename=filename, content_type=mime)
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, files=bool(files))
        server = "/".join(url.split("/", 3)[:3])  # scheme://host:port
        if server not in self._proxies:
            self._proxies[server] = proxy_for(url)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout,
                                             proxy=self._proxies[server],
                                             headers={"User-Agent": self.USER_AGENT}) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's own time-outs are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
