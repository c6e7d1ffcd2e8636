"""POST /hooks/telephony/cdr: call-detail records of the 双呼 platform, the evidence of the
office's 先行简告 and the unit's 先行联系 (tickets.calls holds the rule).

Signed exactly like the upstream hook and checked by the same code (integrations.upstream:
signature headers, timestamp window, HMAC, then the nonce recorded once), with the platform's
own key (`cdr_secret`). Idempotent by call id: a re-delivery of the same record answers as the
first did with duplicate=true; the same id with other content is a 409. The callee's number is
stored for the rule but never written to a log line or echoed unmasked.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import texts
from integrations.db import writing
from integrations.http import ApiError, json_response, validate
from integrations.schemas import CallRecordAck, CallRecordIn
from integrations.state import RULES, SESSIONS, SETTINGS
from integrations.upstream import read_signed, remember_nonce
from tickets import calls
from tickets import service as svc
from tickets.models import CallRecord, Ticket
from tickets.privacy import mask_phone, normalize_phone

log = logging.getLogger("integrations.cdr")
routes = web.RouteTableDef()


def _report(body: CallRecordIn) -> calls.CallReport:
    return calls.CallReport(
        call_id=body.call_id, ticket_number=body.ticket_number, calling_unit_id=body.calling_unit_id,
        calling_staff=body.calling_staff, callee_phone=normalize_phone(body.callee_number),
        dialed_at=body.dialed_at, answered_at=body.answered_at, hung_up_at=body.hung_up_at,
        outcome=body.outcome, recording_ref=body.recording_ref)


async def _ack(session: AsyncSession, record: CallRecord, *, duplicate: bool) -> dict[str, Any]:
    ticket = await session.get(Ticket, record.ticket_id)
    assert ticket is not None
    stage = calls.stage_of(ticket, record)
    return CallRecordAck(
        call_id=record.call_id,
        ticket_number=ticket.number,
        outcome=record.outcome,
        callee_number=mask_phone(record.callee_phone),
        stage=stage.value if stage else None,
        brief_contact_proven_at=ticket.brief_contact_proven_at,
        first_contact_proven_at=ticket.first_contact_proven_at,
        duplicate=duplicate,
    ).model_dump(mode="json")


async def _known(request: web.Request, report: calls.CallReport) -> web.Response | None:
    """The answer to a re-delivery of a stored call, or None when the call id is new."""
    async with request.app[SESSIONS]() as session:
        record = (await session.exec(select(CallRecord).where(CallRecord.call_id == report.call_id))).first()
        if record is None:
            return None
        if not report.same_call(record):
            raise ApiError(409, "call_conflict", texts.ERR_CALL_CONFLICT.format(call_id=report.call_id[:100]))
        return json_response(await _ack(session, record, duplicate=True))


@routes.post("/hooks/telephony/cdr")
async def call_record_hook(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    rules = request.app[RULES]
    window = settings.upstream_signature_window_seconds
    nonce, data = await read_signed(request, secret=settings.cdr_secret,
                                    closed=ApiError(503, "cdr_disabled", texts.ERR_CDR_DISABLED))
    report = _report(validate(CallRecordIn, data))
    async with writing(request.app) as session:
        fresh = await remember_nonce(session, nonce=nonce, rules=rules, window=window)
    if not fresh:
        raise ApiError(409, "replayed", texts.ERR_REPLAYED)
    if (known := await _known(request, report)) is not None:
        return known
    try:
        async with writing(request.app) as session:
            record = await svc.record_call(session, rules=rules, report=report, clock_skew_seconds=window)
            answer = await _ack(session, record, duplicate=False)
    except IntegrityError:
        # The same call delivered twice at once: the other delivery stored it; answer as it did.
        if (known := await _known(request, report)) is not None:
            return known
        raise
    log.info("call %s to %s for ticket %s: %s", report.call_id, mask_phone(report.callee_phone),
             answer["ticket_number"], report.outcome.value)
    return json_response(answer, status=201)
