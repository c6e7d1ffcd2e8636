"""All routers of the bot, composed and scoped in one place."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from bot.handlers import citizen, common, filing, handler, office
from bot.handlers.fallback import errors, fallback, groups, guard
from bot.routes import Magic


def get_routers() -> list[Router]:
    """Fresh routers in order of precedence (first match wins), for one Dispatcher."""
    private = Router(name="private")
    private.message.filter(Magic(F.chat.type == ChatType.PRIVATE))
    private.callback_query.filter(Magic(F.message.chat.type == ChatType.PRIVATE))
    private.include_routers(
        citizen.ask_router.build(),  # free text outside any form → the knowledge base (most traffic)
        common.router.build(),  # /start /help /cancel /bind work in any state
        handler.router.build(),  # role-scoped: handlers only
        office.router.build(),  # role-scoped: office only
        filing.router.build(),
        citizen.router.build(),
        guard.build(),  # staff commands from someone without the role
    )
    return [errors.build(), groups.build(), private, fallback.build()]
