"""The workflow actions of the ticket page: a form's fields → one tickets.service call.

Which actions a viewer is offered comes from tickets.workflow.allowed_actions (the one
table); the service checks everything again and its Chinese message is what the page
shows when it refuses. Fields are only read and shaped here (lengths, numbers, yes/no)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from multidict import MultiDictProxy
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import service as svc
from tickets import whistles
from tickets.clock import SHANGHAI
from tickets.context import Actor, Rules
from tickets.enums import Action, ResultCategory, Role, Satisfaction, TicketStatus
from tickets.errors import ValidationFailed
from tickets.models import Ticket
from tickets.queries import get_ticket
from tickets.schemas import CallbackAnswers, ReplyData
from tickets.texts import ERR_FIELD_TOO_LONG
from web.console import texts

Form = MultiDictProxy[Any]
E = TypeVar("E", bound=Enum)
Run = Callable[[AsyncSession, Rules, Actor, str, "Fields"], Awaitable[Ticket]]


class Fields:
    """A posted form, read with the limits every text field of the console shares."""

    def __init__(self, form: Form) -> None:
        self.form = form

    def text(self, name: str, *, limit: int | None = None) -> str:
        # Without a limit here, a note, reason or reply element meets the policy's
        # (limits.note_max_chars), checked by tickets.service when the event is written.
        value = self.form.get(name, "")
        value = value.strip() if isinstance(value, str) else ""
        if limit is not None and len(value) > limit:
            raise ValidationFailed(ERR_FIELD_TOO_LONG.format(field=texts.FIELD.get(name, name), limit=limit))
        return value

    def yes_no(self, name: str) -> bool | None:
        value = self.form.get(name, "")
        if value in ("", None):
            return None
        if value not in ("yes", "no"):
            raise ValidationFailed(texts.ERR_FIELD_CHOICE.format(field=texts.FIELD.get(name, name)))
        return value == "yes"

    def number(self, name: str, *, required: bool = True) -> int | None:
        raw = self.text(name, limit=12)
        if not raw:
            if required:
                raise ValidationFailed(texts.ERR_FIELD_REQUIRED.format(field=texts.FIELD.get(name, name)))
            return None
        try:
            return int(raw)
        except ValueError:
            raise ValidationFailed(texts.ERR_FIELD_NUMBER.format(field=texts.FIELD.get(name, name))) from None

    def numbers(self, name: str) -> list[int]:
        found = []
        for raw in self.form.getall(name, []):
            try:
                found.append(int(raw))
            except (TypeError, ValueError):
                raise ValidationFailed(
                    texts.ERR_FIELD_NUMBER.format(field=texts.FIELD.get(name, name))
                ) from None
        return found

    def moment(self, name: str) -> datetime | None:
        raw = self.text(name, limit=20)
        if not raw:
            return None
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=SHANGHAI)
        except ValueError:
            raise ValidationFailed(texts.ERR_FIELD_TIME.format(field=texts.FIELD.get(name, name))) from None

    def day(self, name: str) -> date:
        raw = self.text(name, limit=10)
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValidationFailed(texts.ERR_FIELD_TIME.format(field=texts.FIELD.get(name, name))) from None

    def choice(self, name: str, enum: type[E]) -> E | None:
        raw = self.text(name, limit=40)
        if not raw:
            return None
        try:
            return enum(raw)
        except ValueError:
            raise ValidationFailed(texts.ERR_FIELD_CHOICE.format(field=texts.FIELD.get(name, name))) from None


def _reply(f: Fields) -> ReplyData:
    result = f.choice("result", ResultCategory)
    if result is None:
        raise ValidationFailed(texts.ERR_FIELD_REQUIRED.format(field=texts.FIELD["result"]))
    return ReplyData(
        result=result,
        text=f.text("text"),
        contact_person=f.text("contact_person", limit=100),
        facts=f.text("facts"),
        judgement=f.text("judgement"),
        citizen_opinion=f.text("citizen_opinion"),
        answered_by=f.text("answered_by", limit=100),
        answered_at=f.moment("answered_at"),
        site_findings=f.text("site_findings"),
    )


def _callback(f: Fields) -> CallbackAnswers:
    return CallbackAnswers(reached=f.yes_no("reached") is not False, contacted=f.yes_no("contacted"),
                           answered=f.yes_no("answered"), solved=f.yes_no("solved"),
                           satisfaction=f.choice("satisfaction", Satisfaction), note=f.text("note"))


@dataclass(frozen=True)
class Spec:
    """One form of the ticket page: the workflow actions it stands for and its service call."""

    name: str
    actions: frozenset[Action]
    run: Run


def _spec(name: str, actions: set[Action], run: Run) -> Spec:
    return Spec(name, frozenset(actions), run)


def _noted(step: Callable[..., Awaitable[Ticket]]) -> Run:
    """A lifecycle step that takes only the form's note (rework, supervise, urge …)."""
    return lambda s, r, a, n, f: step(s, rules=r, actor=a, number=n, note=f.text("note"))


A = Action
SPECS: dict[str, Spec] = {
    s.name: s
    for s in [
        _spec(
            "dispatch",
            {A.DISPATCH},
            lambda s, r, a, n, f: svc.dispatch(
                s,
                rules=r,
                actor=a,
                number=n,
                unit_id=f.number("unit_id") or 0,
                co_unit_ids=f.numbers("co_unit_ids"),
                note=f.text("note"),
            ),
        ),
        _spec(
            "brief_contact",
            {A.BRIEF_CONTACT},
            lambda s, r, a, n, f: svc.brief_contact(
                s, rules=r, actor=a, number=n, reached=bool(f.yes_no("reached")), note=f.text("note")
            ),
        ),
        _spec(
            "direct_answer",
            {A.DIRECT_ANSWER},
            lambda s, r, a, n, f: svc.direct_answer(s, rules=r, actor=a, number=n, answer=f.text("answer")),
        ),
        _spec(
            "send_back",
            {A.SEND_BACK},
            lambda s, r, a, n, f: svc.send_back(s, rules=r, actor=a, number=n, reason=f.text("reason")),
        ),
        _spec("accept", {A.ACCEPT}, lambda s, r, a, n, f: svc.accept(s, rules=r, actor=a, number=n)),
        _spec(
            "first_contact",
            {A.FIRST_CONTACT},
            lambda s, r, a, n, f: svc.first_contact(
                s, rules=r, actor=a, number=n, reached=bool(f.yes_no("reached")), note=f.text("note")
            ),
        ),
        _spec(
            "site_visit",
            {A.SITE_VISIT},
            lambda s, r, a, n, f: svc.site_visit(s, rules=r, actor=a, number=n, findings=f.text("findings")),
        ),
        _spec(
            "request_return",
            {A.REQUEST_RETURN},
            lambda s, r, a, n, f: svc.request_return(
                s,
                rules=r,
                actor=a,
                number=n,
                reason=f.text("reason"),
                suggested_unit=f.text("suggested_unit", limit=100),
            ),
        ),
        _spec(
            "decide_return",
            {A.APPROVE_RETURN, A.REFUSE_RETURN},
            lambda s, r, a, n, f: svc.decide_return(
                s,
                rules=r,
                actor=a,
                number=n,
                approve=bool(f.yes_no("approve")),
                new_unit_id=f.number("new_unit_id", required=False),
                note=f.text("note"),
            ),
        ),
        _spec(
            "request_extension",
            {A.REQUEST_EXTENSION},
            lambda s, r, a, n, f: svc.request_extension(
                s, rules=r, actor=a, number=n, days=f.number("days") or 0, reason=f.text("reason")
            ),
        ),
        _spec(
            "decide_extension",
            {A.APPROVE_EXTENSION, A.REFUSE_EXTENSION},
            lambda s, r, a, n, f: svc.decide_extension(
                s, rules=r, actor=a, number=n, approve=bool(f.yes_no("approve")), note=f.text("note")
            ),
        ),
        _spec(
            "reply", {A.REPLY}, lambda s, r, a, n, f: svc.reply(s, rules=r, actor=a, number=n, data=_reply(f))
        ),
        _spec(
            "callback",
            {A.CLOSE, A.CALLBACK_ATTEMPT},
            lambda s, r, a, n, f: svc.record_callback(s, rules=r, actor=a, number=n, answers=_callback(f)),
        ),
        _spec(
            "rework",
            {A.REWORK},
            _noted(svc.rework),
        ),
        _spec(
            "supervise",
            {A.SUPERVISE},
            _noted(svc.supervise),
        ),
        _spec(
            "urge",
            {A.URGE},
            _noted(svc.urge),
        ),
        _spec(
            "archive",
            {A.ARCHIVE},
            _noted(svc.archive),
        ),
        _spec(
            "recall",
            {A.RECALL},
            _noted(svc.recall),
        ),
        _spec(
            "recheck",
            {A.RECHECK},
            _noted(svc.recheck),
        ),
        # 吹哨报到 (tickets.whistles); each returns the ticket, as the other forms do.
        _spec(
            "whistle",
            {A.WHISTLE},
            lambda s, r, a, n, f: _then_ticket(
                s,
                n,
                whistles.blow(
                    s, rules=r, actor=a, number=n, unit_ids=f.numbers("unit_ids"), reason=f.text("reason")
                ),
            ),
        ),
        _spec(
            "report_in",
            {A.REPORT_IN},
            lambda s, r, a, n, f: _then_ticket(
                s, n, whistles.report_in(s, rules=r, actor=a, number=n, via="web")
            ),
        ),
        _spec(
            "whistle_meeting",
            {A.WHISTLE_MEETING},
            lambda s, r, a, n, f: _then_ticket(
                s,
                n,
                whistles.record_meeting(
                    s,
                    rules=r,
                    actor=a,
                    number=n,
                    day=f.day("day"),
                    place=f.text("place", limit=200),
                    attendees=[p for line in f.text("attendees").splitlines() for p in line.split("、")],
                    decisions=f.text("decisions"),
                ),
            ),
        ),
    ]
}


async def _then_ticket(session: AsyncSession, number: str, step: Awaitable[object]) -> Ticket:
    await step
    return await get_ticket(session, number=number)


def offered(allowed: list[Action], *, ticket: Ticket, actor: Actor, whistle_open: bool = False,
            to_report_in: bool = False) -> list[str]:
    """The forms to show: those whose actions the workflow allows this role now. A handler
    acts only on its unit's own tickets (主办), as the service will check — except 报到, which
    a unit summoned by the ticket's open whistle (`to_report_in`, not reported in yet) gives."""
    wanted = set(allowed)
    if actor.role is Role.HANDLER and ticket.main_unit_id != actor.unit_id:
        return ["report_in"] if to_report_in and Action.REPORT_IN in wanted else []
    names = [name for name, spec in SPECS.items() if spec.actions & wanted
             and (name != "whistle" or not whistle_open) and (name != "whistle_meeting" or whistle_open)
             and (name != "report_in" or to_report_in)]
    # The office's review of a reply (退回重办) is its own form; the callback's rework is not offered twice.
    if ticket.status is TicketStatus.REPLIED and actor.role is not Role.OFFICE:
        names = [n for n in names if n != "rework"]
    return names
