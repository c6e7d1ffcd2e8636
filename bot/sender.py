"""A per-chat send queue for every message the bot sends, installed as an aiogram request
middleware so handlers' replies and outbox pushes share the same limits.

Telegram's limits (Bot FAQ): about one message per second in a private chat (short
bursts are tolerated), 20 per minute in a group, about 30 per second overall. Each chat
has a token bucket and a FIFO lock, so one chat's messages keep their order and a busy
chat does not delay the others; a global bucket caps the total. A 429 with a short
`retry_after` is waited out and retried; a long one is raised for the caller (the outbox
worker reschedules the message instead of holding a connection).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.context import log

# Methods that post something into a chat; edits and callback answers are not rate-limited alike.
SEND_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendMediaGroup", "sendContact", "sendVideo",
    "sendAudio", "sendVoice", "sendSticker", "copyMessage", "forwardMessage",
})


@dataclass(frozen=True)
class SendLimits:
    private_rate: float = 1.0  # messages per second, per private chat
    private_burst: int = 3
    group_rate: float = 20 / 60
    group_burst: int = 3
    global_rate: float | None = 30.0  # None: no global cap (self-hosted Bot API server, tests)
    global_burst: int = 30
    max_retry_after: float = 10.0  # wait out a 429 up to this long, else raise
    max_retries: int = 3


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    stamp: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def delay(self, now: float) -> float:
        """Take a token; seconds to wait before sending (0 when one was available)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class SendQueue(BaseRequestMiddleware):

    def __init__(
        self, limits: SendLimits | None = None, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or SendLimits()
        self._now = monotonic
        self._chats: dict[Any, _Bucket] = {}
        lim = self.limits
        self._global = (_Bucket(lim.global_rate, lim.global_burst, lim.global_burst, monotonic())
                        if lim.global_rate else None)
        self.retries = 0
        self.waited = 0.0

    def _bucket(self, chat_id: Any) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:
                self._prune()
            group = isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)
            rate = self.limits.group_rate if group else self.limits.private_rate
            burst = self.limits.group_burst if group else self.limits.private_burst
            bucket = _Bucket(rate, burst, burst, self._now())
            self._chats[chat_id] = bucket
        return bucket

    def _prune(self) -> None:
        now = self._now()
        for chat_id, bucket in list(self._chats.items()):
            full = bucket.tokens + (now - bucket.stamp) * bucket.rate >= bucket.capacity
            if full and not bucket.lock.locked():
                del self._chats[chat_id]

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waited += seconds
            await asyncio.sleep(seconds)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = getattr(method, "chat_id", None)
        if chat_id is None or method.__api_method__ not in SEND_METHODS:
            return await make_request(bot, method)
        bucket = self._bucket(chat_id)
        async with bucket.lock:
            await self._wait(bucket.delay(self._now()))
            if self._global is not None:
                await self._wait(self._global.delay(self._now()))
            attempt = 0
            while True:
                try:
                    return await make_request(bot, method)
                except TelegramRetryAfter as error:
                    attempt += 1
                    if error.retry_after > self.limits.max_retry_after or attempt > self.limits.max_retries:
                        raise
                    log.warning(
                        "429 from Telegram for chat %s, retrying after %ss", chat_id, error.retry_after
                    )
                    self.retries += 1
                    await self._wait(error.retry_after)
