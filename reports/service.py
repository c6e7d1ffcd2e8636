"""Entry points that open the database themselves (CLI, scheduler jobs)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

from reports.bulletin import build_bulletin
from reports.export import BulletinFiles, write_bulletin
from reports.indicators import unit_indicators
from reports.periods import Period
from reports.rankings import load_ranking_rules
from reports.schemes import CompiledScheme, ScoreTable, counts_from_indicators, score_units
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import Clock, SystemClock
from tickets.db import create_engine, session_factory
from tickets.policy import load_policy
from tickets.settings import Settings


async def score_period(
    *, scheme: CompiledScheme, period: Period, settings: Settings | None = None
) -> ScoreTable | None:
    settings = settings or Settings()
    policy = load_policy(settings.policy_file)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await unit_indicators(session, period=period, limit_days=policy.deadlines.limit.amount)
    finally:
        await engine.dispose()
    return score_units(scheme, counts_from_indicators(scheme, rows)) if rows else None


async def make_bulletin(
    *,
    kind: str,
    period: Period,
    out_dir: Path,
    scheme: CompiledScheme,
    rules_path: Path | None = None,
    settings: Settings | None = None,
    clock: Clock | None = None,
) -> BulletinFiles:
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
    return write_bulletin(bulletin, out_dir)
