"""Benchmark of the scheduler's sweeps on a large jurisdiction (prints figures; not a test).

    .venv/bin/python bench/scheduler_bench.py [--db sqlite|postgres|both] [--tickets 1000000]
        [--open 100000] [--units 2000] [--keep]

Builds 1,000,000 tickets (100,000 open) over 2,000 units with bulk inserts (COPY on
PostgreSQL, executemany on SQLite; indexes built after the load), then times each job
as the scheduler runs it (claim + one transaction + record):
duty_login_check, handling_days_statistics (a 《工作提示函》 for every unit), a second
idempotent statistics run, deadline_reminders (first and steady-state sweep, and a
night sweep), supervision_weekly, and the .docx rendering of a letter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import text
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel, select

import scheduler.models  # noqa: F401  (job_run, reminder_sent and the ticket indexes)
from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler
from scheduler.models import RunTrigger
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.db import create_engine, session_factory
from tickets.letters import collect_handling_days, notice_docx
from tickets.models import Notice
from tickets.policy import load_policy

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_NAME = "hotline_bench_scheduler"
NOW = shanghai(2026, 12, 1, 9, 0)  # a Tuesday: statistics day
CHUNK = 50_000
WITH_UNIT = ["dispatched", "accepted", "accepted", "accepted", "extension_requested"]
CLOSED = ["closed", "closed", "closed", "direct_answered"]
CATEGORIES = ["城市管理", "物业管理", "住房与城乡建设", "环境保护", "交通运输", "市场管理", "供电", "供水"]
TICKET_COLUMNS = [
    "id",
    "channel",
    "external_number",
    "request_type",
    "category",
    "urgency",
    "content",
    "place",
    "number",
    "status",
    "citizen_id",
    "contact_name",
    "contact_phone",
    "confidential",
    "main_unit_id",
    "received_at",
    "dispatched_at",
    "accepted_at",
    "first_contact_due_at",
    "first_contact_at",
    "first_contact_attempts",
    "feedback_due_at",
    "due_at",
    "extended_days",
    "replied_at",
    "closed_at",
    "reply_details",
    "callback_at",
    "cb_satisfaction",
    "rework_count",
    "repeat_count",
    "supervised",
    "archived",
    "pending_request",
    "updated_at",
]


def ticket_rows(total: int, open_count: int, units: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    now = NOW
    for i in range(1, total + 1):
        is_open = i <= open_count
        unit = 2 + rng.randrange(units)  # unit 1 is the office
        if is_open:
            received = now - timedelta(days=rng.uniform(0, 40))
            status = rng.choice(WITH_UNIT) if rng.random() < 0.93 else "replied"
        else:
            received = now - timedelta(days=rng.uniform(5, 730))
            status = rng.choice(CLOSED)
        urgent = rng.random() < 0.05
        dispatched = received + timedelta(minutes=rng.uniform(5, 120))
        first_due = dispatched + timedelta(days=1)
        contacted = dispatched + timedelta(hours=rng.uniform(1, 30)) if rng.random() < 0.9 else None
        due = dispatched + timedelta(days=1 if urgent else 7)
        feedback_due = dispatched + timedelta(hours=4) if urgent and rng.random() < 0.3 else None
        closed = None if is_open else min(due + timedelta(days=rng.uniform(-5, 3)), now - timedelta(days=1))
        callback = closed
        satisfaction = None
        if closed is not None:
            satisfaction = "unsatisfied" if rng.random() < 0.03 else "satisfied"
        if status == "direct_answered":
            unit_id: int | None = None
        else:
            unit_id = unit
        yield (
            i,
            "phone",
            None,
            "complaint",
            rng.choice(CATEGORIES),
            "urgent" if urgent else "general",
            f"第{i}号诉求：小区楼下夜间施工噪音扰民，已持续多日，"
            f"联系电话138{i % 100000000:08d}，请尽快处理。",
            "某某小区",
            f"B{i:012d}",
            status,
            None,
            "张三",
            f"138{i % 100000000:08d}",
            False,
            unit_id,
            received,
            dispatched,
            dispatched,
            first_due,
            contacted,
            1,
            feedback_due,
            due,
            0,
            closed,
            closed,
            "{}",
            callback,
            satisfaction,
            0,
            4 if is_open and rng.random() < 0.01 else rng.choice((0, 0, 0, 1)),
            is_open and rng.random() < 0.005,
            False,
            "{}",
            received,
        )


def units_rows(units: int) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [(1, "区热线办", "office", None, True, "")]
    rows += [(2 + u, f"承办单位{u:04d}", "street", None, True, "") for u in range(units)]
    return rows


def staff_rows(units: int) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [(1, "office", 1, None, "王主任", "13900000001", 9001, True)]
    for u in range(units):
        unit_id = 2 + u
        rows.append((2 + 2 * u, "handler", unit_id, "A", f"联络员{u}A", f"137{u:08d}", 100000 + u, True))
        rows.append((3 + 2 * u, "handler", unit_id, "B", f"联络员{u}B", f"136{u:08d}", None, True))
    return rows


def login_rows(units: int, day: date) -> list[tuple[Any, ...]]:
    rng = random.Random(3)
    rows = []
    for u in range(units):
        if rng.random() < 0.9:  # one unit in ten forgets
            at = shanghai(day.year, day.month, day.day, 8, 30) + timedelta(minutes=rng.uniform(0, 600))
            rows.append((u + 1, 2 + u, day, at, None))
    return rows


UNIT_COLUMNS = ["id", "name", "kind", "parent_id", "active", "keywords"]
STAFF_COLUMNS = ["id", "role", "unit_id", "slot", "name", "phone", "telegram_user_id", "active"]
LOGIN_COLUMNS = ["id", "unit_id", "work_date", "first_login_at", "staff_id"]
CLEARED = ["notice", "outbox", "job_run", "reminder_sent"]


def ticket_indexes() -> list[Any]:
    return [ix for ix in SQLModel.metadata.tables["ticket"].indexes if not ix.unique]


# --- loading ------------------------------------------------------------------------


def load_sqlite(path: Path, args: argparse.Namespace) -> None:
    from sqlalchemy import create_engine as sync_engine

    engine = sync_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        for index in ticket_indexes():
            index.drop(connection)
    engine.dispose()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")

    def fmt(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, date):
            return value.isoformat()
        return value

    def insert(table: str, columns: list[str], rows: Any) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        db.executemany(sql, ([fmt(v) for v in row] for row in rows))

    with db:
        insert("unit", UNIT_COLUMNS, units_rows(args.units))
        insert("staff", STAFF_COLUMNS, staff_rows(args.units))
        insert("dutylogin", LOGIN_COLUMNS, login_rows(args.units, date(2026, 12, 1)))
    rows = ticket_rows(args.tickets, args.open, args.units)
    while True:
        chunk = [next(rows, None) for _ in range(CHUNK)]
        chunk = [row for row in chunk if row is not None]
        if not chunk:
            break
        with db:
            insert("ticket", TICKET_COLUMNS, chunk)
    db.close()
    engine = sync_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        for index in ticket_indexes():
            index.create(connection)
        connection.execute(text("ANALYZE"))
    engine.dispose()


async def load_postgres(url: str, args: argparse.Namespace) -> None:
    engine = create_engine(url, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
        for index in ticket_indexes():
            await connection.run_sync(index.drop)
    await engine.dispose()
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.copy_records_to_table("unit", records=units_rows(args.units), columns=UNIT_COLUMNS)
        await conn.copy_records_to_table("staff", records=staff_rows(args.units), columns=STAFF_COLUMNS)
        await conn.copy_records_to_table("dutylogin", records=login_rows(args.units, date(2026, 12, 1)),
                                         columns=LOGIN_COLUMNS)
        rows = ticket_rows(args.tickets, args.open, args.units)
        while True:
            chunk = [row for row in (next(rows, None) for _ in range(CHUNK)) if row is not None]
            if not chunk:
                break
            await conn.copy_records_to_table("ticket", records=chunk, columns=TICKET_COLUMNS)
        for table in ("unit", "staff", "dutylogin", "ticket"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    finally:
        await conn.close()
    engine = create_engine(url, poolclass=NullPool)
    async with engine.begin() as connection:
        for index in ticket_indexes():
            await connection.run_sync(index.create)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))
    await engine.dispose()


# --- timing ------------------------------------------------------------------------


async def run_jobs(url: str, label: str) -> dict[str, Any]:
    engine = create_engine(url)
    async with engine.begin() as connection:
        for index in ticket_indexes():  # data kept from an earlier version of the schema
            await connection.run_sync(lambda sync, ix=index: ix.create(sync, checkfirst=True))
        for table in CLEARED:
            await connection.execute(text(f"DELETE FROM {table}"))
    sessions = session_factory(engine)
    policy = load_policy()
    clock = ManualClock(NOW)
    rules = Rules(
        clock=clock, calendar=WorkCalendar(policy.working_hours, CalendarOverrides()), policy=policy
    )
    scheduler = JobScheduler(sessions=sessions, rules=rules, settings=SchedulerSettings(instance="bench"))
    figures: dict[str, Any] = {}

    async def timed(name: str, job: str, at: datetime, key: str) -> None:
        clock.set(at)
        start = time.perf_counter()
        report = await scheduler.run_job(job, due_at=at, trigger=RunTrigger.MANUAL)
        elapsed = time.perf_counter() - start
        figures[key] = {
            "seconds": round(elapsed, 3),
            "outcome": report.outcome.value if report.outcome else None,
            "counts": {k: v for k, v in report.counts.items() if v},
        }
        print(
            f"[{label}] {name:<46} {elapsed:7.3f} s "
            f" {json.dumps(figures[key]['counts'], ensure_ascii=False)}",
            flush=True,
        )

    await timed(
        "duty_login_check 16:00 (2,000 units)", "duty_login_check", shanghai(2026, 12, 1, 16, 0), "duty"
    )
    async with sessions() as session:
        start = time.perf_counter()
        found = await collect_handling_days(session, rules=rules, at=NOW)
        elapsed = time.perf_counter() - start
    figures["statistics_sweep"] = {"seconds": round(elapsed, 3), "units": len(found.units),
                                   "open": sum(u.open for u in found.units)}
    print(f"[{label}] {'statistics sweep: per-unit days open (no letters)':<46} {elapsed:7.3f} s  "
          f"{json.dumps(figures['statistics_sweep'], ensure_ascii=False)}", flush=True)
    await timed(
        "handling_days_statistics: letters for all units", "handling_days_statistics", NOW, "statistics"
    )
    await timed("handling_days_statistics again (idempotent)", "handling_days_statistics", NOW,
                "statistics_again")
    await timed("deadline_reminders 10:00 (first sweep)", "deadline_reminders", shanghai(2026, 12, 1, 10, 0),
                "reminders_first")
    await timed("deadline_reminders 10:05 (steady state)", "deadline_reminders", shanghai(2026, 12, 1, 10, 5),
                "reminders_steady")
    await timed("deadline_reminders 22:00 (night: urgent only)", "deadline_reminders",
                shanghai(2026, 12, 1, 22, 0), "reminders_night")
    await timed("supervision_weekly Monday 09:30", "supervision_weekly", shanghai(2026, 11, 30, 9, 30),
                "supervision")
    async with sessions() as session:
        letters = (
            await session.exec(select(Notice).where(Notice.kind == "handling_days_warning").limit(20))
        ).all()
    start = time.perf_counter()
    sizes = [len(notice_docx(notice)) for notice in letters]
    per_docx = (time.perf_counter() - start) / max(len(letters), 1)
    figures["docx_ms_per_letter"] = round(per_docx * 1000, 1)
    print(f"[{label}] .docx of one 工作提示函 (rendered on demand)       {per_docx * 1000:7.1f} ms "
          f"(~{sum(sizes) // max(len(sizes), 1) // 1024} KiB)", flush=True)
    await engine.dispose()
    return figures


async def prepare_postgres(args: argparse.Namespace) -> str:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", PG_NAME)
        if exists and args.rebuild:
            await admin.execute(f'DROP DATABASE "{PG_NAME}" WITH (FORCE)')
            exists = False
        if not exists:
            await admin.execute(f'CREATE DATABASE "{PG_NAME}"')
    finally:
        await admin.close()
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_NAME}"
    conn = await asyncpg.connect(url)
    try:
        count = await conn.fetchval("SELECT count(*) FROM ticket") if await conn.fetchval(
            "SELECT to_regclass('ticket')") else 0
    finally:
        await conn.close()
    if count != args.tickets:
        if count:
            raise SystemExit(f"{PG_NAME} holds {count} tickets; run with --rebuild")
        start = time.perf_counter()
        await load_postgres(url, args)
        print(
            f"[postgres] loaded {args.tickets:,} tickets in {time.perf_counter() - start:.1f} s", flush=True
        )
    return url


async def drop_postgres() -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument(
        "--sqlite-path", type=Path, default=Path(tempfile.gettempdir()) / "hotline_bench_scheduler.db"
    )
    parser.add_argument("--rebuild", action="store_true", help="Rebuild the data even if present")
    parser.add_argument("--keep", action="store_true", help="Keep the databases for another run")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if args.db in ("sqlite", "both"):
        path: Path = args.sqlite_path
        if args.rebuild or not path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            start = time.perf_counter()
            load_sqlite(path, args)
            print(
                f"[sqlite] loaded {args.tickets:,} tickets in {time.perf_counter() - start:.1f} s", flush=True
            )
        results["sqlite"] = asyncio.run(run_jobs(f"sqlite:///{path}", "sqlite"))
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    if args.db in ("postgres", "both"):
        url = asyncio.run(prepare_postgres(args))
        results["postgres"] = asyncio.run(run_jobs(url, "postgres"))
        if not args.keep:
            asyncio.run(drop_postgres())
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
