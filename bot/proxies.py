"""The proxy the environment names for a URL (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), read once.

httpx read these when a client was made (trust_env); the bot's aiohttp clients do the same
here, once, instead of aiohttp's trust_env, which reads the environment and ~/.netrc again on
every request (about a fifth of the bot's CPU per message under the load bench).
"""

from __future__ import annotations

from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass


def proxy_for(url: str) -> str | None:
    """The proxy URL for requests to `url`, or None to go straight there."""
    parts = urlsplit(url)
    proxy = getproxies().get(parts.scheme)
    if not proxy or proxy_bypass(parts.hostname or ""):
        return None
    return proxy
