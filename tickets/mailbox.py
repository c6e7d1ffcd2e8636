"""市长信箱 letters (seed 002 附件2): a channel of its own. A letter is a ticket received
through the one door (tickets.intake, channel MAILBOX) that runs the same lifecycle, on the
mailbox's own terms (policy `mailbox:`, applied by tickets.deadlines), plus a MailboxLetter row
with its title and the writer's consent to publication. Once closed, the office may publish
the letter and its reply on the public page: only with that consent, and with the writer's
personal data removed (tickets.privacy.redact_for_publication)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import intake, service, texts, workflow
from tickets.context import Actor, Rules
from tickets.enums import Action, Channel, RequestType, TicketStatus
from tickets.errors import IllegalTransition, NotFound, ValidationFailed
from tickets.messaging import MessageKind, tell
from tickets.models import MailboxLetter, Ticket, Unit
from tickets.privacy import redact_for_publication
from tickets.queries import get_ticket
from tickets.sanitize import refuse_control
from tickets.schemas import TicketCreate, check_length

_WORD = re.compile(r"[^\W_]")


class LetterCreate(BaseModel):
    """A letter as a writer sends it (H5 form, API)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str
    body: str
    publish_consent: bool = False
    request_type: RequestType = RequestType.SUGGESTION
    category: str = Field(default="", max_length=50)
    contact_name: str | None = None
    contact_phone: str | None = None
    place: str = ""


def check_title(rules: Rules, title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed(texts.ERR_LETTER_TITLE_EMPTY)
    if _WORD.search(title) is None:
        raise ValidationFailed(texts.ERR_LETTER_TITLE_NO_WORDS)
    check_length(title, rules.policy.limits.letter_title_max_chars, texts.WHAT_LETTER_TITLE)
    return title


def check_letter(rules: Rules, letter: LetterCreate) -> tuple[str, TicketCreate]:
    """The title checked here, the body and contact by the intake door's own rules."""
    refuse_control({texts.WHAT_LETTER_TITLE: letter.title})
    title = check_title(rules, letter.title)
    draft = TicketCreate(channel=Channel.MAILBOX, request_type=letter.request_type, content=letter.body,
                         category=letter.category, place=letter.place, contact_name=letter.contact_name,
                         contact_phone=letter.contact_phone)
    intake.check_draft(rules, draft)
    return title, draft


def check_attachment_count(rules: Rules, count: int) -> None:
    limit = rules.policy.limits.letter_attachments_max
    if count > limit:
        raise ValidationFailed(texts.ERR_LETTER_TOO_MANY_ATTACHMENTS.format(limit=limit, count=count))


async def write_letter(session: AsyncSession, *, rules: Rules, actor: Actor, letter: LetterCreate) -> Ticket:
    """Receive a letter: its ticket through the one door, then its mailbox row."""
    title, draft = check_letter(rules, letter)
    ticket = await intake.create_ticket(session, rules=rules, actor=actor, data=draft)
    session.add(MailboxLetter(ticket_id=ticket.id, title=title,  # type: ignore[arg-type]
                              publish_consent=letter.publish_consent))
    await session.flush()
    return ticket


async def letter_of(session: AsyncSession, *, ticket: Ticket) -> MailboxLetter:
    found = await session.get(MailboxLetter, ticket.id)
    if found is None:
        raise NotFound(texts.ERR_LETTER_NOT_FOUND.format(number=ticket.number))
    return found


async def letter_if_any(session: AsyncSession, *, ticket: Ticket) -> MailboxLetter | None:
    """The ticket's letter when it came through the mailbox, else None."""
    return await session.get(MailboxLetter, ticket.id) if ticket.channel is Channel.MAILBOX else None


@dataclass(frozen=True)
class PublicText:
    """What the public page shows of a letter: its title, body and reply without the writer's data."""

    title: str
    body: str
    reply: str


def public_text(ticket: Ticket, letter: MailboxLetter, *, reply: str | None = None) -> PublicText:
    """The cleaned texts as publishing stores them: the preview the office reads is this very text."""
    names = [ticket.contact_name]
    public_reply = (reply or "").strip() or (ticket.reply_text or "")
    return PublicText(
        title=redact_for_publication(letter.title, names=names, hidden=texts.PUBLIC_REDACTED),
        body=redact_for_publication(ticket.content, names=names, hidden=texts.PUBLIC_REDACTED),
        reply=redact_for_publication(public_reply, names=names, hidden=texts.PUBLIC_REDACTED),
    )


def why_not_publish(ticket: Ticket, letter: MailboxLetter) -> str | None:
    """Why the office cannot publish this letter now (None: it can), in Chinese."""
    if ticket.status is not TicketStatus.CLOSED:
        return texts.ERR_LETTER_NOT_CLOSED.format(number=ticket.number)
    if not letter.publish_consent:
        return texts.ERR_LETTER_NO_CONSENT.format(number=ticket.number)
    if letter.published_at is not None:
        return texts.ERR_LETTER_ALREADY_PUBLISHED.format(number=ticket.number)
    return None


async def publish(session: AsyncSession, *, rules: Rules, actor: Actor, number: str,
                  reply: str | None = None) -> MailboxLetter:
    """Publish a closed letter and its reply (the unit's, or `reply` as the office edits it for
    the public) — only with the writer's consent, without their personal data. One audit event
    (公开答复) and a message to the writer."""
    ticket = await get_ticket(session, number=number)
    letter = await letter_of(session, ticket=ticket)
    # Who may publish and when first: a handler learns nothing of the writer's wishes.
    workflow.check(ticket.status, Action.PUBLISH, actor.role, number=ticket.number)
    # Both are the letter's state, not a fault of the request: 409 on the API, like a transition.
    if (why := why_not_publish(ticket, letter)) is not None:
        raise IllegalTransition(why)
    refuse_control({texts.WHAT_PUBLIC_REPLY: (reply or "").strip() or (ticket.reply_text or "")})
    check_length(reply, rules.policy.limits.note_max_chars, texts.WHAT_PUBLIC_REPLY)
    event = await service.transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.PUBLISH)
    shown = public_text(ticket, letter, reply=reply)
    letter.public_title, letter.public_body, letter.public_reply = shown.title, shown.body, shown.reply
    letter.published_at = rules.now()
    session.add(letter)
    await session.flush()
    await tell(session, rules=rules, kind=MessageKind.LETTER_PUBLISHED, ticket=ticket, event_id=event.id,
               text=texts.N_LETTER_PUBLISHED.format(number=ticket.number))
    return letter


async def unpublish(session: AsyncSession, *, rules: Rules, actor: Actor, number: str,
                    reason: str) -> MailboxLetter:
    """Take a published letter off the public page (撤回公开), with the reason in the audit
    trail; it may be published again later."""
    ticket = await get_ticket(session, number=number)
    letter = await letter_of(session, ticket=ticket)
    workflow.check(ticket.status, Action.UNPUBLISH, actor.role, number=ticket.number)
    if letter.published_at is None:
        raise IllegalTransition(texts.ERR_LETTER_NOT_PUBLISHED.format(number=number))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(texts.ERR_UNPUBLISH_REASON)
    await service.transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.UNPUBLISH,
                             note=reason)
    letter.published_at = None
    letter.public_title = letter.public_body = letter.public_reply = None
    session.add(letter)
    await session.flush()
    return letter


@dataclass(frozen=True)
class ReplyLetter:
    """A replied letter as the office's publishing list shows it."""

    number: str
    title: str
    unit: str
    status: TicketStatus
    replied_at: datetime | None
    consent: bool
    published_at: datetime | None
    blocked: str | None  # why it cannot be published now (None: it can, or it is published)


async def replied_letters(session: AsyncSession, *, limit: int = 200) -> list[ReplyLetter]:
    """Letters that have a reply, the latest first: the ones the office may consider publishing."""
    query = (
        select(MailboxLetter, Ticket, Unit)
        .join(Ticket, col(Ticket.id) == col(MailboxLetter.ticket_id))
        .outerjoin(Unit, col(Unit.id) == col(Ticket.main_unit_id))
        .where(col(Ticket.replied_at).is_not(None))
        .order_by(col(Ticket.replied_at).desc(), col(Ticket.id).desc())
        .limit(limit)
    )
    return [
        ReplyLetter(number=ticket.number, title=letter.title, unit=unit.name if unit is not None else "",
                    status=ticket.status, replied_at=ticket.replied_at, consent=letter.publish_consent,
                    published_at=letter.published_at,
                    blocked=None if letter.published_at else why_not_publish(ticket, letter))
        for letter, ticket, unit in (await session.exec(query)).all()
    ]


@dataclass(frozen=True)
class Preview:
    """One letter for the office: what the public sees (or would see once published)."""

    ticket: Ticket
    letter: MailboxLetter
    unit: str
    shown: PublicText
    blocked: str | None


async def preview(session: AsyncSession, *, number: str) -> Preview:
    ticket = await get_ticket(session, number=number)
    letter = await letter_of(session, ticket=ticket)
    unit = await session.get(Unit, ticket.main_unit_id) if ticket.main_unit_id else None
    if letter.published_at is not None:
        shown = PublicText(letter.public_title or "", letter.public_body or "", letter.public_reply or "")
        blocked = None
    else:
        shown, blocked = public_text(ticket, letter), why_not_publish(ticket, letter)
    return Preview(ticket=ticket, letter=letter, unit=unit.name if unit is not None else "", shown=shown,
                   blocked=blocked)


@dataclass(frozen=True)
class PublicLetter:
    """A published letter as the public page shows it: nothing but the cleaned texts."""

    number: str
    title: str
    body: str
    reply: str
    unit: str
    received_at: datetime
    replied_at: datetime | None
    published_at: datetime


async def published_letters(session: AsyncSession, *, limit: int = 20, offset: int = 0) -> list[PublicLetter]:
    query = (
        select(MailboxLetter, Ticket, Unit)
        .join(Ticket, col(Ticket.id) == col(MailboxLetter.ticket_id))
        .outerjoin(Unit, col(Unit.id) == col(Ticket.main_unit_id))
        .where(col(MailboxLetter.published_at).is_not(None))
        .order_by(col(MailboxLetter.published_at).desc(), col(Ticket.id).desc())
        .limit(limit).offset(offset)
    )
    out = []
    for letter, ticket, unit in (await session.exec(query)).all():
        assert letter.published_at is not None
        out.append(
            PublicLetter(
                number=ticket.number,
                title=letter.public_title or "",
                body=letter.public_body or "",
                reply=letter.public_reply or "",
                unit=unit.name if unit is not None else "",
                received_at=ticket.received_at,
                replied_at=ticket.replied_at,
                published_at=letter.published_at,
            )
        )
    return out


async def letters_of(session: AsyncSession, *, ticket_ids: Sequence[int]) -> dict[int, MailboxLetter]:
    if not ticket_ids:
        return {}
    rows = await session.exec(select(MailboxLetter).where(col(MailboxLetter.ticket_id).in_(list(ticket_ids))))
    return {r.ticket_id: r for r in rows.all()}
