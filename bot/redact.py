"""Keep secrets out of the logs, whatever a library chooses to log.

The bot token is part of every Bot API URL, and at DEBUG python-telegram-bot logs the
parameters of every call (setWebhook's secret_token among them). Quieting httpx is not
enough on its own, so every record is scrubbed of the configured secrets on its way out.
"""

from __future__ import annotations

import logging

from shop.settings import Settings

REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Replace each secret (and the bot token's secret half) in a record with [redacted]."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self._scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self._scrub(record.stack_info)
        return True


def secrets_of(settings: Settings) -> list[str]:
    values = [s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret,
                                              settings.order_api_token) if s is not None]
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    if ":" in token:
        values.append(token.split(":", 1)[1])  # the part after the bot id is the secret
    return values


def install(settings: Settings, logger: logging.Logger | None = None) -> None:
    """Scrub the settings' secrets from everything the handlers of `logger` (root) write."""
    redactor = RedactSecrets(secrets_of(settings))
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(redactor)
