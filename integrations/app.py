"""The aiohttp application factory. Shared resources live under typed AppKeys and are
opened and closed in cleanup_ctx generators, in order: database, HTTP client, outbox
worker. main.py adds the bot and the scheduler through `extensions`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp import web

from integrations import api, cdr, letters, open311, telephony, texts, upstream
from integrations.assist import classifier, kb_asker, load_knowledge_base
from integrations.batcher import intake_context
from integrations.config import IntegrationSettings as Settings
from integrations.db import writer_gate
from integrations.http import (
    BODY_TIMEOUT,
    RateLimiter,
    error_response,
    errors_middleware,
    json_response,
    metrics_middleware,
)
from integrations.keys import KeyStore
from integrations.metrics import CONTENT_TYPE, Metrics
from integrations.notifiers import build_notifiers
from integrations.openapi import document
from integrations.outbox_health import log_unsent, outbox_counts, unsent
from integrations.outbox_worker import OutboxWorker, WorkerConfig
from integrations.state import (
    CLASSIFY,
    ENGINE,
    HTTP,
    KB,
    KB_ASK,
    KEYS,
    LIMITER,
    METRICS,
    NOTIFIERS,
    ROUTER,
    RULES,
    SESSIONS,
    SETTINGS,
    WRITE_LOCK,
    served_kb,
)
from knowledge_base import segment
from knowledge_base.classify import load_router
from knowledge_base.unit_routing import KbUnitSuggester
from tickets.clock import Clock
from tickets.context import Rules
from tickets.db import check_schema, create_engine, session_factory
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.outbox import Notifier
from tickets.privacy import install_log_masking

__all__ = [
    "CLASSIFY",
    "ENGINE",
    "HTTP",
    "KB_ASK",
    "KEYS",
    "LIMITER",
    "METRICS",
    "NOTIFIERS",
    "RULES",
    "SESSIONS",
    "SETTINGS",
    "init_app",
]

log = logging.getLogger("integrations.app")
OUTBOX_TASK = web.AppKey("outbox_task", asyncio.Task[None])


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    try:
        async with asyncio.timeout(3):
            schema = await check_schema(request.app[ENGINE])
    except Exception as error:  # any failure means "not ready"; the reason goes to the log only
        log.warning("readiness check failed: %s", type(error).__name__)
        return error_response(503, "not_ready", texts.ERR_NOT_READY)
    if not schema.ok:
        # Every query would fail: say why, so the operator runs init-db instead of guessing.
        return error_response(503, f"schema_{schema.state.value}", schema.message())
    # Ready, but say so when messages pile up for a channel nothing here can send.
    notifiers = request.app[NOTIFIERS]
    async with request.app[SESSIONS]() as session:
        waiting = unsent(await outbox_counts(session, status=OutboxStatus.PENDING), notifiers)
    body: dict[str, object] = {"status": "ready"}
    if waiting:
        body["warnings"] = [item.as_json() for item in waiting]
    return web.json_response(body)


async def warn_queued_without_sender(app: web.Application) -> None:
    """At start-up, once every channel has registered its sender. A database that is not
    reachable yet is /readyz's business, not a reason to refuse to start."""
    try:
        async with asyncio.timeout(3), app[SESSIONS]() as session:
            counts = await outbox_counts(session, status=OutboxStatus.PENDING)
    except Exception as error:
        log.warning("outbox check at start-up skipped: %s", type(error).__name__)
        return
    notifiers = app[NOTIFIERS]
    log_unsent(unsent(counts, notifiers))


async def metrics_view(request: web.Request) -> web.Response:
    metrics = request.app[METRICS]
    async with request.app[SESSIONS]() as session:
        await metrics.refresh(session)
    return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})


async def openapi_view(request: web.Request) -> web.Response:
    # Text limits in the document are the ones this app enforces (its policy file).
    return json_response(document(request.app[RULES].policy.limits))


def server_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of web.run_app / web.AppRunner for this app. aiohttp closes a
    connection whose request headers have not all arrived when its keep-alive timer runs out
    (armed at accept and after each response), so that timer is the header timeout: a client
    trickling headers is dropped after it instead of holding a connection for ever. The body
    timeout is integrations.http.read_body's; after its 408 the unread rest of a body is
    drained for at most `lingering_time` (aiohttp's default is 10 s) before the close."""
    return {"keepalive_timeout": settings.http_header_timeout_seconds, "lingering_time": 2.0}


Extension = Callable[[web.Application], None]
_startup_heap_frozen = False


async def freeze_startup_heap(_app: web.Application) -> None:
    """Take what start-up loaded (jieba's dictionary, the knowledge base, the classifier: objects
    that live as long as the process) out of the garbage collector's walks. Otherwise each full
    collection visits all of them and stalls the event loop for a good part of a second under
    load: the p99 of ticket intake fell from 180–200 ms to 62–67 ms (bench/api_bench.py, 64 in
    flight). Once per process: a test session builds many apps and must not pin each one's objects."""
    global _startup_heap_frozen
    if not _startup_heap_frozen:
        _startup_heap_frozen = True
        gc.collect()
        gc.freeze()


def init_app(settings: Settings, *, clock: Clock | None = None,
             notifiers: Mapping[OutboxChannel, Notifier] | None = None,
             extensions: Sequence[Extension] = ()) -> web.Application:
    """`notifiers` adds or replaces outbound channels (test fakes); `extensions` add a channel's
    routes and cleanup_ctx (main.py passes the Telegram bot's)."""
    install_log_masking()
    metrics = Metrics()
    app = web.Application(client_max_size=1024 * 1024,
                          middlewares=[metrics_middleware(metrics), errors_middleware])
    app[SETTINGS] = settings
    app[BODY_TIMEOUT] = settings.http_body_timeout_seconds
    # Each dispatch is recorded with what the unit router suggested (tickets.routing_labels),
    # from the knowledge base served at that moment.
    app[RULES] = replace(Rules.from_settings(settings, clock),
                         unit_suggester=KbUnitSuggester(lambda: served_kb(app)))
    app[METRICS] = metrics
    app[LIMITER] = RateLimiter(settings.api_rate_limit, settings.api_rate_period_seconds)
    app[NOTIFIERS] = {}

    async def database(app: web.Application) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app[ENGINE] = engine
        app[SESSIONS] = session_factory(engine)
        app[KEYS] = KeyStore(app[SESSIONS])
        if (gate := writer_gate(engine.dialect.name)) is not None:
            app[WRITE_LOCK] = gate
        yield
        await engine.dispose()

    async def knowledge_base(app: web.Application) -> AsyncIterator[None]:
        # jieba's dictionaries take a second or two: loaded once per process, off the event loop.
        await asyncio.to_thread(segment.load)
        live = await load_knowledge_base(app[SESSIONS])
        app[KB] = live
        app[KB_ASK] = kb_asker(lambda: live.current)
        # Entries imported by another process (`kb import`) are served within this period.
        watcher = (asyncio.create_task(live.watch(settings.kb_refresh_seconds), name="kb-refresh")
                   if settings.kb_refresh_seconds > 0 else None)
        # A missing or outdated model file is an error at start-up, not a silent fallback.
        router = await asyncio.to_thread(load_router, settings.classifier_model)
        app[ROUTER] = router
        app[CLASSIFY] = classifier(router)
        yield
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def http_client(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            app[HTTP] = session
            app[NOTIFIERS].update(build_notifiers(settings, session, app[RULES].clock))
            app[NOTIFIERS].update(notifiers or {})
            yield


    async def outbox_worker(app: web.Application) -> AsyncIterator[None]:
        if not settings.outbox_enabled:
            yield
            return
        notifiers = app[NOTIFIERS]
        worker = OutboxWorker(app[SESSIONS], notifiers, clock=app[RULES].clock,
                              config=WorkerConfig.from_settings(settings), metrics=metrics,
                              write_lock=app.get(WRITE_LOCK))
        task = asyncio.create_task(worker.run(), name="outbox-worker")
        app[OUTBOX_TASK] = task
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.extend([database, intake_context, knowledge_base, http_client])
    # What main.py wires in (the Telegram bot, the scheduler): their routes must exist before
    # start-up, and their cleanup_ctx runs here, after the database and the knowledge base, and
    # before the outbox worker, so that a channel can register its notifier first.
    for install in extensions:
        install(app)
    app.cleanup_ctx.append(outbox_worker)
    # After every cleanup_ctx start-up above (they run first, as the earliest on_startup entry).
    app.on_startup.append(warn_queued_without_sender)
    app.on_startup.append(freeze_startup_heap)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_view)
    app.router.add_get("/api/v1/openapi.json", openapi_view)
    app.router.add_routes(api.routes)
    app.router.add_routes(upstream.routes)
    app.router.add_routes(telephony.routes)
    app.router.add_routes(cdr.routes)
    app.router.add_routes(open311.routes)
    app.router.add_routes(letters.routes)
    return app
