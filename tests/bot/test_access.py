"""Access control: roles, units, /bind invite codes and their rate limit, /status privacy."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot import texts
from tests.bot.conftest import Harness, texts_of
from tests.bot.helpers import CITIZEN, filed_ticket
from tickets.enums import HandlerSlot, Role, TicketStatus
from tickets.models import BindAttempt, Staff, StaffInvite, Ticket
from tickets.staff import create_invite, find_or_create_staff

HANDLER = 1001
OTHER_HANDLER = 1011
OFFICE = 9001
STRANGER = 7777


async def test_citizen_cannot_use_staff_commands(harness: Harness) -> None:
    for command in ("/checkin", "/mytickets", "/duty", "/overdue", "/pending", "/new", "/callback 1"):
        assert texts_of(await harness.say(CITIZEN, command)) == [texts.NOT_ALLOWED_STAFF], command
    assert texts_of(await harness.say(HANDLER, "/pending")) == [texts.NOT_ALLOWED_OFFICE]
    assert texts_of(await harness.say(HANDLER, "/duty")) == [texts.NOT_ALLOWED_OFFICE]


async def test_citizen_cannot_press_staff_buttons(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    for data in (f"v1t:acc:{number}:", f"v1o:ret:{number}:1:0", f"v1p:{number}:2"):
        calls = await h.press(CITIZEN, data)
        assert [c.method for c in calls] == ["answerCallbackQuery"]
        assert calls[0].params["text"] == texts.EXPIRED_BUTTON
    async with h.sessions() as session:
        assert (await session.exec(select(Ticket))).one().status is TicketStatus.DISPATCHED


async def test_handler_cannot_touch_another_units_ticket(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org, unit_index=0)
    for act in ("acc", "con", "ret", "rep"):
        calls = await h.press(OTHER_HANDLER, f"v1t:{act}:{number}:")
        assert [c.method for c in calls] == ["answerCallbackQuery"]
        assert calls[0].params["text"] == texts.WRONG_UNIT.format(number=number)
        assert calls[0].params["show_alert"] == "true"
    assert texts_of(await h.say(OTHER_HANDLER, "/mytickets")) == [texts.MYTICKETS_EMPTY]
    # The other unit's handler sees no personal data through /status either.
    assert texts_of(await h.say(OTHER_HANDLER, f"/status {number}")) == [texts.STATUS_ASK_PHONE]
    async with h.sessions() as session:
        assert (await session.exec(select(Ticket))).one().status is TicketStatus.DISPATCHED


async def test_bind_with_invite_code_once(harness: Harness) -> None:
    h = harness
    async with h.sessions() as session:
        staff = await find_or_create_staff(session, unit_name="供电分公司", slot=HandlerSlot.B)
        code, _ = await create_invite(session, rules=h.rules, staff_id=staff.id)  # type: ignore[arg-type]
        await session.commit()
    assert staff.name == "联络员2B"
    ok = await h.say(STRANGER, f"/bind {code.lower()[:4]}-{code.lower()[4:]}")
    assert texts_of(ok) == [texts.BIND_OK.format(unit="供电分公司", name="联络员2B")]
    scope = [c for c in ok if c.method == "setMyCommands"]
    assert scope[0].params["scope"] == {"type": "chat", "chat_id": STRANGER}
    assert [c["command"] for c in scope[0].params["commands"]] == ["checkin", "mytickets", "status", "cancel"]
    assert texts_of(await h.say(STRANGER, "/mytickets")) == [texts.MYTICKETS_EMPTY]
    # The code works once.
    assert texts_of(await h.say(STRANGER + 1, f"/bind {code}")) == [
        "邀请码已被使用，每个邀请码只能使用一次。"
    ]
    assert texts_of(await h.say(STRANGER, f"/bind {code}")) == [
        "您的账号已绑定联络员2B（供电分公司），无需重复绑定。"
    ]


async def test_expired_code_is_refused(harness: Harness) -> None:
    h = harness
    async with h.sessions() as session:
        staff = (await session.exec(select(Staff).where(Staff.name == "联络员1B"))).one()
        code, _ = await create_invite(session, rules=h.rules, staff_id=staff.id)  # type: ignore[arg-type]
        await session.commit()
    h.clock.advance(timedelta(hours=73))
    assert texts_of(await h.say(STRANGER, f"/bind {code}")) == ["邀请码已过期，请联系热线办重新获取。"]
    assert texts_of(await h.say(STRANGER, "/mytickets")) == [texts.NOT_ALLOWED_STAFF]


async def test_wrong_codes_are_rate_limited(harness: Harness) -> None:
    h = harness
    async with h.sessions() as session:
        staff = (await session.exec(select(Staff).where(Staff.name == "联络员1B"))).one()
        code, _ = await create_invite(session, rules=h.rules, staff_id=staff.id)  # type: ignore[arg-type]
        await session.commit()
    assert texts_of(await h.say(STRANGER, "/bind")) == [
        "请在 /bind 后面加上热线办发给您的邀请码，例如：/bind ABCD2345"]
    for guess in ("AAAA2222", "BBBB3333", "CCCC4444", "DDDD5555", "EEEE6666"):
        assert texts_of(await h.say(STRANGER, f"/bind {guess}")) == ["邀请码无效，请核对后重试。"]
    # Locked out: even the right code is not checked now.
    assert texts_of(await h.say(STRANGER, f"/bind {code}")) == ["错误次数过多，请 60 分钟后再试。"]
    async with h.sessions() as session:
        attempts = (await session.exec(select(BindAttempt).where(BindAttempt.account_id == STRANGER))).all()
        assert [a.success for a in attempts] == [False] * 5
        assert (await session.exec(select(StaffInvite))).one().used_at is None
    h.clock.advance(timedelta(minutes=61))
    assert texts_of(await h.say(STRANGER, f"/bind {code}")) == [texts.BIND_OK.format(unit="柳林洲街道",
                                                                                      name="联络员1B")]
    async with h.sessions() as session:
        bound = (await session.exec(select(Staff).where(Staff.telegram_user_id == STRANGER))).one()
        assert bound.role is Role.HANDLER and bound.unit_id == h.org.unit_ids[1]


async def test_status_own_in_full_others_after_phone_digits(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    own = await h.say(CITIZEN, f"/status {number}")
    assert texts_of(own) == [texts.STATUS_OWN.format(
        number=number, status="已派单", type="投诉", category="城市管理", unit="区住建局",
        received="2026-11-23 10:00", due="2026-11-30 10:00", place="幸福小区3号楼",
        content="幸福小区3号楼楼道灯坏了一个月，晚上很黑。")]

    assert texts_of(await h.say(STRANGER, f"/status {number}")) == [texts.STATUS_ASK_PHONE]
    assert texts_of(await h.say(STRANGER, "1234")) == [texts.STATUS_PHONE_WRONG.format(left=2)]
    public = await h.say(STRANGER, "５６７８")
    assert texts_of(public) == [texts.STATUS_PUBLIC.format(
        number=number, status="已派单", type="投诉", category="城市管理", unit="区住建局",
        received="2026-11-23 10:00", due="2026-11-30 10:00")]
    assert "13812345678" not in public[0].text and "幸福小区" not in public[0].text

    await h.say(STRANGER, f"/status {number}")
    await h.say(STRANGER, "0000")
    assert texts_of(await h.say(STRANGER, "1111")) == [texts.STATUS_PHONE_LOCKED]
    assert texts_of(await h.say(STRANGER, f"/status {number}")) == [texts.STATUS_PHONE_LOCKED]
    assert texts_of(await h.say(STRANGER, "/status 2099")) == ["未找到工单 2099，请核对工单号。"]

    mine = await h.say(CITIZEN, "我的诉求")
    assert texts_of(mine) == [
        "您的诉求（最近 1 件）：\n"
        + texts.MINE_LINE.format(
            number=number,
            status="已派单",
            due="2026-11-30 10:00",
            summary="幸福小区3号楼楼道灯坏了一个月，晚上很黑。",
        )
    ]
    assert texts_of(await h.say(STRANGER, "我的诉求")) == [texts.MINE_EMPTY]
