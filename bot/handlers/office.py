"""The hotline office: /duty, /overdue, /pending, /new, dispatch buttons and /callback."""

from __future__ import annotations

from collections import defaultdict

from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, texts
from bot.callbacks import DecideCb, DispatchCb
from bot.context import KbProvider, RoleFilter, Who, reply_long, run_service
from bot.routes import PLAIN_TEXT, RouteTable
from bot.routing import all_units, new_ticket_card, suggest_units
from bot.states import OfficeRefusal
from tickets import messaging, queries, service, workflow
from tickets import texts as ttexts
from tickets.clock import local
from tickets.context import Rules
from tickets.enums import Action, Role, TicketStatus, UnitKind
from tickets.errors import HotlineError
from tickets.models import DutyLogin, Ticket, Unit
from tickets.queries import overdue_tickets

router = RouteTable("office")
router.message.filter(RoleFilter(Role.OFFICE))
router.callback_query.filter(RoleFilter(Role.OFFICE))
MAX_CARDS = 10


@router.message(Command("duty"))
async def duty(message: Message, session: AsyncSession, rules: Rules) -> None:
    today = local(rules.now()).date()
    units = (await session.exec(select(Unit).where(Unit.active == True, Unit.kind != UnitKind.OFFICE)  # noqa: E712
                                .order_by(col(Unit.id)))).all()
    logins = {d.unit_id: d for d in (await session.exec(select(DutyLogin).where(DutyLogin.work_date == today))).all()}
    lines = [texts.DUTY_HEADER.format(date=today.isoformat(), logged=sum(1 for u in units if u.id in logins),
                                      total=len(units))]
    for unit in units:
        login = logins.get(unit.id)  # type: ignore[arg-type]
        lines.append(texts.DUTY_LINE_OK.format(unit=unit.name, time=local(login.first_login_at).strftime("%H:%M"))
                     if login else texts.DUTY_LINE_MISSING.format(unit=unit.name))
    await reply_long(message, "\n".join(lines))


@router.message(Command("overdue"))
async def overdue(message: Message, session: AsyncSession, rules: Rules) -> None:
    now = rules.now()
    rows = await overdue_tickets(session, now=now)
    if not rows:
        await message.answer(texts.OVERDUE_EMPTY)
        return
    by_unit: dict[int | None, list[Ticket]] = defaultdict(list)
    for ticket in rows:
        by_unit[ticket.main_unit_id].append(ticket)
    lines = [texts.OVERDUE_HEADER.format(count=len(rows))]
    for unit_id, tickets in sorted(by_unit.items(), key=lambda kv: (-len(kv[1]), kv[0] or 0)):
        unit = await session.get(Unit, unit_id) if unit_id else None
        lines.append(texts.OVERDUE_UNIT.format(unit=unit.name if unit else "—", count=len(tickets)))
        for ticket in tickets:
            assert ticket.due_at is not None
            days = (local(now).date() - local(ticket.due_at).date()).days
            lines.append(texts.OVERDUE_LINE.format(number=ticket.number, days=max(days, 0),
                                                   status=ttexts.STATUS[ticket.status]))
    await reply_long(message, "\n".join(lines))


@router.message(Command("pending"))
async def pending(message: Message, session: AsyncSession, state: FSMContext) -> None:
    await state.clear()
    rows = (await session.exec(
        select(Ticket).where(col(Ticket.status).in_([TicketStatus.RETURN_REQUESTED,
                                                     TicketStatus.EXTENSION_REQUESTED]))
        .order_by(col(Ticket.updated_at)).limit(MAX_CARDS))).all()
    if not rows:
        await message.answer(texts.PENDING_EMPTY)
        return
    for ticket in rows:
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


@router.message(Command("new"))
async def new_tickets(message: Message, session: AsyncSession, kb: KbProvider) -> None:
    rows = (await session.exec(select(Ticket).where(Ticket.status == TicketStatus.RECEIVED)
                               .order_by(col(Ticket.received_at)).limit(MAX_CARDS))).all()
    if not rows:
        await message.answer(texts.NEW_EMPTY)
        return
    for ticket in rows:
        text, markup = await new_ticket_card(session, kb=kb(), ticket=ticket)
        await reply_long(message, text, markup)


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
    result = await run_service(session, service.dispatch(session, rules=rules, actor=who.actor(),
                                                         number=callback_data.number, unit_id=callback_data.unit))
    if isinstance(result, HotlineError):
        await query.answer(result.message, show_alert=True)
        return
    unit = await session.get(Unit, callback_data.unit)
    await query.answer()
    if message is not None:
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(texts.DONE_DISPATCH.format(number=callback_data.number, unit=unit.name if unit else ""))


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
        units = [u for u in await suggest_units(session, kb=kb(), content=ticket.content, extra_names=[suggested])
                 if u[0] != ticket.main_unit_id]
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
    try:
        ticket = await queries.get_ticket(session, number=number[:30])
    except HotlineError as error:
        await message.answer(error.message)
        return
    if Action.CLOSE not in workflow.allowed_actions(ticket.status, Role.CITIZEN):
        await message.answer(texts.CB_NOT_READY.format(number=ticket.number, status=ttexts.STATUS[ticket.status]))
        return
    if not await messaging.request_callback(session, rules=rules, ticket=ticket):
        await message.answer(texts.CB_NO_TELEGRAM.format(number=ticket.number))
        return
    await session.commit()
    await message.answer(texts.CB_SENT.format(number=ticket.number))
