"""What every web area shares: Jinja2 templates (autoescaped), the app's own static files,
signed-in sessions, CSRF checks, security headers and HTML error pages.

An area (the console, the citizens' H5 pages) is one call:

    register_area(app, Area(name="console", prefix="/console/", templates=HERE / "templates",
                            guard=my_guard, home="/console/"))

and then adds its routes to `app.router`. Its templates are named "<name>/page.html" and
extend "shared/base.html". The guard runs before every request of the area (after the
session is looked up) and returns a response (e.g. a redirect to sign-in) or None."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from markupsafe import Markup

from integrations.http import MAX_BODY
from tickets.errors import HotlineError
from web import csrf, sessions, texts
from web.config import WebSettings

log = logging.getLogger("web")

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/static/"

Guard = Callable[[web.Request], Awaitable[web.StreamResponse | None]]


@dataclass(frozen=True)
class Area:
    name: str  # template folder prefix: "console/x.html"
    prefix: str  # URL prefix, with a trailing slash: "/console/"
    templates: Path
    guard: Guard | None = None
    home: str = "/"
    # Extra names for every template of the area (labels, nav entries).
    globals: dict[str, Any] = field(default_factory=dict)

    def owns(self, path: str) -> bool:
        return path.startswith(self.prefix) or path == self.prefix.rstrip("/")


AREAS = web.AppKey("web_areas", list[Area])
LOADERS = web.AppKey("web_template_loaders", dict[str, jinja2.BaseLoader])
WEB_SETTINGS = web.AppKey("web_settings", WebSettings)
SECRET = web.AppKey("web_secret", bytes)
ASSET_VERSIONS = web.AppKey("web_asset_versions", dict[str, str])
# Per request: the area, the session (None when signed out) and whether one just expired.
AREA = web.RequestKey("web_area", Area)
SESSION: web.RequestKey[sessions.Session | None] = web.RequestKey("web_session")
EXPIRED = web.RequestKey("web_session_expired", bool)
NEW_SESSION_TOKEN = web.RequestKey("web_new_session_token", str)
END_SESSION = web.RequestKey("web_end_session", bool)

# No inline script or style anywhere: every script and stylesheet is a file the app serves.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def setup_base(app: web.Application, settings: WebSettings) -> None:
    app[WEB_SETTINGS] = settings
    if settings.web_secret:
        app[SECRET] = settings.web_secret.encode()
    else:
        log.warning("HOTLINE_WEB_SECRET is not set: a random key is used; forms opened before a restart "
                    "(or on another instance) will be refused once")
        app[SECRET] = secrets.token_bytes(32)
    loaders: dict[str, jinja2.BaseLoader] = {"shared": jinja2.FileSystemLoader(HERE / "templates" / "shared")}
    app[LOADERS] = loaders
    app[AREAS] = []
    app[ASSET_VERSIONS] = {}
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.PrefixLoader(loaders), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(asset=lambda path: asset_url(app, path), site_title=texts.SITE_TITLE)
    env.filters["list_lines"] = list_lines
    app.router.add_static(STATIC_PREFIX, STATIC_DIR, name="static", follow_symlinks=False)
    app.middlewares.append(_area_middleware)
    app.on_response_prepare.append(_on_response_prepare)


# A numbered item inside a paragraph ("需提交：1.身份证；2.户口簿。"), as office FAQs write
# lists; not a decimal ("；2.5元") nor a number in a sentence ("第1.").
_LIST_ITEM = re.compile(r"(?<=[：:；;。])\s*(?=(?:\d{1,2}|[一二三四五六七八九十]{1,3})[.．、](?!\d))")


def list_lines(text: str) -> str:
    """Each numbered item of an answer on its own line (the answer is shown with pre-line)."""
    return _LIST_ITEM.sub("\n", text)


def register_area(app: web.Application, area: Area) -> None:
    """One call per area: its templates become "<name>/…", its guard runs on its paths."""
    app[LOADERS][area.name] = jinja2.FileSystemLoader(area.templates)
    app[AREAS].append(area)


def asset_url(app: web.Application, path: str) -> str:
    """/static/<path>?v=<content hash>: browsers keep assets for a year and fetch a new file at once."""
    versions = app[ASSET_VERSIONS]
    if path not in versions:
        versions[path] = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}{path}?v={versions[path]}"


def area_of(app: web.Application, path: str) -> Area | None:
    for area in app[AREAS]:
        if area.owns(path):
            return area
    return None


def _context(request: web.Request) -> dict[str, Any]:
    """What every template gets (aiohttp_jinja2's own context processors store under plain
    string keys on the request, which this app's warnings-as-errors policy refuses)."""
    area = request.get(AREA)
    secret = request.app[SECRET]
    token = csrf.token_for(secret, csrf.basis_of(request))
    values: dict[str, Any] = {
        "request": request,
        "csrf_token": token,
        "csrf_field": lambda: Markup('<input type="hidden" name="{}" value="{}">').format(csrf.FIELD, token),
        "csrf_header": csrf.HEADER,
        "area_home": area.home if area else "/",
    }
    if area is not None:
        values.update(area.globals)
    return values


def render(
    template: str, request: web.Request, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    response = aiohttp_jinja2.render_template(template, request, _context(request) | context, status=status)
    response.headers["Cache-Control"] = "no-store"  # pages carry personal data and tokens
    return response


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    area = request.get(AREA)
    name = f"{area.name}/error.html" if area else "shared/error.html"
    try:
        request.app[aiohttp_jinja2.APP_KEY].get_template(name)
    except jinja2.TemplateNotFound:
        name = "shared/error.html"
    title = texts.ERROR_TITLE.get(status, texts.ERROR_TITLE_DEFAULT)
    return render(name, request, {"status": status, "title": title, "message": message}, status=status)


def _http_message(error: web.HTTPException, request: web.Request) -> str:
    match error.status:
        case 403:
            return texts.ERR_FORBIDDEN
        case 404:
            return texts.ERR_NOT_FOUND
        case 405:
            return texts.ERR_METHOD
        case 413:
            return texts.ERR_TOO_LARGE.format(limit=f"{MAX_BODY // (1024 * 1024)} MB")
        case _:
            return error.text if error.content_type == "text/plain" and error.text else texts.ERR_BAD_REQUEST


@web.middleware
async def _area_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    area = area_of(request.app, request.path)
    if area is None:
        return await handler(request)
    request[AREA] = area
    settings = request.app[WEB_SETTINGS]
    found = await sessions.lookup(request.app, settings, request.cookies.get(sessions.COOKIE))
    request[SESSION] = found.session
    request[EXPIRED] = found.expired
    if found.session is not None:
        request[csrf.BASIS] = found.session.token_hash
    try:
        return _with_cookies(request, await _guarded(request, area, handler))
    except web.HTTPException as error:
        if error.status < 400:
            raise _with_cookies(request, error) from None
        return _with_cookies(request, error_page(request, error.status, _http_message(error, request)))


async def _guarded(request: web.Request, area: Area,
                   handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    try:
        if area.guard is not None and (denied := await area.guard(request)) is not None:
            return denied
        if request.method in UNSAFE and not await csrf.check(request, request.app[SECRET]):
            return error_page(request, 403, texts.ERR_CSRF)
        return await handler(request)
    except HotlineError as error:
        return error_page(request, error.http_status, error.message)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.rel_url.path)
        return error_page(request, 500, texts.ERR_INTERNAL)


def secure_cookies(request: web.Request) -> bool:
    configured = request.app[WEB_SETTINGS].web_secure_cookies
    if configured is not None:
        return configured
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def sign_in(request: web.Request, token: str) -> None:
    """Hand the new session's cookie to the browser with this request's response."""
    request[NEW_SESSION_TOKEN] = token


def sign_out(request: web.Request) -> None:
    request[END_SESSION] = True


def _with_cookies(request: web.Request, response: web.StreamResponse) -> Any:
    """The session and CSRF cookies this request decided on (aiohttp writes cookies into the
    headers before on_response_prepare, so they are set here, on the way out of the area)."""
    secure = secure_cookies(request)
    if (token := request.get(NEW_SESSION_TOKEN)) is not None:
        response.set_cookie(sessions.COOKIE, token, path="/", httponly=True, samesite="Lax", secure=secure)
    elif request.get(END_SESSION) or request.get(EXPIRED):
        response.del_cookie(sessions.COOKIE, path="/")
    if (anon := request.get(csrf.NEW_ANON)) is not None:
        response.set_cookie(csrf.ANON_COOKIE, anon, path="/", httponly=True, samesite="Lax", secure=secure)
    return response


async def _on_response_prepare(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith(STATIC_PREFIX):
        response.headers.update(SECURITY_HEADERS)
        if request.query.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif AREA in request:
        response.headers.update(SECURITY_HEADERS)
