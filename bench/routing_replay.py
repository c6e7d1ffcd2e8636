"""Replay of an office learning its routing from cold start (issue 17).

    .venv/bin/python bench/routing_replay.py [--data PATH] [--per-week 600] [--weeks 0] [--seed 0]

The tipdm2020c train split (its 7 labels stand for 7 units) arrives week by week in a
fixed (seeded) order, through the real service in a fresh SQLite database: each message is
received, the router's suggestions are computed and the "office" dispatches it to the true
unit (tickets.service.dispatch records the label). Every Monday the weekly job's function
(knowledge_base.classify.retrain.retrain) trains on the history before the held-out week and
promotes the new model only if it beats the one in use on that week. Week 1 routes by the
keyword rules of the office's unit list (the shipped category keywords, grouped under the 7
units). Prints, per week: top-1 / top-3 acceptance of the suggestions shown that week, the
model in use and the retraining's decision. The test split is not read.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import asyncio
import csv
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from sqlmodel import SQLModel, col, select

from knowledge_base.classify.retrain import retrain
from knowledge_base.unit_routing import KbUnitSuggester, suggest_units
from tickets import intake
from tickets import service as svc
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import ManualClock, shanghai
from tickets.context import Actor, Rules
from tickets.db import create_engine, session_factory
from tickets.enums import Channel, RequestType, Role, UnitKind
from tickets.models import RoutingLabel, Staff, Unit
from tickets.policy import load_policy
from tickets.routing_labels import iso_week, router_quality
from tickets.schemas import TicketCreate
from wiring import import_models

# ../shared/data beside the checkout (a worktree one level deeper: ../../shared/data).
DEFAULT = next(
    (
        p
        for p in (
            Path(__file__).resolve().parents[n] / "shared" / "data" / "tipdm2020c" / "messages.csv"
            for n in (2, 3)
        )
        if p.is_file()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "data" / "tipdm2020c" / "messages.csv",
)
KEYWORDS = Path(__file__).resolve().parent.parent / "knowledge_base" / "classify" / "category_keywords.yaml"
# The office's unit list: each tipdm label as a unit, described by the shipped categories it covers.
UNITS = {
    "城乡建设": ["住房与城乡建设", "城市管理", "物业管理"],
    "劳动和社会保障": ["人力资源和社会保障"],
    "教育文体": ["教育"],
    "商贸旅游": ["市场管理", "消费维权"],
    "环境保护": ["环境保护"],
    "卫生计生": ["医疗卫生健康"],
    "交通运输": ["交通运输", "停车管理"],
}


def load(path: Path) -> list[tuple[str, str]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["split"] != "train":
                continue
            parts = [row["title"].strip(), (row["detail"] or row["title_plus_detail_unsplit"]).strip()]
            rows.append(("\n".join(p for p in parts if p)[:4000], row["label"]))
    return rows


async def replay(messages: list[tuple[str, str]], per_week: int, weeks: int) -> None:
    import_models()
    keywords = yaml.safe_load(KEYWORDS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/replay.db")
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
        sessions = session_factory(engine)
        first_monday = shanghai(2026, 1, 5, 0, 0)
        clock = ManualClock(first_monday)
        policy = load_policy()
        rules = Rules(
            clock=clock,
            calendar=WorkCalendar(policy.working_hours, CalendarOverrides()),
            policy=policy,
            unit_suggester=KbUnitSuggester(lambda: None),
        )
        # The replay's content limit: a few tipdm letters are longer than the policy's 5,000.
        rules = replace(rules, policy=policy.model_copy(update={"limits": policy.limits.model_copy(
            update={"content_max_chars": 10_000})}))
        async with sessions() as session:
            office_unit = Unit(name="热线办", kind=UnitKind.OFFICE)
            session.add(office_unit)
            units = {name: Unit(name=name, kind=UnitKind.DEPARTMENT,
                                keywords=" ".join(w for c in cats for w in keywords[c])[:500])
                     for name, cats in UNITS.items()}
            session.add_all(units.values())
            await session.flush()
            office_staff = Staff(role=Role.OFFICE, unit_id=office_unit.id, name="值班员", phone="13900000000")
            session.add(office_staff)
            await session.commit()
            office = Actor.of_staff(office_staff)
            unit_ids = {name: unit.id for name, unit in units.items()}
        total_weeks = weeks or -(-len(messages) // per_week)
        print(f"{len(messages)} messages, {per_week}/week, {total_weeks} weeks; holdout "
              f"{policy.routing.holdout_weeks} week(s)")
        print("week      n    top1    top3   router     retrain (Monday)                    seconds")
        for week in range(total_weeks):
            monday = first_monday + timedelta(weeks=week)
            started = time.perf_counter()
            decision = "—"
            async with sessions() as session:
                clock.set(monday + timedelta(hours=2, minutes=30))
                outcome = await retrain(session, rules=rules, trigger="weekly", week_key=iso_week(monday))
                await session.commit()
                if outcome.version is not None:
                    assert outcome.candidate is not None and outcome.current is not None
                    decision = (f"v{outcome.version} {'promoted' if outcome.promoted else 'refused'} "
                                f"{outcome.candidate.top1:.3f} vs {outcome.current.top1:.3f}")
                elif outcome.n_train:
                    decision = f"too few ({outcome.n_train})"
            train_seconds = time.perf_counter() - started
            batch = messages[week * per_week:(week + 1) * per_week]
            if not batch:
                break
            async with sessions() as session:
                for i, (text, label) in enumerate(batch):
                    # Spread over the working week, 08:00-18:00.
                    clock.set(monday + timedelta(days=i * 5 // len(batch), hours=8 + (i * 37) % 10))
                    ticket = await intake.create_ticket(session, rules=rules, actor=office, data=TicketCreate(
                        channel=Channel.WEB, request_type=RequestType.COMPLAINT, content=text))
                    await svc.dispatch(session, rules=rules, actor=office, number=ticket.number,
                                       unit_id=unit_ids[label])  # type: ignore[arg-type]
                    if i % 100 == 99:
                        await session.commit()
                await session.commit()
                quality = await router_quality(
                    session, start=monday.date(), end=(monday + timedelta(days=7)).date()
                )
            shown = quality.overall
            async with sessions() as session:
                versions = {v for v in (await session.exec(select(RoutingLabel.model_version).where(
                    col(RoutingLabel.dispatched_at) >= monday))).all()}
            print(f"{iso_week(monday)}  {shown.n:4d}  {shown.top1_rate:.3f}  {shown.top3_rate:.3f}  "
                  f"{','.join(sorted(versions)):10s} {decision:36s} {train_seconds:5.1f}+"
                  f"{time.perf_counter() - started - train_seconds:.1f}", flush=True)
        # One filed request routed as the bot/console/dispatch do it (the promoted model, one query).
        sample = [text for text, _ in messages[-200:]]
        walls, cpus = [], []
        async with sessions() as session:
            await suggest_units(session, kb=None, content=sample[0])  # the model is loaded once
            for text in sample:
                wall, cpu = time.perf_counter(), time.process_time()
                await suggest_units(session, kb=None, content=text)
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
        walls.sort()
        cpus.sort()
        print(
            f"one request routed (suggest_units, {len(sample)} texts): CPU median {cpus[len(cpus) // 2]:.1f}"
            f" ms, p95 {cpus[int(len(cpus) * 0.95)]:.1f} ms; wall median {walls[len(walls) // 2]:.1f} ms, p95"
            f" {walls[int(len(walls) * 0.95)]:.1f} ms (load average {os.getloadavg()[0]:.1f})"
        )
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--per-week", type=int, default=600)
    parser.add_argument("--weeks", type=int, default=0, help="0: until the messages run out")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    messages = load(args.data)
    random.Random(args.seed).shuffle(messages)
    asyncio.run(replay(messages, args.per_week, args.weeks))


if __name__ == "__main__":
    main()
