"""Staff passwords of the console: Argon2id hashes (argon2-cffi, memory-hard), lock-out
after repeated wrong passwords. Hashing takes tens of milliseconds of CPU and 64 MiB:
callers run it off the event loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets.errors import ValidationFailed
from tickets.models import Staff
from web.console import texts
from web.models import StaffPassword, WebSession

HASHER = PasswordHasher()  # Argon2id with the library's RFC 9106 "low memory" profile
# A hash to verify against when the login is unknown, so the answer takes as long either way.
_DUMMY_HASH = HASHER.hash("not a password of anyone")
MIN_LENGTH = 10
# Sessions of console users carry this subject (web.models.WebSession.subject).
SUBJECT = "staff"


def check_strength(password: str, *, login: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(texts.ERR_PASSWORD_SHORT.format(min=MIN_LENGTH))
    if len(password) > 256:
        raise ValidationFailed(texts.ERR_PASSWORD_LONG)
    if not (any(c.isdigit() for c in password) and any(c.isalpha() for c in password)):
        raise ValidationFailed(texts.ERR_PASSWORD_MIX)
    if login and login.lower() in password.lower():
        raise ValidationFailed(texts.ERR_PASSWORD_HAS_LOGIN)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def matches(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def set_password(session: AsyncSession, *, staff: Staff, login: str, password_hash: str,
                       now: datetime) -> StaffPassword:
    """Create or replace the staff member's sign-in (a reset also lifts a lock-out)."""
    login = login.strip()
    if not login:
        raise ValidationFailed(texts.ERR_LOGIN_REQUIRED)
    taken = (await session.exec(select(StaffPassword).where(StaffPassword.login == login))).first()
    if taken is not None and taken.staff_id != staff.id:
        raise ValidationFailed(texts.ERR_LOGIN_TAKEN.format(login=login))
    row = await session.get(StaffPassword, staff.id)
    if row is None:
        row = StaffPassword(staff_id=staff.id, login=login, password_hash=password_hash, changed_at=now)  # type: ignore[arg-type]
    row.login, row.password_hash, row.changed_at = login, password_hash, now
    row.failed_attempts, row.locked_until = 0, None
    session.add(row)
    await session.flush()
    return row


@dataclass(frozen=True)
class Attempt:
    staff: Staff | None  # signed in
    error: str = ""


async def record_attempt(session: AsyncSession, *, row: StaffPassword | None, staff: Staff | None, ok: bool,
                         now: datetime, limit: int, lock: timedelta) -> Attempt:
    """Apply the outcome of one password check to the account (the hash was checked before)."""
    if row is None or staff is None:
        return Attempt(None, texts.ERR_BAD_CREDENTIALS)
    if row.locked_until is not None and row.locked_until > now:
        return Attempt(None, locked_message(row.locked_until, now))
    if not staff.active:
        return Attempt(None, texts.ERR_ACCOUNT_INACTIVE)
    if ok:
        row.failed_attempts, row.locked_until = 0, None
        session.add(row)
        return Attempt(staff)
    row.failed_attempts += 1
    if row.failed_attempts >= limit:
        row.failed_attempts, row.locked_until = 0, now + lock
        session.add(row)
        return Attempt(None, locked_message(row.locked_until, now))
    session.add(row)
    return Attempt(None, texts.ERR_BAD_CREDENTIALS_LEFT.format(left=limit - row.failed_attempts))


def locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return texts.ERR_LOCKED.format(minutes=minutes)


async def end_sessions(session: AsyncSession, *, staff_id: int) -> None:
    """A new password signs the staff member out everywhere (in the caller's transaction)."""
    await session.exec(delete(WebSession).where(col(WebSession.subject) == SUBJECT,
                                                col(WebSession.subject_id) == staff_id))
