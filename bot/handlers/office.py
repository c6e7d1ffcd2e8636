"""The hotline office: /duty, /overdue, /pending, /new, dispatch buttons and /callback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, paging, texts
from bot.callbacks import DecideCb, DispatchCb, ListKind, OpenCb, PageCb, ReviewCb, ReviewOp
from bot.context import KbProvider, RoleFilter, Who, reply_long, run_service
from bot.handlers.handler import card_text
from bot.routes import PLAIN_TEXT, RouteTable
from bot.routing import all_units, new_ticket_card, suggest_units
from bot.states import OfficeRefusal, OfficeRework
from tickets import messaging, queries, service, workflow
from tickets import texts as ttexts
from tickets.clock import local
from tickets.context import Rules
from tickets.enums import Action, Role, TicketStatus, UnitKind
from tickets.errors import HotlineError
from tickets.models import DutyLogin, Ticket, Unit

router = RouteTable("office")
router.message.filter(RoleFilter(Role.OFFICE))
router.callback_query.filter(RoleFilter(Role.OFFICE))


@router.message(Command("duty"))
async def duty(message: Message, session: AsyncSession, rules: Rules) -> None:
    today = local(rules.now()).date()
    units = (await session.exec(select(Unit).where(Unit.active == True, Unit.kind != UnitKind.OFFICE)  # noqa: E712
                                .order_by(col(Unit.id)))).all()
    logins = {
        d.unit_id: d
        for d in (await session.exec(select(DutyLogin).where(DutyLogin.work_date == today))).all()
    }
    lines = [texts.DUTY_HEADER.format(date=today.isoformat(), logged=sum(1 for u in units if u.id in logins),
                                      total=len(units))]
    for unit in units:
        login = logins.get(unit.id)  # type: ignore[arg-type]
        lines.append(
            texts.DUTY_LINE_OK.format(unit=unit.name, time=local(login.first_login_at).strftime("%H:%M"))
            if login
            else texts.DUTY_LINE_MISSING.format(unit=unit.name)
        )
    await reply_long(message, "\n".join(lines))


# --- the queues: /new, /pending, /overdue, paged -------------------------------------------------------


@router.message(Command("new"))
@router.message(Command("pending"))
@router.message(Command("overdue"))
async def queue(message: Message, command: CommandObject, session: AsyncSession, rules: Rules,
                state: FSMContext) -> None:
    await state.clear()
    kind = {"new": ListKind.NEW, "pending": ListKind.PENDING}.get(command.command, ListKind.OVERDUE)
    await _queue_page(message, session, rules, kind, 0)


@router.callback_query(PageCb.filter(F.kind.in_({ListKind.NEW, ListKind.PENDING, ListKind.OVERDUE})))
async def queue_page(
    query: CallbackQuery, callback_data: PageCb, session: AsyncSession, rules: Rules
) -> None:
    await _queue_page(query, session, rules, callback_data.kind, callback_data.page)


async def _queue_page(event: Message | CallbackQuery, session: AsyncSession, rules: Rules, kind: ListKind,
                      page: int) -> None:
    now = rules.now()
    condition, order = {ListKind.NEW: queries.new_queue, ListKind.PENDING: queries.pending_queue}.get(
        kind, lambda: queries.overdue_queue(now))()
    total = await queries.count_tickets(session, condition=condition)
    if not total:
        await paging.show(event, QUEUE_EMPTY[kind], None)
        return
    at = paging.window(page, total)
    rows = await queries.ticket_page(
        session, condition=condition, order=order, offset=at.offset, limit=at.size
    )
    units = await _unit_names(session, rows)
    lines = [QUEUE_HEADER[kind].format(total=total, page=at.page + 1, pages=at.pages)]
    buttons: list[tuple[str, str]] = []
    for i, ticket in enumerate(rows, start=at.offset + 1):
        unit = units.get(ticket.main_unit_id or 0, "—")
        values = dict(
            index=i,
            number=ticket.number,
            urgency=ttexts.URGENCY[ticket.urgency],
            category=ticket.category or texts.FILE_NO_CATEGORY,
            unit=unit,
            received=ttexts.fmt_local(ticket.received_at),
            due=ttexts.fmt_local(ticket.due_at),
            status=ttexts.STATUS[ticket.status],
            summary=messaging.summary(ticket.content, limit=30),
            days=_days_over(ticket, now),
            request=(
                texts.PENDING_KIND_RETURN
                if ticket.status is TicketStatus.RETURN_REQUESTED
                else texts.PENDING_KIND_EXTENSION
            ),
        )
        lines.append(QUEUE_LINE[kind].format(**values))
        buttons.append((texts.QUEUE_BUTTON.format(**values), ticket.number))
    await paging.show(
        event, "\n".join(lines), keyboards.paged_list(kind, buttons, page=at.page, pages=at.pages)
    )


QUEUE_EMPTY = {ListKind.NEW: texts.NEW_EMPTY, ListKind.PENDING: texts.PENDING_EMPTY,
               ListKind.OVERDUE: texts.OVERDUE_EMPTY}
QUEUE_HEADER = {ListKind.NEW: texts.NEW_HEADER, ListKind.PENDING: texts.PENDING_HEADER,
                ListKind.OVERDUE: texts.OVERDUE_HEADER}
QUEUE_LINE = {ListKind.NEW: texts.NEW_LINE, ListKind.PENDING: texts.PENDING_LINE,
              ListKind.OVERDUE: texts.OVERDUE_LINE}


def _days_over(ticket: Ticket, now: datetime) -> int:
    if ticket.due_at is None:
        return 0
    return max((local(now).date() - local(ticket.due_at).date()).days, 0)


async def _unit_names(session: AsyncSession, rows: Sequence[Ticket]) -> dict[int, str]:
    ids = sorted({t.main_unit_id for t in rows if t.main_unit_id is not None})
    if not ids:
        return {}
    found = await session.exec(select(Unit).where(col(Unit.id).in_(ids)))
    return {u.id: u.name for u in found.all() if u.id is not None}


@router.callback_query(OpenCb.filter(F.kind.in_({ListKind.NEW, ListKind.PENDING, ListKind.OVERDUE})))
async def open_ticket(query: CallbackQuery, callback_data: OpenCb, session: AsyncSession, kb: KbProvider,
                      rules: Rules) -> None:
    """The card of one ticket of a queue, with the office's buttons for it."""
    try:
        ticket = await queries.get_ticket(session, number=callback_data.number)
    except HotlineError as error:
        await query.answer(error.message, show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if ticket.status is TicketStatus.RECEIVED:
        text, markup = await new_ticket_card(session, kb=kb(), ticket=ticket)
        await reply_long(query.message, text, markup)
    elif ticket.status in (TicketStatus.RETURN_REQUESTED, TicketStatus.EXTENSION_REQUESTED):
        await _pending_card(query.message, session, ticket)
    else:
        await reply_long(query.message, await card_text(session, ticket, rules))


async def _pending_card(message: Message, session: AsyncSession, ticket: Ticket) -> None:
    unit = await session.get(Unit, ticket.main_unit_id) if ticket.main_unit_id else None
    request = ticket.pending_request
    if ticket.status is TicketStatus.RETURN_REQUESTED:
        text = texts.PENDING_RETURN.format(number=ticket.number, unit=unit.name if unit else "—",
                                           reason=request.get("reason", ""),
                                           suggested=request.get("suggested_unit", ""))
        await reply_long(message, text, keyboards.decide("ret", ticket.number))
    else:
        text = texts.PENDING_EXTENSION.format(number=ticket.number, unit=unit.name if unit else "—",
                                              days=request.get("days", ""), reason=request.get("reason", ""),
                                              due=ttexts.fmt_local(ticket.due_at))
        await reply_long(message, text, keyboards.decide("ext", ticket.number))


@router.callback_query(DispatchCb.filter())
async def dispatch(query: CallbackQuery, callback_data: DispatchCb, session: AsyncSession, who: Who,
                   rules: Rules) -> None:
    message = query.message if isinstance(query.message, Message) else None
    if callback_data.unit == 0:
        await query.answer()
        if message is not None:
            await message.answer(texts.CHOOSE_UNIT, reply_markup=keyboards.dispatch_units(
                callback_data.number, await all_units(session), more=False))
        return
    result = await run_service(
        session,
        service.dispatch(
            session, rules=rules, actor=who.actor(), number=callback_data.number, unit_id=callback_data.unit
        ),
    )
    if isinstance(result, HotlineError):
        await query.answer(result.message, show_alert=True)
        return
    unit = await session.get(Unit, callback_data.unit)
    await query.answer()
    if message is not None:
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(
            texts.DONE_DISPATCH.format(number=callback_data.number, unit=unit.name if unit else "")
        )


@router.callback_query(DecideCb.filter())
async def decide(query: CallbackQuery, callback_data: DecideCb, session: AsyncSession, who: Who, rules: Rules,
                 state: FSMContext, kb: KbProvider) -> None:
    number, kind = callback_data.number, callback_data.kind
    message = query.message if isinstance(query.message, Message) else None
    if kind not in ("ret", "ext"):
        await query.answer(texts.EXPIRED_BUTTON, show_alert=True)
        return
    if not callback_data.approve:
        await query.answer()
        await state.set_state(OfficeRefusal.reason)
        await state.update_data(kind=kind, number=number)
        if message is not None:
            await message.answer(texts.ASK_REFUSE_REASON)
        return
    if kind == "ret" and callback_data.unit == 0:
        try:
            ticket = await queries.get_ticket(session, number=number)
        except HotlineError as error:
            await query.answer(error.message, show_alert=True)
            return
        suggested = str(ticket.pending_request.get("suggested_unit", ""))
        units = [
            u
            for u in await suggest_units(session, kb=kb(), content=ticket.content, extra_names=[suggested])
            if u[0] != ticket.main_unit_id
        ]
        if not units:
            units = [u for u in await all_units(session) if u[0] != ticket.main_unit_id]
        await query.answer()
        if message is not None:
            await message.answer(texts.ASK_NEW_UNIT, reply_markup=keyboards.return_units(number, units))
        return
    if kind == "ret":
        call = service.decide_return(session, rules=rules, actor=who.actor(), number=number, approve=True,
                                     new_unit_id=callback_data.unit)
        action = Action.APPROVE_RETURN
    else:
        call = service.decide_extension(session, rules=rules, actor=who.actor(), number=number, approve=True)
        action = Action.APPROVE_EXTENSION
    result = await run_service(session, call)
    if isinstance(result, HotlineError):
        await query.answer(result.message, show_alert=True)
        return
    await query.answer()
    if message is not None:
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(texts.DONE_DECIDE.format(number=number, action=ttexts.ACTION[action]))


@router.message(OfficeRefusal.reason, PLAIN_TEXT)
async def refusal_reason(message: Message, state: FSMContext, session: AsyncSession, who: Who,
                         rules: Rules) -> None:
    data = await state.get_data()
    number, note = data["number"], (message.text or "").strip()
    if data.get("kind") == "ret":
        call = service.decide_return(session, rules=rules, actor=who.actor(), number=number, approve=False,
                                     note=note)
        action = Action.REFUSE_RETURN
    else:
        call = service.decide_extension(session, rules=rules, actor=who.actor(), number=number, approve=False,
                                        note=note)
        action = Action.REFUSE_EXTENSION
    result = await run_service(session, call)
    if isinstance(result, HotlineError):
        await message.answer(result.message)
        if not note:
            return
        await state.clear()
        return
    await state.clear()
    await message.answer(texts.DONE_DECIDE.format(number=number, action=ttexts.ACTION[action]))


@router.message(Command("callback"))
async def callback(message: Message, command: CommandObject, session: AsyncSession, rules: Rules) -> None:
    number = (command.args or "").strip()
    if not number:
        await message.answer(texts.CB_USAGE)
        return
    await message.answer(await _start_callback(session, rules, number[:30]))


# --- the review of a reply (【待审核】 notice) -------------------------------------------------------


@router.callback_query(ReviewCb.filter())
async def review(query: CallbackQuery, callback_data: ReviewCb, session: AsyncSession, rules: Rules,
                 state: FSMContext) -> None:
    number = callback_data.number
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return
    if callback_data.op is ReviewOp.APPROVE:
        await message.answer(await _start_callback(session, rules, number))
        return
    try:
        ticket = await queries.get_ticket(session, number=number)
    except HotlineError as error:
        await message.answer(error.message)
        return
    if Action.REWORK not in workflow.allowed_actions(ticket.status, Role.OFFICE):
        await message.answer(
            texts.CB_NOT_READY.format(number=ticket.number, status=ttexts.STATUS[ticket.status])
        )
        return
    await state.set_state(OfficeRework.reason)
    await state.set_data({"number": number})
    await message.answer(texts.ASK_REWORK_REASON.format(number=number))


@router.message(OfficeRework.reason, PLAIN_TEXT)
async def rework_reason(message: Message, state: FSMContext, session: AsyncSession, who: Who,
                        rules: Rules) -> None:
    number = str((await state.get_data()).get("number", ""))
    result = await run_service(session, service.rework(session, rules=rules, actor=who.actor(), number=number,
                                                       note=message.text or ""))
    if isinstance(result, HotlineError):
        await message.answer(result.message)
        return
    await state.clear()
    await message.answer(texts.DONE_DECIDE.format(number=number, action=ttexts.ACTION[Action.REWORK]))


async def _start_callback(session: AsyncSession, rules: Rules, number: str) -> str:
    """Send the citizen the callback questions (after they got the reply); what to tell the office."""
    try:
        ticket = await queries.get_ticket(session, number=number)
    except HotlineError as error:
        return error.message
    if Action.CLOSE not in workflow.allowed_actions(ticket.status, Role.CITIZEN):
        return texts.CB_NOT_READY.format(number=ticket.number, status=ttexts.STATUS[ticket.status])
    if not await messaging.request_callback(session, rules=rules, ticket=ticket):
        return texts.CB_NO_TELEGRAM.format(number=ticket.number)
    await session.commit()
    return texts.CB_SENT.format(number=ticket.number)
