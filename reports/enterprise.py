"""Indicators of the enterprises' requests (涉企诉求, seed 004: "共办理涉企诉求2790件，工单办理
满意率为93.01%、解决率为96.55%") and of the 市长信箱 letters (seed 002 附件2: the mailbox's
comprehensive index), both computed from the database for a period with the same counts and
rules as every other indicator (reports.indicators); only the cohort differs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.indicators import COUNT_NAMES, RATES, T, _run, count_columns, unit_indicators_and_total
from reports.periods import Period
from reports.schemes import CompiledScheme, ScoreTable, counts_from_indicators, score_units
from tickets.clock import ensure_aware
from tickets.enums import Channel
from tickets.models import EnterpriseRequest

ER = EnterpriseRequest.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class EnterpriseFigures:
    """The period's enterprise requests: how many, how many served one-to-one by a specialist,
    and the §6 counts of the dispatched ones."""

    received: int
    routed: int  # given to a policy specialist (政企通)
    dispatched: int
    counts: dict[str, int]

    def rate(self, name: str) -> Fraction | None:
        numerator, denominator = RATES[name]
        den = sum(self.counts[d] for d in denominator)
        return Fraction(sum(self.counts[n] for n in numerator), den) if den else None


async def enterprise_figures(session: AsyncSession, *, period: Period, as_of: datetime | None = None,
                             limit_days: int = 30) -> EnterpriseFigures:
    as_of = ensure_aware(as_of or period.end)
    joined = T.join(ER, ER.c.ticket_id == T.c.id)
    in_period = sa.and_(T.c.received_at >= period.start, T.c.received_at < period.end)
    volumes = (await _run(session, sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((ER.c.specialist_id.is_not(None), 1), else_=0)), 0),
    ).select_from(joined).where(in_period))).one()
    row = (await _run(session, sa.select(*count_columns(T, as_of=as_of, limit_days=limit_days))
                      .select_from(joined).where(in_period, T.c.dispatched_at.is_not(None)))).mappings().one()
    counts = {name: int(row[name]) for name in COUNT_NAMES}
    return EnterpriseFigures(received=int(volumes[0]), routed=int(volumes[1]), dispatched=counts["received"],
                             counts=counts)


async def mailbox_index(session: AsyncSession, *, period: Period, scheme: CompiledScheme,
                        as_of: datetime | None = None, limit_days: int = 30) -> ScoreTable | None:
    """The mailbox's comprehensive index (综合指标值) per unit for the letters received in the
    period, scored by `scheme` (comprehensive-index by default); None without letters."""
    units, _ = await unit_indicators_and_total(session, period=period, as_of=as_of, limit_days=limit_days,
                                               only=T.c.channel == Channel.MAILBOX)
    return score_units(scheme, counts_from_indicators(scheme, units)) if units else None
