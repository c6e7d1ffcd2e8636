"""The scheduler with a controlled clock: due times run exactly once across restarts,
catch-up within the grace, missed runs reported, failed and abandoned runs retried."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import col, select

from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler, fire_times
from scheduler.jobs import JobContext, JobResult, JobSpec, build_jobs
from scheduler.models import JobRun, RunOutcome, RunTrigger
from scheduler.runner import run_scheduler
from scheduler.runs import due_key
from tests.conftest import Org
from tickets import logins
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import SHANGHAI, ManualClock, SystemClock, local, shanghai
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.models import Notice
from tickets.policy import load_policy
from wiring import Settings

DUTY = "duty_login_check"


def make(sessions: SessionFactory, rules: Rules, instance: str, **settings: object) -> JobScheduler:
    return JobScheduler(sessions=sessions, rules=rules,
                        settings=SchedulerSettings(instance=instance, **settings))  # type: ignore[arg-type]


async def job_runs(sessions: SessionFactory, job: str = DUTY) -> list[JobRun]:
    async with sessions() as session:
        return list(
            (await session.exec(select(JobRun).where(JobRun.job == job).order_by(col(JobRun.id)))).all()
        )


async def notice_count(sessions: SessionFactory) -> int:
    async with sessions() as session:
        return len((await session.exec(select(Notice))).all())


async def login(sessions: SessionFactory, rules: Rules, clock: ManualClock, org: Org, unit: int,
                at: datetime) -> None:
    clock.set(at)
    async with sessions() as session:
        actor = org.handler(unit)
        await logins.record_duty_login(session, rules=rules, unit_id=actor.unit_id, staff_id=actor.id)  # type: ignore[arg-type]
        await session.commit()


async def test_restart_at_1555_runs_the_check_once(sessions: SessionFactory, rules: Rules, clock: ManualClock,
                                                   org: Org) -> None:
    clock.set(shanghai(2026, 11, 23, 15, 50))
    first = make(sessions, rules, "A")
    assert await first.elect_once()  # fresh installation: yesterday's 16:00 is past the grace, owed nothing
    assert await job_runs(sessions) == []
    # Restart at 15:55: nothing is due yet.
    clock.set(shanghai(2026, 11, 23, 15, 55))
    second = make(sessions, rules, "B")
    assert await second.elect_once() and await job_runs(sessions) == []
    # 16:00: APScheduler's tick; a second tick (or instance) does nothing more.
    clock.set(shanghai(2026, 11, 23, 16, 0, ))
    reports = await second.run_pending(DUTY)
    clock.advance(timedelta(seconds=30))
    assert await second.run_pending(DUTY) == []
    # Restart at 16:05: already done.
    clock.set(shanghai(2026, 11, 23, 16, 5))
    third = make(sessions, rules, "C")
    await third.elect_once()
    runs = await job_runs(sessions)
    assert [(r.trigger, r.outcome, local(r.due_at).strftime("%m-%d %H:%M"), r.instance) for r in runs] == [
        (RunTrigger.SCHEDULED, RunOutcome.DONE, "11-23 16:00", "B")]
    assert reports[0].counts["missing"] == 3 and runs[0].counts["letters_created"] == 3
    assert await notice_count(sessions) == 3


async def test_down_from_1555_to_1605_catches_up_once_as_of_1600(sessions: SessionFactory, rules: Rules,
                                                                 clock: ManualClock, org: Org) -> None:
    clock.set(shanghai(2026, 11, 23, 15, 55))
    assert await make(sessions, rules, "A").elect_once()
    await login(sessions, rules, clock, org, 0, shanghai(2026, 11, 23, 15, 59))
    await login(sessions, rules, clock, org, 1, shanghai(2026, 11, 23, 16, 2))  # late, while we were down
    clock.set(shanghai(2026, 11, 23, 16, 5))
    restarted = make(sessions, rules, "B")
    assert await restarted.elect_once()
    clock.set(shanghai(2026, 11, 23, 16, 10))
    assert await make(sessions, rules, "C").elect_once()
    runs = await job_runs(sessions)
    assert [(r.trigger, r.outcome, r.instance) for r in runs] == [(RunTrigger.CATCH_UP, RunOutcome.DONE, "B")]
    assert runs[0].counts["missing"] == 2  # the 16:02 login does not count
    async with sessions() as session:
        units = sorted(n.unit_id for n in (await session.exec(select(Notice))).all())
    assert units == [org.unit_ids[1], org.unit_ids[2]]


async def test_missed_past_the_grace_is_reported_not_made_up(sessions: SessionFactory, rules: Rules,
                                                             clock: ManualClock, org: Org,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    clock.set(shanghai(2026, 11, 23, 16, 0))
    scheduler = make(sessions, rules, "A")
    await scheduler.elect_once()
    # Down from Monday evening to Wednesday 10:00: Tuesday's check is 18 hours late.
    clock.set(shanghai(2026, 11, 25, 10, 0))
    with caplog.at_level(logging.WARNING, logger="scheduler.core"):
        assert await make(sessions, rules, "B").elect_once()
        assert await make(sessions, rules, "C").elect_once()  # reported once only
    runs = await job_runs(sessions)
    assert [(local(r.due_at).strftime("%m-%d"), r.outcome) for r in runs] == [
        ("11-23", RunOutcome.DONE), ("11-24", RunOutcome.MISSED)]
    messages = [r.getMessage() for r in caplog.records if "was missed" in r.getMessage()]
    assert len(messages) == 1
    assert 'jobs run duty_login_check --at "2026-11-24 16:00"' in messages[0]
    assert await notice_count(sessions) == 3  # only Monday's letters


async def test_failed_and_abandoned_runs_are_retried_within_the_grace(sessions: SessionFactory, rules: Rules,
                                                                      clock: ManualClock, org: Org) -> None:
    due = shanghai(2026, 11, 23, 16, 0)
    async with sessions() as session:
        session.add(JobRun(job=DUTY, due_key=due_key(due), due_at=due, trigger=RunTrigger.SCHEDULED,
                           outcome=RunOutcome.FAILED, instance="old", attempts=1, counts={}))
        session.add(JobRun(job="supervision_weekly", due_key=due_key(shanghai(2026, 11, 23, 9, 30)),
                           due_at=shanghai(2026, 11, 23, 9, 30), trigger=RunTrigger.SCHEDULED,
                           outcome=RunOutcome.RUNNING, instance="dead-leader", attempts=1, counts={}))
        await session.commit()
    clock.set(shanghai(2026, 11, 23, 16, 20))
    assert await make(sessions, rules, "new", catch_up_grace_minutes=480).elect_once()
    (duty,) = await job_runs(sessions)
    assert (duty.outcome, duty.attempts, duty.instance, duty.trigger) == (RunOutcome.DONE, 2, "new",
                                                                          RunTrigger.CATCH_UP)
    (weekly,) = await job_runs(sessions, "supervision_weekly")
    assert (weekly.outcome, weekly.attempts, weekly.instance) == (RunOutcome.DONE, 2, "new")


async def test_manual_runs_always_run_but_letters_stay_once(sessions: SessionFactory, rules: Rules,
                                                            clock: ManualClock, org: Org) -> None:
    clock.set(shanghai(2026, 11, 23, 16, 30))
    scheduler = make(sessions, rules, "cli")
    first = await scheduler.run_job(DUTY, due_at=shanghai(2026, 11, 23, 16, 0), trigger=RunTrigger.MANUAL)
    second = await scheduler.run_job(DUTY, due_at=shanghai(2026, 11, 23, 16, 0), trigger=RunTrigger.MANUAL)
    assert first.counts["letters_created"] == 3 and second.counts["letters_created"] == 0
    assert second.counts["letters_existing"] == 3
    assert [(r.due_key, r.outcome) for r in await job_runs(sessions)] == [(None, RunOutcome.DONE)] * 2


async def test_item_failures_make_a_partial_run_and_errors_a_failed_one(
    sessions: SessionFactory, rules: Rules, clock: ManualClock
) -> None:
    async def some_units_fail(ctx: JobContext) -> JobResult:
        return JobResult(counts={"units": 3}, failed_items=["柳林洲街道"])

    async def broken(ctx: JobContext) -> JobResult:
        raise RuntimeError("database went away")

    scheduler = make(sessions, rules, "A")
    trigger = scheduler.jobs[DUTY].trigger
    scheduler.jobs[DUTY] = JobSpec(DUTY, trigger, some_units_fail)
    scheduler.jobs["supervision_weekly"] = JobSpec("supervision_weekly", trigger, broken)
    partial = await scheduler.run_job(DUTY, due_at=clock.now(), trigger=RunTrigger.SCHEDULED)
    failed = await scheduler.run_job("supervision_weekly", due_at=clock.now(), trigger=RunTrigger.SCHEDULED)
    assert partial.outcome is RunOutcome.PARTIAL and partial.counts["failed_items"] == ["柳林洲街道"]
    assert failed.outcome is RunOutcome.FAILED
    (row,) = await job_runs(sessions, "supervision_weekly")
    assert row.error == "RuntimeError: database went away" and row.finished_at is not None


def test_triggers_follow_the_policy() -> None:
    policy = load_policy()
    jobs = build_jobs(policy, SchedulerSettings())
    assert list(jobs) == ["duty_login_check", "handling_days_statistics", "deadline_reminders",
                          "supervision_weekly", "verification_prune", "whistle_report_in", "routing_retrain"]
    start, end = shanghai(2026, 11, 28), shanghai(2027, 1, 2)
    stats = [local(t).strftime("%Y-%m-%d %H:%M") for t in fire_times(jobs["handling_days_statistics"].trigger,
                                                                     start, end)]
    assert stats == ["2026-12-01 09:00", "2026-12-11 09:00", "2026-12-21 09:00", "2027-01-01 09:00"]
    duty = fire_times(jobs["duty_login_check"].trigger, shanghai(2026, 11, 23), shanghai(2026, 11, 25))
    assert [local(t).strftime("%d %H:%M") for t in duty] == ["23 16:00", "24 16:00"]
    reminders = fire_times(jobs["deadline_reminders"].trigger, shanghai(2026, 11, 23, 9, 1),
                           shanghai(2026, 11, 23, 9, 16))
    assert [local(t).strftime("%H:%M") for t in reminders] == ["09:05", "09:10", "09:15"]
    retrain = fire_times(jobs["routing_retrain"].trigger, shanghai(2026, 11, 23, 3), shanghai(2026, 12, 8))
    assert [local(t).strftime("%a %m-%d %H:%M") for t in retrain] == ["Mon 11-30 02:30", "Mon 12-07 02:30"]

    anchored = policy.model_copy(update={"checks": policy.checks.model_copy(
        update={"statistics_anchor": date(2026, 11, 3)})})
    trigger = build_jobs(anchored, SchedulerSettings()).get("handling_days_statistics").trigger  # type: ignore[union-attr]
    later = shanghai(2027, 1, 3)
    assert [local(t).strftime("%m-%d") for t in fire_times(trigger, start, later)] == [
        "12-03",
        "12-13",
        "12-23",
        "01-02",
    ]


async def test_apscheduler_really_fires_the_jobs(sessions: SessionFactory, org: Org,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    policy = load_policy()
    rules = Rules(clock=SystemClock(), calendar=WorkCalendar(policy.working_hours, CalendarOverrides()),
                  policy=policy)
    config = SchedulerSettings(instance="app", reminder_interval_seconds=1, leader_retry_seconds=0.1,
                               leader_check_seconds=0.1)
    with caplog.at_level(logging.INFO, logger="scheduler"):
        async with run_scheduler(settings=Settings(database_url="sqlite://"), sessions=sessions, rules=rules,
                                 scheduler_settings=config) as scheduler:
            assert scheduler is not None
            for _ in range(60):
                if len(await job_runs(sessions, "deadline_reminders")) >= 2:
                    break
                await asyncio.sleep(0.1)
            assert scheduler.is_leader
    runs = await job_runs(sessions, "deadline_reminders")
    assert len(runs) >= 2 and all(r.outcome is RunOutcome.DONE and r.instance == "app" for r in runs)
    assert len({r.due_at for r in runs}) == len(runs)
    if sessions.kw["bind"].dialect.name == "sqlite":
        assert any("single instance" in r.getMessage() for r in caplog.records)


async def test_disabled_scheduler_runs_nothing(sessions: SessionFactory, rules: Rules) -> None:
    async with run_scheduler(
        settings=Settings(scheduler_enabled=False), sessions=sessions, rules=rules
    ) as nothing:
        assert nothing is None


def test_next_run_times(rules: Rules) -> None:
    scheduler = make(None, rules, "x")  # type: ignore[arg-type]
    upcoming = scheduler.next_run_times(datetime(2026, 11, 23, 16, 30, tzinfo=SHANGHAI))
    assert local(upcoming["duty_login_check"]).strftime("%m-%d %H:%M") == "11-24 16:00"  # type: ignore[arg-type]
    assert local(upcoming["supervision_weekly"]).strftime("%m-%d %H:%M") == "11-24 09:30"  # type: ignore[arg-type]


async def test_a_presumed_dead_leader_cannot_overwrite_the_new_leaders_record(sessions: SessionFactory,
                                                                              clock: ManualClock) -> None:
    from scheduler import runs

    due = shanghai(2026, 11, 23, 16, 0)
    old = await runs.claim(sessions, job=DUTY, due_at=due, trigger=RunTrigger.SCHEDULED, instance="old",
                           now=clock.now())
    assert old is not None
    assert await runs.claim(sessions, job=DUTY, due_at=due, trigger=RunTrigger.SCHEDULED, instance="new",
                            now=clock.now()) is None  # still running: not taken
    assert await runs.abandon_others(sessions, instance="new", now=clock.now()) == 1
    assert await runs.claim(sessions, job=DUTY, due_at=due, trigger=RunTrigger.CATCH_UP, instance="new",
                            now=clock.now()) == old
    assert not await runs.finish(sessions, run_id=old, instance="old", outcome=RunOutcome.FAILED, counts={},
                                 error="cut off", now=clock.now())
    assert await runs.finish(
        sessions,
        run_id=old,
        instance="new",
        outcome=RunOutcome.DONE,
        counts={"units": 3},
        error=None,
        now=clock.now(),
    )
    (row,) = await job_runs(sessions)
    assert (row.instance, row.outcome, row.attempts, row.counts) == ("new", RunOutcome.DONE, 2, {"units": 3})
