"""Request and response bodies of the REST API and the hooks. The OpenAPI document is
generated from these models, and the tests check real responses against it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from tickets.enums import Action, CallOutcome, Channel, RequestType, ResultCategory, TicketStatus, Urgency
from tickets.schemas import CallbackAnswers, ReplyData

# Ids are INTEGER columns: a larger number is no id of ours (and a 500 in PostgreSQL's driver).
MAX_ID = 2**31 - 1


def _whole_number(value: Any) -> Any:
    # JSON Schema's integer includes 5.0; strict validation would refuse it.
    return int(value) if isinstance(value, float) and value.is_integer() else value


Whole = Annotated[int, BeforeValidator(_whole_number)]
DbId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole_number)]
# Text that must say something: the service refuses empty and blank reasons and contents with
# its own message, the document says so. (Maximum lengths of free text come from the policy
# file: integrations.openapi adds them.)
Said = Annotated[str, Field(json_schema_extra={"minLength": 1, "pattern": r"\S"})]
BLANK_OR_CONTENT = (
    "^(?:["
    " \\t\\n\\r\u3000]*|"
    "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*[^\\W_][^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*)$"
)
# A request's content needs a letter or digit of some script (tickets.intake.check_content).
Content = Annotated[str, Field(json_schema_extra={"minLength": 1, "pattern": r"[^\W_]"})]
# What tickets.privacy.normalize_phone accepts: a mobile (+86 / 0086 / 86 allowed, spaces or
# dashes between the groups) or a landline with its area code (010 and 02x have three digits,
# the others four, in brackets or not), optionally an extension (转 / ext / x, or a third
# group after a dash or space).
_D = "[0-9０-９]"
_SEP = "[ \\-－]"
_AREA_PLAIN = f"[0０](?:[12１２]{_D}|[3-9３-９]{_D}{{2}})"
_AREA = f"(?:{_AREA_PLAIN}|[(（]{_AREA_PLAIN}[)）])"
_LOCAL = f"[2-9２-９]{_D}{{6,7}}"
_LOCAL_GROUPED = f"[2-9２-９]{_D}{{2,3}}{_SEP}?{_D}{{4}}"
PHONE_PATTERN = (
    f"^(?:(?:(?:[+＋]|[0０]{{2}})?[8８][6６]{_SEP}?)?[1１][3-9３-９]{_D}{_SEP}?{_D}{{4}}{_SEP}?{_D}{{4}}"
    f"|{_AREA_PLAIN}{_SEP}{_LOCAL}{_SEP}{_D}{{1,6}}"
    f"|{_AREA}{_SEP}?{_LOCAL_GROUPED}(?: ?(?:转|[eE][xX][tT]\\.?|[xX]) ?{_D}{{1,6}})?)$"
)
Phone = Annotated[str, Field(max_length=40, pattern=PHONE_PATTERN)]


def _week_pattern(first: int = 1970, last: int = 2999) -> str:
    """ISO weeks of the years the API takes: W01–W52 in any of them, W53 in the years that have one."""
    long_years = "|".join(str(y) for y in range(first, last + 1) if date(y, 12, 28).isocalendar().week == 53)
    return f"^(?:(?:19[7-9][0-9]|2[0-9]{{3}})-W(?:0[1-9]|[1-4][0-9]|5[0-2])|(?:{long_years})-W53)$"


WEEK_PATTERN = _week_pattern()


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
    content: Content = Field(description="The request in the citizen's words (up to the policy's limit)")
    category: str = Field(default="", max_length=50)
    urgency: Urgency = Urgency.GENERAL
    place: str = ""
    external_number: str | None = Field(default=None, max_length=64)
    contact_name: str | None = None
    contact_phone: Phone | None = None
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
    unit_id: DbId
    co_unit_ids: list[DbId] = Field(default=[], max_length=20)
    note: str = ""


class DirectAnswerIn(Strict):
    answer: Said


class SendBackIn(Strict):
    reason: Said


class ContactIn(Strict):
    reached: bool
    note: str = ""


class EmptyIn(Strict):
    pass


class SiteVisitIn(Strict):
    findings: Said


class RequestReturnIn(Strict):
    reason: Said
    suggested_unit: Said


class DecideReturnIn(Strict):
    approve: bool
    new_unit_id: DbId | None = None
    note: str = ""


class RequestExtensionIn(Strict):
    days: Whole = Field(ge=1, le=MAX_ID, description="Working days; at most the policy's extension limit")
    reason: Said


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


class ReasonIn(Strict):
    """Rework and 存电 need their reason."""

    note: Said


class WhistleIn(Strict):
    """吹哨: the units summoned to report in (报到), and why."""

    unit_ids: list[DbId] = Field(min_length=1, max_length=10)
    reason: Said


class WhistleMeetingIn(Strict):
    """The on-site meeting of the ticket's open whistle (现场会)."""

    date: date
    place: Said
    attendees: list[Annotated[str, Field(min_length=1, max_length=50, pattern=r"\S")]] = Field(
        min_length=1, max_length=30)
    decisions: Said


class DeputyReferralIn(Strict):
    """人大代表转办: the deputy who referred the ticket, and their liaison station."""

    deputy: Said
    station: str = ""


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
    week: str = Field(pattern=WEEK_PATTERN, description="ISO week, e.g. 2026-W48")
    cluster: str = Field(max_length=20)
    answer: str = Field(min_length=1, max_length=20_000)
    key: str | None = Field(default=None, max_length=64)
    unit: str | None = Field(default=None, max_length=100)
    category: str = Field(default="", max_length=50)


class KbAskIn(Strict):
    text: str = Field(max_length=5000)
    declined_entry_ids: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=50)


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
    content: Content
    category: str = Field(default="", max_length=50)
    urgency: Urgency = Urgency.GENERAL
    place: str = ""
    contact_name: str | None = None
    contact_phone: Phone | None = None
    confidential: bool = False


class UpstreamTicketData(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=64)
    note: str = ""


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
    # Blank falls back to the transcript too; otherwise it needs words (tickets.intake.check_content).
    content: str | None = Field(default=None, description="Defaults to the transcript (also when blank)",
                                json_schema_extra={"pattern": BLANK_OR_CONTENT})


class TelephonyCallIn(Strict):
    call_id: str = Field(min_length=1, max_length=100)
    caller_number: Phone | None = None
    agent_id: str = Field(min_length=1, max_length=64)
    # Words are needed: a ticket filed from the call takes the transcript as its content.
    transcript: str = Field(max_length=20000, pattern=r"[^\W_]")
    ticket: TelephonyTicketIn | None = Field(
        default=None, description="Present when the agent asks for a ticket"
    )


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


# --- 双呼 call records (POST /hooks/telephony/cdr) ------------------------------------------------


class CallRecordIn(Strict):
    """One call-detail record of the 双呼 platform (the unit's or the office's call to the citizen)."""

    call_id: str = Field(min_length=1, max_length=100, description="The platform's call id (idempotency key)")
    ticket_number: str = Field(
        min_length=1,
        max_length=64,
        description="Our ticket number, or the upstream platform's number of a ticket from above",
    )
    calling_unit_id: DbId = Field(description="The unit whose staff dialled")
    calling_staff: Annotated[str, Field(min_length=1, max_length=50, pattern=r"\S")]
    callee_number: Phone = Field(description="The number called (stored; masked in logs and answers)")
    dialed_at: AwareDatetime
    answered_at: AwareDatetime | None = Field(
        default=None, description="Present exactly when outcome is answered"
    )
    hung_up_at: AwareDatetime = Field(description="Not before dialed_at / answered_at, not in the future")
    outcome: CallOutcome
    recording_ref: str | None = Field(default=None, max_length=500, pattern=r"\S",
                                      description="Where the platform keeps the recording")


class CallRecordAck(BaseModel):
    call_id: str
    ticket_number: str
    outcome: CallOutcome
    callee_number: str = Field(description="Masked")
    stage: Literal["brief_contact", "first_contact"] | None = Field(
        description=(
            "The contact the call is an attempt of (none: another unit's call, or after the ticket left it)"
        )
    )
    brief_contact_proven_at: datetime | None
    first_contact_proven_at: datetime | None
    duplicate: bool


# --- Open311 GeoReport v2 (documented here; integrations.open311 renders the same fields) -----


class Open311Error(BaseModel):
    code: int = Field(description="The HTTP status")
    description: str


class Open311Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class Open311AttributeValue(BaseModel):
    key: str
    name: str


class Open311Attribute(BaseModel):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[Open311AttributeValue]


class Open311ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Open311Attribute]


class Open311Request(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None = Field(description="Phones masked; no contact data")
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime | None
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Open311Created(BaseModel):
    service_request_id: str
    service_notice: str | None
    account_id: str | None


class Open311Token(BaseModel):
    token: str
    service_request_id: str


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


# --- 市长信箱 letters and 政企通 (integrations.letters) ------------------------------------------

# What tickets.credit_code accepts as sent by a program: 18 characters of the GB 32100-2015
# alphabet, the division code in digits (the check character is the service's: no JSON Schema
# can state a weighted sum mod 31, so a wrong one is a 422 naming 校验位).
CREDIT_CODE_PATTERN = "^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$"
# Standard base64 with its padding (the bytes must be a JPG, PNG or WebP image: tickets.photos).
BASE64_PATTERN = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class AttachmentIn(Strict):
    name: str = Field(default="", max_length=100, description="File name as the writer had it")
    data_base64: str = Field(min_length=4, max_length=1_000_000, pattern=BASE64_PATTERN,
                             description="The image (JPG, PNG or WebP), base64; stored without its metadata")


class LetterIn(Strict):
    title: Annotated[str, Field(json_schema_extra={"minLength": 1, "pattern": r"[^\W_]"})] = Field(
        description="The letter's title (up to the policy's letter_title_max_chars)")
    body: Content = Field(description="The letter in the writer's words (up to the policy's content limit)")
    publish_consent: bool = Field(
        default=False,
        description=(
            "The writer agrees that the letter and its reply may be published (without personal data)"
        ),
    )
    request_type: RequestType = RequestType.SUGGESTION
    category: str = Field(default="", max_length=50)
    place: str = ""
    contact_name: str | None = None
    contact_phone: Phone | None = None
    # Up to the policy's letter_attachments_max (integrations.openapi writes it as maxItems).
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


class LetterOut(BaseModel):
    number: str
    title: str
    status: TicketStatus
    status_label: str
    publish_consent: bool
    attachments: int
    received_at: datetime
    due_at: datetime | None = Field(description="The mailbox's completion deadline (expected until dispatch)")


class PublishIn(Strict):
    reply: str | None = Field(
        default=None, description="The reply as the public reads it (default: the unit's)"
    )


class PublicLetterOut(BaseModel):
    number: str
    title: str
    body: str
    reply: str
    unit: str
    received_at: datetime
    replied_at: datetime | None
    published_at: datetime


class PublicLetterList(BaseModel):
    letters: list[PublicLetterOut]


class SpecialistIn(Strict):
    unit_id: DbId
    staff_id: DbId = Field(description="A handler of that unit")
    policy_area: Said = Field(max_length=50)


class SpecialistOut(BaseModel):
    id: int
    unit: str
    name: str
    policy_area: str
    active: bool
    open_requests: int


class SpecialistList(BaseModel):
    specialists: list[SpecialistOut]


class EnterpriseRequestIn(Strict):
    channel: Literal[Channel.PHONE, Channel.WEB, Channel.TELEPHONY] = Channel.PHONE
    credit_code: str | None = Field(default=None, pattern=CREDIT_CODE_PATTERN,
                                    description="统一社会信用代码 (GB 32100-2015), check character verified")
    company_name: str = Field(default="", max_length=100)
    policy_area: Said = Field(max_length=50)
    request_type: RequestType = RequestType.CONSULTATION
    content: Content
    category: str = Field(default="", max_length=50)
    contact_name: str | None = None
    contact_phone: Phone | None = None


class EnterpriseOut(BaseModel):
    number: str
    status: TicketStatus
    credit_code: str | None
    company_name: str
    policy_area: str
    specialist: str | None = Field(
        description="The specialist serving it one-to-one; null: waits for the office"
    )
    unit: str | None
    first_contact_due_at: datetime | None
    due_at: datetime | None
