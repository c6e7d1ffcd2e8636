"""吹哨报到 in the bot: the summons reaches the summoned unit's handler with a 报到 button;
pressing it reports the unit in (on time), pressing it again says it already has; the lead
unit hears of it."""

from __future__ import annotations

from sqlmodel import select

from tests.bot.conftest import Harness, texts_of
from tests.tickets.test_whistles import whistled
from tickets.whistle_models import WhistleSummons

DEPARTMENT = 1001  # 区住建局, slot A
STREET = 1011  # 柳林洲街道, slot A: the lead of the whistle


async def test_report_in_by_button(harness: Harness) -> None:
    h = harness
    async with h.sessions() as session:
        number = await whistled(session, rules=h.rules, clock=h.clock, org=h.org)
    sent = await h.deliver_outbox()
    summons = [c for c in sent if c.chat_id == DEPARTMENT and "【吹哨报到】" in c.text]
    assert len(summons) == 1 and summons[0].buttons() == [["报到"]]
    assert "请贵单位于 2026-11-23 12:00 前报到" in summons[0].text

    pressed = await h.press(DEPARTMENT, summons[0].button_data("报到"))
    assert texts_of(pressed) == [
        f"已报到：工单 {number}（2026-11-23 10:00，按时报到）。请配合吹哨单位联合处置。"
    ]
    async with h.sessions() as session:
        row = (
            await session.exec(select(WhistleSummons).where(WhistleSummons.unit_id == h.org.unit_ids[0]))
        ).one()
        assert row.reported_in_via == "bot"

    again = await h.press(DEPARTMENT, summons[0].button_data("报到"))
    assert [(c.method, c.params.get("text"), c.params.get("show_alert")) for c in again] == [
        ("answerCallbackQuery", "区住建局已于 2026-11-23 10:00 报到，无需重复报到。", "true")]
    told = [c for c in await h.deliver_outbox() if c.chat_id == STREET]
    assert [c.text for c in told] == [f"【报到】区住建局已就工单 {number} 的吹哨报到（2026-11-23 10:00）。"]

    # The street's handler was not summoned: the same button tells it so.
    stranger = await h.press(STREET, summons[0].button_data("报到"))
    assert stranger[0].params.get("text") == f"柳林洲街道未被工单 {number} 的吹哨点名，无需报到。"
