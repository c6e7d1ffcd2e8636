"""The terms a ticket runs against: the completion term by urgency and the deadlines that
start when a unit receives the ticket (接单之日起)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tickets import texts
from tickets.context import Rules
from tickets.enums import Channel, TicketStatus, Urgency
from tickets.models import Ticket
from tickets.policy import Period, Policy


def describe_period(period: Period) -> str:
    return f"{period.amount}{texts.PERIOD_UNIT[period.unit.value]}"


def completion_period(policy: Policy, urgency: Urgency) -> Period:
    """办结时限 by urgency (urgent help 1 working day, general 5, by default)."""
    completion = policy.deadlines.completion
    return {Urgency.URGENT: completion.urgent, Urgency.SEMI_URGENT: completion.semi_urgent,
            Urgency.GENERAL: completion.general}[urgency]


def ticket_completion_period(policy: Policy, ticket: Ticket) -> Period:
    """A ticket's 办结时限: a mailbox letter has the mailbox's own term, other tickets the one of
    their urgency (an urgent letter keeps the shorter urgent term)."""
    by_urgency = completion_period(policy, ticket.urgency)
    if ticket.channel is Channel.MAILBOX and ticket.urgency is not Urgency.URGENT:
        return policy.mailbox.completion
    return by_urgency


def first_contact_period(policy: Policy, ticket: Ticket) -> Period:
    return (
        policy.mailbox.first_contact if ticket.channel is Channel.MAILBOX else policy.deadlines.first_contact
    )


def start_deadlines(ticket: Ticket, *, rules: Rules, enterprise: bool = False) -> None:
    """Deadlines counted from the moment a unit receives the ticket (接单之日起). An enterprise's
    request routed to a policy specialist (tickets.enterprise) runs on the enterprise terms."""
    now = rules.now()
    d = rules.policy.deadlines
    cal = rules.calendar
    ticket.dispatched_at = now
    ticket.accepted_at = None
    ticket.first_contact_due_at = cal.add(now, first_contact_period(rules.policy, ticket))
    # A new unit's first contact is proven by its own calls, from now on (tickets.calls).
    ticket.first_contact_proven_at = None
    ticket.return_window_until = cal.add(now, d.return_window)
    ticket.extension_window_until = cal.add(now, d.extension_window)
    ticket.due_at = cal.add(now, ticket_completion_period(rules.policy, ticket))
    if enterprise:
        ticket.first_contact_due_at = cal.add(now, rules.policy.enterprise.first_contact)
        ticket.due_at = cal.add(now, rules.policy.enterprise.completion)
    ticket.extended_days = 0
    if ticket.urgency is Urgency.URGENT and not cal.in_working_hours(now):
        ticket.feedback_due_at = cal.add(now, d.urgent_offhours_feedback)
    else:
        ticket.feedback_due_at = None


@dataclass(frozen=True)
class ExpectedDue:
    """The completion deadline a citizen is told: the real one once a unit has the ticket,
    before that the one dispatch now would give (`expected`)."""

    at: datetime | None
    expected: bool


def expected_due(ticket: Ticket, *, rules: Rules) -> ExpectedDue:
    if ticket.due_at is not None:
        return ExpectedDue(ticket.due_at, expected=False)
    if ticket.status is TicketStatus.RECEIVED:
        start = ticket.received_at or rules.now()
        return ExpectedDue(
            rules.calendar.add(start, ticket_completion_period(rules.policy, ticket)), expected=True
        )
    return ExpectedDue(None, expected=False)


def describe_due(ticket: Ticket, *, rules: Rules) -> str:
    """The one wording of a ticket's deadline for the receipt, /status and 我的诉求."""
    due = expected_due(ticket, rules=rules)
    if due.at is None:
        return texts.NO_DUE
    return texts.DUE_EXPECTED.format(due=texts.fmt_local(due.at)) if due.expected else texts.fmt_local(due.at)
