"""Configuration from environment variables (prefix HOTLINE_) and an optional .env file.

Settings are read when `Settings()` is constructed, never at import time, so tests
and the CLI can build their own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///hotline.db",
        description="SQLAlchemy URL; sqlite:///file.db or postgresql://user@host/db",
    )
    redis_url: str | None = Field(default=None, description="Redis for bot FSM state; unset = memory")
    host: str = Field(default="127.0.0.1", description="HTTP listen address")
    port: int = Field(default=8080, description="HTTP listen port")
    policy_file: Path | None = Field(default=None, description="YAML overriding the shipped policy")
    calendar_overrides: Path | None = Field(
        default=None, description="YAML with extra holidays / working days kept by the office"
    )
    log_level: str = Field(default="INFO", description="Python logging level")
    telegram_token: str | None = Field(default=None, description="Bot token; unset = no Telegram")
    telegram_api_base: str = Field(
        default="https://api.telegram.org", description="Bot API server base URL"
    )
    telegram_webhook_url: str | None = Field(
        default=None, description="Public webhook URL; unset = long polling"
    )
    telegram_webhook_secret: str | None = Field(
        default=None, description="Secret token Telegram echoes in webhook calls"
    )
    upstream_secret: str | None = Field(default=None, description="HMAC key of the upstream platform")
    scheduler_enabled: bool = Field(default=True, description="Run the scheduled jobs in this process")
