"""What every route shares: JSON errors, body limits, JSON parsing, API-key checks with
a per-key rate limit and request metrics. (Log lines are masked process-wide: tickets.privacy.)"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
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
# Paths allowed a larger body than MAX_BODY (an extension's uploads), with their limit in bytes.
BODY_LIMITS = web.AppKey("body_limits", dict[str, int])
M = TypeVar("M", bound=BaseModel)
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
    body: Any = [{"code": status, "description": message}] if open311 else {"error": {"code": code, "message": message}}
    return web.json_response(body, status=status, headers=headers, dumps=dumps)


def dumps(value: Any) -> str:
    # Chinese stays readable in responses instead of \\uXXXX escapes.
    return json.dumps(value, ensure_ascii=False)


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(value, status=status, headers=headers, dumps=dumps)


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "route_not_found",
               405: "method_not_allowed", 413: "body_too_large"}


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
    return error_response(status, _HTTP_CODES.get(status, "http_error"), message, open311=open311)


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


async def read_json(request: web.Request) -> dict[str, Any]:
    body = await request.read()  # raises 413 past client_max_size
    return parse_json(body)


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(400, "bad_json", texts.ERR_BAD_JSON) from error
    if not isinstance(value, dict):
        raise ApiError(400, "bad_json", texts.ERR_JSON_NOT_OBJECT)
    if (where := find_control(value)) is not None:
        raise ControlCharacter(where)
    return value


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
        return model.model_validate(data)
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
