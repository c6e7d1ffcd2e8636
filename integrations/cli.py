"""`apikey` and `outbox` commands: API clients, and the dead letters of the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import texts
from integrations.config import IntegrationSettings as Settings
from integrations.keys import Scope, create_key
from integrations.models import ApiKey
from integrations.outbox_health import configured_channels, outbox_counts, unsent
from integrations.outbox_worker import recipient_for_log
from tickets.clock import SystemClock, local
from tickets.context import Rules
from tickets.db import create_engine, session_factory
from tickets.enums import OutboxChannel, OutboxStatus, Role
from tickets.errors import HotlineError
from tickets.models import Outbox
from tickets.privacy import mask_text
from tickets.terminal import text_table

T = TypeVar("T")



def _with_session(work: Callable[[AsyncSession, Rules], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the configured database."""
    settings = Settings()

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await work(session, Rules.from_settings(settings, SystemClock()))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except (HotlineError, ValueError) as error:
        raise click.ClickException(getattr(error, "message", str(error))) from error


@click.group()
def apikey() -> None:
    """API keys of the REST API, Open311 and the telephony hook."""


@apikey.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice([s.value for s in Scope]),
              help="Repeat for several scopes.")
@click.option("--role", type=click.Choice([Role.OFFICE.value, Role.HANDLER.value, Role.SYSTEM.value]),
              default=Role.SYSTEM.value, show_default=True, help="Whom the client acts as in the workflow.")
@click.option("--unit", "unit_id", type=int, default=None, help="Unit id (required for --role handler).")
def create(name: str, scopes: tuple[str, ...], role: str, unit_id: int | None) -> None:
    """Create a key; it is printed once and stored only as a hash."""

    async def work(session: AsyncSession, rules: Rules) -> str:
        if (await session.exec(select(ApiKey).where(ApiKey.name == name))).first() is not None:
            raise ValueError(f"密钥名称“{name}”已存在。")
        _, plain = await create_key(session, rules=rules, name=name, scopes=list(scopes), role=Role(role),
                                    unit_id=unit_id)
        return plain

    plain = _with_session(work)
    click.echo(f"已创建 API 密钥“{name}”（权限：{'、'.join(scopes)}）。请妥善保存，系统不会再次显示：")
    click.echo(plain)


@apikey.command("list")
def list_keys() -> None:
    """Keys with their scopes (never the secrets)."""

    async def work(session: AsyncSession, _rules: Rules) -> list[ApiKey]:
        return list((await session.exec(select(ApiKey).order_by(col(ApiKey.id)))).all())

    for key in _with_session(work):
        state = "已停用" if key.revoked_at else "有效"
        unit = f" 单位#{key.unit_id}" if key.unit_id else ""
        click.echo(f"{key.name}\thk_{key.prefix}_…\t{key.role.value}{unit}\t{','.join(key.scopes)}\t{state}")


@apikey.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Stop a key (running servers notice within 30 seconds)."""

    async def work(session: AsyncSession, rules: Rules) -> None:
        key = (await session.exec(select(ApiKey).where(ApiKey.name == name))).first()
        if key is None:
            raise ValueError(f"没有名为“{name}”的密钥。")
        key.revoked_at = rules.now()
        session.add(key)

    _with_session(work)
    click.echo(f"密钥“{name}”已停用。")


@click.group()
def outbox() -> None:
    """The outbox: messages waiting, sent, or dead after too many attempts."""


@outbox.command("list")
@click.option("--status", type=click.Choice([s.value for s in OutboxStatus]), default=None,
              help="List the messages of one status (default: a summary by status and channel).")
@click.option("--channel", type=click.Choice([c.value for c in OutboxChannel]), default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def list_messages(status: str | None, channel: str | None, limit: int) -> None:
    """A summary by status and channel, or the messages of one status, newest first (phones masked)."""
    if status is None:
        _summary()
        return

    async def work(session: AsyncSession, _rules: Rules) -> list[Outbox]:
        query = select(Outbox).where(Outbox.status == OutboxStatus(status))
        if channel:
            query = query.where(Outbox.channel == OutboxChannel(channel))
        return list((await session.exec(query.order_by(col(Outbox.id).desc()).limit(limit))).all())

    rows = _with_session(work)
    if not rows:
        click.echo(texts.OUTBOX_NO_MESSAGES)
    for m in rows:
        text = mask_text(str(m.payload.get("text", "")).replace("\n", " "))[:60]
        click.echo(f"#{m.id}\t{m.channel.value}\t{recipient_for_log(m)}\t尝试{m.attempts}次\t"
                   f"{local(m.created_at):%Y-%m-%d %H:%M}\t{text}\t{mask_text(m.last_error or '')[:80]}")


def _summary() -> None:
    """Counts per channel and status; channels with no sender in this configuration are named."""
    counts = _with_session(lambda session, _rules: outbox_counts(session))
    if not counts:
        click.echo(texts.OUTBOX_EMPTY)
        return
    senders = configured_channels(Settings())
    rows = [
        (f"{texts.CHANNEL_NAME[c.value]} ({c.value})",
         *(counts.get((c, s), 0) for s in (OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.DEAD)),
         "" if c in senders else texts.OUTBOX_NO_SENDER)
        for c in OutboxChannel
        if any(counts.get((c, s), 0) for s in OutboxStatus)
    ]
    click.echo(text_table(texts.OUTBOX_SUMMARY_HEADER, rows))
    for item in unsent(counts, senders):
        click.echo(item.message)
    click.echo(texts.OUTBOX_SUMMARY_HINT)


@outbox.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Every dead message.")
def retry(ids: tuple[int, ...], all_dead: bool) -> None:
    """Put dead messages back in the queue, with a fresh count of attempts."""
    if not ids and not all_dead:
        raise click.UsageError("give message ids or --all-dead")

    async def work(session: AsyncSession, rules: Rules) -> int:
        statement = update(Outbox).where(col(Outbox.status) == OutboxStatus.DEAD)
        if ids:
            statement = statement.where(col(Outbox.id).in_(ids))
        result = await session.exec(statement.values(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=rules.now()))
        return int(result.rowcount)

    count = _with_session(work)
    click.echo(f"已重新排队 {count} 条消息。")
