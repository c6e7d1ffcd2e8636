"""Outbound channels behind tickets.outbox.Notifier: WeCom group robot, SMS gateway and
the upstream platform callback. Each receiver gets the message's dedupe key in the
X-Dedupe-Key header (and Idempotency-Key), so a re-send after a crash is harmless.

Failure classes: connection errors, timeouts, 408, 429 and 5xx are retried with
backoff; other 4xx answers will not get better and go to the dead letters at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from integrations import texts
from integrations.config import IntegrationSettings as Settings
from integrations.signing import DEDUPE, signed_headers
from tickets.clock import Clock
from tickets.enums import OutboxChannel
from tickets.models import Outbox
from tickets.outbox import DeliveryError, Notifier
from tickets.privacy import mask_text

RETRYABLE_STATUS = frozenset({408, 425, 429})


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


class HttpNotifier:
    channel: OutboxChannel

    def __init__(self, http: aiohttp.ClientSession, *, timeout: float) -> None:
        self.http = http
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def post_json(self, url: str, body: dict[str, Any], *, message: Outbox,
                        headers: Mapping[str, str] | None = None, signer: Any = None) -> Any:
        data = json.dumps(body, ensure_ascii=False).encode()
        all_headers = {"Content-Type": "application/json; charset=utf-8", DEDUPE: message.dedupe_key,
                       "Idempotency-Key": message.dedupe_key, **(headers or {})}
        if signer is not None:
            all_headers.update(signer(data))
        try:
            async with self.http.post(url, data=data, headers=all_headers, timeout=self.timeout) as response:
                raw = await response.read()
                status = response.status
                retry_after = _retry_after(response.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"{self.channel.value}: {type(error).__name__}") from error
        # The receiver's words may quote the message back: mask before keeping them.
        detail = mask_text(raw[:200].decode("utf-8", "replace"))
        if status >= 500 or status in RETRYABLE_STATUS:
            raise DeliveryError(f"{self.channel.value}: HTTP {status} {detail}", retry_after=retry_after)
        if status >= 400:
            raise DeliveryError(f"{self.channel.value}: HTTP {status} {detail}", permanent=True)
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None


class WeComNotifier(HttpNotifier):
    """WeCom (企业微信) group robot, markdown message. The recipient is the robot key.

    WeCom ignores our dedupe header; a group may see a rare duplicate after a crash,
    which is the price of never losing a message.
    """

    channel = OutboxChannel.WECOM
    RETRYABLE_ERRCODES = frozenset({-1, 45009, 45033})  # busy, frequency limit, concurrency limit

    def __init__(self, http: aiohttp.ClientSession, *, base_url: str, timeout: float) -> None:
        super().__init__(http, timeout=timeout)
        self.base_url = base_url

    @staticmethod
    def markdown(message: Outbox) -> str:
        payload = message.payload
        title = payload.get("title") or texts.WECOM_TITLE
        lines = [f"**{title}**"]
        if payload.get("number"):
            lines.append(f"> 工单号：{payload['number']}")
        lines.append(mask_text(str(payload.get("text", ""))))
        return "\n".join(lines)

    async def send(self, message: Outbox) -> None:
        url = f"{self.base_url}?key={quote(message.recipient, safe='')}"
        body = {"msgtype": "markdown", "markdown": {"content": self.markdown(message)}}
        answer = await self.post_json(url, body, message=message)
        errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if errcode != 0:
            errmsg = str(answer.get("errmsg", ""))[:100]
            raise DeliveryError(f"wecom: errcode {errcode} {errmsg}",
                                permanent=errcode not in self.RETRYABLE_ERRCODES)


class SmsNotifier(HttpNotifier):
    """A generic SMS gateway: JSON with the phone, a template id chosen by message kind,
    and the template parameters."""

    channel = OutboxChannel.SMS

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        url: str,
        token: str | None,
        templates: Mapping[str, str],
        default_template: str,
        timeout: float,
    ) -> None:
        super().__init__(http, timeout=timeout)
        self.url = url
        self.token = token
        self.templates = dict(templates)
        self.default_template = default_template

    def body(self, message: Outbox) -> dict[str, Any]:
        payload = message.payload
        kind = str(payload.get("kind", ""))
        return {
            "phone": message.recipient,
            "template_id": self.templates.get(kind, self.default_template),
            "params": {"number": payload.get("number", ""), "text": str(payload.get("text", ""))},
            "dedupe_key": message.dedupe_key,
        }

    async def send(self, message: Outbox) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        await self.post_json(self.url, self.body(message), message=message, headers=headers)


class UpstreamNotifier(HttpNotifier):
    """Our replies and state changes, POSTed signed to the upstream platform's callback URL."""

    channel = OutboxChannel.UPSTREAM

    def __init__(
        self, http: aiohttp.ClientSession, *, url: str, secret: str, clock: Clock, timeout: float
    ) -> None:
        super().__init__(http, timeout=timeout)
        self.url = url
        self.secret = secret
        self.clock = clock

    async def send(self, message: Outbox) -> None:
        body = {"dedupe_key": message.dedupe_key, **message.payload}
        now: datetime = self.clock.now()
        await self.post_json(self.url, body, message=message,
                             signer=lambda data: signed_headers(self.secret, data, now=now))


def build_notifiers(
    settings: Settings, http: aiohttp.ClientSession, clock: Clock
) -> dict[OutboxChannel, Notifier]:
    """The channels this deployment is configured for; others stay in the outbox (visible in the CLI)."""
    timeout = settings.notifier_timeout_seconds
    notifiers: dict[OutboxChannel, Notifier] = {
        OutboxChannel.WECOM: WeComNotifier(http, base_url=settings.wecom_webhook_base, timeout=timeout)
    }
    if settings.sms_gateway_url:
        notifiers[OutboxChannel.SMS] = SmsNotifier(
            http,
            url=settings.sms_gateway_url,
            token=settings.sms_gateway_token,
            templates=settings.sms_templates,
            default_template=settings.sms_default_template,
            timeout=timeout,
        )
    secret = settings.upstream_callback_secret or settings.upstream_secret
    if settings.upstream_callback_url and secret:
        notifiers[OutboxChannel.UPSTREAM] = UpstreamNotifier(
            http, url=settings.upstream_callback_url, secret=secret, clock=clock, timeout=timeout)
    return notifiers
