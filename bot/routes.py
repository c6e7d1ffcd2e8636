"""Handler tables that build fresh aiogram Routers.

An aiogram Router can be attached to one parent only, but tests, the benchmark and a
process serving two bots each need their own Dispatcher. Modules declare handlers on a
RouteTable with the usual decorator syntax; `build()` replays them into a new Router.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.state import State, StatesGroup
from magic_filter import MagicFilter

Handler = Callable[..., Any]
# What a step that expects typed input accepts: text that is not a command.
PLAIN_TEXT = F.text & ~F.text.startswith("/")


class Magic(Filter):
    """A magic filter (F.text == …) evaluated inline.

    aiogram runs every synchronous filter (magic filters, bare States) through
    asyncio.to_thread; for a cheap attribute comparison the thread hop costs far more
    than the check and, with a dozen of them per update, dominated the time per message.
    """

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: Any) -> bool:
        return bool(self.magic.resolve(event))


def _inline(f: Any) -> Any:
    if isinstance(f, MagicFilter):
        return Magic(f)
    if isinstance(f, State) or (isinstance(f, type) and issubclass(f, StatesGroup)):
        return StateFilter(f)  # a bare State is a synchronous filter too
    return f


def inline(filters: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_inline(f) for f in filters)


class _Observer:
    def __init__(self, table: RouteTable, name: str) -> None:
        self.table, self.name = table, name

    def __call__(self, *filters: Any, **kwargs: Any) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.table.entries.append((self.name, handler, filters, kwargs))
            return handler

        return decorator

    def filter(self, *filters: Any) -> None:
        self.table.scoped.append((self.name, filters))


class RouteTable:
    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[tuple[str, Handler, tuple[Any, ...], dict[str, Any]]] = []
        self.scoped: list[tuple[str, tuple[Any, ...]]] = []
        self.message = _Observer(self, "message")
        self.edited_message = _Observer(self, "edited_message")
        self.callback_query = _Observer(self, "callback_query")
        self.my_chat_member = _Observer(self, "my_chat_member")
        self.error = _Observer(self, "errors")

    def build(self) -> Router:
        router = Router(name=self.name)
        for observer, filters in self.scoped:
            getattr(router, observer).filter(*inline(filters))
        # Decorators run bottom-up for stacked ones; registration order is what aiogram matches by.
        for observer, handler, filters, kwargs in self.entries:
            getattr(router, observer).register(handler, *inline(filters), **kwargs)
        return router
