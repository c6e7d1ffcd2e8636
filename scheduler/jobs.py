"""The named jobs. Each is thin: one transaction, one service function of tickets/, its
counts back. Names are fixed — other tools refer to them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from knowledge_base.classify.retrain import retrain, week_key_of
from scheduler.config import SchedulerSettings
from scheduler.ledger import TableReminderLedger
from scheduler.models import RunTrigger
from tickets.clock import SHANGHAI
from tickets.context import Rules
from tickets.db import SessionFactory, transaction
from tickets.duty import run_duty_login_check
from tickets.letters import run_handling_days_statistics
from tickets.policy import Policy
from tickets.reminders import ReminderSettings, send_deadline_reminders
from tickets.supervision import run_supervision_weekly
from tickets.verification import prune
from tickets.whistles import run_report_in_check

DUTY_LOGIN_CHECK = "duty_login_check"
HANDLING_DAYS_STATISTICS = "handling_days_statistics"
DEADLINE_REMINDERS = "deadline_reminders"
SUPERVISION_WEEKLY = "supervision_weekly"
VERIFICATION_PRUNE = "verification_prune"
WHISTLE_REPORT_IN = "whistle_report_in"
ROUTING_RETRAIN = "routing_retrain"


@dataclass(frozen=True)
class JobContext:
    sessions: SessionFactory
    rules: Rules
    at: datetime  # the due time: every decision is made as of it, also when run late
    trigger: RunTrigger
    reminder_settings: ReminderSettings = field(default_factory=ReminderSettings)


@dataclass
class JobResult:
    counts: dict[str, Any]
    skipped: bool = False  # nothing to do at this due time (not a working day…)
    failed_items: list[str] = field(default_factory=list)  # units/tickets logged and skipped


JobFunction = Callable[[JobContext], Awaitable[JobResult]]


async def duty_login_check(ctx: JobContext) -> JobResult:
    async with transaction(ctx.sessions) as session:
        result = await run_duty_login_check(session, rules=ctx.rules, at=ctx.at)
    return JobResult(counts=result.counts(), skipped=not result.workday or result.too_early,
                     failed_items=result.failed)


async def handling_days_statistics(ctx: JobContext) -> JobResult:
    async with transaction(ctx.sessions) as session:
        result = await run_handling_days_statistics(session, rules=ctx.rules, at=ctx.at)
    return JobResult(counts=result.counts(), failed_items=result.failed)


async def deadline_reminders(ctx: JobContext) -> JobResult:
    async with transaction(ctx.sessions) as session:
        result = await send_deadline_reminders(
            session, rules=ctx.rules, at=ctx.at, ledger=TableReminderLedger(), settings=ctx.reminder_settings
        )
    return JobResult(counts=result.counts(), failed_items=result.failed)


async def supervision_weekly(ctx: JobContext) -> JobResult:
    async with transaction(ctx.sessions) as session:
        result = await run_supervision_weekly(session, rules=ctx.rules, at=ctx.at,
                                              only_first_workday=ctx.trigger is not RunTrigger.MANUAL)
    return JobResult(counts=result.counts(), skipped=not result.ran, failed_items=result.failed)


async def verification_prune(ctx: JobContext) -> JobResult:
    async with transaction(ctx.sessions) as session:
        deleted = await prune(session, rules=ctx.rules)
    return JobResult(counts={"deleted": deleted})


async def whistle_report_in(ctx: JobContext) -> JobResult:
    async with transaction(ctx.sessions) as session:
        result = await run_report_in_check(session, rules=ctx.rules, at=ctx.at)
    return JobResult(counts=result.counts(), failed_items=result.failed)
async def routing_retrain(ctx: JobContext) -> JobResult:
    # The week's key makes it once per week even when run by hand or caught up after a restart.
    async with transaction(ctx.sessions) as session:
        outcome = await retrain(session, rules=ctx.rules, at=ctx.at, trigger="weekly",
                                week_key=week_key_of(ctx.at))
    return JobResult(
        counts={"version": outcome.version, "promoted": outcome.promoted, "n_train": outcome.n_train},
        skipped=outcome.version is None,
    )


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    run: JobFunction
    # Report each missed due time (letters, checks); a sweep's next tick makes up for a missed one.
    report_missed: bool = True


# An anchor for interval triggers so reminder ticks fall on round minutes (…:00, :05, :10).
INTERVAL_ANCHOR = datetime(2026, 1, 1, tzinfo=SHANGHAI)


def build_jobs(policy: Policy, settings: SchedulerSettings) -> dict[str, JobSpec]:
    checks = policy.checks
    deadline = checks.duty_login_deadline
    stats_at = settings.statistics_time
    if checks.statistics_anchor is not None:
        statistics: BaseTrigger = IntervalTrigger(
            days=settings.statistics_interval_days, timezone=SHANGHAI,
            start_date=datetime.combine(checks.statistics_anchor, stats_at, tzinfo=SHANGHAI),
        )
    else:
        days = ",".join(str(d) for d in checks.statistics_days_of_month)
        statistics = CronTrigger(day=days, hour=stats_at.hour, minute=stats_at.minute, timezone=SHANGHAI)
    specs = [
        # Daily: whether the day is a working day is decided by the calendar inside the check.
        JobSpec(DUTY_LOGIN_CHECK, CronTrigger(hour=deadline.hour, minute=deadline.minute, timezone=SHANGHAI),
                duty_login_check),
        JobSpec(HANDLING_DAYS_STATISTICS, statistics, handling_days_statistics),
        JobSpec(DEADLINE_REMINDERS,
                IntervalTrigger(seconds=settings.reminder_interval_seconds, start_date=INTERVAL_ANCHOR,
                                timezone=SHANGHAI),
                deadline_reminders, report_missed=False),
        # Daily too: the list goes out on the first working day of each week.
        JobSpec(SUPERVISION_WEEKLY, CronTrigger(hour=settings.supervision_time.hour,
                                                minute=settings.supervision_time.minute, timezone=SHANGHAI),
                supervision_weekly),
        # Nightly: one-time SMS codes (they name phones) are not kept longer than needed.
        JobSpec(VERIFICATION_PRUNE, CronTrigger(hour=3, minute=30, timezone=SHANGHAI), verification_prune,
                report_missed=False),
        # 吹哨报到: summoned units late to report in, reminded once and then reported once (the
        # summons rows remember both), on the reminders' period; a missed tick is made up by the next.
        JobSpec(WHISTLE_REPORT_IN,
                IntervalTrigger(seconds=settings.reminder_interval_seconds, start_date=INTERVAL_ANCHOR,
                                timezone=SHANGHAI),
                whistle_report_in, report_missed=False),
        JobSpec(ROUTING_RETRAIN, CronTrigger(day_of_week="mon", hour=settings.routing_retrain_time.hour,
                                             minute=settings.routing_retrain_time.minute, timezone=SHANGHAI),
                routing_retrain),
    ]
    return {spec.name: spec for spec in specs}
