"""A scheduler process for the takeover test: prints LEADER when it becomes the leader.

    python -m tests.scheduler.leader_child DATABASE_URL LOCK_KEY
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler
from scheduler.leader import elector_for
from tickets.context import Rules
from tickets.db import create_engine, session_factory
from wiring import Settings


async def main(url: str, key: int) -> None:
    engine = create_engine(url, pool_size=2)
    config = SchedulerSettings(
        instance=f"child-{os.getpid()}",
        leader_retry_seconds=1.0,
        leader_check_seconds=1.0,
        lock_key=key,
        reminder_interval_seconds=3600,
    )
    scheduler = JobScheduler(
        sessions=session_factory(engine),
        rules=Rules.from_settings(Settings(database_url=url)),
        settings=config,
        elector=elector_for(engine, key=key),
    )
    await scheduler.start()
    print("STARTED", flush=True)
    announced = False
    while True:
        if scheduler.is_leader and not announced:
            print("LEADER", os.getpid(), flush=True)
            announced = True
        await asyncio.sleep(0.05)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
