"""Job-run records: claiming a due time (once across instances), finishing it, and
reading what has been done for catch-up and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.models import JobRun, RunOutcome, RunTrigger
from tickets.clock import ensure_aware
from tickets.db import SessionFactory, insert_for, transaction

# A due time in one of these states is not run again automatically.
SETTLED = (RunOutcome.DONE, RunOutcome.PARTIAL, RunOutcome.SKIPPED, RunOutcome.MISSED, RunOutcome.RUNNING)
RETRYABLE = (RunOutcome.FAILED, RunOutcome.ABANDONED)


def due_key(due_at: datetime) -> str:
    return ensure_aware(due_at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def claim(sessions: SessionFactory, *, job: str, due_at: datetime, trigger: RunTrigger, instance: str,
                now: datetime) -> int | None:
    """The id of a new running record for this due time, or None when the due time is
    already taken (by this or another instance). Manual runs always get a record."""
    async with transaction(sessions) as session:
        values: dict[str, Any] = {
            "job": job,
            "due_at": due_at,
            "trigger": trigger,
            "outcome": RunOutcome.RUNNING,
            "instance": instance,
            "started_at": now,
            "attempts": 1,
            "counts": {},
        }
        if trigger is RunTrigger.MANUAL:
            run = JobRun(due_key=None, **values)
            session.add(run)
            await session.flush()
            return run.id
        key = due_key(due_at)
        statement = (
            insert_for(session)(JobRun).values(due_key=key, **values)
            .on_conflict_do_nothing(index_elements=["job", "due_key"]).returning(col(JobRun.id))
        )
        run_id = (await session.exec(statement)).scalar_one_or_none()
        if run_id is not None:
            return int(run_id)
        # A failed or abandoned attempt may be taken over; the WHERE makes it one winner.
        retry = (
            update(JobRun)
            .where(col(JobRun.job) == job, col(JobRun.due_key) == key, col(JobRun.outcome).in_(RETRYABLE))
            .values(outcome=RunOutcome.RUNNING, trigger=trigger, instance=instance, started_at=now,
                    finished_at=None, error=None, attempts=JobRun.attempts + 1)
            .returning(col(JobRun.id))
        )
        run_id = (await session.exec(retry)).scalar_one_or_none()
        return int(run_id) if run_id is not None else None


async def finish(sessions: SessionFactory, *, run_id: int, instance: str, outcome: RunOutcome,
                 counts: dict[str, Any], error: str | None, now: datetime) -> bool:
    """Record the outcome, unless another instance has taken the run over meanwhile
    (this one was cut off from the leader lock and presumed dead)."""
    async with transaction(sessions) as session:
        result = await session.exec(
            update(JobRun)
            .where(col(JobRun.id) == run_id, col(JobRun.instance) == instance,
                   col(JobRun.outcome) == RunOutcome.RUNNING)
            .values(outcome=outcome, counts=counts, error=error, finished_at=now)
        )
        return bool(result.rowcount)


async def record_missed(sessions: SessionFactory, *, job: str, due_at: datetime, instance: str,
                        now: datetime) -> bool:
    """Note a due time the service was down for, past the grace: reported once, not made up."""
    async with transaction(sessions) as session:
        statement = (
            insert_for(session)(JobRun).values(
                job=job, due_key=due_key(due_at), due_at=due_at, trigger=RunTrigger.CATCH_UP,
                outcome=RunOutcome.MISSED, instance=instance, started_at=None, finished_at=now, attempts=0,
                counts={}, error="missed: the service was not running within the catch-up grace",
            ).on_conflict_do_nothing(index_elements=["job", "due_key"])
        )
        result = await session.exec(statement)
        return bool(result.rowcount)


async def abandon_others(sessions: SessionFactory, *, instance: str, now: datetime) -> int:
    """A new leader marks the runs a dead leader left 'running' as abandoned (then retries
    them within the grace). Only the leader runs scheduled jobs, so no live run is touched."""
    async with transaction(sessions) as session:
        result = await session.exec(
            update(JobRun)
            .where(
                col(JobRun.outcome) == RunOutcome.RUNNING,
                col(JobRun.instance) != instance,
                col(JobRun.trigger) != RunTrigger.MANUAL,
            )
            .values(
                outcome=RunOutcome.ABANDONED, finished_at=now, error=f"abandoned: taken over by {instance}"
            )
        )
        return int(result.rowcount or 0)


async def recorded_dues(session: AsyncSession, *, job: str, since: datetime) -> dict[str, RunOutcome]:
    rows = await session.exec(
        select(col(JobRun.due_key), col(JobRun.outcome))
        .where(JobRun.job == job, col(JobRun.due_key).is_not(None), col(JobRun.due_at) >= since)
    )
    return {key: outcome for key, outcome in rows.all() if key is not None}


async def last_recorded_due(session: AsyncSession, *, job: str) -> datetime | None:
    row = (await session.exec(
        select(JobRun.due_at).where(JobRun.job == job, col(JobRun.due_key).is_not(None))
        .order_by(col(JobRun.due_at).desc()).limit(1)
    )).first()
    return row


async def latest_runs(session: AsyncSession, *, job: str | None = None, limit: int = 20) -> Sequence[JobRun]:
    query = select(JobRun)
    if job is not None:
        query = query.where(JobRun.job == job)
    query = query.order_by(col(JobRun.id).desc()).limit(limit)
    return (await session.exec(query)).all()
