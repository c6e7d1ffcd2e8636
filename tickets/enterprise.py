"""政企通 (seed 002): a register of policy specialists per unit and policy area, and enterprise
requests routed one-to-one to a specialist of the right unit with the enterprise terms of the
policy file (`enterprise:`).

An enterprise request is an ordinary ticket (received through tickets.intake, dispatched
through tickets.service) plus one EnterpriseRequest row naming the enterprise, the policy area
and the specialist; the reports count enterprise requests by that row (reports.enterprise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import intake, service, texts
from tickets.context import Actor, Rules
from tickets.credit_code import validate_credit_code
from tickets.enums import OPEN_STATUSES, Role
from tickets.errors import Conflict, NotFound, ValidationFailed
from tickets.messaging import MessageKind, summary, tell_staff
from tickets.models import EnterpriseRequest, PolicySpecialist, Staff, Ticket, Unit
from tickets.queries import get_unit
from tickets.rows import select_columns
from tickets.sanitize import refuse_control
from tickets.schemas import TicketCreate, check_length


def check_policy_area(area: str) -> str:
    area = " ".join((area or "").split())
    if not area:
        raise ValidationFailed(texts.ERR_POLICY_AREA_EMPTY)
    check_length(area, 50, texts.WHAT_POLICY_AREA)
    return area


# --- the register -----------------------------------------------------------------------------


async def register_specialist(
    session: AsyncSession, *, rules: Rules, actor: Actor, unit_id: int, staff_id: int, policy_area: str
) -> PolicySpecialist:
    """Name a handler of `unit_id` the unit's specialist for `policy_area` (a deactivated
    entry of the same person and area is taken back into service)."""
    area = check_policy_area(policy_area)
    refuse_control({texts.WHAT_POLICY_AREA: area})
    unit = await get_unit(session, unit_id=unit_id)
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(texts.ERR_STAFF_NOT_FOUND)
    if staff.role is not Role.HANDLER or staff.unit_id != unit.id or not staff.active:
        raise Conflict(texts.ERR_SPECIALIST_NOT_HANDLER.format(name=staff.name, unit=unit.name))
    found = (await session.exec(select(PolicySpecialist).where(
        PolicySpecialist.staff_id == staff_id, PolicySpecialist.policy_area == area))).first()
    if found is not None and found.active:
        raise Conflict(texts.ERR_SPECIALIST_EXISTS.format(name=staff.name, area=area))
    if found is None:
        found = PolicySpecialist(unit_id=unit.id, staff_id=staff_id, policy_area=area)  # type: ignore[arg-type]
    found.active, found.created_at, found.created_by = True, rules.now(), actor.name
    found.deactivated_at, found.deactivated_by = None, ""
    session.add(found)
    await session.flush()
    return found


async def deactivate_specialist(session: AsyncSession, *, rules: Rules, actor: Actor,
                                specialist_id: int) -> PolicySpecialist:
    found = await session.get(PolicySpecialist, specialist_id)
    if found is None:
        raise NotFound(texts.ERR_SPECIALIST_NOT_FOUND.format(id=specialist_id))
    if not found.active:
        return found  # stopped already (a form sent twice): who stopped it, and when, stay
    found.active, found.deactivated_at, found.deactivated_by = False, rules.now(), actor.name
    session.add(found)
    await session.flush()
    return found


@dataclass(frozen=True)
class SpecialistEntry:
    """One line of the register as people read it."""

    id: int
    unit: str
    name: str
    policy_area: str
    active: bool
    open_requests: int
    unit_id: int = 0


def _open_requests() -> sa.ScalarSelect[int]:
    """A specialist's open enterprise requests (correlated with the register row): their load."""
    return (
        sa.select(sa.func.count()).select_from(EnterpriseRequest)
        .join(Ticket, col(Ticket.id) == col(EnterpriseRequest.ticket_id))
        .where(col(EnterpriseRequest.specialist_id) == col(PolicySpecialist.id),
               col(Ticket.status).in_(sorted(OPEN_STATUSES)))
        .scalar_subquery()
    )


async def list_specialists(session: AsyncSession, *, include_inactive: bool = False,
                           ids: Sequence[int] | None = None) -> list[SpecialistEntry]:
    query = (
        select_columns(PolicySpecialist.id, Unit.name, Staff.name, PolicySpecialist.policy_area,
                       PolicySpecialist.active, _open_requests(), PolicySpecialist.unit_id)
        .join(Unit, col(Unit.id) == col(PolicySpecialist.unit_id))
        .join(Staff, col(Staff.id) == col(PolicySpecialist.staff_id))
        .order_by(col(Unit.name), col(PolicySpecialist.policy_area), col(PolicySpecialist.id))
    )
    if not include_inactive:
        query = query.where(col(PolicySpecialist.active).is_(True))
    if ids is not None:
        query = query.where(col(PolicySpecialist.id).in_(list(ids)))
    rows = (await session.exec(query)).all()
    return [SpecialistEntry(int(i), u, n, a, bool(act), int(o), int(unit_id))
            for i, u, n, a, act, o, unit_id in rows]


@dataclass(frozen=True)
class Candidate:
    """A person the register may name: an active handler of an active unit."""

    staff_id: int
    name: str
    slot: str
    unit_id: int
    unit: str


async def specialist_candidates(session: AsyncSession) -> list[Candidate]:
    rows = await session.exec(
        select(Staff, Unit)
        .join(Unit, col(Unit.id) == col(Staff.unit_id))
        .where(Staff.role == Role.HANDLER, col(Staff.active).is_(True), col(Unit.active).is_(True))
        .order_by(col(Unit.id), col(Staff.slot), col(Staff.id))
    )
    return [Candidate(staff_id=staff.id or 0, name=staff.name, slot=staff.slot.value if staff.slot else "",
                      unit_id=unit.id or 0, unit=unit.name) for staff, unit in rows.all()]


async def get_specialist(session: AsyncSession, *, specialist_id: int) -> SpecialistEntry:
    found = await list_specialists(session, include_inactive=True, ids=[specialist_id])
    if not found:
        raise NotFound(texts.ERR_SPECIALIST_NOT_FOUND.format(id=specialist_id))
    return found[0]


async def policy_areas(session: AsyncSession) -> list[str]:
    """The areas someone answers now: what an enterprise may choose from."""
    rows = await session.exec(
        select(PolicySpecialist.policy_area)
        .where(col(PolicySpecialist.active).is_(True))
        .distinct()
        .order_by(PolicySpecialist.policy_area)
    )
    return list(rows.all())


async def pick_specialist(session: AsyncSession, *, policy_area: str) -> PolicySpecialist | None:
    """The active specialist of the area with the fewest open enterprise requests (ties: the
    longest-registered), so that the one-to-one service is spread over the area's specialists."""
    query = (
        select(PolicySpecialist)
        .join(Staff, col(Staff.id) == col(PolicySpecialist.staff_id))
        .join(Unit, col(Unit.id) == col(PolicySpecialist.unit_id))
        .where(PolicySpecialist.policy_area == policy_area, col(PolicySpecialist.active).is_(True),
               col(Staff.active).is_(True), col(Unit.active).is_(True))
        .order_by(_open_requests(), col(PolicySpecialist.id))
        .limit(1)
    )
    return (await session.exec(query)).first()


# --- enterprise requests ----------------------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseCaller:
    """Who the enterprise is: a valid credit code, or at least its name."""

    credit_code: str | None
    company_name: str
    policy_area: str

    @classmethod
    def checked(
        cls, *, credit_code: str | None, company_name: str | None, policy_area: str
    ) -> EnterpriseCaller:
        name = " ".join((company_name or "").split())
        refuse_control({texts.WHAT_COMPANY: name, texts.WHAT_POLICY_AREA: policy_area})
        check_length(name, 100, texts.WHAT_COMPANY)
        code = validate_credit_code(credit_code) if credit_code and credit_code.strip() else None
        if code is None and not name:
            raise ValidationFailed(texts.ERR_ENTERPRISE_WHO)
        return cls(credit_code=code, company_name=name, policy_area=check_policy_area(policy_area))


@dataclass(frozen=True)
class EnterpriseFiled:
    ticket: Ticket
    request: EnterpriseRequest
    specialist: PolicySpecialist | None
    specialist_name: str | None


async def file_enterprise_request(session: AsyncSession, *, rules: Rules, actor: Actor, data: TicketCreate,
                                  caller: EnterpriseCaller) -> EnterpriseFiled:
    """Receive an enterprise's request through the one door, then route it one-to-one: to a
    specialist of the area (dispatched to the specialist's unit, with the enterprise terms),
    or, when the area has none, left for the office to dispatch like any ticket."""
    ticket = await intake.create_ticket(session, rules=rules, actor=actor, data=data)
    request = EnterpriseRequest(ticket_id=ticket.id, credit_code=caller.credit_code,  # type: ignore[arg-type]
                                company_name=caller.company_name, policy_area=caller.policy_area)
    session.add(request)
    # Stored before dispatch: dispatch reads it to run the enterprise terms.
    await session.flush()
    specialist = await pick_specialist(session, policy_area=caller.policy_area)
    if specialist is None:
        await session.flush()
        return EnterpriseFiled(ticket, request, None, None)
    staff = await session.get(Staff, specialist.staff_id)
    assert staff is not None  # a foreign key
    await service.dispatch(
        session,
        rules=rules,
        actor=Actor.system(texts.SPECIALIST_ROUTER),
        number=ticket.number,
        unit_id=specialist.unit_id,
        note=texts.SPECIALIST_ROUTED.format(name=staff.name, area=caller.policy_area),
    )
    request.specialist_id, request.assigned_at = specialist.id, rules.now()
    session.add(request)
    await session.flush()
    await tell_staff(session, rules=rules, kind=MessageKind.SPECIALIST_ASSIGNED, ticket=ticket, staff=staff,
                     text=texts.N_SPECIALIST_ASSIGNED.format(
                         number=ticket.number, company=caller.company_name or caller.credit_code,
                         area=caller.policy_area, summary=summary(ticket.content),
                         first_contact_due=texts.fmt_local(ticket.first_contact_due_at),
                         due=texts.fmt_local(ticket.due_at)))
    return EnterpriseFiled(ticket, request, specialist, staff.name)


async def enterprise_of(session: AsyncSession, *, ticket_ids: Sequence[int]) -> dict[int, EnterpriseRequest]:
    if not ticket_ids:
        return {}
    rows = await session.exec(
        select(EnterpriseRequest).where(col(EnterpriseRequest.ticket_id).in_(list(ticket_ids)))
    )
    return {r.ticket_id: r for r in rows.all()}
