"""REST API of the 市长信箱 letters and the 政企通 register and enterprise requests.

Like integrations.api: each view turns JSON into one call of the domain (tickets.mailbox,
tickets.enterprise) and its result back into JSON; every rule is the domain's."""

from __future__ import annotations

import asyncio
import base64
import binascii

from aiohttp import web

from integrations.api import PREFIX, _int_param, client_for
from integrations.db import writing
from integrations.http import ApiError, json_response, read_json, validate
from integrations.keys import Scope
from integrations.schemas import (
    EnterpriseOut,
    EnterpriseRequestIn,
    LetterIn,
    LetterOut,
    PublicLetterList,
    PublicLetterOut,
    PublishIn,
    SpecialistIn,
    SpecialistList,
    SpecialistOut,
)
from integrations.state import RULES, SESSIONS, SETTINGS
from tickets import deadlines, enterprise, mailbox, photos
from tickets import texts as ticket_texts
from tickets.enums import Role
from tickets.errors import Forbidden
from tickets.models import Unit
from tickets.photos import PhotoStore, Upload
from tickets.schemas import TicketCreate

routes = web.RouteTableDef()
MAX_PAGE = 200


def _office_only(role: Role) -> None:
    if role is not Role.OFFICE:
        raise Forbidden(ticket_texts.ERR_ROLE_FORBIDDEN.format(action=ticket_texts.SPECIALIST_REGISTER))


# --- 市长信箱 -------------------------------------------------------------------------------------


@routes.post(PREFIX + "/mailbox/letters")
async def write_letter(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_CREATE)
    body = validate(LetterIn, await read_json(request))
    rules = request.app[RULES]
    mailbox.check_attachment_count(rules, len(body.attachments))
    uploads = []
    for item in body.attachments:
        try:
            data = base64.b64decode(item.data_base64, validate=True)
        except (binascii.Error, ValueError):
            data = b"\x00"  # not base64 after all: refused below as not an image
        uploads.append(Upload(name=item.name, data=data))
    letter = mailbox.LetterCreate.model_validate(body.model_dump(exclude={"attachments"}))
    mailbox.check_letter(rules, letter)  # refused before the images are decoded
    # Decoding and re-encoding images is CPU work: off the event loop, before anything is written.
    cleaned = await asyncio.to_thread(photos.check_uploads, uploads)
    store = PhotoStore(request.app[SETTINGS].media_dir)
    await asyncio.to_thread(lambda: [store.save(p) for p in cleaned])
    async with writing(request.app) as session:
        ticket = await mailbox.write_letter(session, rules=rules, actor=client.actor(), letter=letter)
        await photos.attach_photos(session, rules=rules, ticket=ticket, photos=cleaned, store=store)
        out = LetterOut(
            number=ticket.number,
            title=" ".join(letter.title.split()),
            status=ticket.status,
            status_label=ticket_texts.STATUS[ticket.status],
            publish_consent=letter.publish_consent,
            attachments=len(cleaned),
            received_at=ticket.received_at,
            due_at=deadlines.expected_due(ticket, rules=rules).at,
        )
    return json_response(out.model_dump(mode="json"), status=201,
                         headers={"Location": f"{PREFIX}/tickets/{out.number}"})


def _public(letter: mailbox.PublicLetter) -> PublicLetterOut:
    return PublicLetterOut(number=letter.number, title=letter.title, body=letter.body, reply=letter.reply,
                           unit=letter.unit, received_at=letter.received_at, replied_at=letter.replied_at,
                           published_at=letter.published_at)


@routes.get(PREFIX + "/mailbox/published")
async def published(request: web.Request) -> web.Response:
    await client_for(request, Scope.TICKETS_READ)
    limit = _int_param(request, "limit", 20, 1, MAX_PAGE) or 20
    offset = _int_param(request, "offset", 0, 0, 10**9) or 0
    async with request.app[SESSIONS]() as session:
        letters = await mailbox.published_letters(session, limit=limit, offset=offset)
    return json_response(PublicLetterList(letters=[_public(p) for p in letters]).model_dump(mode="json"))


@routes.post(PREFIX + "/mailbox/letters/{number}/publish")
async def publish(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_ACT)
    body = validate(PublishIn, await read_json(request))
    number = request.match_info["number"]
    async with writing(request.app) as session:
        await mailbox.publish(session, rules=request.app[RULES], actor=client.actor(), number=number,
                              reply=body.reply)
    async with request.app[SESSIONS]() as session:
        shown = next(
            p for p in await mailbox.published_letters(session, limit=MAX_PAGE) if p.number == number
        )
    return json_response(_public(shown).model_dump(mode="json"))


# --- 政企通 -------------------------------------------------------------------------------------


def _specialist(entry: enterprise.SpecialistEntry) -> SpecialistOut:
    return SpecialistOut(id=entry.id, unit=entry.unit, name=entry.name, policy_area=entry.policy_area,
                         active=entry.active, open_requests=entry.open_requests)


@routes.get(PREFIX + "/enterprise/specialists")
async def list_specialists(request: web.Request) -> web.Response:
    await client_for(request, Scope.TICKETS_READ)
    async with request.app[SESSIONS]() as session:
        entries = await enterprise.list_specialists(session)
    return json_response(
        SpecialistList(specialists=[_specialist(e) for e in entries]).model_dump(mode="json")
    )


@routes.post(PREFIX + "/enterprise/specialists")
async def add_specialist(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_ACT)
    body = validate(SpecialistIn, await read_json(request))
    _office_only(client.role)
    async with writing(request.app) as session:
        found = await enterprise.register_specialist(session, rules=request.app[RULES], actor=client.actor(),
                                                     unit_id=body.unit_id, staff_id=body.staff_id,
                                                     policy_area=body.policy_area)
        entry_id = found.id
    async with request.app[SESSIONS]() as session:
        entry = next(e for e in await enterprise.list_specialists(session) if e.id == entry_id)
    return json_response(_specialist(entry).model_dump(mode="json"), status=201)


@routes.post(PREFIX + "/enterprise/specialists/{specialist_id}/deactivate")
async def deactivate_specialist(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_ACT)
    _office_only(client.role)
    raw = request.match_info["specialist_id"]
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
        raise ApiError(404, "not_found", ticket_texts.ERR_SPECIALIST_NOT_FOUND.format(id=raw[:20]))
    async with writing(request.app) as session:
        found = await enterprise.deactivate_specialist(
            session, rules=request.app[RULES], actor=client.actor(), specialist_id=int(raw)
        )
        entry_id = found.id
    async with request.app[SESSIONS]() as session:
        entry = next(
            e for e in await enterprise.list_specialists(session, include_inactive=True) if e.id == entry_id
        )
    return json_response(_specialist(entry).model_dump(mode="json"))


@routes.post(PREFIX + "/enterprise/requests")
async def file_enterprise_request(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TICKETS_CREATE)
    body = validate(EnterpriseRequestIn, await read_json(request))
    rules = request.app[RULES]
    caller = enterprise.EnterpriseCaller.checked(credit_code=body.credit_code, company_name=body.company_name,
                                                 policy_area=body.policy_area)
    draft = TicketCreate(
        channel=body.channel,
        request_type=body.request_type,
        content=body.content,
        category=body.category,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
    )
    async with writing(request.app) as session:
        filed = await enterprise.file_enterprise_request(
            session, rules=rules, actor=client.actor(), data=draft, caller=caller
        )
        unit = await session.get(Unit, filed.ticket.main_unit_id) if filed.ticket.main_unit_id else None
        ticket = filed.ticket
        out = EnterpriseOut(number=ticket.number, status=ticket.status, credit_code=caller.credit_code,
                            company_name=caller.company_name, policy_area=caller.policy_area,
                            specialist=filed.specialist_name, unit=unit.name if unit is not None else None,
                            first_contact_due_at=ticket.first_contact_due_at,
                            due_at=deadlines.expected_due(ticket, rules=rules).at)
    return json_response(out.model_dump(mode="json"), status=201,
                         headers={"Location": f"{PREFIX}/tickets/{out.number}"})
