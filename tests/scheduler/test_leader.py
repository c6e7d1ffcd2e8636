"""Several instances against the real PostgreSQL: one leader, takeover when it dies,
no due time and no letter twice."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, col, select

from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler
from scheduler.leader import elector_for
from scheduler.models import JobRun, RunOutcome, RunTrigger
from tests.conftest import build_org
from tests.scheduler.support import dispatched_ticket
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.db import SessionFactory, create_engine, session_factory
from tickets.models import Notice, Outbox
from tickets.policy import load_policy

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def two_factories(postgres_url: str) -> AsyncIterator[tuple[SessionFactory, SessionFactory]]:
    """Two instances = two engines (two connection pools), as two processes would have."""
    engines = [create_engine(postgres_url, pool_size=4), create_engine(postgres_url, pool_size=4)]
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    async with engines[0].begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield session_factory(engines[0]), session_factory(engines[1])
    for engine in engines:
        await engine.dispose()


def instance(sessions: SessionFactory, rules: Rules, name: str, key: int) -> JobScheduler:
    return JobScheduler(
        sessions=sessions,
        rules=rules,
        settings=SchedulerSettings(instance=name, lock_key=key),
        elector=elector_for(sessions.kw["bind"], key=key),
    )


async def test_one_leader_and_letters_once(two_factories: tuple[SessionFactory, SessionFactory]) -> None:
    sessions_a, sessions_b = two_factories
    clock = ManualClock(shanghai(2026, 11, 23, 15, 0))
    policy = load_policy()
    rules = Rules(
        clock=clock, calendar=WorkCalendar(policy.working_hours, CalendarOverrides()), policy=policy
    )
    async with sessions_a() as session:
        org = await build_org(session)
        for days in (27, 31):
            await dispatched_ticket(session, rules=rules, clock=clock, org=org,
                                    at=shanghai(2026, 12, 1, 10, 0) - timedelta(days=days))
    key = random.randint(1, 2**40)
    a, b = instance(sessions_a, rules, "A", key), instance(sessions_b, rules, "B", key)
    try:
        clock.set(shanghai(2026, 11, 23, 16, 0))
        assert await a.elect_once() is True  # and catches up: the 16:00 check runs
        assert await b.elect_once() is False
        assert await b.run_pending() == []  # a follower runs nothing

        # Even an instance wrongly believing it leads cannot take a due time that is taken.
        b.is_leader = True
        report = await b.run_job("duty_login_check", due_at=shanghai(2026, 11, 23, 16, 0),
                                 trigger=RunTrigger.SCHEDULED)
        assert report.run_id is None
        b.is_leader = False

        # Both instances producing the same letters at the same moment: each letter once.
        clock.set(shanghai(2026, 12, 1, 9, 0))
        reports = await asyncio.gather(*(s.run_job("handling_days_statistics", due_at=clock.now(),
                                                   trigger=RunTrigger.MANUAL) for s in (a, b)))
        assert sorted(r.counts["letters_created"] for r in reports) == [0, 1]

        async with sessions_a() as session:
            letters = (await session.exec(select(Notice.kind, Notice.unit_id))).all()
            pushes = (
                await session.exec(select(Outbox.dedupe_key).where(col(Outbox.dedupe_key).like("notice:%")))
            ).all()
            runs = (await session.exec(select(JobRun.job, JobRun.instance, JobRun.outcome)
                                       .where(JobRun.job == "duty_login_check"))).all()
        assert sorted(k.value for k, _ in letters) == ["duty_login_missing"] * 3 + ["handling_days_warning"]
        assert len(pushes) == len(set(pushes)) == 8
        assert runs == [("duty_login_check", "A", RunOutcome.DONE)]

        # The leader's session dies (its host vanished; the server ends the session): B takes over.
        async with sessions_a() as session:
            await session.exec(text(  # type: ignore[call-overload]
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND ((classid::bigint << 32) | objid::bigint) = :key"), params={"key": key})
        assert await a.check_leadership() is False  # A notices and stops running jobs
        assert await b.check_leadership() is True
        assert await a.check_leadership() is False  # and cannot come back while B leads
    finally:
        await a.elector.release()
        await b.elector.release()


async def read_line(stream: asyncio.StreamReader, expected: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while True:
        line = await asyncio.wait_for(stream.readline(), timeout=max(deadline - time.monotonic(), 0.01))
        if not line:
            raise AssertionError(f"process ended before printing {expected}")
        if line.decode().startswith(expected):
            return line.decode().strip()


async def test_a_killed_leader_is_replaced_within_30_seconds(postgres_url: str) -> None:
    key = random.randint(1, 2**40)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOTLINE_SCHEDULER_ENABLED": "true"}
    children = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.scheduler.leader_child", postgres_url, str(key), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL) for _ in range(2)]
    try:
        for child in children:
            await read_line(child.stdout, "STARTED", 60)  # type: ignore[arg-type]
        first = await asyncio.wait_for(asyncio.shield(asyncio.wait(
            [asyncio.create_task(read_line(c.stdout, "LEADER", 30)) for c in children],  # type: ignore[arg-type]
            return_when=asyncio.FIRST_COMPLETED)), timeout=35)
        (done,), pending = first
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        leader_pid = int(done.result().split()[1])
        leader = next(c for c in children if c.pid == leader_pid)
        follower = next(c for c in children if c.pid != leader_pid)

        # While the leader lives, the follower stays a follower (it retries every second).
        with pytest.raises(TimeoutError):
            await read_line(follower.stdout, "LEADER", 3)  # type: ignore[arg-type]

        await asyncio.sleep(random.uniform(0, 1))  # kill at any phase of the follower's retry cycle
        killed_at = time.monotonic()
        leader.send_signal(signal.SIGKILL)
        await leader.wait()
        await read_line(follower.stdout, "LEADER", 30)  # type: ignore[arg-type]
        takeover = time.monotonic() - killed_at
        print(f"takeover after kill -9: {takeover:.2f} s")
        assert takeover < 30
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
                await child.wait()
