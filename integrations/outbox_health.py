"""Is the outbox draining? Messages queued for a channel that no sender serves wait for
ever (no SMS gateway configured, no Telegram token…): say so at start-up, in /readyz and in
`main.py outbox list`, instead of leaving the office to wonder why nobody got a message."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import texts
from integrations.config import IntegrationSettings as Settings
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.models import Outbox

log = logging.getLogger(__name__)

# What to set to give a channel a sender (for the warnings).
SENDER_SETTING: dict[OutboxChannel, str] = {
    OutboxChannel.TELEGRAM: "HOTLINE_TELEGRAM_TOKEN",
    OutboxChannel.SMS: "HOTLINE_SMS_GATEWAY_URL",
    OutboxChannel.UPSTREAM: "HOTLINE_UPSTREAM_CALLBACK_URL",
    OutboxChannel.WECOM: "HOTLINE_WECOM_WEBHOOK_BASE",
}


def configured_channels(settings: Settings) -> set[OutboxChannel]:
    """The channels a process with these settings has a sender for (integrations.notifiers
    builds them; the Telegram one comes with the bot)."""
    channels = {OutboxChannel.WECOM}
    if settings.telegram_token:
        channels.add(OutboxChannel.TELEGRAM)
    if settings.sms_gateway_url:
        channels.add(OutboxChannel.SMS)
    if settings.upstream_callback_url and (settings.upstream_callback_secret or settings.upstream_secret):
        channels.add(OutboxChannel.UPSTREAM)
    return channels


async def outbox_counts(
    session: AsyncSession, *, status: OutboxStatus | None = None
) -> dict[tuple[OutboxChannel, OutboxStatus], int]:
    """Messages per (channel, status); with `status`, only that one, which the (status, …)
    index answers without reading the sent history (/readyz is polled often)."""
    query = select(col(Outbox.channel), col(Outbox.status), sa.func.count())
    if status is not None:
        query = query.where(col(Outbox.status) == status)
    rows = await session.exec(query.group_by(col(Outbox.channel), col(Outbox.status)))
    return {(OutboxChannel(c), OutboxStatus(s)): int(n) for c, s, n in rows.all()}


@dataclass(frozen=True)
class Unsent:
    channel: OutboxChannel
    queued: int

    @property
    def message(self) -> str:
        return texts.QUEUED_WITHOUT_SENDER.format(
            queued=self.queued, channel=texts.CHANNEL_NAME[self.channel.value],
            sender=texts.CHANNEL_SENDER[self.channel.value], setting=SENDER_SETTING[self.channel])

    def as_json(self) -> dict[str, object]:
        return {"code": "queued_without_sender", "channel": self.channel.value, "queued": self.queued,
                "message": self.message}


def unsent(
    counts: dict[tuple[OutboxChannel, OutboxStatus], int], senders: Collection[OutboxChannel]
) -> list[Unsent]:
    """Pending messages of each channel without a sender, in the enum's order."""
    return [
        Unsent(channel, queued)
        for channel in OutboxChannel
        if channel not in senders and (queued := counts.get((channel, OutboxStatus.PENDING), 0))
    ]


def log_unsent(found: list[Unsent]) -> None:
    for item in found:
        log.warning("%d messages are queued for channel %s, which has no configured sender (set %s); "
                    "they will not be sent", item.queued, item.channel.value, SENDER_SETTING[item.channel])
