"""What makes a ticket an enterprise's request (政企通) or a 市长信箱 letter, as the ticket page
shows it: the enterprise, its policy area, specialist and terms; the letter's title and its
publication. Who the enterprise is follows the citizen's contact rules (tickets.privacy): a
unit that may not see the caller's name sees the company's masked too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import mailbox, privacy
from tickets.deadlines import describe_period
from tickets.models import EnterpriseRequest, PolicySpecialist, Staff, Ticket
from tickets.policy import Policy
from tickets.privacy import mask_text


@dataclass(frozen=True)
class EnterpriseFacts:
    company: str
    credit_code: str
    policy_area: str
    specialist: str  # "" when the area had no specialist (the office dispatched it)
    assigned_at: datetime | None
    first_contact: str  # the enterprise terms, e.g. "1个工作日"
    completion: str


@dataclass(frozen=True)
class LetterFacts:
    title: str
    consent: bool
    published_at: datetime | None


async def enterprise_facts(session: AsyncSession, *, ticket: Ticket, policy: Policy,
                           visible: bool) -> EnterpriseFacts | None:
    found = await session.get(EnterpriseRequest, ticket.id)
    if found is None:
        return None
    specialist = ""
    if found.specialist_id is not None:
        entry = await session.get(PolicySpecialist, found.specialist_id)
        staff = await session.get(Staff, entry.staff_id) if entry is not None else None
        specialist = staff.name if staff is not None else ""
    code = found.credit_code or ""
    return EnterpriseFacts(
        company=found.company_name if visible else privacy.mask_company(found.company_name),
        credit_code=code if visible else privacy.mask_credit_code(code),
        policy_area=found.policy_area,
        specialist=specialist,
        assigned_at=found.assigned_at,
        first_contact=describe_period(policy.enterprise.first_contact),
        completion=describe_period(policy.enterprise.completion),
    )


async def letter_facts(session: AsyncSession, *, ticket: Ticket, visible: bool) -> LetterFacts | None:
    found = await mailbox.letter_if_any(session, ticket=ticket)
    if found is None:
        return None
    title = found.title if visible else mask_text(found.title, names=(ticket.contact_name,))
    return LetterFacts(title=title, consent=found.publish_consent, published_at=found.published_at)
