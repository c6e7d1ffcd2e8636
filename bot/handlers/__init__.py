"""All routers of the bot, composed and scoped in one place."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import citizen, common, filing, handler, office
from bot.handlers.fallback import errors, fallback, groups, guard
from bot.routes import PrivateChat


def get_routers() -> list[Router]:
    """Fresh routers in order of precedence (first match wins), for one Dispatcher."""
    private = Router(name="private")
    private.message.filter(PrivateChat())
    private.callback_query.filter(PrivateChat())
    # Free text outside any form → the knowledge base: most traffic, so its handlers sit on
    # the private router itself and are matched before any nested router is entered.
    citizen.ask_router.install(private)
    private.include_routers(
        common.router.build(),  # /start /help /cancel /bind work in any state
        handler.router.build(),  # role-scoped: handlers only
        office.router.build(),  # role-scoped: office only
        filing.router.build(),
        citizen.router.build(),
        guard.build(),  # staff commands from someone without the role
    )
    # Private chats carry nearly all traffic: their router comes first, so an ordinary message
    # passes no other router's checks. Group chats are disjoint from them; the errors router
    # has only error handlers, so its place does not matter for messages.
    return [private, groups.build(), fallback.build(), errors.build()]
