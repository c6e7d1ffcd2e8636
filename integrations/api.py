"""REST API /api/v1: tickets, workflow actions, units and duty status, knowledge base.

Views translate JSON into one tickets.service call and its result back into JSON;
every decision (transitions, deadlines, validation of the content) is the service's.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import texts
from integrations.batcher import INTAKE
from integrations.db import writing
from integrations.http import (
    ApiError,
    authorize,
    bearer,
    json_response,
    parse_json,
    private_file,
    read_body,
    read_json,
    require_json_type,
    validate,
)
from integrations.keys import Client, Scope
from integrations.schemas import (
    MAX_ID,
    WEEK_PATTERN,
    CallbackIn,
    ContactIn,
    DecideExtensionIn,
    DecideReturnIn,
    DeputyReferralIn,
    DirectAnswerIn,
    DispatchIn,
    DutyOut,
    EmptyIn,
    EventOut,
    KbAskIn,
    KbGapEntryIn,
    NoteIn,
    PhotoOut,
    ReasonIn,
    ReplyIn,
    RequestExtensionIn,
    RequestReturnIn,
    SendBackIn,
    SiteVisitIn,
    TicketCreateIn,
    TicketOut,
    UnitOut,
    WhistleIn,
    WhistleMeetingIn,
)
from integrations.state import KB, KB_ASK, KEYS, LIMITER, METRICS, RULES, SESSIONS, SETTINGS
from knowledge_base import gaps
from knowledge_base import service as kb_service
from tickets import deputies, photos, queries, whistles, workflow
from tickets import service as svc
from tickets import texts as ticket_texts
from tickets.clock import EARLIEST_DAY, LATEST_DAY, day_in_range, local, local_midnight
from tickets.context import Actor, Rules
from tickets.enums import Action, Channel, Role, TicketStatus
from tickets.models import DutyLogin, Ticket, TicketCoUnit, Unit
from tickets.privacy import mask_name, mask_phone, mask_place, mask_text, may_see_contact
from tickets.queries import is_overdue, overdue_condition, ticket_events
from tickets.routing_labels import quality_as_dict, quality_period, router_quality
from tickets.schemas import TicketCreate

routes = web.RouteTableDef()
PREFIX = "/api/v1"
MAX_PAGE = 200


async def client_for(request: web.Request, scope: Scope) -> Client:
    return await authorize(request.app[KEYS], request.app[LIMITER], bearer(request), scope)


# --- rendering ------------------------------------------------------------------------


def ticket_out(ticket: Ticket, *, client: Client, rules: Rules, co_units: Sequence[int],
               events: Sequence[Any] | None = None) -> dict[str, Any]:
    visible = may_see_contact(ticket, role=client.role, unit_id=client.unit_id, co_unit_ids=co_units)
    out = TicketOut(
        number=ticket.number,
        status=ticket.status,
        status_label=ticket_texts.STATUS[ticket.status],
        channel=ticket.channel,
        external_number=ticket.external_number,
        request_type=ticket.request_type,
        category=ticket.category if visible else mask_text(ticket.category),
        urgency=ticket.urgency,
        content=ticket.content if visible else mask_text(ticket.content, names=(ticket.contact_name,)),
        place=ticket.place if visible else mask_place(ticket.place),
        contact_name=ticket.contact_name if visible else (mask_name(ticket.contact_name) or None),
        contact_phone=ticket.contact_phone if visible else (mask_phone(ticket.contact_phone) or None),
        main_unit_id=ticket.main_unit_id,
        co_unit_ids=list(co_units),
        received_at=ticket.received_at,
        dispatched_at=ticket.dispatched_at,
        accepted_at=ticket.accepted_at,
        first_contact_due_at=ticket.first_contact_due_at,
        first_contact_at=ticket.first_contact_at,
        due_at=ticket.due_at,
        replied_at=ticket.replied_at,
        closed_at=ticket.closed_at,
        result=ticket.result,
        reply_text=(
            ticket.reply_text
            if visible or ticket.reply_text is None
            else mask_text(ticket.reply_text, names=(ticket.contact_name,))
        ),
        supervised=ticket.supervised,
        archived=ticket.archived,
        overdue=is_overdue(ticket, rules.now()),
        # 公开答复 and 撤回公开 are a letter's (tickets.mailbox), not every closed ticket's.
        allowed_actions=sorted(
            {
                API_NAME.get(a, a.value)
                for a in workflow.allowed_actions(ticket.status, client.role)
                if a not in (Action.PUBLISH, Action.UNPUBLISH) or ticket.channel is Channel.MAILBOX
            }
        ),
        events=(
            None
            if events is None
            else [
                EventOut(
                    at=e.at,
                    action=e.action,
                    action_label=ticket_texts.ACTION.get(e.action, e.action.value),
                    actor_role=e.actor_role.value,
                    actor_name=e.actor_name,
                    from_status=e.from_status,
                    to_status=e.to_status,
                    note=e.note if visible else mask_text(e.note, names=(ticket.contact_name,)),
                )
                for e in events
            ]
        ),
    )
    return out.model_dump(mode="json")


async def co_units_of(session: AsyncSession, ticket_ids: Sequence[int]) -> dict[int, list[int]]:
    if not ticket_ids:
        return {}
    rows = await session.exec(select(TicketCoUnit).where(col(TicketCoUnit.ticket_id).in_(ticket_ids)))
    result: dict[int, list[int]] = {}
    for link in rows.all():
        result.setdefault(link.ticket_id, []).append(link.unit_id)
    return result


# --- tickets -------------------------------------------------------------------------------


@routes.post(PREFIX + "/tickets")
async def create_ticket(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_CREATE)
    body = validate(TicketCreateIn, await read_json(request))
    rules = request.app[RULES]
    # Group commit: the ticket is written with the other requests' tickets of the moment.
    # TicketCreateIn has validated the shape (a stricter copy of TicketCreate's fields); the
    # domain rules are checked once, in tickets.intake. No second validation here.
    ticket = await request.app[INTAKE].submit(actor=client.actor(),
                                              draft=TicketCreate.model_construct(**body.model_dump()))
    out = ticket_out(ticket, client=client, rules=rules, co_units=[])
    return json_response(out, status=201, headers={"Location": f"{PREFIX}/tickets/{ticket.number}"})


@routes.get(PREFIX + "/tickets/{number}")
async def get_ticket(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_READ)
    async with request.app[SESSIONS]() as session:
        ticket = await queries.get_ticket(session, number=request.match_info["number"])
        co = await queries.co_unit_ids(session, ticket=ticket)
        events = await ticket_events(session, ticket_id=ticket.id)  # type: ignore[arg-type]
        out = ticket_out(ticket, client=client, rules=request.app[RULES], co_units=co, events=events)
    return json_response(out)


# --- citizens' photos: the office and the ticket's units only (tickets.photos decides) -----------


@routes.get(PREFIX + "/tickets/{number}/photos")
async def list_photos(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_READ)
    number = request.match_info["number"]
    async with request.app[SESSIONS]() as session:
        ticket = await queries.get_ticket(session, number=number)
        if not await photos.may_view_photos(session, actor=client.actor(), ticket=ticket):
            raise ApiError(403, "forbidden", ticket_texts.ERR_PHOTO_FORBIDDEN)
        rows = await photos.ticket_photos(session, ticket_id=ticket.id)  # type: ignore[arg-type]
    return json_response({"photos": [
        PhotoOut(sha256=r.sha256, content_type=r.content_type, size=r.size, width=r.width, height=r.height,
                 url=f"{PREFIX}/tickets/{ticket.number}/photos/{r.sha256}").model_dump() for r in rows]})


@routes.get(PREFIX + "/tickets/{number}/photos/{sha256}")
async def get_photo(request: web.Request) -> web.StreamResponse:
    client = await client_for(request, Scope.TICKETS_READ)
    store = photos.PhotoStore(request.app[SETTINGS].media_dir)
    async with request.app[SESSIONS]() as session:
        row, path = await photos.open_photo(
            session,
            actor=client.actor(),
            number=request.match_info["number"],
            sha256=request.match_info["sha256"][:64],
            store=store,
        )
    return private_file(path, row.content_type)


def _int_param(request: web.Request, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return default
    return _int_value(raw, name, low, high)


_INTEGER = re.compile(r"-?[0-9]{1,19}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEEK = re.compile(WEEK_PATTERN)


def _int_value(raw: str, name: str, low: int, high: int) -> int:
    # Plain digits only: int() would also take " 5", "5_000" and full-width digits.
    if not _INTEGER.fullmatch(raw):
        raise ApiError(400, "bad_query", texts.ERR_BAD_QUERY.format(name=name, reason=texts.REASON_INTEGER))
    value = int(raw)
    if not low <= value <= high:
        raise ApiError(400, "bad_query", texts.ERR_BAD_QUERY.format(
            name=name, reason=texts.REASON_BETWEEN.format(low=low, high=high)))
    return value


def _date_param(request: web.Request, name: str) -> date | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        # YYYY-MM-DD only: Python 3.11 would also read 20261123 and 2026-W48-1.
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, "bad_query", texts.ERR_BAD_QUERY.format(name=name, reason=texts.REASON_DATE)
        ) from None
    if not day_in_range(day):
        raise ApiError(400, "bad_query", texts.ERR_BAD_QUERY.format(
            name=name, reason=texts.REASON_DATE_RANGE.format(first=EARLIEST_DAY, last=LATEST_DAY)))
    return day


@routes.get(PREFIX + "/tickets")
async def list_tickets(request: web.Request) -> web.Response:
    """Filters: unit_id, state (comma-separated), overdue=true|false, received_from / received_to
    (Shanghai dates, inclusive), limit (≤ 200), offset. Newest first."""
    client = await client_for(request, Scope.TICKETS_READ)
    rules = request.app[RULES]
    conditions: list[Any] = []
    unit_id = _int_param(request, "unit_id", None, 1, MAX_ID)
    if unit_id is not None:
        conditions.append(Ticket.main_unit_id == unit_id)
    if (states := request.query.get("state")) is not None:
        try:
            wanted = [TicketStatus(s) for s in states.split(",")]
        except ValueError:
            allowed = ", ".join(s.value for s in TicketStatus)
            raise ApiError(
                400, "bad_query", texts.ERR_BAD_QUERY.format(name="state", reason=f"可选值：{allowed}")
            ) from None
        conditions.append(col(Ticket.status).in_(wanted))
    overdue = request.query.get("overdue")
    if overdue not in (None, "true", "false"):
        raise ApiError(
            400, "bad_query", texts.ERR_BAD_QUERY.format(name="overdue", reason=texts.REASON_BOOLEAN)
        )
    now = rules.now()
    late = overdue_condition(now)
    if overdue == "true":
        conditions.append(late)
    elif overdue == "false":
        conditions.append(~late | col(Ticket.due_at).is_(None))
    if (start := _date_param(request, "received_from")) is not None:
        conditions.append(col(Ticket.received_at) >= local_midnight(start))
    if (end := _date_param(request, "received_to")) is not None:
        conditions.append(col(Ticket.received_at) < local_midnight(end + timedelta(days=1)))
    limit = _int_param(request, "limit", 50, 1, MAX_PAGE) or 50
    offset = _int_param(request, "offset", 0, 0, 10**9) or 0
    async with request.app[SESSIONS]() as session:
        total = (await session.exec(select(func.count()).select_from(Ticket).where(*conditions))).one()
        rows = list((await session.exec(
            select(Ticket).where(*conditions).order_by(col(Ticket.received_at).desc(), col(Ticket.id).desc())
            .offset(offset).limit(limit)
        )).all())
        co = await co_units_of(session, [t.id for t in rows if t.id is not None])
    items = [ticket_out(t, client=client, rules=rules, co_units=co.get(t.id or 0, [])) for t in rows]
    return json_response({"items": items, "total": int(total), "limit": limit, "offset": offset})


# --- workflow actions -------------------------------------------------------------------------

Run = Callable[[AsyncSession, Rules, Actor, str, Any], Awaitable[Ticket]]


@dataclass(frozen=True)
class ActionSpec:
    body: type[BaseModel]
    run: Run


def _noted(step: Callable[..., Awaitable[Ticket]]) -> Run:
    """A lifecycle step that takes only the body's note (rework, supervise, urge …)."""
    return lambda s, r, a, n, b: step(s, rules=r, actor=a, number=n, note=b.note)


async def _whistle(s: AsyncSession, r: Rules, a: Actor, n: str, b: WhistleIn) -> Ticket:
    await whistles.blow(s, rules=r, actor=a, number=n, unit_ids=b.unit_ids, reason=b.reason)
    return await queries.get_ticket(s, number=n)


async def _report_in(s: AsyncSession, r: Rules, a: Actor, n: str, b: EmptyIn) -> Ticket:
    await whistles.report_in(s, rules=r, actor=a, number=n, via="api")
    return await queries.get_ticket(s, number=n)


async def _whistle_meeting(s: AsyncSession, r: Rules, a: Actor, n: str, b: WhistleMeetingIn) -> Ticket:
    await whistles.record_meeting(
        s, rules=r, actor=a, number=n, day=b.date, place=b.place, attendees=b.attendees, decisions=b.decisions
    )
    return await queries.get_ticket(s, number=n)


async def _deputy_referral(s: AsyncSession, r: Rules, a: Actor, n: str, b: DeputyReferralIn) -> Ticket:
    await deputies.refer_by_deputy(s, rules=r, actor=a, number=n, deputy=b.deputy, station=b.station)
    return await queries.get_ticket(s, number=n)


ACTIONS: dict[str, ActionSpec] = {
    "brief_contact": ActionSpec(
        ContactIn,
        lambda s, r, a, n, b: svc.brief_contact(
            s, rules=r, actor=a, number=n, reached=b.reached, note=b.note
        ),
    ),
    "dispatch": ActionSpec(
        DispatchIn,
        lambda s, r, a, n, b: svc.dispatch(
            s, rules=r, actor=a, number=n, unit_id=b.unit_id, co_unit_ids=b.co_unit_ids, note=b.note
        ),
    ),
    "direct_answer": ActionSpec(
        DirectAnswerIn,
        lambda s, r, a, n, b: svc.direct_answer(s, rules=r, actor=a, number=n, answer=b.answer),
    ),
    "send_back": ActionSpec(
        SendBackIn, lambda s, r, a, n, b: svc.send_back(s, rules=r, actor=a, number=n, reason=b.reason)
    ),
    "accept": ActionSpec(EmptyIn, lambda s, r, a, n, b: svc.accept(s, rules=r, actor=a, number=n)),
    "first_contact": ActionSpec(
        ContactIn,
        lambda s, r, a, n, b: svc.first_contact(
            s, rules=r, actor=a, number=n, reached=b.reached, note=b.note
        ),
    ),
    "site_visit": ActionSpec(
        SiteVisitIn, lambda s, r, a, n, b: svc.site_visit(s, rules=r, actor=a, number=n, findings=b.findings)
    ),
    "request_return": ActionSpec(
        RequestReturnIn,
        lambda s, r, a, n, b: svc.request_return(
            s, rules=r, actor=a, number=n, reason=b.reason, suggested_unit=b.suggested_unit
        ),
    ),
    "decide_return": ActionSpec(
        DecideReturnIn,
        lambda s, r, a, n, b: svc.decide_return(
            s, rules=r, actor=a, number=n, approve=b.approve, new_unit_id=b.new_unit_id, note=b.note
        ),
    ),
    "request_extension": ActionSpec(
        RequestExtensionIn,
        lambda s, r, a, n, b: svc.request_extension(
            s, rules=r, actor=a, number=n, days=b.days, reason=b.reason
        ),
    ),
    "decide_extension": ActionSpec(
        DecideExtensionIn,
        lambda s, r, a, n, b: svc.decide_extension(
            s, rules=r, actor=a, number=n, approve=b.approve, note=b.note
        ),
    ),
    "reply": ActionSpec(ReplyIn, lambda s, r, a, n, b: svc.reply(s, rules=r, actor=a, number=n, data=b)),
    "callback": ActionSpec(
        CallbackIn, lambda s, r, a, n, b: svc.record_callback(s, rules=r, actor=a, number=n, answers=b)
    ),
    "rework": ActionSpec(ReasonIn, _noted(svc.rework)),
    "supervise": ActionSpec(NoteIn, _noted(svc.supervise)),
    "archive": ActionSpec(ReasonIn, _noted(svc.archive)),
    "urge": ActionSpec(NoteIn, _noted(svc.urge)),
    "recall": ActionSpec(NoteIn, _noted(svc.recall)),
    "recheck": ActionSpec(NoteIn, _noted(svc.recheck)),
    # 吹哨报到 and the deputies' linkage (tickets.whistles, tickets.deputies).
    "whistle": ActionSpec(WhistleIn, _whistle),
    "report_in": ActionSpec(EmptyIn, _report_in),
    "whistle_meeting": ActionSpec(WhistleMeetingIn, _whistle_meeting),
    "deputy_referral": ActionSpec(DeputyReferralIn, _deputy_referral),
}

# Workflow actions whose API name differs (one route decides both outcomes).
API_NAME: dict[Any, str] = {
    Action.APPROVE_RETURN: "decide_return", Action.REFUSE_RETURN: "decide_return",
    Action.APPROVE_EXTENSION: "decide_extension", Action.REFUSE_EXTENSION: "decide_extension",
    Action.CLOSE: "callback", Action.CALLBACK_ATTEMPT: "callback",
}


# Any name but a sub-resource with routes of its own (GET …/photos): a 405 there must not
# advertise POST, which only this route would have taken (to answer 404 unknown_action).
@routes.post(PREFIX + "/tickets/{number}/{action:(?!photos$)[^{}/]+}")
async def ticket_action(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_ACT)
    name = request.match_info["action"]
    spec = ACTIONS.get(name)
    if spec is None:
        raise ApiError(404, "unknown_action", texts.ERR_UNKNOWN_ACTION.format(
            action=name[:40], allowed="、".join(ACTIONS)))
    raw = await read_body(request)
    if raw.strip():
        require_json_type(request)  # an action without a body (accept) needs no content type
    body = validate(spec.body, parse_json(raw) if raw.strip() else {})
    rules = request.app[RULES]
    async with writing(request.app) as session:
        ticket = await spec.run(session, rules, client.actor(), request.match_info["number"], body)
        co = await queries.co_unit_ids(session, ticket=ticket)
        out = ticket_out(ticket, client=client, rules=rules, co_units=co)
    return json_response(out)


# --- units and duty -------------------------------------------------------------------------------


def duty_out(unit_id: int, day: date, login: DutyLogin | None, rules: Rules) -> DutyOut:
    return DutyOut(unit_id=unit_id, date=day, logged_in=login is not None,
                   first_login_at=login.first_login_at if login else None,
                   deadline=rules.policy.checks.duty_login_deadline.strftime("%H:%M"))


@routes.get(PREFIX + "/units")
async def list_units(request: web.Request) -> web.Response:
    await client_for(request, Scope.TICKETS_READ)
    rules = request.app[RULES]
    day = local(rules.now()).date()
    async with request.app[SESSIONS]() as session:
        units = list((await session.exec(select(Unit).order_by(col(Unit.id)))).all())
        logins = {
            d.unit_id: d
            for d in (await session.exec(select(DutyLogin).where(DutyLogin.work_date == day))).all()
        }
    out = [
        UnitOut(
            id=u.id or 0,
            name=u.name,
            kind=u.kind.value,
            kind_label=ticket_texts.UNIT_KIND[u.kind],
            parent_id=u.parent_id,
            active=u.active,
            duty=duty_out(u.id or 0, day, logins.get(u.id or 0), rules),
        ).model_dump(mode="json")
        for u in units
    ]
    return json_response(out)


@routes.get(PREFIX + "/units/{unit_id}/duty")
async def unit_duty(request: web.Request) -> web.Response:
    await client_for(request, Scope.TICKETS_READ)
    rules = request.app[RULES]
    unit_id = _int_value(request.match_info["unit_id"], "unit_id", 1, MAX_ID)
    day = _date_param(request, "date") or local(rules.now()).date()
    async with request.app[SESSIONS]() as session:
        unit = await queries.get_unit(session, unit_id=unit_id)
        login = (await session.exec(
            select(DutyLogin).where(DutyLogin.unit_id == unit.id, DutyLogin.work_date == day))).first()
    return json_response(duty_out(unit_id, day, login, rules).model_dump(mode="json"))


# --- knowledge base ---------------------------------------------------------------------------------


@routes.post(PREFIX + "/kb/ask")
async def kb_ask(request: web.Request) -> web.Response:
    await client_for(request, Scope.KB_ASK)
    body = validate(KbAskIn, await read_json(request))
    ask = request.app.get(KB_ASK)
    if ask is None:
        raise ApiError(503, "kb_unavailable", texts.ERR_KB_UNAVAILABLE)
    # Encoding the question takes ~25 ms of C code that releases the GIL: off the loop.
    out = await asyncio.to_thread(ask, body.text, declined=frozenset(body.declined_entry_ids))
    request.app[METRICS].kb_answers.labels(out["band"], "api").inc()
    if out.pop("missed", False):
        # Kept (masked) for the office's weekly gap list, as the bot's misses are.
        async with writing(request.app) as session:
            await kb_service.record_miss(
                session, query=body.text, clock=request.app[RULES].clock, channel="api"
            )
    return json_response(out)


# --- the unit router's quality (office) -------------------------------------------------------


@routes.get(PREFIX + "/routing/quality")
async def routing_quality(request: web.Request) -> web.Response:
    """How often the router's suggestions were right: top-1 / top-3 per week and per unit
    (tickets.routing_labels), for Shanghai days [from, to]; default the last 8 weeks."""
    client = await client_for(request, Scope.TICKETS_READ)
    if client.role is not Role.OFFICE:
        raise ApiError(403, "office_only", texts.ERR_OFFICE_ONLY_ROUTING)
    start, end = quality_period(None, today=local(request.app[RULES].now()).date())
    first, last = _date_param(request, "from"), _date_param(request, "to")
    start = first or start
    end = last + timedelta(days=1) if last is not None else end
    async with request.app[SESSIONS]() as session:
        quality = await router_quality(session, start=start, end=end)
    return json_response(quality_as_dict(quality))


# --- knowledge-base gaps (office) -------------------------------------------------------------


async def _office(request: web.Request) -> Client:
    client = await client_for(request, Scope.KB_ASK)
    if client.role is not Role.OFFICE:
        raise ApiError(403, "office_only", texts.ERR_OFFICE_ONLY)
    if request.app.get(KB) is None:
        raise ApiError(503, "kb_unavailable", texts.ERR_KB_UNAVAILABLE)
    return client


@routes.get(PREFIX + "/kb/gaps")
async def kb_gaps(request: web.Request) -> web.Response:
    """The week's unanswered and "没解决" questions, clustered (knowledge_base.gaps)."""
    await _office(request)
    week = request.query.get("week", "")
    if not _WEEK.fullmatch(week):
        raise ApiError(400, "bad_query", texts.ERR_BAD_QUERY.format(name="week", reason=texts.REASON_WEEK))
    min_size = _int_param(request, "min_size", 1, 1, 10_000) or 1
    async with request.app[SESSIONS]() as session:
        found = await gaps.weekly_gaps(session, kb=request.app[KB].current, week=week, min_size=min_size)
    return json_response({"week": week, "clusters": [g.as_dict() for g in found]})


@routes.post(PREFIX + "/kb/gaps/entry")
async def kb_gap_entry(request: web.Request) -> web.Response:
    """One step from a cluster to a new entry: its questions, the given answer."""
    client = await _office(request)
    body = validate(KbGapEntryIn, await read_json(request))
    async with writing(request.app) as session:
        found = await gaps.weekly_gaps(session, kb=request.app[KB].current, week=body.week)
        gap = gaps.find_cluster(found, body.cluster)
        record = await gaps.entry_from_cluster(
            session, gap=gap, answer=body.answer, key=body.key, unit=body.unit, category=body.category
        )
        await kb_service.upsert_entries(
            session, records=[record], actor=client.name, clock=request.app[RULES].clock
        )
    # Answered from at once: the index is rebuilt (in a thread) before the office is told.
    await request.app[KB].refresh()
    return json_response(
        {
            "id": record.id,
            "question": record.question,
            "alternatives": list(record.alternatives),
            "unit": record.unit,
        },
        status=201,
    )
