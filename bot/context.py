"""Per-update context: one DB session, the user's role, and the helpers handlers share."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiogram import BaseMiddleware, Dispatcher
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Filter
from aiogram.types import (
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
    User,
)
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.matcher import KnowledgeBase
from tickets.context import Actor
from tickets.db import SessionFactory
from tickets.enums import Role
from tickets.errors import HotlineError
from tickets.models import Citizen, Staff
from tickets.sanitize import has_control, strip_control

log = logging.getLogger("bot")
T = TypeVar("T")
TEXT_LIMIT = 4096

KbProvider = Callable[[], KnowledgeBase]
NextHandler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]  # what a middleware calls on
# (session, entry_id, solved, question, telegram user id) -> stored
FeedbackRecorder = Callable[[AsyncSession, str, bool, str, int], Awaitable[None]]


@dataclass(frozen=True)
class Who:
    """Who sent the update, resolved once per update."""

    user_id: int
    role: Role
    staff: Staff | None = None

    @property
    def unit_id(self) -> int | None:
        return self.staff.unit_id if self.staff else None

    def actor(self) -> Actor:
        assert self.staff is not None
        return Actor.of_staff(self.staff)


async def citizen_of(session: AsyncSession, user_id: int) -> Citizen | None:
    return (await session.exec(select(Citizen).where(Citizen.telegram_user_id == user_id))).first()


class StaffDirectory:
    """Which Telegram accounts belong to staff, re-read from the table every `ttl` seconds.

    Nearly every update comes from a citizen, and the staff table is small and changes
    only on /bind or when the office deactivates someone; querying it for every message
    would be the bot's largest per-update cost. A /bind on this instance is seen at once
    (`invalidate`); a change made elsewhere within `ttl` seconds.
    """

    def __init__(self, ttl: float = 30.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self._now = ttl, monotonic
        self._staff: dict[int, Staff] = {}
        self._expires = float("-inf")
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._expires = float("-inf")

    async def _reload(self, sessions: SessionFactory) -> None:
        async with self._lock:
            if self._expires >= self._now():
                return
            async with sessions() as session:
                rows = await session.exec(
                    select(Staff).where(col(Staff.telegram_user_id).is_not(None), Staff.active == True)  # noqa: E712
                )
                self._staff = {s.telegram_user_id: s for s in rows.all() if s.telegram_user_id is not None}
            self._expires = self._now() + self.ttl

    async def who(self, sessions: SessionFactory, user: User) -> Who:
        if self._expires < self._now():
            await self._reload(sessions)
        staff = self._staff.get(user.id)
        if staff is not None and staff.role in (Role.HANDLER, Role.OFFICE):
            return Who(user_id=user.id, role=staff.role, staff=staff)
        return Who(user_id=user.id, role=Role.CITIZEN)


class ContextMiddleware(BaseMiddleware):
    """Resolves the sender's role for every update (filters need it) from the cached
    staff directory. Install it with `install()`: it also adds `SessionMiddleware`."""

    def __init__(self, directory: StaffDirectory | None = None) -> None:
        self.directory = directory or StaffDirectory()

    def install(self, dispatcher: Dispatcher) -> None:
        dispatcher.update.outer_middleware(self)
        session_middleware = SessionMiddleware()
        for name, observer in dispatcher.observers.items():
            if name != "update":
                observer.middleware(session_middleware)

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            event = without_control(event)
        user: User | None = data.get("event_from_user")
        data["staff_directory"] = self.directory
        data["who"] = await self.directory.who(data["sessions"], user) if user is not None else None
        return await handler(event, data)


def without_control(update: Update) -> Update:
    """The update with control characters stripped from what people type (text, captions):
    the bot's part of the one edge for them (tickets.sanitize). People paste text carrying
    codes they cannot see; refusing it would puzzle them, and a NUL must not reach the
    database."""
    changes: dict[str, Message] = {}
    for field in ("message", "edited_message"):
        message: Message | None = getattr(update, field)
        if message is None:
            continue
        fixed = {name: strip_control(value) for name in ("text", "caption")
                 if has_control(value := getattr(message, name))}
        if fixed:
            changes[field] = message.model_copy(update=fixed)
    return update.model_copy(update=changes) if changes else update


class SessionMiddleware(BaseMiddleware):
    """One DB session per update, opened after routing and only for a handler that takes
    `session`: most traffic is questions to the in-memory knowledge base, which need none.
    Handlers commit their own unit of work through `run_service`."""

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chosen: HandlerObject | None = data.get("handler")
        if chosen is not None and not chosen.varkw and "session" not in chosen.params:
            return await handler(event, data)
        sessions: SessionFactory = data["sessions"]
        async with sessions() as session:
            data["session"] = session
            return await handler(event, data)


class RoleFilter(Filter):
    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, who: Who | None = None) -> bool:
        return who is not None and who.role in self.roles


async def run_service(session: AsyncSession, call: Awaitable[T]) -> T | HotlineError:
    """Run one service call as a unit of work: commit on success, roll back and return the
    typed error (whose Chinese message the user reads) on a domain error."""
    try:
        result = await call
        await session.commit()
        return result
    except HotlineError as error:
        await session.rollback()
        return error
    except BaseException:
        await session.rollback()
        raise


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Chunks of at most `limit` characters, cut at line ends where possible."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = limit
        chunks.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        chunks.append(rest)
    return chunks


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def reply_long(message: Message, text: str, markup: Markup | None = None) -> None:
    """Answer with as many messages as needed; the keyboard goes on the last one."""
    chunks = split_text(text)
    for i, chunk in enumerate(chunks):
        await message.answer(chunk, reply_markup=markup if i == len(chunks) - 1 else None)
