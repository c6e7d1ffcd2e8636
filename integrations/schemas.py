"""Request and response bodies of the REST API and the hooks. The OpenAPI document is
generated from these models, and the tests check real responses against it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tickets.enums import Action, Channel, RequestType, ResultCategory, TicketStatus, Urgency
from tickets.schemas import CallbackAnswers, ReplyData


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- errors ---------------------------------------------------------------------------


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. not_found, illegal_transition")
    message: str = Field(description="Explanation in Chinese for people")


class ErrorOut(BaseModel):
    error: ErrorBody


# --- tickets -------------------------------------------------------------------------


class TicketCreateIn(Strict):
    channel: Literal[Channel.WEB, Channel.PHONE, Channel.TELEPHONY, Channel.BOT] = Channel.WEB
    request_type: RequestType
    content: str = Field(description="The request in the citizen's words (up to the policy's limit)")
    category: str = Field(default="", max_length=50)
    urgency: Urgency = Urgency.GENERAL
    place: str = ""
    external_number: str | None = Field(default=None, max_length=64)
    contact_name: str | None = None
    contact_phone: str | None = None
    confidential: bool = False


class EventOut(BaseModel):
    at: datetime
    action: Action
    action_label: str
    actor_role: str
    actor_name: str
    from_status: TicketStatus
    to_status: TicketStatus
    note: str


class TicketOut(BaseModel):
    number: str
    status: TicketStatus
    status_label: str = Field(description="The state in Chinese")
    channel: Channel
    external_number: str | None
    request_type: RequestType
    category: str
    urgency: Urgency
    content: str
    place: str
    contact_name: str | None = Field(description="Masked unless the key is the office's or the unit's")
    contact_phone: str | None = Field(description="Masked unless the key is the office's or the unit's")
    main_unit_id: int | None
    co_unit_ids: list[int]
    received_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    first_contact_due_at: datetime | None
    first_contact_at: datetime | None
    due_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    result: ResultCategory | None
    reply_text: str | None
    supervised: bool
    archived: bool
    overdue: bool
    allowed_actions: list[str] = Field(description="Workflow actions this key may take now")
    events: list[EventOut] | None = Field(default=None, description="Audit trail (single-ticket reads only)")


class TicketList(BaseModel):
    items: list[TicketOut]
    total: int
    limit: int
    offset: int


# --- workflow action bodies -------------------------------------------------------------


class DispatchIn(Strict):
    unit_id: int
    co_unit_ids: list[int] = []
    note: str = ""


class DirectAnswerIn(Strict):
    answer: str


class SendBackIn(Strict):
    reason: str


class ContactIn(Strict):
    reached: bool
    note: str = ""


class EmptyIn(Strict):
    pass


class SiteVisitIn(Strict):
    findings: str


class RequestReturnIn(Strict):
    reason: str
    suggested_unit: str


class DecideReturnIn(Strict):
    approve: bool
    new_unit_id: int | None = None
    note: str = ""


class RequestExtensionIn(Strict):
    days: int
    reason: str


class DecideExtensionIn(Strict):
    approve: bool
    note: str = ""


class ReplyIn(ReplyData):
    """The service's reply elements, refusing unknown fields (a typo must not drop an element)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CallbackIn(CallbackAnswers):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoteIn(Strict):
    note: str = ""


# --- units ---------------------------------------------------------------------------------


class DutyOut(BaseModel):
    unit_id: int
    date: date
    logged_in: bool
    first_login_at: datetime | None
    deadline: str = Field(description="Local time (Asia/Shanghai) by which a unit must log in, HH:MM")


class UnitOut(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    active: bool
    duty: DutyOut


# --- knowledge base ---------------------------------------------------------------------------


class KbGapEntryIn(Strict):
    week: str = Field(max_length=10)
    cluster: str = Field(max_length=20)
    answer: str = Field(min_length=1, max_length=20_000)
    key: str | None = Field(default=None, max_length=64)
    unit: str | None = Field(default=None, max_length=100)
    category: str = Field(default="", max_length=50)


class KbAskIn(Strict):
    text: str = Field(max_length=5000)
    declined_entry_ids: list[str] = []


class KbAnswerOut(BaseModel):
    id: str
    question: str
    answer: str
    score: float
    unit: str
    category: str


class KbAskOut(BaseModel):
    band: Literal["answer", "suggest", "none"]
    confidence: float
    next_action: str
    reply: str = Field(description="Plain-text reply in Chinese for channels without buttons")
    answers: list[KbAnswerOut]


# --- upstream platform -------------------------------------------------------------------------


class UpstreamEnvelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(min_length=1, max_length=100)
    event_type: str = Field(min_length=1, max_length=32)
    occurred_at: datetime | None = None
    data: dict[str, Any]


class UpstreamDispatchData(BaseModel):
    # Platforms add fields over time; unknown ones are ignored rather than refused.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=64, description="The platform's own ticket number")
    request_type: RequestType
    content: str
    category: str = Field(default="", max_length=50)
    urgency: Urgency = Urgency.GENERAL
    place: str = ""
    contact_name: str | None = None
    contact_phone: str | None = None
    confidential: bool = False


class UpstreamTicketData(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=2000)


class UpstreamAck(BaseModel):
    event_id: str
    event_type: str
    ticket_number: str
    status: TicketStatus
    duplicate: bool


# --- telephony ---------------------------------------------------------------------------------


class TelephonyTicketIn(Strict):
    """What the agent confirms; left out, type, category and urgency come from the classification."""

    request_type: RequestType | None = None
    category: str | None = Field(default=None, max_length=50)
    urgency: Urgency | None = None
    place: str = ""
    contact_name: str | None = None
    content: str | None = Field(default=None, description="Defaults to the transcript")


class TelephonyCallIn(Strict):
    call_id: str = Field(min_length=1, max_length=100)
    caller_number: str | None = None
    agent_id: str = Field(min_length=1, max_length=64)
    transcript: str = Field(max_length=20000)
    ticket: TelephonyTicketIn | None = Field(default=None, description="Present when the agent asks for a ticket")


class LabelOut(BaseModel):
    label: str = Field(description="A category or a unit name")
    confidence: float


class ClassificationOut(BaseModel):
    category: str | None = Field(description="The top routing label")
    request_type: RequestType
    urgency: Urgency
    confidence: float
    source: Literal["model", "keywords", "none"]
    suggestions: list[LabelOut] = Field(max_length=3)


class TelephonyCallOut(BaseModel):
    call_id: str
    caller_number: str | None = Field(description="Masked")
    classification: ClassificationOut | None
    answers: list[KbAnswerOut] = Field(max_length=3)
    ticket_number: str | None
    duplicate: bool


class PhotoOut(BaseModel):
    """A citizen's photo of a ticket (EXIF removed); `url` serves the file to the same keys."""

    sha256: str
    content_type: str
    size: int
    width: int
    height: int
    url: str


class PhotoList(BaseModel):
    photos: list[PhotoOut]
