"""Command menus per audience (setMyCommands with scopes)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts
from bot.context import log
from tickets.enums import Role
from tickets.models import Staff

CITIZEN_COMMANDS = [
    BotCommand(command="start", description=texts.CMD_START),
    BotCommand(command="status", description=texts.CMD_STATUS),
    BotCommand(command="mine", description=texts.CMD_MINE),
    BotCommand(command="cancel", description=texts.CMD_CANCEL),
    BotCommand(command="help", description=texts.CMD_HELP),
    BotCommand(command="bind", description=texts.CMD_BIND),
]
HANDLER_COMMANDS = [
    BotCommand(command="checkin", description=texts.CMD_CHECKIN),
    BotCommand(command="mytickets", description=texts.CMD_MYTICKETS),
    BotCommand(command="status", description=texts.CMD_STATUS),
    BotCommand(command="cancel", description=texts.CMD_CANCEL),
]
OFFICE_COMMANDS = [
    BotCommand(command="new", description=texts.CMD_NEW),
    BotCommand(command="pending", description=texts.CMD_PENDING),
    BotCommand(command="duty", description=texts.CMD_DUTY),
    BotCommand(command="overdue", description=texts.CMD_OVERDUE),
    BotCommand(command="callback", description=texts.CMD_CALLBACK),
    BotCommand(command="status", description=texts.CMD_STATUS),
    BotCommand(command="cancel", description=texts.CMD_CANCEL),
]
HANDLER_ONLY = ("checkin", "mytickets")
OFFICE_ONLY = ("new", "pending", "duty", "overdue", "callback")


def commands_for(role: Role) -> list[BotCommand]:
    return {Role.HANDLER: HANDLER_COMMANDS, Role.OFFICE: OFFICE_COMMANDS}.get(role, CITIZEN_COMMANDS)


async def set_commands_for(bot: Bot, *, chat_id: int, role: Role) -> None:
    try:
        await bot.set_my_commands(commands_for(role), scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError as error:
        # A menu is a convenience; failing to set it must not fail the binding.
        log.warning("setMyCommands for chat %s failed: %s", chat_id, error)


async def install_commands(bot: Bot, session: AsyncSession) -> int:
    """The citizen menu for every private chat, and the staff menus chat by chat."""
    await bot.set_my_commands(CITIZEN_COMMANDS, scope=BotCommandScopeAllPrivateChats())
    rows = await session.exec(
        select(Staff).where(Staff.telegram_user_id != None, Staff.active == True)  # noqa: E711,E712
    )
    count = 0
    for staff in rows.all():
        assert staff.telegram_user_id is not None
        await set_commands_for(bot, chat_id=staff.telegram_user_id, role=staff.role)
        count += 1
    return count
