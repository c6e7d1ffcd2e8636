"""The wiring the lead adds to integrations/app.py, run against the real app factory:
the scheduler starts with the app, runs its jobs, and stops before the engine closes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from pytest_aiohttp import AiohttpClient
from sqlmodel import SQLModel, col, select

from integrations.app import RULES, SESSIONS, SETTINGS, init_app
from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler
from scheduler.models import JobRun, RunOutcome
from scheduler.runner import run_scheduler
from tests.conftest import run_in_thread
from tickets.db import create_engine
from wiring import Settings

SCHEDULER = web.AppKey("scheduler", JobScheduler)


async def test_scheduler_in_the_app_cleanup_ctx(aiohttp_client: AiohttpClient, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"

    async def schema() -> None:
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
        await engine.dispose()

    run_in_thread(schema)
    app = init_app(Settings(database_url=url))

    async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
        async with run_scheduler(
            settings=app[SETTINGS],
            sessions=app[SESSIONS],
            rules=app[RULES],
            scheduler_settings=SchedulerSettings(reminder_interval_seconds=1),
        ) as scheduler:
            if scheduler is not None:
                app[SCHEDULER] = scheduler
            yield

    # after `database`: uses the sessions, stops before the engine closes
    app.cleanup_ctx.append(scheduler_ctx)
    client = await aiohttp_client(app)
    assert (await client.get("/healthz")).status == 200
    sessions = app[SESSIONS]
    runs: list[JobRun] = []
    for _ in range(50):
        async with sessions() as session:
            runs = list((await session.exec(select(JobRun).where(JobRun.job == "deadline_reminders")
                                            .order_by(col(JobRun.id)))).all())
        if runs:
            break
        await asyncio.sleep(0.1)
    assert app[SCHEDULER].is_leader
    assert runs and runs[0].outcome in (RunOutcome.DONE, RunOutcome.RUNNING)
