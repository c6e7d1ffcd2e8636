"""What the console's pages read, scoped to the viewer exactly as the service scopes
actions: the office sees every ticket; a handler sees the tickets of its unit (主办 or
协办). Reads only: every change goes through tickets.service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.models import KnowledgeFeedback
from tickets.clock import local, local_midnight
from tickets.context import Rules
from tickets.enums import OPEN_STATUSES, WITH_UNIT_STATUSES, Role, TicketStatus, UnitKind, Urgency
from tickets.errors import NotFound
from tickets.models import DutyLogin, Staff, Ticket, TicketCoUnit, Unit
from tickets.queries import get_ticket, local_day_start, overdue_condition
from tickets.texts import ERR_TICKET_NOT_FOUND
from tickets.whistles import waiting_units
from web.console.viewer import Viewer

PAGE_SIZE = 50


def scope(viewer: Viewer) -> sa.ColumnElement[bool] | None:
    """The tickets a viewer may see: None for the office (all of them)."""
    if viewer.actor.role is Role.OFFICE:
        return None
    co = select(TicketCoUnit.ticket_id).where(TicketCoUnit.unit_id == viewer.unit_id)
    return sa.or_(col(Ticket.main_unit_id) == viewer.unit_id, col(Ticket.id).in_(co))


async def visible_ticket(session: AsyncSession, viewer: Viewer, number: str) -> Ticket:
    """The ticket, or NotFound when it does not exist or is another unit's (no hint which)."""
    ticket = await get_ticket(session, number=number)
    if viewer.actor.role is not Role.OFFICE:
        co = (
            await session.exec(select(TicketCoUnit.unit_id).where(TicketCoUnit.ticket_id == ticket.id))
        ).all()
        if viewer.unit_id is None or (
            ticket.main_unit_id != viewer.unit_id
            and viewer.unit_id not in co
            and viewer.unit_id not in (await waiting_units(session, ticket_id=ticket.id or 0))[1]
        ):
            # A unit summoned by the ticket's open whistle (吹哨报到) sees it too, to report in.
            raise NotFound(ERR_TICKET_NOT_FOUND.format(number=number.strip()[:30]))
    return ticket


def today_bounds(rules: Rules) -> tuple[datetime, datetime]:
    today = local(rules.now()).date()
    return local_midnight(today), local_midnight(today + timedelta(days=1))


# --- the ticket list ------------------------------------------------------------------------------

SORTS: dict[str, Any] = {
    "received": col(Ticket.received_at),
    "due": col(Ticket.due_at),
    "number": col(Ticket.number),
    "status": col(Ticket.status),
}
VIEWS = ("open", "today", "due_today", "overdue", "over_warning", "all")


@dataclass
class TicketFilter:
    view: str = "open"  # a preset: open, today (received today), due_today, overdue, over_warning, all
    state: TicketStatus | None = None
    unit_id: int | None = None
    urgency: Urgency | None = None
    received_from: date | None = None
    received_to: date | None = None
    text: str = ""
    sort: str = "received"
    descending: bool = True
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, query: Any) -> TicketFilter:
        """From the page's query string; a bad value is dropped and named, never an error page."""
        found = cls()
        found.view = query.get("view", "open") if query.get("view", "open") in VIEWS else "open"
        if raw := query.get("state"):
            try:
                found.state = TicketStatus(raw)
            except ValueError:
                found.problems.append("state")
        if raw := query.get("urgency"):
            try:
                found.urgency = Urgency(raw)
            except ValueError:
                found.problems.append("urgency")
        for name in ("unit_id", "page"):
            if raw := query.get(name):
                try:
                    value = int(raw)
                    if not 1 <= value <= 2**31:
                        raise ValueError
                    setattr(found, name, value)
                except ValueError:
                    found.problems.append(name)
        for name in ("received_from", "received_to"):
            if raw := query.get(name):
                try:
                    setattr(found, name, date.fromisoformat(raw))
                except ValueError:
                    found.problems.append(name)
        found.text = str(query.get("q", "")).strip()[:100]
        sort = str(query.get("sort", "received"))
        found.descending = sort.startswith("-") or sort == "received"
        key = sort.lstrip("-")
        found.sort = key if key in SORTS else "received"
        if sort == "received":
            found.descending = True
        elif sort == "+received":
            found.descending = False
        return found

    def conditions(self, rules: Rules, *, warning_days: int) -> list[sa.ColumnElement[bool]]:
        now = rules.now()
        start, end = today_bounds(rules)
        found: list[sa.ColumnElement[bool]] = []
        match self.view:
            case "open":
                found.append(col(Ticket.status).in_(sorted(OPEN_STATUSES)))
            case "today":
                found.append(col(Ticket.received_at) >= start)
            case "due_today":
                found += [col(Ticket.status).in_(sorted(WITH_UNIT_STATUSES)), col(Ticket.due_at) >= now,
                          col(Ticket.due_at) < end]
            case "overdue":
                found.append(overdue_condition(now))
            case "over_warning":
                found += [col(Ticket.status).in_(sorted(OPEN_STATUSES)),
                          col(Ticket.received_at) < local_day_start(now, days_back=warning_days)]
        if self.state is not None:
            found.append(col(Ticket.status) == self.state)
        if self.unit_id is not None:
            found.append(col(Ticket.main_unit_id) == self.unit_id)
        if self.urgency is not None:
            found.append(col(Ticket.urgency) == self.urgency)
        if self.received_from is not None:
            found.append(col(Ticket.received_at) >= local_midnight(self.received_from))
        if self.received_to is not None:
            found.append(col(Ticket.received_at) < local_midnight(self.received_to + timedelta(days=1)))
        if self.text:
            if self.text.isdigit() and len(self.text) == 13:
                found.append(col(Ticket.number) == self.text)
            else:
                escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                found.append(col(Ticket.content).like(f"%{escaped}%", escape="\\"))
        return found

    def order(self) -> list[Any]:
        column = SORTS[self.sort]
        first = column.desc() if self.descending else column.asc()
        return [first.nulls_last(), col(Ticket.id).desc() if self.descending else col(Ticket.id).asc()]


@dataclass(frozen=True)
class TicketPage:
    rows: list[Ticket]
    total: int
    page: int
    pages: int
    units: dict[int, str]


async def list_tickets(session: AsyncSession, viewer: Viewer, rules: Rules, flt: TicketFilter) -> TicketPage:
    conditions = flt.conditions(rules, warning_days=rules.policy.deadlines.warning.amount)
    if (limit := scope(viewer)) is not None:
        conditions.append(limit)
    total = int((await session.exec(select(sa.func.count()).select_from(Ticket).where(*conditions))).one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(flt.page, pages)
    rows = list((await session.exec(select(Ticket).where(*conditions).order_by(*flt.order())
                                    .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))).all())
    return TicketPage(rows, total, page, pages, await unit_names(session))


async def unit_names(session: AsyncSession) -> dict[int, str]:
    return {u.id: u.name for u in (await session.exec(select(Unit))).all() if u.id is not None}


async def handling_unit_list(session: AsyncSession) -> list[Unit]:
    return list(
        (await session.exec(select(Unit).where(Unit.kind != UnitKind.OFFICE).order_by(col(Unit.id)))).all()
    )


# --- the dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    received_today: int
    open: int
    due_today: int
    overdue: int
    over_warning: int
    waiting_dispatch: int
    waiting_decision: int
    waiting_callback: int  # replied: the office reviews and calls the citizen back


async def dashboard_counts(session: AsyncSession, viewer: Viewer, rules: Rules) -> Counts:
    """The tiles, each a count along an index (state, state + deadline, state + receipt, receipt):
    on a million tickets no tile reads the table itself (bench/web_bench.py)."""
    now = rules.now()
    start, end = today_bounds(rules)
    warning = local_day_start(now, days_back=rules.policy.deadlines.warning.amount)
    limit = scope(viewer)
    visible = [limit] if limit is not None else []
    is_open = col(Ticket.status).in_(sorted(OPEN_STATUSES))

    async def count(*conditions: Any) -> int:
        return int(
            (
                await session.exec(select(sa.func.count()).select_from(Ticket).where(*conditions, *visible))
            ).one()
        )

    by_state = dict((await session.exec(select(Ticket.status, sa.func.count()).where(is_open, *visible)
                                        .group_by(Ticket.status))).all())
    return Counts(
        received_today=await count(col(Ticket.received_at) >= start),
        open=sum(by_state.values()),
        due_today=await count(
            col(Ticket.status).in_(sorted(WITH_UNIT_STATUSES)),
            col(Ticket.due_at) >= now,
            col(Ticket.due_at) < end,
        ),
        overdue=await count(overdue_condition(now)),
        over_warning=await count(is_open, col(Ticket.received_at) < warning),
        waiting_dispatch=by_state.get(TicketStatus.RECEIVED, 0),
        waiting_decision=by_state.get(TicketStatus.RETURN_REQUESTED, 0)
        + by_state.get(TicketStatus.EXTENSION_REQUESTED, 0),
        waiting_callback=by_state.get(TicketStatus.REPLIED, 0),
    )


async def kb_self_service(session: AsyncSession, rules: Rules, *, days: int = 30) -> tuple[int, int]:
    """Citizens' 解决 / all feedback on knowledge-base answers over the last `days` days."""
    since = rules.now() - timedelta(days=days)
    row = (
        await session.exec(
            select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((col(KnowledgeFeedback.solved), 1), else_=0)), 0),
            ).where(col(KnowledgeFeedback.created_at) >= since)
        )
    ).one()
    return int(row[1]), int(row[0])


# --- duty -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyRow:
    unit_id: int
    unit: str
    first_login_at: datetime | None
    by: str
    late: bool  # logged in after the deadline (does not count for the day)


async def duty_board(session: AsyncSession, *, day: date, deadline: datetime) -> list[DutyRow]:
    units = (await session.exec(select(Unit).where(Unit.active == True, Unit.kind != UnitKind.OFFICE)  # noqa: E712
                                .order_by(col(Unit.id)))).all()
    logins = {
        d.unit_id: d for d in (await session.exec(select(DutyLogin).where(DutyLogin.work_date == day))).all()
    }
    staff_ids = [d.staff_id for d in logins.values() if d.staff_id is not None]
    names = {
        s.id: s.name for s in (await session.exec(select(Staff).where(col(Staff.id).in_(staff_ids)))).all()
    }
    rows = []
    for unit in units:
        login = logins.get(unit.id or 0)
        rows.append(DutyRow(unit.id or 0, unit.name, login.first_login_at if login else None,
                            names.get(login.staff_id, "") if login and login.staff_id else "",
                            bool(login and login.first_login_at > deadline)))
    return rows
