"""One-time SMS codes that prove a citizen owns the mobile phone they give (web channel).

A code is sent through the outbox like every other message (tickets.messaging), only its
salted hash is stored, it expires, each wrong try counts against it, and new codes are
limited per phone and per client address (the rows themselves are the limits' memory, so
the limits hold across processes). A matching code yields a *proof*: a random secret for
the browser, stored hashed, that one filing spends (`spend_proof`).

Every function here only adds or changes rows; the caller commits — including after a
wrong code (`check_code` does not raise on a wrong code, so that the counted try is kept).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts
from tickets.context import Rules
from tickets.errors import HotlineError, ValidationFailed
from tickets.messaging import send_verification_code
from tickets.models import PhoneVerification
from tickets.privacy import is_mobile, mask_phone, normalize_phone

log = logging.getLogger("tickets.verification")


class TooManyCodes(HotlineError):
    """A new code was asked too soon or too often; `retry_after` seconds until the next may."""

    code = "too_many_codes"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class CodePolicy:
    """How codes behave. The defaults follow common practice of Chinese government H5
    pages: 6 digits, 10 minutes, 60 s between sends, a handful per hour."""

    digits: int = 6
    ttl: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    resend_after: timedelta = timedelta(seconds=60)
    per_phone_per_hour: int = 5
    per_address_per_hour: int = 10
    # How long a proof (a matched code) may wait for its filing.
    proof_ttl: timedelta = timedelta(minutes=30)
    # Rows are kept this long (the limits look back one hour; the rest is for the office's
    # questions about a flood), then deleted by the scheduler's verification_prune.
    retention: timedelta = timedelta(days=7)
    # Development without an SMS gateway: log each code (phone masked) so a person can type it.
    log_codes: bool = False


@dataclass(frozen=True)
class CodeSent:
    phone: str
    expires_at: datetime
    resend_at: datetime


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of one try: `proof` when it matched, else the message to show."""

    ok: bool
    message: str = ""
    proof: str | None = None
    attempts_left: int = 0


def mobile(raw: str) -> str:
    """A normalised mainland mobile number, or ValidationFailed (SMS needs a mobile)."""
    phone = normalize_phone(raw or "")
    if not is_mobile(phone):
        raise ValidationFailed(texts.ERR_SMS_CODE_NEEDS_MOBILE)
    return phone


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _code(digits: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


async def _count_since(session: AsyncSession, column: object, value: str, since: datetime) -> int:
    query = select(func.count()).select_from(PhoneVerification).where(
        column == value, col(PhoneVerification.created_at) >= since)
    return int((await session.exec(query)).one())


async def request_code(session: AsyncSession, *, rules: Rules, phone: str, address: str,
                       policy: CodePolicy = CodePolicy()) -> CodeSent:
    """Send a new code to `phone` (asked from client `address`), or TooManyCodes."""
    phone = mobile(phone)
    address = (address or "")[:64]
    now = rules.now()
    hour_ago = now - timedelta(hours=1)
    last = (await session.exec(
        select(PhoneVerification).where(PhoneVerification.phone == phone)
        .order_by(col(PhoneVerification.created_at).desc()).limit(1))).first()
    if last is not None and last.created_at + policy.resend_after > now:
        wait = int((last.created_at + policy.resend_after - now).total_seconds()) + 1
        raise TooManyCodes(texts.ERR_SMS_CODE_WAIT.format(seconds=wait), retry_after=wait)
    if await _count_since(session, PhoneVerification.phone, phone, hour_ago) >= policy.per_phone_per_hour:
        raise TooManyCodes(texts.ERR_SMS_CODE_TOO_MANY_PHONE, retry_after=3600)
    if address and await _count_since(session, PhoneVerification.address, address,
                                      hour_ago) >= policy.per_address_per_hour:
        raise TooManyCodes(texts.ERR_SMS_CODE_TOO_MANY_ADDRESS, retry_after=3600)
    code = _code(policy.digits)
    salt = secrets.token_hex(16)
    row = PhoneVerification(phone=phone, address=address, code_hash=_digest(salt, phone, code), salt=salt,
                            created_at=now, expires_at=now + policy.ttl)
    session.add(row)
    await session.flush()
    assert row.id is not None
    minutes = int(policy.ttl.total_seconds() // 60)
    await send_verification_code(session, rules=rules, phone=phone, verification_id=row.id,
                                 text=texts.N_VERIFICATION_CODE.format(code=code, minutes=minutes))
    if policy.log_codes:
        # Development only (HOTLINE_SMS_CODE_LOG): the phone is masked, the code is usable.
        log.warning(
            "SMS code for %s: %s (development log; valid %s minutes)", mask_phone(phone), code, minutes
        )
    return CodeSent(phone=phone, expires_at=row.expires_at, resend_at=now + policy.resend_after)


async def check_code(session: AsyncSession, *, rules: Rules, phone: str, code: str,
                     policy: CodePolicy = CodePolicy()) -> CodeCheck:
    """Try `code` against the newest live code of `phone`. A wrong try is counted on the row
    (the caller commits either way); the answer says what to show."""
    try:
        phone = mobile(phone)
    except ValidationFailed as error:
        return CodeCheck(ok=False, message=error.message)
    now = rules.now()
    row = (
        await session.exec(
            select(PhoneVerification)
            .where(PhoneVerification.phone == phone, col(PhoneVerification.verified_at).is_(None))
            .order_by(col(PhoneVerification.created_at).desc())
            .limit(1)
        )
    ).first()
    if row is None or row.expires_at <= now:
        return CodeCheck(ok=False, message=texts.ERR_SMS_CODE_EXPIRED)
    if row.attempts >= policy.max_attempts:
        return CodeCheck(ok=False, message=texts.ERR_SMS_CODE_LOCKED)
    typed = re.sub(r"\s", "", code or "")
    if not secrets.compare_digest(_digest(row.salt, phone, typed), row.code_hash):
        row.attempts += 1
        session.add(row)
        left = policy.max_attempts - row.attempts
        message = texts.ERR_SMS_CODE_WRONG.format(left=left) if left > 0 else texts.ERR_SMS_CODE_LOCKED
        return CodeCheck(ok=False, message=message, attempts_left=left)
    proof = secrets.token_urlsafe(24)
    row.verified_at = now
    row.proof_hash = _digest(proof)
    session.add(row)
    return CodeCheck(ok=True, proof=proof, attempts_left=policy.max_attempts - row.attempts)


async def proven_phone(session: AsyncSession, *, rules: Rules, proof: str, include_spent: bool = False,
                       policy: CodePolicy = CodePolicy()) -> str | None:
    """The phone a live proof stands for. A spent proof (its filing done) still shows the
    citizen their own ticket (`include_spent`) until it expires, but files no second one."""
    row = await _proof_row(session, proof)
    if row is None or row.verified_at is None or (row.used_at is not None and not include_spent):
        return None
    if row.verified_at + policy.proof_ttl <= rules.now():
        return None
    return row.phone


async def spend_proof(session: AsyncSession, *, rules: Rules, proof: str,
                      policy: CodePolicy = CodePolicy()) -> str:
    """Spend a proof for one filing: the verified phone, or ValidationFailed (ask a new code)."""
    phone = await proven_phone(session, rules=rules, proof=proof, policy=policy)
    row = await _proof_row(session, proof)
    if phone is None or row is None:
        raise ValidationFailed(texts.ERR_PHONE_NOT_VERIFIED)
    row.used_at = rules.now()
    session.add(row)
    return phone


async def _proof_row(session: AsyncSession, proof: str) -> PhoneVerification | None:
    if not proof or len(proof) > 100:
        return None
    return (await session.exec(
        select(PhoneVerification).where(PhoneVerification.proof_hash == _digest(proof)))).first()


async def prune(session: AsyncSession, *, rules: Rules, policy: CodePolicy = CodePolicy()) -> int:
    """Delete codes older than the retention (they name phones); how many went."""
    cutoff = rules.now() - policy.retention
    result = await session.exec(delete(PhoneVerification).where(
        col(PhoneVerification.created_at) < cutoff))
    return int(result.rowcount or 0)
