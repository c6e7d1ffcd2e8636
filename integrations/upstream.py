"""POST /hooks/upstream: events of the upstream (city) platform.

Checked in this order: signature headers present, timestamp inside the window, HMAC
over timestamp + nonce + body (constant-time compare), JSON envelope, known event
type, then the nonce is recorded (a replay inside the window is refused) and the event
is applied once: its id is stored with our answer in the same transaction as the
change, so a re-delivery returns the first answer and changes nothing.

Our replies and state changes go back up through the outbox (tickets.service writes
UPSTREAM rows; integrations.notifiers.UpstreamNotifier sends them).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import texts
from integrations.db import writing
from integrations.http import ApiError, json_response, parse_json, read_body, require_json_type, validate
from integrations.models import UpstreamEvent, UpstreamNonce
from integrations.schemas import UpstreamAck, UpstreamDispatchData, UpstreamEnvelope, UpstreamTicketData
from integrations.signing import NONCE, SIGNATURE, TIMESTAMP, signature_matches
from integrations.state import METRICS, RULES, SESSIONS, SETTINGS
from tickets import intake
from tickets import service as svc
from tickets.context import Actor, Rules
from tickets.db import insert_for
from tickets.enums import OPEN_STATUSES, Channel
from tickets.errors import HotlineError, NotFound
from tickets.models import Ticket
from tickets.schemas import TicketCreate

log = logging.getLogger("integrations.upstream")
routes = web.RouteTableDef()
PLATFORM = Actor.system("上级平台")


async def ticket_by_external(session: AsyncSession, number: str) -> Ticket:
    ticket = (await session.exec(
        select(Ticket).where(Ticket.channel == Channel.UPSTREAM, Ticket.external_number == number)
        .order_by(col(Ticket.id).desc())
    )).first()
    if ticket is None:
        raise NotFound(texts.ERR_UPSTREAM_TICKET_NOT_FOUND.format(number=number[:64]))
    return ticket


async def on_dispatch(session: AsyncSession, rules: Rules, data: UpstreamDispatchData) -> Ticket:
    existing = (await session.exec(
        select(Ticket).where(Ticket.channel == Channel.UPSTREAM, Ticket.external_number == data.number,
                             col(Ticket.status).in_(sorted(OPEN_STATUSES)))
    )).first()
    if existing is not None:
        raise ApiError(409, "duplicate_number", texts.ERR_UPSTREAM_DUPLICATE_NUMBER.format(
            number=data.number, ticket=existing.number))
    draft = TicketCreate(
        channel=Channel.UPSTREAM,
        external_number=data.number,
        request_type=data.request_type,
        content=data.content,
        category=data.category,
        urgency=data.urgency,
        place=data.place,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        confidential=data.confidential,
    )
    return await intake.create_ticket(session, rules=rules, actor=PLATFORM, data=draft)


def _on_ticket(
    action: Callable[..., Awaitable[Ticket]],
) -> Callable[[AsyncSession, Rules, Any], Awaitable[Ticket]]:
    async def run(session: AsyncSession, rules: Rules, data: UpstreamTicketData) -> Ticket:
        ticket = await ticket_by_external(session, data.number)
        return await action(session, rules=rules, actor=PLATFORM, number=ticket.number, note=data.note)

    return run


EVENTS: dict[str, tuple[type[BaseModel], Callable[[AsyncSession, Rules, Any], Awaitable[Ticket]]]] = {
    "dispatch": (UpstreamDispatchData, on_dispatch),
    "recall": (UpstreamTicketData, _on_ticket(svc.recall)),
    "urge": (UpstreamTicketData, _on_ticket(svc.urge)),
    "supervise": (UpstreamTicketData, _on_ticket(svc.supervise)),
    "recheck": (UpstreamTicketData, _on_ticket(svc.recheck)),
}


def check_signature(request: web.Request, body: bytes, *, secret: str, rules: Rules, window: int) -> str:
    """Returns the nonce of a correctly signed, fresh request; raises 401 otherwise."""
    timestamp = request.headers.get(TIMESTAMP, "")
    nonce = request.headers.get(NONCE, "")
    given = request.headers.get(SIGNATURE, "")
    if not (timestamp and nonce and given):
        raise ApiError(401, "signature_missing", texts.ERR_SIGNATURE_MISSING)
    try:
        sent = int(timestamp)
    except ValueError:
        raise ApiError(401, "signature_stale", texts.ERR_SIGNATURE_STALE.format(seconds=window)) from None
    if abs(rules.now().timestamp() - sent) > window:
        raise ApiError(401, "signature_stale", texts.ERR_SIGNATURE_STALE.format(seconds=window))
    if not 8 <= len(nonce) <= 100 or not signature_matches(secret, timestamp, nonce, body, given):
        raise ApiError(401, "signature_invalid", texts.ERR_SIGNATURE_BAD)
    return nonce


async def remember_nonce(session: AsyncSession, *, nonce: str, rules: Rules, window: int) -> bool:
    """True the first time a nonce is seen inside the window; older nonces are pruned
    (their timestamps are refused as stale anyway)."""
    now = rules.now()
    await session.exec(
        delete(UpstreamNonce).where(col(UpstreamNonce.seen_at) < now - timedelta(seconds=2 * window))
    )
    result = await session.exec(
        insert_for(session)(UpstreamNonce)
        .values(nonce=nonce, seen_at=now)
        .on_conflict_do_nothing(index_elements=["nonce"])
    )
    return bool(result.rowcount)


async def read_signed(
    request: web.Request, *, secret: str | None, closed: ApiError
) -> tuple[str, dict[str, Any]]:
    """The nonce and JSON object of a signed hook request (this one and /hooks/telephony/cdr):
    `closed` without a secret, then the checks of check_signature, then the body's type and JSON.
    The caller records the nonce (remember_nonce) once it knows the request is worth keeping."""
    if not secret:
        raise closed
    body = await read_body(request)
    nonce = check_signature(request, body, secret=secret, rules=request.app[RULES],
                            window=request.app[SETTINGS].upstream_signature_window_seconds)
    require_json_type(request)
    return nonce, parse_json(body)


@routes.post("/hooks/upstream")
async def upstream_hook(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    rules = request.app[RULES]
    metrics = request.app[METRICS]
    window = settings.upstream_signature_window_seconds
    nonce, data = await read_signed(request, secret=settings.upstream_secret,
                                    closed=ApiError(503, "upstream_disabled", texts.ERR_UPSTREAM_DISABLED))
    envelope = validate(UpstreamEnvelope, data)
    handler = EVENTS.get(envelope.event_type)
    if handler is None:
        metrics.upstream_events.labels("unknown", "rejected").inc()
        raise ApiError(400, "unknown_event_type", texts.ERR_UNKNOWN_EVENT.format(
            event_type=envelope.event_type[:32], allowed="、".join(EVENTS)))
    model, apply = handler
    payload = validate(model, envelope.data)
    sessions = request.app[SESSIONS]
    async with writing(request.app) as session:
        fresh = await remember_nonce(session, nonce=nonce, rules=rules, window=window)
    if not fresh:
        metrics.upstream_events.labels(envelope.event_type, "replayed").inc()
        raise ApiError(409, "replayed", texts.ERR_REPLAYED)

    async def stored() -> web.Response | None:
        async with sessions() as session:
            seen = await session.get(UpstreamEvent, envelope.event_id)
        if seen is None:
            return None
        metrics.upstream_events.labels(envelope.event_type, "duplicate").inc()
        return json_response({**seen.response, "duplicate": True})

    try:
        async with writing(request.app) as session:
            seen = await session.get(UpstreamEvent, envelope.event_id)
            if seen is not None:
                metrics.upstream_events.labels(envelope.event_type, "duplicate").inc()
                return json_response({**seen.response, "duplicate": True})
            ticket = await apply(session, rules, payload)
            ack = UpstreamAck(event_id=envelope.event_id, event_type=envelope.event_type,
                              ticket_number=ticket.number, status=ticket.status, duplicate=False)
            session.add(
                UpstreamEvent(
                    event_id=envelope.event_id,
                    event_type=envelope.event_type,
                    external_number=getattr(payload, "number", ""),
                    ticket_number=ticket.number,
                    response=ack.model_dump(mode="json"),
                    received_at=rules.now(),
                )
            )
            await session.flush()
    except (IntegrityError, HotlineError):
        # The same event delivered twice at once by another process: the other delivery
        # won (its ticket now blocks ours), so answer as it did.
        if (again := await stored()) is not None:
            return again
        raise
    metrics.upstream_events.labels(envelope.event_type, "applied").inc()
    log.info("upstream %s %s applied to ticket %s", envelope.event_type, envelope.event_id, ticket.number)
    return json_response(ack.model_dump(mode="json"))
