"""The ticket state machine: every allowed (state, action) pair, who may do it and where
it leads, in ONE table. Service functions consult it; nothing else decides transitions."""

from __future__ import annotations

from dataclasses import dataclass

from tickets.enums import OPEN_STATUSES, Action, Role, TicketStatus
from tickets.errors import Forbidden, IllegalTransition
from tickets.texts import ACTION, ERR_ILLEGAL_TRANSITION, ERR_ROLE_FORBIDDEN, STATUS

S = TicketStatus
A = Action
OFFICE = frozenset({Role.OFFICE})
HANDLER = frozenset({Role.HANDLER})
OFFICE_OR_SYSTEM = frozenset({Role.OFFICE, Role.SYSTEM})
# The citizen answers the callback questions; the office may record them from a phone call.
CALLBACK_ROLES = frozenset({Role.OFFICE, Role.CITIZEN})


@dataclass(frozen=True)
class Rule:
    target: TicketStatus
    roles: frozenset[Role]


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
    # Flags and nudges on any open ticket.
    **_same_state(A.SUPERVISE, OFFICE_OR_SYSTEM, OPEN_STATUSES),
    **_same_state(A.URGE, OFFICE_OR_SYSTEM, OPEN_STATUSES - {S.RECEIVED}),
    **_same_state(A.ARCHIVE, OFFICE, OPEN_STATUSES | {S.CLOSED}),
    **{(state, A.RECALL): Rule(S.RECALLED, OFFICE_OR_SYSTEM) for state in OPEN_STATUSES},
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
