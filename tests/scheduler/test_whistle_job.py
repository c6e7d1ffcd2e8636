"""The whistle_report_in job through the scheduler: two instances ticking at the same due
times remind a late unit once and report it once (job_run claims plus the summons rows)."""

from __future__ import annotations

from sqlmodel import col, select

from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler
from scheduler.jobs import WHISTLE_REPORT_IN
from scheduler.models import JobRun, RunOutcome
from tests.conftest import Org
from tests.scheduler.support import outbox_of_kind
from tests.tickets.test_whistles import whistled
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.messaging import MessageKind


async def test_two_instances_remind_once_and_report_once(sessions: SessionFactory, rules: Rules,
                                                         clock: ManualClock, org: Org) -> None:
    async with sessions() as session:
        number = await whistled(session, rules=rules, clock=clock, org=org)
    first, second = (JobScheduler(sessions=sessions, rules=rules, settings=SchedulerSettings(instance=name))
                     for name in ("A", "B"))
    clock.set(shanghai(2026, 11, 23, 11, 50))
    # both lead (SingleInstance): the worst case
    assert await first.elect_once() and await second.elect_once()
    counts = []
    for hour, minute in ((11, 55), (12, 0), (12, 5), (14, 0), (14, 5)):
        clock.set(shanghai(2026, 11, 23, hour, minute))
        for scheduler in (first, second):
            counts += [r.counts for r in await scheduler.run_pending(WHISTLE_REPORT_IN)]
    assert [(c["reminded"], c["reported"]) for c in counts] == [(0, 0), (2, 0), (0, 0), (0, 2), (0, 0)]
    async with sessions() as session:
        runs = (await session.exec(select(JobRun).where(JobRun.job == WHISTLE_REPORT_IN)
                                   .order_by(col(JobRun.id)))).all()
        # 11:50 at election, then one per due time
        assert {r.outcome for r in runs} == {RunOutcome.DONE} and len(runs) == 6
        reminders = await outbox_of_kind(session, MessageKind.WHISTLE_REMINDER)
        late = await outbox_of_kind(session, MessageKind.WHISTLE_LATE)
    # Neither unit reported in: each is reminded (handlers A and B) and each reported to the office once.
    assert sorted(m.recipient for m in reminders) == ["1001", "1021", "13800000002", "13800002002"]
    assert sorted(m.payload["text"].split("未在")[0] for m in late) == [
        "【报到超时】供电分公司",
        "【报到超时】区住建局",
    ]
    assert all(number in m.payload["text"] for m in late)
