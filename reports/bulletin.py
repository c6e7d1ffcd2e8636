"""Monthly and weekly bulletins shaped like seeds 000–002:
基本情况 · 评优评差 (with tables) · 热点与重复诉求 · 典型件 · 工作要求.

`build_bulletin` gathers everything from the database (a handful of SQL queries);
`reports.export` writes it as Markdown, XLSX and PNG charts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Literal, TypeVar

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from reports import texts
from reports.enterprise import EnterpriseFigures, enterprise_figures, mailbox_index
from reports.formula import pct
from reports.hotspots import Hotspot, RepeatCase, Similarity, find_hotspots, find_repeats
from reports.indicators import (
    DutyRecord,
    Overview,
    T,
    U,
    UnitIndicators,
    _run,
    duty_records,
    overview,
    received_count,
    unit_indicators_and_total,
)
from reports.linkage import (
    DeputyList,
    DeputyReport,
    WhistleReport,
    deputies_list,
    deputy_report,
    whistle_report,
)
from reports.periods import Period
from reports.rankings import PoorTicket, RankingRules, Rankings, poor_tickets, rank_units, shorten
from reports.schemes import CompiledScheme, ScoreTable, counts_from_indicators, load_scheme, score_units
from tickets.calendar import WorkCalendar
from tickets.clock import ensure_aware, local
from tickets.db import SessionFactory
from tickets.enums import ResultCategory, Satisfaction, UnitKind
from tickets.policy import Policy
from tickets.routing_labels import RouterQuality, router_quality

Kind = Literal["monthly", "weekly"]
T_ = TypeVar("T_")


@dataclass(frozen=True)
class TypicalCase:
    number: str
    unit: str
    category: str
    summary: str
    result: str


@dataclass(frozen=True)
class Bulletin:
    kind: Kind
    period: Period
    office: str
    made_at: datetime
    overview: Overview
    previous: int | None  # tickets received in the previous period, for 环比
    units: list[UnitIndicators]
    table: ScoreTable | None  # None when no unit had a ticket
    rankings: Rankings | None
    rules: RankingRules
    poor_tickets: list[PoorTicket]
    hotspots: list[Hotspot]
    repeats: list[RepeatCase]
    typical: list[TypicalCase]
    policy: Policy
    duty: list[DutyRecord] = field(default_factory=list)
    # How often the office took the unit router's suggestions (tickets.routing_labels).
    routing: RouterQuality | None = None
    # 吹哨报到 and the deputies' linkage (reports.linkage); the deputies' list is monthly.
    whistles: WhistleReport | None = None
    deputies: DeputyReport | None = None
    deputy_list: DeputyList | None = None
    enterprise: EnterpriseFigures | None = None
    mailbox: ScoreTable | None = None  # the mailbox's comprehensive index; None without letters

    @property
    def title(self) -> str:
        name = texts.MONTHLY if self.kind == "monthly" else texts.WEEKLY
        return texts.BULLETIN_TITLE.format(office=self.office, kind=name, period=self.period.title_label)

    def unit(self, name: str) -> UnitIndicators | None:
        return next((u for u in self.units if u.unit == name), None)


async def office_name(session: AsyncSession) -> str:
    row = (
        await _run(session, sa.select(U.c.name).where(U.c.kind == UnitKind.OFFICE).order_by(U.c.id).limit(1))
    ).first()
    return row[0] if row else texts.DEFAULT_OFFICE


async def _typical(session: AsyncSession, *, period: Period, limit: int = 3) -> list[TypicalCase]:
    """好评典型件: solved and satisfied, the hard ones first (supervised, extended, repeated)."""
    query = (
        sa.select(T.c.number, T.c.category, T.c.content, U.c.name, T.c.contact_name)
        .select_from(T.join(U, U.c.id == T.c.main_unit_id))
        .where(
            T.c.received_at >= period.start,
            T.c.received_at < period.end,
            T.c.result == ResultCategory.SOLVED,
            T.c.cb_satisfaction == Satisfaction.SATISFIED,
            T.c.archived.is_(False),
        )
        .order_by(T.c.supervised.desc(), T.c.extended_days.desc(), T.c.repeat_count.desc(), T.c.id)
        .limit(limit)
    )
    return [
        TypicalCase(
            r[0], r[3], r[1] or texts.NO_CATEGORY, shorten(r[2], 80, names=(r[4],)), texts.TYPICAL_RESULT
        )
        for r in (await _run(session, query)).all()
    ]


async def build_bulletin(
    sessions: SessionFactory,
    *,
    kind: Kind,
    period: Period,
    policy: Policy,
    scheme: CompiledScheme,
    rules: RankingRules,
    made_at: datetime,
    similarity: Similarity | None = None,
    calendar: WorkCalendar | None = None,
) -> Bulletin:
    """Everything a bulletin says, read in one snapshot per part.

    The parts are independent reads, so they run concurrently, each on its own connection:
    PostgreSQL and SQLite (WAL, the driver's thread) then use both cores.
    """
    limit_days = policy.deadlines.limit.amount

    async def read(fn: Callable[[AsyncSession], Awaitable[T_]]) -> T_:
        async with sessions() as session:
            return await fn(session)

    async def no_duty(_: AsyncSession) -> list[DutyRecord]:
        return []

    duty_reader: Callable[[AsyncSession], Awaitable[list[DutyRecord]]] = no_duty
    if calendar is not None:
        workdays = [d for d in period.days if calendar.is_workday(d)]
        deadline = policy.checks.duty_login_deadline

        def duty_reader(s: AsyncSession) -> Awaitable[list[DutyRecord]]:
            return duty_records(s, period=period, workdays=workdays, deadline=deadline)

    async def no_list(_: AsyncSession) -> DeputyList | None:
        return None

    list_reader: Callable[[AsyncSession], Awaitable[DeputyList | None]] = no_list
    if kind == "monthly":
        async def list_reader(s: AsyncSession) -> DeputyList | None:
            return await deputies_list(s, period=period, policy=policy)

    end = period.last_day + timedelta(days=1)
    # The mailbox table has the shape of seed 002 附件2 whatever scheme ranks the units.
    mailbox_scheme = load_scheme("comprehensive-index")
    # Gathers of at most six parts (the most asyncio.gather is typed for), all run together.
    counts = asyncio.gather(
        read(lambda s: unit_indicators_and_total(s, period=period, limit_days=limit_days,
                                                 call_evidence_since=policy.contact.call_evidence_since)),
        # Volumes and breakdowns only: the jurisdiction's counts come with the units' (below).
        read(lambda s: overview(s, period=period, limit_days=limit_days, counts={})),
        read(lambda s: received_count(s, period=period.previous())),
        read(office_name),
    )
    cases = asyncio.gather(
        read(lambda s: poor_tickets(s, period=period, policy=policy, rules=rules)),
        read(lambda s: find_hotspots(s, period=period, policy=policy, similarity=similarity)),
        # The bulletin reports the repeats of its own period; the weekly supervision job looks further back.
        read(lambda s: find_repeats(s, as_of=period.end, policy=policy, similarity=similarity,
                                    lookback_days=len(period.days))),
        read(lambda s: _typical(s, period=period)),
        read(duty_reader),
    )
    mechanisms = asyncio.gather(
        read(lambda s: whistle_report(s, period=period)),
        read(lambda s: deputy_report(s, period=period, limit_days=limit_days)),
        read(list_reader),
        read(lambda s: enterprise_figures(s, period=period, limit_days=limit_days)),
        read(lambda s: mailbox_index(s, period=period, scheme=mailbox_scheme, limit_days=limit_days)),
        read(lambda s: router_quality(s, start=period.first_day, end=end)),
    )
    (
        (units_and_total, ov, previous, office),
        (poor, hotspots, repeats, typical, duty),
        (whistles, deputies, deputy_list, firms, letters, routing),
    ) = await asyncio.gather(counts, cases, mechanisms)
    units, total = units_and_total
    ov = replace(ov, counts=total)
    table = score_units(scheme, counts_from_indicators(scheme, units)) if units else None
    return Bulletin(
        kind=kind,
        period=period,
        office=office,
        made_at=ensure_aware(made_at),
        overview=ov,
        previous=previous or None,
        units=units,
        table=table,
        rankings=rank_units(table, rules) if table else None,
        rules=rules,
        poor_tickets=poor,
        hotspots=hotspots,
        repeats=repeats,
        typical=typical,
        policy=policy,
        duty=duty,
        whistles=whistles,
        deputies=deputies,
        deputy_list=deputy_list,
        enterprise=firms,
        mailbox=letters,
        routing=routing if routing.overall.n else None,
    )


# --- the words of the bulletin ----------------------------------------------------------


def first_contact_ways(b: Bulletin) -> str:
    """Once the 双呼 platform is live, the rate both ways (seed 003: 双呼平台上线前 / 上线后)."""
    since = b.policy.contact.call_evidence_since
    if since is None:
        return ""
    ov = b.overview
    return texts.BASIC_FIRST_CONTACT_WAYS.format(
        since=f"{since.year}年{since.month}月{since.day}日", button=pct(ov.rate("first_contact_button_rate")),
        call=pct(ov.rate("first_contact_call_rate")))


def basic_paragraphs(b: Bulletin) -> list[str]:
    ov, c = b.overview, b.overview.counts
    out = [
        texts.BASIC_VOLUME.format(
            period=b.period.label,
            received=ov.received,
            direct=ov.direct_answered,
            direct_rate=pct(ov.direct_answer_rate),
            dispatched=ov.dispatched,
            sent_back=ov.sent_back,
            recalled=texts.BASIC_RECALLED.format(n=ov.recalled) if ov.recalled else "",
            waiting=ov.waiting,
        ),
        texts.BASIC_HANDLING.format(
            due=c["due"],
            done=c["done"],
            completion=pct(ov.rate("completion_rate")),
            on_time=c["on_time"],
            on_time_rate=pct(ov.rate("on_time_rate")),
            late=c["replied_late"],
            overdue_open=c["overdue_open"],
            rework=c["rework"],
            rework_rate=pct(ov.rate("rework_rate")),
            first_contact=pct(ov.rate("first_contact_rate")) + first_contact_ways(b),
        ),
        texts.BASIC_CALLBACK.format(
            tried=c["callbacks_tried"],
            reached=c["callbacks_reached"],
            valid=pct(ov.rate("valid_callback_rate")),
            evaluations=c["evaluations"],
            archived=c["archived"],
            satisfaction=pct(ov.rate("satisfaction_rate")),
            unsatisfied=c["unsatisfied"],
            dissatisfaction=pct(ov.rate("dissatisfaction_rate")),
        ),
    ]
    if b.previous:
        change = Fraction(ov.received - b.previous, b.previous)
        word = texts.UP if change >= 0 else texts.DOWN
        out.append(texts.BASIC_CHANGE.format(previous=b.previous, word=word, change=pct(abs(change))))
    if ov.by_type:
        parts = [
            f"{texts.REQUEST_TYPE.get(k, k)}{n}件"
            for k, n in sorted(ov.by_type.items(), key=lambda kv: -kv[1])
        ]
        out.append(texts.BASIC_TYPES.format(types="；".join(parts)))
    top = ov.by_category[:5]
    if top and ov.received:
        parts = [f"{c or texts.NO_CATEGORY}{n}件，占比{pct(Fraction(n, ov.received))}" for c, n in top]
        share = pct(Fraction(sum(n for _, n in top), ov.received))
        out.append(texts.BASIC_CATEGORIES.format(parts="；".join(parts), k=len(top), share=share))
    if b.routing is not None:
        r = b.routing.overall
        out.append(
            texts.BASIC_ROUTING.format(
                n=r.n, top1=pct(Fraction(r.top1, r.n)), top3=pct(Fraction(r.top3, r.n))
            )
        )
    return out


def enterprise_paragraph(b: Bulletin) -> str:
    """涉企诉求 in the words of seed 004: count, on time, satisfaction, resolution."""
    e = b.enterprise
    if e is None or e.received == 0:
        return texts.NO_ENTERPRISE.format(period=b.period.label)
    return texts.ENTERPRISE_PARAGRAPH.format(
        period=b.period.label, received=e.received, routed=e.routed, dispatched=e.dispatched,
        due=e.counts["due"], done=e.counts["done"], on_time=pct(e.rate("on_time_rate")),
        satisfaction=pct(e.rate("satisfaction_rate")), resolution=pct(e.rate("resolution_rate")),
    )


def mailbox_paragraphs(b: Bulletin) -> list[str]:
    """市(区)长信箱办理情况 in the words of seed 002."""
    if b.mailbox is None:
        return [texts.NO_MAILBOX.format(period=b.period.label)]
    total = b.mailbox.total
    c = total.counts
    out = [texts.MAILBOX_PARAGRAPH.format(
        period=b.period.label, received=c["received"], due=c["due"], done=c["done"],
        on_time=_percent(total.indicator_percent("on_time_rate")), rework=c["rework"],
        rework_rate=_percent(total.indicator_percent("rework_rate")), satisfied=c["satisfied"],
        satisfaction=_percent(total.indicator_percent("satisfaction_rate")),
        score=total.score if total.score is not None else "—", grade=total.grade or "—",
    )]
    if low := [
        r.unit for r in b.mailbox.units if r.grade not in (None, b.mailbox.scheme.spec.grades[0].grade)
    ]:
        out.append(texts.MAILBOX_B_UNITS.format(units="、".join(low)))
    return out


def _percent(value: object) -> str:
    return "—" if value is None else f"{value}%"


def ranking_paragraph(b: Bulletin) -> str:
    if b.table is None or b.rankings is None:
        return texts.NO_UNITS
    best = b.rankings.best
    poor = b.rankings.poor
    label = texts.best_label(b.rules.best_n)
    best_text = (
        texts.RANKING_BEST.format(units="、".join(r.row.unit for r in best[:2]), k=len(best), label=label)
        if best
        else texts.RANKING_NO_BEST.format(label=label)
    )
    poor_text = (
        texts.RANKING_POOR.format(units="、".join(r.row.unit for r in poor[:2]), m=len(poor))
        if poor
        else texts.RANKING_NO_POOR
    )
    few = b.rankings.insufficient
    insufficient = (
        texts.RANKING_INSUFFICIENT.format(
            units="、".join(few[:3]) + (texts.ETC if len(few) > 3 else ""),
            k=len(few),
            n=b.rules.rank_min_volume,
        )
        if few
        else ""
    )
    return texts.RANKING_INTRO.format(
        scheme=b.table.scheme.spec.title,
        n=len(b.table.units),
        insufficient=insufficient,
        min_volume=b.rules.best_min_volume,
        best=best_text,
        poor=poor_text,
        tickets=len(b.poor_tickets),
    )


def requirements(b: Bulletin) -> list[str]:
    """工作要求: the targets, who missed them this period, and the office's standing checks."""
    targets = b.rules.targets
    out = [
        texts.REQ_TARGETS.format(
            satisfaction=pct(Fraction(targets.get("satisfaction_rate", 0))),
            completion=pct(Fraction(targets.get("completion_rate", 0))),
            on_time=pct(Fraction(targets.get("on_time_rate", 0))),
        )
    ]
    missed = []
    for unit in b.units:
        gaps = [
            texts.RATE_LABEL[name]
            for name, goal in targets.items()
            if (value := unit.rate(name)) is not None and value < Fraction(goal)
        ]
        if gaps:
            missed.append(f"{unit.unit}（{'、'.join(gaps)}）")
    if missed:
        out.append(
            texts.REQ_MISSED.format(units="；".join(missed[:15]), more=texts.ETC if len(missed) > 15 else "")
        )
    d, ch = b.policy.deadlines, b.policy.checks
    out.append(texts.REQ_WARNING.format(warning=d.warning.amount, limit=d.limit.amount))
    out.append(texts.REQ_DUTY.format(deadline=ch.duty_login_deadline.strftime("%H:%M")))
    if missed_duty := [r for r in b.duty if r.missed > 0]:
        out.append(
            texts.REQ_DUTY_MISSED.format(
                units="、".join(f"{r.unit}（{r.missed}天）" for r in missed_duty[:15]),
                more=texts.ETC if len(missed_duty) > 15 else "",
            )
        )
    if b.hotspots or b.repeats:
        out.append(texts.REQ_HOTSPOTS.format(days=d.critical_notice_answer.amount))
    return out


def made_at_text(b: Bulletin) -> str:
    return texts.MADE_AT.format(made=local(b.made_at), as_of=local(b.overview.as_of))
