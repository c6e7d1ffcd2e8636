"""A new office opens the demo and makes last month's bulletin: every section says something
(issue: the demo had no whistles, referrals, enterprise requests or letters), personal data
is masked, and loading the demo again adds nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import SQLModel, col, select

from reports import texts as rt
from reports.bulletin import build_bulletin
from reports.export import write_bulletin
from reports.periods import parse_period
from reports.rankings import load_ranking_rules
from reports.schemes import load_scheme
from tickets.clock import ManualClock, local
from tickets.context import Rules
from tickets.credit_code import is_valid_credit_code
from tickets.db import SessionFactory
from tickets.demo import load_demo
from tickets.enums import Action, TicketStatus
from tickets.models import EnterpriseRequest, MailboxLetter, Ticket, TicketEvent
from tickets.whistle_models import WhistleSummons

SECTIONS = ["## 一、基本情况", "### 涉企诉求（政企通）", "### 市(区)长信箱办理情况",
            "## 二、“评优评差”情况", "## 三、热点与重复诉求",
            "## 四、群众好评典型件", "## 五、吹哨报到与人大代表联动", "## 六、工作要求"]


async def _row_counts(sessions: SessionFactory) -> dict[str, int]:
    async with sessions() as session:
        return {
            name: int((await session.exec(select(sa.func.count()).select_from(table))).one())
            for name, table in SQLModel.metadata.tables.items()
        }


async def test_demo_fills_every_section_of_last_months_bulletin(sessions: SessionFactory, rules: Rules,
                                                                clock: ManualClock, tmp_path: Path) -> None:
    result = await load_demo(sessions, rules=rules, tickets=200, seed=12345)
    assert result.linkage is not None and result.tickets == 200 + result.linkage.tickets
    before = await _row_counts(sessions)
    again = await load_demo(sessions, rules=rules, tickets=200, seed=12345)
    assert again.skipped and await _row_counts(sessions) == before

    today = local(clock.now()).date()
    last_month = today.replace(day=1) - timedelta(days=1)
    key = f"{last_month.year}-{last_month.month:02d}"
    bulletin = await build_bulletin(
        sessions, kind="monthly", period=parse_period(key), policy=rules.policy,
        scheme=load_scheme("pudong-2024"), rules=load_ranking_rules(), made_at=clock.now(),
        calendar=rules.calendar,
    )
    files = write_bulletin(bulletin, tmp_path, with_charts=False)
    md = files.markdown.read_text(encoding="utf-8")

    # Every section is there and has more than its heading.
    parts = re.split(r"^#{2,3} .*$", md, flags=re.M)
    assert [h for h in SECTIONS if h in md] == SECTIONS
    assert all(p.strip() for p in parts[1:])
    period = bulletin.period.label
    for empty in (rt.NO_ENTERPRISE.format(period=period), rt.NO_MAILBOX.format(period=period),
                  rt.NO_WHISTLES.format(period=period), rt.NO_DEPUTY_TICKETS.format(period=period),
                  rt.NO_HOTSPOTS.format(n=rules.policy.supervision.hotspot_min_tickets),
                  rt.NO_REPEATS.format(n=rules.policy.supervision.repeat_complaints), rt.NO_TYPICAL,
                  rt.NO_UNITS, rt.NO_ROWS):
        assert empty not in md, empty
    assert bulletin.whistles is not None and bulletin.whistles.total.whistles >= 3
    # One summoned unit was late, and the text says so as the table does.
    total = bulletin.whistles.total
    assert 0 < total.on_time < total.summoned
    assert f"点名报到{total.summoned}个单位次，按时报到{total.on_time}个" in md
    assert bulletin.deputies is not None and bulletin.deputies.counts["received"] >= 2
    assert bulletin.enterprise is not None and bulletin.enterprise.routed >= 2
    assert bulletin.mailbox is not None and bulletin.mailbox.total.counts["received"] >= 3
    assert bulletin.hotspots and bulletin.repeats
    # Personal data is masked: no full phone number of a citizen anywhere.
    async with sessions() as session:
        phones = {p for p in (await session.exec(select(Ticket.contact_phone))).all() if p}
    assert not any(phone in md for phone in phones)
    assert "139****" in md  # the repeat caller, masked

    wb = load_workbook(files.xlsx)
    for sheet in (rt.SHEET_ENTERPRISE, rt.SHEET_MAILBOX, rt.SHEET_WHISTLES, rt.SHEET_DEPUTY_TICKETS,
                  rt.SHEET_DEPUTY_LIST, rt.SHEET_HOTSPOTS, rt.SHEET_REPEATS, rt.SHEET_BEST, rt.SHEET_DUTY):
        ws = wb[sheet]
        assert ws.max_row >= 3, sheet  # title, header, at least one row
        assert ws.cell(3, 1).value not in (None, rt.NO_ROWS), sheet
    cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    assert not any(phone in cells for phone in phones)


async def test_demo_mechanisms_follow_the_workflow(sessions: SessionFactory, rules: Rules,
                                                  clock: ManualClock) -> None:
    await load_demo(sessions, rules=rules, tickets=20, seed=5)
    async with sessions() as session:
        summonses = (await session.exec(select(WhistleSummons))).all()
        assert all(s.reported_in_at is not None for s in summonses)
        late = [s for s in summonses if s.reported_in_at > s.due_at]  # type: ignore[operator]
        assert len(late) == 1 and late[0].reminded_at is not None and late[0].late_reported_at is not None
        codes = (await session.exec(select(EnterpriseRequest.credit_code))).all()
        assert codes and all(c is not None and is_valid_credit_code(c) for c in codes)
        requests = (await session.exec(select(EnterpriseRequest))).all()
        assert sum(r.specialist_id is None for r in requests) == 1  # an area nobody is registered for
        letters = (await session.exec(select(MailboxLetter))).all()
        published = [letter for letter in letters if letter.published_at is not None]
        assert len(published) == 1 and published[0].publish_consent
        # A published letter's ticket is closed and its public texts carry no name of the writer.
        ticket = await session.get(Ticket, published[0].ticket_id)
        assert ticket is not None and ticket.status is TicketStatus.CLOSED
        assert ticket.contact_name and ticket.contact_name not in (published[0].public_body or "")
        actions = set((await session.exec(select(TicketEvent.action))).all())
        assert {Action.WHISTLE, Action.REPORT_IN, Action.WHISTLE_MEETING, Action.WHISTLE_CLOSED,
                Action.DEPUTY_REFERRAL, Action.PUBLISH} <= actions
        # Nothing happened after now.
        latest = (await session.exec(select(TicketEvent.at).order_by(col(TicketEvent.at).desc()))).first()
        assert latest is not None and latest <= clock.now()
