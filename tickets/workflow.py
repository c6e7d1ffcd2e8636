"""The ticket state machine: every allowed (state, action) pair, who may do it and where
it leads, in ONE table. Service functions consult it; nothing else decides transitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tickets.clock import ensure_aware
from tickets.deadlines import describe_period
from tickets.enums import OPEN_STATUSES, Action, Role, TicketStatus
from tickets.errors import Forbidden, IllegalTransition, ValidationFailed, WindowClosed
from tickets.models import Ticket
from tickets.policy import Policy
from tickets.texts import (
    ACTION,
    ERR_EXTENSION_WINDOW,
    ERR_ILLEGAL_TRANSITION,
    ERR_REPLY_NO_CONTACT,
    ERR_RETURN_WINDOW,
    ERR_ROLE_FORBIDDEN,
    STATUS,
)

S = TicketStatus
A = Action
OFFICE = frozenset({Role.OFFICE})
HANDLER = frozenset({Role.HANDLER})
OFFICE_OR_SYSTEM = frozenset({Role.OFFICE, Role.SYSTEM})
HANDLER_OR_OFFICE = frozenset({Role.HANDLER, Role.OFFICE})
# The citizen answers the callback questions; the office may record them from a phone call.
CALLBACK_ROLES = frozenset({Role.OFFICE, Role.CITIZEN})


@dataclass(frozen=True)
class Rule:
    target: TicketStatus
    roles: frozenset[Role]


WHISTLE_STATUSES = frozenset({S.DISPATCHED, S.ACCEPTED, S.EXTENSION_REQUESTED, S.RETURN_REQUESTED})


def _same_state(action: Action, roles: frozenset[Role], states: frozenset[TicketStatus]) -> dict:
    return {(state, action): Rule(state, roles) for state in states}


TRANSITIONS: dict[tuple[TicketStatus, Action], Rule] = {
    # Office intake.
    (S.RECEIVED, A.BRIEF_CONTACT): Rule(S.RECEIVED, OFFICE),
    (S.RECEIVED, A.DISPATCH): Rule(S.DISPATCHED, OFFICE_OR_SYSTEM),
    (S.RECEIVED, A.DIRECT_ANSWER): Rule(S.DIRECT_ANSWERED, OFFICE_OR_SYSTEM),
    (S.RECEIVED, A.SEND_BACK): Rule(S.SENT_BACK, OFFICE),
    # The unit works.
    (S.DISPATCHED, A.ACCEPT): Rule(S.ACCEPTED, HANDLER),
    # Calling the citizen before pressing "accept" still counts: the call is what matters.
    (S.DISPATCHED, A.FIRST_CONTACT): Rule(S.ACCEPTED, HANDLER),
    (S.DISPATCHED, A.REQUEST_RETURN): Rule(S.RETURN_REQUESTED, HANDLER),
    (S.ACCEPTED, A.REQUEST_RETURN): Rule(S.RETURN_REQUESTED, HANDLER),
    (S.ACCEPTED, A.FIRST_CONTACT): Rule(S.ACCEPTED, HANDLER),
    (S.ACCEPTED, A.SITE_VISIT): Rule(S.ACCEPTED, HANDLER),
    (S.ACCEPTED, A.REQUEST_EXTENSION): Rule(S.EXTENSION_REQUESTED, HANDLER),
    (S.ACCEPTED, A.REPLY): Rule(S.REPLIED, HANDLER),
    # While the office decides, the unit keeps working ("先执行、后申诉").
    (S.EXTENSION_REQUESTED, A.FIRST_CONTACT): Rule(S.EXTENSION_REQUESTED, HANDLER),
    (S.EXTENSION_REQUESTED, A.SITE_VISIT): Rule(S.EXTENSION_REQUESTED, HANDLER),
    # Office decisions.
    (S.RETURN_REQUESTED, A.APPROVE_RETURN): Rule(S.DISPATCHED, OFFICE),
    (S.RETURN_REQUESTED, A.REFUSE_RETURN): Rule(S.ACCEPTED, OFFICE),
    (S.EXTENSION_REQUESTED, A.APPROVE_EXTENSION): Rule(S.ACCEPTED, OFFICE),
    (S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION): Rule(S.ACCEPTED, OFFICE),
    # Review and callback (先回访后结案).
    (S.REPLIED, A.CALLBACK_ATTEMPT): Rule(S.REPLIED, OFFICE),
    (S.REPLIED, A.CLOSE): Rule(S.CLOSED, CALLBACK_ROLES),
    (S.REPLIED, A.REWORK): Rule(S.ACCEPTED, CALLBACK_ROLES),
    # Second round from above.
    (S.CLOSED, A.RECHECK): Rule(S.DISPATCHED, OFFICE_OR_SYSTEM),
    # A closed mailbox letter's reply shown on the public page (with the writer's consent).
    (S.CLOSED, A.PUBLISH): Rule(S.CLOSED, OFFICE),
    (S.CLOSED, A.UNPUBLISH): Rule(S.CLOSED, OFFICE),
    # Flags and nudges on any open ticket.
    **_same_state(A.SUPERVISE, OFFICE_OR_SYSTEM, OPEN_STATUSES),
    **_same_state(A.URGE, OFFICE_OR_SYSTEM, OPEN_STATUSES - {S.RECEIVED}),
    **_same_state(A.ARCHIVE, OFFICE, OPEN_STATUSES | {S.CLOSED}),
    **{(state, A.RECALL): Rule(S.RECALLED, OFFICE_OR_SYSTEM) for state in OPEN_STATUSES},
    # Call evidence (双呼 platform): a call record is noted on an open ticket, and a first
    # contact pressed without a qualifying call is marked, by the system, in the same state.
    **_same_state(A.CALL_RECORDED, frozenset({Role.SYSTEM}), OPEN_STATUSES),
    **_same_state(A.CONTACT_UNPROVEN, frozenset({Role.SYSTEM}),
                  frozenset({S.ACCEPTED, S.EXTENSION_REQUESTED})),
    # 吹哨报到 (tickets.whistles): while a unit has the ticket, its main unit or the office
    # summons others; they report in and the meeting is recorded until the ticket is closed.
    **_same_state(A.WHISTLE, HANDLER_OR_OFFICE, WHISTLE_STATUSES),
    **_same_state(A.REPORT_IN, HANDLER, WHISTLE_STATUSES | {S.REPLIED}),
    **_same_state(A.WHISTLE_MEETING, HANDLER_OR_OFFICE, WHISTLE_STATUSES | {S.REPLIED}),
    # A ticket a people's deputy referred is flagged by the office while it is open.
    **_same_state(A.DEPUTY_REFERRAL, OFFICE, OPEN_STATUSES),
}


def check(status: TicketStatus, action: Action, role: Role, *, number: str = "") -> TicketStatus:
    """The state after `action`, or a typed error saying in Chinese why not."""
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        raise IllegalTransition(
            ERR_ILLEGAL_TRANSITION.format(number=number, status=STATUS[status], action=ACTION[action])
        )
    if role not in rule.roles:
        raise Forbidden(ERR_ROLE_FORBIDDEN.format(action=ACTION[action]))
    return rule.target


def allowed_actions(status: TicketStatus, role: Role) -> list[Action]:
    """What a person in `role` may do now (for buttons and API hints)."""
    return [action for (state, action), rule in TRANSITIONS.items() if state == status and role in rule.roles]


# --- what is possible now, for this ticket ------------------------------------------------


def _window(ticket: Ticket, action: Action, policy: Policy) -> tuple[datetime | None, str] | None:
    """The window an action must be taken in (counted from receipt by the unit), and why not after it."""
    if action is A.REQUEST_RETURN:
        return ticket.return_window_until, ERR_RETURN_WINDOW.format(
            limit=describe_period(policy.deadlines.return_window))
    if action is A.REQUEST_EXTENSION:
        return ticket.extension_window_until, ERR_EXTENSION_WINDOW.format(
            limit=describe_period(policy.deadlines.extension_window))
    return None


def contact_done(ticket: Ticket, policy: Policy) -> bool:
    """先行联系 is done: the citizen was reached, or the counted unanswered calls are enough."""
    return ticket.first_contact_at is not None or \
        ticket.first_contact_attempts >= policy.contact.attempts_when_unreachable


def why_not_now(ticket: Ticket, action: Action, role: Role, *, now: datetime, policy: Policy) -> str | None:
    """None when `role` may take `action` on `ticket` at `now`; else the reason, in Chinese.
    The table, then the time windows and the reply's precondition."""
    try:
        check(ticket.status, action, role, number=ticket.number)
    except (IllegalTransition, Forbidden) as error:
        return error.message
    window = _window(ticket, action, policy)
    if window is not None and window[0] is not None and ensure_aware(now) > ensure_aware(window[0]):
        return window[1]
    if action is A.REPLY and not contact_done(ticket, policy):
        return ERR_REPLY_NO_CONTACT
    return None


def check_now(ticket: Ticket, action: Action, role: Role, *, now: datetime, policy: Policy) -> None:
    """`why_not_now` as a typed error: WindowClosed for a window, ValidationFailed for the reply."""
    reason = why_not_now(ticket, action, role, now=now, policy=policy)
    if reason is None:
        return
    check(ticket.status, action, role, number=ticket.number)  # raises the table's own error first
    if _window(ticket, action, policy) is not None:
        raise WindowClosed(reason)
    raise ValidationFailed(reason)


def available_actions(ticket: Ticket, role: Role, *, now: datetime, policy: Policy) -> list[Action]:
    """What a person in `role` may do with this ticket now: the buttons to show."""
    return [action for action in allowed_actions(ticket.status, role)
            if why_not_now(ticket, action, role, now=now, policy=policy) is None]
