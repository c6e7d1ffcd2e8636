"""The inputs of the ticket domain and their limits: a new request, a unit's reply, the
callback answers. Shapes only; the rules a draft must meet are checked by tickets.intake."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tickets import texts
from tickets.enums import Channel, RequestType, ResultCategory, Satisfaction, Urgency
from tickets.errors import ValidationFailed


class TicketCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    channel: Channel
    request_type: RequestType
    content: str
    category: str = Field(default="", max_length=50)
    urgency: Urgency = Urgency.GENERAL
    place: str = ""
    external_number: str | None = Field(default=None, max_length=64)
    contact_name: str | None = None
    contact_phone: str | None = None
    citizen_telegram_id: int | None = None
    confidential: bool = False


class ReplyData(BaseModel):
    """A unit's 办结回复 with the elements DOMAIN §3 step 7 requires."""

    model_config = ConfigDict(str_strip_whitespace=True)

    result: ResultCategory
    text: str = ""
    contact_person: str = ""
    facts: str = ""
    judgement: str = ""
    citizen_opinion: str = ""
    answered_by: str = ""
    answered_at: datetime | None = None
    site_findings: str = ""


class CallbackAnswers(BaseModel):
    """The four callback questions (是否先联 / 是否答复 / 是否解决 / 满意度)."""

    reached: bool = True
    contacted: bool | None = None
    answered: bool | None = None
    solved: bool | None = None
    satisfaction: Satisfaction | None = None
    note: str = ""


def check_length(value: str | None, limit: int, field: str) -> None:
    if value is not None and len(value) > limit:
        raise ValidationFailed(texts.ERR_FIELD_TOO_LONG.format(field=field, limit=limit))


def require(value: str, what: str) -> str:
    """A reason or note that must be given: stripped, non-empty (its length is checked with
    every note, against the policy, when the event is written: tickets.service._transition)."""
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(texts.ERR_REASON_REQUIRED.format(what=what))
    return value
