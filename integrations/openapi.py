"""The OpenAPI 3.1 document of /api/v1 and the hooks, built from the same pydantic
models the views use (integrations.schemas), served at /api/v1/openapi.json."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from integrations import schemas as s
from integrations.api import ACTIONS
from integrations.keys import Scope

REF = "#/components/schemas/{model}"
INPUTS: list[type[BaseModel]] = [
    s.TicketCreateIn, s.KbAskIn, s.TelephonyCallIn, s.UpstreamEnvelope, s.UpstreamDispatchData,
    s.UpstreamTicketData, *{spec.body for spec in ACTIONS.values()},
]
OUTPUTS: list[type[BaseModel]] = [
    s.ErrorOut, s.TicketOut, s.TicketList, s.PhotoList, s.UnitOut, s.DutyOut, s.KbAskOut, s.TelephonyCallOut, s.UpstreamAck,
]


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = ref(s.ErrorOut)
COMMON_ERRORS = {
    "400": _json(ERROR, "Broken JSON or bad query parameter"),
    "401": _json(ERROR, "Missing or invalid API key"),
    "403": _json(ERROR, "The key lacks the scope, or the workflow forbids its role"),
    "413": _json(ERROR, "Body over 1 MB"),
    "422": _json(ERROR, "Invalid fields (message lists them in Chinese)"),
    "429": _json(ERROR, "Rate limit of the key reached; see Retry-After"),
    "500": _json(ERROR, "Unexpected error (logged; the message says to retry later)"),
}


def _op(summary: str, scope: Scope | None, responses: dict[str, Any], body: dict[str, Any] | None = None,
        parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {**responses, **COMMON_ERRORS}}
    if scope is not None:
        op["security"] = [{"apiKey": []}]
        op["description"] = f"Scope: `{scope.value}`."
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if parameters:
        op["parameters"] = parameters
    return op


def _param(name: str, where: str, schema: dict[str, Any], description: str = "",
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema,
            "description": description}


NUMBER = _param("number", "path", {"type": "string"}, "Ticket number (YYYYMMDD + 5 digits)")


@cache
def document() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "validation") for m in INPUTS] + [(m, "serialization") for m in OUTPUTS],
                                 ref_template=REF)
    action_bodies = {name: ref(spec.body) for name, spec in ACTIONS.items()}
    ticket = _json(ref(s.TicketOut), "The ticket")
    paths: dict[str, Any] = {
        "/api/v1/tickets": {
            "post": _op("File a ticket", Scope.TICKETS_CREATE, {
                "201": ticket,
                "503": _json(ERROR, "Intake queue full or the server is stopping; see Retry-After")},
                ref(s.TicketCreateIn)),
            "get": _op("List tickets, newest first", Scope.TICKETS_READ, {"200": _json(ref(s.TicketList), "A page")},
                       parameters=[
                           _param("unit_id", "query", {"type": "integer"}, "Main unit"),
                           _param("state", "query", {"type": "string"}, "Comma-separated states"),
                           _param("overdue", "query", {"type": "string", "enum": ["true", "false"]}),
                           _param("received_from", "query", {"type": "string", "format": "date"},
                                  "First day (Asia/Shanghai), inclusive"),
                           _param("received_to", "query", {"type": "string", "format": "date"},
                                  "Last day (Asia/Shanghai), inclusive"),
                           _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 200}),
                           _param("offset", "query", {"type": "integer", "minimum": 0}),
                       ]),
        },
        "/api/v1/tickets/{number}": {
            "get": _op("One ticket with its audit trail", Scope.TICKETS_READ,
                       {"200": ticket, "404": _json(ERROR, "No such ticket")}, parameters=[NUMBER]),
        },
        "/api/v1/tickets/{number}/photos": {
            "get": _op("The citizen's photos of a ticket (office and the ticket's units only)", Scope.TICKETS_READ,
                       {"200": _json(ref(s.PhotoList), "Photos, oldest first"),
                        "404": _json(ERROR, "No such ticket")}, parameters=[NUMBER]),
        },
        "/api/v1/tickets/{number}/photos/{sha256}": {
            "get": _op("One photo file (EXIF removed)", Scope.TICKETS_READ, {
                "200": {"description": "The image", "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("image/jpeg", "image/png", "image/webp")}},
                "404": _json(ERROR, "No such ticket or photo")},
                parameters=[NUMBER, _param("sha256", "path", {"type": "string"}, "Content hash of the photo")]),
        },
        "/api/v1/tickets/{number}/{action}": {
            "post": _op(
                "A workflow action, taken as the key's role (office, handler of a unit, system)",
                Scope.TICKETS_ACT,
                {"200": ticket, "404": _json(ERROR, "No such ticket or action"),
                 "409": _json(ERROR, "Not allowed in the ticket's state, or its time window has closed")},
                {"oneOf": list(action_bodies.values())},
                parameters=[NUMBER, _param("action", "path", {"type": "string", "enum": sorted(ACTIONS)})],
            ),
        },
        "/api/v1/units": {
            "get": _op("Units with today's duty login", Scope.TICKETS_READ,
                       {"200": _json({"type": "array", "items": ref(s.UnitOut)}, "Units")}),
        },
        "/api/v1/units/{unit_id}/duty": {
            "get": _op("Duty login of a unit on a day", Scope.TICKETS_READ,
                       {"200": _json(ref(s.DutyOut), "Duty status"), "404": _json(ERROR, "No such unit")},
                       parameters=[_param("unit_id", "path", {"type": "integer"}),
                                   _param("date", "query", {"type": "string", "format": "date"})]),
        },
        "/api/v1/kb/ask": {
            "post": _op("Ask the knowledge base", Scope.KB_ASK,
                        {"200": _json(ref(s.KbAskOut), "Answer, suggestions or none"),
                         "503": _json(ERROR, "Knowledge base not loaded")}, ref(s.KbAskIn)),
        },
        "/api/v1/kb/gaps": {
            "get": _op("The week's unanswered and 没解决 questions, clustered (office keys)", Scope.KB_ASK,
                       {"200": _json({"type": "object"}, "Clusters, largest first"),
                        "403": _json(ERROR, "Not an office key")},
                       parameters=[_param("week", "query", {"type": "string", "example": "2026-W48"}),
                                   _param("min_size", "query", {"type": "integer"})]),
        },
        "/api/v1/kb/gaps/entry": {
            "post": _op("Turn a gap cluster into a new knowledge-base entry (office keys)", Scope.KB_ASK,
                        {"201": _json({"type": "object"}, "The new entry"),
                         "404": _json(ERROR, "No such cluster this week")}, ref(s.KbGapEntryIn)),
        },
        "/hooks/telephony/calls": {
            "post": _op("Agent assist for a call; files a ticket when `ticket` is given (idempotent by call_id)",
                        Scope.TELEPHONY,
                        {"201": _json(ref(s.TelephonyCallOut), "First time this call is seen"),
                         "200": _json(ref(s.TelephonyCallOut), "Repeat of a known call"),
                         "409": _json(ERROR, "Same call id with another agent or caller")},
                        ref(s.TelephonyCallIn)),
        },
        "/hooks/upstream": {
            "post": {
                "summary": "Events of the upstream platform: dispatch, recall, urge, supervise, recheck",
                "description": "Signed: X-Hotline-Timestamp (Unix s), X-Hotline-Nonce, X-Hotline-Signature = "
                               "hex HMAC-SHA256(secret, timestamp + '\\n' + nonce + '\\n' + body). "
                               "Window 5 minutes; a nonce is accepted once; idempotent by event_id.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref(s.UpstreamEnvelope)}}},
                "responses": {
                    "200": _json(ref(s.UpstreamAck), "Applied (or already applied: duplicate=true)"),
                    "400": _json(ERROR, "Broken JSON or unknown event type"),
                    "401": _json(ERROR, "Unsigned, bad signature or stale timestamp"),
                    "404": _json(ERROR, "No ticket for the platform's number"),
                    "409": _json(ERROR, "Replayed nonce, duplicate number or illegal transition"),
                    "422": _json(ERROR, "Invalid event data"),
                    "503": _json(ERROR, "No upstream secret configured: the hook is closed"),
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "12345 hotline integration API", "version": "1.0.0",
                 "description": "Errors: {\"error\": {\"code\", \"message\"}} with a Chinese message."},
        "paths": paths,
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                           "description": "hk_<prefix>_<secret> from `main.py apikey create`"}},
        },
    }
