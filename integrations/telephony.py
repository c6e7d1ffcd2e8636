"""POST /hooks/telephony/calls: agent assist for the call centre (话务端).

The call-centre system posts the call id, the caller's number, the agent id and the
ASR transcript; the agent gets the classification and up to three knowledge-base
answers. When the agent asks for a ticket (a `ticket` object in the body) one is filed
through tickets.service. Idempotent by call id: the first transcript's assist is kept
and returned again, and a call never gets a second ticket.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from integrations import texts
from integrations.api import client_for
from integrations.db import writing
from integrations.http import ApiError, json_response, read_json, validate
from integrations.keys import Client, Scope
from integrations.models import TelephonyCall
from integrations.schemas import TelephonyCallIn, TelephonyCallOut
from integrations.state import CLASSIFY, KB_ASK, METRICS, RULES, SESSIONS
from tickets import intake
from tickets.enums import Channel, RequestType, Urgency
from tickets.privacy import mask_phone, normalize_phone
from tickets.schemas import TicketCreate

log = logging.getLogger("integrations.telephony")
routes = web.RouteTableDef()
MAX_ANSWERS = 3


def assist_for(app: web.Application, transcript: str) -> dict[str, Any]:
    """Classification and answers through the seams; absent components give empty parts."""
    classify = app.get(CLASSIFY)
    ask = app.get(KB_ASK)
    classification = classify(transcript) if classify is not None else None
    answers: list[dict[str, Any]] = []
    if ask is not None:
        result = ask(transcript, declined=frozenset())
        app[METRICS].kb_answers.labels(result["band"], "telephony").inc()
        answers = result["answers"][:MAX_ANSWERS]
    return {"classification": classification, "answers": answers}


def render(call: TelephonyCall, *, duplicate: bool) -> dict[str, Any]:
    return TelephonyCallOut(
        call_id=call.call_id, caller_number=mask_phone(call.caller_phone) or None,
        classification=call.assist.get("classification"), answers=call.assist.get("answers", []),
        ticket_number=call.ticket_number, duplicate=duplicate,
    ).model_dump(mode="json")


async def _file_ticket(session: Any, request: web.Request, client: Client, call: TelephonyCall,
                       body: TelephonyCallIn) -> str:
    wanted = body.ticket
    assert wanted is not None
    classification = call.assist.get("classification") or {}
    draft = TicketCreate(
        channel=Channel.TELEPHONY,
        request_type=wanted.request_type or classification.get("request_type") or RequestType.HELP,
        content=wanted.content or call.transcript,
        category=wanted.category if wanted.category is not None else (classification.get("category") or ""),
        urgency=wanted.urgency or classification.get("urgency") or Urgency.GENERAL,
        place=wanted.place, contact_name=wanted.contact_name, contact_phone=call.caller_phone,
    )
    ticket = await intake.create_ticket(session, rules=request.app[RULES], actor=client.actor(), data=draft)
    return ticket.number


@routes.post("/hooks/telephony/calls")
async def telephony_call(request: web.Request) -> web.Response:
    client = await client_for(request, Scope.TELEPHONY)
    body = validate(TelephonyCallIn, await read_json(request))
    phone = normalize_phone(body.caller_number) if body.caller_number else None
    rules = request.app[RULES]
    sessions = request.app[SESSIONS]

    async with sessions() as session:
        call = await session.get(TelephonyCall, body.call_id)
    if call is None:
        # Encoding the transcript for the knowledge base is C code that releases the GIL: off the loop.
        assist = await asyncio.to_thread(assist_for, request.app, body.transcript)
        now = rules.now()
        call = TelephonyCall(call_id=body.call_id, agent_id=body.agent_id, caller_phone=phone,
                             transcript=body.transcript, assist=assist, created_at=now, updated_at=now)
        try:
            async with writing(request.app) as session:
                session.add(call)
                await session.flush()
                if body.ticket is not None:
                    call.ticket_number = await _file_ticket(session, request, client, call, body)
            log.info("call %s from %s: assist given%s", body.call_id, mask_phone(phone),
                     f", ticket {call.ticket_number}" if call.ticket_number else "")
            return json_response(render(call, duplicate=False), status=201)
        except IntegrityError:
            pass  # the same call posted twice at once: continue as a repeat
        async with sessions() as session:
            call = await session.get(TelephonyCall, body.call_id)
        assert call is not None

    if call.agent_id != body.agent_id or call.caller_phone != phone:
        raise ApiError(409, "call_conflict", texts.ERR_CALL_CONFLICT.format(call_id=body.call_id[:100]))
    if body.ticket is not None and call.ticket_number is None:
        try:
            async with writing(request.app) as session:
                number = await _file_ticket(session, request, client, call, body)
                claimed = await session.exec(
                    update(TelephonyCall)
                    .where(
                        col(TelephonyCall.call_id) == call.call_id, col(TelephonyCall.ticket_number).is_(None)
                    )
                    .values(ticket_number=number, updated_at=rules.now())
                )
                if claimed.rowcount != 1:
                    raise _TicketTaken
        except _TicketTaken:
            # Another request filed this call's ticket meanwhile; ours went with the rollback.
            async with sessions() as fresh:
                call = await fresh.get(TelephonyCall, body.call_id)
            assert call is not None
            return json_response(render(call, duplicate=True))
        call.ticket_number = number
        log.info("call %s: ticket %s filed on the agent's request", call.call_id, number)
        return json_response(render(call, duplicate=False))
    return json_response(render(call, duplicate=True))


class _TicketTaken(Exception):
    pass
