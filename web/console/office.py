"""The office's checks: the duty board (值班签到, 16:00) and the letters (提示函)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from aiohttp import web
from markdown_it import MarkdownIt
from markupsafe import Markup

from integrations.state import RULES, SESSIONS
from tickets import letter_texts
from tickets.clock import local
from tickets.duty import login_deadline
from tickets.enums import NoticeKind
from tickets.errors import NotFound
from tickets.letters import docx_filename, get_notice, list_notices, notice_docx
from web.console import queries, texts
from web.console.pages import office_only, page
from web.console.viewer import viewer

routes = web.RouteTableDef()
HISTORY_DAYS = 10


def _day(raw: str | None, today: date) -> date:
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise NotFound(texts.ERR_BAD_DATE) from None
    return min(day, today)


@routes.get("/console/duty")
async def duty(request: web.Request) -> web.Response:
    office_only(viewer(request))
    rules = request.app[RULES]
    now = rules.now()
    today = local(now).date()
    day = _day(request.query.get("date"), today)
    deadline = login_deadline(rules, day)
    workday = rules.calendar.is_workday(day)
    async with request.app[SESSIONS]() as session:
        board = await queries.duty_board(session, day=day, deadline=deadline)
        letters = await list_notices(session, kind=NoticeKind.DUTY_LOGIN_MISSING, period=day.isoformat())
        history: list[tuple[date, int, int]] = []
        back = day
        while len(history) < HISTORY_DAYS and (day - back).days < 40:
            back -= timedelta(days=1)
            if rules.calendar.is_workday(back):
                rows = await queries.duty_board(session, day=back, deadline=login_deadline(rules, back))
                history.append((back, sum(1 for r in rows if r.first_login_at and not r.late), len(rows)))
    past_deadline = now >= deadline
    return page(request, "duty.html", "duty", board=board, day=day, today=today, workday=workday,
                past_deadline=past_deadline, deadline=deadline, letters=letters, history=history,
                missing=[r for r in board if not r.first_login_at or r.late],
                previous=day - timedelta(days=1), following=day + timedelta(days=1) if day < today else None,
                local=local)


@routes.get("/console/letters")
async def letters(request: web.Request) -> web.Response:
    office_only(viewer(request))
    kind_raw = request.query.get("kind", "")
    kind = NoticeKind(kind_raw) if kind_raw in {k.value for k in NoticeKind} else None
    unit = request.query.get("unit_id", "")
    period = request.query.get("period", "").strip()[:20]
    async with request.app[SESSIONS]() as session:
        rows = await list_notices(
            session, kind=kind, unit=unit if unit.isdigit() else None, period=period or None
        )
        units = await queries.handling_unit_list(session)
    return page(
        request,
        "letters.html",
        "letters",
        rows=rows,
        units=units,
        kind=kind_raw,
        unit=unit,
        period=period,
        kinds=letter_texts.NOTICE_KIND_LABEL,
        local=local,
    )


async def _notice(request: web.Request) -> tuple[object, str]:
    office_only(viewer(request))
    raw = request.match_info["notice_id"]
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(texts.ERR_LETTER_NOT_FOUND)
    async with request.app[SESSIONS]() as session:
        return await get_notice(session, notice_id=int(raw))


@routes.get("/console/letters/{notice_id}")
async def letter(request: web.Request) -> web.Response:
    notice, unit = await _notice(request)
    return page(request, "letter.html", "letters", notice=notice, unit=unit, body=letter_html(notice.body),  # type: ignore[attr-defined]
                kinds=letter_texts.NOTICE_KIND_LABEL, local=local)


# CommonMark with tables; html=False: any markup inside a letter is shown as text, never run.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def letter_html(body: str) -> Markup:
    return Markup(_MARKDOWN.render(body))  # safe: rendered with raw HTML disabled


@routes.get("/console/letters/{notice_id}/docx")
async def letter_docx(request: web.Request) -> web.Response:
    notice, unit = await _notice(request)
    body = notice_docx(notice)  # type: ignore[arg-type]
    name = docx_filename(notice, unit)  # type: ignore[arg-type]
    return web.Response(
        body=body,
        headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Content-Disposition": f"attachment; filename=\"letter-{notice.id}.docx\"; "  # type: ignore[attr-defined]
            f"filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )
