"""Hotspots (≥ 10 similar tickets from different citizens in 7 days) and repeats (same citizen ≥ 5)."""

from __future__ import annotations

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.hotspots import (
    ClassifySimilarity,
    FuzzySimilarity,
    Similarity,
    find_hotspots,
    find_repeats,
    normalise,
)
from reports.periods import parse_period
from tests.conftest import Org
from tests.reports.builders import add_citizen, add_ticket, at
from tickets.policy import load_policy

ELEVATOR = [
    "幸福小区3号楼电梯又坏了，老人上下楼很困难，请尽快维修",
    "幸福小区3号楼的电梯坏了好几天了，老人上下楼困难，请维修",
    "幸福小区三号楼电梯坏了，物业不修，老人上下楼很困难",
    "幸福小区3号楼电梯坏了，请尽快维修，老人上下楼很困难！",
    "反映幸福小区3号楼电梯又坏了，老人上下楼很困难，请尽快维修",
]


@pytest.mark.parametrize("sim", [FuzzySimilarity(0.6), ClassifySimilarity(0.35)], ids=["fuzzy", "classify"])
def test_similarity_picks_the_same_matter(sim: Similarity) -> None:
    candidates = [normalise("人民路路灯不亮，晚上出行不安全"), normalise(ELEVATOR[0])]
    assert sim.best(ELEVATOR[2], candidates) is not None
    assert sim.best(ELEVATOR[2], candidates)[0] == 1  # type: ignore[index]
    assert sim.best("社保卡补办需要哪些材料", candidates) is None
    assert sim.best("任何内容", []) is None


@pytest.mark.parametrize("matcher", ["classify", "fuzzy"])
async def test_hotspot_needs_ten_different_citizens_within_seven_days(
    session: AsyncSession, org: Org, matcher: str
) -> None:
    sim = FuzzySimilarity() if matcher == "fuzzy" else None  # None: the classification helper's
    u0 = org.unit_ids[0]
    citizens = [await add_citizen(session, f"市民{i}", f"1380000{i:04d}") for i in range(12)]
    # Ten different citizens between 2 and 6 November about the same elevator.
    for i in range(10):
        await add_ticket(
            session,
            received=at(11, 2 + i % 5, 9 + i),
            unit_id=u0,
            citizen_id=citizens[i].id,
            content=ELEVATOR[i % 5],
            place="幸福小区3号楼",
        )
    # One citizen calling nine times about a street lamp: many tickets, one citizen, no hotspot.
    for i in range(9):
        await add_ticket(
            session,
            received=at(11, 3, 8 + i),
            unit_id=u0,
            citizen_id=citizens[11].id,
            content="人民路路灯不亮，晚上出行不安全",
            category="城市管理",
        )
    # Unrelated tickets in the same category.
    await add_ticket(
        session,
        received=at(11, 4),
        unit_id=u0,
        citizen_id=citizens[10].id,
        content="小区绿化带有人种菜，请物业管一管",
    )
    await session.commit()
    policy = load_policy()
    found = await find_hotspots(session, period=parse_period("2026-11"), policy=policy, similarity=sim)
    assert len(found) == 1
    spot = found[0]
    assert (spot.category, spot.tickets, spot.citizens, spot.units, spot.places) == (
        "物业管理",
        10,
        10,
        ["区住建局"],
        ["幸福小区3号楼"],
    )
    draft = spot.draft()
    assert "民情专报" in draft and "10位不同市民" in draft and "区住建局" in draft
    assert "1380000" not in draft  # no phone numbers in the draft
    # Nine citizens are not enough: remove one and the hotspot goes away.
    stricter = policy.model_copy(
        update={"supervision": policy.supervision.model_copy(update={"hotspot_min_tickets": 11})}
    )
    assert await find_hotspots(session, period=parse_period("2026-11"), policy=stricter, similarity=sim) == []
    # The same ten spread over more than seven days: no window holds ten.
    wider = policy.model_copy(
        update={"supervision": policy.supervision.model_copy(update={"hotspot_window_days": 2})}
    )
    assert await find_hotspots(session, period=parse_period("2026-11"), policy=wider, similarity=sim) == []


async def test_repeat_complaints_of_one_citizen(session: AsyncSession, org: Org) -> None:
    u0 = org.unit_ids[0]
    zhang = await add_citizen(session, "张三丰", "13912345678")
    li = await add_citizen(session, "李四", "13987654321")
    for i in range(5):
        await add_ticket(
            session, received=at(11, 1 + i), unit_id=u0, citizen_id=zhang.id, content=ELEVATOR[i]
        )
    # 李四 five times too, but one was solved: four unsolved are below five.
    for i in range(5):
        await add_ticket(
            session,
            received=at(11, 1 + i),
            unit_id=u0,
            citizen_id=li.id,
            content=ELEVATOR[i],
            cb_solved=(i == 0),
        )
    await session.commit()
    cases = await find_repeats(session, as_of=at(11, 20), policy=load_policy())
    assert len(cases) == 1
    case = cases[0]
    assert case.citizen == "张**（139****5678）"
    assert (case.tickets, case.category, case.units) == (5, "物业管理", ["区住建局"])
