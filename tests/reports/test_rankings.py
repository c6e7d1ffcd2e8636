"""评优评差: thresholds of the unit rankings and the reasons of poor tickets."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from reports.periods import parse_period
from reports.rankings import RankingRules, load_ranking_rules, poor_tickets, rank_units
from reports.schemes import load_scheme, read_counts, score_units
from tests.conftest import Org
from tests.reports.builders import add_ticket, at
from tickets.enums import Action, Role, Satisfaction, TicketStatus
from tickets.models import TicketEvent
from tickets.policy import load_policy

COUNTS = """unit,received,due,done,on_time,rework,satisfied
甲局,10,10,10,10,0,10
乙局,4,4,4,4,0,4
丙街道,6,6,6,5,0,6
丁镇,8,8,8,8,0,4
戊公司,2,2,2,2,0,0
己中心,5,5,5,5,0,1
庚局,12,12,12,12,0,12
"""


def test_best_and_poor_units_with_thresholds() -> None:
    scheme = load_scheme("comprehensive-index")
    table = score_units(scheme, read_counts(COUNTS, scheme))
    scores = {r.unit: r.score for r in table.units}
    assert scores == {
        "甲局": Decimal("100.00"),
        "乙局": Decimal("100.00"),
        "丙街道": Decimal("95.00"),
        "丁镇": Decimal("90.00"),
        "戊公司": Decimal("80.00"),
        "己中心": Decimal("84.00"),
        "庚局": Decimal("100.00"),
    }
    rules = RankingRules(best_n=3, best_min_volume=5, poor_n=5, poor_below=Decimal(90), rank_min_volume=1)
    ranked = rank_units(table, rules)
    # 乙局 scores 100 but has 4 < 5 letters; ties at 100 go to the larger volume.
    assert [(b.rank, b.row.unit) for b in ranked.best] == [(1, "庚局"), (2, "甲局"), (3, "丙街道")]
    assert ranked.not_ranked == ["乙局", "戊公司"]
    # 丁镇 at exactly 90.00 is not below 90.
    assert [(p.rank, p.row.unit) for p in ranked.poor] == [(1, "戊公司"), (2, "己中心")]
    assert ranked.poor[0].why == "得分 80.00，低于 90 分"
    assert ranked.best[0].why == "得分 100.00，办理工单 12 件"
    fewer = rank_units(
        table, RankingRules(best_n=1, best_min_volume=13, poor_n=1, poor_below=Decimal(90), rank_min_volume=1)
    )
    assert fewer.best == [] and [p.row.unit for p in fewer.poor] == ["戊公司"]
    # With few units above the volume bar, a unit below the poor line is never listed as best:
    # 己中心 (84.00, 5 letters) is poor, not fifth best.
    strict = rank_units(
        table, RankingRules(best_n=5, best_min_volume=5, poor_n=5, poor_below=Decimal(90), rank_min_volume=1)
    )
    assert [b.row.unit for b in strict.best] == ["庚局", "甲局", "丙街道", "丁镇"]
    assert "己中心" in [p.row.unit for p in strict.poor]


def test_shipped_rules_load() -> None:
    rules = load_ranking_rules()
    assert rules.best_n == 5 and rules.ticket_reasons[0] == "open_over_limit"


async def test_poor_tickets_each_reason(session: AsyncSession, org: Org) -> None:
    u0, u1, u2 = org.unit_ids
    contacted = {"first_contact": at(10, 1, 11), "first_contact_due": at(10, 2)}
    # Open since 1 October: more than 30 days at the cut-off (also overdue, the graver reason wins).
    await add_ticket(
        session,
        received=at(10, 1),
        unit_id=u0,
        due=at(10, 8),
        **contacted,
        content="电话13812345678的市民反映楼道堆物长期无人清理，存在消防隐患，请尽快处理。",
    )
    await add_ticket(session, received=at(10, 10), unit_id=u1, due=at(10, 17), **contacted)  # overdue
    await add_ticket(
        session,
        received=at(10, 11),
        unit_id=u0,
        due=at(10, 18),
        replied=at(10, 12),
        callback=at(10, 13),
        reached=True,
        cb_contacted=False,
        satisfaction=Satisfaction.SATISFIED,
        **contacted,
    )
    passing = await add_ticket(
        session, received=at(10, 12), unit_id=u2, due=at(10, 19), replied=at(10, 13), **contacted
    )
    session.add(
        TicketEvent(
            ticket_id=passing.id,
            at=at(10, 12, 15),
            actor_role=Role.OFFICE,  # type: ignore[arg-type]
            action=Action.REFUSE_RETURN,
            from_status=TicketStatus.RETURN_REQUESTED,
            to_status=TicketStatus.ACCEPTED,
            note="属于本单位职责",
        )
    )
    await add_ticket(
        session,
        received=at(10, 13),
        unit_id=u0,
        due=at(10, 20),
        replied=at(10, 14),
        callback=at(10, 15),
        reached=True,
        cb_answered=False,
        satisfaction=Satisfaction.AVERAGE,
        **contacted,
    )
    await add_ticket(
        session,
        received=at(10, 14),
        unit_id=u0,
        due=at(10, 21),
        replied=at(10, 15),
        reply_text="已处理。",
        **contacted,
    )
    await add_ticket(
        session,
        received=at(10, 15),
        unit_id=u0,
        due=at(10, 22),
        replied=at(10, 16),
        callback=at(10, 17),
        reached=True,
        satisfaction=Satisfaction.UNSATISFIED,
        **contacted,
    )
    # Not listed: a good ticket, and an unsatisfied 存电 one.
    await add_ticket(
        session,
        received=at(10, 16),
        unit_id=u0,
        due=at(10, 23),
        replied=at(10, 17),
        callback=at(10, 18),
        reached=True,
        satisfaction=Satisfaction.SATISFIED,
        **contacted,
    )
    await add_ticket(
        session,
        received=at(10, 17),
        unit_id=u0,
        due=at(10, 24),
        replied=at(10, 18),
        callback=at(10, 19),
        reached=True,
        satisfaction=Satisfaction.UNSATISFIED,
        archived=True,
        **contacted,
    )
    # No first contact although its deadline passed, no attempts recorded.
    await add_ticket(session, received=at(10, 18), unit_id=u1, due=at(11, 25), first_contact_due=at(10, 19))
    await session.commit()
    listed = await poor_tickets(
        session, period=parse_period("2026-10"), policy=load_policy(), rules=load_ranking_rules()
    )
    assert [(t.unit, t.reason_text) for t in listed] == [
        ("区住建局", "超过30天未办结"),
        ("柳林洲街道", "超期未办结"),
        ("区住建局", "承办单位未联系当事人"),
        ("柳林洲街道", "承办单位未联系当事人"),
        ("供电分公司", "职责范围内工单推诿"),
        ("区住建局", "回复与诉求不一致"),
        ("区住建局", "回复过于简单"),
        ("区住建局", "回访不满意"),
    ]
    assert listed[0].summary.startswith("电话138****5678的市民反映")
    assert listed[0].summary.endswith("…") and len(listed[0].summary) == 40
    only = await poor_tickets(
        session,
        period=parse_period("2026-10"),
        policy=load_policy(),
        rules=RankingRules(ticket_reasons=["reply_too_brief"], poor_tickets_limit=5),
    )
    assert [t.reason_text for t in only] == ["回复过于简单"]
    by_unit = await poor_tickets(
        session,
        period=parse_period("2026-10"),
        policy=load_policy(),
        rules=load_ranking_rules(),
        unit_ids=[u2],
    )
    assert [t.unit for t in by_unit] == ["供电分公司"]


def test_units_under_the_minimum_volume_are_listed_not_ranked() -> None:
    """A unit with 2 tickets and nothing measurable once ranked first with 97.50 (issue 13)."""
    scheme = load_scheme("pudong-2024")
    header = (
        "unit,received,due,on_time,dispatched,first_contacted,evaluations,solved,explained,noted,"
        "satisfied,basically_satisfied,average"
    )
    counts = "\n".join(
        [
            header,
            "甲街道,20,20,18,20,20,10,9,1,0,9,1,0",
            "乙局,12,12,6,12,9,6,4,1,0,4,1,0",
            "丙公司,2,0,0,2,2,0,0,0,0,0,0,0",  # nothing due, nobody evaluated
            "丁中心,8,8,0,8,8,0,0,0,0,0,0,0",  # 0 % on time and no evaluation
        ]
    )
    table = score_units(scheme, read_counts(counts, scheme))
    scores = {r.unit: r.score for r in table.units}
    # 丁中心: on time 0/8 no longer hides behind 60 free points for the empty rates:
    # (5*(8-2)/(20-2)*... workload + 0 + 25) scaled from 40 to 100 points.
    assert scores["丁中心"] is not None and scores["丁中心"] < Decimal(80)
    assert scores["丙公司"] is not None and scores["丙公司"] < scores["甲街道"]  # type: ignore[operator]
    rules = load_ranking_rules()
    assert rules.rank_min_volume == 5
    ranked = rank_units(table, rules)
    assert ranked.insufficient == ["丙公司"]
    assert "丙公司" not in [r.row.unit for r in ranked.best + ranked.poor]
    assert [r.row.unit for r in ranked.poor] == ["丁中心", "乙局"]
    assert [r.row.unit for r in ranked.ordered] == ["甲街道", "乙局", "丁中心"]
    only_one = rank_units(table, rules.model_copy(update={"poor_n": 1}))
    assert [r.row.unit for r in only_one.poor] == ["丁中心"] and only_one.below_line == ["乙局"]
    assert [r.rank for r in ranked.ordered] == [1, 2, 3]
