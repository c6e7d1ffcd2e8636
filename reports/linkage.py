"""The working mechanisms of seed 004 in figures: 吹哨报到 (whistles by who blew them, 报到 on
time, solution rate of whistled tickets), tickets referred by people's deputies (on time and
satisfaction), and the month's list of concentrated, hard-to-solve complaints for the
deputies' liaison (rules in the policy file, `deputies:`).

Everything is read from the database as of one instant (`as_of`), like reports.indicators:
a callback or a 报到 after it does not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from reports import texts
from reports.formula import pct
from reports.indicators import COUNT_NAMES, RATES, T, U, _flag, _run, count_columns
from reports.periods import Period
from reports.rankings import shorten
from tickets import texts as ticket_texts
from tickets.clock import ensure_aware, local
from tickets.enums import Satisfaction, TicketStatus, UnitKind
from tickets.policy import Policy
from tickets.whistle_models import DeputyReferral, Whistle, WhistleSummons

W = Whistle.__table__  # type: ignore[attr-defined]
WS = WhistleSummons.__table__  # type: ignore[attr-defined]
DR = DeputyReferral.__table__  # type: ignore[attr-defined]

# The report's lines in this order; seed 004 names streets and departments.
BLOWER_ORDER = [UnitKind.STREET, UnitKind.DEPARTMENT, UnitKind.OFFICE, UnitKind.ENTERPRISE, UnitKind.UTILITY,
                UnitKind.COMMUNITY]


def _rate(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


@dataclass(frozen=True)
class WhistleLine:
    kind: UnitKind | None  # None: the total line
    whistles: int
    summoned: int
    reported_in: int
    on_time: int
    solved_asked: int  # whistled tickets whose callback answered "solved?" (存电 excluded)
    solved: int

    @property
    def label(self) -> str:
        return texts.WHISTLE_TOTAL if self.kind is None else texts.WHISTLE_BLOWER[self.kind]

    @property
    def on_time_rate(self) -> Fraction | None:
        return _rate(self.on_time, self.summoned)

    @property
    def solution_rate(self) -> Fraction | None:
        return _rate(self.solved, self.solved_asked)


@dataclass(frozen=True)
class WhistleReport:
    period: Period
    lines: list[WhistleLine]

    @property
    def total(self) -> WhistleLine:
        return WhistleLine(None, *(sum(getattr(line, name) for line in self.lines) for name in (
            "whistles", "summoned", "reported_in", "on_time", "solved_asked", "solved")))


def _counted(as_of: datetime) -> sa.ColumnElement[bool]:
    """A callback that rates the ticket, as reports.indicators counts it (存电 excluded)."""
    return sa.and_(T.c.callback_at.is_not(None), T.c.callback_at <= as_of, T.c.archived.is_(False),
                   T.c.cb_satisfaction.is_not(None), T.c.cb_solved.is_not(None))


async def whistle_report(
    session: AsyncSession, *, period: Period, as_of: datetime | None = None
) -> WhistleReport:
    """Whistles blown in the period, by the kind of unit that blew them. The solution rate is
    per whistle: its ticket called back "solved" among its tickets called back (解决率)."""
    as_of = ensure_aware(as_of or period.end)
    in_period = sa.and_(W.c.blown_at >= period.start, W.c.blown_at < period.end, W.c.blown_at <= as_of)
    counted = _counted(as_of)
    whistles = await _run(session, sa.select(
        W.c.unit_kind, sa.func.count(), _flag(counted), _flag(sa.and_(counted, T.c.cb_solved.is_(True))),
    ).select_from(W.join(T, T.c.id == W.c.ticket_id)).where(in_period).group_by(W.c.unit_kind))
    reported = sa.and_(WS.c.reported_in_at.is_not(None), WS.c.reported_in_at <= as_of)
    summons = await _run(
        session,
        sa.select(
            W.c.unit_kind,
            sa.func.count(),
            _flag(reported),
            _flag(sa.and_(reported, WS.c.reported_in_at <= WS.c.due_at)),
        )
        .select_from(WS.join(W, W.c.id == WS.c.whistle_id))
        .where(in_period)
        .group_by(W.c.unit_kind),
    )
    by_kind: dict[Any, list[int]] = {}
    for kind, count, asked, solved in whistles.all():
        by_kind[UnitKind(kind)] = [int(count), 0, 0, 0, int(asked), int(solved)]
    for kind, count, reported_in, on_time in summons.all():
        line = by_kind.setdefault(UnitKind(kind), [0] * 6)
        line[1:4] = [int(count), int(reported_in), int(on_time)]
    lines = [WhistleLine(kind, *by_kind[kind]) for kind in BLOWER_ORDER if kind in by_kind]
    return WhistleReport(period, lines)


# --- tickets referred by deputies -----------------------------------------------------------


@dataclass(frozen=True)
class DeputyReport:
    period: Period
    counts: dict[str, int]

    @property
    def referred(self) -> int:
        return self.counts["received"]

    def rate(self, name: str) -> Fraction | None:
        numerator, denominator = RATES[name]
        return _rate(sum(self.counts[n] for n in numerator), sum(self.counts[d] for d in denominator))


async def deputy_report(session: AsyncSession, *, period: Period, limit_days: int,
                        as_of: datetime | None = None) -> DeputyReport:
    """Tickets referred by deputies in the period, with the indicators of every ticket
    (按时办结率 = on time ÷ due, 满意率 = 满意 + 基本满意 ÷ evaluations)."""
    as_of = ensure_aware(as_of or period.end)
    row = (await _run(session, sa.select(*count_columns(T, as_of=as_of, limit_days=limit_days))
                      .select_from(T.join(DR, DR.c.ticket_id == T.c.id))
                      .where(DR.c.referred_at >= period.start, DR.c.referred_at < period.end,
                             DR.c.referred_at <= as_of))).one()
    return DeputyReport(period, {name: int(value or 0) for name, value in zip(COUNT_NAMES, row, strict=True)})


# --- the month's list for the deputies' liaison --------------------------------------------------


@dataclass(frozen=True)
class DeputyListRow:
    number: str
    received: date
    category: str
    unit: str
    summary: str  # masked (tickets.privacy via reports.rankings.shorten)
    reasons: list[str]
    times: int  # how many times the matter was complained of (the ticket and its repeats)
    status: str
    deputy: str = ""  # the deputy who referred it, if one did


@dataclass(frozen=True)
class DeputyList:
    period: Period
    rows: list[DeputyListRow]
    rules: list[str] = field(default_factory=list)  # the policy's rules, in words, for the list's head


def _rule_words(policy: Policy) -> list[str]:
    d = policy.deputies
    words = [texts.DEPUTY_RULE_REPEAT.format(n=d.repeat_min)]
    if d.supervised:
        words.append(texts.DEPUTY_RULE_SUPERVISED)
    if d.unsatisfied:
        words.append(texts.DEPUTY_RULE_UNSATISFIED)
    if d.whistled_unsolved:
        words.append(texts.DEPUTY_RULE_WHISTLED)
    return words


async def deputies_list(session: AsyncSession, *, period: Period, policy: Policy,
                        as_of: datetime | None = None) -> DeputyList:
    """Concentrated, hard-to-solve complaints of the month (seed 004 每月向人代联委推送的问题清单):
    received by the month's end, not archived (存电), and
    - complained of `repeat_min` times or more and not solved by the month's end, or
    - supervised and not solved by the month's end, or
    - called back in the month and answered 不满意, or
    - whistled on and not solved by the month's end.
    "Not solved by the month's end" is still open then (a closed ticket was called back solved
    or satisfied: tickets.service.callback_outcome)."""
    rules = policy.deputies
    end = min(period.end, ensure_aware(as_of)) if as_of else period.end
    unsolved = sa.and_(sa.or_(T.c.closed_at.is_(None), T.c.closed_at >= end),
                       T.c.status.not_in([TicketStatus.RECALLED, TicketStatus.SENT_BACK,
                                          TicketStatus.DIRECT_ANSWERED]))
    whistled = sa.exists().where(W.c.ticket_id == T.c.id, W.c.blown_at < end)
    repeat = sa.and_(T.c.repeat_count + 1 >= rules.repeat_min, unsolved)
    supervised = sa.and_(T.c.supervised.is_(True), unsolved) if rules.supervised else sa.false()
    unsatisfied = sa.and_(T.c.cb_satisfaction == Satisfaction.UNSATISFIED, T.c.callback_at >= period.start,
                          T.c.callback_at < end) if rules.unsatisfied else sa.false()
    whistled_open = sa.and_(whistled, unsolved) if rules.whistled_unsolved else sa.false()
    query = (
        sa.select(
            T.c.number,
            T.c.received_at,
            T.c.category,
            U.c.name,
            T.c.content,
            T.c.contact_name,
            T.c.repeat_count,
            T.c.status,
            repeat,
            supervised,
            unsatisfied,
            whistled_open,
            DR.c.deputy,
        )
        .select_from(T.outerjoin(U, U.c.id == T.c.main_unit_id).outerjoin(DR, DR.c.ticket_id == T.c.id))
        .where(
            T.c.received_at < end,
            T.c.archived.is_(False),
            sa.or_(repeat, supervised, unsatisfied, whistled_open),
        )
    )
    found = []
    for (number, received, category, unit, content, name, repeats, status, is_repeat, is_supervised,
         is_unsatisfied, is_whistled, deputy) in (await _run(session, query)).all():
        reasons = [word for flag, word in ((is_repeat, texts.DEPUTY_REASON_REPEAT.format(n=repeats + 1)),
                                           (is_supervised, texts.DEPUTY_REASON_SUPERVISED),
                                           (is_unsatisfied, texts.DEPUTY_REASON_UNSATISFIED),
                                           (is_whistled, texts.DEPUTY_REASON_WHISTLED)) if flag]
        found.append(
            DeputyListRow(
                number=number,
                received=local(ensure_aware(received)).date(),
                category=category or texts.NO_CATEGORY,
                unit=unit or texts.NOT_DISPATCHED,
                summary=shorten(content, 60, names=(name,)),
                reasons=reasons,
                times=repeats + 1,
                status=ticket_texts.STATUS[TicketStatus(status)],
                deputy=deputy or "",
            )
        )
    # The hardest first: most reasons, most complaints, oldest.
    found.sort(key=lambda r: (-len(r.reasons), -r.times, r.received, r.number))
    return DeputyList(period, found[:rules.max_rows], _rule_words(policy))


# --- the words ------------------------------------------------------------------------------


def whistle_paragraph(report: WhistleReport) -> str:
    total = report.total
    if not total.whistles:
        return texts.NO_WHISTLES.format(period=report.period.label)
    parts = "；".join(texts.WHISTLE_PART.format(who=line.label, n=line.whistles, rate=pct(line.solution_rate))
                     for line in report.lines)
    return texts.WHISTLE_PARAGRAPH.format(period=report.period.label, total=total.whistles, parts=parts,
                                          summoned=total.summoned, on_time=total.on_time,
                                          on_time_rate=pct(total.on_time_rate))


def deputy_paragraph(report: DeputyReport) -> str:
    if not report.referred:
        return texts.NO_DEPUTY_TICKETS.format(period=report.period.label)
    return texts.DEPUTY_PARAGRAPH.format(period=report.period.label, n=report.referred,
                                         on_time=pct(report.rate("on_time_rate")),
                                         satisfaction=pct(report.rate("satisfaction_rate")))


def deputy_list_paragraph(found: DeputyList) -> str:
    return texts.DEPUTY_LIST_PARAGRAPH.format(n=len(found.rows)) if found.rows else texts.DEPUTY_LIST_NONE
