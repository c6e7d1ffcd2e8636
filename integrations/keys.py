"""API keys: creation, hashing and verification.

A key reads ``hk_<prefix>_<secret>``: the prefix finds the row, the secret is compared
by its SHA-256 with hmac.compare_digest. The plain key is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.models import ApiKey
from tickets.context import Actor, Rules
from tickets.db import SessionFactory
from tickets.enums import Role
from tickets.queries import get_unit


class Scope(StrEnum):
    TICKETS_READ = "tickets:read"  # get/list tickets, units and duty status
    TICKETS_CREATE = "tickets:create"  # file tickets (REST and Open311)
    TICKETS_ACT = "tickets:act"  # workflow actions, as the key's role
    KB_ASK = "kb:ask"
    TELEPHONY = "telephony"  # the call-centre agent-assist hook


PREFIX = "hk"


@dataclass(frozen=True)
class Client:
    """An authenticated API client, as request handlers see it."""

    key_id: int
    name: str
    scopes: frozenset[str]
    role: Role
    unit_id: int | None

    def actor(self) -> Actor:
        return Actor(role=self.role, unit_id=self.unit_id, name=self.name[:50])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(raw: str) -> tuple[str, str] | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


async def create_key(session: AsyncSession, *, rules: Rules, name: str, scopes: list[str], role: Role,
                     unit_id: int | None = None) -> tuple[ApiKey, str]:
    """Store a new key; returns the row and the plain key (shown once)."""
    unknown = sorted(set(scopes) - {s.value for s in Scope})
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}")
    if role is Role.HANDLER and unit_id is None:
        raise ValueError("a handler key needs --unit")
    if unit_id is not None:
        await get_unit(session, unit_id=unit_id)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        scopes=sorted(set(scopes)),
        role=role,
        unit_id=unit_id,
        created_at=rules.now(),
    )
    session.add(row)
    await session.flush()
    return row, f"{PREFIX}_{prefix}_{secret}"


class KeyStore:
    """Verifies keys, caching rows for a short while so a request does not pay a query.

    A revoked key stops working within `ttl` seconds on every process.
    """

    def __init__(self, sessions: SessionFactory, *, ttl: float = 30.0) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    async def _row(self, prefix: str) -> ApiKey | None:
        now = time.monotonic()
        hit = self._cache.get(prefix)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        async with self._sessions() as session:
            row = (await session.exec(select(ApiKey).where(ApiKey.prefix == prefix))).first()
        if len(self._cache) > 10_000:
            self._cache.clear()  # unknown prefixes must not grow the cache without bound
        self._cache[prefix] = (now, row)
        return row

    async def verify(self, raw: str) -> Client | None:
        parts = split_key(raw)
        if parts is None:
            return None
        prefix, secret = parts
        row = await self._row(prefix)
        # Compare even when the row is missing, so timing does not tell which prefixes exist.
        expected = row.secret_hash if row is not None else "0" * 64
        if (
            not hmac.compare_digest(expected, hash_secret(secret))
            or row is None
            or row.revoked_at is not None
        ):
            return None
        return Client(key_id=row.id or 0, name=row.name, scopes=frozenset(row.scopes), role=row.role,
                      unit_id=row.unit_id)

    def forget(self) -> None:
        self._cache.clear()
