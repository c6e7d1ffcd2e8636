"""Benchmark: the monthly bulletin (all queries, hotspots, Markdown, XLSX and three PNG charts)
over generated tickets, on SQLite and PostgreSQL. Prints figures; not a test.

    .venv/bin/python bench/report_bench.py [--tickets 200000] [--months 4] [--runs 3] [--only sqlite|postgres]

Measured 2026-11-23 on the shared 2-core machine (load average about 4), 200,000 tickets, best of 3
(median in brackets), everything included (queries, hotspots, Markdown, XLSX, three PNG charts):
  over 4 months (50,634 in October):  SQLite 2.024 s (2.063; CPU 1.52 s), PostgreSQL 2.222 s (2.350)
  over 12 months (17,126 in October): SQLite 1.083 s (1.286), PostgreSQL 0.789 s (0.935)
The Markdown is identical on both databases.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import reports.models  # noqa: F401  (the receipt-time index every report query uses)
from bench.report_data import generate
from reports import charts  # noqa: F401  (matplotlib import is not part of one bulletin)
from reports.bulletin import build_bulletin
from reports.export import write_bulletin
from reports.fonts import cjk_font_family
from reports.periods import parse_period
from reports.rankings import load_ranking_rules
from reports.schemes import load_scheme
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import shanghai
from tickets.db import create_engine, session_factory
from tickets.policy import load_policy

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


async def run_one(url: str, args: argparse.Namespace, out: Path) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    # N months ending with November 2026 (October is the bulletin's month); 1 = October only.
    if args.months == 1:
        first, last = shanghai(2026, 10, 1), shanghai(2026, 11, 1)
    else:
        index = 2026 * 12 + 11 - args.months  # zero-based month index of the first month
        first, last = shanghai(index // 12, index % 12 + 1, 1), shanghai(2026, 12, 1)
    t0 = time.perf_counter()
    info = await generate(
        engine, tickets=args.tickets, first=first, last=last, hotspot_at=shanghai(2026, 10, 14, 9)
    )
    print(
        f"  generated {info['tickets']} tickets, {info['units']} units, {info['citizens']} citizens "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    policy, rules, scheme = load_policy(), load_ranking_rules(), load_scheme("pudong-2024")
    calendar = WorkCalendar(policy.working_hours, CalendarOverrides())
    period = parse_period("2026-10")
    cjk_font_family()  # font registration happens once per process
    times, build_times, cpu_times = [], [], []
    for i in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        bulletin = await build_bulletin(
            session_factory(engine),
            kind="monthly",
            period=period,
            policy=policy,
            scheme=scheme,
            rules=rules,
            made_at=shanghai(2026, 11, 2, 9),
            calendar=calendar,
        )
        t1 = time.perf_counter()
        files = write_bulletin(bulletin, out / f"run{i}")
        t2 = time.perf_counter()
        cpu_times.append(time.process_time() - c0)
        times.append(t2 - t0)
        build_times.append(t1 - t0)
    print(
        f"  October: {bulletin.overview.received} tickets received, {len(bulletin.units)} units, "
        f"{len(bulletin.poor_tickets)} poor tickets listed, {len(bulletin.hotspots)} hotspot(s), "
        f"{len(bulletin.repeats)} repeat case(s)"
    )
    print(
        f"  monthly bulletin: min {min(times):.3f} s, median {statistics.median(times):.3f} s over"
        f" {args.runs} runs (database part min {min(build_times):.3f} s; CPU of this process min"
        f" {min(cpu_times):.3f} s; load average {os.getloadavg()[0]:.1f}; files"
        f" {', '.join(p.name for p in [files.markdown, files.xlsx, *files.charts])})"
    )
    await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument(
        "--months",
        type=int,
        default=4,
        help="spread over N months ending in November 2026 (1 = October only)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="report-bench-"))
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"SQLite ({args.tickets} tickets over {args.months} month(s))")
            await run_one(f"sqlite:///{tmp}/bench.db", args, out / "sqlite")
    if args.only in (None, "postgres"):
        name = f"report_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            print(f"PostgreSQL ({args.tickets} tickets over {args.months} month(s))")
            await run_one(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", args, out / "postgres")
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    print(f"  output in {out}")


if __name__ == "__main__":
    asyncio.run(main())
