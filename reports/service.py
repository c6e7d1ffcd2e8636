"""Entry points that open the database themselves (CLI, scheduler jobs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Literal, TypeVar, cast

from sqlmodel.ext.asyncio.session import AsyncSession

from reports.bulletin import build_bulletin, office_name
from reports.enterprise import mailbox_index
from reports.export import WRITE_STEPS, BulletinFiles, DeputyListFiles, write_bulletin, write_deputy_list
from reports.indicators import unit_indicators
from reports.linkage import DeputyReport, WhistleReport, deputies_list, deputy_report, whistle_report
from reports.periods import Period
from reports.rankings import load_ranking_rules
from reports.schemes import CompiledScheme, ScoreTable, counts_from_indicators, score_units
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import Clock, SystemClock
from tickets.db import create_engine, session_factory
from tickets.policy import Policy, load_policy
from tickets.settings import Settings

T = TypeVar("T")


async def score_period(
    *, scheme: CompiledScheme, period: Period, settings: Settings | None = None
) -> ScoreTable | None:
    rows = await _read(settings, lambda session, policy: unit_indicators(
        session, period=period, limit_days=policy.deadlines.limit.amount,
        call_evidence_since=policy.contact.call_evidence_since))
    return score_units(scheme, counts_from_indicators(scheme, rows)) if rows else None


async def _read(settings: Settings | None, work: Callable[[AsyncSession, Policy], Awaitable[T]]) -> T:
    """One read of the configured database: `work(session, policy)` (the office's policy file)."""
    settings = settings or Settings()
    policy = load_policy(settings.policy_file)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            return await work(session, policy)
    finally:
        await engine.dispose()


async def mailbox_period(
    *, scheme: CompiledScheme, period: Period, settings: Settings | None = None
) -> ScoreTable | None:
    """The 市长信箱's comprehensive index of a period, from the letters in the database."""
    return await _read(settings, lambda session, policy: mailbox_index(
        session, period=period, scheme=scheme, limit_days=policy.deadlines.limit.amount))


# Reading the database, then the files (export.WRITE_STEPS).
BULLETIN_STEPS = 1 + WRITE_STEPS


async def make_bulletin(
    *,
    kind: str,
    period: Period,
    out_dir: Path,
    scheme: CompiledScheme,
    rules_path: Path | None = None,
    settings: Settings | None = None,
    clock: Clock | None = None,
    advance: Callable[[int], None] | None = None,
) -> BulletinFiles:
    """Read, then write the files; `advance(1)` after each of BULLETIN_STEPS steps (a progress bar)."""
    settings = settings or Settings()
    policy = load_policy(settings.policy_file)
    rules = load_ranking_rules(rules_path)
    engine = create_engine(settings.database_url)
    try:
        bulletin = await build_bulletin(
            session_factory(engine),
            kind=cast(Literal["monthly", "weekly"], kind),
            period=period,
            policy=policy,
            scheme=scheme,
            rules=rules,
            made_at=(clock or SystemClock()).now(),
            calendar=WorkCalendar(policy.working_hours, CalendarOverrides.load(settings.calendar_overrides)),
        )
    finally:
        await engine.dispose()
    if advance is not None:
        advance(1)
    return write_bulletin(bulletin, out_dir, advance=advance)


async def make_deputy_list(
    *, period: Period, out_dir: Path, settings: Settings | None = None
) -> DeputyListFiles:
    """The month's list for the deputies' liaison (人大代表联系点问题清单): Markdown and XLSX."""
    settings = settings or Settings()
    policy = load_policy(settings.policy_file)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            found = await deputies_list(session, period=period, policy=policy)
            office = await office_name(session)
    finally:
        await engine.dispose()
    return write_deputy_list(found, out_dir, office=office)


async def linkage_figures(
    *, period: Period, settings: Settings | None = None
) -> tuple[WhistleReport, DeputyReport]:
    """吹哨报到 by who blew the whistle, and the tickets referred by deputies, for a period."""
    settings = settings or Settings()
    policy = load_policy(settings.policy_file)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            whistles = await whistle_report(session, period=period)
            deputies = await deputy_report(session, period=period, limit_days=policy.deadlines.limit.amount)
    finally:
        await engine.dispose()
    return whistles, deputies
