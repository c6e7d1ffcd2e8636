"""Open311 GeoReport v2 (JSON), checked field by field against the spec: every field the
spec lists is present with its type, nothing else is added, errors use the spec's list."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tickets.clock import ManualClock

BASE = "/open311/v2"
STR, BOOL, INT = (str,), (bool,), (int,)
OPT_STR = (str, type(None))
OPT_NUM = (float, int, type(None))
# GeoReport v2: GET services — one object per service.
SERVICE_FIELDS = {"service_code": STR, "service_name": STR, "description": STR, "metadata": BOOL,
                  "type": STR, "keywords": STR, "group": STR}
# GET service definition — attributes.
ATTRIBUTE_FIELDS = {"variable": BOOL, "code": STR, "datatype": STR, "required": BOOL,
                    "datatype_description": STR, "order": INT, "description": STR, "values": (list,)}
# GET requests / GET request — one object per service request.
REQUEST_FIELDS = {"service_request_id": STR, "status": STR, "status_notes": OPT_STR, "service_name": OPT_STR,
                  "service_code": STR, "description": OPT_STR, "agency_responsible": OPT_STR,
                  "service_notice": OPT_STR, "requested_datetime": STR, "updated_datetime": OPT_STR,
                  "expected_datetime": OPT_STR, "address": OPT_STR, "address_id": OPT_STR, "zipcode": OPT_STR,
                  "lat": OPT_NUM, "long": OPT_NUM, "media_url": OPT_STR}
# POST request response.
CREATED_FIELDS = {"service_request_id": STR, "service_notice": OPT_STR, "account_id": OPT_STR}


def check_fields(obj: dict[str, Any], spec: dict[str, tuple[type, ...]]) -> None:
    assert set(obj) == set(spec), set(obj) ^ set(spec)
    for name, types in spec.items():
        assert isinstance(obj[name], types), (name, obj[name])


def check_w3c_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None and value.endswith("+08:00")
    return parsed


async def post_form(client: TestClient[Any, Any], data: dict[str, str]) -> tuple[int, Any]:
    response = await client.post(f"{BASE}/requests.json", data=data)
    assert response.content_type == "application/json"
    return response.status, await response.json()


FORM = {
    "service_code": "property",
    "address_string": "幸福小区3号楼",
    "description": "电梯坏了一周没人修，联系电话13800138000。",
    "first_name": "三",
    "last_name": "张",
    "phone": "13800138000",
    "attribute[request_type]": "complaint",
    "account_id": "app-user-7",
}


async def test_services_and_definition(api: Api) -> None:
    status, services = await api.get(f"{BASE}/services.json", check=False)
    assert status == 200 and len(services) == 17
    for service in services:
        check_fields(service, SERVICE_FIELDS)
        assert service["type"] in ("realtime", "batch", "blackbox") and service["metadata"] is True
    assert services[0] == {
        "service_code": "property",
        "service_name": "物业管理",
        "description": "小区物业服务、电梯、公共设施维修等",
        "metadata": True,
        "type": "realtime",
        "keywords": "物业,电梯,小区",
        "group": "城市管理",
    }

    status, definition = await api.get(f"{BASE}/services/property.json", check=False)
    assert status == 200 and set(definition) == {"service_code", "attributes"}
    [attribute] = definition["attributes"]
    check_fields(attribute, ATTRIBUTE_FIELDS)
    assert attribute["datatype"] in (
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    )
    assert attribute["values"][0] == {"key": "complaint", "name": "投诉"}
    assert [v["key"] for v in attribute["values"]] == [
        "complaint",
        "consultation",
        "help",
        "suggestion",
        "praise",
        "report",
    ]

    status, error = await api.get(f"{BASE}/services/pothole.json", check=False)
    assert status == 404 and error == [{"code": 404, "description": "未找到服务类型“pothole”。"}]


async def test_post_then_get_request(api: Api, keys: Keys, org: Org, clock: ManualClock) -> None:
    status, created = await post_form(api.client, {**FORM, "api_key": keys.creator})
    assert status == 201
    [item] = created
    check_fields(item, CREATED_FIELDS)
    number = item["service_request_id"]
    assert item["account_id"] == "app-user-7"
    assert item["service_notice"] == f"您的诉求已受理，工单号 {number}，承办单位将按时限办理。"

    status, [request] = await api.get(f"{BASE}/requests/{number}.json", check=False)
    assert status == 200
    check_fields(request, REQUEST_FIELDS)
    assert request["status"] == "open" and request["status_notes"] == "已受理"
    assert request["service_code"] == "property" and request["service_name"] == "物业管理"
    # Public data: the phone the citizen wrote into the description is masked; no contact fields.
    assert request["description"] == "电梯坏了一周没人修，联系电话138****8000。"
    assert request["address"] == "幸福小区3号楼" and request["agency_responsible"] is None
    assert check_w3c_datetime(request["requested_datetime"]) == clock.now()
    assert request["expected_datetime"] is None

    # The office dispatches and the unit closes it: status, notes and agency follow our ticket.
    await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    status, [request] = await api.get(f"{BASE}/requests/{number}.json", check=False)
    assert request["agency_responsible"] == org.unit_names[0] and request["status_notes"] == "已派单"
    assert check_w3c_datetime(request["expected_datetime"]) > clock.now()
    status, ticket = await api.get(f"/api/v1/tickets/{number}", key=keys.office)
    assert ticket["request_type"] == "complaint" and ticket["contact_name"] == "张三"
    assert ticket["contact_phone"] == "13800138000"
    await api.post(f"/api/v1/tickets/{number}/recall", key=keys.office, body={"note": "市民撤诉"})
    status, [request] = await api.get(f"{BASE}/requests/{number}.json", check=False)
    assert (request["status"], request["status_notes"]) == ("closed", "已撤回")

    status, tokens = await api.get(f"{BASE}/tokens/{number}.json", check=False)
    assert status == 200 and tokens == [{"token": number, "service_request_id": number}]


async def test_json_post_and_default_request_type(api: Api, keys: Keys) -> None:
    body = {"api_key": keys.creator, "service_code": "water", "lat": "31.23", "long": "121.47",
            "description": "整栋楼停水一天了"}
    status, [item] = await api.post(f"{BASE}/requests.json", body=body, check=False)
    assert status == 201
    status, ticket = await api.get(f"/api/v1/tickets/{item['service_request_id']}", key=keys.office)
    assert (ticket["request_type"], ticket["category"], ticket["place"]) == ("help", "供水", "31.23,121.47")


async def test_filters(api: Api, keys: Keys, clock: ManualClock) -> None:
    first = (await post_form(api.client, {**FORM, "api_key": keys.creator}))[1][0]["service_request_id"]
    clock.advance(timedelta(days=2))
    second = (await post_form(api.client, {**FORM, "api_key": keys.creator, "service_code": "parking",
                                           "description": "消防通道被占"}))[1][0]["service_request_id"]
    await api.post(f"/api/v1/tickets/{first}/send_back", key=keys.office, body={"reason": "不属本辖区"})

    async def ids(**params: str) -> list[str]:
        status, items = await api.get(f"{BASE}/requests.json", params=params, check=False)
        assert status == 200, items
        for item in items:
            check_fields(item, REQUEST_FIELDS)
        return [i["service_request_id"] for i in items]

    assert await ids() == [second, first]
    assert await ids(status="open") == [second]
    assert await ids(status="closed") == [first]
    assert await ids(status="open,closed") == [second, first]
    assert await ids(service_code="parking") == [second]
    assert await ids(start_date="2026-11-24T00:00:00+08:00") == [second]
    assert await ids(end_date="2026-11-24T00:00:00Z") == [first]
    assert await ids(service_request_id=f"{first},{second}", status="open") == [second, first]  # ids win
    clock.advance(timedelta(days=91))
    assert await ids() == []  # default window: the last 90 days

    status, error = await api.get(f"{BASE}/requests.json", params={"status": "pending"}, check=False)
    assert status == 400 and error == [{"code": 400, "description": "status 只能是 open 或 closed。"}]
    status, error = await api.get(f"{BASE}/requests.json", params={"start_date": "2026-11-24"}, check=False)
    assert status == 400 and error[0]["description"] == "日期“2026-11-24”不是有效的 ISO 8601 时间。"


async def test_errors_use_the_spec_format(api: Api, keys: Keys) -> None:
    status, error = await post_form(api.client, FORM)
    assert status == 401 and error == [{"code": 401, "description":
                                         "缺少 API 密钥，请在请求头 Authorization: Bearer <密钥> 中提供。"}]
    status, error = await post_form(api.client, {**FORM, "api_key": keys.reader})
    assert status == 403 and error[0]["code"] == 403
    status, error = await post_form(api.client, {**FORM, "api_key": keys.creator, "address_string": ""})
    assert (
        status == 400
        and error[0]["description"] == "请提供位置：lat 与 long，或 address_string，或 address_id。"
    )
    status, error = await post_form(api.client, {**FORM, "api_key": keys.creator, "service_code": "nope"})
    assert status == 400 and error[0]["description"] == "未找到服务类型“nope”。"
    status, error = await post_form(api.client, {**FORM, "api_key": keys.creator, "phone": "110"})
    assert (
        status == 400
        and error[0]["description"] == "phone 不是有效的电话号码，请填写11位手机号或带区号的固定电话。"
    )
    status, error = await api.get(f"{BASE}/requests/20990101000001.json", check=False)
    assert status == 404 and error == [{"code": 404, "description": "未找到诉求 20990101000001。"}]
    status, error = await api.get(f"{BASE}/tokens/unknown.json", check=False)
    assert status == 404 and error[0]["description"] == "未找到凭证 unknown。"
    status, error = await api.get(f"{BASE}/nothing.json", check=False)
    assert status == 404 and error == [{"code": 404, "description": "接口不存在，请核对请求地址。"}]
