"""What every domain call is given: the rules of time (`Rules`) and who acts (`Actor`).

Adapters build these once (Rules) or per request (Actor) and pass them to the service,
intake and messaging functions; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tickets import texts
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import Clock, SystemClock
from tickets.enums import Role
from tickets.models import Citizen, Staff
from tickets.policy import Policy, load_policy
from tickets.routing_labels import UnitSuggester
from tickets.settings import Settings
from tickets.tracking import TrackingLinks


@dataclass(frozen=True)
class Rules:
    """What time-dependent rules need: the clock, the working-day calendar and the policy;
    and how to link a citizen's message to the ticket's tracking page (None = no links);
    and what the unit router suggests, recorded with each dispatch as a label (None = no
    router wired: labels are recorded without suggestions)."""

    clock: Clock
    calendar: WorkCalendar
    policy: Policy
    links: TrackingLinks | None = None
    unit_suggester: UnitSuggester | None = None

    def now(self) -> datetime:
        return self.clock.now()

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Rules:
        policy = load_policy(settings.policy_file)
        calendar = WorkCalendar(policy.working_hours, CalendarOverrides.load(settings.calendar_overrides))
        links = None
        if settings.public_url and settings.tracking_secret:
            links = TrackingLinks(secret=settings.tracking_secret, base_url=settings.public_url,
                                  ttl=timedelta(days=settings.tracking_link_days))
        return cls(clock=clock or SystemClock(), calendar=calendar, policy=policy, links=links)

    def tracking_url(self, number: str) -> str | None:
        return self.links.url(number, now=self.now()) if self.links is not None else None


@dataclass(frozen=True)
class Actor:
    """Who acts: the role decides what is allowed, unit_id scopes a handler to its tickets."""

    role: Role
    id: int | None = None
    unit_id: int | None = None
    name: str = ""

    @classmethod
    def of_staff(cls, staff: Staff) -> Actor:
        return cls(role=staff.role, id=staff.id, unit_id=staff.unit_id, name=staff.name)

    @classmethod
    def of_citizen(cls, citizen: Citizen) -> Actor:
        return cls(role=Role.CITIZEN, id=citizen.id, name=texts.CITIZEN_ACTOR_NAME)

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(role=Role.SYSTEM, name=name)


def load_rules(settings: Settings | None = None, *, clock: Clock | None = None,
               policy_file: Path | None = None) -> Rules:
    settings = settings or Settings()
    if policy_file is not None:
        settings = settings.model_copy(update={"policy_file": policy_file})
    return Rules.from_settings(settings, clock)
