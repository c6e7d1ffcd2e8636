"""涉企诉求 indicators (seed 004: 2,790 件, 满意率 93.01 %, 解决率 96.55 %) and the two new
bulletin sections (涉企诉求 and 市(区)长信箱), from tickets in the database."""

from __future__ import annotations

from itertools import count
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.bulletin import build_bulletin
from reports.enterprise import enterprise_figures
from reports.export import write_bulletin
from reports.periods import parse_period
from reports.rankings import load_ranking_rules
from reports.schemes import load_scheme
from tests.conftest import Org
from tests.reports.builders import add_ticket, at
from tickets.clock import shanghai
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.enums import Channel, RequestType, Satisfaction, TicketStatus, Urgency
from tickets.models import EnterpriseRequest, MailboxLetter, PolicySpecialist, Ticket
from tickets.policy import load_policy

_numbers = count(1)


async def add_enterprise_tickets(
    session: AsyncSession,
    org: Org,
    *,
    n: int,
    satisfied: int,
    solved_asked: int,
    solved: int,
    late: int,
    month: int = 10,
    enterprise: bool = True,
) -> None:
    """`n` requests received in `month`, replied and called back; one Core insert each table."""
    rows: list[dict[str, Any]] = []
    for i in range(n):
        received = at(month, 1 + i % 28, 9)
        rows.append(
            {
                "number": f"E{next(_numbers):08d}",
                "channel": Channel.PHONE,
                "request_type": RequestType.CONSULTATION,
                "category": "市场管理",
                "content": "企业咨询政策",
                "status": TicketStatus.CLOSED,
                "received_at": received,
                "updated_at": received,
                "main_unit_id": org.unit_ids[i % 3],
                "dispatched_at": received,
                "due_at": at(month, 1 + i % 28, 12),
                "replied_at": at(month, 1 + i % 28, 13 if i < late else 11),
                "callback_at": at(month, 1 + i % 28, 15),
                "callback_reached": True,
                "cb_satisfaction": (
                    (Satisfaction.SATISFIED if i % 2 else Satisfaction.BASICALLY_SATISFIED)
                    if i < satisfied
                    else Satisfaction.UNSATISFIED
                ),
                "cb_solved": (i < solved) if i < solved_asked else None,
                "first_contact_attempts": 0,
                "extended_days": 0,
                "rework_count": 0,
                "repeat_count": 0,
                "supervised": False,
                "archived": False,
                "confidential": False,
                "reply_details": {},
                "pending_request": {},
                "urgency": Urgency.GENERAL,
                "place": "",
            }
        )
    result = await session.exec(insert(Ticket).returning(Ticket.id), params=rows)  # type: ignore[call-overload]
    ids = [r[0] for r in result.all()]
    if enterprise:
        specialist = PolicySpecialist(unit_id=org.unit_ids[0], staff_id=org.handler(0).id,  # type: ignore[arg-type]
                                      policy_area=f"区域{month}", created_at=at(month, 1))
        session.add(specialist)
        await session.flush()
        await session.exec(insert(EnterpriseRequest), params=[  # type: ignore[call-overload]
            {"ticket_id": t, "credit_code": None, "company_name": f"企业{t}", "policy_area": f"区域{month}",
             "specialist_id": specialist.id if j % 2 == 0 else None} for j, t in enumerate(ids)])
    await session.commit()


async def test_seed004_enterprise_figures_from_the_database(session: AsyncSession, org: Org) -> None:
    await add_enterprise_tickets(
        session, org, n=2790, satisfied=2595, solved_asked=2000, solved=1931, late=40
    )
    # Ordinary requests of the same month and enterprise requests of the month before: not counted.
    await add_enterprise_tickets(session, org, n=50, satisfied=0, solved_asked=50, solved=0, late=50,
                                 enterprise=False)
    await add_enterprise_tickets(session, org, n=10, satisfied=0, solved_asked=10, solved=0, late=10, month=9)
    figures = await enterprise_figures(session, period=parse_period("2026-10"))
    assert figures.received == 2790 and figures.dispatched == 2790 and figures.routed == 1395
    assert f"{float(figures.rate('satisfaction_rate')) * 100:.2f}" == "93.01"  # type: ignore[arg-type]
    assert f"{float(figures.rate('resolution_rate')) * 100:.2f}" == "96.55"  # type: ignore[arg-type]
    assert figures.counts["on_time"] == 2750


async def test_bulletin_has_the_enterprise_and_mailbox_sections(
    session: AsyncSession, sessions: SessionFactory, org: Org, rules: Rules, tmp_path: Path
) -> None:
    await add_enterprise_tickets(session, org, n=28, satisfied=26, solved_asked=28, solved=27, late=1)
    # Three letters to 区住建局 (one late, one 一般) and one to 柳林洲街道.
    u0, u1, _ = org.unit_ids
    for unit, due, replied, satisfaction in [
        (u0, at(10, 20), at(10, 12), Satisfaction.SATISFIED),
        (u0, at(10, 20), at(10, 25), Satisfaction.SATISFIED),
        (u0, at(10, 20), at(10, 13), Satisfaction.AVERAGE),
        (u1, at(10, 20), at(10, 14), Satisfaction.BASICALLY_SATISFIED),
    ]:
        ticket = await add_ticket(
            session,
            received=at(10, 9),
            unit_id=unit,
            due=due,
            replied=replied,
            callback=replied,
            reached=True,
            satisfaction=satisfaction,
            channel=Channel.MAILBOX,
        )
        session.add(MailboxLetter(ticket_id=ticket.id, title="来信", publish_consent=False))  # type: ignore[arg-type]
    await session.commit()
    bulletin = await build_bulletin(
        sessions,
        calendar=rules.calendar,
        kind="monthly",
        period=parse_period("2026-10"),
        policy=load_policy(),
        scheme=load_scheme("pudong-2024"),
        rules=load_ranking_rules(),
        made_at=shanghai(2026, 11, 2, 9),
    )
    files = write_bulletin(bulletin, tmp_path)
    md = files.markdown.read_text(encoding="utf-8")
    assert "### 涉企诉求（政企通）" in md
    assert ("2026年10月，共受理涉企诉求28件，其中14件由政企通政策专员“一对一”服务；派单办理28件，应办理28件，"
            "已办理28件，按期办结率96.43%，工单办理满意率92.86%，解决率96.43%。") in md
    assert "### 市(区)长信箱办理情况" in md
    assert ("2026年10月，市(区)长信箱共受理群众来信4件，应办4件，已办4件，按期办结率75.00%，返工数0件，"
            "返工率0.00%，群众满意数3件，群众满意率75.00%，综合指标值87.50，等级评价B类。") in md
    assert "区住建局因信件办理综合指标值低于A类标准评为B类。" in md
    assert "| 区住建局 | 3 | 3 | 3 | 100.00% | 2 | 66.67% | 0 | 0.00% | 2 | 66.67% | 83.33 | B |" in md
    book = load_workbook(files.xlsx)
    assert {"涉企诉求", "市长信箱"} <= set(book.sheetnames)
    sheet = book["市长信箱"]
    assert [c.value for c in sheet[2]][:2] == ["承办单位", "受理信件数"]
    # Letters are tickets too: the general figures count them (received 28 + 4).
    assert "热线共受理诉求32件" in md
