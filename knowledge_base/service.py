"""Service functions of the knowledge base (session first, keyword-only arguments).

They flush but never commit: the caller owns the transaction, so an import, its
change log and anything else the caller does land together or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import case, func, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import texts
from knowledge_base.config import MatcherConfig
from knowledge_base.encoder import Encoder
from knowledge_base.files import (
    EntryRecord,
    Problem,
    ReadResult,
    check_entries,
    default_records,
    write_entries,
)
from knowledge_base.matcher import Entry, KnowledgeBase, build_knowledge_base
from knowledge_base.models import (
    ChangeAction,
    KnowledgeChange,
    KnowledgeEntry,
    KnowledgeFeedback,
    KnowledgeHit,
    KnowledgeMiss,
)
from knowledge_base.segment import Segmenter
from tickets.clock import Clock, local
from tickets.errors import NotFound, ValidationFailed
from tickets.models import Unit
from tickets.privacy import mask_text

QUERY_LIMIT = 500


@dataclass(frozen=True, slots=True)
class UpsertSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class UnitMonthCount:
    unit: str
    month: str
    changes: int


@dataclass(frozen=True, slots=True)
class FeedbackCount:
    key: str
    question: str
    solved: int
    not_solved: int


def to_record(row: KnowledgeEntry) -> EntryRecord:
    return EntryRecord(
        id=row.key,
        question=row.question,
        answer=row.answer,
        alternatives=tuple(row.alternatives),
        keywords=tuple(row.keywords),
        unit=row.unit,
        category=row.category,
        active=row.active,
    )


def to_entry(row: KnowledgeEntry) -> Entry:
    return to_record(row).to_entry()


async def list_entries(session: AsyncSession, *, include_inactive: bool = False) -> list[KnowledgeEntry]:
    query = select(KnowledgeEntry).order_by(col(KnowledgeEntry.key))
    if not include_inactive:
        query = query.where(col(KnowledgeEntry.active).is_(True))
    return list((await session.exec(query)).all())


async def load_active_entries(session: AsyncSession) -> list[Entry]:
    """What the matcher serves: every active entry, in key order."""
    return [to_entry(row) for row in await list_entries(session)]


async def entries_version(session: AsyncSession) -> tuple[int, int]:
    """Changes whenever an entry is created, changed or retired, by any process: the
    number of entries and the last change-log id (every real change is logged)."""
    count = (await session.exec(select(func.count()).select_from(KnowledgeEntry))).one()
    last = (await session.exec(select(func.max(KnowledgeChange.id)))).one()
    return int(count or 0), int(last or 0)


async def load_knowledge_base(
    session: AsyncSession,
    *,
    config: MatcherConfig | None = None,
    segmenter: Segmenter | None = None,
    cache_path: Path | None = None,
    encoder: Encoder | None = None,
    vector_path: Path | None = None,
) -> KnowledgeBase:
    """The matcher over the active entries; `cache_path` and `vector_path` (the stored
    entry vectors) speed up later start-ups."""
    return build_knowledge_base(
        await load_active_entries(session),
        config=config,
        segmenter=segmenter,
        cache_path=cache_path,
        encoder=encoder,
        vector_path=vector_path,
    )


def _action(row: KnowledgeEntry, record: EntryRecord) -> ChangeAction | None:
    if to_record(row) == record:
        return None
    if row.active and not record.active:
        return ChangeAction.DEACTIVATED
    if not row.active and record.active:
        return ChangeAction.REACTIVATED
    return ChangeAction.UPDATED


def _check(record: EntryRecord) -> None:
    limits = {
        "id": (record.id, 64),
        "question": (record.question, 500),
        "unit": (record.unit, 100),
        "category": (record.category, 50),
    }
    for field, (value, limit) in limits.items():
        if len(value) > limit:
            raise ValidationFailed(texts.FIELD_TOO_LONG.format(key=record.id[:64], field=field, limit=limit))


async def upsert_entries(
    session: AsyncSession,
    *,
    records: Sequence[EntryRecord],
    actor: str,
    clock: Clock,
    seeding: bool = False,
) -> UpsertSummary:
    """Create or change entries by key, logging each real change for the unit's count.

    Entries missing from `records` are left alone (a partial file never deletes); to
    retire one, send it with active = 0.
    """
    seen: set[str] = set()
    for record in records:
        _check(record)
        if record.id in seen:
            raise ValidationFailed(texts.DUPLICATE_KEY.format(key=record.id[:64]))
        seen.add(record.id)
    now = clock.now()
    month = local(now).strftime("%Y-%m")
    keys = [r.id for r in records]
    existing = {
        row.key: row
        for row in (await session.exec(select(KnowledgeEntry).where(col(KnowledgeEntry.key).in_(keys)))).all()
    }
    created = updated = unchanged = 0
    changes: list[tuple[KnowledgeEntry, ChangeAction]] = []
    for record in records:
        row = existing.get(record.id)
        if row is None:
            row = KnowledgeEntry(
                key=record.id,
                question=record.question,
                answer=record.answer,
                created_at=now,
                updated_at=now,
                updated_by=actor[:100],
            )
            action = ChangeAction.SEEDED if seeding else ChangeAction.CREATED
            created += 1
        else:
            changed = _action(row, record)
            if changed is None:
                unchanged += 1
                continue
            action = changed
            updated += 1
        row.question = record.question
        row.answer = record.answer
        row.alternatives = list(record.alternatives)
        row.keywords = list(record.keywords)
        row.unit = record.unit
        row.category = record.category
        row.active = record.active
        row.updated_at = now
        row.updated_by = actor[:100]
        session.add(row)
        changes.append((row, action))
    await session.flush()
    for row, action in changes:
        assert row.id is not None
        session.add(
            KnowledgeChange(
                entry_id=row.id,
                entry_key=row.key,
                unit=row.unit,
                action=action,
                month=month,
                changed_at=now,
                changed_by=actor[:100],
            )
        )
    await session.flush()
    return UpsertSummary(created=created, updated=updated, unchanged=unchanged)


async def seed_default(session: AsyncSession, *, clock: Clock) -> UpsertSummary:
    """Load the shipped knowledge base into an empty table (no-op otherwise)."""
    count = (await session.exec(select(func.count()).select_from(KnowledgeEntry))).one()
    if count:
        return UpsertSummary(unchanged=int(count))
    return await upsert_entries(session, records=default_records(), actor="system", clock=clock, seeding=True)


@dataclass(frozen=True, slots=True)
class ImportReport:
    summary: UpsertSummary
    problems: list[Problem]
    skipped_rows: int  # rows with a problem (left out with skip_invalid, else nothing written)
    written: bool
    # Unit names of the file this jurisdiction does not have, with their number of rows
    # (problems unless keep_unknown_units, then saved as written), and the units it has.
    unknown_units: dict[str, int] = dataclass_field(default_factory=dict)
    known_units: list[str] = dataclass_field(default_factory=list)
    units_kept: bool = False  # keep_unknown_units: the unknown names were saved as written
    nothing_valid: bool = False  # skip_invalid, but every row had a problem: nothing to write

    @property
    def units_refused(self) -> bool:
        """Rows were refused for units this jurisdiction does not have (the office can rename
        them or keep them as written)."""
        return bool(self.unknown_units) and not self.units_kept


async def known_units(session: AsyncSession) -> set[str]:
    return set((await session.exec(select(Unit.name))).all())


def closest_unit(name: str, units: Sequence[str]) -> str | None:
    """The known unit an unknown name most likely means (市教育局 -> 区教育局, 供电公司 ->
    供电分公司), or None when none is close: a wrong guess would mislead the office."""
    def core(text: str) -> str:
        return text[1:] if len(text) > 2 and text[0] in "市区县省" else text

    found = process.extractOne(core(name), {u: core(u) for u in units}, scorer=fuzz.ratio, score_cutoff=70)
    return None if found is None else str(found[2])


async def check_file(
    session: AsyncSession, *, path: Path, keep_unknown_units: bool = False
) -> tuple[ReadResult, dict[str, int], list[str]]:
    """Every problem of a file at once, including units this jurisdiction does not have
    (checked only once units exist, so a fresh installation can load its FAQ first);
    with `keep_unknown_units` those rows are kept. Also the unknown names with their
    number of rows, and the known units."""
    result = check_entries(path)
    units = await known_units(session)
    if not units:
        return result, {}, []
    records, origins, problems = [], [], list(result.problems)
    skipped = result.skipped_rows
    unknown: Counter[str] = Counter()
    known = sorted(units)
    guesses: dict[str, str | None] = {}  # one fuzzy search per unknown name, not per row
    for record, (source, row) in zip(result.records, result.origins, strict=True):
        if record.unit and record.unit not in units:
            unknown[record.unit] += 1
            if not keep_unknown_units:
                if record.unit not in guesses:
                    guesses[record.unit] = closest_unit(record.unit, known)
                guess = guesses[record.unit]
                reason = texts.PROBLEM_UNKNOWN_UNIT.format(unit=record.unit)
                if guess is not None:
                    reason += texts.PROBLEM_UNIT_GUESS.format(unit=guess)
                problems.append(result.problem(source, row, "unit", reason))
                skipped += 1
                continue
        records.append(record)
        origins.append((source, row))
    checked = ReadResult(records, problems, skipped, origins, result.headers)
    return checked, dict(unknown), known


async def import_file(
    session: AsyncSession,
    *,
    path: Path,
    actor: str,
    clock: Clock,
    skip_invalid: bool = False,
    keep_unknown_units: bool = False,
) -> ImportReport:
    """Upsert the valid rows of a CSV / XLSX / YAML file.

    Every problem is listed at once; without `skip_invalid` a file with any problem
    writes nothing, with it the valid rows are written and the others reported. With
    `keep_unknown_units` a unit this jurisdiction does not have is saved as written (the
    entry answers citizens; the unit suggestions for tickets ignore it)."""
    result, unknown, units = await check_file(session, path=path, keep_unknown_units=keep_unknown_units)
    nothing_valid = skip_invalid and bool(result.problems) and not result.records
    if (result.problems and not skip_invalid) or nothing_valid:
        return ImportReport(UpsertSummary(), result.problems, result.skipped_rows, False, unknown, units,
                            units_kept=keep_unknown_units, nothing_valid=nothing_valid)
    summary = await upsert_entries(session, records=result.records, actor=actor, clock=clock)
    return ImportReport(summary, result.problems, result.skipped_rows, True, unknown, units,
                        units_kept=keep_unknown_units)


async def export_file(session: AsyncSession, *, path: Path, include_inactive: bool = True) -> int:
    rows = await list_entries(session, include_inactive=include_inactive)
    write_entries(path, [to_record(r) for r in rows])
    return len(rows)


async def get_entry(session: AsyncSession, *, key: str) -> KnowledgeEntry:
    row = (await session.exec(select(KnowledgeEntry).where(KnowledgeEntry.key == key))).first()
    if row is None:
        raise NotFound(texts.ENTRY_NOT_FOUND.format(key=key[:64]))
    return row


async def record_feedback(
    session: AsyncSession,
    *,
    key: str,
    solved: bool,
    clock: Clock,
    query: str = "",
    channel: str = "",
) -> KnowledgeFeedback:
    """Store one "解决了" / "没解决" on the entry `key`."""
    entry = await get_entry(session, key=key)
    assert entry.id is not None
    feedback = KnowledgeFeedback(
        entry_id=entry.id,
        solved=solved,
        query=mask_text(query or "")[:QUERY_LIMIT],
        channel=channel[:32],
        created_at=clock.now(),
    )
    session.add(feedback)
    await session.flush()
    return feedback


async def record_miss(session: AsyncSession, *, query: str, clock: Clock, channel: str = "") -> KnowledgeMiss:
    """Store a question the knowledge base had no answer for (masked), for the gap list."""
    miss = KnowledgeMiss(
        query=mask_text(query or "")[:QUERY_LIMIT], channel=channel[:32], created_at=clock.now()
    )
    session.add(miss)
    await session.flush()
    return miss


async def record_hit(session: AsyncSession, *, key: str, clock: Clock, channel: str = "") -> None:
    """Count one answer given from entry `key` (an entry gone since the matcher loaded is skipped)."""
    await record_hits(session, hits=[(key, clock.now())], channel=channel)


async def record_hits(
    session: AsyncSession, *, hits: Sequence[tuple[str, datetime]], channel: str = ""
) -> int:
    """Count many answers at once, each (entry key, when it was given): one read of the
    entries' ids and one INSERT for the lot (the bot's batched usage, bot/usage.py). Like
    `record_hit`, a row names the entry, the channel and the time only, never the question.
    Entries gone since the matcher loaded are skipped; the rows written are returned."""
    if not hits:
        return 0
    keys = sorted({key for key, _ in hits})
    found = await session.exec(
        select(KnowledgeEntry.key, KnowledgeEntry.id).where(col(KnowledgeEntry.key).in_(keys))
    )
    ids = {key: entry_id for key, entry_id in found.all() if entry_id is not None}
    rows = [
        {"entry_id": ids[key], "channel": channel[:32], "created_at": at} for key, at in hits if key in ids
    ]
    if rows:
        await session.exec(insert(KnowledgeHit), params=rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class HotQuestion:
    key: str
    question: str
    uses: int


async def hot_questions(
    session: AsyncSession, *, clock: Clock, days: int = 7, limit: int = 6
) -> list[HotQuestion]:
    """The most used active entries of the last `days`: answers given plus feedback (解决了 or
    没解决) received, most first; ties by key, so the chips do not jump about."""
    since = clock.now() - timedelta(days=days)
    uses: dict[int, int] = {}
    for table in (KnowledgeHit, KnowledgeFeedback):
        rows = await session.exec(select(table.entry_id, func.count())
                                  .where(col(table.created_at) >= since).group_by(col(table.entry_id)))
        for entry_id, count in rows.all():
            uses[entry_id] = uses.get(entry_id, 0) + int(count)
    if not uses:
        return []
    entries = (await session.exec(select(KnowledgeEntry).where(
        col(KnowledgeEntry.id).in_(sorted(uses)), KnowledgeEntry.active == True))).all()  # noqa: E712
    hot = [HotQuestion(key=e.key, question=e.question, uses=uses[e.id]) for e in entries if e.id is not None]
    hot.sort(key=lambda h: (-h.uses, h.key))
    return hot[:limit]


async def feedback_counts(session: AsyncSession) -> list[FeedbackCount]:
    """Solved / not solved per entry that has feedback, the most failing first."""
    solved = func.sum(case((col(KnowledgeFeedback.solved).is_(True), 1), else_=0))
    not_solved = func.sum(case((col(KnowledgeFeedback.solved).is_(False), 1), else_=0))
    query = (
        select(KnowledgeEntry.key, KnowledgeEntry.question, solved, not_solved)
        .join(KnowledgeFeedback, col(KnowledgeFeedback.entry_id) == col(KnowledgeEntry.id))
        .group_by(col(KnowledgeEntry.key), col(KnowledgeEntry.question))
    )
    rows = (await session.exec(query)).all()
    out = [
        FeedbackCount(key=k, question=q, solved=int(s or 0), not_solved=int(n or 0)) for k, q, s, n in rows
    ]
    out.sort(key=lambda c: (-c.not_solved, c.solved, c.key))
    return out


async def count_updates(
    session: AsyncSession, *, month: str | None = None, unit: str | None = None
) -> list[UnitMonthCount]:
    """Entries added or changed per unit and month (Asia/Shanghai); seeding is not counted."""
    query = (
        select(KnowledgeChange.unit, KnowledgeChange.month, func.count())
        .where(col(KnowledgeChange.action) != ChangeAction.SEEDED)
        .group_by(col(KnowledgeChange.unit), col(KnowledgeChange.month))
        .order_by(col(KnowledgeChange.month), col(KnowledgeChange.unit))
    )
    if month is not None:
        query = query.where(KnowledgeChange.month == month)
    if unit is not None:
        query = query.where(KnowledgeChange.unit == unit)
    return [UnitMonthCount(unit=u, month=m, changes=int(n)) for u, m, n in (await session.exec(query)).all()]
