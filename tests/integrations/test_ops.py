"""Health, readiness, Prometheus metrics, masked logs, and the apikey / outbox CLI."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.pool import NullPool

from integrations.keys import KeyStore
from main import cli
from tests.conftest import run_in_thread
from tests.integrations.conftest import Api, Keys
from tests.integrations.test_api import COMPLAINT
from tickets.clock import SystemClock
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.models import Outbox


async def test_health_readiness_and_metrics(api: Api, keys: Keys) -> None:
    assert await api.get("/healthz", check=False) == (200, {"status": "ok"})
    assert await api.get("/readyz", check=False) == (200, {"status": "ready"})
    await api.post("/api/v1/tickets", key=keys.creator, body=COMPLAINT)
    await api.post("/api/v1/tickets", key=keys.reader, body=COMPLAINT)
    await api.post("/api/v1/kb/ask", key=keys.office, body={"text": "社保卡丢了怎么补办"})

    response = await api.client.get("/metrics")
    assert response.status == 200 and response.content_type == "text/plain"
    text = await response.text()
    lines = set(text.splitlines())
    assert 'hotline_http_requests_total{method="POST",route="/api/v1/tickets",status="201"} 1.0' in lines
    assert 'hotline_http_requests_total{method="POST",route="/api/v1/tickets",status="403"} 1.0' in lines
    assert 'hotline_http_request_duration_seconds_count{method="POST",route="/api/v1/tickets"} 2.0' in lines
    assert 'hotline_tickets{state="received"} 1.0' in lines and 'hotline_tickets{state="closed"} 0.0' in lines
    # The citizen's "received" SMS waits in the outbox (no gateway configured in tests).
    assert 'hotline_outbox_messages{channel="sms",status="pending"} 1.0' in lines
    assert 'hotline_kb_answers_total{band="answer",channel="api"} 1.0' in lines


async def test_readyz_fails_when_the_database_is_unreachable(aiohttp_client: Any,
                                                             make_app: Callable[..., Any]) -> None:
    client = await aiohttp_client(make_app(database_url="postgresql://postgres@127.0.0.1:9/none"))
    response = await client.get("/readyz")
    assert response.status == 503
    assert await response.json() == {"error": {"code": "not_ready", "message": "数据库暂时无法连接。"}}
    assert (await client.get("/healthz")).status == 200


async def test_access_log_masks_phones(api: Api, keys: Keys, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await api.get("/api/v1/tickets", key=keys.reader, params={"q": "13912345678"}, check=False)
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert access and all("13912345678" not in line for line in access)
    assert any("139****5678" in line for line in access)


def test_apikey_and_outbox_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_database(url)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)
    runner = CliRunner()

    result = runner.invoke(cli, ["apikey", "create", "portal", "--scope", "tickets:create", "--scope",
                                 "tickets:read"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip().splitlines()[-1]
    assert plain.startswith("hk_") and "portal" in result.output
    again = runner.invoke(cli, ["apikey", "create", "portal", "--scope", "kb:ask"])
    assert again.exit_code == 1 and "密钥名称“portal”已存在。" in again.output
    handler = runner.invoke(cli, ["apikey", "create", "h", "--scope", "tickets:act", "--role", "handler"])
    assert handler.exit_code == 1 and "a handler key needs --unit" in handler.output

    async def verify(raw: str) -> Any:
        engine = create_engine(url, poolclass=NullPool)
        try:
            return await KeyStore(session_factory(engine)).verify(raw)
        finally:
            await engine.dispose()

    client = run_in_thread(lambda: verify(plain))
    assert client is not None and client.scopes == {"tickets:create", "tickets:read"}
    listing = runner.invoke(cli, ["apikey", "list"])
    assert plain not in listing.output and "portal" in listing.output and "有效" in listing.output
    assert runner.invoke(cli, ["apikey", "revoke", "portal"]).exit_code == 0
    assert run_in_thread(lambda: verify(plain)) is None

    async def add_dead() -> None:
        engine = create_engine(url, poolclass=NullPool)
        now = SystemClock().now()
        async with session_factory(engine)() as session, session.begin():
            for i, phone in enumerate(["13800138000", "13900139000"], start=1):
                session.add(
                    Outbox(
                        channel=OutboxChannel.SMS,
                        recipient=phone,
                        dedupe_key=f"d{i}",
                        payload={"kind": "k", "text": f"请回电 {phone}"},
                        status=OutboxStatus.DEAD,
                        attempts=8,
                        next_attempt_at=now,
                        created_at=now,
                        last_error="sms: HTTP 502",
                    )
                )
        await engine.dispose()

    run_in_thread(add_dead)
    # By default a summary by status and channel (issue 13: it listed only dead letters).
    summary = runner.invoke(cli, ["outbox", "list"])
    assert summary.exit_code == 0, summary.output
    assert "短信 (sms)" in summary.output and "未配置发送通道" in summary.output
    listing = runner.invoke(cli, ["outbox", "list", "--status", "dead"])
    assert listing.exit_code == 0
    assert "138****8000" in listing.output and "13800138000" not in listing.output
    assert "sms: HTTP 502" in listing.output and "尝试8次" in listing.output
    assert runner.invoke(cli, ["outbox", "retry"]).exit_code == 2
    result = runner.invoke(cli, ["outbox", "retry", "1"])
    assert result.output.strip() == "已重新排队 1 条消息。"
    pending = runner.invoke(cli, ["outbox", "list", "--status", "pending"])
    assert "#1\t" in pending.output and "尝试0次" in pending.output
    result = runner.invoke(cli, ["outbox", "retry", "--all-dead"])
    assert result.output.strip() == "已重新排队 1 条消息。"
    assert runner.invoke(cli, ["outbox", "list", "--status", "dead"]).output.strip() == "没有符合条件的消息。"


def test_outbox_summary_by_status_and_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'summary.db'}"
    upgrade_database(url)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)
    monkeypatch.setenv("HOTLINE_SMS_GATEWAY_URL", "")

    async def fill() -> None:
        engine = create_engine(url, poolclass=NullPool)
        now = SystemClock().now()
        rows = [(OutboxChannel.SMS, OutboxStatus.PENDING)] * 3 + [(OutboxChannel.SMS, OutboxStatus.DEAD)]
        rows += [(OutboxChannel.WECOM, OutboxStatus.SENT)] * 2 + [
            (OutboxChannel.TELEGRAM, OutboxStatus.PENDING)
        ]
        async with session_factory(engine)() as session, session.begin():
            for i, (channel, status) in enumerate(rows):
                session.add(Outbox(channel=channel, recipient="x", dedupe_key=f"s{i}", payload={"text": "t"},
                                   status=status, next_attempt_at=now, created_at=now))
        await engine.dispose()

    run_in_thread(fill)
    result = CliRunner().invoke(cli, ["outbox", "list"])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["短信", "(sms)", "3", "0", "1", "未配置发送通道"] in lines
    assert ["Telegram", "(telegram)", "1", "0", "0", "未配置发送通道"] in lines
    assert ["企业微信", "(wecom)", "0", "2", "0"] in lines
    assert (
        "有 3 条短信消息在排队，但未配置短信网关（HOTLINE_SMS_GATEWAY_URL），这些消息不会发出。"
        in result.output
    )
    assert (
        "有 1 条Telegram消息在排队，但未配置Telegram 机器人令牌（HOTLINE_TELEGRAM_TOKEN），这些消息不会发出。"
        in result.output
    )


async def test_readyz_and_start_up_warn_about_messages_no_sender_will_send(
    aiohttp_client: Any, make_app: Callable[..., Any], session: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """1,282 messages waited unsent because no SMS gateway was configured, and nothing said so."""
    now = SystemClock().now()
    for i in range(3):
        session.add(Outbox(channel=OutboxChannel.SMS, recipient="13800138000", dedupe_key=f"q{i}",
                           payload={"text": "t"}, next_attempt_at=now, created_at=now))
    session.add(Outbox(channel=OutboxChannel.WECOM, recipient="robot", dedupe_key="w", payload={"text": "t"},
                       next_attempt_at=now, created_at=now))
    await session.commit()
    caplog.set_level(logging.WARNING)
    client = await aiohttp_client(make_app())
    warnings = [r.getMessage() for r in caplog.records if r.name == "integrations.outbox_health"]
    assert warnings == ["3 messages are queued for channel sms, which has no configured sender "
                        "(set HOTLINE_SMS_GATEWAY_URL); they will not be sent"]
    response = await client.get("/readyz")
    assert response.status == 200
    assert await response.json() == {"status": "ready", "warnings": [{
        "code": "queued_without_sender", "channel": "sms", "queued": 3,
        "message": "有 3 条短信消息在排队，但未配置短信网关（HOTLINE_SMS_GATEWAY_URL），这些消息不会发出。",
    }]}


async def test_outbox_list_names_the_same_channels_the_app_builds_senders_for() -> None:
    import aiohttp

    from integrations.notifiers import build_notifiers
    from integrations.outbox_health import configured_channels
    from wiring import Settings

    cases: list[dict[str, Any]] = [
        {}, {"sms_gateway_url": "http://127.0.0.1:9/sms"},
        {"upstream_callback_url": "http://127.0.0.1:9/cb", "upstream_secret": "s"},
        {"upstream_callback_url": "http://127.0.0.1:9/cb"},  # no secret: no sender
    ]
    async with aiohttp.ClientSession() as http:
        for overrides in cases:
            settings = Settings(**overrides)
            # Telegram's sender comes with the bot (bot.runtime), when a token is set.
            assert set(build_notifiers(settings, http, SystemClock())) == configured_channels(settings) - {
                OutboxChannel.TELEGRAM}, overrides
