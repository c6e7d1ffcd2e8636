"""All routers of the bot, composed and scoped in one place."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from bot.handlers import citizen, common, filing, handler, office
from bot.handlers.fallback import errors, fallback, groups, guard


def get_routers() -> list[Router]:
    """In order of precedence: first match wins."""
    private = Router(name="private")
    private.message.filter(F.chat.type == ChatType.PRIVATE)
    private.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    private.include_routers(
        common.router,  # /start /help /cancel /bind work in any state
        handler.router,  # role-scoped: handlers only
        office.router,  # role-scoped: office only
        filing.router,
        citizen.router,
        guard,  # staff commands from someone without the role
        citizen.ask_router,  # any other text → the knowledge base
    )
    return [errors, groups, private, fallback]
