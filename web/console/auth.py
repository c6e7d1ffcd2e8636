"""Sign-in, sign-out and the console's guard: anonymous requests go to /console/login."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import quote, urlsplit

from aiohttp import web
from sqlmodel import select

from integrations.db import writing
from integrations.state import RULES, SESSIONS
from tickets.context import Actor
from tickets.enums import Role
from tickets.logins import record_duty_login
from tickets.models import Staff, Unit
from web import sessions
from web.base import EXPIRED, SESSION, WEB_SETTINGS, render, sign_in, sign_out
from web.console import passwords, texts
from web.console.viewer import VIEWER, Viewer
from web.models import StaffPassword

LOGIN_PATH = "/console/login"
HOME_PATH = "/console/"
SUBJECT = passwords.SUBJECT
OPEN_PATHS = frozenset({LOGIN_PATH})
STAFF_ROLES = frozenset({Role.OFFICE, Role.HANDLER})

routes = web.RouteTableDef()


def safe_next(value: str | None) -> str:
    """Only a path of the console itself: never an open redirect to another site."""
    if not value:
        return HOME_PATH
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/") or value.startswith("//"):
        return HOME_PATH
    return value


def _to_login(request: web.Request, *, expired: bool) -> web.StreamResponse:
    target = request.path_qs if request.method == "GET" else request.headers.get("Referer", "")
    query = f"?next={quote(safe_next(urlsplit(target).path if target.startswith('http') else target))}"
    if expired:
        query += "&expired=1"
    url = LOGIN_PATH + query
    if request.headers.get("HX-Request"):
        # htmx follows this header with a full page load instead of swapping the sign-in form in.
        return web.Response(status=204, headers={"HX-Redirect": url})
    raise web.HTTPSeeOther(url)


async def guard(request: web.Request) -> web.StreamResponse | None:
    if request.path in OPEN_PATHS:
        return None
    session = request[SESSION]
    if session is None or session.subject != SUBJECT:
        return _to_login(request, expired=request[EXPIRED])
    async with request.app[SESSIONS]() as db:
        staff = await db.get(Staff, session.subject_id)
        unit = await db.get(Unit, staff.unit_id) if staff is not None and staff.unit_id else None
    if staff is None or not staff.active or staff.role not in STAFF_ROLES:
        await sessions.end(request.app, session.token_hash)
        sign_out(request)
        return _to_login(request, expired=False)
    request[VIEWER] = Viewer(actor=Actor.of_staff(staff), staff_id=staff.id or 0, name=staff.name,
                             unit_id=staff.unit_id, unit_name=unit.name if unit else "")
    return None


@routes.get(LOGIN_PATH)
async def login_page(request: web.Request) -> web.Response:
    if (current := request[SESSION]) is not None and current.subject == SUBJECT:
        raise web.HTTPSeeOther(safe_next(request.query.get("next")))
    notice = ""
    if request.query.get("expired") or request[EXPIRED]:
        notice = texts.MSG_EXPIRED
    elif request.query.get("out"):
        notice = texts.MSG_SIGNED_OUT
    return render("console/login.html", request, {"error": "", "notice": notice, "login": "",
                                                  "next": safe_next(request.query.get("next"))})


@routes.post(LOGIN_PATH)
async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    login = str(form.get("login", "")).strip()[:50]
    password = str(form.get("password", ""))[:256]
    target = safe_next(str(form.get("next", "")))
    settings = request.app[WEB_SETTINGS]
    now = request.app[RULES].now()
    async with request.app[SESSIONS]() as db:
        row = (
            (await db.exec(select(StaffPassword).where(StaffPassword.login == login))).first()
            if login
            else None
        )
    ok = await asyncio.to_thread(passwords.matches, row.password_hash if row else None, password)
    async with writing(request.app) as db:
        current = await db.get(StaffPassword, row.staff_id) if row else None
        staff = await db.get(Staff, row.staff_id) if row else None
        attempt = await passwords.record_attempt(
            db, row=current, staff=staff, ok=ok, now=now, limit=settings.web_lockout_attempts,
            lock=timedelta(minutes=settings.web_lockout_minutes))
        if attempt.staff is not None and attempt.staff.role is Role.HANDLER and attempt.staff.unit_id:
            # Signing in to the platform is the unit's duty login of the day (DOMAIN §5).
            await record_duty_login(db, rules=request.app[RULES], unit_id=attempt.staff.unit_id,
                                    staff_id=attempt.staff.id)
    if attempt.staff is None or attempt.staff.role not in STAFF_ROLES:
        return render("console/login.html", request,
                      {"error": attempt.error or texts.ERR_BAD_CREDENTIALS, "notice": "", "login": login,
                       "next": target}, status=401)
    token = await sessions.start(request.app, settings, subject=SUBJECT, subject_id=attempt.staff.id or 0)
    sign_in(request, token)
    raise web.HTTPSeeOther(target)


@routes.post("/console/logout")
async def logout(request: web.Request) -> web.Response:
    if (session := request[SESSION]) is not None:
        await sessions.end(request.app, session.token_hash)
    sign_out(request)
    raise web.HTTPSeeOther(LOGIN_PATH + "?out=1")
