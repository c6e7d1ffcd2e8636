"""Weekly gap mining: the questions 聊天办 could not answer, grouped for the office.

Material: the week's questions without an answer (kb_miss) and the "没解决" feedback
(kb_feedback). They are clustered with the retrieval's own similarity — the encoder's
cosine when it is there, character-bigram Dice otherwise — greedily, in time order: a
question joins the cluster whose first question it is most similar to, above the
threshold, or starts a new one. Each cluster gets its size, example questions, the
nearest existing entries and the units that own those entries; the office turns a
cluster into an entry in one step (`entry_from_cluster`). A cluster's id is a hash of
its questions, so the same week gives the same ids in the CLI and the API.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import texts
from knowledge_base.dense import DenseIndex
from knowledge_base.files import EntryRecord
from knowledge_base.matcher import KnowledgeBase
from knowledge_base.models import KnowledgeEntry, KnowledgeFeedback, KnowledgeMiss
from knowledge_base.normalize import normalize
from tickets.clock import local_midnight
from tickets.errors import NotFound, ValidationFailed

COSINE_SAME = 0.93  # e5: paraphrases measured 0.95-0.99, unrelated hotline questions up to 0.90
DICE_SAME = 0.45  # the lexical fallback's equivalent
MAX_EXAMPLES = 5
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, slots=True)
class NearEntry:
    id: str
    question: str
    unit: str
    score: float


@dataclass(slots=True)
class GapCluster:
    id: str
    size: int
    examples: list[str]
    not_solved: int  # how many came from "没解决" (the rest got no answer at all)
    nearest: list[NearEntry] = field(default_factory=list)
    units: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "size": self.size,
            "not_solved": self.not_solved,
            "examples": self.examples,
            "nearest": [
                {"id": n.id, "question": n.question, "unit": n.unit, "score": n.score} for n in self.nearest
            ],
            "units": self.units,
        }


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """UTC start and end of an ISO week (Monday to Monday, Asia/Shanghai)."""
    match = _WEEK.match(week.strip())
    if match is None:
        raise ValidationFailed(texts.GAP_BAD_WEEK.format(week=week[:20]))
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as error:
        raise ValidationFailed(texts.GAP_NO_WEEK.format(week=week[:20])) from error
    return local_midnight(monday), local_midnight(monday + timedelta(days=7))


async def week_questions(session: AsyncSession, *, week: str) -> list[tuple[str, bool]]:
    """(question, from "没解决") of the week, oldest first."""
    start, end = week_bounds(week)
    misses = await session.exec(
        select(KnowledgeMiss.query, KnowledgeMiss.created_at)
        .where(col(KnowledgeMiss.created_at) >= start, col(KnowledgeMiss.created_at) < end)
    )
    declined = await session.exec(
        select(KnowledgeFeedback.query, KnowledgeFeedback.created_at).where(
            col(KnowledgeFeedback.solved).is_(False),
            col(KnowledgeFeedback.created_at) >= start,
            col(KnowledgeFeedback.created_at) < end,
        )
    )
    rows = [(q, t, False) for q, t in misses.all()] + [(q, t, True) for q, t in declined.all()]
    rows.sort(key=lambda r: r[1])
    return [(q, not_solved) for q, _, not_solved in rows if q and q.strip()]


def _bigrams(text: str) -> frozenset[str]:
    chars = normalize(text).replace(" ", "")
    return frozenset(chars[i : i + 2] for i in range(max(1, len(chars) - 1)))


def _similarity_matrix(texts: list[str], dense: DenseIndex | None) -> tuple[np.ndarray, float]:
    if dense is not None:
        vectors = dense.encoder.encode([normalize(t) for t in texts], is_query=True)
        return vectors @ vectors.T, COSINE_SAME
    grams = [_bigrams(t) for t in texts]
    n = len(texts)
    sims = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        for j in range(i, n):
            shared = len(grams[i] & grams[j])
            value = 2 * shared / (len(grams[i]) + len(grams[j])) if shared else 0.0
            sims[i, j] = sims[j, i] = value
    return sims, DICE_SAME


def cluster(questions: list[tuple[str, bool]], kb: KnowledgeBase, *, min_size: int = 1) -> list[GapCluster]:
    """Clusters of the questions, the largest first."""
    if not questions:
        return []
    texts = [q for q, _ in questions]
    sims, same = _similarity_matrix(texts, kb.dense)
    leaders: list[int] = []
    members: list[list[int]] = []
    for i in range(len(texts)):
        if leaders:
            scores = sims[i, leaders]
            best = int(np.argmax(scores))
            if scores[best] >= same:
                members[best].append(i)
                continue
        leaders.append(i)
        members.append([i])
    out = []
    for group in members:
        if len(group) < min_size:
            continue
        examples = list(dict.fromkeys(texts[i] for i in group))
        ranked = kb.search(examples[0], limit=3)
        nearest = [NearEntry(s.entry.id, s.entry.question, s.entry.unit, s.score) for s in ranked]
        units = [u for u, _ in Counter(n.unit for n in nearest if n.unit).most_common()]
        digest = hashlib.sha1("\x1f".join(sorted(examples)).encode()).hexdigest()[:10]
        out.append(
            GapCluster(
                id=digest,
                size=len(group),
                examples=examples[:MAX_EXAMPLES],
                not_solved=sum(1 for i in group if questions[i][1]),
                nearest=nearest,
                units=units,
            )
        )
    out.sort(key=lambda c: (-c.size, c.id))
    return out


async def weekly_gaps(
    session: AsyncSession, *, kb: KnowledgeBase, week: str, min_size: int = 1
) -> list[GapCluster]:
    return cluster(await week_questions(session, week=week), kb, min_size=min_size)


def find_cluster(gaps: list[GapCluster], cluster_id: str) -> GapCluster:
    for gap in gaps:
        if gap.id == cluster_id:
            return gap
    raise NotFound(texts.GAP_NOT_FOUND.format(cluster=cluster_id[:20]))


async def entry_from_cluster(
    session: AsyncSession,
    *,
    gap: GapCluster,
    answer: str,
    key: str | None = None,
    unit: str | None = None,
    category: str = "",
) -> EntryRecord:
    """The new entry a cluster asks for: its first question as the standard question,
    the other examples as alternatives, the suggested unit unless another is given.
    (The caller upserts it, which logs the change for the unit's monthly count.)"""
    if not answer.strip():
        raise ValidationFailed(texts.GAP_NEEDS_ANSWER)
    question, *alternatives = gap.examples
    key = key or f"gap_{gap.id}"
    exists = (await session.exec(select(KnowledgeEntry.id).where(KnowledgeEntry.key == key))).first()
    if exists is not None:
        raise ValidationFailed(texts.GAP_ENTRY_EXISTS.format(key=key[:64]))
    return EntryRecord(
        id=key,
        question=question[:500],
        answer=answer.strip(),
        alternatives=tuple(a[:500] for a in alternatives),
        unit=(unit if unit is not None else (gap.units[0] if gap.units else ""))[:100],
        category=category[:50],
    )
