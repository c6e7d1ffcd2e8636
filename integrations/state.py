"""Typed keys of the resources shared by the routes (re-exported by integrations.app)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, MutableMapping
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from integrations.config import IntegrationSettings as Settings
from integrations.http import RateLimiter
from integrations.keys import KeyStore
from integrations.metrics import Metrics
from knowledge_base.classify import Router
from knowledge_base.live import LiveKnowledgeBase
from knowledge_base.matcher import KnowledgeBase
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.enums import OutboxChannel
from tickets.outbox import Notifier

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", SessionFactory)
RULES = web.AppKey("rules", Rules)
METRICS = web.AppKey("metrics", Metrics)
KEYS = web.AppKey("keys", KeyStore)
LIMITER = web.AppKey("limiter", RateLimiter)
HTTP = web.AppKey("http", aiohttp.ClientSession)
# channel → notifier; filled before the outbox worker starts (the bot adds Telegram).
NOTIFIERS = web.AppKey("notifiers", MutableMapping[OutboxChannel, Notifier])
# Seams to the knowledge base and the classifier: `text -> result` callables, None when absent.
KB = web.AppKey("kb", LiveKnowledgeBase)  # .current is the index to answer from
ROUTER = web.AppKey("router", Router)
KB_ASK: web.AppKey[Callable[..., Any]] = web.AppKey("kb_ask")
CLASSIFY: web.AppKey[Callable[..., Any]] = web.AppKey("classify")
# SQLite only: one in-process queue for writers (integrations.db.writing).
WRITE_LOCK = web.AppKey("write_lock", asyncio.Semaphore)


def served_kb(app: web.Application) -> KnowledgeBase | None:
    """The index every channel answers from at this moment (it is swapped when entries
    change, so read it per request); None when the app has no knowledge base or has not
    loaded it yet."""
    live = app.get(KB)
    if live is None:
        return None
    try:
        return live.current
    except RuntimeError:
        return None
