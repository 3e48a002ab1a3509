"""One settings object for every process, read from the environment and `.env`."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shop.hours import parse_days, parse_hours
from shop.i18n import available_languages, supported_language

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """A configuration value is missing or malformed; the message says which and how to fix it."""


def _int_list(value: object) -> list[int]:
    if value is None or value == "":
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list | tuple):
        return [int(v) for v in value]
    return [int(part) for part in str(value).replace(";", ",").split(",") if part.strip()]


class Settings(BaseSettings):
    """Configuration of the assistant; every field is documented in the README's table."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'shop.db'}"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_tracker_store_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa-tracker.db'}"
    rasa_model: Path = PROJECT_ROOT / "models" / "current.tar.gz"
    rasa_timeout: float = 10.0
    action_server_port: int = 5055
    bind_host: str = "127.0.0.1"
    owner_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    staff_chat_id: int | None = None
    staff_language: str = "en"  # the staff chat's language until /language there changes it
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_port: int = 8443
    tz: str = "UTC"
    digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    digest_time: str | None = "08:00"  # local time in TZ; empty disables the digest
    currency: str = "EUR"
    phone_region: str | None = None  # country of imported phone numbers written without +CC, e.g. DE
    # proactive delivery updates (bot/notifier.py) and the order API (bot/order_api.py)
    order_api_token: SecretStr | None = None
    order_api_port: int = 8088
    notify_interval: float = Field(default=5.0, ge=0)
    notify_max_age_hours: float = Field(default=12.0, gt=0)
    # human handoff (bot/handoff, shop/tickets.py): when people answer, and how fast
    business_hours: str = "09:00-18:00"
    business_days: str = "Mon-Fri"
    first_response_target_minutes: float = Field(default=30.0, gt=0)
    # under load, faults and scale (bot/ratelimit.py, bot/rasa_client.py, bot/polling.py)
    telegram_rate_overall: float = Field(default=30.0, ge=0)  # messages/s, all chats; 0 = no limit
    telegram_rate_per_chat: float = Field(default=1.0, ge=0)  # messages/s in one private chat
    telegram_rate_per_group: float = Field(default=20.0, ge=0)  # messages/min in one group
    telegram_max_retries: int = Field(default=3, ge=0)  # after 429 (waits retry_after) or 5xx
    incoming_limit: int = Field(default=20, ge=0)  # messages per user per window; 0 = no limit
    incoming_window: float = Field(default=10.0, gt=0)  # seconds
    rasa_lock_store_url: str | None = None  # redis://host:6379/1: Rasa's lock store (several Rasas)
    log_level: str = "INFO"

    @field_validator("owner_telegram_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> list[int]:
        return _int_list(value)

    @field_validator("telegram_bot_token", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("order_api_token", mode="before")
    @classmethod
    def _no_empty_token(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin") from exc
        return value

    @field_validator("staff_language", mode="before")
    @classmethod
    def _known_staff_language(cls, value: object) -> object:
        if value in (None, ""):
            return "en"
        language = supported_language(str(value))
        if language is None:
            known = ", ".join(available_languages())
            raise ValueError(f"no catalog for language {value!r}; use one of {known}")
        return language

    @field_validator("business_hours")
    @classmethod
    def _valid_hours(cls, value: str) -> str:
        parse_hours(value)
        return value

    @field_validator("business_days")
    @classmethod
    def _valid_days(cls, value: str) -> str:
        parse_days(value)
        return value

    @field_validator("rasa_lock_store_url", mode="before")
    @classmethod
    def _redis_lock_store(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if urlsplit(str(value)).scheme != "redis":
            raise ValueError("RASA_LOCK_STORE_URL must be a redis:// URL such as redis://127.0.0.1:6379/1")
        return value

    @field_validator("phone_region", mode="before")
    @classmethod
    def _known_region(cls, value: object) -> object:
        if value in (None, ""):
            return None
        region = str(value).strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region {value!r}; use a two-letter country code such as DE")
        return region

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if urlsplit(value).scheme not in ("https", "http"):
            raise ValueError("WEBHOOK_URL must be an http(s) URL such as https://bot.example.com/telegram")
        return value

    @field_validator("digest_time", mode="before")
    @classmethod
    def _digest_time(cls, value: object) -> object:
        if value in (None, "", "off", "none"):
            return None
        hours, _, minutes = str(value).partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("DIGEST_TIME must be HH:MM (24-hour), or empty to turn the digest off")
        return f"{int(hours):02d}:{int(minutes):02d}"

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def rasa_urls(self) -> list[str]:
        """RASA_URL may list several Rasa servers, comma-separated; the bot balances across them."""
        return [url.strip() for url in self.rasa_url.split(",") if url.strip()]

    @property
    def rasa_port(self) -> int:
        return urlsplit(self.rasa_urls[0]).port or 5005

    @property
    def action_server_url(self) -> str:
        return f"http://127.0.0.1:{self.action_server_port}/webhook"


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one readable message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = [
            f"- {'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        ]
        raise SettingsError("Invalid configuration (environment or .env):\n" + "\n".join(lines)) from None
