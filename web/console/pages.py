"""The console's pages: 总览, the ticket list and the ticket page with its actions."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from aiohttp import web
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.db import writing
from integrations.http import private_file
from integrations.state import RULES, SESSIONS, SETTINGS, served_kb
from knowledge_base.unit_routing import rank_units
from reports.indicators import Overview, overview
from reports.periods import date_range
from tickets import calls, photos, whistles, workflow
from tickets import texts as tt
from tickets.clock import local
from tickets.duty import login_deadline
from tickets.enums import Action
from tickets.errors import Forbidden, HotlineError, ValidationFailed
from tickets.models import CallRecord, Ticket, TicketCoUnit, TicketEvent
from tickets.privacy import mask_name, mask_phone, mask_place, mask_text, may_see_contact
from tickets.queries import ticket_events
from web.base import render
from web.console import actions, charts, queries, texts
from web.console.ticket_facts import enterprise_facts, letter_facts
from web.console.viewer import Viewer, viewer

routes = web.RouteTableDef()
# The 总览 charts (30 days of volume and categories) are read at most once a minute per
# process: they cannot change noticeably faster, and the read is the page's largest part.
CHART_TTL_SECONDS = 60.0
CHART_CACHE = web.AppKey("console_chart_cache", dict[Any, tuple[float, Overview]])


def office_only(me: Viewer) -> None:
    if not me.is_office:
        raise Forbidden(texts.ERR_OFFICE_ONLY)


def view_labels(request: web.Request) -> dict[str, str]:
    days = request.app[RULES].policy.deadlines.warning.amount
    return {k: v.format(days=days) for k, v in texts.VIEW_LABEL.items()}


def page(request: web.Request, template: str, nav: str, *, status: int = 200, **context: Any) -> web.Response:
    return render(f"console/{template}", request, {"me": viewer(request), "nav": nav, "tt": tt,
                                                   "fmt": tt.fmt_local, **context}, status=status)


@routes.get("/console")
async def console_root(_request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/console/")


@routes.get("/console/")
async def dashboard(request: web.Request) -> web.Response:
    me = viewer(request)
    rules = request.app[RULES]
    now = rules.now()
    today = local(now).date()
    deadline = rules.policy.checks.duty_login_deadline
    async with request.app[SESSIONS]() as session:
        counts = await queries.dashboard_counts(session, me, rules)
        duty = None
        if me.is_office:
            board = await queries.duty_board(session, day=today, deadline=login_deadline(rules, today))
            duty = {"total": len(board), "in": sum(1 for r in board if r.first_login_at and not r.late),
                    "after": local(now).time() >= deadline, "missing": [r.unit for r in board
                                                                        if not r.first_login_at or r.late]}
        solved, asked = await queries.kb_self_service(session, rules)
        volume = await _volume(request, session, today) if me.is_office else None
    day_chart = charts.daily_volume(volume.by_day) if volume else None
    category_chart = charts.categories(volume.by_category[:10]) if volume else None
    return page(request, "dashboard.html", "home", counts=counts, duty=duty,
                deadline=deadline.strftime("%H:%M"), kb_rate=(solved, asked), views=view_labels(request),
                day_chart=day_chart, category_chart=category_chart, today=today)


async def _volume(request: web.Request, session: AsyncSession, today: Any) -> Overview:
    """The charts' numbers: read once, then refreshed in the background when older than
    CHART_TTL_SECONDS while the page is served from the previous read (stale-while-revalidate),
    so that only the first 总览 of the day waits for the 30-day read."""
    app = request.app
    cache = app[CHART_CACHE]
    found = cache.get(today)
    if found is None:
        found = (time.monotonic(), await _read_volume(app, session, today))
        cache.clear()
        cache[today] = found
    elif time.monotonic() - found[0] > CHART_TTL_SECONDS and "refresh" not in cache:
        cache["refresh"] = (0.0, asyncio.create_task(_refresh_volume(app, today)))  # type: ignore[assignment]
    return found[1]


async def _read_volume(app: web.Application, session: AsyncSession, today: Any) -> Overview:
    period = date_range(today - timedelta(days=29), today)
    return await overview(session, period=period, as_of=app[RULES].now())


async def _refresh_volume(app: web.Application, today: Any) -> None:
    cache = app[CHART_CACHE]
    try:
        async with app[SESSIONS]() as session:
            cache[today] = (time.monotonic(), await _read_volume(app, session, today))
    finally:
        cache.pop("refresh", None)


@routes.get("/console/tickets")
async def ticket_list(request: web.Request) -> web.Response:
    me = viewer(request)
    rules = request.app[RULES]
    flt = queries.TicketFilter.parse(request.query)
    if not me.is_office:
        flt.unit_id = None  # a handler's list is its unit's; the unit filter is the office's
        if "sort" not in request.query:
            flt.sort, flt.descending = "due", False  # 我的工单: the nearest deadline first
    async with request.app[SESSIONS]() as session:
        found = await queries.list_tickets(session, me, rules, flt)
        units = await queries.handling_unit_list(session) if me.is_office else []
    now = rules.now()
    base = {k: v for k, v in request.query.items() if k != "page" and v}

    def link(**changes: Any) -> str:
        merged = {**base, **{k: v for k, v in changes.items() if v is not None}}
        return "/console/tickets?" + urlencode(merged)

    def sort_link(key: str) -> str:
        current = request.query.get("sort", "received")
        if key == "received":
            return link(sort="+received" if current == "received" else "received")
        return link(sort=f"-{key}" if current == key else key)

    rows = [_row(t, me, found.units, now) for t in found.rows]
    return page(
        request,
        "tickets.html",
        "tickets" if me.is_office else "mine",
        found=found,
        rows=rows,
        flt=flt,
        units=units,
        link=link,
        sort_link=sort_link,
        views=view_labels(request),
        query=request.query,
    )


def _row(ticket: Ticket, me: Viewer, units: dict[int, str], now: Any) -> dict[str, Any]:
    visible = me.is_office or ticket.main_unit_id == me.unit_id
    summary = ticket.content if visible else mask_text(ticket.content, names=(ticket.contact_name,))
    return {"t": ticket, "unit": units.get(ticket.main_unit_id or 0, "—"), "due": due_state(ticket, now),
            "summary": summary[:60] + ("…" if len(summary) > 60 else "")}


def due_state(ticket: Ticket, now: Any) -> str:
    """The colour of a deadline: bad (past), warn (within a day), ok."""
    if ticket.due_at is None or ticket.closed_at is not None or ticket.status.value in ("replied",):
        return ""
    if ticket.due_at < now:
        return "bad"
    return "warn" if ticket.due_at - now <= timedelta(hours=24) else "ok"


@dataclass(frozen=True)
class CallRow:
    """One 双呼 call as the ticket page lists it (the number masked for those who may not see it)."""

    call: CallRecord
    unit: str
    callee: str
    stage: str
    to_citizen: bool


@routes.get("/console/tickets/{number}")
async def ticket_page(request: web.Request) -> web.Response:
    return await _ticket_page(request, request.match_info["number"])


async def _ticket_page(request: web.Request, number: str, *, error: str = "", form: Any = None,
                       failed: str = "", status: int = 200) -> web.Response:
    me = viewer(request)
    rules = request.app[RULES]
    async with request.app[SESSIONS]() as session:
        ticket = await queries.visible_ticket(session, me, number)
        co = list(
            (
                await session.exec(select(TicketCoUnit.unit_id).where(TicketCoUnit.ticket_id == ticket.id))
            ).all()
        )
        events = await ticket_events(session, ticket_id=ticket.id or 0)
        names = await queries.unit_names(session)
        offered = await _offered(session, me, ticket)
        suggestions = []
        if "dispatch" in offered or "decide_return" in offered:
            extra = [str(ticket.pending_request.get("suggested_unit", ""))]
            suggestions = await rank_units(
                session, kb=served_kb(request.app), content=ticket.content, extra_names=extra
            )
        units = await queries.handling_unit_list(session) if offered else []
        stamp = await stamp_of(session, ticket)
        made = await calls.ticket_calls(session, ticket_id=ticket.id or 0)
        shown = (await photos.ticket_photos(session, ticket_id=ticket.id or 0)
                 if await photos.may_view_photos(session, actor=me.actor, ticket=ticket) else [])
        visible = may_see_contact(ticket, role=me.actor.role, unit_id=me.unit_id, co_unit_ids=co)
        company = await enterprise_facts(session, ticket=ticket, policy=rules.policy, visible=visible)
        letter = await letter_facts(session, ticket=ticket, visible=visible)
    contact = {
        "name": ticket.contact_name if visible else mask_name(ticket.contact_name),
        "phone": ticket.contact_phone if visible else mask_phone(ticket.contact_phone),
    }
    message = texts.DONE.get(request.query.get("done", ""), "")
    citizen = (ticket.contact_name,)
    call_rows = [CallRow(call=c, unit=names.get(c.calling_unit_id, "—"),
                         callee=c.callee_phone if visible else mask_phone(c.callee_phone),
                         stage=tt.CALL_STAGE[stage.value if (stage := calls.stage_of(ticket, c)) else ""],
                         to_citizen=calls.to_the_citizen(ticket, c)) for c in made]
    proofs = {
        stage: calls.describe(
            calls.proof(ticket, made, stage, policy=rules.policy, calendar=rules.calendar),
            policy=rules.policy,
        )
        for stage in calls.ContactStage
    }
    return page(
        request,
        "ticket.html",
        "tickets" if me.is_office else "mine",
        ticket=ticket,
        contact=contact,
        content=ticket.content if visible else mask_text(ticket.content, names=citizen),
        place=ticket.place if visible else mask_place(ticket.place),
        reply_text=ticket.reply_text if visible else mask_text(ticket.reply_text or "", names=citizen),
        events=[(e, e.note if visible else mask_text(e.note, names=citizen)) for e in events],
        main_unit=names.get(ticket.main_unit_id or 0, "—"),
        co_units=[names.get(u, "—") for u in co],
        offered=offered,
        suggestions=suggestions,
        units=[u for u in units if u.active],
        due=due_state(ticket, rules.now()),
        error=error,
        failed=failed,
        form=form or {},
        done=message,
        stamp=stamp,
        photos=shown,
        results=tt.RESULT,
        satisfactions=tt.SATISFACTION,
        reply_required_site=ticket.site_visit_at is not None,
        now_local=local(rules.now()),
        extension_max=rules.policy.limits.extension_max_working_days,
        status=status,
        # An office without the 双呼 platform has no card saying the platform sent nothing;
        # a call record that arrives all the same (a test of the platform) is still shown.
        show_calls=bool(made) or rules.policy.contact.call_evidence_since is not None,
        call_rows=call_rows,
        proofs=proofs,
        call_outcome=tt.CALL_OUTCOME,
        company=company,
        letter=letter,
    )


async def _offered(session: AsyncSession, me: Any, ticket: Ticket) -> list[str]:
    whistle_open, _, waiting = await whistles.waiting_units(session, ticket_id=ticket.id or 0)
    return actions.offered(
        workflow.allowed_actions(ticket.status, me.actor.role),
        ticket=ticket,
        actor=me.actor,
        whistle_open=whistle_open,
        to_report_in=me.unit_id in waiting,
    )


@routes.get("/console/tickets/{number}/photos/{sha256}")
async def ticket_photo(request: web.Request) -> web.StreamResponse:
    """A citizen's photo of a ticket, for the office and the ticket's units (tickets.photos decides)."""
    me = viewer(request)
    async with request.app[SESSIONS]() as session:
        # Another unit's ticket is "not found" here as on the ticket page, not "forbidden".
        ticket = await queries.visible_ticket(session, me, request.match_info["number"])
        row, path = await photos.open_photo(session, actor=me.actor, number=ticket.number,
                                            sha256=request.match_info["sha256"][:64],
                                            store=photos.PhotoStore(request.app[SETTINGS].media_dir))
    return private_file(path, row.content_type)


async def stamp_of(session: AsyncSession, ticket: Ticket) -> str:
    """The version of the ticket a form was made from: a form posted twice, or after someone
    else acted, is refused instead of acting on a ticket its sender has not seen. Every
    action writes one audit event, so their count and the last one's time tell versions apart
    even within one instant. A 双呼 call record is no one's action: it arrives while the handler
    fills in the first-contact form about that very call, and must not void the form."""
    last, events = (await session.exec(select(sa.func.max(TicketEvent.at), sa.func.count())
                                       .where(TicketEvent.ticket_id == ticket.id,
                                              TicketEvent.action != Action.CALL_RECORDED))).one()
    return f"{last.isoformat() if last else ''}#{events}"


@routes.post("/console/tickets/{number}/act/{name}")
async def ticket_action(request: web.Request) -> web.Response:
    me = viewer(request)
    number = request.match_info["number"]
    spec = actions.SPECS.get(request.match_info["name"])
    if spec is None:
        raise web.HTTPNotFound()
    form = await request.post()
    try:
        async with writing(request.app) as session:
            ticket = await queries.visible_ticket(session, me, number)
            offered = await _offered(session, me, ticket)
            # A form this viewer is not offered goes straight to the service, which says why not.
            if spec.name in offered and form.get("stamp") != await stamp_of(session, ticket):
                raise ValidationFailed(texts.ERR_STALE_FORM)
            await spec.run(session, request.app[RULES], me.actor, ticket.number, actions.Fields(form))
    except HotlineError as error:
        if error.http_status == 404:
            raise
        return await _ticket_page(request, number, error=error.message, form=form, failed=spec.name,
                                  status=error.http_status)
    if isinstance(back := form.get("back"), str) and back in RETURN_PAGES:
        raise web.HTTPSeeOther(f"{back}?done={spec.name}")
    raise web.HTTPSeeOther(f"/console/tickets/{number}?done={spec.name}")


# Lists whose inline forms post to a ticket's action and come back to the list.
RETURN_PAGES = frozenset({"/console/approvals"})
