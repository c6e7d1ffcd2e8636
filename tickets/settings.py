"""Configuration from environment variables (prefix HOTLINE_) and an optional .env file.

Settings are read when `Settings()` is constructed, never at import time, so tests
and the CLI can build their own. These are the core's; each adapter extends them with its
own next to it (bot/config.py, integrations/config.py, scheduler/config.py) and the
composition root assembles them (wiring.Settings).
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
    host: str = Field(default="127.0.0.1", description="HTTP listen address")
    port: int = Field(default=8080, description="HTTP listen port")
    policy_file: Path | None = Field(default=None, description="YAML overriding the shipped policy")
    calendar_overrides: Path | None = Field(
        default=None, description="YAML with extra holidays / working days kept by the office"
    )
    log_level: str = Field(default="INFO", description="Python logging level")
    # Whether this process has a Telegram channel: the bot's runtime and the outbox health
    # check (integrations) both need it; the bot's other settings are in bot/config.py.
    telegram_token: str | None = Field(default=None, description="Bot token; unset = no Telegram")
    scheduler_enabled: bool = Field(default=True, description="Run the scheduled jobs in this process")
    migrate_on_start: bool = Field(
        default=False, description="`serve` brings the schema up to date itself instead of refusing to start")
    # Citizens' messages carry a signed link to their ticket's tracking page when both are set.
    public_url: str | None = Field(
        default=None, description="Public base URL of this service (links in messages)"
    )
    tracking_secret: str | None = Field(
        default=None, description="Key signing the tracking links in citizens' messages"
    )
    tracking_link_days: int = Field(
        default=90, description="How long a tracking link in a message stays valid"
    )
    media_dir: Path = Field(
        default=Path("var/media"), description="Where citizens' photos are stored (by hash)"
    )
    sms_code_log: bool = Field(
        default=False,
        description="Development: log one-time SMS codes (phone masked) instead of relying on SMS",
    )
