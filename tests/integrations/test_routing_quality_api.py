"""Issue 17 through the real app: a dispatch over the API is recorded with the router's
suggestions (wired in integrations.app), and the office reads the router's quality."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tests.integrations.test_api import new_ticket
from tickets.models import RoutingLabel


async def test_api_dispatch_is_a_label_and_the_office_reads_the_quality(api: Api, keys: Keys, org: Org,
                                                                        session: AsyncSession) -> None:
    number = (await new_ticket(api, keys))["number"]  # 电梯坏了…物业一直不修
    status, _ = await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office,
                               body={"unit_id": org.unit_ids[0]})
    assert status == 200
    label = (await session.exec(select(RoutingLabel))).one()
    assert (
        label.model_version == "keywords" and label.suggested[0]["name"] == "区住建局" and label.first_taken
    )
    status, body = await api.get("/api/v1/routing/quality", key=keys.office,
                                 params={"from": "2026-11-23", "to": "2026-11-23"})
    assert status == 200
    assert body["overall"] == {"n": 1, "top1": 1.0, "top3": 1.0}
    assert body["by_week"] == {"2026-W48": {"n": 1, "top1": 1.0, "top3": 1.0}}
    assert list(body["by_unit"]) == ["区住建局"]
    status, body = await api.get("/api/v1/routing/quality", key=keys.handler0)
    assert status == 403 and body["error"]["code"] == "office_only" and "派单建议" in body["error"]["message"]
    status, body = await api.get("/api/v1/routing/quality", key=keys.office, params={"from": "yesterday"})
    assert status == 400
