"""评优评差: best units, poor units and poor tickets with their reasons.

The rules are data (reports/rankings.yaml, overridable by the office) and every listed
unit or ticket carries the reason it is there, so a ranking can be explained to the unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from reports import texts
from reports.indicators import EV, RATES, T, U, _run, responsibility
from reports.periods import Period
from reports.schemes import ScoreRow, ScoreTable
from tickets.clock import ensure_aware, local, local_midnight
from tickets.config_files import read_mapping, validate_file
from tickets.enums import Action, Satisfaction
from tickets.policy import Policy
from tickets.privacy import mask_text

REASON_CODES = (
    "open_over_limit",  # 超过30天未办结
    "overdue_open",  # 超期未办结
    "replied_late",  # 超期办结
    "not_contacted",  # 未联系当事人
    "reply_too_brief",  # 回复过于简单
    "buck_passing",  # 职责范围内推诿
    "reply_mismatch",  # 回复与诉求不一致
    "unsatisfied",  # 回访不满意
    "rework",  # 退回重办
)


class RankingRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    best_n: int = Field(default=5, ge=1)
    # Units with fewer tickets are listed but not ranked at all (样本不足): two tickets say
    # nothing about a unit, good or bad. Units that could not be scored are not ranked either.
    rank_min_volume: int = Field(default=5, ge=0)
    # Units with fewer tickets are not ranked among the best (seed 001: ≥ 100 for its top 10).
    best_min_volume: int = Field(default=10, ge=0)
    poor_n: int = Field(default=5, ge=0)
    # A unit is "poor" when its score is below this (seed 001's 较差 units all scored < 80).
    poor_below: Decimal = Decimal(80)
    poor_min_volume: int = Field(default=1, ge=0)
    poor_tickets_limit: int = Field(default=20, ge=0)
    # Reasons in order of gravity; a ticket is listed under all that apply, the first one first.
    ticket_reasons: list[str] = Field(default_factory=lambda: list(REASON_CODES))
    # Monthly targets (seed 000): rates under them are named in the bulletin's 工作要求.
    targets: dict[str, Decimal] = Field(
        default_factory=lambda: {
            "satisfaction_rate": Decimal("0.95"),
            "completion_rate": Decimal("0.95"),
            "on_time_rate": Decimal(1),
        }
    )


def load_ranking_rules(path: Path | None = None) -> RankingRules:
    text = resources.files("reports").joinpath("rankings.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text) or {}
    source: str | Path = "reports/rankings.yaml"
    if path is not None:
        data.update(read_mapping(path))
        source = path
    rules = validate_file(RankingRules, data, source=source)
    if unknown := [r for r in rules.ticket_reasons if r not in REASON_CODES]:
        raise ValueError(f"unknown ticket reasons {unknown}; known: {', '.join(REASON_CODES)}")
    if unknown := [r for r in rules.targets if r not in RATES]:
        raise ValueError(f"unknown target rates {unknown}; known: {', '.join(RATES)}")
    return rules


@dataclass(frozen=True)
class RankedUnit:
    rank: int
    row: ScoreRow
    volume: int
    why: str  # one sentence an office worker can read out


@dataclass(frozen=True)
class Rankings:
    best: list[RankedUnit]
    poor: list[RankedUnit]
    not_ranked: list[str]  # below the minimum volume for the best list
    # Every ranked unit, best first (ranks 1..n), and those listed but not ranked (样本不足).
    ordered: list[RankedUnit] = field(default_factory=list)
    insufficient: list[str] = field(default_factory=list)
    # Below the poor line but beyond poor_n: not in 表二, still below the line on the chart.
    below_line: list[str] = field(default_factory=list)


def rank_units(table: ScoreTable, rules: RankingRules, *, volume_column: str = "received") -> Rankings:
    """Best N among units with enough volume and a score at or above the poor line; poor units
    below it, worst first.

    Ties are broken by volume (more tickets first) then by name, so the order is stable.
    """

    def volume(row: ScoreRow) -> int:
        return int(row.counts.get(volume_column, 0))

    def score(row: ScoreRow) -> Decimal:
        assert row.score is not None  # only ranked rows reach here
        return row.score

    def exact(row: ScoreRow) -> Fraction:
        assert row.exact_score is not None
        return row.exact_score

    ranked = [r for r in table.units if volume(r) >= rules.rank_min_volume and r.score is not None]
    insufficient = sorted(r.unit for r in table.units if r not in ranked)
    ordered_rows = sorted(ranked, key=lambda r: (-exact(r), -volume(r), r.unit))
    ordered = [
        RankedUnit(i, r, volume(r), texts.WHY_RANKED.format(score=r.score, volume=volume(r)))
        for i, r in enumerate(ordered_rows, start=1)
    ]
    # A unit below the poor line is never among the best, however few units have enough volume.
    eligible = [r for r in ranked if volume(r) >= rules.best_min_volume and score(r) >= rules.poor_below]
    best_rows = sorted(eligible, key=lambda r: (-exact(r), -volume(r), r.unit))[: rules.best_n]
    best = [
        RankedUnit(i, r, volume(r), texts.WHY_BEST.format(score=r.score, volume=volume(r)))
        for i, r in enumerate(best_rows, start=1)
    ]
    best_names = {r.unit for r in best_rows}
    below = sorted(
        (
            r
            for r in ranked
            if score(r) < rules.poor_below and volume(r) >= rules.poor_min_volume and r.unit not in best_names
        ),
        key=lambda r: (exact(r), -volume(r), r.unit),
    )
    poor_rows = below[: rules.poor_n]
    poor = [
        RankedUnit(i, r, volume(r), texts.WHY_POOR.format(score=r.score, threshold=rules.poor_below))
        for i, r in enumerate(poor_rows, start=1)
    ]
    not_ranked = sorted(r.unit for r in table.units if volume(r) < rules.best_min_volume)
    return Rankings(
        best, poor, not_ranked, ordered, insufficient, below_line=[r.unit for r in below[rules.poor_n :]]
    )


@dataclass(frozen=True)
class PoorTicket:
    number: str
    unit: str
    category: str
    summary: str  # masked, shortened
    received_on: date
    reasons: list[str]  # codes, gravest first

    @property
    def reason_text(self) -> str:
        return "，".join(texts.TICKET_REASON[r] for r in self.reasons)


def reason_conditions(*, as_of: datetime, policy: Policy) -> dict[str, sa.ColumnElement[bool]]:
    """Each reason as an SQL condition on the ticket table; the rules are read from the policy."""
    as_of = ensure_aware(as_of)
    replied = sa.and_(T.c.replied_at.is_not(None), T.c.replied_at <= as_of)
    still_open = sa.not_(replied)
    limit = as_of - timedelta(days=policy.deadlines.limit.amount)
    over_limit = sa.and_(still_open, T.c.received_at < limit)
    attempts = policy.contact.attempts_when_unreachable
    called_back = sa.and_(T.c.callback_at.is_not(None), T.c.callback_at <= as_of)
    # No contact by the deadline: by the buttons, or — for tickets received once the 双呼
    # platform is live — by the calls (tickets.calls: no answered call and not enough spaced attempts).
    by_button = sa.and_(T.c.first_contact_at.is_(None), T.c.first_contact_due_at < as_of,
                        T.c.first_contact_attempts < attempts)
    by_call = sa.and_(T.c.first_contact_due_at < as_of,
                      sa.or_(T.c.first_contact_proven_at.is_(None), T.c.first_contact_proven_at > as_of))
    since = policy.contact.call_evidence_since
    not_contacted = by_button if since is None else sa.or_(
        sa.and_(T.c.received_at < local_midnight(since), by_button),
        sa.and_(T.c.received_at >= local_midnight(since), by_call))
    refused_return = sa.exists().where(
        EV.c.ticket_id == T.c.id, EV.c.action == Action.REFUSE_RETURN, EV.c.at <= as_of
    )
    return {
        "open_over_limit": over_limit,
        # Over 30 days is the graver reason; the plain overdue one is for the others.
        "overdue_open": sa.and_(still_open, T.c.due_at < as_of, sa.not_(over_limit)),
        "replied_late": sa.and_(replied, T.c.replied_at > T.c.due_at),
        "not_contacted": sa.or_(sa.and_(called_back, T.c.cb_contacted.is_(False)), not_contacted),
        "reply_too_brief": sa.and_(
            replied,
            sa.func.length(sa.func.trim(sa.func.coalesce(T.c.reply_text, "")))
            < policy.limits.reply_min_chars,
        ),
        "buck_passing": refused_return,
        "reply_mismatch": sa.and_(called_back, T.c.cb_answered.is_(False)),
        "unsatisfied": sa.and_(
            called_back, T.c.cb_satisfaction == Satisfaction.UNSATISFIED, T.c.archived.is_(False)
        ),
        "rework": T.c.rework_count > 0,
    }


async def poor_tickets(
    session: AsyncSession,
    *,
    period: Period,
    policy: Policy,
    rules: RankingRules,
    as_of: datetime | None = None,
    unit_ids: list[int] | None = None,
) -> list[PoorTicket]:
    """Tickets of the period in a unit's hands with at least one reason, gravest first."""
    as_of = ensure_aware(as_of or period.end)
    conditions = reason_conditions(as_of=as_of, policy=policy)
    codes = rules.ticket_reasons
    if not codes or rules.poor_tickets_limit == 0:
        return []
    flags = [sa.case((conditions[c], 1), else_=0).label(c) for c in codes]
    # Gravity: the index of the first reason that applies.
    gravity = sa.case(*((conditions[c], i) for i, c in enumerate(codes)), else_=len(codes)).label("gravity")
    query = (
        sa.select(
            T.c.id,
            T.c.number,
            T.c.category,
            T.c.content,
            T.c.contact_name,
            T.c.received_at,
            U.c.name.label("unit"),
            gravity,
            *flags,
        )
        .select_from(T.join(U, U.c.id == T.c.main_unit_id))
        .where(
            T.c.received_at >= period.start,
            T.c.received_at < period.end,
            T.c.dispatched_at.is_not(None),
            sa.or_(*(conditions[c] for c in codes)),
        )
        .order_by("gravity", T.c.received_at, T.c.id)
        .limit(rules.poor_tickets_limit)
    )
    if unit_ids is not None:
        resp = responsibility()
        query = query.where(T.c.id.in_(sa.select(resp.c.ticket_id).where(resp.c.unit_id.in_(unit_ids))))
    rows = (await _run(session, query)).mappings().all()
    return [
        PoorTicket(
            number=row["number"],
            unit=row["unit"],
            category=row["category"] or texts.NO_CATEGORY,
            summary=shorten(row["content"], names=(row["contact_name"],)),
            received_on=local(row["received_at"]).date(),
            reasons=[c for c in codes if row[c]],
        )
        for row in rows
    ]


def shorten(content: str, limit: int = 40, *, names: tuple[str | None, ...] = ()) -> str:
    """Masked and cut to fit a table cell: phone numbers, and the citizen's own name where the
    ticket knows it (people write "我是王小明…"), never reach a report."""
    text = " ".join(mask_text(content or "", names=names).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
