"""The OpenAPI 3.1 document of /api/v1, the hooks and Open311, built from the same pydantic
models the views use (integrations.schemas), served at /api/v1/openapi.json.

It says what the code accepts, no more: free-text lengths come from the app's policy (the
service checks the same numbers), ids and dates have the ranges the views enforce, each
workflow action has its own path and body, and the conditional rules of a body (a refusal
needs its reason) are written as `anyOf`. tests/integrations/test_fuzz.py holds the live app
to it with schemathesis."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from integrations import open311, texts
from integrations import schemas as s
from integrations.api import ACTIONS, MAX_PAGE
from integrations.keys import Scope
from tickets.clock import EARLIEST_DAY, LATEST_DAY
from tickets.enums import RequestType, TicketStatus
from tickets.policy import Limits, load_policy

REF = "#/components/schemas/{model}"
INPUTS: list[type[BaseModel]] = [
    s.TicketCreateIn,
    s.KbAskIn,
    s.KbGapEntryIn,
    s.TelephonyCallIn,
    s.UpstreamEnvelope,
    s.UpstreamDispatchData,
    s.UpstreamTicketData,
    s.CallRecordIn,
    *{spec.body for spec in ACTIONS.values()},
    s.LetterIn,
    s.PublishIn,
    s.SpecialistIn,
    s.EnterpriseRequestIn,
]
OUTPUTS: list[type[BaseModel]] = [
    s.ErrorOut,
    s.TicketOut,
    s.TicketList,
    s.PhotoList,
    s.UnitOut,
    s.DutyOut,
    s.KbAskOut,
    s.TelephonyCallOut,
    s.UpstreamAck,
    s.CallRecordAck,
    s.Open311Error,
    s.Open311Service,
    s.Open311ServiceDefinition,
    s.Open311Request,
    s.Open311Created,
    s.Open311Token,
    s.LetterOut,
    s.PublicLetterList,
    s.SpecialistList,
    s.SpecialistOut,
    s.EnterpriseOut,
]
# Free-text fields by the policy limit that applies to them; any other unbounded text of an
# input is a note, reason, answer or reply element (note_max_chars).
TEXT_LIMITS = {"content": "content_max_chars", "place": "place_max_chars", "contact_name": "name_max_chars",
               "deputy": "name_max_chars", "station": "place_max_chars",
               "body": "content_max_chars", "title": "letter_title_max_chars"}


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = ref(s.ErrorOut)
COMMON_ERRORS = {
    "400": _json(ERROR, "Broken JSON, nesting over 32 levels, or a bad query parameter"),
    "401": _json(ERROR, "Missing or invalid API key"),
    "403": _json(ERROR, "The key lacks the scope, or the workflow forbids its role"),
    "405": _json(ERROR, "Method not allowed; the Allow header lists the methods"),
    "408": _json(ERROR, "The body was not sent within the body timeout"),
    "413": _json(ERROR, "Body over 1 MB"),
    "415": _json(ERROR, "A body that is not application/json"),
    "422": _json(ERROR, "Invalid fields (message lists them in Chinese)"),
    "429": _json(ERROR, "Rate limit of the key reached; see Retry-After"),
    "500": _json(ERROR, "Unexpected error (logged; the message says to retry later)"),
}


def _op(summary: str, scope: Scope | None, responses: dict[str, Any], body: dict[str, Any] | None = None,
        parameters: list[dict[str, Any]] | None = None, *, body_required: bool = True,
        errors: dict[str, Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {**responses, **(errors or COMMON_ERRORS)}}
    if scope is not None:
        op["security"] = [{"apiKey": []}]
        op["description"] = f"Scope: `{scope.value}`."
    if body is not None:
        op["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": body}}}
    if parameters:
        op["parameters"] = parameters
    return op


def _param(name: str, where: str, schema: dict[str, Any], description: str = "",
           required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema,
            "description": description, **extra}


NUMBER = _param("number", "path", {"type": "string", "minLength": 1}, "Ticket number (YYYYMMDD + 5 digits)")
ID = {"type": "integer", "minimum": 1, "maximum": s.MAX_ID}


def _years_pattern() -> str:
    first, last = EARLIEST_DAY.year, LATEST_DAY.year
    assert (first, last) == (1970, 2999), "adjust the year pattern to the new range"
    return "19[7-9][0-9]|2[0-9]{3}"


# A day the views accept: an ISO date inside [EARLIEST_DAY, LATEST_DAY].
DAY = {"type": "string", "format": "date", "pattern": f"^(?:{_years_pattern()})-"}


def input_defs(defs: dict[str, Any]) -> list[str]:
    """The components a request body may hold: the inputs and the models nested in them."""
    names = [m.__name__ for m in INPUTS]
    for name in names:
        text = str(defs[name])
        for other in defs:
            if REF.format(model=other) in text and other not in names:
                names.append(other)
    return names


def _limit_free_text(defs: dict[str, Any], limits: Limits) -> None:
    """maxLength of every unbounded text of the inputs, from the policy the app runs with."""
    for model in input_defs(defs):
        for name, prop in defs[model].get("properties", {}).items():
            limit = getattr(limits, TEXT_LIMITS.get(name, "note_max_chars"))
            for branch in prop.get("anyOf", [prop]):
                if branch.get("type") == "string" and not {"maxLength", "format", "enum", "const"} & set(
                    branch
                ):
                    branch["maxLength"] = limit


def _conditional_rules(defs: dict[str, Any], limits: Limits) -> None:
    """What the service adds to a body's shape: a refusal needs its reason, an approved return
    a new unit, a reached callback all four answers, a reply every element (DOMAIN §3)."""
    said = {"type": "string", "minLength": 1, "pattern": r"\S", "maxLength": limits.note_max_chars}
    defs["DecideReturnIn"]["anyOf"] = [
        {"properties": {"approve": {"const": True}}, "required": ["new_unit_id"]},
        {"properties": {"approve": {"const": False}, "note": said}, "required": ["note"]},
    ]
    defs["DecideExtensionIn"]["anyOf"] = [
        {"properties": {"approve": {"const": True}}},
        {"properties": {"approve": {"const": False}, "note": said}, "required": ["note"]},
    ]
    defs["RequestExtensionIn"]["properties"]["days"]["maximum"] = limits.extension_max_working_days
    answers = ["contacted", "answered", "solved", "satisfaction"]
    defs["CallbackIn"]["anyOf"] = [
        {"properties": {"reached": {"const": False}}, "required": ["reached"]},
        {"properties": {"reached": {"const": True}, **{a: {"not": {"type": "null"}} for a in answers}},
         "required": answers},
    ]
    defs["WhistleMeetingIn"]["properties"]["date"] = DAY
    reply = defs["ReplyIn"]
    elements = ["text", "contact_person", "facts", "judgement", "citizen_opinion", "answered_by"]
    for name in elements:
        reply["properties"][name] = {**said, "title": reply["properties"][name].get("title", name)}
    reply["properties"]["text"]["minLength"] = limits.reply_min_chars
    reply["properties"]["answered_at"] = {"type": "string", "format": "date-time"}
    reply["required"] = ["result", *elements, "answered_at"]
    defs["LetterIn"]["properties"]["attachments"]["maxItems"] = limits.letter_attachments_max
    # An enterprise is known by a credit code or by its name (tickets.enterprise.EnterpriseCaller).
    defs["EnterpriseRequestIn"]["anyOf"] = [
        {"required": ["credit_code"], "properties": {"credit_code": {"type": "string"}}},
        {"required": ["company_name"], "properties": {"company_name": {"type": "string", "minLength": 1,
                                                                       "pattern": r"\S"}}},
    ]


# Text without control characters (tickets.sanitize.CONTROL: the HTTP edge refuses them in
# bodies, paths and queries), and "said" text: that and at least one visible character.
_CONTROL_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
CLEAN_TEXT = f"^[^{_CONTROL_CLASS}]*$"
SAID_TEXT = f"^[^{_CONTROL_CLASS}]*[^\\s{_CONTROL_CLASS}][^{_CONTROL_CLASS}]*$"


def _clean(schema: Any) -> None:
    if isinstance(schema, list):
        for item in schema:
            _clean(item)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"enum", "const", "format"} & set(schema):
        pattern = schema.get("pattern")
        if pattern is None and schema.get("minLength", 0) >= 1:
            # bodies are stripped of surrounding blanks before the length counts
            schema["pattern"] = SAID_TEXT
        elif pattern is None:
            schema["pattern"] = CLEAN_TEXT
        elif pattern == r"\S":
            schema["pattern"] = SAID_TEXT
        elif not pattern.startswith("^"):  # "contains …" of characters that are never control ones
            schema["pattern"] = f"^[^{_CONTROL_CLASS}]*(?:{pattern})[^{_CONTROL_CLASS}]*$"
    for key in ("properties", "items", "anyOf", "allOf", "oneOf", "schema", "content", "requestBody",
                "parameters", "additionalProperties"):
        child = schema.get(key)
        if isinstance(child, dict) and key in ("properties", "content"):
            _clean(list(child.values()))
        elif child is not None:
            _clean(child)


def _refuse_control(defs: dict[str, Any], paths: dict[str, Any]) -> None:
    """Every text a client sends is documented without control characters."""
    _clean([defs[name] for name in input_defs(defs)])
    for operations in paths.values():
        for operation in operations.values():
            _clean(operation.get("parameters", []))
            _clean(operation.get("requestBody", {}))


def _action_paths(ticket: dict[str, Any]) -> dict[str, Any]:
    paths = {}
    for name, spec in ACTIONS.items():
        schema = spec.body.model_json_schema()
        paths[f"/api/v1/tickets/{{number}}/{name}"] = {
            "post": _op(
                f"Workflow action `{name}`, taken as the key's role (office, handler of a unit, system)",
                Scope.TICKETS_ACT,
                {
                    "200": ticket,
                    "404": _json(ERROR, "No such ticket or unit"),
                    "409": _json(ERROR, "Not allowed in the ticket's state, or its time window has closed"),
                },
                ref(spec.body),
                parameters=[NUMBER],
                body_required=bool(schema.get("required"))
                or name in (
                    "decide_return",
                    "decide_extension",
                    "reply",
                    "callback",
                    "whistle",
                    "whistle_meeting",
                    "deputy_referral",
                ),
            )
        }
    return paths


def _letter_paths() -> dict[str, Any]:
    """市长信箱 and 政企通 (integrations.letters)."""
    public = _json(ref(s.PublicLetterOut), "The letter as the public page shows it")
    specialist = _json(ref(s.SpecialistOut), "The register entry")
    page = [_param("limit", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
            _param("offset", "query", {"type": "integer", "minimum": 0, "maximum": 10**9})]
    return {
        "/api/v1/mailbox/letters": {
            "post": _op(
                "Receive a 市长信箱 letter (title, body, consent to publication, images)",
                Scope.TICKETS_CREATE,
                {
                    "201": _json(ref(s.LetterOut), "The letter's ticket"),
                    "422": _json(
                        ERROR, "Invalid fields, or an attachment that is not a JPG, PNG or WebP image"
                    ),
                },
                ref(s.LetterIn),
            ),
        },
        "/api/v1/mailbox/letters/{number}/publish": {
            "post": _op(
                "Publish a closed letter and its reply without personal data (office keys; only with the "
                "writer's consent)",
                Scope.TICKETS_ACT,
                {
                    "200": public,
                    "404": _json(ERROR, "No such ticket, or not a letter"),
                    "409": _json(ERROR, "Not closed, no consent, or already published"),
                },
                ref(s.PublishIn),
                parameters=[NUMBER],
            ),
        },
        "/api/v1/mailbox/published": {
            "get": _op(
                "Published letters, newest first",
                Scope.TICKETS_READ,
                {"200": _json(ref(s.PublicLetterList), "A page")},
                parameters=page,
            ),
        },
        "/api/v1/enterprise/specialists": {
            "get": _op(
                "The 政企通 register (active entries)",
                Scope.TICKETS_READ,
                {"200": _json(ref(s.SpecialistList), "Specialists by unit and area")},
            ),
            "post": _op(
                "Name a unit's handler its policy specialist for an area (office keys)",
                Scope.TICKETS_ACT,
                {
                    "201": specialist,
                    "404": _json(ERROR, "No such unit or staff member"),
                    "409": _json(ERROR, "Not a handler of that unit, or already the area's specialist"),
                },
                ref(s.SpecialistIn),
            ),
        },
        "/api/v1/enterprise/specialists/{specialist_id}/deactivate": {
            "post": _op(
                "Deactivate a register entry (office keys)",
                Scope.TICKETS_ACT,
                {"200": specialist, "404": _json(ERROR, "No such entry")},
                parameters=[_param("specialist_id", "path", ID)],
            ),
        },
        "/api/v1/enterprise/requests": {
            "post": _op(
                "File an enterprise's request, routed one-to-one to a policy specialist of the area",
                Scope.TICKETS_CREATE,
                {
                    "201": _json(ref(s.EnterpriseOut), "Filed (and routed when the area has a specialist)"),
                    "422": _json(
                        ERROR, "Invalid fields, or a credit code whose check character (校验位) is wrong"
                    ),
                },
                ref(s.EnterpriseRequestIn),
            ),
        },
    }


O311_ERROR = _json({"type": "array", "items": ref(s.Open311Error)}, "GeoReport error list")
O311_ERRORS = {code: O311_ERROR for code in ("400", "405", "408", "413", "500")}


def _o311(
    summary: str, schema: dict[str, Any], extra: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    return _op(summary, None, {"200": _json(schema, "Success"), **(extra or {})}, errors=O311_ERRORS, **kw)


def _open311_paths(limits: Limits) -> dict[str, Any]:
    codes = sorted(texts.OPEN311_SERVICES)
    requests = {"type": "array", "items": ref(s.Open311Request)}
    not_found = {"404": O311_ERROR}
    sizes = open311.field_limits(limits)
    text = {name: {"type": "string", "maxLength": size} for name, size in sizes.items()}
    said = {"type": "string", "pattern": r"\S"}
    form = {
        "type": "object", "required": ["service_code", "description"],
        "properties": {
            **text,
            "service_code": {"type": "string", "enum": codes},
            "description": {**text["description"], "minLength": 1, "pattern": r"[^\W_]"},
            "phone": {**text["phone"], "pattern": f"^$|{s.PHONE_PATTERN}"},  # forms send empty fields
            "attribute[request_type]": {"type": "string", "enum": [t.value for t in RequestType]},
        },
        "propertyNames": {"pattern": f"^{open311.FIELD_NAME.pattern}$"},
        "additionalProperties": {"type": "string"},  # other fields are ignored, but text like a form's
        # A place is needed: an address, an address id, or both coordinates (not blank).
        "anyOf": [{"required": ["address_string"], "properties": {"address_string": said}},
                  {"required": ["address_id"], "properties": {"address_id": said}},
                  {"required": ["lat", "long"], "properties": {"lat": said, "long": said}}],
    }
    created = _json({"type": "array", "items": ref(s.Open311Created)}, "Filed at once")
    return {
        "/open311/v2/services.json": {
            "get": _o311(
                "Services (our ticket categories)", {"type": "array", "items": ref(s.Open311Service)}
            )
        },
        "/open311/v2/services/{code}.json": {
            "get": _o311(
                "A service's definition (its one attribute: the request type)",
                ref(s.Open311ServiceDefinition),
                not_found,
                parameters=[_param("code", "path", {"type": "string", "minLength": 1})],
            )
        },
        "/open311/v2/requests.json": {
            "get": _o311(
                "Public requests (phones masked, no contact data)",
                requests,
                parameters=[
                    _param(
                        "service_request_id",
                        "query",
                        {"type": "string"},
                        "Comma-separated ids; others ignored",
                    ),
                    _param("service_code", "query", {"type": "string"}, "Comma-separated service codes"),
                    _param(
                        "start_date",
                        "query",
                        {"type": "string", "format": "date-time", "pattern": f"^(?:{_years_pattern()})-"},
                    ),
                    _param(
                        "end_date",
                        "query",
                        {"type": "string", "format": "date-time", "pattern": f"^(?:{_years_pattern()})-"},
                    ),
                    _param(
                        "status",
                        "query",
                        {"type": "array", "minItems": 1, "items": {"enum": ["open", "closed"]}},
                        "open, closed or both",
                        style="form",
                        explode=False,
                    ),
                ],
            ),
            "post": {
                "summary": "File a request (API key with tickets:create, as api_key or bearer)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {"schema": form},
                        "multipart/form-data": {"schema": form},
                        "application/json": {"schema": form},
                    },
                },
                "responses": {
                    "201": created,
                    "401": O311_ERROR,
                    "403": O311_ERROR,
                    "415": O311_ERROR,
                    "422": O311_ERROR,
                    "429": O311_ERROR,
                    "503": O311_ERROR,
                    **O311_ERRORS,
                },
            },
        },
        "/open311/v2/requests/{id}.json": {
            "get": _o311(
                "One request",
                requests,
                not_found,
                parameters=[_param("id", "path", {"type": "string", "minLength": 1})],
            )
        },
        "/open311/v2/tokens/{token}.json": {
            "get": _o311(
                "The request id of a token (our tokens are the ticket numbers)",
                {"type": "array", "items": ref(s.Open311Token)},
                not_found,
                parameters=[_param("token", "path", {"type": "string", "minLength": 1})],
            )
        },
    }


def document(limits: Limits | None = None) -> dict[str, Any]:
    """The document for an app running with `limits` (the shipped policy's by default)."""
    return _document(limits or load_policy().limits)


@cache
def _document(limits: Limits) -> dict[str, Any]:
    _, defs = models_json_schema(
        [(m, "validation") for m in INPUTS] + [(m, "serialization") for m in OUTPUTS], ref_template=REF
    )
    defs = defs["$defs"]
    _limit_free_text(defs, limits)
    _conditional_rules(defs, limits)
    ticket = _json(ref(s.TicketOut), "The ticket")
    # An empty list and a list of "" are both `state=` on the wire: neither is a filter, both refused.
    states = {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string", "enum": [t.value for t in TicketStatus]},
    }
    paths: dict[str, Any] = {
        "/api/v1/tickets": {
            "post": _op(
                "File a ticket",
                Scope.TICKETS_CREATE,
                {
                    "201": ticket,
                    "503": _json(ERROR, "Intake queue full or the server is stopping; see Retry-After"),
                },
                ref(s.TicketCreateIn),
            ),
            "get": _op(
                "List tickets, newest first",
                Scope.TICKETS_READ,
                {"200": _json(ref(s.TicketList), "A page")},
                parameters=[
                    _param("unit_id", "query", ID, "Main unit"),
                    _param("state", "query", states, "Comma-separated states", style="form", explode=False),
                    _param("overdue", "query", {"type": "string", "enum": ["true", "false"]}),
                    _param("received_from", "query", DAY, "First day (Asia/Shanghai), inclusive"),
                    _param("received_to", "query", DAY, "Last day (Asia/Shanghai), inclusive"),
                    _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
                    _param("offset", "query", {"type": "integer", "minimum": 0, "maximum": 10**9}),
                ],
            ),
        },
        "/api/v1/tickets/{number}": {
            "get": _op(
                "One ticket with its audit trail",
                Scope.TICKETS_READ,
                {"200": ticket, "404": _json(ERROR, "No such ticket")},
                parameters=[NUMBER],
            ),
        },
        "/api/v1/tickets/{number}/photos": {
            "get": _op(
                "The citizen's photos of a ticket (office and the ticket's units only)",
                Scope.TICKETS_READ,
                {
                    "200": _json(ref(s.PhotoList), "Photos, oldest first"),
                    "404": _json(ERROR, "No such ticket"),
                },
                parameters=[NUMBER],
            ),
        },
        "/api/v1/tickets/{number}/photos/{sha256}": {
            "get": _op(
                "One photo file (EXIF removed)",
                Scope.TICKETS_READ,
                {
                    "200": {
                        "description": "The image",
                        "content": {
                            t: {"schema": {"type": "string", "format": "binary"}}
                            for t in ("image/jpeg", "image/png", "image/webp")
                        },
                    },
                    "404": _json(ERROR, "No such ticket or photo"),
                },
                parameters=[
                    NUMBER,
                    _param(
                        "sha256",
                        "path",
                        {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "Content hash of the photo",
                    ),
                ],
            ),
        },
        **_action_paths(ticket),
        "/api/v1/units": {
            "get": _op(
                "Units with today's duty login",
                Scope.TICKETS_READ,
                {"200": _json({"type": "array", "items": ref(s.UnitOut)}, "Units")},
            ),
        },
        "/api/v1/units/{unit_id}/duty": {
            "get": _op(
                "Duty login of a unit on a day",
                Scope.TICKETS_READ,
                {"200": _json(ref(s.DutyOut), "Duty status"), "404": _json(ERROR, "No such unit")},
                parameters=[_param("unit_id", "path", ID), _param("date", "query", DAY)],
            ),
        },
        "/api/v1/kb/ask": {
            "post": _op(
                "Ask the knowledge base",
                Scope.KB_ASK,
                {
                    "200": _json(ref(s.KbAskOut), "Answer, suggestions or none"),
                    "503": _json(ERROR, "Knowledge base not loaded"),
                },
                ref(s.KbAskIn),
            ),
        },
        "/api/v1/routing/quality": {
            "get": _op(
                "Top-1 / top-3 acceptance of the unit router's suggestions per week and unit (office keys)",
                Scope.TICKETS_READ,
                {
                    "200": _json({"type": "object"}, "Overall, by_week, by_unit"),
                    "403": _json(ERROR, "Not an office key"),
                },
                parameters=[_param("from", "query", DAY), _param("to", "query", DAY)],
            ),
        },
        "/api/v1/kb/gaps": {
            "get": _op(
                "The week's unanswered and 没解决 questions, clustered (office keys)",
                Scope.KB_ASK,
                {
                    "200": _json({"type": "object"}, "Clusters, largest first"),
                    "403": _json(ERROR, "Not an office key"),
                },
                parameters=[
                    _param(
                        "week",
                        "query",
                        {"type": "string", "pattern": s.WEEK_PATTERN},
                        "ISO week, e.g. 2026-W48",
                        required=True,
                    ),
                    _param("min_size", "query", {"type": "integer", "minimum": 1, "maximum": 10_000}),
                ],
            ),
        },
        "/api/v1/kb/gaps/entry": {
            "post": _op(
                "Turn a gap cluster into a new knowledge-base entry (office keys)",
                Scope.KB_ASK,
                {
                    "201": _json({"type": "object"}, "The new entry"),
                    "404": _json(ERROR, "No such cluster this week"),
                },
                ref(s.KbGapEntryIn),
            ),
        },
        **_letter_paths(),
        "/hooks/telephony/calls": {
            "post": _op(
                "Agent assist for a call; files a ticket when `ticket` is given (idempotent by call_id)",
                Scope.TELEPHONY,
                {
                    "201": _json(ref(s.TelephonyCallOut), "First time this call is seen"),
                    "200": _json(ref(s.TelephonyCallOut), "Repeat of a known call"),
                    "409": _json(ERROR, "Same call id with another agent or caller"),
                },
                ref(s.TelephonyCallIn),
            ),
        },
        "/hooks/telephony/cdr": {
            "post": {
                "summary": "Call records of the 双呼 platform: the evidence of 先行简告 and 先行联系",
                "description": (
                    "Signed like /hooks/upstream with the platform's own key (`cdr_secret`): "
                    "X-Hotline-Timestamp (Unix s), X-Hotline-Nonce, X-Hotline-Signature = "
                    "hex HMAC-SHA256(secret, timestamp + '\\n' + nonce + '\\n' + body). "
                    "Window 5 minutes; a nonce is accepted once; idempotent by call_id."
                ),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref(s.CallRecordIn)}},
                },
                "responses": {
                    "201": _json(ref(s.CallRecordAck), "Stored and attached to the ticket"),
                    "200": _json(ref(s.CallRecordAck), "Already stored (duplicate=true)"),
                    "400": _json(ERROR, "Broken JSON or nesting over 32 levels"),
                    "401": _json(ERROR, "Unsigned, bad signature or stale timestamp"),
                    "404": _json(
                        ERROR, "No ticket with that number, or no such calling unit: nothing stored"
                    ),
                    "409": _json(ERROR, "Replayed nonce, or the call id already stored with other content"),
                    "408": COMMON_ERRORS["408"],
                    "413": COMMON_ERRORS["413"],
                    "415": COMMON_ERRORS["415"],
                    "422": _json(
                        ERROR, "Invalid fields, times out of order, answer time missing or in the future"
                    ),
                    "500": COMMON_ERRORS["500"],
                    "503": _json(ERROR, "No 双呼 platform secret configured: the hook is closed"),
                },
            },
        },
        "/hooks/upstream": {
            "post": {
                "summary": "Events of the upstream platform: dispatch, recall, urge, supervise, recheck",
                "description": (
                    "Signed: X-Hotline-Timestamp (Unix s), X-Hotline-Nonce, X-Hotline-Signature = "
                    "hex HMAC-SHA256(secret, timestamp + '\\n' + nonce + '\\n' + body). "
                    "Window 5 minutes; a nonce is accepted once; idempotent by event_id."
                ),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref(s.UpstreamEnvelope)}},
                },
                "responses": {
                    "200": _json(ref(s.UpstreamAck), "Applied (or already applied: duplicate=true)"),
                    "400": _json(ERROR, "Broken JSON, nesting over 32 levels, or unknown event type"),
                    "401": _json(ERROR, "Unsigned, bad signature or stale timestamp"),
                    "404": _json(ERROR, "No ticket for the platform's number"),
                    "409": _json(ERROR, "Replayed nonce, duplicate number or illegal transition"),
                    "408": COMMON_ERRORS["408"],
                    "413": COMMON_ERRORS["413"],
                    "415": COMMON_ERRORS["415"],
                    "422": _json(ERROR, "Invalid event data"),
                    "500": COMMON_ERRORS["500"],
                    "503": _json(ERROR, "No upstream secret configured: the hook is closed"),
                },
            },
        },
    }
    paths = {**paths, **_open311_paths(limits)}
    _refuse_control(defs, paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "12345 hotline integration API",
            "version": "1.0.0",
            "description": 'Errors: {"error": {"code", "message"}} with a Chinese message.',
        },
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "hk_<prefix>_<secret> from `main.py apikey create`",
                }
            },
        },
    }
