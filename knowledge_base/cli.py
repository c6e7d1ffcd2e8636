"""`kb` commands: import, export, ask, eval, seed, updates, feedback.

`kb eval` works from files only (no database): other tools call it with their own
KB.csv and Q.csv and read the one JSON object it prints.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import evaluation, files, gaps, segment, service, texts
from knowledge_base.config import MatcherConfig, load_config, vector_path
from knowledge_base.conversation import answer
from knowledge_base.dense import DenseIndex, build_dense
from knowledge_base.encoder import Encoder, load_encoder
from knowledge_base.files import KBFileError
from knowledge_base.matcher import Entry, KnowledgeBase, build_knowledge_base, entry_texts
from knowledge_base.vectors import VectorStore
from tickets.clock import SystemClock
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.errors import HotlineError
from tickets.settings import Settings
from tickets.terminal import progress

T = TypeVar("T")



@click.group()
def kb() -> None:
    """Knowledge base (聊天办): import, export, ask, evaluate."""


def _with_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the configured database."""
    settings = Settings()
    upgrade_database(settings.database_url)

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except (KBFileError, HotlineError) as error:
        raise click.ClickException(str(error)) from error


@kb.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "actor", default="cli", show_default=True, help="Who made the change (change log).")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows and list the others.")
@click.option(
    "--keep-unknown-units",
    is_flag=True,
    help="Save unit names this jurisdiction does not have as written (not used to suggest units).",
)
def import_(file: Path, actor: str, skip_invalid: bool, keep_unknown_units: bool) -> None:
    """Create or update entries from a CSV, XLSX or YAML file.

    The whole file is checked first and every problem listed (row, column, reason);
    without --skip-invalid a file with problems writes nothing. The vectors of new or
    changed entries are computed here, so the service never encodes them at start-up."""
    segment.load()  # validates the file's text the same way the matcher will read it

    async def work(session: AsyncSession) -> tuple[service.ImportReport, list[Entry]]:
        report = await service.import_file(
            session, path=file, actor=actor, clock=SystemClock(), skip_invalid=skip_invalid,
            keep_unknown_units=keep_unknown_units,
        )
        return report, await service.load_active_entries(session) if report.written else []

    report, entries = _with_session(work)
    _echo_problems(report)
    if not report.written:
        message = texts.CLI_NOTHING_VALID if report.nothing_valid else texts.CLI_NOTHING_WRITTEN
        raise click.ClickException(message)
    if report.skipped_rows:
        click.echo(texts.CLI_SKIPPED.format(rows=report.skipped_rows))
    if report.units_kept and report.unknown_units:
        click.echo(texts.UNKNOWN_UNITS_KEPT.format(
            count=len(report.unknown_units), rows=sum(report.unknown_units.values()),
            units=_counted(report.unknown_units)))
    summary = report.summary
    click.echo(
        texts.CLI_IMPORTED.format(
            created=summary.created, updated=summary.updated, unchanged=summary.unchanged
        )
    )
    encoder = load_encoder()
    if encoder is not None and entries:
        started = time.perf_counter()
        store = VectorStore(vector_path())
        # A bar on a terminal (a first import of 1,000 entries takes a minute or two);
        # nothing drawn when piped, the line after it says what was done.
        with progress(texts.CLI_ENCODING_BAR) as advance:
            shown = 0

            def step(done: int, total: int) -> None:
                nonlocal shown
                advance(done - shown, total=total)
                shown = done

            items = entry_texts(entries, pseudo=load_config().pseudo_queries)
            build_dense(items, encoder, store, progress=step)
        if store.added:
            _save_vectors(store)
            click.echo(texts.CLI_ENCODED.format(
                texts=store.added, entries=len(entries), seconds=round(time.perf_counter() - started)))


def _counted(units: dict[str, int]) -> str:
    return texts.LIST_SEPARATOR.join(texts.UNIT_ROWS.format(unit=u, rows=n) for u, n in units.items())


def _echo_problems(report: service.ImportReport) -> None:
    """The file's problems, the same one on many rows as one line, and what to do about
    units the system does not have."""
    if not report.problems:
        return
    click.echo(texts.CLI_PROBLEMS.format(count=len(report.problems), rows=report.skipped_rows), err=True)
    for line in files.summarize(report.problems):
        click.echo(f"  {line}", err=True)
    unknown = report.unknown_units if report.units_refused else {}
    if unknown:
        click.echo(texts.UNKNOWN_UNITS_HINT.format(
            count=len(unknown), rows=sum(unknown.values()),
            units=texts.LIST_SEPARATOR.join(report.known_units)), err=True)


@kb.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--active-only", is_flag=True, help="Leave out deactivated entries.")
def export(file: Path, active_only: bool) -> None:
    """Write every entry to a CSV, XLSX or YAML file (by its suffix)."""
    count = _with_session(lambda s: service.export_file(s, path=file, include_inactive=not active_only))
    click.echo(texts.CLI_EXPORTED.format(count=count, path=file))


@kb.command("seed")
def seed() -> None:
    """Load the shipped knowledge base into an empty database."""
    summary = _with_session(lambda s: service.seed_default(s, clock=SystemClock()))
    click.echo(
        texts.CLI_IMPORTED.format(
            created=summary.created, updated=summary.updated, unchanged=summary.unchanged
        )
    )


def _knowledge_base(kb_file: Path | None, config: Path | None) -> KnowledgeBase:
    segment.load()
    cfg = load_config(config)
    if kb_file is not None:
        try:
            return build_knowledge_base(
                files.active_entries(files.read_entries(kb_file)),
                config=cfg,
                encoder=load_encoder(),
                vector_path=vector_path(),
            )
        except KBFileError as error:
            raise click.ClickException(str(error)) from error

    async def from_db(session: AsyncSession) -> KnowledgeBase:
        await service.seed_default(session, clock=SystemClock())
        return await service.load_knowledge_base(
            session, config=cfg, encoder=load_encoder(), vector_path=vector_path()
        )

    return _with_session(from_db)


@kb.command("ask")
@click.argument("question")
@click.option(
    "--kb",
    "kb_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Answer from this file instead of the database.",
)
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Matcher YAML.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def ask(question: str, kb_file: Path | None, config: Path | None, as_json: bool) -> None:
    """Show the band, the best entries and their scores for one question."""
    knowledge = _knowledge_base(kb_file, config)
    result = answer(knowledge, question)
    top = result.candidates[:5] if result.candidates else result.entries
    if as_json:
        click.echo(
            json.dumps(
                {
                    "band": result.band.value,
                    "confidence": result.confidence,
                    "next_action": result.next_action.value,
                    "entries": [{"id": s.entry.id, "score": s.score} for s in result.entries],
                    "candidates": [
                        {"id": s.entry.id, "question": s.entry.question, "score": s.score} for s in top
                    ],
                },
                ensure_ascii=False,
            )
        )
        return
    click.echo(
        f"band: {result.band.value} ({texts.CLI_BAND[result.band.value]})  confidence:"
        f" {result.confidence:.4f}"
    )
    # What the citizen would read first, then the scores behind it.
    if result.best is not None and result.band.value == "answer":
        entry = result.best.entry
        click.echo(texts.CLI_QUESTION.format(question=entry.question))
        click.echo(texts.CLI_ANSWER.format(answer=entry.answer))
        if entry.unit:
            click.echo(texts.CLI_UNIT.format(unit=entry.unit))
    elif result.entries and result.band.value == "suggest":
        # The choices the citizen gets (the scores below show the runners-up too).
        click.echo(texts.SUGGEST_HEADER)
        for i, s in enumerate(result.entries, start=1):
            click.echo(f"{i}. {s.entry.question}")
    click.echo("")
    for s in top:
        marker = "*" if s in result.entries else " "
        click.echo(f"{marker} {s.score:.4f}  {s.entry.id}  {s.entry.question}")


@kb.command("eval")
@click.option(
    "--kb",
    "kb_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="KB file (id,question,answer[,alternatives,keywords,unit,category]); default: shipped KB.",
)
@click.option(
    "--queries",
    "queries_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Q.csv: query,expected_id",
)
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Matcher YAML.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_(kb_file: Path | None, queries_file: Path, config: Path | None, as_json: bool) -> None:
    """Evaluate the matcher on labelled queries (files only, no database).

    Rows of the KB file with a problem (empty answer, duplicate…) are left out and
    listed on stderr; the evaluation runs on the others. Entry and query vectors are
    kept in the vector store (HOTLINE_KB_VECTORS), so a rerun encodes nothing."""
    started = time.perf_counter()
    segment.load()
    cfg = load_config(config)
    try:
        result = files.check_entries(kb_file) if kb_file else files.ReadResult(files.default_records(), [])
        queries = evaluation.read_queries(queries_file)
    except KBFileError as error:
        raise click.ClickException(str(error)) from error
    if result.problems:
        click.echo(texts.CLI_PROBLEMS.format(count=len(result.problems), rows=result.skipped_rows), err=True)
        for problem in result.problems[:20]:
            click.echo(f"  {problem}", err=True)
    encoder = load_encoder()
    store = VectorStore(vector_path()) if encoder is not None else None
    knowledge = KnowledgeBase(
        files.active_entries(result.records), config=cfg, dense=_dense(result.records, encoder, store, cfg)
    )
    knowledge.prefetch([q.query for q in queries], store, progress=_progress)
    if store is not None and store.added:
        _save_vectors(store)
    startup_s = time.perf_counter() - started
    report = evaluation.evaluate(knowledge, queries)
    data = {
        **report.as_dict(),
        "n_entries": len(knowledge),
        "n_skipped_rows": result.skipped_rows,
        "encoder": encoder.identity if encoder is not None else None,
        "startup_s": round(startup_s, 3),
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        click.echo(f"{key.ljust(width)}  {value}")


def _progress(done: int, total: int) -> None:
    if done == total or done % 256 == 0:
        click.echo(texts.CLI_ENCODING.format(done=done, total=total), err=True)


def _save_vectors(store: VectorStore) -> None:
    try:
        store.save()
    except OSError as error:  # evaluation figures matter more than the cache
        click.echo(f"{store.path}: {error}", err=True)


def _dense(
    records: list[files.EntryRecord], encoder: Encoder | None, store: VectorStore | None, cfg: MatcherConfig
) -> DenseIndex | None:
    if encoder is None:
        return None
    entries = files.active_entries(records)
    texts_ = entry_texts(entries, pseudo=cfg.pseudo_queries)
    return build_dense(texts_, encoder, store, progress=_progress) if entries else None


@kb.command("gaps")
@click.option("--week", required=True, help="ISO week, e.g. 2026-W48 (Asia/Shanghai).")
@click.option("--min-size", default=1, show_default=True, help="Leave out smaller clusters.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--create", "cluster_id", help="Turn this cluster into a new entry (needs --answer).")
@click.option("--answer", "answer_text", default="", help="Answer of the new entry.")
@click.option("--unit", default=None, help="Unit of the new entry (default: the suggested one).")
@click.option("--key", default=None, help="Id of the new entry (default: gap_<cluster>).")
@click.option("--by", "actor", default="cli", show_default=True, help="Who made the change (change log).")
def gaps_(
    week: str,
    min_size: int,
    as_json: bool,
    cluster_id: str | None,
    answer_text: str,
    unit: str | None,
    key: str | None,
    actor: str,
) -> None:
    """Questions without an answer or with "没解决" this week, clustered for the office."""
    segment.load()
    cfg = load_config()

    async def work(session: AsyncSession) -> tuple[list[gaps.GapCluster], str | None]:
        knowledge = await service.load_knowledge_base(
            session, config=cfg, encoder=load_encoder(), vector_path=vector_path()
        )
        found = await gaps.weekly_gaps(session, kb=knowledge, week=week, min_size=min_size)
        if cluster_id is None:
            return found, None
        gap = gaps.find_cluster(found, cluster_id)
        record = await gaps.entry_from_cluster(session, gap=gap, answer=answer_text, key=key, unit=unit)
        await service.upsert_entries(session, records=[record], actor=actor, clock=SystemClock())
        return found, record.id

    found, created = _with_session(work)
    if created is not None:
        click.echo(texts.CLI_GAP_CREATED.format(cluster=cluster_id, key=created))
        return
    if as_json:
        click.echo(json.dumps({"week": week, "clusters": [g.as_dict() for g in found]}, ensure_ascii=False))
        return
    if not found:
        click.echo(texts.CLI_NO_GAPS)
    for gap in found:
        units = "、".join(gap.units) or texts.NO_UNIT
        click.echo(
            texts.CLI_GAP_LINE.format(id=gap.id, size=gap.size, not_solved=gap.not_solved, units=units)
        )
        for example in gap.examples:
            click.echo(f"    {example}")


@kb.command("updates")
@click.option("--month", help="YYYY-MM (Asia/Shanghai); default: every month.")
def updates(month: str | None) -> None:
    """Knowledge-base entries added or changed per unit and month."""
    rows = _with_session(lambda s: service.count_updates(s, month=month))
    for row in rows:
        click.echo(f"{row.month}  {row.unit or texts.NO_UNIT}  {row.changes}")
    if not rows:
        click.echo(texts.CLI_NO_UPDATES)


@kb.command("feedback")
def feedback() -> None:
    """Entries with citizens' feedback, the most "没解决" first."""
    rows = _with_session(lambda s: service.feedback_counts(s))
    for row in rows:
        click.echo(
            f"{row.key}  {texts.SOLVED_BUTTON} {row.solved}  {texts.NOT_SOLVED_BUTTON} {row.not_solved}  "
            f"{row.question}"
        )
    if not rows:
        click.echo(texts.CLI_NO_FEEDBACK)
