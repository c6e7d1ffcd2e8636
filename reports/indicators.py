"""The indicators of DOMAIN §6 per unit and period, computed in SQL.

The cohort of a period is the tickets *received* in it. Each dispatched ticket counts for its
main unit and for every co-handling unit alike (主协办同责). Everything is measured as of one
instant (`as_of`, by default the end of the period), so a report made again later gives the
same figures: a reply written after `as_of` does not count.

存电 tickets (`Ticket.archived`) are left out of every satisfaction figure (evaluations,
satisfaction levels, resolution levels, dissatisfaction).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.periods import Period
from tickets.clock import ensure_aware, local, local_midnight
from tickets.enums import NoticeKind, ResultCategory, Satisfaction, TicketStatus, UnitKind
from tickets.models import DutyLogin, Notice, Ticket, TicketCoUnit, TicketEvent, Unit

T = Ticket.__table__  # type: ignore[attr-defined]
CO = TicketCoUnit.__table__  # type: ignore[attr-defined]
EV = TicketEvent.__table__  # type: ignore[attr-defined]
U = Unit.__table__  # type: ignore[attr-defined]
DL = DutyLogin.__table__  # type: ignore[attr-defined]
N = Notice.__table__  # type: ignore[attr-defined]

# Count columns every unit gets; scheme files may read any of them (see ColumnSpec.source).
COUNT_NAMES = (
    "received",  # tickets of the period in the unit's hands (main or co-handling)
    "dispatched",
    "due",  # 应办理: replied by as_of, or deadline passed by as_of
    "done",  # 已办理: replied by as_of
    "on_time",  # replied by the deadline
    "replied_late",  # 超期办结
    "overdue_open",  # 超期未办结 (deadline passed, no reply by as_of)
    "overdue",  # replied_late + overdue_open: over the time limit (超时限)
    "open_over_limit",  # open longer than the platform limit (超过30天未办结)
    "rework",  # tickets returned for rework at least once
    # first contact made by its deadline: by the button before the 双呼 switch, by calls after
    "first_contacted",
    "first_contacted_by_button",  # first contact pressed by its deadline (回访/按钮口径)
    # first contact proven by call records by its deadline (双呼口径, tickets.calls)
    "first_contacted_by_call",
    "callbacks_tried",
    "callbacks_reached",
    "evaluations",  # callbacks with a satisfaction answer, 存电 excluded
    "satisfied",
    "basically_satisfied",
    "average",
    "unsatisfied",
    "solved",  # result categories among the evaluations
    "explained",
    "noted",
    "demand_too_high",
    "unsolved",
    "solved_answered",  # evaluations where the citizen said "solved: yes"
    "solved_asked",  # evaluations where the citizen answered the "solved?" question
    "supervised",
    "supervised_late",
    "archived",
)


@dataclass(frozen=True)
class UnitIndicators:
    unit_id: int
    unit: str
    counts: dict[str, int]

    def rate(self, name: str) -> Fraction | None:
        """One of RATES as an exact fraction; None when there is nothing to measure."""
        numerator, denominator = RATES[name]
        den = sum(self.counts[d] for d in denominator)
        if den == 0:
            return None
        return Fraction(sum(self.counts[n] for n in numerator), den)


# name -> (numerator counts, denominator counts), DOMAIN §6.
RATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "completion_rate": (("done",), ("due",)),
    "on_time_rate": (("on_time",), ("due",)),
    "overdue_rate": (("replied_late",), ("due",)),
    "rework_rate": (("rework",), ("due",)),
    "first_contact_rate": (("first_contacted",), ("dispatched",)),
    # Both ways at once, to compare them around the 双呼 platform's go-live (seed 003).
    "first_contact_button_rate": (("first_contacted_by_button",), ("dispatched",)),
    "first_contact_call_rate": (("first_contacted_by_call",), ("dispatched",)),
    # 满意率 counts 满意 and 基本满意 as satisfied; schemes that weigh the levels do it themselves.
    "satisfaction_rate": (("satisfied", "basically_satisfied"), ("evaluations",)),
    "dissatisfaction_rate": (("unsatisfied",), ("evaluations",)),
    "resolution_rate": (("solved_answered",), ("solved_asked",)),
    "valid_callback_rate": (("callbacks_reached",), ("callbacks_tried",)),
}


@dataclass(frozen=True)
class Overview:
    """The jurisdiction as a whole: each ticket counted once, whatever its co-units."""

    period: Period
    as_of: datetime
    received: int
    direct_answered: int
    dispatched: int
    sent_back: int
    counts: dict[str, int]
    # Never dispatched and neither answered, sent back nor recalled: still waiting for dispatch.
    waiting: int = 0
    recalled: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_day: list[tuple[date, int]] = field(default_factory=list)

    @property
    def direct_answer_rate(self) -> Fraction | None:
        return Fraction(self.direct_answered, self.received) if self.received else None

    def rate(self, name: str) -> Fraction | None:
        numerator, denominator = RATES[name]
        den = sum(self.counts[d] for d in denominator)
        return Fraction(sum(self.counts[n] for n in numerator), den) if den else None


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _contacted_by(ticket: Any, column: Any, as_of: datetime) -> ColumnElement[bool]:
    return sa.and_(column.is_not(None), column <= as_of,
                   sa.or_(ticket.c.first_contact_due_at.is_(None), column <= ticket.c.first_contact_due_at))


def count_columns(ticket: Any, *, as_of: datetime, limit_days: int,
                  call_evidence_since: date | None = None) -> list[ColumnElement[int]]:
    """The aggregate expressions behind COUNT_NAMES, over a FROM that exposes ticket columns.

    `call_evidence_since` (policy contact.call_evidence_since): tickets received from that
    Shanghai day on count as first-contacted only when their calls prove it."""
    as_of = ensure_aware(as_of)
    by_button = _contacted_by(ticket, ticket.c.first_contact_at, as_of)
    by_call = _contacted_by(ticket, ticket.c.first_contact_proven_at, as_of)
    switch = local_midnight(call_evidence_since) if call_evidence_since is not None else None
    contacted = by_button if switch is None else sa.or_(
        sa.and_(ticket.c.received_at < switch, by_button), sa.and_(ticket.c.received_at >= switch, by_call))
    replied = sa.and_(ticket.c.replied_at.is_not(None), ticket.c.replied_at <= as_of)
    deadline_passed = sa.and_(ticket.c.due_at.is_not(None), ticket.c.due_at < as_of)
    late_reply = sa.and_(replied, ticket.c.due_at.is_not(None), ticket.c.replied_at > ticket.c.due_at)
    still_open = sa.not_(replied)
    overdue_open = sa.and_(still_open, deadline_passed)
    called_back = sa.and_(ticket.c.callback_at.is_not(None), ticket.c.callback_at <= as_of)
    counted = sa.and_(called_back, ticket.c.archived.is_(False), ticket.c.cb_satisfaction.is_not(None))
    limit_cutoff = as_of - timedelta(days=limit_days)

    def level(value: Satisfaction) -> ColumnElement[bool]:
        return sa.and_(counted, ticket.c.cb_satisfaction == value)

    def result(value: ResultCategory) -> ColumnElement[bool]:
        return sa.and_(counted, ticket.c.result == value)

    expressions: dict[str, ColumnElement[int]] = {
        "received": sa.func.count(),
        "dispatched": _flag(ticket.c.dispatched_at.is_not(None)),
        "due": _flag(sa.or_(replied, deadline_passed)),
        "done": _flag(replied),
        "on_time": _flag(
            sa.and_(replied, sa.or_(ticket.c.due_at.is_(None), ticket.c.replied_at <= ticket.c.due_at))
        ),
        "replied_late": _flag(late_reply),
        "overdue_open": _flag(overdue_open),
        "overdue": _flag(sa.or_(late_reply, overdue_open)),
        "open_over_limit": _flag(sa.and_(still_open, ticket.c.received_at < limit_cutoff)),
        "rework": _flag(ticket.c.rework_count > 0),
        "first_contacted": _flag(contacted),
        "first_contacted_by_button": _flag(by_button),
        "first_contacted_by_call": _flag(by_call),
        "callbacks_tried": _flag(sa.and_(ticket.c.callback_at.is_not(None), ticket.c.callback_at <= as_of)),
        "callbacks_reached": _flag(
            sa.and_(ticket.c.callback_at <= as_of, ticket.c.callback_reached.is_(True))
        ),
        "evaluations": _flag(counted),
        "satisfied": _flag(level(Satisfaction.SATISFIED)),
        "basically_satisfied": _flag(level(Satisfaction.BASICALLY_SATISFIED)),
        "average": _flag(level(Satisfaction.AVERAGE)),
        "unsatisfied": _flag(level(Satisfaction.UNSATISFIED)),
        "solved": _flag(result(ResultCategory.SOLVED)),
        "explained": _flag(result(ResultCategory.EXPLAINED)),
        "noted": _flag(result(ResultCategory.NOTED)),
        "demand_too_high": _flag(result(ResultCategory.DEMAND_TOO_HIGH)),
        "unsolved": _flag(result(ResultCategory.UNSOLVED)),
        "solved_answered": _flag(sa.and_(counted, ticket.c.cb_solved.is_(True))),
        "solved_asked": _flag(sa.and_(counted, ticket.c.cb_solved.is_not(None))),
        "supervised": _flag(ticket.c.supervised.is_(True)),
        "supervised_late": _flag(sa.and_(ticket.c.supervised.is_(True), sa.or_(late_reply, overdue_open))),
        "archived": _flag(ticket.c.archived.is_(True)),
    }
    return [expressions[name].label(name) for name in COUNT_NAMES]


def responsibility() -> sa.Subquery:
    """(ticket_id, unit_id) for the main unit and every co-handling unit: 主协办同责."""
    main = sa.select(T.c.id.label("ticket_id"), T.c.main_unit_id.label("unit_id")).where(
        T.c.main_unit_id.is_not(None)
    )
    co = sa.select(CO.c.ticket_id.label("ticket_id"), CO.c.unit_id.label("unit_id"))
    # UNION (not ALL): a unit named both main and co-handler must not count twice.
    return sa.union(main, co).subquery("resp")


async def unit_indicators(
    session: AsyncSession, *, period: Period, as_of: datetime | None = None, limit_days: int = 30,
    call_evidence_since: date | None = None,
) -> list[UnitIndicators]:
    """Counts per unit for tickets received in `period`; units without tickets omitted."""
    units, _ = await unit_indicators_and_total(session, period=period, as_of=as_of, limit_days=limit_days,
                                               call_evidence_since=call_evidence_since)
    return units


async def unit_indicators_and_total(
    session: AsyncSession, *, period: Period, as_of: datetime | None = None, limit_days: int = 30,
    call_evidence_since: date | None = None,
    only: ColumnElement[bool] | None = None,
) -> tuple[list[UnitIndicators], dict[str, int]]:
    """Per-unit counts (主协办同责) and the jurisdiction's counts (each ticket once), in two scans.

    Every dispatched ticket has exactly one main unit, so the main units' groups add up to the
    jurisdiction; the co-handling units are a second, small aggregate over TicketCoUnit (a unit
    named both main and co-handler of one ticket counts once). `only`: a condition on the
    tickets' columns that restricts the cohort (the mailbox's letters, say).
    """
    as_of = ensure_aware(as_of or period.end)
    columns = count_columns(T, as_of=as_of, limit_days=limit_days, call_evidence_since=call_evidence_since)
    in_period = sa.and_(
        T.c.received_at >= period.start, T.c.received_at < period.end, T.c.dispatched_at.is_not(None)
    )
    if only is not None:
        # A subset of the tickets (a channel, the enterprises' requests): same counts, same rules.
        in_period = sa.and_(in_period, only)
    main = (
        (
            await _run(
                session,
                sa.select(T.c.main_unit_id.label("unit_id"), *columns)
                .where(in_period, T.c.main_unit_id.is_not(None))
                .group_by(T.c.main_unit_id),
            )
        )
        .mappings()
        .all()
    )
    co = (
        (
            await _run(
                session,
                sa.select(CO.c.unit_id.label("unit_id"), *columns)
                .select_from(CO.join(T, T.c.id == CO.c.ticket_id))
                .where(in_period, CO.c.unit_id != T.c.main_unit_id)
                .group_by(CO.c.unit_id),
            )
        )
        .mappings()
        .all()
    )
    total: Counter[str] = Counter()
    per_unit: dict[int, Counter[str]] = {}
    for row in main:
        counts = Counter({name: int(row[name]) for name in COUNT_NAMES})
        total.update(counts)
        per_unit.setdefault(int(row["unit_id"]), Counter()).update(counts)
    for row in co:
        per_unit.setdefault(int(row["unit_id"]), Counter()).update(
            {name: int(row[name]) for name in COUNT_NAMES}
        )
    names = (
        dict((await _run(session, sa.select(U.c.id, U.c.name).where(U.c.id.in_(list(per_unit))))).all())
        if per_unit
        else {}
    )
    units = [
        UnitIndicators(unit_id, names[unit_id], {name: per_unit[unit_id][name] for name in COUNT_NAMES})
        for unit_id in per_unit
    ]
    units.sort(key=lambda u: u.unit)
    return units, {name: total[name] for name in COUNT_NAMES}


async def _run(session: AsyncSession, query: sa.Executable) -> sa.Result[*tuple[Any, ...]]:
    # Core statements go straight to the connection (SQLModel's execute() warns by design).
    connection = await session.connection()
    return await connection.execute(query)


def local_day(column: Any, dialect: str) -> ColumnElement[Any]:
    """The Shanghai calendar date of a stored UTC instant, in SQL (China has no DST)."""
    if dialect == "postgresql":
        return sa.func.date(sa.func.timezone("Asia/Shanghai", column))
    return sa.func.date(column, "+8 hours")


async def overview(
    session: AsyncSession,
    *,
    period: Period,
    as_of: datetime | None = None,
    limit_days: int = 30,
    counts: dict[str, int] | None = None,
    call_evidence_since: date | None = None,
) -> Overview:
    """Volumes and the §6 counts for the whole jurisdiction, each ticket once.

    `counts` may come from unit_indicators_and_total, which computes them on the way.
    """
    as_of = ensure_aware(as_of or period.end)
    in_period = sa.and_(T.c.received_at >= period.start, T.c.received_at < period.end)
    if counts is None:
        counts_row = (
            (
                await _run(
                    session,
                    sa.select(*count_columns(T, as_of=as_of, limit_days=limit_days,
                                             call_evidence_since=call_evidence_since)).where(
                        in_period, T.c.dispatched_at.is_not(None)
                    ),
                )
            )
            .mappings()
            .one()
        )
        counts = {name: int(counts_row[name]) for name in COUNT_NAMES}
    # One grouped scan gives the volumes and the type, category and day breakdowns together.
    day = local_day(T.c.received_at, (await session.connection()).dialect.name).label("day")
    never_dispatched = T.c.dispatched_at.is_(None)
    grouped = (
        await _run(
            session,
            sa.select(
                T.c.request_type,
                T.c.category,
                day,
                sa.func.count(),
                # Exclusive lines: a dispatched ticket is 派单 whatever happened later.
                _flag(sa.and_(never_dispatched, T.c.status == TicketStatus.DIRECT_ANSWERED)),
                _flag(T.c.dispatched_at.is_not(None)),
                _flag(sa.and_(never_dispatched, T.c.status == TicketStatus.SENT_BACK)),
                _flag(sa.and_(never_dispatched, T.c.status == TicketStatus.RECALLED)),
            )
            .where(in_period)
            .group_by(T.c.request_type, T.c.category, day),
        )
    ).all()
    received = direct = dispatched = sent_back = recalled = 0
    by_type: Counter[str] = Counter()
    by_category_counts: Counter[str] = Counter()
    by_day_map: Counter[date] = Counter()
    for request_type, category, d, n, n_direct, n_dispatched, n_sent_back, n_recalled in grouped:
        received += int(n)
        recalled += int(n_recalled)
        direct += int(n_direct)
        dispatched += int(n_dispatched)
        sent_back += int(n_sent_back)
        by_type[str(request_type)] += int(n)
        by_category_counts[str(category or "")] += int(n)
        by_day_map[d if isinstance(d, date) else date.fromisoformat(str(d))] += int(n)
    by_category = sorted(by_category_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Overview(
        period=period,
        as_of=as_of,
        received=received,
        direct_answered=direct,
        dispatched=dispatched,
        sent_back=sent_back,
        counts=counts,
        waiting=received - direct - dispatched - sent_back - recalled,
        recalled=recalled,
        by_type=dict(by_type),
        by_category=by_category,
        by_day=[(d, by_day_map.get(d, 0)) for d in period.days],
    )


async def received_count(session: AsyncSession, *, period: Period) -> int:
    """Tickets received in a period (the previous period's volume, for 环比)."""
    query = sa.select(sa.func.count()).where(T.c.received_at >= period.start, T.c.received_at < period.end)
    return int((await _run(session, query)).scalar_one())


@dataclass(frozen=True)
class DutyRecord:
    """A unit's duty logins (登录值守) and the letters the office sent it in a period."""

    unit_id: int
    unit: str
    workdays: int  # working days of the period up to the cut-off
    on_time: int  # days logged in by the duty deadline
    login_letters: int  # 未登录提示函
    warning_letters: int  # 工作提示函 (tickets open too long)

    @property
    def missed(self) -> int:
        return self.workdays - self.on_time


async def duty_records(
    session: AsyncSession,
    *,
    period: Period,
    workdays: Sequence[date],
    deadline: time,
    as_of: datetime | None = None,
) -> list[DutyRecord]:
    """Every active handling unit's logins on the given working days, and its letters.

    A login after the deadline (16:00 by default) counts as not logged in, as the office's
    check does. Days after the cut-off are not counted.
    """
    as_of = ensure_aware(as_of or period.end)
    days = [d for d in workdays if period.first_day <= d <= period.last_day and local_midnight(d) < as_of]
    units = (
        await _run(
            session, sa.select(U.c.id, U.c.name).where(U.c.active.is_(True), U.c.kind != UnitKind.OFFICE)
        )
    ).all()
    logins = (
        (
            await _run(
                session,
                sa.select(DL.c.unit_id, DL.c.work_date, DL.c.first_login_at).where(DL.c.work_date.in_(days)),
            )
        ).all()
        if days
        else []
    )
    on_time: Counter[int] = Counter()
    for unit_id, _day, first_login_at in logins:
        if local(first_login_at).time() <= deadline:
            on_time[int(unit_id)] += 1
    # A duty letter belongs to the working day it is about (its period key), whenever the
    # check ran (a missed 16:00 check catches up later); the other letters to their date.
    about_counted_day = sa.and_(
        N.c.kind == NoticeKind.DUTY_LOGIN_MISSING, N.c.period_key.in_([d.isoformat() for d in days])
    )
    sent_in_period = sa.and_(
        N.c.kind != NoticeKind.DUTY_LOGIN_MISSING, N.c.created_at >= period.start, N.c.created_at < period.end
    )
    letters = (
        await _run(
            session,
            sa.select(N.c.unit_id, N.c.kind, sa.func.count())
            .where(N.c.unit_id.is_not(None), sa.or_(about_counted_day, sent_in_period))
            .group_by(N.c.unit_id, N.c.kind),
        )
    ).all()
    by_kind: dict[tuple[int, str], int] = {(int(u), str(k)): int(n) for u, k, n in letters}
    return sorted(
        (
            DutyRecord(
                unit_id=int(unit_id),
                unit=name,
                workdays=len(days),
                on_time=on_time[int(unit_id)],
                login_letters=by_kind.get((int(unit_id), NoticeKind.DUTY_LOGIN_MISSING.value), 0),
                warning_letters=by_kind.get((int(unit_id), NoticeKind.HANDLING_DAYS_WARNING.value), 0),
            )
            for unit_id, name in units
        ),
        key=lambda r: (-r.missed, -r.warning_letters, r.unit),
    )
