"""The citizens' pages: each view turns a form into one call of the channel-independent
services (knowledge_base.conversation and .service, knowledge_base.classify.draft,
tickets.verification, tickets.intake, tickets.photos, tickets.timeline, tickets.service)
and renders what they answer. Nothing here decides a band, a deadline or a transition.

Every page works as plain HTML forms; with htmx, the chat and the phone check update in
place (the views answer a fragment when the request carries HX-Request)."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from integrations.db import writing
from integrations.state import METRICS, ROUTER, RULES, SESSIONS, SETTINGS, served_kb
from knowledge_base import conversation
from knowledge_base import service as kb_service
from knowledge_base.classify.draft import category_labels, suggest_draft
from knowledge_base.conversation import Band, NoAnswerReason
from knowledge_base.matcher import Entry, KnowledgeBase
from tickets import deadlines, intake, mailbox, photos, service, timeline, verification
from tickets import texts as ttexts
from tickets.context import Actor, Rules
from tickets.enums import Channel, RequestType, Role, Satisfaction
from tickets.errors import HotlineError, NotFound, ValidationFailed
from tickets.models import Ticket
from tickets.photos import PhotoStore, Upload
from tickets.privacy import mask_phone, phone_suffix_matches
from tickets.queries import get_ticket
from tickets.schemas import CallbackAnswers, TicketCreate
from tickets.tracking import TrackingLinks
from web.base import WEB_SETTINGS, render, secure_cookies
from web.h5 import texts
from web.h5.limits import H5Limits

log = logging.getLogger("web.h5")
routes = web.RouteTableDef()

LIMITS = web.AppKey("h5_limits", H5Limits)
LINKS = web.AppKey("h5_links", TrackingLinks)
CODE_POLICY = web.AppKey("h5_code_policy", verification.CodePolicy)
FRESH_PROOF = web.RequestKey("h5_fresh_proof", str)
PHOTO_WORK = web.AppKey("h5_photo_work", asyncio.Semaphore)
PROOF_COOKIE = "h5_proof"
PROOF_PATH = "/h5/"
CHANNEL = "h5"
# What a citizen types is text: markup in a field is refused (it would be shown as text
# everywhere anyway; refusing it keeps it out of SMS, group chats and exports).
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]")
QUESTION_MAX = 500


# --- helpers ----------------------------------------------------------------------------------------


def template_globals() -> dict[str, Any]:
    """Names every H5 template may use, with the defaults of the optional ones (the templates
    run with StrictUndefined: a misspelt name fails loudly instead of printing nothing)."""
    return {
        "t": texts, "mask_phone": mask_phone, "fmt_local": ttexts.fmt_local,
        "result_label": lambda result: ttexts.RESULT[result],
        "nav": "", "error": "", "message": "", "sorry": False, "photos_again": False, "phone": None,
        "sent_to": "", "typed_phone": "", "back": "", "hot": [], "turns": [], "verify_hint": texts.VERIFY_WHY,
    }


def is_htmx(request: web.Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def address(request: web.Request) -> str:
    """The client address the limits count by. Behind our own reverse proxy
    (HOTLINE_WEB_TRUST_FORWARDED_FOR) the last X-Forwarded-For hop, the one the proxy added:
    earlier hops are whatever the client wrote. Otherwise the header is ignored."""
    if request.app[WEB_SETTINGS].web_trust_forwarded_for:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return request.remote or "unknown"


def rules_of(request: web.Request) -> Rules:
    return request.app[RULES]


def too_many(request: web.Request, seconds: int, limit: str, message: str | None = None) -> web.Response:
    """429 with Retry-After: a flood is refused at the door, counted by limit in /metrics."""
    request.app[METRICS].rate_limited.labels(CHANNEL, limit).inc()
    text = message or texts.ERR_TOO_FAST.format(seconds=seconds)
    if is_htmx(request):
        response = page(request, "_turn.html", {"turn": Turn("", "empty", text=text)}, status=429)
    else:
        response = page(request, "message.html", {"title": texts.TOO_MANY_TITLE, "message": text}, status=429)
    response.headers["Retry-After"] = str(seconds)
    return response


def page(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
    if is_htmx(request) and template.startswith("_"):
        # A fragment is the new state of a part of the page, a refusal included: htmx swaps
        # only 2xx answers, and the browser logs every 4xx of a script as an error. Plain
        # form posts (and scripts) get the real status.
        status = 200
    return render(f"h5/{template}", request, context, status=status)


def field(form: MultiDictProxy[Any], name: str, limit: int = 6000) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def check_text(value: str, label: str) -> None:
    if MARKUP.search(value):
        raise ValidationFailed(texts.ERR_MARKUP.format(field=label))


def kb_of(request: web.Request) -> KnowledgeBase:
    try:
        kb = served_kb(request.app)
    except RuntimeError:  # not loaded yet
        kb = None
    if kb is None:
        raise web.HTTPServiceUnavailable(text=texts.ERR_KB_UNAVAILABLE)
    return kb


async def proven(request: web.Request, *, include_spent: bool = False) -> str | None:
    """The phone this browser proved with an SMS code (its proof cookie), if still valid."""
    proof = request.get(FRESH_PROOF) or request.cookies.get(PROOF_COOKIE, "")
    if not proof:
        return None
    async with request.app[SESSIONS]() as session:
        return await verification.proven_phone(session, rules=rules_of(request), proof=proof,
                                               include_spent=include_spent)


# --- chat (聊天办) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One exchange of the chat as the templates draw it."""

    question: str
    kind: str  # answer | suggest | none | empty | person | thanks
    entry: Entry | None = None
    choices: tuple[Entry, ...] = ()
    text: str = ""


@routes.get("/h5/")
async def chat(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        hot = await kb_service.hot_questions(session, clock=rules_of(request).clock, limit=6)
    return page(request, "chat.html", {"turns": [], "hot": hot, "nav": "chat"})


@routes.get("/h5")
async def chat_slash(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/h5/")


def _turn_page(request: web.Request, turn: Turn) -> web.Response:
    if is_htmx(request):
        return page(request, "_turn.html", {"turn": turn})
    return page(request, "chat.html", {"turns": [turn], "hot": [], "nav": "chat"})


async def _record_hit(request: web.Request, entry: Entry) -> None:
    async with writing(request.app) as session:
        await kb_service.record_hit(session, key=entry.id, clock=rules_of(request).clock, channel=CHANNEL)


@routes.post("/h5/ask")
async def ask(request: web.Request) -> web.Response:
    if wait := request.app[LIMITS].ask.hit(address(request)):
        return too_many(request, wait, "ask")
    form = await request.post()
    question = field(form, "q", QUESTION_MAX)
    kb = kb_of(request)
    # Encoding the question is C code that releases the GIL: off the event loop.
    result = await asyncio.to_thread(conversation.answer, kb, question)
    request.app[METRICS].kb_answers.labels(result.band.value, CHANNEL).inc()
    if result.band is Band.ANSWER and result.best is not None:
        await _record_hit(request, result.best.entry)
        turn = Turn(question, "answer", entry=result.best.entry)
    elif result.band is Band.SUGGEST:
        turn = Turn(question, "suggest", choices=tuple(s.entry for s in result.entries))
    elif result.no_answer_reason is NoAnswerReason.EMPTY:
        turn = Turn(question, "empty", text=texts.EMPTY)
    elif result.no_answer_reason is NoAnswerReason.PERSON_REQUESTED:
        hotline = rules_of(request).policy.hotline
        turn = Turn(question, "person", text=texts.PERSON.format(phone=hotline.phone, hours=hotline.hours))
    elif result.no_answer_reason in (NoAnswerReason.SMALL_TALK, NoAnswerReason.OUT_OF_SCOPE):
        # A greeting, thanks, or a matter outside the hotline's remit: the engine's own reply,
        # neither a gap of the knowledge base nor something to file.
        turn = Turn(question, "empty", text=conversation.reply_text(result))
    else:
        # Kept (masked) for the office's weekly gap list, as the bot does.
        async with writing(request.app) as session:
            await kb_service.record_miss(
                session, query=question, clock=rules_of(request).clock, channel=CHANNEL
            )
        turn = Turn(question, "none", text=texts.NO_ANSWER)
    return _turn_page(request, turn)


@routes.post("/h5/pick")
async def pick(request: web.Request) -> web.Response:
    """A 猜你想问 choice or a hot question: its answer, with the same feedback buttons."""
    if wait := request.app[LIMITS].ask.hit(address(request)):
        return too_many(request, wait, "ask")
    form = await request.post()
    entry = kb_of(request).get(field(form, "entry", 64))
    if entry is None:
        return _turn_page(request, Turn(field(form, "q", QUESTION_MAX), "empty", text=texts.ERR_ENTRY_GONE))
    await _record_hit(request, entry)
    request.app[METRICS].kb_answers.labels("pick", CHANNEL).inc()
    return _turn_page(request, Turn(field(form, "q", QUESTION_MAX) or entry.question, "answer", entry=entry))


@routes.post("/h5/feedback")
async def feedback(request: web.Request) -> web.StreamResponse:
    """解决了 / 没解决: stored per entry as from the bot (kb_feedback); 没解决 goes to filing with
    the question filled in."""
    form = await request.post()
    key = field(form, "entry", 64)
    solved = field(form, "solved") == "1"
    question = field(form, "q", QUESTION_MAX)
    try:
        async with writing(request.app) as session:
            await kb_service.record_feedback(session, key=key, solved=solved, clock=rules_of(request).clock,
                                             query=question, channel=CHANNEL)
    except NotFound:
        log.info("feedback on unknown knowledge-base entry %s dropped", key[:64])
    if solved:
        return _turn_page(request, Turn("", "thanks", text=texts.THANKS))
    target = "/h5/file?" + _query({"q": question, "sorry": "1"})
    if is_htmx(request):
        return web.Response(status=204, headers={"HX-Redirect": target})
    raise web.HTTPSeeOther(target)


def _query(values: dict[str, str]) -> str:
    return urlencode({k: v for k, v in values.items() if v})


# --- filing -----------------------------------------------------------------------------------------


@dataclass
class Draft:
    """The fields of the filing form, carried from step to step as hidden fields."""

    content: str = ""
    place: str = ""
    lat: str = ""
    lon: str = ""
    request_type: str = ""
    category: str = ""

    @classmethod
    def of(cls, form: MultiDictProxy[Any]) -> Draft:
        return cls(
            content=field(form, "content"),
            place=field(form, "place", 300),
            lat=field(form, "lat", 20),
            lon=field(form, "lon", 20),
            request_type=field(form, "request_type", 20),
            category=field(form, "category", 60),
        )

    def location(self) -> tuple[float, float] | None:
        if not self.lat and not self.lon:
            return None
        try:
            lat, lon = float(self.lat), float(self.lon)
        except ValueError:
            raise ValidationFailed(texts.ERR_BAD_LOCATION) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationFailed(texts.ERR_BAD_LOCATION)
        return lat, lon

    def full_place(self) -> str:
        where = self.location()
        if where is None:
            return self.place
        lat, lon = where
        if self.place:
            return texts.PLACE_WITH_LOCATION.format(place=self.place, lat=lat, lon=lon)
        return texts.PLACE_LOCATION_ONLY.format(lat=lat, lon=lon)

    def check(self, rules: Rules) -> None:
        """The domain's own checks of a draft (tickets.intake) plus this channel's: no markup,
        a place or a location."""
        check_text(self.content, texts.FILE_CONTENT)
        check_text(self.place, texts.FILE_PLACE)
        if not self.place and self.location() is None:
            raise ValidationFailed(texts.ERR_PLACE_EMPTY)
        intake.check_draft(rules, TicketCreate(channel=Channel.WEB, request_type=RequestType.COMPLAINT,
                                               content=self.content, place=self.full_place()))


def _review_context(request: web.Request, draft: Draft, **extra: Any) -> dict[str, Any]:
    return {"draft": draft, "types": [(t.value, ttexts.REQUEST_TYPE[t]) for t in RequestType],
            "categories": category_labels(), "nav": "file", **extra}


@routes.get("/h5/file")
async def file_form(request: web.Request) -> web.Response:
    draft = Draft(content=request.query.get("q", "")[:QUESTION_MAX])
    return page(
        request, "file.html", {"draft": draft, "sorry": request.query.get("sorry") == "1", "nav": "file"}
    )


@routes.post("/h5/file/edit")
async def file_edit(request: web.Request) -> web.Response:
    """Back from step 2 to step 1 with what was typed."""
    return page(request, "file.html", {"draft": Draft.of(await request.post()), "nav": "file"})


@routes.post("/h5/file")
async def file_review(request: web.Request) -> web.Response:
    """Step 1 → 2: the draft checked, the classifier's suggestion shown to confirm or correct."""
    form = await request.post()
    draft = Draft.of(form)
    try:
        draft.check(rules_of(request))
    except ValidationFailed as error:
        return page(request, "file.html", {"draft": draft, "error": error.message, "nav": "file"}, status=422)
    suggestion = suggest_draft(draft.content, request.app.get(ROUTER))
    draft.request_type = suggestion.request_type.value
    draft.category = suggestion.category
    return page(request, "review.html", _review_context(request, draft, phone=await proven(request)))


async def _uploads(form: MultiDictProxy[Any]) -> list[Upload]:
    found = []
    for value in form.getall("photos", []):
        if isinstance(value, web.FileField) and value.filename:
            found.append(Upload(name=value.filename, data=value.file.read()))
    return found


@routes.post("/h5/file/submit")
async def file_submit(request: web.Request) -> web.StreamResponse:
    """Step 2: the ticket, through tickets.intake, with its photos and the verified phone."""
    limits = request.app[LIMITS]
    if wait := limits.file_by_address.retry_after(address(request)):
        return too_many(request, wait, "file_address")
    form = await request.post()
    try:
        return await _file_submit(request, form)
    finally:
        close_uploads(form)


def close_uploads(form: MultiDictProxy[Any]) -> None:
    """aiohttp spools uploads to temporary files: closed after the view, whatever happened."""
    for value in form.values():
        if isinstance(value, web.FileField):
            value.file.close()


async def _file_submit(request: web.Request, form: MultiDictProxy[Any]) -> web.StreamResponse:
    limits = request.app[LIMITS]
    draft = Draft.of(form)
    rules = rules_of(request)
    phone = await proven(request)
    try:
        draft.check(rules)
        if draft.request_type not in set(RequestType):
            raise ValidationFailed(texts.ERR_BAD_TYPE)
        if draft.category and draft.category not in category_labels():
            raise ValidationFailed(texts.ERR_BAD_CATEGORY)
        request_type = RequestType(draft.request_type)
        # Decoding and re-encoding photos is CPU work: off the event loop, before anything is
        # written, a few at a time (one per core; more only fight over the cores and the GIL).
        async with request.app[PHOTO_WORK]:
            cleaned = await asyncio.to_thread(photos.check_uploads, await _uploads(form))
        if phone is None:
            raise ValidationFailed(ttexts.ERR_PHONE_NOT_VERIFIED)
        if wait := limits.file_by_phone.retry_after(phone):
            return too_many(request, wait, "file_phone", texts.ERR_FILE_TOO_MANY_PHONE)
        urgency = suggest_draft(draft.content, request.app.get(ROUTER)).urgency
        store = PhotoStore(request.app[SETTINGS].media_dir)
        # Files first, outside the write transaction (named by content: one left by a refused
        # filing is harmless and reused); attach_photos then only adds the rows.
        await asyncio.to_thread(lambda: [store.save(p) for p in cleaned])
        async with writing(request.app) as session:
            await verification.spend_proof(session, rules=rules, proof=request.cookies.get(PROOF_COOKIE, ""))
            ticket = await intake.create_ticket(
                session, rules=rules, actor=Actor(role=Role.CITIZEN, name=ttexts.CITIZEN_ACTOR_NAME),
                data=TicketCreate(channel=Channel.WEB, request_type=request_type, category=draft.category,
                                  urgency=urgency, content=draft.content, place=draft.full_place(),
                                  contact_phone=phone))
            await photos.attach_photos(session, rules=rules, ticket=ticket, photos=cleaned, store=store)
            number = ticket.number
    except HotlineError as error:
        return page(request, "review.html", _review_context(request, draft, phone=phone, error=error.message,
                                                            photos_again=True), status=error.http_status)
    limits.file_by_address.hit(address(request))
    limits.file_by_phone.hit(phone)
    log.info("ticket %s filed on the H5 page (phone %s, %s photos)", number, mask_phone(phone), len(cleaned))
    raise web.HTTPSeeOther(f"/h5/t/{request.app[LINKS].token(number, now=rules.now())}?new=1")


# --- phone verification -----------------------------------------------------------------------------


async def _verify_reply(request: web.Request, form: MultiDictProxy[Any], *, message: str = "",
                        error: str = "", sent_to: str = "", phone: str | None = None,
                        status: int = 200) -> web.Response:
    """The verification box (htmx) or, for plain forms, the whole page it sits on again."""
    back = field(form, "back", 200)
    context = {"message": message, "error": error, "sent_to": sent_to, "phone": phone,
               "typed_phone": field(form, "phone", 20), "back": back}
    if is_htmx(request):
        hint = {"verify_hint": ""} if back else {}
        return page(request, "_verify.html", context | hint, status=status)
    if back.startswith("/h5/t/"):
        return await _track_page(request, back.removeprefix("/h5/t/"), context, status=status)
    if back == "/h5/mailbox":
        from web.h5.mailbox import LetterDraft, form_context

        return page(
            request,
            "mailbox.html",
            form_context(request, LetterDraft.of(form), **context, photos_again=True),
            status=status,
        )
    return page(
        request,
        "review.html",
        _review_context(request, Draft.of(form), **context, photos_again=True),
        status=status,
    )


@routes.post("/h5/code")
async def send_code(request: web.Request) -> web.Response:
    form = await request.post()
    try:
        async with writing(request.app) as session:
            sent = await verification.request_code(
                session,
                rules=rules_of(request),
                phone=field(form, "phone", 30),
                address=address(request),
                policy=request.app[CODE_POLICY],
            )
    except verification.TooManyCodes as error:
        request.app[METRICS].rate_limited.labels(CHANNEL, "sms_code").inc()
        response = await _verify_reply(request, form, error=error.message, status=429)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except HotlineError as error:
        return await _verify_reply(request, form, error=error.message, status=error.http_status)
    return await _verify_reply(request, form, message=texts.VERIFY_SENT.format(phone=mask_phone(sent.phone)),
                               sent_to=sent.phone)


@routes.post("/h5/verify")
async def check_code(request: web.Request) -> web.Response:
    form = await request.post()
    phone = field(form, "phone", 30)
    async with writing(request.app) as session:
        result = await verification.check_code(session, rules=rules_of(request), phone=phone,
                                               code=field(form, "code", 20), policy=request.app[CODE_POLICY])
    if not result.ok or result.proof is None:
        return await _verify_reply(request, form, error=result.message, sent_to=phone, status=422)
    verified = verification.mobile(phone)
    # The page drawn below must see the new proof as the next requests will (the cookie).
    request[FRESH_PROOF] = result.proof
    back = field(form, "back", 200)
    if is_htmx(request) and back.startswith("/h5/t/"):
        # The tracking page shows more to the owner: load it again as such.
        reload = web.Response(status=204, headers={"HX-Redirect": back})
        _set_proof(request, reload, result.proof)
        return reload
    response = await _verify_reply(request, form, message=texts.VERIFY_OK.format(phone=mask_phone(verified)),
                                   phone=verified)
    _set_proof(request, response, result.proof)
    return response


def _set_proof(request: web.Request, response: web.StreamResponse, proof: str) -> None:
    policy: verification.CodePolicy = request.app[CODE_POLICY]
    response.set_cookie(
        PROOF_COOKIE,
        proof,
        path=PROOF_PATH,
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(request),
        max_age=int(policy.proof_ttl.total_seconds()),
    )


# --- tracking and rating ---------------------------------------------------------------------------


@routes.get("/h5/track")
async def track_form(request: web.Request) -> web.Response:
    return page(request, "track.html", {"number": request.query.get("number", "")[:20], "nav": "track"})


@routes.post("/h5/track")
async def track_lookup(request: web.Request) -> web.StreamResponse:
    """By ticket number and the phone's last 4 digits, as the bot's /status: then the tracking page."""
    limits = request.app[LIMITS]
    if wait := limits.track_by_address.hit(address(request)):
        return too_many(request, wait, "track_address")
    form = await request.post()
    number = re.sub(r"\s", "", field(form, "number", 30))
    digits = field(form, "digits", 10)
    if limits.wrong_track_by_number.retry_after(number):
        request.app[METRICS].rate_limited.labels(CHANNEL, "track_number").inc()
        return page(request, "track.html", {"number": number, "error": texts.TRACK_LOCKED, "nav": "track"},
                    status=429)
    ticket: Ticket | None = None
    async with request.app[SESSIONS]() as session:
        try:
            ticket = await get_ticket(session, number=number)
        except NotFound:
            ticket = None
    if ticket is None or not phone_suffix_matches(ticket.contact_phone, digits):
        limits.wrong_track_by_number.hit(number)
        # Same answer for an unknown number and wrong digits: the page does not confirm numbers.
        return page(request, "track.html", {"number": number, "error": texts.TRACK_WRONG, "nav": "track"},
                    status=422)
    raise web.HTTPSeeOther(f"/h5/t/{request.app[LINKS].token(ticket.number, now=rules_of(request).now())}")


@routes.get("/h5/t/{token}")
async def track(request: web.Request) -> web.Response:
    return await _track_page(request, request.match_info["token"], {})


async def _track_page(
    request: web.Request, token: str, verify: dict[str, Any], *, status: int = 200
) -> web.Response:
    rules = rules_of(request)
    number = request.app[LINKS].read(token, now=rules.now())
    phone = await proven(request, include_spent=True)
    async with request.app[SESSIONS]() as session:
        ticket = await get_ticket(session, number=number)
        owner = timeline.owns(ticket, phone=phone)
        view = await timeline.tracking_view(session, ticket=ticket, owner=owner)
        letter = await mailbox.letter_if_any(session, ticket=ticket)
    due = deadlines.expected_due(ticket, rules=rules).at
    receipt = None
    if request.query.get("new") == "1" and owner:
        period = deadlines.ticket_completion_period(rules.policy, ticket)
        receipt = {"due": ttexts.fmt_local(due), "day": ttexts.fmt_day(due),
                   "period": deadlines.describe_period(period), "phone": mask_phone(ticket.contact_phone)}
    rated = request.query.get("rated", "")
    context: dict[str, Any] = {
        "view": view, "token": token, "owner": owner, "receipt": receipt, "nav": "track",
        # A 市长信箱 letter's page speaks of the letter: its title (to its writer), the answer's
        # term as a date, and whether the writer agreed to publication.
        "letter": letter, "letter_due": ttexts.fmt_day(due) if letter is not None and due else "",
        "rated": _rated(rated, number=number, letter=letter is not None),
        "satisfaction": list(texts.SATISFACTION.items()), "back": f"/h5/t/{token}",
        "phone": phone if owner else None, "sent_to": "", "typed_phone": "", "message": "", "error": "",
        "verify_hint": ""}
    context.update(verify)
    context["phone"] = phone if owner else None
    return page(request, "track_view.html", context, status=status)


def _rated(outcome: str, *, number: str, letter: bool) -> str:
    """What the page says after a rating: of a letter to its writer, of a ticket otherwise."""
    closed, rework = ((texts.LETTER_RATE_DONE_CLOSED, texts.LETTER_RATE_DONE_REWORK) if letter
                      else (texts.RATE_DONE_CLOSED, texts.RATE_DONE_REWORK))
    return closed.format(number=number) if outcome == "closed" else \
        rework.format(number=number) if outcome == "rework" else ""


def _yes_no(form: MultiDictProxy[Any], name: str) -> bool | None:
    value = field(form, name, 2)
    return True if value == "y" else False if value == "n" else None


@routes.post("/h5/t/{token}/rate")
async def rate(request: web.Request) -> web.StreamResponse:
    """The four callback questions (DOMAIN §3); a negative answer sends the ticket back for
    rework through tickets.service.record_callback, exactly as the bot's buttons do."""
    token = request.match_info["token"]
    rules = rules_of(request)
    number = request.app[LINKS].read(token, now=rules.now())
    form = await request.post()
    phone = await proven(request, include_spent=True)
    raw = field(form, "satisfaction", 30)
    satisfaction = Satisfaction(raw) if raw in set(Satisfaction) else None
    answers = [_yes_no(form, "contacted"), _yes_no(form, "answered"), _yes_no(form, "solved")]
    if None in answers or satisfaction is None:
        raise ValidationFailed(texts.RATE_INCOMPLETE)
    async with writing(request.app) as session:
        ticket = await get_ticket(session, number=number)
        actor = await timeline.owner_actor(session, ticket=ticket, phone=phone)
        ticket = await service.record_callback(
            session,
            rules=rules,
            actor=actor,
            number=number,
            answers=CallbackAnswers(
                reached=True,
                contacted=answers[0],
                answered=answers[1],
                solved=answers[2],
                satisfaction=satisfaction,
                note=texts.RATE_NOTE,
            ),
        )
        outcome = "closed" if ticket.closed_at is not None else "rework"
    raise web.HTTPSeeOther(f"/h5/t/{token}?rated={outcome}")
