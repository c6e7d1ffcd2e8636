"""Which units a new ticket should go to: up to three active handling units, best first,
with the keyword router's confidence. The bot's dispatch buttons and the console's
dispatch queue show the same suggestions."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.classify import KeywordRouter
from knowledge_base.classify.errors import ClassifyError
from knowledge_base.matcher import KnowledgeBase
from tickets.enums import UnitKind
from tickets.models import Unit

TOP_UNITS = 3


@dataclass(frozen=True)
class UnitSuggestion:
    id: int
    name: str
    # The router's share of the keyword score (0..1); None for a unit named by a person
    # (the presumed unit of a 退单), which comes first whatever the keywords say.
    confidence: float | None


async def handling_units(session: AsyncSession) -> list[Unit]:
    return list((await session.exec(
        select(Unit).where(Unit.active == True, Unit.kind != UnitKind.OFFICE).order_by(col(Unit.id))  # noqa: E712
    )).all())


async def rank_units(session: AsyncSession, *, kb: KnowledgeBase | None, content: str,
                     extra_names: Sequence[str] = (), limit: int = TOP_UNITS) -> list[UnitSuggestion]:
    """Keyword rules per unit: the unit's own keywords and name, plus the keywords of the
    knowledge-base entries that name the unit. A unit a person proposed comes first."""
    units = await handling_units(session)
    by_name = {u.name: u for u in units}
    pairs: list[tuple[str, str]] = []
    for unit in units:
        pairs += [(unit.name, word) for word in unit.keywords.split()]
    if kb is not None:
        for entry in kb.entries:
            if entry.unit in by_name:
                pairs += [(entry.unit, word) for word in entry.keywords]
    ranked: dict[str, float | None] = {
        u.name: None for u in units if any(n and (n in u.name or u.name in n) for n in extra_names)}
    with contextlib.suppress(ClassifyError):  # empty text: nothing to suggest
        for scored in KeywordRouter.from_pairs(pairs).route(content, k=limit + len(ranked)):
            ranked.setdefault(scored.label, scored.confidence)
    return [UnitSuggestion(by_name[name].id, name, confidence)  # type: ignore[arg-type]
            for name, confidence in list(ranked.items())[:limit] if by_name[name].id is not None]
