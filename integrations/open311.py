"""Open311 GeoReport v2 (JSON) mapped onto our tickets, so 311 tools and apps can talk
to a Chinese hotline.

- a service is a ticket category (integrations.texts.OPEN311_SERVICES); its one
  attribute is the request type (投诉/咨询/求助…);
- service_request_id is our ticket number; status is open/closed, our detailed state
  goes in status_notes, the main unit is agency_responsible;
- requests are public in the spec, so descriptions and addresses are shown masked
  (tickets.privacy) and without contact data, and a request filed as confidential is not
  shown at all (as if it did not exist); POST needs an API key (api_key parameter) with
  tickets:create;
- we file requests at once, so POST answers with the service_request_id; a token is
  the ticket number too, and GET tokens/{token}.json resolves it.
Errors use the spec's list `[{"code", "description"}]` (see integrations.http).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from sqlmodel import col, select

from integrations import texts
from integrations.batcher import INTAKE
from integrations.http import (
    JSON_TYPE,
    ApiError,
    authorize,
    bearer,
    json_response,
    parse_json,
    read_body,
    within_body_timeout,
)
from integrations.keys import Scope
from integrations.schemas import PHONE_PATTERN
from integrations.state import KEYS, LIMITER, RULES, SESSIONS
from tickets import texts as ticket_texts
from tickets.clock import EARLIEST_DAY, LATEST_DAY, day_in_range, local
from tickets.enums import OPEN_STATUSES, Channel, RequestType
from tickets.models import Ticket, Unit
from tickets.policy import Limits
from tickets.privacy import mask_place, mask_text
from tickets.sanitize import ControlCharacter, find_control
from tickets.schemas import TicketCreate

routes = web.RouteTableDef()
BASE = "/open311/v2"
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
CODE_BY_CATEGORY = {name: code for code, (name, *_rest) in texts.OPEN311_SERVICES.items()}
FALLBACK_CODE = "public_service"
# Open311 readers are anonymous: a request filed as confidential is for the office and its
# unit only, and here it does not exist.
PUBLIC = col(Ticket.confidential).is_(False)


def service_json(code: str) -> dict[str, Any]:
    name, group, description, keywords = texts.OPEN311_SERVICES[code]
    return {"service_code": code, "service_name": name, "description": description, "metadata": True,
            "type": "realtime", "keywords": keywords, "group": group}


@routes.get(BASE + "/services.json")
async def services(_request: web.Request) -> web.Response:
    return json_response([service_json(code) for code in texts.OPEN311_SERVICES])


@routes.get(BASE + "/services/{code}.json")
async def service_definition(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if code not in texts.OPEN311_SERVICES:
        raise ApiError(404, "not_found", texts.O311_SERVICE_NOT_FOUND.format(code=code[:40]))
    values = [{"key": t.value, "name": ticket_texts.REQUEST_TYPE[t]} for t in RequestType]
    return json_response({
        "service_code": code,
        "attributes": [{
            "variable": True, "code": "request_type", "datatype": "singlevaluelist", "required": False,
            "datatype_description": texts.OPEN311_ATTR_REQUEST_TYPE_HELP, "order": 1,
            "description": texts.OPEN311_ATTR_REQUEST_TYPE, "values": values,
        }],
    })


def _iso(value: datetime | None) -> str | None:
    # The spec wants ISO 8601 with an offset; Shanghai local time reads naturally to people.
    return local(value).isoformat() if value else None


def request_json(ticket: Ticket, units: dict[int, str]) -> dict[str, Any]:
    closed = ticket.status not in OPEN_STATUSES
    notes = ticket_texts.STATUS[ticket.status]
    if ticket.result is not None:
        notes += f"（{ticket_texts.RESULT[ticket.result]}）"
    code = CODE_BY_CATEGORY.get(ticket.category, FALLBACK_CODE)
    return {
        "service_request_id": ticket.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": mask_text(ticket.category) or texts.OPEN311_SERVICES[code][0],
        "service_code": code,
        "description": mask_text(ticket.content, names=(ticket.contact_name,)),
        "agency_responsible": units.get(ticket.main_unit_id or 0),
        "service_notice": None,
        "requested_datetime": _iso(ticket.received_at),
        "updated_datetime": _iso(ticket.updated_at),
        "expected_datetime": _iso(ticket.due_at),
        "address": mask_place(ticket.place) or None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


async def _unit_names(session: Any, tickets: list[Ticket]) -> dict[int, str]:
    ids = {t.main_unit_id for t in tickets if t.main_unit_id}
    if not ids:
        return {}
    rows = await session.exec(select(Unit).where(col(Unit.id).in_(ids)))
    return {u.id: u.name for u in rows.all()}


def _when(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ApiError(400, "bad_query", texts.O311_BAD_DATE.format(value=raw[:40]))
    # 0001-01-01 would overflow the 90-day default window below, 9999-12-31 the UTC conversion.
    if not day_in_range(value.date()):
        raise ApiError(400, "bad_query", texts.O311_BAD_DATE_RANGE.format(value=raw[:40], first=EARLIEST_DAY,
                                                                         last=LATEST_DAY))
    return value


@routes.get(BASE + "/requests.json")
async def list_requests(request: web.Request) -> web.Response:
    query = request.query
    statement = select(Ticket).where(PUBLIC)
    # Dates are checked even when ids make the spec ignore them: a broken one is an error either way.
    end = _when(query["end_date"]) if "end_date" in query else request.app[RULES].now()
    start = _when(query["start_date"]) if "start_date" in query else end - timedelta(days=DEFAULT_DAYS)
    chosen = set(query["status"].split(",")) if "status" in query else set()
    if not chosen <= {"open", "closed"}:
        raise ApiError(400, "bad_query", texts.O311_BAD_STATUS)
    if ids := query.get("service_request_id"):
        # The spec: with ids given, every other filter is ignored.
        statement = statement.where(col(Ticket.number).in_([i.strip() for i in ids.split(",") if i.strip()]))
    else:
        statement = statement.where(col(Ticket.received_at) >= start, col(Ticket.received_at) <= end)
        if codes := query.get("service_code"):
            wanted = [texts.OPEN311_SERVICES[c][0] for c in codes.split(",") if c in texts.OPEN311_SERVICES]
            statement = statement.where(col(Ticket.category).in_(wanted))
        if chosen == {"open"}:
            statement = statement.where(col(Ticket.status).in_(sorted(OPEN_STATUSES)))
        elif chosen == {"closed"}:
            statement = statement.where(col(Ticket.status).not_in(sorted(OPEN_STATUSES)))
    statement = statement.order_by(col(Ticket.received_at).desc(), col(Ticket.id).desc()).limit(MAX_RESULTS)
    async with request.app[SESSIONS]() as session:
        tickets = list((await session.exec(statement)).all())
        units = await _unit_names(session, tickets)
    return json_response([request_json(t, units) for t in tickets])


@routes.get(BASE + "/requests/{id}.json")
async def get_request(request: web.Request) -> web.Response:
    number = request.match_info["id"]
    async with request.app[SESSIONS]() as session:
        ticket = (await session.exec(select(Ticket).where(Ticket.number == number, PUBLIC))).first()
        if ticket is None:
            raise ApiError(404, "not_found", texts.O311_REQUEST_NOT_FOUND.format(id=number[:30]))
        units = await _unit_names(session, [ticket])
    return json_response([request_json(ticket, units)])


@routes.get(BASE + "/tokens/{token}.json")
async def get_token(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    async with request.app[SESSIONS]() as session:
        ticket = (await session.exec(select(Ticket).where(Ticket.number == token, PUBLIC))).first()
    if ticket is None:
        raise ApiError(404, "not_found", texts.O311_TOKEN_NOT_FOUND.format(token=token[:30]))
    return json_response([{"token": token, "service_request_id": ticket.number}])


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PHONE = re.compile(PHONE_PATTERN)


def field_limits(limits: Limits) -> dict[str, int]:
    """The longest value of each field of a new request (the OpenAPI document states the same).
    The description leaves room for the photo link appended to it; the two name parts share
    the name limit."""
    return {
        "api_key": 200,
        "lat": 30,
        "long": 30,
        "address_string": limits.place_max_chars,
        "address_id": 100,
        "description": limits.content_max_chars - 300,
        "media_url": 200,
        "first_name": limits.name_max_chars // 2,
        "last_name": limits.name_max_chars // 2,
        "phone": 40,
        "account_id": 100,
    }


# Field names a form can carry (the spec's and `attribute[code]`); others are refused, not guessed at.
FIELD_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,64}")


def check_fields(params: dict[str, str], limits: Limits) -> None:
    for name, limit in field_limits(limits).items():
        if len(params.get(name, "")) > limit:
            raise ApiError(400, "invalid", texts.O311_FIELD_TOO_LONG.format(field=name, limit=limit))
    if (phone := params.get("phone")) and not PHONE.match(phone):
        raise ApiError(400, "invalid", texts.O311_BAD_PHONE)


def _check_names(fields: Any) -> None:
    if not all(isinstance(name, str) and FIELD_NAME.fullmatch(name) for name in fields):
        raise ApiError(400, "invalid", texts.O311_BAD_FIELD_NAME)


async def _params(request: web.Request) -> dict[str, str]:
    """The spec posts form fields; JSON bodies (of strings, as the form) are accepted too;
    anything else is refused. Control characters are refused here, the form's part of the
    one edge for them (tickets.sanitize; JSON bodies: integrations.http.parse_json)."""
    if request.content_type == JSON_TYPE:
        body = parse_json(await read_body(request))
        _check_names(body)
        if not all(isinstance(v, str) for v in body.values()):
            raise ApiError(400, "invalid", texts.O311_NOT_TEXT)
        return body
    if request.content_type not in FORM_TYPES:
        raise ApiError(415, "unsupported_media_type", texts.O311_BAD_CONTENT_TYPE)
    try:
        form = await within_body_timeout(request, request.post())
    except (ValueError, HttpProcessingError) as error:  # multipart without its boundary, broken part headers
        raise ApiError(400, "bad_form", texts.O311_BAD_FORM) from error
    _check_names(form)
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    if (where := find_control(params)) is not None:
        raise ControlCharacter(where)
    return params


@routes.post(BASE + "/requests.json")
async def create_request(request: web.Request) -> web.Response:
    params = await _params(request)
    check_fields(params, request.app[RULES].policy.limits)
    client = await authorize(
        request.app[KEYS],
        request.app[LIMITER],
        params.get("api_key") or bearer(request),
        Scope.TICKETS_CREATE,
    )
    code = params.get("service_code", "")
    if code not in texts.OPEN311_SERVICES:
        raise ApiError(400, "invalid", texts.O311_SERVICE_NOT_FOUND.format(code=code[:40]))
    lat, long, address = params.get("lat"), params.get("long"), params.get("address_string", "").strip()
    address_id = params.get("address_id", "").strip()
    if not ((lat and long) or address or address_id):
        raise ApiError(400, "invalid", texts.O311_LOCATION_REQUIRED)
    description = params.get("description", "").strip()
    if not description:
        raise ApiError(400, "invalid", texts.O311_DESCRIPTION_REQUIRED)
    if media := params.get("media_url", "").strip():
        description += f"\n（图片：{media}）"
    place = address or address_id or f"{lat},{long}"
    name = (params.get("last_name", "") + params.get("first_name", "")).strip() or None
    raw_type = params.get("attribute[request_type]", RequestType.HELP.value)
    try:
        request_type = RequestType(raw_type)
    except ValueError:
        raise ApiError(
            400, "invalid", texts.ERR_INVALID_FIELDS.format(fields="attribute[request_type]")
        ) from None
    draft = TicketCreate(channel=Channel.WEB, request_type=request_type, content=description,
                         category=texts.OPEN311_SERVICES[code][0], place=place[:200], contact_name=name,
                         contact_phone=params.get("phone") or None)
    ticket = await request.app[INTAKE].submit(actor=client.actor(), draft=draft)
    return json_response([{"service_request_id": ticket.number,
                           "service_notice": texts.O311_NOTICE.format(number=ticket.number),
                           "account_id": params.get("account_id") or None}], status=201)
