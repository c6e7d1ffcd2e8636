"""Handlers of the units: /checkin, /mytickets and the actions on a ticket card."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, paging, texts
from bot.callbacks import CardAct, ListKind, OpenCb, PageCb, ReportInCb, TicketCb
from bot.context import RoleFilter, Who, reply_long, run_service
from bot.models import TicketAttachment
from bot.routes import PLAIN_TEXT, RouteTable
from bot.states import ExtensionRequest, ReplyRequest, ReturnRequest
from tickets import calls, logins, messaging, queries, service, whistles, workflow
from tickets import texts as ttexts
from tickets.clock import SHANGHAI, ensure_aware, local
from tickets.context import Rules
from tickets.enums import Action, ResultCategory, Role, TicketStatus
from tickets.errors import HotlineError, ValidationFailed
from tickets.models import Ticket, Unit
from tickets.policy import Period, PeriodUnit
from tickets.queries import is_overdue, unit_tickets
from tickets.schemas import ReplyData

router = RouteTable("handler")
router.message.filter(RoleFilter(Role.HANDLER))
router.callback_query.filter(RoleFilter(Role.HANDLER))
DUE_SOON = Period(amount=1, unit=PeriodUnit.WORKING_DAYS)
# Days typed with full-width digits (“３天”) count as well.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# The workflow action each button leads to (checked before anything is asked).
ACT_ACTION: dict[CardAct, Action] = {
    CardAct.ACCEPT: Action.ACCEPT,
    CardAct.CONTACTED: Action.FIRST_CONTACT,
    CardAct.REACHED: Action.FIRST_CONTACT,
    CardAct.UNREACHED: Action.FIRST_CONTACT,
    CardAct.RETURN: Action.REQUEST_RETURN,
    CardAct.EXTEND: Action.REQUEST_EXTENSION,
    CardAct.DAYS: Action.REQUEST_EXTENSION,
    CardAct.REPLY: Action.REPLY,
    CardAct.RESULT: Action.REPLY,
    CardAct.CONFIRM: Action.REPLY,
    CardAct.REDO: Action.REPLY,
}


def card_markup(ticket: Ticket, rules: Rules) -> InlineKeyboardMarkup | None:
    """Only the buttons the workflow allows now (a closed window or a reply before the first
    contact has none)."""
    return keyboards.ticket_card(
        ticket.number, workflow.available_actions(ticket, Role.HANDLER, now=rules.now(), policy=rules.policy)
    )


async def card_text(session: AsyncSession, ticket: Ticket, rules: Rules) -> str:
    photos = (await session.exec(select(func.count()).select_from(TicketAttachment)
                                 .where(TicketAttachment.ticket_id == ticket.id))).one()
    made = await calls.ticket_calls(session, ticket_id=ticket.id or 0)
    text = texts.CARD.format(
        number=ticket.number,
        status=ttexts.STATUS[ticket.status],
        urgency=ttexts.URGENCY[ticket.urgency],
        type=ttexts.REQUEST_TYPE[ticket.request_type],
        category=ticket.category or texts.FILE_NO_CATEGORY,
        name=ticket.contact_name or texts.CARD_NO_NAME,
        phone=ticket.contact_phone or "—",
        place=ticket.place or "—",
        content=ticket.content if len(ticket.content) <= 1500 else ticket.content[:1500] + "…",
        first_contact_due=ttexts.fmt_local(ticket.first_contact_due_at),
        due=ttexts.fmt_local(ticket.due_at),
    )
    if made or calls.evidence_applies(ticket, rules.policy):
        # The handler sees what the 双呼 platform has of its calls, and whether they prove the contact.
        proof = calls.proof(ticket, made, calls.ContactStage.FIRST_CONTACT, policy=rules.policy,
                            calendar=rules.calendar)
        last = made[-1] if made else None
        text += "\n" + texts.CARD_CALLS.format(
            count=len(made),
            last=(
                texts.CARD_LAST_CALL.format(
                    at=ttexts.fmt_local(last.dialed_at), outcome=ttexts.CALL_OUTCOME[last.outcome]
                )
                if last
                else ""
            ),
            proof=calls.describe(proof, policy=rules.policy),
        )
    return text + ("\n" + texts.CARD_PHOTOS.format(count=photos) if photos else "")


# --- check-in and the list ----------------------------------------------------------------------


@router.message(Command("checkin"))
async def checkin(message: Message, session: AsyncSession, who: Who, rules: Rules) -> None:
    assert who.unit_id is not None
    result = await run_service(
        session,
        logins.record_duty_login(
            session, rules=rules, unit_id=who.unit_id, staff_id=who.staff.id if who.staff else None
        ),
    )
    if isinstance(result, HotlineError):
        await message.answer(result.message)
        return
    unit = await session.get(Unit, who.unit_id)
    groups = await _groups(session, rules, who.unit_id)
    await message.answer(texts.CHECKIN_DONE.format(
        unit=unit.name if unit else "", date=local(rules.now()).strftime("%Y-%m-%d"),
        new=len(groups[texts.SECTION_NEW]), in_progress=len(groups[texts.SECTION_IN_PROGRESS]),
        due_soon=len(groups[texts.SECTION_DUE_SOON]), overdue=len(groups[texts.SECTION_OVERDUE]),
    ) + "\n" + texts.CHECKIN_HINT)


async def _groups(session: AsyncSession, rules: Rules, unit_id: int) -> dict[str, list[Ticket]]:
    now = rules.now()
    soon = rules.calendar.add(now, DUE_SOON)
    groups: dict[str, list[Ticket]] = {texts.SECTION_OVERDUE: [], texts.SECTION_DUE_SOON: [],
                                       texts.SECTION_NEW: [], texts.SECTION_IN_PROGRESS: []}
    for ticket in await unit_tickets(session, unit_id=unit_id):
        if ticket.status is TicketStatus.REPLIED:
            continue
        if is_overdue(ticket, now):
            groups[texts.SECTION_OVERDUE].append(ticket)
        elif ticket.status is TicketStatus.DISPATCHED:
            groups[texts.SECTION_NEW].append(ticket)
        elif ticket.due_at is not None and ticket.due_at <= soon:
            groups[texts.SECTION_DUE_SOON].append(ticket)
        else:
            groups[texts.SECTION_IN_PROGRESS].append(ticket)
    return groups


@router.message(Command("mytickets"))
async def mytickets(
    message: Message, session: AsyncSession, who: Who, rules: Rules, state: FSMContext
) -> None:
    await state.clear()
    assert who.unit_id is not None
    # Looking at the list is an action of the unit: it counts as today's duty login.
    await run_service(session, logins.record_duty_login(session, rules=rules, unit_id=who.unit_id,
                                                         staff_id=who.staff.id if who.staff else None))
    await _my_page(message, session, who, rules, 0)


@router.callback_query(PageCb.filter(F.kind == ListKind.MINE))
async def mytickets_page(query: CallbackQuery, callback_data: PageCb, session: AsyncSession, who: Who,
                         rules: Rules) -> None:
    await _my_page(query, session, who, rules, callback_data.page)


async def _my_page(
    event: Message | CallbackQuery, session: AsyncSession, who: Who, rules: Rules, page: int
) -> None:
    assert who.unit_id is not None
    groups = await _groups(session, rules, who.unit_id)
    listed = [(title, ticket) for title, rows in groups.items() for ticket in rows]
    if not listed:
        await paging.show(event, texts.MYTICKETS_EMPTY, None)
        return
    at = paging.window(page, len(listed))
    shown = listed[at.offset:at.offset + at.size]
    lines = [
        texts.MYTICKETS_HEADER.format(
            total=len(listed),
            overdue=len(groups[texts.SECTION_OVERDUE]),
            due_soon=len(groups[texts.SECTION_DUE_SOON]),
            new=len(groups[texts.SECTION_NEW]),
            in_progress=len(groups[texts.SECTION_IN_PROGRESS]),
            page=at.page + 1,
            pages=at.pages,
        )
    ]
    lines += [texts.MYTICKETS_LINE.format(
        index=at.offset + i, section=title, number=t.number, urgency=ttexts.URGENCY[t.urgency],
        category=t.category or texts.FILE_NO_CATEGORY, place=t.place or "—", due=ttexts.fmt_local(t.due_at),
        summary=messaging.summary(t.content, limit=30)) for i, (title, t) in enumerate(shown, start=1)]
    buttons = [(texts.MYTICKETS_BUTTON.format(index=at.offset + i, number=t.number, section=title), t.number)
               for i, (title, t) in enumerate(shown, start=1)]
    await paging.show(event, "\n".join(lines),
                      keyboards.paged_list(ListKind.MINE, buttons, page=at.page, pages=at.pages))


@router.callback_query(OpenCb.filter(F.kind == ListKind.MINE))
async def open_card(query: CallbackQuery, callback_data: OpenCb, session: AsyncSession, who: Who,
                    rules: Rules) -> None:
    try:
        ticket = await queries.get_ticket(session, number=callback_data.number)
    except HotlineError as error:
        await query.answer(error.message, show_alert=True)
        return
    if ticket.main_unit_id != who.unit_id:
        await query.answer(texts.WRONG_UNIT.format(number=ticket.number), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await reply_long(query.message, await card_text(session, ticket, rules), card_markup(ticket, rules))


# --- card buttons -----------------------------------------------------------------------------------


async def _own_ticket(query: CallbackQuery, session: AsyncSession, who: Who, rules: Rules, number: str,
                      action: Action) -> Ticket | None:
    """The ticket if this handler's unit holds it and the action is possible now; else says why."""
    try:
        ticket = await queries.get_ticket(session, number=number)
    except HotlineError as error:
        await query.answer(error.message, show_alert=True)
        return None
    if ticket.main_unit_id != who.unit_id:
        await query.answer(texts.WRONG_UNIT.format(number=number), show_alert=True)
        return None
    reason = workflow.why_not_now(ticket, action, Role.HANDLER, now=rules.now(), policy=rules.policy)
    if reason is not None:
        await query.answer(reason, show_alert=True)
        return None
    return ticket


async def _answer(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)


@router.callback_query(ReportInCb.filter())
async def report_in_button(query: CallbackQuery, callback_data: ReportInCb, session: AsyncSession, who: Who,
                           rules: Rules) -> None:
    """报到 of a summoned unit: the core checks the summons (not the ticket's main unit)."""
    number = callback_data.number
    result = await run_service(
        session, whistles.report_in(session, rules=rules, actor=who.actor(), number=number, via="bot")
    )
    if isinstance(result, HotlineError):
        await query.answer(result.message, show_alert=True)
        return
    timely = texts.REPORT_IN_ON_TIME if whistles.on_time(result) else texts.REPORT_IN_LATE
    await _answer(
        query,
        texts.DONE_REPORT_IN.format(number=number, at=ttexts.fmt_local(result.reported_in_at), timely=timely),
    )


@router.callback_query(TicketCb.filter())
async def card_button(query: CallbackQuery, callback_data: TicketCb, session: AsyncSession, who: Who,
                      rules: Rules, state: FSMContext) -> None:
    act, number = callback_data.act, callback_data.number
    action = ACT_ACTION[act]
    ticket = await _own_ticket(query, session, who, rules, number, action)
    if ticket is None:
        return
    actor = who.actor()
    if act is CardAct.ACCEPT:
        result = await run_service(session, service.accept(session, rules=rules, actor=actor, number=number))
        if isinstance(result, HotlineError):
            await query.answer(result.message, show_alert=True)
            return
        await _answer(query, texts.DONE_ACCEPT.format(number=number,
                                                      due=ttexts.fmt_local(result.first_contact_due_at)),
                      card_markup(result, rules))
    elif act is CardAct.CONTACTED:
        await _answer(query, texts.ASK_CONTACT_RESULT.format(number=number), keyboards.contact_result(number))
    elif act in (CardAct.REACHED, CardAct.UNREACHED):
        reached = act is CardAct.REACHED
        result = await run_service(session, service.first_contact(session, rules=rules, actor=actor,
                                                                  number=number, reached=reached))
        if isinstance(result, HotlineError):
            await query.answer(result.message, show_alert=True)
            return
        text = (texts.DONE_CONTACT_REACHED.format(number=number) if reached else
                texts.DONE_CONTACT_UNREACHED.format(number=number, attempts=result.first_contact_attempts))
        await _answer(query, text, card_markup(result, rules))
    elif act is CardAct.RETURN:
        await state.set_state(ReturnRequest.reason)
        await state.update_data(number=number)
        await _answer(query, texts.ASK_RETURN_REASON.format(number=number))
    elif act is CardAct.EXTEND:
        await state.set_state(ExtensionRequest.reason)
        await state.update_data(number=number)
        await _answer(query, texts.ASK_EXTENSION_REASON.format(number=number))
    elif act is CardAct.DAYS:
        await _extension(query, session, who, rules, state, number, callback_data.arg)
    elif act is CardAct.REPLY:
        await _answer(query, texts.ASK_RESULT.format(number=number), keyboards.results(number))
    elif act is CardAct.RESULT:
        if callback_data.arg not in {r.value for r in ResultCategory}:
            await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
            return
        result_cat = ResultCategory(callback_data.arg)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(texts.REPLY_STARTED.format(result=ttexts.RESULT[result_cat]))
            await _start_reply(query.message, state, ticket, result_cat, rules)
    elif act is CardAct.REDO:
        data = await state.get_data()
        await query.answer()
        if data.get("number") == number and data.get("result") and isinstance(query.message, Message):
            await _start_reply(query.message, state, ticket, ResultCategory(data["result"]), rules)
    elif act is CardAct.CONFIRM:
        await _submit_reply(query, session, who, rules, state, number)


# --- return -----------------------------------------------------------------------------------------


@router.message(ReturnRequest.reason, PLAIN_TEXT)
async def return_reason(message: Message, state: FSMContext) -> None:
    if not (message.text or "").strip():
        await message.answer(texts.TEXT_REQUIRED)
        return
    await state.update_data(reason=(message.text or "").strip())
    await state.set_state(ReturnRequest.unit)
    await message.answer(texts.ASK_RETURN_UNIT)


@router.message(ReturnRequest.unit, PLAIN_TEXT)
async def return_unit(
    message: Message, state: FSMContext, session: AsyncSession, who: Who, rules: Rules
) -> None:
    data = await state.get_data()
    number = data["number"]
    result = await run_service(session, service.request_return(
        session, rules=rules, actor=who.actor(), number=number, reason=data.get("reason", ""),
        suggested_unit=(message.text or "").strip()))
    await state.clear()
    if isinstance(result, HotlineError):
        await message.answer(result.message)
        return
    await message.answer(texts.DONE_RETURN.format(number=number))


# --- extension ---------------------------------------------------------------------------------------


@router.message(ExtensionRequest.reason, PLAIN_TEXT)
async def extension_reason(message: Message, state: FSMContext, rules: Rules) -> None:
    data = await state.get_data()
    if not (message.text or "").strip():
        await message.answer(texts.TEXT_REQUIRED)
        return
    await state.update_data(reason=(message.text or "").strip())
    await state.set_state(ExtensionRequest.days)
    await message.answer(texts.ASK_EXTENSION_DAYS, reply_markup=keyboards.extension_days(
        data["number"], rules.policy.limits.extension_max_working_days))


@router.message(ExtensionRequest.days, PLAIN_TEXT)
async def extension_days_typed(message: Message, state: FSMContext, session: AsyncSession, who: Who,
                               rules: Rules) -> None:
    data = await state.get_data()
    await _extension(message, session, who, rules, state, data["number"], (message.text or "").strip())


async def _extension(event: Message | CallbackQuery, session: AsyncSession, who: Who, rules: Rules,
                     state: FSMContext, number: str, raw_days: str) -> None:
    message = event if isinstance(event, Message) else event.message
    if isinstance(event, CallbackQuery):
        await event.answer()
    data = await state.get_data()
    limit = rules.policy.limits.extension_max_working_days
    if data.get("number") != number or await state.get_state() != ExtensionRequest.days.state:
        if isinstance(message, Message):
            await message.answer(texts.EXPIRED_BUTTON)
        return
    digits = raw_days.translate(FULL_WIDTH_DIGITS).removesuffix(texts.DAYS_SUFFIX)
    if not digits.isdigit():
        if isinstance(message, Message):
            await message.answer(texts.EXTENSION_DAYS_BAD.format(limit=limit))
        return
    days = int(digits)
    result = await run_service(session, service.request_extension(
        session, rules=rules, actor=who.actor(), number=number, days=days, reason=data.get("reason", "")))
    if not isinstance(message, Message):
        return
    if isinstance(result, HotlineError):
        await message.answer(result.message)
        # The reason is already known to be there: a validation error is about the days, ask again.
        if not isinstance(result, ValidationFailed):
            await state.clear()
        return
    await state.clear()
    await message.answer(texts.DONE_EXTENSION.format(number=number, days=days))


# --- reply: guided, one element at a time --------------------------------------------------------------

# The order the elements are asked in (those the ticket needs: service.reply_elements, plus the time).
REPLY_ORDER = ("contact_person", "facts", "judgement", "site_findings", "citizen_opinion", "answered_by",
               "answered_at", "text")
# Labels people may type for each element in a pasted form; the first is the one shown.
REPLY_LABELS: dict[str, tuple[str, ...]] = {
    name: (ttexts.REPLY_ELEMENT[name], *texts.REPLY_LABEL_ALIASES.get(name, ())) for name in REPLY_ORDER
}
_LABEL_TO_FIELD = {label: name for name, labels in REPLY_LABELS.items() for label in labels}
_LINE = re.compile(r"^\s*([^:：\s]{1,12})\s*[:：]\s*(.*)$")


def reply_fields(ticket: Ticket) -> list[str]:
    needed = {*service.reply_elements(ticket), "answered_at"}
    return [name for name in REPLY_ORDER if name in needed]


def parse_form(text: str) -> tuple[dict[str, str], list[str]]:
    """A pasted `标签：内容` form: the known elements, and the labels not recognised (said back to
    the handler rather than merged into another element). Lines without a label continue the
    element before them. Not a form (no known label): nothing."""
    values: dict[str, str] = {}
    unknown: list[str] = []
    current: str | None = None
    for line in text.splitlines():
        match = _LINE.match(line)
        label = match.group(1).strip() if match else ""
        field = _LABEL_TO_FIELD.get(label)
        if match and field:
            current = field
            values[field] = match.group(2).strip()
        elif match:
            unknown.append(label)
        elif current is not None and line.strip():
            values[current] = (values[current] + "\n" + line.strip()).strip()
    return (values, unknown) if values else ({}, [])


def parse_time(raw: str, now: datetime) -> datetime | None:
    raw = raw.strip().translate(str.maketrans("０１２３４５６７８９：", "0123456789:"))
    if raw in texts.REPLY_NOW_WORDS:
        return now
    today = local(now).date()
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%m-%d %H:%M", "%H:%M"):
        try:
            parsed = datetime.strptime(raw, fmt)  # noqa: DTZ007  (wall-clock in Shanghai, zone added below)
        except ValueError:
            continue
        if fmt == "%H:%M":
            day = today
        elif fmt == "%m-%d %H:%M":
            day = parsed.date().replace(year=today.year)
        else:
            day = parsed.date()
        return ensure_aware(datetime.combine(day, time(parsed.hour, parsed.minute), tzinfo=SHANGHAI))
    return None


def check_element(field: str, raw: str, rules: Rules) -> tuple[str | None, str | None]:
    """(the value to keep, None) or (None, what is wrong with it)."""
    value = raw.strip()
    label = ttexts.REPLY_ELEMENT[field]
    if not value:
        return None, texts.REPLY_EMPTY_FIELD.format(label=label)
    if field == "answered_at":
        now = rules.now()
        at = parse_time(value, now)
        if at is None:
            return None, texts.REPLY_BAD_TIME.format(value=value[:30])
        # A few minutes of clock difference are not a time in the future.
        if at > now + timedelta(minutes=5):
            return None, texts.REPLY_FUTURE_TIME.format(value=value[:30], now=local(now).strftime("%H:%M"))
        return at.isoformat(), None
    if field == "text" and len(value) < rules.policy.limits.reply_min_chars:
        return None, texts.REPLY_TEXT_SHORT.format(
            length=len(value), limit=rules.policy.limits.reply_min_chars
        )
    return value, None


async def _start_reply(message: Message, state: FSMContext, ticket: Ticket, result: ResultCategory,
                       rules: Rules) -> None:
    await state.set_state(ReplyRequest.field)
    await state.set_data({"number": ticket.number, "result": result.value, "fields": reply_fields(ticket),
                          "values": {}})
    await _ask_next(message, state, rules)


async def _ask_next(message: Message, state: FSMContext, rules: Rules) -> None:
    """Ask the first element still missing, or show the summary to confirm."""
    data = await state.get_data()
    fields: list[str] = data["fields"]
    values: dict[str, str] = data["values"]
    missing = [f for f in fields if f not in values]
    if missing:
        field = missing[0]
        label = ttexts.REPLY_ELEMENT[field]
        await state.set_state(ReplyRequest.field)
        await state.update_data(field=field, field_label=label)
        await message.answer(texts.ASK_REPLY_FIELD.format(
            step=fields.index(field) + 1, steps=len(fields), label=label,
            hint=texts.REPLY_HINT[field].format(limit=rules.policy.limits.reply_min_chars)))
        return
    await state.set_state(ReplyRequest.confirm)
    lines = [texts.REPLY_SUMMARY_LINE.format(
        label=ttexts.REPLY_ELEMENT[f],
        value=ttexts.fmt_local(datetime.fromisoformat(values[f])) if f == "answered_at" else values[f])
        for f in fields]
    number = data["number"]
    await reply_long(message, texts.REPLY_SUMMARY.format(
        number=number, result=ttexts.RESULT[ResultCategory(data["result"])], lines="\n".join(lines)),
        keyboards.reply_confirm(number))


@router.message(ReplyRequest.field, PLAIN_TEXT)
async def reply_element(message: Message, state: FSMContext, rules: Rules) -> None:
    data = await state.get_data()
    values: dict[str, str] = dict(data["values"])
    text = message.text or ""
    form, unknown = parse_form(text) if "\n" in text or _LINE.match(text) else ({}, [])
    if unknown and form:
        known = "、".join(ttexts.REPLY_ELEMENT[f] for f in data["fields"])
        await message.answer(texts.REPLY_UNKNOWN_LABEL.format(labels="、".join(unknown), known=known))
        return
    entries = {f: v for f, v in form.items() if f in data["fields"]} or {data["field"]: text}
    for field, raw in entries.items():
        value, error = check_element(field, raw, rules)
        if error is not None:
            await state.update_data(values=values)
            await message.answer(error)
            return
        assert value is not None
        values[field] = value
    await state.update_data(values=values)
    await _ask_next(message, state, rules)


@router.message(ReplyRequest.confirm, PLAIN_TEXT)
async def reply_confirm_hint(message: Message, state: FSMContext, rules: Rules) -> None:
    await _ask_next(message, state, rules)


async def _submit_reply(
    query: CallbackQuery, session: AsyncSession, who: Who, rules: Rules, state: FSMContext, number: str
) -> None:
    data = await state.get_data()
    if await state.get_state() != ReplyRequest.confirm.state or data.get("number") != number:
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    values = dict(data["values"])
    answered_at = datetime.fromisoformat(values.pop("answered_at"))
    reply = ReplyData(result=ResultCategory(data["result"]), answered_at=answered_at, **values)
    result = await run_service(session, service.reply(session, rules=rules, actor=who.actor(), number=number,
                                                      data=reply))
    if isinstance(result, HotlineError):
        await query.answer(result.message, show_alert=True)
        return
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(texts.DONE_REPLY.format(number=number, result=ttexts.RESULT[reply.result]))


@router.message(StateFilter(ReturnRequest, ExtensionRequest, ReplyRequest), ~F.text)
async def text_required(message: Message) -> None:
    await message.answer(texts.TEXT_REQUIRED)
