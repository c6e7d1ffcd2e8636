"""Commands everybody has: /start, /help, /cancel, and /bind for staff accounts."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, texts
from bot.commands import set_commands_for
from bot.context import StaffDirectory, Who, log
from bot.routes import RouteTable
from tickets.context import Rules
from tickets.enums import Role
from tickets.models import Unit
from tickets.staff import redeem_invite

router = RouteTable("common")


@router.message(CommandStart())
async def start(message: Message, state: FSMContext, who: Who, session: AsyncSession) -> None:
    await state.clear()
    if who.role is Role.HANDLER and who.staff is not None:
        unit = await session.get(Unit, who.staff.unit_id) if who.staff.unit_id else None
        await message.answer(
            texts.WELCOME_HANDLER.format(name=who.staff.name, unit=unit.name if unit else ""),
            reply_markup=ReplyKeyboardRemove(),
        )
    elif who.role is Role.OFFICE and who.staff is not None:
        await message.answer(
            texts.WELCOME_OFFICE.format(name=who.staff.name), reply_markup=ReplyKeyboardRemove()
        )
    else:
        await message.answer(texts.WELCOME_CITIZEN, reply_markup=keyboards.citizen_menu())


@router.message(Command("help"))
async def help_(message: Message) -> None:
    await message.answer(texts.HELP)


@router.message(Command("cancel"))
@router.message(F.text == texts.BTN_CANCEL)
async def cancel(message: Message, state: FSMContext, who: Who) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    markup = keyboards.citizen_menu() if who.role is Role.CITIZEN else ReplyKeyboardRemove()
    await message.answer(texts.CANCELLED if had_state else texts.NOTHING_TO_CANCEL, reply_markup=markup)


@router.message(Command("bind"))
async def bind(message: Message, command: CommandObject, session: AsyncSession, rules: Rules, bot: Bot,
               state: FSMContext, staff_directory: StaffDirectory) -> None:
    await state.clear()
    assert message.from_user is not None
    outcome = await redeem_invite(
        session, rules=rules, code=command.args or "", account_id=message.from_user.id
    )
    # Failed attempts are committed too: they count towards the lock-out.
    await session.commit()
    if not outcome.ok or outcome.staff is None:
        log.info("bind refused for account %s: %s", message.from_user.id, outcome.error)
        await message.answer(outcome.error or texts.ERROR_GENERIC)
        return
    staff = outcome.staff
    staff_directory.invalidate()
    log.info("staff %s bound to telegram account %s", staff.id, message.from_user.id)
    if staff.role is Role.OFFICE:
        await message.answer(texts.BIND_OK_OFFICE.format(name=staff.name), reply_markup=ReplyKeyboardRemove())
    else:
        await message.answer(texts.BIND_OK.format(unit=outcome.unit_name, name=staff.name),
                             reply_markup=ReplyKeyboardRemove())
    await set_commands_for(bot, chat_id=message.from_user.id, role=staff.role)
