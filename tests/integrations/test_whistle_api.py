"""吹哨报到 and the deputies' flag over the REST API (real app, responses checked against the
OpenAPI document by the Api helper): the street whistles, the department acknowledges with
its key, twice is refused, unknown units and closed tickets get clear errors."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tests.integrations.test_api import new_ticket
from tickets.whistle_models import DeputyReferral, WhistleSummons


async def test_whistle_report_in_and_meeting_through_the_api(api: Api, keys: Keys, org: Org,
                                                             session: AsyncSession) -> None:
    number = (await new_ticket(api, keys))["number"]
    path = f"/api/v1/tickets/{number}"
    status, _ = await api.post(f"{path}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[1]})
    assert status == 200
    assert (await api.post(f"{path}/accept", key=keys.handler1))[0] == 200

    status, body = await api.post(f"{path}/whistle", key=keys.handler1,
                                  body={"unit_ids": [99999], "reason": "电梯长期故障，需住建部门到场"})
    assert status == 404
    assert body["error"] == {
        "code": "not_found",
        "message": "未找到单位（编号 99999），请核对后再点名报到单位。",
    }
    status, body = await api.post(f"{path}/whistle", key=keys.handler0,
                                  body={"unit_ids": [org.unit_ids[2]], "reason": "联合处置"})
    assert status == 403 and body["error"]["message"] == f"只有工单 {number} 的主办单位或热线办可以吹哨。"

    status, body = await api.post(f"{path}/whistle", key=keys.handler1,
                                  body={"unit_ids": [org.unit_ids[0], org.unit_ids[2]],
                                        "reason": "电梯长期故障，需住建部门到场"})
    assert status == 200 and body["status"] == "accepted"
    assert "report_in" in body["allowed_actions"] and "whistle" in body["allowed_actions"]

    status, body = await api.post(f"{path}/report_in", key=keys.handler0)
    assert status == 200
    status, body = await api.post(f"{path}/report_in", key=keys.handler0)
    assert status == 409
    assert body["error"]["code"] == "illegal_transition"
    assert body["error"]["message"] == "区住建局已于 2026-11-23 10:00 报到，无需重复报到。"
    summons = (
        await session.exec(select(WhistleSummons).where(WhistleSummons.unit_id == org.unit_ids[0]))
    ).one()
    assert summons.reported_in_via == "api" and summons.reported_in_at is not None

    status, body = await api.post(f"{path}/whistle_meeting", key=keys.handler1, body={
        "date": "2026-11-24", "place": "幸福小区3号楼", "attendees": ["柳林洲街道", "区住建局"],
        "decisions": "住建局督促维保单位三日内更换控制板"})
    assert status == 200
    status, body = await api.post(f"{path}/deputy_referral", key=keys.office,
                                  body={"deputy": "王代表", "station": "柳林洲街道人大代表联络站"})
    assert status == 200
    status, body = await api.post(f"{path}/deputy_referral", key=keys.office, body={"deputy": "王代表"})
    assert status == 409 and body["error"]["message"] == f"工单 {number} 已标记为人大代表（王代表）转办。"
    assert (await session.exec(select(DeputyReferral))).one().station == "柳林洲街道人大代表联络站"

    status, body = await api.get(path, key=keys.office)
    trail = [(e["action"], e["action_label"]) for e in body["events"]][-4:]
    assert trail == [("whistle", "吹哨"), ("report_in", "报到"), ("whistle_meeting", "吹哨现场会"),
                     ("deputy_referral", "人大代表转办")]

    # Recalled, the ticket takes no whistle any more.
    assert (await api.post(f"{path}/recall", key=keys.office, body={"note": "上级撤回"}))[0] == 200
    status, body = await api.post(f"{path}/whistle", key=keys.office,
                                  body={"unit_ids": [org.unit_ids[0]], "reason": "联合处置"})
    assert status == 409
    assert body["error"]["message"] == f"工单 {number} 当前状态为“已撤回”，不能进行“吹哨”操作。"
