"""Handler tables that build fresh aiogram Routers.

An aiogram Router can be attached to one parent only, but tests, the benchmark and a
process serving two bots each need their own Dispatcher. Modules declare handlers on a
RouteTable with the usual decorator syntax; `build()` replays them into a new Router.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router

Handler = Callable[..., Any]


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
            getattr(router, observer).filter(*filters)
        # Decorators run bottom-up for stacked ones; registration order is what aiogram matches by.
        for observer, handler, filters, kwargs in self.entries:
            getattr(router, observer).register(handler, *filters, **kwargs)
        return router
