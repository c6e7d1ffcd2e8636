"""The office's desk: the dispatch queue (派单, updating itself by server-sent events) and
the requests waiting for its decision (待审批: returns and extensions)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from aiohttp import web
from sqlmodel import col, select

from integrations.db import writing
from integrations.state import RULES, SESSIONS, served_kb
from knowledge_base.unit_routing import UnitSuggestion, rank_units
from tickets import service as svc
from tickets.enums import TicketStatus
from tickets.errors import HotlineError, ValidationFailed
from tickets.models import Ticket
from web.console import queries, texts
from web.console.pages import office_only, page, stamp_of
from web.console.viewer import viewer

routes = web.RouteTableDef()
QUEUE_LIMIT = 100
# How often an open queue page's event stream looks for new tickets.
POLL_SECONDS = 2.0
KEEPALIVE_SECONDS = 20.0


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    summary: str
    suggestions: list[UnitSuggestion]


async def _queue(request: web.Request) -> tuple[list[QueueRow], int, list[Any]]:
    async with request.app[SESSIONS]() as session:
        waiting = select(Ticket).where(Ticket.status == TicketStatus.RECEIVED)
        total = int((await session.exec(select(sa.func.count()).select_from(waiting.subquery()))).one())
        tickets = (await session.exec(waiting.order_by(col(Ticket.received_at), col(Ticket.id))
                                      .limit(QUEUE_LIMIT))).all()
        kb = served_kb(request.app)
        rows = [QueueRow(t, t.content[:80] + ("…" if len(t.content) > 80 else ""),
                         await rank_units(session, kb=kb, content=t.content)) for t in tickets]
        units = [u for u in await queries.handling_unit_list(session) if u.active]
    return rows, total, units


@routes.get("/console/queue")
async def queue(request: web.Request) -> web.Response:
    office_only(viewer(request))
    rows, total, units = await _queue(request)
    template = "queue_table.html" if request.headers.get("HX-Request") else "queue.html"
    done = request.query.get("done", "")
    return page(request, template, "queue", rows=rows, total=total, units=units,
                done=texts.QUEUE_DONE.format(count=done) if done.isdigit() else "",
                failures=request.query.getall("failed", []))


async def _state(request: web.Request) -> tuple[int, int]:
    async with request.app[SESSIONS]() as session:
        row = (await session.exec(select(sa.func.count(), sa.func.max(Ticket.id))
                                  .where(Ticket.status == TicketStatus.RECEIVED))).one()
    return int(row[0]), int(row[1] or 0)


@routes.get("/console/queue/events")
async def queue_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: `changed` whenever the set of tickets waiting for dispatch changes."""
    office_only(viewer(request))
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    last = await _state(request)
    idle = 0.0
    await response.write(b": connected\n\n")
    while True:
        await asyncio.sleep(POLL_SECONDS)
        current = await _state(request)
        if current != last:
            last = current
            await response.write(f"event: changed\ndata: {current[0]}\n\n".encode())
            idle = 0.0
        else:
            idle += POLL_SECONDS
            if idle >= KEEPALIVE_SECONDS:
                await response.write(b": keep-alive\n\n")
                idle = 0.0


@routes.post("/console/queue/dispatch")
async def queue_dispatch(request: web.Request) -> web.Response:
    """One click (a row's button: number=unit) or several tickets at once (the picked rows,
    each to the unit chosen in its row). Each ticket is its own service call and transaction."""
    me = viewer(request)
    office_only(me)
    form = await request.post()
    if (one := form.get("one")) and isinstance(one, str) and ":" in one:
        number, _, unit = one.partition(":")
        plan = [(number, unit)]
    else:
        plan = [(n, str(form.get(f"unit_{n}", ""))) for n in form.getall("pick", []) if isinstance(n, str)]
    if not plan:
        raise ValidationFailed(texts.ERR_QUEUE_NOTHING)
    done, failed = 0, []
    for number, unit in plan[:QUEUE_LIMIT]:
        try:
            if not unit.isdigit():
                raise ValidationFailed(texts.ERR_FIELD_REQUIRED.format(field=texts.FIELD["unit_id"]))
            async with writing(request.app) as session:
                await svc.dispatch(session, rules=request.app[RULES], actor=me.actor, number=number,
                                   unit_id=int(unit))
            done += 1
        except HotlineError as error:
            failed.append(f"{number[:20]}：{error.message}")
    query = [("done", str(done)), *[("failed", f) for f in failed]]
    raise web.HTTPSeeOther("/console/queue?" + "&".join(f"{k}={_q(v)}" for k, v in query))


def _q(value: str) -> str:
    return quote(value, safe="")


@routes.get("/console/approvals")
async def approvals(request: web.Request) -> web.Response:
    office_only(viewer(request))
    async with request.app[SESSIONS]() as session:
        rows = (await session.exec(
            select(Ticket).where(col(Ticket.status).in_([TicketStatus.RETURN_REQUESTED,
                                                         TicketStatus.EXTENSION_REQUESTED]))
            .order_by(col(Ticket.updated_at)).limit(200))).all()
        names = await queries.unit_names(session)
        kb = served_kb(request.app)
        suggestions = {
            t.number: await rank_units(
                session,
                kb=kb,
                content=t.content,
                extra_names=[str(t.pending_request.get("suggested_unit", ""))],
            )
            for t in rows
            if t.status is TicketStatus.RETURN_REQUESTED
        }
        units = [u for u in await queries.handling_unit_list(session) if u.active]
        stamps = {t.number: await stamp_of(session, t) for t in rows}
    return page(request, "approvals.html", "approvals", rows=rows, names=names, suggestions=suggestions,
                units=units, stamps=stamps,
                summaries={t.number: t.content[:80] for t in rows},
                done=texts.DONE.get(request.query.get("done", ""), ""))
