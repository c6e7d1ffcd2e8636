"""Server time of the console's heaviest pages on a large database (127.0.0.1 only, bounded):
the ticket list with filters, the 总览 dashboard and the duty board, signed in as the office.

The tickets are written straight into the table in bulk (the workflow is not what is
measured here): N tickets over the last 365 days, a share of them open, spread over 20
units, with duty logins for the last 30 days. The real app factory with the web adapter
serves on an ephemeral loopback port in this process; each page is fetched R times in a
row after one warm-up, and p50 / p95 / max of the round trip are printed (on loopback this
is the server's time plus well under a millisecond). The 总览 charts are read once and then
refreshed in the background each minute; the first 总览 of the day, which waits for that
read, is measured on its own.

    python bench/web_bench.py --db sqlite --tickets 1000000
    python bench/web_bench.py --db postgres --tickets 1000000 --requests 40

PostgreSQL: a throw-away database on the local server (HOTLINE_TEST_POSTGRES_URL or
postgresql://postgres@127.0.0.1:5432/test), dropped at the end. No data from /work/shared.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert, text
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from integrations.app import init_app
from tickets.clock import SystemClock, local
from tickets.db import create_engine
from tickets.enums import (
    OPEN_STATUSES,
    Channel,
    HandlerSlot,
    RequestType,
    Role,
    TicketStatus,
    UnitKind,
    Urgency,
)
from tickets.models import DutyLogin, Staff, Ticket, Unit
from web import web_extension
from web.console.pages import CHART_CACHE
from web.console.passwords import hash_password
from web.models import StaffPassword
from wiring import Settings, import_models

POSTGRES_ADMIN = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CONTENTS = ["小区电梯坏了一周，物业一直不修，老人上下楼很困难。", "路灯不亮，晚上出行不安全，请尽快维修。",
            "楼下烧烤店油烟太大，影响居民正常生活。", "咨询灵活就业人员社保缴费基数怎么确定。",
            "家里突然停电三个小时了，请供电公司尽快抢修。", "小区门口道路破损严重，下雨天积水。"]
CATEGORIES = ["物业管理", "市政设施", "环境保护", "社会保障", "供电", "道路交通"]
PASSWORD = "Bench-password-1"
CHUNK = 20_000


async def fill(url: str, tickets: int, open_share: float) -> None:
    import_models()
    engine = create_engine(url, poolclass=NullPool)
    now = SystemClock().now()
    rng = random.Random(12345)
    async with engine.begin() as db:
        await db.run_sync(SQLModel.metadata.create_all)
        office_unit = (
            await db.execute(
                insert(Unit).values(name="区热线办", kind=UnitKind.OFFICE, keywords="").returning(Unit.id)
            )
        ).scalar_one()
        unit_ids = [(await db.execute(insert(Unit).values(name=f"承办单位{i:02d}", kind=UnitKind.DEPARTMENT,
                                                          keywords="").returning(Unit.id))).scalar_one()
                    for i in range(20)]
        office = (await db.execute(insert(Staff).values(role=Role.OFFICE, unit_id=office_unit, name="王主任",
                                                        phone="13900000001").returning(Staff.id))).scalar_one()
        for i, unit in enumerate(unit_ids):
            await db.execute(insert(Staff).values(role=Role.HANDLER, unit_id=unit, slot=HandlerSlot.A,
                                                  name=f"联络员{i}", phone=f"1380000{i:04d}"))
        await db.execute(
            insert(StaffPassword).values(
                staff_id=office,
                login="office",
                password_hash=hash_password(PASSWORD),
                failed_attempts=0,
                changed_at=now,
            )
        )
        today = local(now).date()
        logins = [{"unit_id": u, "work_date": today - timedelta(days=d),
                   "first_login_at": now - timedelta(days=d, hours=rng.randint(1, 6)), "staff_id": None}
                  for d in range(30) for u in unit_ids if rng.random() < 0.85]
        await db.execute(insert(DutyLogin), logins)
    open_states = sorted(OPEN_STATUSES - {TicketStatus.RECEIVED})
    started = time.perf_counter()
    for start in range(0, tickets, CHUNK):
        rows = []
        for n in range(start, min(start + CHUNK, tickets)):
            received = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            is_open = rng.random() < open_share
            status = (rng.choice(open_states) if rng.random() < 0.97 else TicketStatus.RECEIVED) if is_open \
                else TicketStatus.CLOSED
            day = local(received).strftime("%Y%m%d")
            rows.append(
                {
                    "number": f"{day}{n:07d}",
                    "channel": Channel.PHONE,
                    "request_type": RequestType.COMPLAINT,
                    "category": rng.choice(CATEGORIES),
                    "urgency": Urgency.GENERAL,
                    "content": rng.choice(CONTENTS),
                    "place": "",
                    "status": status,
                    "confidential": False,
                    "main_unit_id": None if status is TicketStatus.RECEIVED else rng.choice(unit_ids),
                    "received_at": received,
                    "dispatched_at": received + timedelta(hours=1),
                    "due_at": received + timedelta(days=7),
                    "closed_at": None if is_open else received + timedelta(days=5),
                    "first_contact_attempts": 0,
                    "extended_days": 0,
                    "reply_details": {},
                    "rework_count": 0,
                    "repeat_count": 0,
                    "supervised": False,
                    "archived": False,
                    "pending_request": {},
                    "updated_at": received,
                }
            )
        async with engine.begin() as db:
            await db.execute(insert(Ticket), rows)
        print(f"  {min(start + CHUNK, tickets):>9,} tickets written ({time.perf_counter() - started:.0f} s)",
              flush=True)
    # As autovacuum leaves a table in service: statistics, and the visibility map that lets
    # PostgreSQL count from an index alone.
    async with engine.connect() as db:
        await (await db.execution_options(isolation_level="AUTOCOMMIT")).execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    await engine.dispose()


PAGES = [
    ("ticket list: open, newest first", "/console/tickets"),
    ("ticket list: one unit, open", "/console/tickets?view=open&unit_id=5"),
    ("ticket list: overdue, by deadline", "/console/tickets?view=overdue&sort=due"),
    (
        "ticket list: state + period",
        "/console/tickets?view=all&state=accepted&received_from={from_}&received_to={to}",
    ),
    ("ticket list: page 50 of all", "/console/tickets?view=all&page=50"),
    ("ticket list: text search", "/console/tickets?view=open&q=停电"),
    ("dashboard (总览)", "/console/"),
    ("dashboard (总览), first of the day", "/console/#uncached"),
    ("duty board (值班签到)", "/console/duty"),
]


async def measure(url: str, requests: int) -> None:
    settings = Settings(database_url=url, outbox_enabled=False, scheduler_enabled=False, web_secret="bench")
    app = init_app(settings, extensions=[web_extension(settings)])
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        page = await (await client.get("/console/login")).text()
        token = page.split('name="_csrf" value="')[1].split('"')[0]
        response = await client.post(
            "/console/login",
            data={"_csrf": token, "login": "office", "password": PASSWORD, "next": "/console/"},
            allow_redirects=False,
        )
        assert response.status == 303, response.status
        today = local(SystemClock().now()).date()
        print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, path in PAGES:
            path = path.format(from_=today - timedelta(days=60), to=today)
            assert (await client.get(path)).status == 200, path
            times = []
            for _ in range(requests):
                if path.endswith("#uncached"):
                    app[CHART_CACHE].clear()  # what the first 总览 of the day pays (charts read)
                started = time.perf_counter()
                response = await client.get(path)
                await response.read()
                times.append((time.perf_counter() - started) * 1000)
                assert response.status == 200
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"{name:<40} {statistics.median(times):>8.1f} {p95:>8.1f} {times[-1]:>8.1f}", flush=True)


async def run(db: str, tickets: int, open_share: float, requests: int) -> None:
    if db == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            await fill(url, tickets, open_share)
            await measure(url, requests)
        return
    import asyncpg

    name = f"hotline_webbench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        await fill(url, tickets, open_share)
        await measure(url, requests)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--open-share", type=float, default=0.1)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"{args.db}: {args.tickets:,} tickets, {args.open_share:.0%} open")
    asyncio.run(run(args.db, args.tickets, args.open_share, args.requests))


if __name__ == "__main__":
    main()
