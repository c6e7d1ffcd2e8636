"""The one owner of outbound messages: what kinds exist, who is told for each kind, the
dedupe key, and the text. Service, intake, letters and reminders call these functions;
adapters never write the outbox, and the notifiers (bot/notifier.py,
integrations/notifiers.py) switch on `MessageKind`.

Rows are added in the caller's transaction (tickets.outbox), so a message exists if and
only if the change that caused it was committed; the outbox worker sends them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts, workflow
from tickets.context import Rules
from tickets.deadlines import describe_due, describe_period, expected_due, ticket_completion_period
from tickets.enums import Channel, OutboxChannel, Role, TicketStatus
from tickets.models import Citizen, Staff, Ticket
from tickets.outbox import enqueue_many
from tickets.privacy import is_mobile, mask_place, mask_text
from tickets.queries import office_staff, unit_handlers


class MessageKind(StrEnum):
    """Every message the service sends; the value is stored in the payload as "kind"."""

    # To the citizen.
    TICKET_RECEIVED = "ticket_received"
    TICKET_DISPATCHED_CITIZEN = "ticket_dispatched_citizen"
    DIRECT_ANSWER = "direct_answer"
    SENT_BACK = "sent_back"
    TICKET_CLOSED = "ticket_closed"
    REPLY_TO_CITIZEN = "reply_to_citizen"
    CALLBACK_REQUEST = "callback_request"
    VERIFICATION_CODE = "verification_code"  # a one-time SMS code (tickets.verification)
    LETTER_PUBLISHED = "letter_published"  # a mailbox letter's reply is on the public page
    # To the handlers of a unit.
    TICKET_DISPATCHED = "ticket_dispatched"
    RETURN_APPROVED = "return_approved"
    RETURN_REFUSED = "return_refused"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REFUSED = "extension_refused"
    REWORK = "rework"
    SUPERVISED = "supervised"
    URGED = "urged"
    RECALLED = "recalled"
    RECHECK = "recheck"
    NOTICE = "notice"
    DEADLINE_REMINDERS = "deadline_reminders"
    WHISTLE_SUMMONS = "whistle_summons"  # 吹哨: a summoned unit must report in (报到 button)
    WHISTLE_REMINDER = "whistle_reminder"  # its 报到 time is up (报到 button)
    WHISTLE_REPORTED_IN = "whistle_reported_in"  # to the lead unit: a summoned unit reported in
    WHISTLE_MEETING = "whistle_meeting"  # the on-site meeting's record, to every unit of the whistle
    WHISTLE_CLOSED = "whistle_closed"  # the ticket is closed: the whistle ends
    # To one staff member.
    SPECIALIST_ASSIGNED = "specialist_assigned"  # 政企通: an enterprise request is theirs, one-to-one
    # To the office.
    TICKET_NEW = "ticket_new"
    RETURN_REQUESTED = "return_requested"
    EXTENSION_REQUESTED = "extension_requested"
    TICKET_REPLIED = "ticket_replied"
    DUTY_LOGIN_SUMMARY = "duty_login_summary"
    HANDLING_DAYS_STATISTICS = "handling_days_statistics"
    SUPERVISION_SUMMARY = "supervision_summary"
    WHISTLE_LATE = "whistle_late"  # a summoned unit still not reported in after the reminder
    ROUTING_MODEL = "routing_model"  # a unit-routing model promoted, refused or rolled back
    # To the upstream platform.
    STATE_CHANGE = "state_change"


class Audience(StrEnum):
    CITIZEN = "citizen"
    UNIT = "unit"
    OFFICE = "office"
    UPSTREAM = "upstream"


_TO_CITIZEN = {MessageKind.TICKET_RECEIVED, MessageKind.TICKET_DISPATCHED_CITIZEN, MessageKind.DIRECT_ANSWER,
               MessageKind.SENT_BACK, MessageKind.TICKET_CLOSED, MessageKind.CALLBACK_REQUEST,
               MessageKind.REPLY_TO_CITIZEN, MessageKind.VERIFICATION_CODE, MessageKind.LETTER_PUBLISHED}
# Sent on every channel the citizen is reachable by, not only the first: the unit's answer
# must reach them where they asked (a phone request of a citizen also on Telegram gets both).
_EVERY_CITIZEN_CHANNEL = {MessageKind.REPLY_TO_CITIZEN}
_TO_OFFICE = {
    MessageKind.TICKET_NEW,
    MessageKind.RETURN_REQUESTED,
    MessageKind.EXTENSION_REQUESTED,
    MessageKind.TICKET_REPLIED,
    MessageKind.DUTY_LOGIN_SUMMARY,
    MessageKind.HANDLING_DAYS_STATISTICS,
    MessageKind.SUPERVISION_SUMMARY,
    MessageKind.WHISTLE_LATE,
    MessageKind.ROUTING_MODEL,
}


def audience(kind: MessageKind) -> Audience:
    """Who a kind of message is for; the rest of this module follows from it."""
    if kind in _TO_CITIZEN:
        return Audience.CITIZEN
    if kind in _TO_OFFICE:
        return Audience.OFFICE
    if kind is MessageKind.STATE_CHANGE:
        return Audience.UPSTREAM
    return Audience.UNIT


# The ticket's state right after the transition each handler push announces (the target of
# that transition in tickets.workflow). These pushes carry "actions": what the unit may do
# with the ticket at that moment, for the card's buttons. Urged and supervised tickets may
# be in any state: their push has no buttons (/mytickets shows the right ones).
HANDLER_CARD_STATE: dict[MessageKind, TicketStatus] = {
    MessageKind.TICKET_DISPATCHED: TicketStatus.DISPATCHED,
    MessageKind.RECHECK: TicketStatus.DISPATCHED,
    MessageKind.SPECIALIST_ASSIGNED: TicketStatus.DISPATCHED,
    MessageKind.REWORK: TicketStatus.ACCEPTED,
    MessageKind.RETURN_REFUSED: TicketStatus.ACCEPTED,
    MessageKind.EXTENSION_APPROVED: TicketStatus.ACCEPTED,
    MessageKind.EXTENSION_REFUSED: TicketStatus.ACCEPTED,
}


@dataclass(frozen=True)
class Recipient:
    channel: OutboxChannel
    address: str
    staff_id: int | None = None


UPSTREAM = Recipient(OutboxChannel.UPSTREAM, "upstream")


def staff_address(staff: Staff) -> Recipient | None:
    """A staff member in their chat when bound to Telegram, else by SMS, else not reachable."""
    if staff.telegram_user_id is not None:
        return Recipient(OutboxChannel.TELEGRAM, str(staff.telegram_user_id), staff.id)
    if staff.phone:
        return Recipient(OutboxChannel.SMS, staff.phone, staff.id)
    return None


def citizen_address(*, telegram_id: int | None, phone: str | None) -> Recipient | None:
    """A citizen on Telegram when known there, else by SMS to the contact phone."""
    if telegram_id is not None:
        return Recipient(OutboxChannel.TELEGRAM, str(telegram_id))
    if phone:
        return Recipient(OutboxChannel.SMS, phone)
    return None


def citizen_addresses(*, telegram_id: int | None, phone: str | None, channel: Channel) -> list[Recipient]:
    """Every channel a ticket's citizen is reached by: their chat when on Telegram, and an SMS
    when the request came in by another channel than the bot (or they are not on Telegram).
    The upstream platform answers its own citizens (report_upstream)."""
    found: list[Recipient] = []
    if telegram_id is not None:
        found.append(Recipient(OutboxChannel.TELEGRAM, str(telegram_id)))
    if phone and channel is not Channel.UPSTREAM and (channel is not Channel.BOT or telegram_id is None):
        found.append(Recipient(OutboxChannel.SMS, phone))
    return found


def dedupe_key(cause: str, to: Recipient) -> str:
    """The one rule: what caused the message, then the channel and the address. A cause is
    "<number>:<event id>" for a ticket's transition, or a stable name of a run ("notice:<id>",
    "reminders:<unit>:<digest>", "<job key>:office")."""
    return f"{cause}:{to.channel.value}:{to.address}"


def ticket_cause(ticket: Ticket, event_id: int | None) -> str:
    return f"{ticket.number}:{event_id}"


def message(kind: MessageKind, to: Recipient, *, cause: str, body: dict[str, Any]) -> dict[str, Any]:
    """One outbox row (as tickets.outbox.enqueue_many takes it)."""
    payload: dict[str, Any] = {"kind": kind.value, **body}
    who = audience(kind)
    if who in (Audience.UNIT, Audience.OFFICE):
        # Pushes to staff land in chats and group robots that others read over shoulders and
        # forward: whatever a note or reason quotes, phones go out masked (DOMAIN §8). The
        # citizen's own messages and the upstream platform's (the ticket's owner) are not.
        for field in ("text", "markdown"):
            if isinstance(payload.get(field), str):
                payload[field] = mask_text(payload[field])
    if who is not Audience.UPSTREAM:
        payload["audience"] = who.value
    if to.staff_id is not None:
        payload["staff_id"] = to.staff_id
    return {
        "channel": to.channel,
        "recipient": to.address,
        "payload": payload,
        "dedupe_key": dedupe_key(cause, to),
    }


def summary(content: str, limit: int = 80) -> str:
    """A short summary of a ticket's content for pushes and letters. Masked before cut, so
    a phone number never shows half-masked."""
    text = mask_text(" ".join((content or "").split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def recipients(session: AsyncSession, *, kind: MessageKind, ticket: Ticket,
                     unit_ids: Sequence[int] | None = None) -> list[Recipient]:
    """Who is told about `ticket` for a message of `kind`: the citizen (Telegram, else SMS),
    the handlers of the ticket's unit (or of `unit_ids`), the office members reachable in a
    chat (cards and summaries are too long for SMS), or the upstream platform for its tickets."""
    who = audience(kind)
    if who is Audience.CITIZEN:
        citizen = await session.get(Citizen, ticket.citizen_id) if ticket.citizen_id else None
        telegram_id = citizen.telegram_user_id if citizen is not None else None
        if kind in _EVERY_CITIZEN_CHANNEL:
            return citizen_addresses(
                telegram_id=telegram_id, phone=ticket.contact_phone, channel=ticket.channel
            )
        to = citizen_address(telegram_id=telegram_id, phone=ticket.contact_phone)
        return [to] if to is not None else []
    if who is Audience.UPSTREAM:
        return [UPSTREAM] if ticket.channel is Channel.UPSTREAM else []
    if who is Audience.OFFICE:
        return await office_recipients(session)
    ids = list(unit_ids) if unit_ids is not None else [ticket.main_unit_id] if ticket.main_unit_id else []
    return [
        to for staff in await unit_handlers(session, unit_ids=ids) if (to := staff_address(staff)) is not None
    ]


async def office_recipients(session: AsyncSession) -> list[Recipient]:
    return [to for staff in await office_staff(session)
            if staff.telegram_user_id is not None and (to := staff_address(staff)) is not None]


def with_link(rules: Rules, number: str, text: str) -> str:
    """A citizen's message with the signed link to the ticket's tracking page (when the
    deployment has a public URL and a key): every message a citizen gets leads to the page."""
    url = rules.tracking_url(number)
    return f"{text}{texts.N_TRACK_LINK.format(url=url)}" if url else text


async def tell(
    session: AsyncSession,
    *,
    rules: Rules,
    kind: MessageKind,
    ticket: Ticket,
    event_id: int | None,
    text: str,
    unit_ids: Sequence[int] | None = None,
) -> int:
    """Tell everyone `kind` is for about a ticket's transition; how many messages were added."""
    if audience(kind) is Audience.CITIZEN:
        text = with_link(rules, ticket.number, text)
    body: dict[str, Any] = {"number": ticket.number, "text": text}
    if kind in HANDLER_CARD_STATE:
        # The card's buttons: what the unit may do with the ticket now (windows included).
        body["actions"] = [a.value for a in workflow.available_actions(ticket, Role.HANDLER, now=rules.now(),
                                                                       policy=rules.policy)]
    cause = ticket_cause(ticket, event_id)
    rows = [message(kind, to, cause=cause, body=body)
            for to in await recipients(session, kind=kind, ticket=ticket, unit_ids=unit_ids)]
    return await enqueue_many(session, messages=rows, now=rules.now())


async def tell_staff(session: AsyncSession, *, rules: Rules, kind: MessageKind, ticket: Ticket, staff: Staff,
                     text: str) -> int:
    """Tell one named staff member about a ticket (the 政企通 specialist it is routed to): the
    one-to-one service reaches the person, not the unit's group. Once per ticket and person."""
    to = staff_address(staff)
    if to is None:
        return 0
    body: dict[str, Any] = {"number": ticket.number, "text": text}
    if kind in HANDLER_CARD_STATE:
        # The card's buttons, as the unit's dispatch card has them: the specialist acts from it.
        body["actions"] = [a.value for a in workflow.available_actions(ticket, Role.HANDLER, now=rules.now(),
                                                                       policy=rules.policy)]
    row = message(kind, to, cause=f"{ticket.number}:{kind.value}:{staff.id}", body=body)
    return await enqueue_many(session, messages=[row], now=rules.now())


# --- a new ticket, from any channel --------------------------------------------------


def new_ticket_text(ticket: Ticket) -> str:
    return texts.N_NEW_TICKET.format(
        number=ticket.number, type=texts.REQUEST_TYPE[ticket.request_type],
        category=ticket.category or texts.NEW_TICKET_NO_CATEGORY, urgency=texts.URGENCY[ticket.urgency],
        place=mask_place(ticket.place) or "—", summary=summary(ticket.content, limit=300),
    )


def receipt_text(ticket: Ticket, *, rules: Rules) -> str:
    """The citizen's receipt; a 市长信箱 letter's speaks of the letter and its answer's term."""
    if ticket.channel is Channel.MAILBOX:
        period = ticket_completion_period(rules.policy, ticket)
        return texts.N_LETTER_RECEIVED.format(
            number=ticket.number, period=describe_period(period),
            day=texts.fmt_day(expected_due(ticket, rules=rules).at))
    return texts.N_TICKET_RECEIVED.format(number=ticket.number, due=describe_due(ticket, rules=rules))


async def announce_received(session: AsyncSession, *, rules: Rules, tickets: Sequence[Ticket],
                            telegram_ids: Sequence[int | None], event_ids: Sequence[int]) -> int:
    """For each new ticket, whatever its channel: the citizen's receipt with the number, and
    the office's 新工单 card to dispatch it from. `telegram_ids` is each filer's Telegram id
    at receipt (the batch knows it before the citizens are stored).

    A request filed in the bot is confirmed by the bot in the same conversation, with its
    number and expected deadline; a second receipt would only repeat it.
    """
    office = await office_recipients(session)
    rows: list[dict[str, Any]] = []
    for ticket, telegram_id, event_id in zip(tickets, telegram_ids, event_ids, strict=True):
        cause = ticket_cause(ticket, event_id)
        receipt = citizen_address(telegram_id=telegram_id, phone=ticket.contact_phone)
        if ticket.channel is not Channel.BOT and receipt is not None:
            rows.append(message(MessageKind.TICKET_RECEIVED, receipt, cause=cause, body={
                "number": ticket.number,
                "text": with_link(rules, ticket.number, receipt_text(ticket, rules=rules))}))
        card = {"number": ticket.number, "text": new_ticket_text(ticket)}
        rows += [message(MessageKind.TICKET_NEW, to, cause=cause, body=card) for to in office]
    return await enqueue_many(session, messages=rows, now=rules.now())


# --- upstream, callback survey, office summaries ---------------------------------------


async def report_upstream(session: AsyncSession, *, rules: Rules, ticket: Ticket, event_id: int | None,
                          action: str, note: str, at: str) -> int:
    """A state change of an upstream ticket, POSTed back to the platform (DOMAIN §1)."""
    body = {
        "number": ticket.number,
        "external_number": ticket.external_number,
        "action": action,
        "status": ticket.status.value,
        "result": ticket.result.value if ticket.result else None,
        "reply": ticket.reply_text if action == "reply" else None,
        "note": note,
        "at": at,
    }
    rows = [message(MessageKind.STATE_CHANGE, to, cause=ticket_cause(ticket, event_id), body=body)
            for to in await recipients(session, kind=MessageKind.STATE_CHANGE, ticket=ticket)]
    return await enqueue_many(session, messages=rows, now=rules.now())


async def request_callback(session: AsyncSession, *, rules: Rules, ticket: Ticket) -> bool:
    """Ask the citizen the callback questions: in their chat (with buttons) when they are on
    Telegram, else by SMS with the link to the tracking page, where the same four questions
    are answered (when the deployment has links and the contact is a mobile). False when
    neither reaches them (the office calls them instead). One survey per reply: after a
    rework and a new reply the survey is asked again."""
    citizen = await session.get(Citizen, ticket.citizen_id) if ticket.citizen_id else None
    url = rules.tracking_url(ticket.number)
    text = texts.N_CALLBACK_REQUEST.format(number=ticket.number)
    if citizen is not None and citizen.telegram_user_id is not None:
        to = Recipient(OutboxChannel.TELEGRAM, str(citizen.telegram_user_id))
        text = with_link(rules, ticket.number, text)
    elif url is not None and ticket.contact_phone and is_mobile(ticket.contact_phone):
        to = Recipient(OutboxChannel.SMS, ticket.contact_phone)
        text += texts.N_CALLBACK_LINK.format(url=url)
    else:
        return False
    row = message(MessageKind.CALLBACK_REQUEST, to, cause=f"{ticket.number}:callback:{ticket.rework_count}",
                  body={"number": ticket.number, "text": text})
    await enqueue_many(session, messages=[row], now=rules.now())
    return True


async def send_verification_code(session: AsyncSession, *, rules: Rules, phone: str, verification_id: int,
                                 text: str) -> int:
    """A one-time code by SMS (tickets.verification); one message per code."""
    to = Recipient(OutboxChannel.SMS, phone)
    row = message(MessageKind.VERIFICATION_CODE, to, cause=f"verify:{verification_id}", body={"text": text})
    return await enqueue_many(session, messages=[row], now=rules.now())


async def tell_office(session: AsyncSession, *, rules: Rules, kind: MessageKind, key: str, text: str,
                      markdown: str | None = None) -> int:
    """One summary to each office worker reachable in a chat; `key` makes it once only."""
    body: dict[str, Any] = {"text": text}
    if markdown is not None:
        body["markdown"] = markdown
    rows = [message(kind, to, cause=f"{key}:office", body=body) for to in await office_recipients(session)]
    return await enqueue_many(session, messages=rows, now=rules.now())
