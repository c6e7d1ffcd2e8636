"""The demo jurisdiction loads through the real service functions on both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.demo import demo_is_loaded, load_demo
from tickets.enums import NoticeKind, Role, TicketStatus
from tickets.models import Notice, Staff, Ticket, TicketEvent, Unit


async def test_demo_covers_every_state_with_two_handlers_per_unit(sessions: SessionFactory, rules: Rules,
                                                                   clock: ManualClock) -> None:
    result = await load_demo(sessions, rules=rules, tickets=80, seed=7)
    # The 80 sample tickets and those of the mechanisms (whistles, referrals, letters …).
    assert result.linkage is not None
    assert (result.units, result.staff, result.tickets) == (21, 41, 80 + result.linkage.tickets)
    async with sessions() as session:
        assert await demo_is_loaded(session)
        statuses = set((await session.exec(select(Ticket.status))).all())
        assert statuses >= {
            TicketStatus.RECEIVED,
            TicketStatus.DISPATCHED,
            TicketStatus.ACCEPTED,
            TicketStatus.RETURN_REQUESTED,
            TicketStatus.EXTENSION_REQUESTED,
            TicketStatus.REPLIED,
            TicketStatus.CLOSED,
            TicketStatus.DIRECT_ANSWERED,
        }
        per_unit = (await session.exec(
            select(Staff.unit_id, func.count()).where(Staff.role == Role.HANDLER).group_by(col(Staff.unit_id))
        )).all()
        assert len(per_unit) == 20 and all(n == 2 for _, n in per_unit)
        assert (await session.exec(select(func.count()).select_from(Unit))).one() == 21
        # Every ticket has its audit trail, and nothing happened in the future.
        events = (await session.exec(select(TicketEvent))).all()
        assert {e.ticket_id for e in events} == set((await session.exec(select(Ticket.id))).all())
        assert max(e.at for e in events) <= clock.now()
        oldest = (await session.exec(select(func.min(Ticket.received_at)))).one()
        assert (clock.now() - oldest).days <= 60


async def test_demo_runs_the_duty_check_on_each_of_its_working_days(sessions: SessionFactory, rules: Rules,
                                                                    clock: ManualClock) -> None:
    """The bulletin's duty table was all "未登录提示函 0" on demo data (issue 13): the demo
    now logs units in most working days and runs the 16:00 check for each of them."""
    from reports.indicators import duty_records
    from reports.periods import date_range
    from tickets.clock import local
    from tickets.duty import login_deadline

    result = await load_demo(sessions, rules=rules, tickets=40, seed=3)
    now = clock.now()
    first = local(now - timedelta(days=60)).date()
    days = [d for d in (first + timedelta(days=i) for i in range(61))
            if rules.calendar.is_workday(d) and login_deadline(rules, d) <= now]
    assert result.duty_checks == len(days) > 30
    async with sessions() as session:
        records = await duty_records(session, period=date_range(min(days), max(days)), workdays=days,
                                     deadline=rules.policy.checks.duty_login_deadline)
        letters = (
            await session.exec(
                select(func.count()).select_from(Notice).where(Notice.kind == NoticeKind.DUTY_LOGIN_MISSING)
            )
        ).one()
    assert len(records) == 20
    # Every missed day got its letter from the check, and the table counts them all.
    assert all(r.login_letters == r.missed for r in records)
    assert sum(r.missed for r in records) == letters == result.duty_letters > 0
    # Units mostly log in: nobody misses half of the days.
    assert all(r.missed < len(days) / 2 for r in records)


def test_demo_command_says_how_to_bind_and_sign_in(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from main import cli

    monkeypatch.setenv("HOTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--tickets", "10"])
    assert result.exit_code == 0, result.output
    assert "python main.py staff invite --unit 区热线办 --office" in result.output
    assert "python main.py staff invite --unit 区人力资源和社会保障局 --slot A" in result.output
    assert "/bind" in result.output
    assert "http://127.0.0.1:8080/h5/" in result.output
    assert "http://127.0.0.1:8080/console/" in result.output
    assert "python main.py staff passwd --unit 区热线办 --office" in result.output
    # The printed command works as printed: the office account is found without a name.
    office = runner.invoke(cli, ["staff", "invite", "--unit", "区热线办", "--office"])
    assert office.exit_code == 0, office.output
    assert "工作人员：值班长（区热线办）" in office.output
    handler = runner.invoke(cli, ["staff", "invite", "--unit", "区人力资源和社会保障局", "--slot", "A"])
    assert handler.exit_code == 0, handler.output
    # The console password command works as printed too.
    office_web = runner.invoke(cli, ["staff", "passwd", "--unit", "区热线办", "--office", "--password-stdin"],
                               input="demo-password-2026\n")
    assert office_web.exit_code == 0, office_web.output
    assert "登录账号" in office_web.output
