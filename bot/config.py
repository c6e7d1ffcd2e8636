"""Settings of the Telegram adapter (HOTLINE_TELEGRAM_API_BASE / _WEBHOOK_URL / _WEBHOOK_SECRET /
_USAGE_FLUSH_SECONDS / _USAGE_BUFFER, HOTLINE_REDIS_URL), on top of the core's
(HOTLINE_TELEGRAM_TOKEN is the core's: whether this process has a Telegram channel at all,
which the outbox health check reads too). The composition root assembles them with the others
(wiring.Settings)."""

from __future__ import annotations

from pydantic import Field

from tickets.settings import Settings


class TelegramSettings(Settings):
    redis_url: str | None = Field(default=None, description="Redis for bot FSM state; unset = memory")
    telegram_api_base: str = Field(
        default="https://api.telegram.org", description="Bot API server base URL"
    )
    telegram_webhook_url: str | None = Field(
        default=None, description="Public webhook URL; unset = long polling"
    )
    telegram_webhook_secret: str | None = Field(
        default=None, description="Secret token Telegram echoes in webhook calls"
    )
    # Knowledge-base usage (kb_hit) is written in batches (bot/usage.py): a kill -9 loses at
    # most one interval of counts; a larger buffer rides out a longer database outage.
    telegram_usage_flush_seconds: float = Field(
        default=5.0, gt=0, description="How often answers given are counted in the database (one transaction)"
    )
    telegram_usage_buffer: int = Field(
        default=10_000, ge=1, description="Answers waiting to be counted; beyond, they are dropped and logged"
    )
