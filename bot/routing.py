"""Suggestions the bot shows before a person decides: the request type and category of a
citizen's draft, and the top-3 units for dispatch.

Interim keyword rules until the classifier (knowledge_base/classify) lands; the office
and the citizen always confirm or correct, so a wrong guess costs one tap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.conversation import Band, answer
from knowledge_base.matcher import KnowledgeBase
from tickets.enums import RequestType, UnitKind
from tickets.models import Unit

# First match wins: the words citizens use when they mean each type.
_TYPE_WORDS: tuple[tuple[RequestType, tuple[str, ...]], ...] = (
    (RequestType.REPORT, ("举报", "违法", "偷排", "非法")),
    (RequestType.PRAISE, ("表扬", "感谢", "点赞", "锦旗")),
    (RequestType.SUGGESTION, ("建议", "希望增加", "能不能增设", "提议")),
    (RequestType.COMPLAINT, ("投诉", "扰民", "噪音", "不作为", "乱收费", "漏水", "停电", "停水", "占道")),
    (RequestType.HELP, ("求助", "帮忙", "救助", "困难")),
    (RequestType.CONSULTATION, ("咨询", "怎么办", "如何", "怎么", "哪里", "吗", "？", "?")),
)


@dataclass(frozen=True)
class DraftSuggestion:
    request_type: RequestType
    category: str


def suggest_draft(kb: KnowledgeBase | None, content: str) -> DraftSuggestion:
    request_type = RequestType.COMPLAINT
    for candidate, words in _TYPE_WORDS:
        if any(w in content for w in words):
            request_type = candidate
            break
    category = ""
    if kb is not None:
        result = answer(kb, content)
        if result.band is not Band.NONE and result.best is not None:
            category = result.best.entry.category
    return DraftSuggestion(request_type, category[:50])


async def suggest_units(
    session: AsyncSession, *, kb: KnowledgeBase | None, content: str, extra_names: Sequence[str] = (), limit: int = 3
) -> list[tuple[int, str]]:
    """Up to `limit` active handling units, best first: named units, then KB unit, then keyword hits."""
    units = (
        await session.exec(select(Unit).where(Unit.active == True, Unit.kind != UnitKind.OFFICE)  # noqa: E712
                           .order_by(col(Unit.id)))
    ).all()
    scores: dict[int, float] = {}
    for unit in units:
        score = 0.0
        if any(name and (name in unit.name or unit.name in name) for name in extra_names):
            score += 10
        score += sum(1 for word in unit.keywords.split() if word and word in content)
        if score:
            scores[unit.id] = score  # type: ignore[index]
    if kb is not None:
        result = answer(kb, content)
        if result.best is not None and result.band is not Band.NONE:
            for unit in units:
                if result.best.entry.unit and result.best.entry.unit == unit.name:
                    scores[unit.id] = scores.get(unit.id, 0) + 2  # type: ignore[index,arg-type]
    ranked = sorted((u for u in units if u.id in scores), key=lambda u: (-scores[u.id], u.id))  # type: ignore[index]
    return [(u.id, u.name) for u in ranked[:limit]]  # type: ignore[misc]


async def all_units(session: AsyncSession) -> list[tuple[int, str]]:
    units = (
        await session.exec(select(Unit).where(Unit.active == True, Unit.kind != UnitKind.OFFICE)  # noqa: E712
                           .order_by(col(Unit.id)))
    ).all()
    return [(u.id, u.name) for u in units]  # type: ignore[misc]
