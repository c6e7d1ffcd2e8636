"""Every dispatch is a label for the unit router.

The office's dispatch decisions are the jurisdiction's own training data: at 派单 the
service records the ticket's text, the unit chosen, the units the router suggested (with
their confidences and the version of the model that made them) and whether the first
suggestion was taken. An approved return that re-dispatches the ticket corrects the label
(the office learnt the right unit from the unit itself). Co-units are kept apart.

The core does not know how suggestions are made (knowledge_base does, and knowledge_base
imports tickets, not the other way round): it is given a `UnitSuggester` in `Rules` by the
composition root. Without one the label is still recorded, with no suggestions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets.clock import SHANGHAI, local, week_key
from tickets.models import RoutingLabel, Ticket, Unit
from tickets.privacy import mask_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuggestedUnit:
    unit_id: int
    name: str
    confidence: float | None  # None: a unit a person named (the presumed unit of a 退单)


@dataclass(frozen=True)
class Suggestions:
    units: list[SuggestedUnit]
    model_version: str  # "keywords", "model:<n>", …


class UnitSuggester(Protocol):
    """What the router suggests for a ticket's text now (knowledge_base.unit_routing)."""

    async def __call__(self, session: AsyncSession, *, content: str) -> Suggestions: ...


async def record_dispatch(session: AsyncSession, *, ticket: Ticket, unit_id: int, co_unit_ids: Sequence[int],
                          suggester: UnitSuggester | None, at: datetime) -> RoutingLabel:
    """The label of a first dispatch (a recheck keeps the ticket's label as it is)."""
    suggested = None
    if suggester is not None:
        try:
            suggested = await suggester(session, content=ticket.content)
        except Exception:  # the router must never stop a dispatch; the label is kept without suggestions
            log.exception("unit suggestions for ticket %s failed; label recorded without them", ticket.number)
    units = suggested.units if suggested is not None else []
    label = RoutingLabel(
        ticket_id=ticket.id,  # type: ignore[arg-type]
        dispatched_at=at,
        # The router learns matters, not people: phones and the citizen's name are masked
        # in this second copy of the text.
        text=mask_text(ticket.content, names=[ticket.contact_name]),
        dispatched_unit_id=unit_id,
        unit_id=unit_id,
        co_unit_ids=[u for u in dict.fromkeys(co_unit_ids) if u != unit_id],
        suggested=[{"unit_id": s.unit_id, "name": s.name, "confidence": s.confidence} for s in units],
        first_taken=bool(units) and units[0].unit_id == unit_id,
        model_version=suggested.model_version if suggested is not None else "",
    )
    session.add(label)
    return label


async def correct_after_return(
    session: AsyncSession, *, ticket: Ticket, new_unit_id: int, at: datetime
) -> None:
    """An approved return re-dispatched to `new_unit_id`: that is the right unit for the text."""
    label = (await session.exec(select(RoutingLabel).where(RoutingLabel.ticket_id == ticket.id))).first()
    if label is None:  # dispatched before labels were recorded
        return
    label.unit_id = new_unit_id
    label.corrected_at = at
    session.add(label)


async def labels_between(session: AsyncSession, *, start: datetime, end: datetime) -> list[RoutingLabel]:
    """Labels dispatched in [start, end), oldest first (training and evaluation read these)."""
    return list(
        (
            await session.exec(
                select(RoutingLabel)
                .where(col(RoutingLabel.dispatched_at) >= start, col(RoutingLabel.dispatched_at) < end)
                .order_by(col(RoutingLabel.dispatched_at), col(RoutingLabel.id))
            )
        ).all()
    )


# --- how good the suggestions were ---------------------------------------------------


@dataclass
class Acceptance:
    """Of the dispatches a router was asked about: the final unit was the first suggestion
    (top-1) or among the suggestions shown (top-3); nothing suggested is a miss. A corrected
    label counts against the router when the suggestion was the unit that returned the ticket."""

    n: int = 0
    top1: int = 0
    top3: int = 0

    def add(self, label: RoutingLabel) -> None:
        shown = [s.get("unit_id") for s in label.suggested]
        self.n += 1
        self.top1 += int(bool(shown) and shown[0] == label.unit_id)
        self.top3 += int(label.unit_id in shown[:3])

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.n if self.n else 0.0


@dataclass
class RouterQuality:
    start: date
    end: date  # exclusive
    overall: Acceptance = field(default_factory=Acceptance)
    by_week: dict[str, Acceptance] = field(default_factory=dict)  # ISO week (Shanghai) -> figures
    by_unit: dict[str, Acceptance] = field(default_factory=dict)  # final unit's name -> figures
    without_router: int = 0  # dispatched when no router was wired (nothing to judge)


def iso_week(moment: datetime) -> str:
    return week_key(local(moment).date())


async def router_quality(session: AsyncSession, *, start: date, end: date) -> RouterQuality:
    """Top-1 / top-3 acceptance of the suggestions for tickets dispatched on Shanghai days
    [start, end), per ISO week and per unit."""
    since = datetime.combine(start, datetime.min.time(), tzinfo=SHANGHAI)
    until = datetime.combine(end, datetime.min.time(), tzinfo=SHANGHAI)
    labels = await labels_between(session, start=since, end=until)
    names = dict((await session.exec(select(Unit.id, Unit.name))).all())
    quality = RouterQuality(start=start, end=end)
    weeks: dict[str, Acceptance] = defaultdict(Acceptance)
    units: dict[str, Acceptance] = defaultdict(Acceptance)
    for label in labels:
        if not label.model_version:
            quality.without_router += 1
            continue
        quality.overall.add(label)
        weeks[iso_week(label.dispatched_at)].add(label)
        units[names.get(label.unit_id, str(label.unit_id))].add(label)
    quality.by_week = dict(sorted(weeks.items()))
    quality.by_unit = dict(sorted(units.items(), key=lambda item: (-item[1].n, item[0])))
    return quality


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def quality_period(month: str | None, *, today: date) -> tuple[date, date]:
    """[start, end) of a "YYYY-MM" month, or the last 8 whole weeks and this one."""
    if month:
        start = datetime.strptime(month + "-01", "%Y-%m-%d").date()  # noqa: DTZ007 (a calendar date)
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return start, end
    return week_start(today) - timedelta(weeks=8), today + timedelta(days=1)


def quality_as_dict(quality: RouterQuality) -> dict[str, object]:
    def figures(acc: Acceptance) -> dict[str, float | int]:
        return {"n": acc.n, "top1": round(acc.top1_rate, 4), "top3": round(acc.top3_rate, 4)}

    return {
        "start": quality.start.isoformat(),
        "end": quality.end.isoformat(),
        "overall": figures(quality.overall),
        "without_router": quality.without_router,
        "by_week": {week: figures(acc) for week, acc in quality.by_week.items()},
        "by_unit": {unit: figures(acc) for unit, acc in quality.by_unit.items()},
    }
