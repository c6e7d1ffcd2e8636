"""The hotline's policy numbers, loaded from YAML with shipped defaults (DOMAIN.md).

Each period says whether it counts working days, calendar days or hours, so no
caller has to know which rule uses which calendar.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from tickets.config_files import read_mapping, validate_file
from tickets.enums import UnitKind


class PeriodUnit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    HOURS = "hours"


class Section(BaseModel):
    """A part of the office's policy file: frozen, and an unknown key is an error (a misspelt
    or misplaced key would otherwise fall back to the default without a word)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Period(Section):
    amount: int = Field(ge=0)
    unit: PeriodUnit


class WorkingHours(Section):
    start: time
    end: time


class CompletionDeadlines(Section):
    urgent: Period
    semi_urgent: Period
    general: Period


class Deadlines(Section):
    brief_contact: Period
    first_contact: Period
    site_visit: Period
    return_window: Period
    extension_window: Period
    urgent_offhours_feedback: Period
    recheck: Period
    critical_notice_answer: Period
    completion: CompletionDeadlines
    warning: Period
    limit: Period


class Contact(Section):
    attempts_when_unreachable: int = Field(ge=1)
    min_gap_between_attempts: Period
    # The day the 双呼 platform went live (seed 003, 先行联系率 "双呼平台上线后"): tickets
    # received from then on count as contacted only when call records prove it. None = off.
    call_evidence_since: date | None = None


class Checks(Section):
    duty_login_deadline: time
    statistics_days_of_month: list[int]
    statistics_anchor: date | None = None


class Supervision(Section):
    repeat_complaints: int
    archive_after_unfounded: int
    hotspot_min_tickets: int
    hotspot_window_days: int


class Limits(Section):
    content_max_chars: int
    note_max_chars: int
    place_max_chars: int
    name_max_chars: int
    reply_min_chars: int
    extension_max_working_days: int
    letter_title_max_chars: int = 50
    letter_attachments_max: int = 3


class Whistle(Section):
    """吹哨报到: how long a summoned unit has to report in, and when a late one is reported."""

    report_in: Period = Period(amount=2, unit=PeriodUnit.HOURS)
    reported_late_after: Period = Period(amount=2, unit=PeriodUnit.HOURS)
    summoned_kinds: list[UnitKind] = Field(
        default_factory=lambda: [UnitKind(k) for k in UnitKind if k is not UnitKind.OFFICE])
    max_summoned: int = Field(default=10, ge=1)


class Deputies(Section):
    """Which tickets go on the month's list for the deputies' liaison (人大代表联动)."""

    repeat_min: int = Field(default=3, ge=2)
    supervised: bool = True
    unsatisfied: bool = True
    whistled_unsolved: bool = True
    max_rows: int = Field(default=100, ge=1)


class Routing(Section):
    """The unit router's weekly retraining on the office's own dispatch labels."""


    window_days: int = Field(default=365, ge=7)  # history trained on (before the held-out weeks)
    holdout_weeks: int = Field(default=1, ge=1)  # the most recent weeks, held out by time
    min_train_labels: int = Field(default=30, ge=2)  # fewer: no model is trained
    min_holdout_labels: int = Field(default=20, ge=1)  # fewer: no fair comparison, nothing promoted


class Hotline(Section):
    """How citizens reach a person: told when they ask for one and in the reply they receive."""

    phone: str = "12345"
    hours: str = "7×24小时"


class Enterprise(Section):
    """政企通: the terms of an enterprise's request routed to a policy specialist."""

    first_contact: Period
    completion: Period


class Mailbox(Section):
    """市长信箱: the letters' own terms and limits."""

    first_contact: Period
    completion: Period


class Policy(Section):
    hotline: Hotline = Hotline()
    working_hours: WorkingHours
    deadlines: Deadlines
    contact: Contact
    checks: Checks
    supervision: Supervision
    limits: Limits
    whistle: Whistle = Whistle()
    deputies: Deputies = Deputies()
    enterprise: Enterprise
    mailbox: Mailbox
    routing: Routing = Routing()


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


SHIPPED_POLICY = "tickets/policy_default.yaml"


def load_policy(path: Path | None = None) -> Policy:
    """Shipped defaults, deep-merged with the office's file when one is given.

    A key the policy does not know is refused (ConfigFileError naming the file, the section
    and the key): ignored, it would leave the shipped number in force without a word."""
    text = resources.files("tickets").joinpath("policy_default.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    if path is None:
        return validate_file(Policy, data, source=SHIPPED_POLICY)
    # The shipped file is valid (tests/tickets/test_policy.py): whatever is wrong after the
    # merge came from the office's file, which the error names.
    return validate_file(Policy, _merge(data, read_mapping(path)), source=path)
