"""Staff accounts on messaging channels: one-time invite codes that bind a chat account
(a Telegram user id) to a Staff record.

The office creates a code for one Staff record (`main.py staff invite …`) and hands it
over out of band. A code works once, expires, and is stored only as a hash. Wrong codes
are counted per account, and an account that keeps guessing is locked out for a while,
so codes cannot be brute-forced through the bot.

Channel-neutral: nothing here knows Telegram beyond the numeric account id.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts
from tickets.context import Rules
from tickets.enums import HandlerSlot, Role
from tickets.errors import NotFound, ValidationFailed
from tickets.models import BindAttempt, Staff, StaffInvite, Unit
from tickets.privacy import normalize_phone
from tickets.queries import get_unit

# Local defaults of this module; callers may pass their own.
INVITE_TTL = timedelta(hours=72)
MAX_FAILED_ATTEMPTS = 5
FAILED_ATTEMPTS_WINDOW = timedelta(hours=1)
# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8



@dataclass(frozen=True)
class BindOutcome:
    """The result of a /bind: the bound staff, or the reason in Chinese.

    Not an exception: a failed attempt must still be committed to count for the limit.
    """

    staff: Staff | None
    error: str | None = None
    unit_name: str = ""

    @property
    def ok(self) -> bool:
        return self.staff is not None


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def create_invite(
    session: AsyncSession, *, rules: Rules, staff_id: int, ttl: timedelta = INVITE_TTL, created_by: str = ""
) -> tuple[str, StaffInvite]:
    """A fresh code for one Staff record. Returns the plain code (shown once) and the row."""
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(texts.ERR_STAFF_NOT_FOUND)
    now = rules.now()
    code = new_code()
    invite = StaffInvite(code_hash=hash_code(code), staff_id=staff_id, created_at=now, expires_at=now + ttl,
                         created_by=created_by)
    session.add(invite)
    await session.flush()
    return code, invite


async def find_or_create_staff(
    session: AsyncSession, *, unit_name: str, role: Role = Role.HANDLER, slot: HandlerSlot | None = None,
    name: str | None = None, phone: str | None = None,
) -> Staff:
    """The staff member an invite is for: the active one holding `slot` in the unit, or a new one."""
    unit: Unit = await get_unit(session, name=unit_name)
    query = select(Staff).where(Staff.unit_id == unit.id, Staff.role == role, Staff.active == True)  # noqa: E712
    if slot is not None:
        query = query.where(Staff.slot == slot)
    if name:
        query = query.where(Staff.name == name)
    found = (await session.exec(query.order_by(col(Staff.id)))).all()
    if found and (slot is not None or name or len(found) == 1):
        # Named, by slot, or the only one of that role in the unit (the office account).
        return found[0]
    if found:
        raise ValidationFailed(
            texts.ERR_WHICH_STAFF.format(unit=unit.name, names="、".join(s.name for s in found))
        )
    if not (name and phone):
        raise ValidationFailed(texts.ERR_NAME_REQUIRED.format(unit=unit.name))
    staff = Staff(role=role, unit_id=unit.id, slot=slot, name=name, phone=normalize_phone(phone))
    session.add(staff)
    await session.flush()
    return staff


async def failed_attempts(session: AsyncSession, *, rules: Rules, account_id: int,
                          window: timedelta = FAILED_ATTEMPTS_WINDOW) -> int:
    since = rules.now() - window
    rows = await session.exec(
        select(func.count()).select_from(BindAttempt).where(
            BindAttempt.account_id == account_id, BindAttempt.success == False,  # noqa: E712
            col(BindAttempt.at) >= since,
        )
    )
    return int(rows.one())


async def redeem_invite(
    session: AsyncSession, *, rules: Rules, code: str, account_id: int,
    max_failed: int = MAX_FAILED_ATTEMPTS, window: timedelta = FAILED_ATTEMPTS_WINDOW,
) -> BindOutcome:
    """Bind `account_id` to the invite's Staff record. The caller commits in every case."""
    now = rules.now()
    bound = (await session.exec(select(Staff).where(Staff.telegram_user_id == account_id))).first()
    if bound is not None:
        unit = await session.get(Unit, bound.unit_id) if bound.unit_id else None
        return BindOutcome(
            None, texts.ERR_ALREADY_BOUND.format(name=bound.name, unit=unit.name if unit else "")
        )
    if await failed_attempts(session, rules=rules, account_id=account_id, window=window) >= max_failed:
        # Locked out: not even checked, and not counted again (the window must be able to pass).
        return BindOutcome(None, texts.ERR_TOO_MANY.format(minutes=int(window.total_seconds() // 60)))

    def fail(message: str, staff_id: int | None = None) -> BindOutcome:
        session.add(BindAttempt(account_id=account_id, at=now, success=False, staff_id=staff_id))
        return BindOutcome(None, message)

    normalized = normalize_code(code)
    if not normalized:
        return BindOutcome(None, texts.ERR_CODE_EMPTY)
    invite = (
        await session.exec(select(StaffInvite).where(StaffInvite.code_hash == hash_code(normalized)))
    ).first()
    if invite is None:
        return fail(texts.ERR_CODE_INVALID)
    if invite.used_at is not None:
        return fail(texts.ERR_CODE_USED, invite.staff_id)
    if now > invite.expires_at:
        return fail(texts.ERR_CODE_EXPIRED, invite.staff_id)
    staff = await session.get(Staff, invite.staff_id)
    if staff is None or not staff.active:
        return fail(texts.ERR_STAFF_INACTIVE, invite.staff_id)
    if staff.telegram_user_id is not None and staff.telegram_user_id != account_id:
        return fail(texts.ERR_BOUND_ELSEWHERE, staff.id)
    staff.telegram_user_id = account_id
    invite.used_at = now
    invite.used_by = account_id
    session.add_all(
        [staff, invite, BindAttempt(account_id=account_id, at=now, success=True, staff_id=staff.id)]
    )
    await session.flush()
    unit = await session.get(Unit, staff.unit_id) if staff.unit_id else None
    return BindOutcome(staff, None, unit.name if unit else "")
