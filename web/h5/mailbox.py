"""市长信箱 on the citizens' pages: the letter form (title, body, consent to publication,
images, a phone proved by an SMS code) and the public page of the replies published with the
writers' consent. Each view is one call of tickets.mailbox; the receipt is the tracking page
every ticket has (web/h5/views.py), which speaks of a letter for a letter."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from integrations.db import writing
from integrations.state import SESSIONS, SETTINGS
from tickets import mailbox, photos, verification
from tickets import texts as ttexts
from tickets.context import Actor
from tickets.enums import Role
from tickets.errors import HotlineError, ValidationFailed
from tickets.photos import PhotoStore, Upload
from tickets.privacy import mask_phone
from web.h5 import texts
from web.h5.views import (
    LIMITS,
    LINKS,
    PHOTO_WORK,
    PROOF_COOKIE,
    address,
    check_text,
    close_uploads,
    field,
    page,
    proven,
    rules_of,
    too_many,
)

log = logging.getLogger("web.h5")
routes = web.RouteTableDef()
PATH = "/h5/mailbox"


@dataclass
class LetterDraft:
    """The letter form's fields, carried back to the page with a refusal."""

    title: str = ""
    body: str = ""
    name: str = ""
    consent: bool = False

    @classmethod
    def of(cls, form: MultiDictProxy[Any]) -> LetterDraft:
        return cls(title=field(form, "title", 200), body=field(form, "body"), name=field(form, "name", 60),
                   consent=form.get("consent") == "yes")

    def letter(self, phone: str | None) -> mailbox.LetterCreate:
        return mailbox.LetterCreate(title=self.title, body=self.body, publish_consent=self.consent,
                                    contact_name=self.name or None, contact_phone=phone)


def form_context(request: web.Request, draft: LetterDraft, **extra: Any) -> dict[str, Any]:
    rules = rules_of(request)
    return {"draft": draft, "nav": "mailbox", "back": PATH,
            "title_max": rules.policy.limits.letter_title_max_chars,
            "body_max": rules.policy.limits.content_max_chars,
            "attachments_max": rules.policy.limits.letter_attachments_max, **extra}


@routes.get(PATH)
async def letter_form(request: web.Request) -> web.Response:
    return page(request, "mailbox.html", form_context(request, LetterDraft(), phone=await proven(request)))


async def _uploads(form: MultiDictProxy[Any]) -> list[Upload]:
    return [Upload(name=v.filename, data=v.file.read()) for v in form.getall("attachments", [])
            if isinstance(v, web.FileField) and v.filename]


@routes.post(PATH)
async def send_letter(request: web.Request) -> web.StreamResponse:
    limits = request.app[LIMITS]
    if wait := limits.file_by_address.retry_after(address(request)):
        return too_many(request, wait, "mailbox_address")
    form = await request.post()
    try:
        return await _send(request, form)
    finally:
        close_uploads(form)


async def _send(request: web.Request, form: MultiDictProxy[Any]) -> web.StreamResponse:
    limits = request.app[LIMITS]
    rules = rules_of(request)
    draft = LetterDraft.of(form)
    phone = await proven(request)
    try:
        for label, value in ((texts.MAILBOX_LETTER_TITLE, draft.title), (texts.MAILBOX_BODY, draft.body),
                             (texts.MAILBOX_NAME, draft.name)):
            check_text(value, label)
        letter = draft.letter(phone)
        mailbox.check_letter(rules, letter)
        uploads = await _uploads(form)
        mailbox.check_attachment_count(rules, len(uploads))
        async with request.app[PHOTO_WORK]:
            cleaned = await asyncio.to_thread(photos.check_uploads, uploads)
        if phone is None:
            raise ValidationFailed(ttexts.ERR_PHONE_NOT_VERIFIED)
        if wait := limits.file_by_phone.retry_after(phone):
            return too_many(request, wait, "mailbox_phone", texts.ERR_FILE_TOO_MANY_PHONE)
        store = PhotoStore(request.app[SETTINGS].media_dir)
        await asyncio.to_thread(lambda: [store.save(p) for p in cleaned])
        async with writing(request.app) as session:
            await verification.spend_proof(session, rules=rules, proof=request.cookies.get(PROOF_COOKIE, ""))
            ticket = await mailbox.write_letter(
                session,
                rules=rules,
                actor=Actor(role=Role.CITIZEN, name=ttexts.CITIZEN_ACTOR_NAME),
                letter=letter,
            )
            await photos.attach_photos(session, rules=rules, ticket=ticket, photos=cleaned, store=store)
            number = ticket.number
    except HotlineError as error:
        return page(request, "mailbox.html", form_context(request, draft, phone=phone, error=error.message,
                                                          photos_again=True), status=error.http_status)
    limits.file_by_address.hit(address(request))
    limits.file_by_phone.hit(phone)
    log.info(
        "letter %s written on the H5 page (phone %s, %s images)", number, mask_phone(phone), len(cleaned)
    )
    raise web.HTTPSeeOther(f"/h5/t/{request.app[LINKS].token(number, now=rules.now())}?new=1")


@routes.get(PATH + "/public")
async def public_letters(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        letters = await mailbox.published_letters(session, limit=50)
    return page(request, "mailbox_public.html", {"letters": letters, "nav": "mailbox"})
