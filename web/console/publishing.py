"""信箱公开: the replied 市长信箱 letters, a preview of exactly what the public page will show,
and publish / withdraw. Every rule (consent, closed, the cleaned text) is tickets.mailbox's;
this page shows its answers and posts to it."""

from __future__ import annotations

from aiohttp import web

from integrations.db import writing
from integrations.state import RULES, SESSIONS
from tickets import mailbox
from tickets.errors import HotlineError
from web.console import texts
from web.console.actions import Fields
from web.console.pages import office_only, page
from web.console.viewer import viewer

routes = web.RouteTableDef()
SHOW = {
    "ready": lambda row: row.published_at is None and row.blocked is None,
    "published": lambda row: row.published_at is not None,
    "blocked": lambda row: row.published_at is None and row.blocked is not None,
}


@routes.get("/console/mailbox")
async def letter_list(request: web.Request) -> web.Response:
    office_only(viewer(request))
    show = request.query.get("show", "")
    show = show if show in SHOW else ""
    async with request.app[SESSIONS]() as session:
        rows = await mailbox.replied_letters(session)
    total = len(rows)
    if show:
        rows = [row for row in rows if SHOW[show](row)]
    return page(request, "mailbox.html", "mailbox", rows=rows, total=total, show=show)


def _number(request: web.Request) -> str:
    return request.match_info["number"][:30]


async def _preview_page(request: web.Request, *, error: str = "", reason: str = "",
                        status: int = 200) -> web.Response:
    async with request.app[SESSIONS]() as session:
        found = await mailbox.preview(session, number=_number(request))
    return page(request, "mailbox_letter.html", "mailbox", found=found, error=error, reason=reason,
                done=texts.MAILBOX_DONE.get(request.query.get("done", ""), ""), status=status)


@routes.get("/console/mailbox/{number}")
async def letter_preview(request: web.Request) -> web.Response:
    office_only(viewer(request))
    return await _preview_page(request)


@routes.post("/console/mailbox/{number}/publish")
@routes.post("/console/mailbox/{number}/unpublish")
async def letter_action(request: web.Request) -> web.Response:
    me = viewer(request)
    office_only(me)
    name = request.path.rsplit("/", 1)[1]
    number = _number(request)
    form = await request.post()
    reason = ""
    try:
        async with writing(request.app) as session:
            if name == "publish":
                await mailbox.publish(session, rules=request.app[RULES], actor=me.actor, number=number)
            else:
                reason = Fields(form).text("reason")
                await mailbox.unpublish(session, rules=request.app[RULES], actor=me.actor, number=number,
                                        reason=reason)
    except HotlineError as error:
        if error.http_status == 404:
            raise
        return await _preview_page(request, error=error.message, reason=reason, status=error.http_status)
    raise web.HTTPSeeOther(f"/console/mailbox/{number}?done={name}")
