"""Handler tables that build fresh aiogram Routers.

An aiogram Router can be attached to one parent only, but tests, the benchmark and a
process serving two bots each need their own Dispatcher. Modules declare handlers on a
RouteTable with the usual decorator syntax; `build()` replays them into a new Router.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from magic_filter import MagicFilter

Handler = Callable[..., Any]


class PlainText(Filter):
    """Typed text that is not a command, nor one of `excluded` (menu buttons).

    Written out instead of as a magic filter: it runs for nearly every message, and the
    magic filter's generic resolution cost more than the handler's own work.
    """

    def __init__(self, excluded: frozenset[str] = frozenset()) -> None:
        self.excluded = excluded

    async def __call__(self, message: Message) -> bool:
        text = message.text
        return bool(text) and text[0] != "/" and text not in self.excluded  # type: ignore[index]


class PrivateChat(Filter):
    """The update comes from a private chat (a callback query: its message's chat)."""

    def __init__(self, private: bool = True) -> None:
        self.private = private

    async def __call__(self, event: Message | CallbackQuery) -> bool:
        message = event.message if isinstance(event, CallbackQuery) else event
        chat = getattr(message, "chat", None)
        return chat is not None and (chat.type == ChatType.PRIVATE) is self.private


# What a step that expects typed input accepts: text that is not a command.
PLAIN_TEXT = PlainText()


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


# False: hand magic filters and bare States to aiogram as written (its thread hop per
# synchronous filter); bench/bot_bench.py --only stock measures that against `Magic`.
INLINE_FILTERS = True


def inline(filters: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_inline(f) for f in filters) if INLINE_FILTERS else filters


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
        return self.install(Router(name=self.name))

    def install(self, router: Router) -> Router:
        """Register this table's handlers (and scope filters) on an existing router."""
        for observer, filters in self.scoped:
            getattr(router, observer).filter(*inline(filters))
        # Decorators run bottom-up for stacked ones; registration order is what aiogram matches by.
        for observer, handler, filters, kwargs in self.entries:
            getattr(router, observer).register(handler, *inline(filters), **kwargs)
        return router
