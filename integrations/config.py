"""Settings of the integration layer (upstream platform, notifiers, outbox worker, API rate
limit, telephony assist), on top of the core's; the composition root assembles them with the
others (wiring.Settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from tickets.settings import Settings


class IntegrationSettings(Settings):
    upstream_secret: str | None = Field(default=None, description="HMAC key of the upstream platform")
    upstream_callback_url: str | None = Field(
        default=None, description="Where our replies and state changes are POSTed to the upstream platform"
    )
    upstream_callback_secret: str | None = Field(
        default=None, description="HMAC key signing our callbacks upstream; unset = upstream_secret"
    )
    upstream_signature_window_seconds: int = Field(
        default=300, description="Accepted clock difference of signed upstream requests (replay window)"
    )
    cdr_secret: str | None = Field(
        default=None,
        description=(
            "HMAC key of the 双呼 platform's call records (POST /hooks/telephony/cdr), signed "
            "like the upstream hook; unset = the hook is closed"
        ),
    )
    wecom_webhook_base: str = Field(
        default="https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
        description="WeCom group-robot send URL; an outbox recipient is the robot key appended as ?key=",
    )
    sms_gateway_url: str | None = Field(default=None, description="SMS gateway endpoint (generic JSON POST)")
    sms_gateway_token: str | None = Field(default=None, description="Bearer token of the SMS gateway")
    sms_default_template: str = Field(
        default="HOTLINE_NOTICE", description="SMS template id for any message kind"
    )
    sms_templates: dict[str, str] = Field(
        default_factory=dict, description='SMS template id per message kind, e.g. {"ticket_closed": "T1002"}'
    )
    notifier_timeout_seconds: float = Field(default=10.0, description="HTTP timeout of one notifier call")
    outbox_enabled: bool = Field(default=True, description="Run the outbox worker in this process")
    outbox_max_attempts: int = Field(
        default=8, description="Delivery attempts before a message is dead-lettered"
    )
    outbox_base_delay_seconds: float = Field(
        default=30.0, description="First retry delay (doubles each attempt)"
    )
    outbox_max_delay_seconds: float = Field(default=3600.0, description="Cap of the retry delay")
    outbox_lease_seconds: float = Field(
        default=120.0, description="A claimed message is re-sent after this long if its worker died"
    )
    outbox_batch_size: int = Field(default=50, description="Messages one worker claims at a time")
    outbox_poll_seconds: float = Field(default=2.0, description="Worker sleep when the outbox is empty")
    outbox_concurrency: int = Field(
        default=1,
        ge=1,
        description=(
            "Deliveries one worker makes at once; a crash of the worker repeats at most this many messages"
        ),
    )
    http_header_timeout_seconds: float = Field(
        default=15.0,
        description=(
            "A client must send a request's headers within this (and is dropped when idle "
            "this long between requests)"
        ),
    )
    http_body_timeout_seconds: float = Field(
        default=30.0,
        description="A client must send a request's body within this once the headers are in (408)",
    )
    api_rate_limit: int = Field(default=600, description="Requests per API key per rate-limit period")
    api_rate_period_seconds: float = Field(default=60.0, description="Length of the rate-limit period")
    kb_refresh_seconds: float = Field(
        default=10.0,
        ge=0,
        description=(
            "How often the service looks for knowledge-base changes made by other processes; 0 = never"
        ),
    )
    classifier_model: Path | None = Field(
        default=None,
        description=(
            "Trained routing model (knowledge_base.classify) for telephony assist; unset = keyword rules"
        ),
    )
