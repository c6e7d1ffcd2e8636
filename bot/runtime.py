"""Running the bot: building Bot and Dispatcher from settings, long polling, and the
webhook route for an aiohttp app (secret token checked, update ids deduplicated in the
database so a re-delivered update is ignored by every instance, after any restart)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    GetUpdates,
    Response,
    SendMessage,
    SetMyCommands,
    SetWebhook,
)
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.answers import AnswerMemo
from bot.commands import install_commands
from bot.config import TelegramSettings as Settings
from bot.context import ContextMiddleware, FeedbackRecorder, KbProvider, log
from bot.drafts import DraftKeeper
from bot.feedback import StoredFeedback
from bot.handlers import get_routers
from bot.models import ProcessedUpdate
from bot.notifier import TelegramNotifier
from bot.sender import SendLimits, SendQueue
from bot.transport import JsonSession
from bot.usage import UsageBuffer
from knowledge_base.classify import Router
from tickets.context import Rules
from tickets.db import SessionFactory, insert_for
from tickets.enums import OutboxChannel

# aiogram builds `Response[<return type>]` for every API call; pydantic caches parametrized
# generics only weakly, so under load they are collected and rebuilt (~5 ms each, hundreds
# of times a minute). Holding them here keeps one of each for the life of the process.
_PINNED_RESPONSES = [
    Response[m.__returning__]  # type: ignore[name-defined]
    for m in (SendMessage, EditMessageText, EditMessageReplyMarkup, AnswerCallbackQuery, SetMyCommands,
              SetWebhook, DeleteWebhook, GetUpdates, GetMe)
]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
PRUNE_INTERVAL_SECONDS = 6 * 3600
KEEP_UPDATE_IDS = timedelta(days=2)
OK_BODY = json.dumps({"ok": True}).encode()
DUPLICATE_BODY = json.dumps({"ok": True, "duplicate": True}).encode()
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def make_storage(redis_url: str | None) -> BaseStorage:
    """FSM state in Redis when configured (shared by every instance), else in memory."""
    if redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(redis_url, state_ttl=timedelta(days=7), data_ttl=timedelta(days=7))
    return MemoryStorage()


def make_bot(token: str, *, api_base: str = "https://api.telegram.org", limits: SendLimits | None = None,
             timeout: float = 30.0) -> Bot:
    session = JsonSession(api=TelegramAPIServer.from_base(api_base.rstrip("/")), timeout=timeout)
    session.middleware(SendQueue(limits))
    return Bot(token, session=session)


def make_dispatcher(*, kb: KbProvider, sessions: SessionFactory | None = None, rules: Rules | None = None,
                    storage: BaseStorage | None = None, kb_feedback: FeedbackRecorder | None = None,
                    category_router: Router | None = None) -> Dispatcher:
    """The dispatcher with every router. `sessions` and `rules` may be given later
    (`dp["sessions"] = …`) when the database is opened after the routes are built.
    `category_router`: the classifier's Router (a trained model); the shipped keyword rules if None."""
    dp = Dispatcher(storage=storage or MemoryStorage(), kb=kb, kb_feedback=kb_feedback, answers=AnswerMemo(),
                    category_router=category_router)
    if sessions is not None:
        dp["sessions"] = sessions
    if rules is not None:
        dp["rules"] = rules
    ContextMiddleware().install(dp)
    dp.include_routers(*get_routers())
    # A command in the middle of a multi-step input keeps the draft (bot/drafts.py); on the
    # dispatcher, so that it wraps every router, the fallback's answers included.
    dp.message.outer_middleware(DraftKeeper())
    return dp


async def prune_processed_updates(
    session: AsyncSession, *, rules: Rules, keep: timedelta = KEEP_UPDATE_IDS
) -> int:
    """Telegram re-delivers for at most a day; older ids need not be kept."""
    statement = delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < rules.now() - keep)
    result = await session.exec(statement)
    return int(result.rowcount or 0)


class UpdateClaims:
    """Durable update-id dedupe with group commit.

    Under load many webhook calls arrive together; instead of one INSERT and COMMIT each,
    the calls waiting at the same moment are claimed in one statement
    (INSERT … ON CONFLICT DO NOTHING RETURNING update_id) and one commit. Each caller
    still learns whether its own id was new, and nothing is handled before its claim is
    committed.
    """

    def __init__(self, dispatcher: Dispatcher, *, bot_id: int, max_batch: int = 500) -> None:
        self.dp, self.bot_id, self.max_batch = dispatcher, bot_id, max_batch
        self._waiting: dict[int, list[asyncio.Future[bool]]] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._statement: Any = None
        self.batches = 0

    async def claim(self, update_id: int) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(update_id, []).append(future)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._waiting:
            batch = dict(list(self._waiting.items())[: self.max_batch])
            for update_id in batch:
                del self._waiting[update_id]
            try:
                fresh = await self._insert(list(batch))
            except BaseException as error:
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            self.batches += 1
            for update_id, futures in batch.items():
                # The same id twice in one batch: only the first caller handles it.
                for i, future in enumerate(futures):
                    if not future.done():
                        future.set_result(update_id in fresh and i == 0)

    async def _insert(self, update_ids: list[int]) -> set[int]:
        sessions: SessionFactory = self.dp["sessions"]
        rules: Rules = self.dp["rules"]
        # A bare connection from the engine: no ORM session is needed for one statement.
        async with sessions.kw["bind"].begin() as connection:
            if self._statement is None:
                table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
                # One constant statement, executed for many rows ("insertmanyvalues"): compiled once, cached.
                self._statement = (
                    insert_for(connection)(table)
                    .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
                    .returning(table.c.update_id)
                )
            now = rules.now()
            result = await connection.execute(
                self._statement,
                [{"bot_id": self.bot_id, "update_id": u, "received_at": now} for u in update_ids],
            )
            return {int(row[0]) for row in result.all()}


class WebhookHandler:
    """aiohttp view for Telegram's webhook calls. The database and rules are read from the
    dispatcher's data at each call, so the route can be added before the app starts."""

    def __init__(self, *, bot: Bot, dispatcher: Dispatcher, secret: str | None) -> None:
        self.bot, self.dp = bot, dispatcher
        self.secret = secret
        self.claims = UpdateClaims(dispatcher, bot_id=bot.id)
        self.duplicates = 0

    async def __call__(self, request: web.Request) -> web.Response:
        if self.secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not secrets.compare_digest(given.encode(), self.secret.encode()):
                log.warning("webhook call with a wrong secret token from %s", request.remote)
                return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
        try:
            update = Update.model_validate_json(await request.read(), context={"bot": self.bot})
        except ValidationError:  # not JSON, or not an update
            log.warning("webhook call with an invalid body from %s", request.remote)
            return web.json_response({"ok": False, "error": "bad update"}, status=400)
        if not await self.claims.claim(update.update_id):
            self.duplicates += 1
            log.info("update %s already processed, ignored", update.update_id)
            return web.Response(body=DUPLICATE_BODY, content_type="application/json")
        # Errors are answered and logged by the error router; the update is claimed either way,
        # so a crash never makes Telegram re-deliver into a loop.
        await self.dp.feed_update(self.bot, update)
        return web.Response(body=OK_BODY, content_type="application/json")


def add_webhook_route(app: web.Application, *, bot: Bot, dispatcher: Dispatcher, secret: str | None,
                      path: str = WEBHOOK_PATH) -> WebhookHandler:
    """Add the webhook route to an aiohttp app; `secret` is checked on every call."""
    handler = WebhookHandler(bot=bot, dispatcher=dispatcher, secret=secret)
    app.router.add_post(path, handler.__call__)
    return handler


class TelegramRuntime:
    """The bot in the running service: polling when no webhook URL is set, the webhook route
    otherwise, and the outbox notifier. `telegram_extension()` below is how `main.py serve`
    installs it into the app built by `integrations.app.init_app`."""

    def __init__(self, settings: Settings, *, kb: KbProvider, kb_feedback: FeedbackRecorder | None = None,
                 limits: SendLimits | None = None, category_router: Router | None = None) -> None:
        if not settings.telegram_token:
            raise ValueError("HOTLINE_TELEGRAM_TOKEN is not set")
        self.settings = settings
        self.bot = make_bot(settings.telegram_token, api_base=settings.telegram_api_base, limits=limits)
        self.storage = make_storage(settings.redis_url)
        self.dp = make_dispatcher(kb=kb, storage=self.storage, kb_feedback=kb_feedback,
                                  category_router=category_router)
        self.notifier = TelegramNotifier(self.bot, kb=kb)
        self.webhook: WebhookHandler | None = None
        self.usage: UsageBuffer | None = None
        self._polling: asyncio.Task[None] | None = None
        self._pruning: asyncio.Task[None] | None = None

    @property
    def uses_webhook(self) -> bool:
        return bool(self.settings.telegram_webhook_url)

    def add_routes(self, app: web.Application, path: str | None = None) -> None:
        """The webhook route, at the path of HOTLINE_TELEGRAM_WEBHOOK_URL (or `path`)."""
        if self.uses_webhook:
            path = path or urlparse(self.settings.telegram_webhook_url or "").path or WEBHOOK_PATH
            self.webhook = add_webhook_route(app, bot=self.bot, dispatcher=self.dp,
                                             secret=self.settings.telegram_webhook_secret, path=path)

    async def start(self, *, sessions: SessionFactory, rules: Rules,
                    write_lock: asyncio.Semaphore | None = None) -> None:
        self.dp["sessions"] = sessions
        self.dp["rules"] = rules
        self.notifier.sessions = sessions
        self.usage = UsageBuffer(sessions, rules.clock, interval=self.settings.telegram_usage_flush_seconds,
                                 capacity=self.settings.telegram_usage_buffer, write_lock=write_lock)
        self.dp["kb_usage"] = self.usage
        self.usage.start()
        if self.dp.workflow_data.get("kb_feedback") is None:
            self.dp["kb_feedback"] = StoredFeedback(rules.clock)
        async with sessions() as session:
            try:
                await install_commands(self.bot, session)
            except Exception as error:  # menus are optional; the bot still works
                log.warning("could not install command menus: %s", error)
        # Telegram being unreachable at start-up must not take the rest of the service down.
        if self.uses_webhook:
            try:
                await self.bot.set_webhook(self.settings.telegram_webhook_url or "",
                                           secret_token=self.settings.telegram_webhook_secret,
                                           allowed_updates=ALLOWED_UPDATES)
                log.info("telegram webhook set")
            except TelegramAPIError as error:
                log.error("setWebhook failed (%s); the webhook route still answers Telegram's calls", error)
            self._pruning = asyncio.create_task(self._prune_forever())
        else:
            try:
                await self.bot.delete_webhook(drop_pending_updates=False)
            except TelegramAPIError as error:
                log.warning("deleteWebhook failed (%s); polling retries on its own", error)
            self._polling = asyncio.create_task(self.dp.start_polling(
                self.bot, handle_signals=False, close_bot_session=False, allowed_updates=ALLOWED_UPDATES))
            log.info("telegram long polling started")

    async def prune_once(self) -> int:
        """Forget update ids older than Telegram's re-delivery horizon; how many went."""
        sessions: SessionFactory = self.dp["sessions"]
        async with sessions() as session:
            removed = await prune_processed_updates(session, rules=self.dp["rules"])
            await session.commit()
        if removed:
            log.info("forgot %s processed update ids older than %s", removed, KEEP_UPDATE_IDS)
        return removed

    async def _prune_forever(self) -> None:
        # Every instance may prune: the DELETE is idempotent and cheap on the received_at index.
        while True:
            try:
                await self.prune_once()
            except Exception:  # a database hiccup must not end the loop; next round tries again
                log.exception("pruning processed update ids failed")
            await asyncio.sleep(PRUNE_INTERVAL_SECONDS)

    async def stop(self) -> None:
        if self._pruning is not None:
            self._pruning.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pruning
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):
                await self.dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        # After the last update was handled (polling stopped; the webhook route's server is
        # down before cleanup runs) and before the database closes: the buffered counts.
        if self.usage is not None:
            await self.usage.stop()
        await self.storage.close()
        await self.bot.session.close()


def telegram_extension(settings: Settings) -> Callable[[web.Application], None] | None:
    """What main.py hands to `integrations.app.init_app`: the bot's webhook route and its
    start/stop, or None when no token is configured (the service runs without Telegram)."""
    if not settings.telegram_token:
        return None
    # The app's shared resources, by their typed keys; integrations never imports the bot.
    from integrations.state import KB, NOTIFIERS, ROUTER, RULES, SESSIONS, WRITE_LOCK

    def install(app: web.Application) -> None:
        telegram = TelegramRuntime(settings, kb=lambda: app[KB].current)
        telegram.add_routes(app)

        async def telegram_ctx(app: web.Application) -> AsyncIterator[None]:
            telegram.dp["category_router"] = app[ROUTER]
            await telegram.start(sessions=app[SESSIONS], rules=app[RULES], write_lock=app.get(WRITE_LOCK))
            app[NOTIFIERS][OutboxChannel.TELEGRAM] = telegram.notifier
            yield
            await telegram.stop()

        app.cleanup_ctx.append(telegram_ctx)

    return install
