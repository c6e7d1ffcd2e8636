"""One-time SMS codes (tickets.verification) on real databases: the code goes out through the
outbox as an SMS, only its hash is stored, it expires, wrong tries are counted and kept, and
new codes are limited per phone and per client address."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts, verification
from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.enums import OutboxChannel
from tickets.errors import ValidationFailed
from tickets.models import Outbox, PhoneVerification
from tickets.verification import CodePolicy, TooManyCodes

PHONE = "13800138000"


async def sent_code(session: AsyncSession) -> str:
    """The code as the citizen reads it in the SMS (the newest one in the outbox)."""
    row = (await session.exec(select(Outbox).order_by(col(Outbox.id).desc()))).first()
    assert row is not None and row.channel is OutboxChannel.SMS and row.payload["kind"] == "verification_code"
    found = re.search(r"验证码是 (\d{6})", row.payload["text"])
    assert found, row.payload["text"]
    return found.group(1)


async def test_code_goes_by_sms_and_only_its_hash_is_stored(session: AsyncSession, rules: Rules) -> None:
    sent = await verification.request_code(session, rules=rules, phone="138 0013 8000", address="10.0.0.1")
    await session.commit()
    code = await sent_code(session)
    outbox = (await session.exec(select(Outbox))).one()
    assert outbox.recipient == PHONE
    assert outbox.payload["text"] == f"您的验证码是 {code}，10 分钟内有效。如非本人操作，请忽略本短信。"
    row = (await session.exec(select(PhoneVerification))).one()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert sent.expires_at == rules.now() + timedelta(minutes=10)

    result = await verification.check_code(session, rules=rules, phone=PHONE, code=code)
    await session.commit()
    assert result.ok and result.proof
    assert await verification.proven_phone(session, rules=rules, proof=result.proof) == PHONE
    assert await verification.spend_proof(session, rules=rules, proof=result.proof) == PHONE
    await session.commit()
    # One filing per proof; the citizen still sees their own ticket with it.
    assert await verification.proven_phone(session, rules=rules, proof=result.proof) is None
    assert (
        await verification.proven_phone(session, rules=rules, proof=result.proof, include_spent=True) == PHONE
    )
    with pytest.raises(ValidationFailed) as error:
        await verification.spend_proof(session, rules=rules, proof=result.proof)
    assert error.value.message == texts.ERR_PHONE_NOT_VERIFIED


async def test_wrong_tries_are_counted_and_lock_the_code(session: AsyncSession, rules: Rules) -> None:
    await verification.request_code(session, rules=rules, phone=PHONE, address="10.0.0.1")
    await session.commit()
    code = await sent_code(session)
    wrong = "000000" if code != "000000" else "111111"
    messages = []
    for _ in range(5):
        result = await verification.check_code(session, rules=rules, phone=PHONE, code=wrong)
        await session.commit()
        messages.append(result.message)
        assert not result.ok and result.proof is None
    assert messages == ["验证码不正确，还可以再试 4 次。", "验证码不正确，还可以再试 3 次。",
                        "验证码不正确，还可以再试 2 次。", "验证码不正确，还可以再试 1 次。",
                        texts.ERR_SMS_CODE_LOCKED]
    # Even the right code no longer works: the guesser used up the tries.
    result = await verification.check_code(session, rules=rules, phone=PHONE, code=code)
    assert not result.ok and result.message == texts.ERR_SMS_CODE_LOCKED
    row = (await session.exec(select(PhoneVerification))).one()
    assert row.attempts == 5 and row.verified_at is None


async def test_code_expires(session: AsyncSession, rules: Rules, clock: ManualClock) -> None:
    await verification.request_code(session, rules=rules, phone=PHONE, address="10.0.0.1")
    await session.commit()
    code = await sent_code(session)
    clock.advance(timedelta(minutes=10))
    result = await verification.check_code(session, rules=rules, phone=PHONE, code=code)
    assert not result.ok and result.message == texts.ERR_SMS_CODE_EXPIRED


async def test_proof_expires_before_filing(session: AsyncSession, rules: Rules, clock: ManualClock) -> None:
    await verification.request_code(session, rules=rules, phone=PHONE, address="10.0.0.1")
    result = await verification.check_code(session, rules=rules, phone=PHONE, code=await sent_code(session))
    assert result.proof
    clock.advance(timedelta(minutes=31))
    assert await verification.proven_phone(session, rules=rules, proof=result.proof) is None
    assert await verification.proven_phone(session, rules=rules, proof="forged") is None


async def test_resend_waits_a_minute_and_five_per_hour_per_phone(session: AsyncSession, rules: Rules,
                                                                 clock: ManualClock) -> None:
    await verification.request_code(session, rules=rules, phone=PHONE, address="10.0.0.1")
    clock.advance(timedelta(seconds=20))
    with pytest.raises(TooManyCodes) as error:
        await verification.request_code(session, rules=rules, phone=PHONE, address="10.0.0.2")
    assert error.value.message == "验证码已发送，请 41 秒后再重新获取。" and error.value.retry_after == 41
    for _ in range(4):
        clock.advance(timedelta(seconds=61))
        await verification.request_code(session, rules=rules, phone=PHONE, address=f"10.0.1.{_}")
    clock.advance(timedelta(seconds=61))
    with pytest.raises(TooManyCodes) as error:
        await verification.request_code(session, rules=rules, phone=PHONE, address="10.0.0.9")
    assert error.value.message == texts.ERR_SMS_CODE_TOO_MANY_PHONE
    # An hour after the first, the phone may ask again.
    clock.advance(timedelta(minutes=56))
    await verification.request_code(session, rules=rules, phone=PHONE, address="10.0.0.9")
    assert len((await session.exec(select(Outbox))).all()) == 6


async def test_one_address_cannot_spray_codes_at_many_phones(session: AsyncSession, rules: Rules) -> None:
    for i in range(10):
        await verification.request_code(session, rules=rules, phone=f"1390000{i:04d}", address="203.0.113.7")
    with pytest.raises(TooManyCodes) as error:
        await verification.request_code(session, rules=rules, phone="13900009999", address="203.0.113.7")
    assert error.value.message == texts.ERR_SMS_CODE_TOO_MANY_ADDRESS
    await verification.request_code(session, rules=rules, phone="13900009999", address="203.0.113.8")


async def test_only_mobiles_get_codes(session: AsyncSession, rules: Rules) -> None:
    with pytest.raises(ValidationFailed) as error:
        await verification.request_code(session, rules=rules, phone="021-62345678", address="")
    assert error.value.message == texts.ERR_SMS_CODE_NEEDS_MOBILE
    with pytest.raises(ValidationFailed):
        await verification.request_code(session, rules=rules, phone="<script>", address="")
    assert (await session.exec(select(PhoneVerification))).all() == []


async def test_development_log_masks_the_phone_but_keeps_the_code(session: AsyncSession, rules: Rules,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="tickets.verification"):
        await verification.request_code(session, rules=rules, phone=PHONE, address="",
                                         policy=CodePolicy(log_codes=True))
    code = await sent_code(session)
    assert f"SMS code for 138****8000: {code}" in caplog.text
    assert PHONE not in caplog.text


async def test_no_log_of_codes_by_default(session: AsyncSession, rules: Rules,
                                          caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="tickets"):
        await verification.request_code(session, rules=rules, phone=PHONE, address="")
    assert await sent_code(session) not in caplog.text


async def test_old_codes_are_pruned(session: AsyncSession, rules: Rules, clock: ManualClock) -> None:
    await verification.request_code(session, rules=rules, phone=PHONE, address="10.0.0.1")
    clock.advance(timedelta(days=6))
    await verification.request_code(session, rules=rules, phone="13900000001", address="10.0.0.1")
    await session.commit()
    clock.advance(timedelta(days=1, seconds=1))
    assert await verification.prune(session, rules=rules) == 1
    await session.commit()
    assert [r.phone for r in (await session.exec(select(PhoneVerification))).all()] == ["13900000001"]
