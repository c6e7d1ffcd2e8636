"""Ticket core benchmark: insert throughput, and the two hot sweeps over 1,000,000 tickets.

    .venv/bin/python bench/tickets_bench.py [--db sqlite|postgres|both] [--rows 1000000]

Prints figures; it is not a test. PostgreSQL: the local server (postgres@127.0.0.1),
a scratch database `hotline_bench` is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import timedelta

import asyncpg
from sqlalchemy import func, insert, select, text
from sqlmodel import SQLModel, col

from tickets.clock import SystemClock
from tickets.context import Actor, load_rules
from tickets.db import create_engine, session_factory
from tickets.enums import OPEN_STATUSES, WITH_UNIT_STATUSES, Action, Channel, RequestType, Role, TicketStatus
from tickets.intake import create_ticket
from tickets.models import Ticket, TicketEvent, Unit
from tickets.queries import local_day_start, open_longer_than, overdue_tickets
from tickets.schemas import TicketCreate

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
OPEN = sorted(s.value for s in OPEN_STATUSES)


async def prepare(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.run_sync(SQLModel.metadata.create_all)
        await connection.execute(insert(Unit), [{"name": f"单位{i}", "kind": "street", "active": True,
                                                 "keywords": ""} for i in range(2000)])
    await engine.dispose()


async def bench_inserts(url: str, n: int) -> None:
    """Bulk path (imports from the upstream platform) and the service path (one ticket per request)."""
    engine = create_engine(url)
    now = SystemClock().now()
    rows = [
        {"number": f"B{i:012d}", "channel": "phone", "request_type": "complaint", "category": "城市管理",
         "urgency": "general", "content": "楼下夜市占道经营，噪音扰民。", "place": "", "status": "closed",
         "received_at": now, "updated_at": now, "first_contact_attempts": 0, "extended_days": 0,
         "reply_details": {}, "rework_count": 0, "repeat_count": 0, "supervised": False, "archived": False,
         "pending_request": {}, "confidential": False, "main_unit_id": 1 + i % 2000}
        for i in range(n)
    ]
    started = time.perf_counter()
    async with engine.begin() as connection:
        for chunk in range(0, n, 10_000):
            await connection.execute(insert(Ticket), rows[chunk:chunk + 10_000])
        ids = (
            (await connection.execute(select(Ticket.id).where(col(Ticket.number).like("B%")))).scalars().all()
        )
        events = [
            {
                "ticket_id": i,
                "at": now,
                "actor_role": "system",
                "actor_id": None,
                "actor_name": "bench",
                "action": "receive",
                "from_status": "received",
                "to_status": "received",
                "note": "",
                "data": {},
            }
            for i in ids
        ]
        for chunk in range(0, len(events), 10_000):
            await connection.execute(insert(TicketEvent), events[chunk:chunk + 10_000])
    elapsed = time.perf_counter() - started
    print(f"  bulk insert {n:,} tickets + {n:,} events: {elapsed:.2f} s ({n / elapsed:,.0f} tickets/s)")

    rules = load_rules()
    sessions = session_factory(engine)
    sample = 2000
    latencies = []
    started = time.perf_counter()
    for i in range(sample):
        t0 = time.perf_counter()
        async with sessions() as session, session.begin():
            await create_ticket(
                session,
                rules=rules,
                actor=Actor(role=Role.SYSTEM, name="bench"),
                data=TicketCreate(
                    channel=Channel.WEB,
                    request_type=RequestType.COMPLAINT,
                    category="城市管理",
                    content=f"第{i}号测试诉求：路灯不亮。",
                    contact_phone=f"139{i:08d}",
                ),
            )
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    latencies.sort()
    print(f"  service create_ticket (validate, citizen, number, event, outbox; one transaction each): "
          f"{sample / elapsed:,.0f}/s, p50 {statistics.median(latencies) * 1000:.2f} ms, "
          f"p99 {latencies[int(sample * 0.99)] * 1000:.2f} ms")
    await engine.dispose()


GENERATE = {
    # 1,000,000 tickets: every 10th open (100,000), deadlines spread from 20 days ago to 10 days ahead,
    # receipts over the last 60 days for open tickets and two years for closed ones.
    "postgresql": (
        """
        INSERT INTO ticket (number, channel, request_type, category, urgency, content, place, status,
            main_unit_id, received_at, updated_at, due_at, first_contact_attempts, extended_days,
            reply_details,
            rework_count, repeat_count, supervised, archived, pending_request, confidential)
        SELECT 'G' || lpad(g::text, 12, '0'), 'phone', 'complaint', '城市管理', 'general', '测试内容', '',
            CASE WHEN g % 10 = 0 THEN (ARRAY['dispatched','accepted','replied','received',
                 'return_requested','extension_requested'])[1 + (g / 10) % 6] ELSE 'closed' END,
            1 + g % 2000,
            now() - make_interval(secs => CASE WHEN g % 10 = 0 THEN (g * 7919) % (60 * 86400)
                                               ELSE (g * 7919) % (730 * 86400) END),
            now(),
            now() + make_interval(secs => ((g * 104729) % (30 * 86400)) - 20 * 86400),
            0, 0, '{}', 0, 0, false, false, '{}', false
        FROM generate_series(1::bigint, :rows) AS g
    """
    ),
    "sqlite": (
        """
        WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < :rows)
        INSERT INTO ticket (number, channel, request_type, category, urgency, content, place, status,
            main_unit_id, received_at, updated_at, due_at, first_contact_attempts, extended_days,
            reply_details,
            rework_count, repeat_count, supervised, archived, pending_request, confidential)
        SELECT 'G' || printf('%012d', g), 'phone', 'complaint', '城市管理', 'general', '测试内容', '',
            CASE WHEN g % 10 = 0 THEN (CASE (g / 10) % 6 WHEN 0 THEN 'dispatched' WHEN 1 THEN 'accepted'
                 WHEN 2 THEN 'replied' WHEN 3 THEN 'received' WHEN 4 THEN 'return_requested'
                 ELSE 'extension_requested' END) ELSE 'closed' END,
            1 + g % 2000,
            datetime('now', '-' || (CASE WHEN g % 10 = 0 THEN (g * 7919) % (60 * 86400)
                                         ELSE (g * 7919) % (730 * 86400) END) || ' seconds'),
            datetime('now'),
            datetime('now', (((g * 104729) % (30 * 86400)) - 20 * 86400) || ' seconds'),
            0, 0, '{}', 0, 0, 0, 0, '{}', 0
        FROM seq
    """
    ),
}


async def bench_sweeps(url: str, rows: int) -> None:
    engine = create_engine(url)
    dialect = engine.dialect.name
    started = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM ticketevent"))
        await connection.execute(text("DELETE FROM outbox"))
        await connection.execute(text("DELETE FROM ticket"))
        await connection.execute(text(GENERATE[dialect]), {"rows": rows})
    async with engine.connect() as connection:
        if dialect == "postgresql":
            # What autovacuum does in production: statistics plus the visibility map for index-only scans.
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE ticket"))
        else:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    print(f"  generated {rows:,} tickets in {time.perf_counter() - started:.1f} s")
    now = SystemClock().now()
    sessions = session_factory(engine)
    async with engine.connect() as connection:
        total = (await connection.execute(select(func.count()).select_from(Ticket))).scalar_one()
        opened = (await connection.execute(select(func.count()).select_from(Ticket)
                                           .where(col(Ticket.status).in_(OPEN)))).scalar_one()
        print(f"  table: {total:,} tickets, {opened:,} open")
    async with sessions() as session:
        for label, run in (
            ("open tickets past their deadline", lambda: overdue_tickets(session, now=now)),
            ("open tickets older than 25 days", lambda: open_longer_than(session, now=now, days=25)),
        ):
            timings = []
            for _ in range(5):
                session.expunge_all()
                t0 = time.perf_counter()
                found = await run()
                timings.append(time.perf_counter() - t0)
            print(f"  {label}: {len(found):,} tickets loaded as objects, best {min(timings) * 1000:.0f} ms, "
                  f"median {statistics.median(timings) * 1000:.0f} ms")
    async with engine.connect() as connection:
        overdue_sql = select(Ticket.number, Ticket.main_unit_id, Ticket.due_at).where(
            col(Ticket.status).in_(sorted(s.value for s in WITH_UNIT_STATUSES)), col(Ticket.due_at) < now
        )
        old_sql = select(Ticket.number, Ticket.main_unit_id, Ticket.received_at).where(
            col(Ticket.status).in_(OPEN), col(Ticket.received_at) < local_day_start(now, days_back=25)
        )
        for label, query in (("overdue", overdue_sql), ("older than 25 days", old_sql)):
            compiled = query.compile(engine.sync_engine,
                                     compile_kwargs={"literal_binds": True})
            sql = str(compiled)
            if dialect == "sqlite":
                plan = (await connection.execute(text("EXPLAIN QUERY PLAN " + sql))).fetchall()
                lines = [row[-1] for row in plan]
            else:
                plan = (await connection.execute(text("EXPLAIN " + sql))).fetchall()
                lines = [row[0] for row in plan]
            timings = []
            for _ in range(5):
                t0 = time.perf_counter()
                found_rows = (await connection.execute(query)).fetchall()
                timings.append((time.perf_counter() - t0) * 1000)
            print(
                f"  {label} (number, unit, date columns; {len(found_rows):,} rows): best {min(timings):.0f}"
                f" ms, median {statistics.median(timings):.0f} ms"
            )
            print(f"  plan ({label}): " + " | ".join(line.strip() for line in lines[:4]))
    await engine.dispose()


async def with_postgres(fn, *args) -> None:  # type: ignore[no-untyped-def]
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute('DROP DATABASE IF EXISTS "hotline_bench" WITH (FORCE)')
    await admin.execute('CREATE DATABASE "hotline_bench"')
    try:
        await fn("postgresql://postgres@127.0.0.1:5432/hotline_bench", *args)
    finally:
        await admin.execute('DROP DATABASE IF EXISTS "hotline_bench" WITH (FORCE)')
        await admin.close()


async def run_all(url: str, rows: int, inserts: int) -> None:
    await prepare(url)
    await bench_inserts(url, inserts)
    await bench_sweeps(url, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--inserts", type=int, default=100_000)
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            print("SQLite (file, WAL)")
            asyncio.run(run_all(f"sqlite:///{os.path.join(tmp, 'bench.db')}", args.rows, args.inserts))
    if args.db in ("postgres", "both"):
        print("PostgreSQL (127.0.0.1)")
        asyncio.run(with_postgres(run_all, args.rows, args.inserts))
    _ = (timedelta, Action, TicketStatus)


if __name__ == "__main__":
    main()
