"""Benchmark of 吹哨报到's sweep and report (prints figures; not a test).

    .venv/bin/python bench/whistle_bench.py [--whistles 20000] [--summoned 3]

On a fresh SQLite file: WHISTLES open whistles on as many tickets, each summoning SUMMONED
units, none reported in; then times the scheduler's sweep (tickets.whistles.run_report_in_check)
when every summons is due (a reminder, an audit event and the messages for each), the steady
sweep right after (nothing to do), the sweep that reports them all late, and the report by who
blew the whistles (reports.linkage.whistle_report).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlmodel import SQLModel

from reports.linkage import whistle_report
from reports.periods import parse_period
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.db import create_engine, session_factory
from tickets.enums import HandlerSlot, Role, UnitKind
from tickets.models import Staff, Ticket, Unit
from tickets.policy import load_policy
from tickets.whistle_models import Whistle, WhistleSummons
from tickets.whistles import run_report_in_check
from wiring import import_models

BLOWN = shanghai(2026, 11, 23, 10, 0)


async def main(whistles: int, summoned: int) -> None:
    import_models()
    path = Path(tempfile.mkdtemp()) / "bench.db"
    engine = create_engine(f"sqlite:///{path}")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    sessions = session_factory(engine)
    policy = load_policy()
    rules = Rules(clock=ManualClock(BLOWN), calendar=WorkCalendar(policy.working_hours, CalendarOverrides()),
                  policy=policy)
    due = rules.calendar.add(BLOWN, policy.whistle.report_in)
    async with sessions() as session:
        street = Unit(name="街道", kind=UnitKind.STREET)
        departments = [Unit(name=f"部门{i}", kind=UnitKind.DEPARTMENT) for i in range(summoned)]
        session.add_all([street, *departments])
        await session.flush()
        session.add_all([Staff(role=Role.HANDLER, unit_id=u.id, slot=HandlerSlot.A, name=f"联络员{u.id}",
                               phone=f"1380000{u.id:04d}", telegram_user_id=5000 + (u.id or 0))
                         for u in departments])
        connection = await session.connection()
        await connection.execute(
            sa.insert(Ticket.__table__),
            [  # type: ignore[attr-defined]
                {
                    "number": f"B{i:010d}",
                    "channel": "phone",
                    "request_type": "complaint",
                    "category": "房屋安全",
                    "urgency": "general",
                    "content": "楼体开裂",
                    "place": "",
                    "status": "accepted",
                    "confidential": False,
                    "main_unit_id": street.id,
                    "received_at": BLOWN - timedelta(days=1),
                    "first_contact_attempts": 0,
                    "extended_days": 0,
                    "reply_details": {},
                    "rework_count": 0,
                    "repeat_count": 0,
                    "supervised": False,
                    "archived": False,
                    "pending_request": {},
                    "updated_at": BLOWN,
                }
                for i in range(whistles)
            ],
        )
        await connection.execute(
            sa.insert(Whistle.__table__),
            [  # type: ignore[attr-defined]
                {
                    "ticket_id": i + 1,
                    "unit_id": street.id,
                    "unit_kind": "street",
                    "reason": "联合处置",
                    "blown_at": BLOWN,
                    "report_in_due_at": due,
                    "meeting": {},
                }
                for i in range(whistles)
            ],
        )
        await connection.execute(sa.insert(WhistleSummons.__table__), [  # type: ignore[attr-defined]
            {"whistle_id": w + 1, "unit_id": d.id, "due_at": due, "reported_in_via": ""}
            for w in range(whistles) for d in departments])
        await session.commit()
    total = whistles * summoned

    async def sweep(at_hours: float) -> tuple[float, dict[str, int]]:
        started = time.perf_counter()
        async with sessions() as session:
            result = await run_report_in_check(session, rules=rules, at=due + timedelta(hours=at_hours))
            await session.commit()
        return time.perf_counter() - started, result.counts()

    for label, hours in (("reminders (all due)", 0), ("steady (nothing new)", 0.1),
                         ("late reports (all)", policy.whistle.reported_late_after.amount),
                         ("steady after reports", 5)):
        seconds, counts = await sweep(hours)
        print(f"sweep {label:22s} {total:>7} summons  {seconds:7.2f} s  {counts}")
    started = time.perf_counter()
    async with sessions() as session:
        report = await whistle_report(session, period=parse_period("2026-11"))
    print(f"whistle_report          {whistles:>7} whistles {time.perf_counter() - started:7.2f} s  "
          f"{report.total.whistles} whistles, {report.total.summoned} summoned")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--whistles", type=int, default=20_000)
    parser.add_argument("--summoned", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.whistles, args.summoned))
