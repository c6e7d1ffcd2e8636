"""Hotspots (民情专报) and repeated complaints (督办).

* Hotspot: at least `policy.supervision.hotspot_min_tickets` similar tickets from different
  citizens within `hotspot_window_days` days (seed 003 附件3; DOMAIN §4).
* Repeat: the same citizen at least `policy.supervision.repeat_complaints` times on one
  matter without a solution → a supervised case.

"Similar" is a pluggable `Similarity`. The default is the classification helper's
(`ClassifySimilarity`: knowledge_base.classify.similarity, with its tuned thresholds);
`FuzzySimilarity` (rapidfuzz) is a cheaper alternative. Tickets are compared only within
the same category and place, and the database first narrows the candidates (period,
enough different citizens per place, the citizen's own tickets), so only a few texts are
compared in Python.

This module is the one place that decides what a hotspot and a repeat are: `hotspot_groups`
and `repeat_groups` are pure functions over `TicketText` rows (bench/classify_hotspots.py runs
them over a public message set); `find_hotspots` / `find_repeats` read the rows and word the
results. (classify's batch tf-idf finder was removed in issue 14: it read better across places
but cost seconds per thousand tickets, and nothing in the service used it.) Intake's
`Ticket.repeat_count` is not this rule: it counts a citizen's earlier tickets in the category,
a cheap flag set at filing (tickets/intake.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.classify.errors import EmptyText
from knowledge_base.classify.similarity import HOTSPOT_THRESHOLD, REPEAT_THRESHOLD, text_similarity
from reports import texts
from reports.indicators import T, U, _flag, _run
from reports.periods import Period
from reports.rankings import shorten
from tickets.clock import ensure_aware, local
from tickets.models import Citizen
from tickets.policy import Policy
from tickets.privacy import mask_name, mask_phone, mask_place

C = Citizen.__table__  # type: ignore[attr-defined]


class Similarity(Protocol):
    """Finds, among earlier texts, the one a new text is about the same matter as."""

    def best(self, text: str, candidates: Sequence[str]) -> tuple[int, float] | None:
        """(index, score in 0..1) of the most similar candidate at or above the threshold, or None.

        Candidates come already passed through `normalise` (they are the clusters' first texts).
        """
        ...


_NOISE = re.compile(r"[\s\W_]+")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Full-width → half-width, no spaces or punctuation; digits stay (3号楼 is not 5号楼)."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


class FuzzySimilarity:
    """rapidfuzz's normalised Indel similarity on normalised text (C speed over many candidates)."""

    def __init__(self, threshold: float = 0.6) -> None:
        self.threshold = threshold

    def best(self, text: str, candidates: Sequence[str]) -> tuple[int, float] | None:
        if not candidates:
            return None
        found = process.extractOne(
            normalise(text),
            [normalise(c) for c in candidates],
            scorer=fuzz.ratio,
            score_cutoff=self.threshold * 100,
        )
        if found is None:
            return None
        _, score, index = found
        return int(index), score / 100


class ClassifySimilarity:
    """The classification helper's similarity (knowledge_base.classify.similarity): cosine of
    character bigrams, with its thresholds read from labelled pairs. The project's one meaning
    of "the same matter"; used by default."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def best(self, text: str, candidates: Sequence[str]) -> tuple[int, float] | None:
        found: tuple[int, float] | None = None
        for index, candidate in enumerate(candidates):
            try:
                score = text_similarity(text, candidate)
            except EmptyText:
                continue
            if score >= self.threshold and (found is None or score > found[1]):
                found = (index, score)
        return found


@dataclass(frozen=True)
class TicketText:
    """One ticket as the finders compare it; `citizen_key` tells different citizens apart."""

    id: int
    number: str
    category: str
    content: str
    place: str
    citizen_key: str
    received_at: datetime
    unit: str | None
    contact_name: str | None = None


@dataclass
class Cluster:
    category: str
    rows: list[TicketText] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.rows[0].content


def _cluster(rows: Sequence[TicketText], similarity: Similarity) -> list[Cluster]:
    """Greedy single pass in time order: a text joins the cluster whose first text it matches best,
    among tickets of the same category and the same place (or both without a place).

    Tickets whose normalised text is identical share a cluster without any comparison, so
    the similarity runs once per distinct text, not once per ticket.
    """
    groups: dict[tuple[str, str, str], list[TicketText]] = {}
    for row in sorted(rows, key=lambda r: (r.received_at, r.id)):
        groups.setdefault((row.category, normalise(row.place), normalise(row.content)), []).append(row)
    clusters: list[Cluster] = []
    seeds: dict[tuple[str, str], list[str]] = {}
    pools: dict[tuple[str, str], list[Cluster]] = {}
    for (category, place, text), members in groups.items():
        # A matter tied to a place is the same matter only at the same place.
        seed_texts = seeds.setdefault((category, place), [])
        pool = pools.setdefault((category, place), [])
        match = similarity.best(text, seed_texts)
        if match is None:
            cluster = Cluster(category, list(members))
            seed_texts.append(text)
            pool.append(cluster)
            clusters.append(cluster)
        else:
            pool[match[0]].rows.extend(members)
    return clusters


@dataclass(frozen=True)
class Hotspot:
    category: str
    summary: str  # masked
    tickets: int
    citizens: int
    first_at: datetime
    last_at: datetime
    units: list[str]
    places: list[str]  # masked
    numbers: list[str]

    def draft(self) -> str:
        """The 民情专报 draft (Markdown) for the office to review and send."""
        return texts.HOTSPOT_DRAFT.format(
            category=self.category or texts.NO_CATEGORY,
            summary=self.summary,
            first=local(self.first_at),
            last=local(self.last_at),
            tickets=self.tickets,
            citizens=self.citizens,
            units="、".join(self.units) or texts.NOT_DISPATCHED,
            places="、".join(self.places[:5]) or texts.NO_PLACE,
            numbers="、".join(self.numbers[:20]) + ("等" if len(self.numbers) > 20 else ""),
        )


def _citizen_key(row: Any) -> str:
    # Different citizens: by account, else by phone, else each ticket is its own citizen.
    if row["citizen_id"] is not None:
        return f"c{row['citizen_id']}"
    if row["contact_phone"]:
        return f"p{row['contact_phone']}"
    return f"t{row['id']}"


async def _rows(
    session: AsyncSession, *, start: datetime, end: datetime, extra: Any = None
) -> list[TicketText]:
    query = (
        sa.select(
            T.c.id,
            T.c.number,
            T.c.category,
            T.c.content,
            T.c.place,
            T.c.citizen_id,
            T.c.contact_phone,
            T.c.contact_name,
            T.c.received_at,
            U.c.name.label("unit"),
        )
        .select_from(T.outerjoin(U, U.c.id == T.c.main_unit_id))
        .where(T.c.received_at >= start, T.c.received_at < end)
    )
    if extra is not None:
        query = query.where(extra)
    return [
        TicketText(
            r["id"],
            r["number"],
            r["category"] or "",
            r["content"],
            r["place"] or "",
            _citizen_key(r),
            r["received_at"],
            r["unit"],
            r["contact_name"],
        )
        for r in (await _run(session, query)).mappings().all()
    ]


async def find_hotspots(
    session: AsyncSession, *, period: Period, policy: Policy, similarity: Similarity | None = None
) -> list[Hotspot]:
    """Clusters of similar tickets with ≥ N different citizens inside some window of the period.

    The look starts one window before the period so that a hotspot straddling its first day
    is seen; it is reported if its window ends inside the period.
    """
    similarity = similarity or ClassifySimilarity(HOTSPOT_THRESHOLD)
    window = timedelta(days=policy.supervision.hotspot_window_days)
    need = policy.supervision.hotspot_min_tickets
    start = period.start - window
    # Only a place (with its category) that enough different citizens wrote about can hold a
    # hotspot. The database counts people per raw place (an upper bound: tickets without an
    # account count as one person each), so only those tickets are fetched and compared.
    people = sa.func.count(sa.distinct(T.c.citizen_id)) + _flag(T.c.citizen_id.is_(None))
    pools = (
        await _run(
            session,
            sa.select(T.c.category, T.c.place, people)
            .where(T.c.received_at >= start, T.c.received_at < period.end)
            .group_by(T.c.category, T.c.place),
        )
    ).all()
    upper: Counter[tuple[str, str]] = Counter()
    for category, place, n in pools:
        upper[(category or "", normalise(place or ""))] += int(n)
    keep = [(c, p) for c, p, _ in pools if upper[(c or "", normalise(p or ""))] >= need]
    if not keep:
        return []
    rows = await _rows(
        session, start=start, end=period.end, extra=sa.tuple_(T.c.category, T.c.place).in_(keep)
    )
    citizens: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        citizens.setdefault((row.category, normalise(row.place)), set()).add(row.citizen_key)
    rows = [r for r in rows if len(citizens[(r.category, normalise(r.place))]) >= need]
    found: list[Hotspot] = []
    for members in hotspot_groups(
        rows, window=window, need=need, not_before=period.start, similarity=similarity
    ):
        found.append(
            Hotspot(
                category=members[0].category,
                summary=shorten(members[0].content, 60, names=(members[0].contact_name,)),
                tickets=len(members),
                citizens=len({r.citizen_key for r in members}),
                first_at=members[0].received_at,
                last_at=members[-1].received_at,
                units=sorted({r.unit for r in members if r.unit}),
                # Masked like the summary: a report travels, a citizen's door number must not.
                places=[p for p, _ in Counter(mask_place(r.place) for r in members if r.place).most_common()],
                numbers=[r.number for r in members],
            )
        )
    return sorted(found, key=lambda h: (-h.citizens, h.first_at))


def hotspot_groups(rows: Sequence[TicketText], *, window: timedelta, need: int, not_before: datetime,
                   similarity: Similarity) -> list[list[TicketText]]:
    """The project's one hotspot rule, a pure function of the tickets given (the database only
    narrows them first): tickets on one matter (same category and place, similar text) from at
    least `need` different citizens inside one `window` ending at or after `not_before`; each
    group is that window's tickets, in time order."""
    groups = []
    for cluster in _cluster(rows, similarity):
        if len({r.citizen_key for r in cluster.rows}) < need:
            continue
        members = _best_window(cluster.rows, window, need, not_before)
        if members is not None:
            groups.append(members)
    return groups


def _best_window(
    rows: list[TicketText], window: timedelta, need: int, not_before: datetime
) -> list[TicketText] | None:
    """The window (ending in the period) with the most different citizens, if it reaches `need`."""
    ordered = sorted(rows, key=lambda r: (r.received_at, r.id))
    best: list[TicketText] | None = None
    best_citizens = 0
    counts: Counter[str] = Counter()
    left = 0
    for right, row in enumerate(ordered):
        counts[row.citizen_key] += 1
        while row.received_at - ordered[left].received_at >= window:
            counts[ordered[left].citizen_key] -= 1
            if counts[ordered[left].citizen_key] == 0:
                del counts[ordered[left].citizen_key]
            left += 1
        if row.received_at >= not_before and len(counts) >= need and len(counts) > best_citizens:
            best_citizens = len(counts)
            best = ordered[left : right + 1]
    return best


@dataclass(frozen=True)
class RepeatCase:
    citizen: str  # masked name and phone
    category: str
    summary: str
    tickets: int
    numbers: list[str]
    units: list[str]
    last_at: datetime


async def find_repeats(
    session: AsyncSession,
    *,
    as_of: datetime,
    policy: Policy,
    lookback_days: int = 90,
    similarity: Similarity | None = None,
) -> list[RepeatCase]:
    """Citizens who asked ≥ N times about one matter (same category, similar text) without a solution.

    "Without a solution": the ticket was not confirmed solved at callback (cb_solved is not true).
    """
    similarity = similarity or ClassifySimilarity(REPEAT_THRESHOLD)
    as_of = ensure_aware(as_of)
    start = as_of - timedelta(days=lookback_days)
    need = policy.supervision.repeat_complaints
    unsolved = sa.or_(T.c.cb_solved.is_(None), T.c.cb_solved.is_(False))
    candidates = (
        await _run(
            session,
            sa.select(T.c.citizen_id, T.c.category)
            .where(T.c.received_at >= start, T.c.received_at < as_of, T.c.citizen_id.is_not(None), unsolved)
            .group_by(T.c.citizen_id, T.c.category)
            .having(sa.func.count() >= need),
        )
    ).all()
    if not candidates:
        return []
    pairs = [(int(c), cat) for c, cat in candidates]
    rows = await _rows(
        session,
        start=start,
        end=as_of,
        extra=sa.and_(sa.tuple_(T.c.citizen_id, T.c.category).in_(pairs), unsolved),
    )
    people = {
        f"c{r['id']}": texts.CITIZEN_MASKED.format(
            name=mask_name(r["name"]) or texts.ANONYMOUS, phone=mask_phone(r["phone"])
        )
        for r in (
            await _run(
                session,
                sa.select(C.c.id, C.c.name, C.c.phone).where(
                    C.c.id.in_({int(r.citizen_key[1:]) for r in rows})
                ),
            )
        )
        .mappings()
        .all()
    }
    cases = [
        RepeatCase(
            citizen=people.get(group[0].citizen_key, texts.ANONYMOUS),
            category=group[0].category or texts.NO_CATEGORY,
            summary=shorten(group[0].content, 60, names=(group[0].contact_name,)),
            tickets=len(group),
            numbers=[r.number for r in group],
            units=sorted({r.unit for r in group if r.unit}),
            last_at=group[-1].received_at,
        )
        for group in repeat_groups(rows, need=need, similarity=similarity)
    ]
    return sorted(cases, key=lambda c: (-c.tickets, c.last_at))


def repeat_groups(rows: Sequence[TicketText], *, need: int, similarity: Similarity) -> list[list[TicketText]]:
    """The project's one repeat rule, a pure function of the tickets given: one citizen's
    tickets on one matter (same category and place, similar text), at least `need` of them;
    each group in time order."""
    by_citizen: dict[str, list[TicketText]] = {}
    for row in rows:
        by_citizen.setdefault(row.citizen_key, []).append(row)
    return [cluster.rows for own in by_citizen.values() for cluster in _cluster(own, similarity)
            if len(cluster.rows) >= need]
