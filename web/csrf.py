"""CSRF protection of every form of the web areas.

The token is an HMAC of a per-browser basis: the signed-in session (its stored token hash),
or before sign-in a random cookie (`hl_csrf`). A page of another site can neither read the
token nor make one, so a form it posts carries none and is refused. Templates put it in
forms as `{{ csrf_field() }}`; htmx sends it as the `X-CSRF-Token` header (the base template
says so once for the whole page)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

FIELD = "_csrf"
HEADER = "X-CSRF-Token"
ANON_COOKIE = "hl_csrf"
# The basis of this request when it had none and we made one (set as a cookie on the way out).
NEW_ANON = web.RequestKey("web_new_anon_csrf", str)
BASIS = web.RequestKey("web_csrf_basis", str)


def token_for(secret: bytes, basis: str) -> str:
    return hmac.new(secret, b"csrf:" + basis.encode(), hashlib.sha256).hexdigest()


def basis_of(request: web.Request) -> str:
    """The session's basis when signed in, else the browser's anonymous cookie (made on first use)."""
    if BASIS in request:
        return request[BASIS]
    value = request.cookies.get(ANON_COOKIE, "")
    if len(value) < 20:
        value = secrets.token_urlsafe(24)
        request[NEW_ANON] = value
    request[BASIS] = value
    return value


async def submitted_token(request: web.Request) -> str:
    if (header := request.headers.get(HEADER)) is not None:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()  # cached: the handler reads the same form again for free
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check(request: web.Request, secret: bytes) -> bool:
    """Whether an unsafe request carries the token of this browser."""
    given = await submitted_token(request)
    return bool(given) and hmac.compare_digest(given, token_for(secret, basis_of(request)))
