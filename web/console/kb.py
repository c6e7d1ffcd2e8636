"""知识库: search, view, edit and add entries, import a file with its validation report,
and the citizens' 解决 / 没解决 per entry. Every write is knowledge_base.service's
(upsert_entries counts each change for the entry's unit); the matcher the bot and the
API use is rebuilt afterwards so that a change is answered at once."""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
from pathlib import Path

from aiohttp import web

from integrations.db import writing
from integrations.state import KB, KB_ASK, RULES, SESSIONS
from knowledge_base import gaps
from knowledge_base import service as kb_service
from knowledge_base.files import LIMITS, EntryRecord, summarize
from tickets.clock import local, week_key
from tickets.errors import NotFound, ValidationFailed
from web.console import queries, texts
from web.console.actions import Fields
from web.console.pages import office_only, page
from web.console.viewer import viewer

routes = web.RouteTableDef()
PAGE = 50
IMPORT_SUFFIXES = (".csv", ".xlsx", ".yaml", ".yml")
KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def _refresh(app: web.Application) -> None:
    """The served knowledge base again from the table (only changed entries are re-encoded)."""
    await app[KB].refresh()


@routes.get("/console/kb")
async def kb_list(request: web.Request) -> web.Response:
    office_only(viewer(request))
    text = request.query.get("q", "").strip()[:100]
    ask = request.query.get("ask", "").strip()[:200]
    try:
        number = max(1, int(request.query.get("page", "1")))
    except ValueError:
        number = 1
    async with request.app[SESSIONS]() as session:
        entries = await kb_service.list_entries(session, include_inactive=True)
        feedback = {f.key: f for f in await kb_service.feedback_counts(session)}
    if text:
        entries = [
            e
            for e in entries
            if text in e.key
            or text in e.question
            or text in e.answer
            or text in e.unit
            or any(text in a for a in e.alternatives)
        ]
    pages = max(1, -(-len(entries) // PAGE))
    number = min(number, pages)
    answered = None
    if ask and (asker := request.app.get(KB_ASK)) is not None:
        answered = await asyncio.to_thread(asker, ask)
    return page(
        request,
        "kb.html",
        "kb",
        entries=entries[(number - 1) * PAGE : number * PAGE],
        total=len(entries),
        page_no=number,
        pages=pages,
        q=text,
        ask=ask,
        answered=answered,
        feedback=feedback,
        done=texts.KB_DONE.get(request.query.get("done", ""), ""),
    )


def _record(fields: Fields, key: str) -> EntryRecord:
    question = fields.text("question", limit=500)
    answer = fields.text("answer", limit=LIMITS["answer"])
    if not question or not answer:
        raise ValidationFailed(texts.ERR_KB_REQUIRED)
    alternatives = tuple(
        line.strip() for line in fields.text("alternatives", limit=5000).splitlines() if line.strip()
    )
    keywords = tuple(fields.text("keywords", limit=1000).split())
    return EntryRecord(id=key, question=question, answer=answer, alternatives=alternatives, keywords=keywords,
                       unit=fields.text("unit", limit=100), category=fields.text("category", limit=50),
                       active=fields.form.get("active") == "yes")


async def _entry_page(request: web.Request, key: str | None, *, error: str = "", status: int = 200,
                      form: object = None) -> web.Response:
    async with request.app[SESSIONS]() as session:
        entry = await kb_service.get_entry(session, key=key) if key else None
        units = await queries.handling_unit_list(session)
        feedback = {f.key: f for f in await kb_service.feedback_counts(session)}
    return page(request, "kb_entry.html", "kb", entry=entry, units=units, error=error, form=form,
                feedback=feedback.get(key or ""), status=status,
                done=texts.KB_DONE.get(request.query.get("done", ""), ""))


@routes.get("/console/kb/new")
async def kb_new(request: web.Request) -> web.Response:
    office_only(viewer(request))
    return await _entry_page(request, None)


@routes.get("/console/kb/entry/{key}")
async def kb_entry(request: web.Request) -> web.Response:
    office_only(viewer(request))
    return await _entry_page(request, request.match_info["key"][:64])


@routes.post("/console/kb/new")
@routes.post("/console/kb/entry/{key}")
async def kb_save(request: web.Request) -> web.Response:
    me = viewer(request)
    office_only(me)
    form = await request.post()
    fields = Fields(form)
    existing = request.match_info.get("key")
    key = existing[:64] if existing else fields.text("key", limit=64)
    try:
        if not KEY.fullmatch(key):
            raise ValidationFailed(texts.ERR_KB_KEY)
        record = _record(fields, key)
        async with writing(request.app) as session:
            if existing is None:
                with contextlib.suppress(NotFound):
                    await kb_service.get_entry(session, key=key)
                    raise ValidationFailed(texts.ERR_KB_KEY_TAKEN.format(key=key))
            else:
                await kb_service.get_entry(session, key=key)
            await kb_service.upsert_entries(session, records=[record], actor=me.name,
                                            clock=request.app[RULES].clock)
    except ValidationFailed as error:
        return await _entry_page(request, existing, error=error.message, status=422, form=form)
    await _refresh(request.app)
    raise web.HTTPSeeOther(f"/console/kb/entry/{key}?done={'new' if existing is None else 'saved'}")


@routes.get("/console/kb/import")
async def kb_import_page(request: web.Request) -> web.Response:
    office_only(viewer(request))
    return page(request, "kb_import.html", "kb", report=None, error="", name="", lines=[], hint="")


@routes.post("/console/kb/import")
async def kb_import(request: web.Request) -> web.Response:
    me = viewer(request)
    office_only(me)
    form = await request.post()
    upload = form.get("file")
    skip = form.get("skip_invalid") == "yes"
    keep_units = form.get("keep_unknown_units") == "yes"
    filename = getattr(upload, "filename", "") or ""
    suffix = Path(filename).suffix.lower()
    if not isinstance(upload, web.FileField) or suffix not in IMPORT_SUFFIXES:
        return page(
            request,
            "kb_import.html",
            "kb",
            report=None,
            error=texts.ERR_KB_FILE,
            name=filename[:100],
            lines=[],
            hint="",
            status=422,
        )
    # Saved under the office's own file name: the problems name the file it has open.
    name = Path(filename.replace("\\", "/")).name[-100:] or f"upload{suffix}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(upload.file.read())
        async with writing(request.app) as session:
            report = await kb_service.import_file(
                session, path=path, actor=me.name, clock=request.app[RULES].clock, skip_invalid=skip,
                keep_unknown_units=keep_units,
            )
    if report.written:
        await _refresh(request.app)
    hint = ""
    if report.units_refused:
        hint = texts.KB_UNKNOWN_UNITS_HINT.format(
            count=len(report.unknown_units), rows=sum(report.unknown_units.values()),
            units="、".join(report.known_units))
    elif report.unknown_units and report.written:
        hint = texts.KB_UNKNOWN_UNITS_KEPT.format(
            count=len(report.unknown_units), rows=sum(report.unknown_units.values()),
            units="、".join(report.unknown_units))
    return page(request, "kb_import.html", "kb", report=report, error="", name=name,
                lines=summarize(report.problems), hint=hint, status=200 if report.written else 422)


def _this_week(request: web.Request) -> str:
    return week_key(local(request.app[RULES].clock.now()).date())


async def _gaps_page(request: web.Request, week: str, *, error: str = "", status: int = 200,
                     form: object = None) -> web.Response:
    found: list[gaps.GapCluster] = []
    async with request.app[SESSIONS]() as session:
        units = await queries.handling_unit_list(session)
        try:
            found = await gaps.weekly_gaps(session, kb=request.app[KB].current, week=week)
        except ValidationFailed as bad_week:
            error, status = bad_week.message, 422
    return page(request, "kb_gaps.html", "kb", week=week, clusters=found, units=units, error=error,
                form=form, status=status)


@routes.get("/console/kb/gaps")
async def kb_gaps(request: web.Request) -> web.Response:
    """The week's questions without an answer or with "没解决", clustered (kb gaps)."""
    office_only(viewer(request))
    return await _gaps_page(request, request.query.get("week", "").strip()[:10] or _this_week(request))


@routes.post("/console/kb/gaps")
async def kb_gap_entry(request: web.Request) -> web.Response:
    """One cluster made an entry: its first question, the others as alternatives, the answer given."""
    me = viewer(request)
    office_only(me)
    form = await request.post()
    fields = Fields(form)
    week = fields.text("week", limit=10) or _this_week(request)
    key = fields.text("key", limit=64)
    try:
        if key and not KEY.fullmatch(key):
            raise ValidationFailed(texts.ERR_KB_KEY)
        # Clustering reads and computes; only the new entry needs the (single) writer.
        async with request.app[SESSIONS]() as session:
            found = await gaps.weekly_gaps(session, kb=request.app[KB].current, week=week)
        gap = gaps.find_cluster(found, fields.text("cluster", limit=64))
        async with writing(request.app) as session:
            record = await gaps.entry_from_cluster(
                session, gap=gap, answer=fields.text("answer", limit=LIMITS["answer"]), key=key or None,
                unit=fields.text("unit", limit=100))
            await kb_service.upsert_entries(session, records=[record], actor=me.name,
                                            clock=request.app[RULES].clock)
    except (ValidationFailed, NotFound) as error:
        return await _gaps_page(request, week, error=error.message, status=422, form=form)
    await _refresh(request.app)
    raise web.HTTPSeeOther(f"/console/kb/entry/{record.id}?done=new")
