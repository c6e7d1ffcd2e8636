"""Signed-in sessions of the web areas, stored in the database (web.models.WebSession).

The browser holds a random token in an HttpOnly cookie; the table holds its sha256. A
session ends after `web_idle_minutes` without a request, `web_session_hours` after sign-in,
or at sign-out; expired rows are swept at each sign-in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import delete, or_, update
from sqlmodel import col

from integrations.db import writing
from integrations.state import RULES, SESSIONS
from web.config import WebSettings
from web.models import WebSession

COOKIE = "hl_session"
# Last-seen times are written at most this often: a page of requests costs one write, not ten.
TOUCH_EVERY = timedelta(seconds=60)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    token_hash: str
    subject: str
    subject_id: int
    created_at: datetime


@dataclass(frozen=True)
class Lookup:
    session: Session | None
    expired: bool  # the browser had a session that has ended (say so, rather than a bare sign-in page)


def _limits(settings: WebSettings) -> tuple[timedelta, timedelta]:
    return timedelta(minutes=settings.web_idle_minutes), timedelta(hours=settings.web_session_hours)


async def start(app: web.Application, settings: WebSettings, *, subject: str, subject_id: int) -> str:
    """A new session; returns the token for the cookie. Expired sessions of everyone are swept."""
    now = app[RULES].now()
    idle, longest = _limits(settings)
    token = secrets.token_urlsafe(32)
    async with writing(app) as db:
        await db.exec(delete(WebSession).where(or_(col(WebSession.last_seen_at) < now - idle,
                                                   col(WebSession.created_at) < now - longest)))
        db.add(WebSession(token_hash=hash_token(token), subject=subject, subject_id=subject_id,
                          created_at=now, last_seen_at=now))
    return token


async def lookup(app: web.Application, settings: WebSettings, token: str | None) -> Lookup:
    if not token:
        return Lookup(None, expired=False)
    token_hash = hash_token(token)
    async with app[SESSIONS]() as db:
        row = await db.get(WebSession, token_hash)
    if row is None:
        return Lookup(None, expired=True)
    now = app[RULES].now()
    idle, longest = _limits(settings)
    if row.last_seen_at + idle < now or row.created_at + longest < now:
        await end(app, token_hash)
        return Lookup(None, expired=True)
    if now - row.last_seen_at >= TOUCH_EVERY:
        async with writing(app) as db:
            await db.exec(update(WebSession).where(col(WebSession.token_hash) == token_hash)
                          .values(last_seen_at=now))
    return Lookup(Session(token_hash, row.subject, row.subject_id, row.created_at), expired=False)


async def end(app: web.Application, token_hash: str) -> None:
    async with writing(app) as db:
        await db.exec(delete(WebSession).where(col(WebSession.token_hash) == token_hash))

