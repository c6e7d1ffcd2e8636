"""What every route shares: JSON errors, body limits, JSON parsing, API-key checks with
a per-key rate limit and request metrics. (Log lines are masked process-wide: tickets.privacy.)"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from aiolimiter import AsyncLimiter
from pydantic import BaseModel, ValidationError

from integrations import texts
from integrations.keys import Client, KeyStore, Scope
from integrations.metrics import Metrics
from tickets.errors import HotlineError
from tickets.sanitize import CONTROL, ControlCharacter, find_control

log = logging.getLogger("integrations.http")

MAX_BODY = 1024 * 1024
# Deep enough for every body the API defines (three levels at most); far below the depth at
# which the C parser gives up with a RecursionError (a 500 before this check).
MAX_JSON_DEPTH = 32
JSON_TYPE = "application/json"
# Seconds a client may take to send a request's body once its headers are in (slow senders
# would otherwise hold a connection and a handler for ever); set by init_app.
BODY_TIMEOUT = web.AppKey("body_timeout", float)
# Paths allowed a larger body than MAX_BODY (an extension's uploads), with their limit in bytes.
BODY_LIMITS = web.AppKey("body_limits", dict[str, int])
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(HotlineError):
    """An adapter-level error (auth, parsing, limits) in the same shape as domain errors."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.http_status = status
        self.code = code
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   *, open311: bool = False) -> web.Response:
    # Open311 GeoReport v2 clients expect their own error list: [{"code": <HTTP status>, "description"}].
    body: Any = (
        [{"code": status, "description": message}]
        if open311
        else {"error": {"code": code, "message": message}}
    )
    return web.json_response(body, status=status, headers=headers, dumps=dumps)


def private_file(path: Path, content_type: str) -> web.FileResponse:
    """A citizen's file (a photo) for the people entitled to it: never kept by a shared cache,
    and served as the type we stored (the file was re-encoded), not one a browser guesses."""
    return web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": "private, no-store",
                                           "X-Content-Type-Options": "nosniff"})


def dumps(value: Any) -> str:
    # Chinese stays readable in responses instead of \\uXXXX escapes.
    return json.dumps(value, ensure_ascii=False)


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(value, status=status, headers=headers, dumps=dumps)


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "route_not_found",
               405: "method_not_allowed", 413: "body_too_large"}
# An aiohttp 405 says which methods the resource has; its Allow header must survive the rewrite.
_KEPT_HEADERS = ("Allow",)


def _http_error(error: web.HTTPException, request: web.Request, *, open311: bool) -> web.Response:
    status = error.status
    if status == 404:
        message = texts.ERR_ROUTE_NOT_FOUND
    elif status == 405:
        message = texts.ERR_METHOD_NOT_ALLOWED.format(method=request.method)
    elif status == 413:
        message = texts.ERR_BODY_TOO_LARGE.format(limit="1 MB")
    else:
        message = error.reason
    headers = {name: error.headers[name] for name in _KEPT_HEADERS if name in error.headers}
    return error_response(
        status, _HTTP_CODES.get(status, "http_error"), message, headers or None, open311=open311
    )


OPEN311_PREFIX = "/open311/"


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain and adapter errors become `{"error": {"code", "message"}}` with their status
    (Open311 routes: the GeoReport error list). Nothing else leaks out, not even a traceback."""
    open311 = request.path.startswith(OPEN311_PREFIX)
    limit = request.app.get(BODY_LIMITS, {}).get(request.path, MAX_BODY)
    if request.content_length is not None and request.content_length > limit:
        return error_response(413, "body_too_large", texts.ERR_BODY_TOO_LARGE.format(
            limit=f"{limit // (1024 * 1024)} MB"), open311=open311)
    if limit != MAX_BODY:
        # Before anything reads the body (a form's CSRF check does).
        request = request.clone(client_max_size=limit)
    try:
        refuse_control_in_url(request)
        return await handler(request)
    except HotlineError as error:
        headers = getattr(error, "headers", None)
        return error_response(error.http_status, error.code, error.message, headers, open311=open311)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return _http_error(error, request, open311=open311)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.rel_url.path)
        return error_response(500, "internal", texts.ERR_INTERNAL, open311=open311)


def metrics_middleware(metrics: Metrics) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "unmatched"
            metrics.observe_request(route, request.method, status, time.perf_counter() - started)

    return middleware


# --- bodies ------------------------------------------------------------------------


async def within_body_timeout(request: web.Request, reading: Awaitable[T]) -> T:
    """Reading a body (or form) within the app's body timeout: 408 past it."""
    try:
        async with asyncio.timeout(request.app.get(BODY_TIMEOUT)):
            return await reading
    except TimeoutError:
        raise ApiError(408, "body_timeout", texts.ERR_BODY_TIMEOUT, {"Connection": "close"}) from None


async def read_body(request: web.Request) -> bytes:
    """The whole body, within the body timeout (413 past client_max_size)."""
    return await within_body_timeout(request, request.read())


def require_json_type(request: web.Request) -> None:
    """A JSON endpoint takes JSON only: a body sent as text/plain or form data is refused
    rather than guessed at."""
    if request.content_type != JSON_TYPE:
        raise ApiError(415, "unsupported_media_type",
                       texts.ERR_NOT_JSON.format(given=request.content_type[:60] or "（未提供）"))


async def read_json(request: web.Request) -> dict[str, Any]:
    require_json_type(request)
    return parse_json(await read_body(request))


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(400, "bad_json", texts.ERR_BAD_JSON) from error
    check_json_depth(raw)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ApiError(400, "bad_json", texts.ERR_BAD_JSON) from error
    if not isinstance(value, dict):
        raise ApiError(400, "bad_json", texts.ERR_JSON_NOT_OBJECT)
    if (where := find_control(value)) is not None:
        raise ControlCharacter(where)
    return value


# Escaped pairs first, so an escaped quote never toggles the in-string state.
_JSON_TOKEN = re.compile(r'\\.|["\[\]{}]', re.DOTALL)


def check_json_depth(raw: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuses nesting deeper than `limit` before the parser sees it: one linear pass over
    the quotes and brackets, a loop rather than recursion (a body 50,000 levels deep is
    refused in milliseconds; json.loads would end in a RecursionError)."""
    if raw.count("[") + raw.count("{") <= limit:
        return  # cannot be deeper than the brackets it has
    depth = 0
    in_string = False
    for match in _JSON_TOKEN.finditer(raw):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in "[{":
            depth += 1
            if depth > limit:
                raise ApiError(400, "too_deep", texts.ERR_JSON_TOO_DEEP.format(limit=limit))
        else:
            depth -= 1


def refuse_control_in_url(request: web.Request) -> None:
    """The URL's part of the one edge for control characters (tickets.sanitize): a NUL in a
    path segment or a query parameter is refused before any route reads it."""
    if CONTROL.search(request.path):
        raise ControlCharacter(texts.WHERE_PATH)
    for name, value in request.query.items():
        if CONTROL.search(name) or CONTROL.search(value):
            raise ControlCharacter(texts.WHERE_QUERY.format(name=CONTROL.sub("", name)))




def describe_validation(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:8]:
        where = ".".join(str(p) for p in item["loc"]) or texts.FIELD_WHOLE_REQUEST
        reason = texts.FIELD_REASONS.get(item["type"], texts.FIELD_REASON_DEFAULT)
        parts.append(texts.FIELD_PROBLEM.format(where=where, reason=reason))
    return texts.ERR_INVALID_FIELDS.format(fields="；".join(parts))


def validate(model: type[M], data: Any) -> M:
    try:
        # Strict JSON validation: the types the document states, nothing coerced (0 is not
        # false, "5" is not 5, 5.0 is not 5); enums and times from their JSON strings.
        return model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as error:
        raise ApiError(422, "invalid", describe_validation(error)) from error


async def read_model(request: web.Request, model: type[M]) -> M:
    return validate(model, await read_json(request))


# --- authentication and rate limits -----------------------------------------------


class RateLimiter:
    """A leaky bucket per API key: when it is full the request is refused with 429."""

    def __init__(self, rate: int, period: float) -> None:
        self.rate = rate
        self.period = period
        self._buckets: dict[int, AsyncLimiter] = {}

    async def check(self, key_id: int) -> None:
        bucket = self._buckets.get(key_id)
        if bucket is None:
            bucket = self._buckets[key_id] = AsyncLimiter(self.rate, self.period)
        if not bucket.has_capacity():
            seconds = max(1, math.ceil(self.period / self.rate))
            raise ApiError(429, "rate_limited", texts.ERR_RATE_LIMITED.format(seconds=seconds),
                           {"Retry-After": str(seconds)})
        await bucket.acquire()


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.headers.get("X-Api-Key") or None


async def authorize(keys: KeyStore, limiter: RateLimiter, raw: str | None, scope: Scope) -> Client:
    if not raw:
        raise ApiError(401, "unauthorized", texts.ERR_KEY_MISSING, {"WWW-Authenticate": "Bearer"})
    client = await keys.verify(raw)
    if client is None:
        raise ApiError(401, "unauthorized", texts.ERR_KEY_INVALID, {"WWW-Authenticate": "Bearer"})
    if scope.value not in client.scopes:
        raise ApiError(403, "forbidden_scope", texts.ERR_SCOPE.format(scope=scope.value))
    await limiter.check(client.key_id)
    return client
