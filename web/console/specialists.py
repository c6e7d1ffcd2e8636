"""政企通专员: the register of policy specialists per unit and policy area — list, add, and
stop (with a confirmation) — through the same tickets.enterprise functions as the CLI's
`specialist add|list|remove`."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from integrations.db import writing
from integrations.state import RULES, SESSIONS
from tickets import enterprise
from tickets.errors import HotlineError, NotFound, ValidationFailed
from web.console import queries, texts
from web.console.actions import Fields
from web.console.pages import office_only, page
from web.console.viewer import viewer

routes = web.RouteTableDef()
PATH = "/console/specialists"


async def _register_page(request: web.Request, *, errors: dict[str, str] | None = None,
                         form: Any = None, status: int = 200) -> web.Response:
    unit = request.query.get("unit_id", "")
    show_all = request.query.get("all") == "yes"
    async with request.app[SESSIONS]() as session:
        entries = await enterprise.list_specialists(session, include_inactive=show_all)
        candidates = await enterprise.specialist_candidates(session)
        areas = await enterprise.policy_areas(session)
        units = await queries.handling_unit_list(session)
    total = len(entries)
    if unit.isdigit():
        entries = [e for e in entries if e.unit_id == int(unit)]
    return page(request, "specialists.html", "specialists", entries=entries, total=total,
                candidates=candidates, areas=areas, units=units, unit=unit, show_all=show_all,
                errors=errors or {}, form=form or {},
                done=texts.SPECIALISTS_DONE.get(request.query.get("done", ""), ""), status=status)


@routes.get(PATH)
async def register(request: web.Request) -> web.Response:
    office_only(viewer(request))
    return await _register_page(request)


@routes.post(PATH)
async def add(request: web.Request) -> web.Response:
    me = viewer(request)
    office_only(me)
    form = await request.post()
    fields = Fields(form)
    field = "staff_id"
    try:
        staff_id = fields.number("staff_id", required=False)
        if staff_id is None:
            raise ValidationFailed(texts.ERR_SPECIALIST_STAFF)
        field = "policy_area"
        area = fields.text("policy_area", limit=200)
        async with writing(request.app) as session:
            chosen = [c for c in await enterprise.specialist_candidates(session) if c.staff_id == staff_id]
            if not chosen:
                field = "staff_id"
                raise ValidationFailed(texts.ERR_SPECIALIST_STAFF)
            # The register checks the area (ValidationFailed) and the person (the rest).
            field = "policy_area"
            try:
                await enterprise.register_specialist(
                    session, rules=request.app[RULES], actor=me.actor, unit_id=chosen[0].unit_id,
                    staff_id=staff_id, policy_area=area)
            except HotlineError as error:
                field = "policy_area" if isinstance(error, ValidationFailed) else "staff_id"
                raise
    except HotlineError as error:
        return await _register_page(request, errors={field: error.message}, form=form,
                                    status=error.http_status)
    raise web.HTTPSeeOther(f"{PATH}?done=added")


def _specialist_id(request: web.Request) -> int:
    raw = request.match_info["specialist_id"]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(texts.ERR_SPECIALIST_MISSING)
    return int(raw)


@routes.get(PATH + "/{specialist_id}/remove")
async def confirm_remove(request: web.Request) -> web.Response:
    office_only(viewer(request))
    async with request.app[SESSIONS]() as session:
        entry = await enterprise.get_specialist(session, specialist_id=_specialist_id(request))
    return page(request, "specialist_remove.html", "specialists", entry=entry)


@routes.post(PATH + "/{specialist_id}/remove")
async def remove(request: web.Request) -> web.Response:
    me = viewer(request)
    office_only(me)
    async with writing(request.app) as session:
        await enterprise.deactivate_specialist(session, rules=request.app[RULES], actor=me.actor,
                                               specialist_id=_specialist_id(request))
    raise web.HTTPSeeOther(f"{PATH}?done=removed")
