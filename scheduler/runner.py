"""Starting and stopping the scheduler in a host process.

    async with run_scheduler(settings=settings, sessions=sessions, rules=rules) as scheduler:
        ...  # serve; the jobs run in the background while this instance is the leader

`main.py serve` installs it into the web app with `scheduler_extension`; the app itself
does not know the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler
from scheduler.leader import elector_for
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.settings import Settings

log = logging.getLogger(__name__)


def engine_of(sessions: SessionFactory) -> AsyncEngine:
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise ValueError("the session factory must be bound to an AsyncEngine")
    return bind


@asynccontextmanager
async def run_scheduler(
    *,
    settings: Settings,
    sessions: SessionFactory,
    rules: Rules,
    scheduler_settings: SchedulerSettings | None = None,
) -> AsyncIterator[JobScheduler | None]:
    """Yields the running JobScheduler, or None when settings.scheduler_enabled is off."""
    if not settings.scheduler_enabled:
        log.info("scheduler disabled (HOTLINE_SCHEDULER_ENABLED=false): this process runs no jobs")
        yield None
        return
    config = scheduler_settings or SchedulerSettings()
    scheduler = JobScheduler(sessions=sessions, rules=rules, settings=config,
                             elector=elector_for(engine_of(sessions), key=config.lock_key))
    await scheduler.start()
    try:
        yield scheduler
    finally:
        await scheduler.stop()


def scheduler_extension(settings: Settings) -> Callable[[web.Application], None]:
    """What main.py hands to `integrations.app.init_app`: the scheduler started after the
    database and stopped, letting running jobs finish, before the engine is disposed."""
    # The app's shared resources, by their typed keys; integrations never imports the scheduler.
    from integrations.state import RULES, SESSIONS

    def install(app: web.Application) -> None:
        async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
            async with run_scheduler(settings=settings, sessions=app[SESSIONS], rules=app[RULES]):
                yield

        app.cleanup_ctx.append(scheduler_ctx)

    return install
