"""The privacy test of issue 19, on SQLite and PostgreSQL: tickets are filed with phone
numbers in every spelling, in every text field, through the REST API, Open311, the signed
upstream hook and the Telegram bot; the workflow quotes more of them in its notes and
replies. Then every output a stranger to those tickets can reach is scanned — Open311
list and detail, other units' and other systems' REST reads, the captured access and error
logs, the bulletin's Markdown and XLSX, and the pushes to staff chats in the fake Telegram
server — and no number survives beyond its masked form. The owner's own view is scanned
too, to show the scanner finds the numbers where they may be seen."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports.bulletin import build_bulletin
from reports.export import write_bulletin
from reports.periods import parse_period
from reports.rankings import load_ranking_rules
from reports.schemes import load_scheme
from tests.bot.conftest import Harness, fake_server, harness, knowledge, storage  # noqa: F401  (bot fixtures)
from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tests.integrations.test_api import REPLY
from tests.integrations.test_open311 import FORM, post_form
from tests.integrations.test_upstream import deliver
from tickets.clock import ManualClock, shanghai
from tickets.db import SessionFactory
from tickets.policy import load_policy


@dataclass(frozen=True)
class Phone:
    written: str
    prefix: str  # what the masked form keeps in front (138, 021) — "" for a local number
    middle: str  # what it hides
    last: str  # what it keeps at the end

    def leaks(self, text: str) -> bool:
        """Whether the hidden digits show up next to either visible part, however separated."""
        return (bool(self.prefix) and self.prefix + self.middle in text) or self.middle + self.last in text


# One number per spelling, each hiding its own digits (94xx: nothing else in the outputs has them).
PHONES = [
    Phone("138 9401 5679", "138", "9401", "5679"),
    Phone("138-9402-5670", "138", "9402", "5670"),
    Phone("+8613894035671", "138", "9403", "5671"),
    Phone("8613894045672", "138", "9404", "5672"),
    Phone("１３８９４０５５６７３", "138", "9405", "5673"),
    Phone("+86 139 9406 5674", "139", "9406", "5674"),
    Phone("021-94076278", "021", "9407", "6278"),
    Phone("(0755)94086278", "0755", "9408", "6278"),
    Phone("010-94096278转801", "010", "9409", "6278"),
    Phone("０２１－９４１０６２７８", "021", "9410", "6278"),
    Phone("电话：9411 6278", "", "9411", "6278"),
    Phone("13894125678", "138", "9412", "5678"),
    Phone("+86 21 9413 6278", "021", "9413", "6278"),
    Phone("138.9414.5678", "138", "9414", "5678"),
]
ALL = "；".join(p.written for p in PHONES)
# Contact phones (validated fields) and the words of the workflow, in more spellings.
CONTACT = Phone("+86 138 9415 5678", "138", "9415", "5678")
BOT_PHONE = Phone("138-9416-5678", "138", "9416", "5678")
NOTE = Phone("021 9417 6278", "021", "9417", "6278")
REPLY_PHONE = Phone("１３８ ９４１８ ５６７８", "138", "9418", "5678")
EVERY = [*PHONES, CONTACT, BOT_PHONE, NOTE, REPLY_PHONE]
_SEPARATORS = re.compile(r"(?<=\d)[\s\-－.．()（）+＋/]+(?=\d)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def leaked(text: str) -> list[str]:
    flat = _SEPARATORS.sub("", text.translate(_FULLWIDTH))
    return [p.written for p in EVERY if p.leaks(flat)]


async def file_everywhere(api: Api, keys: Keys, h: Harness, clock: ManualClock) -> list[str]:
    numbers: list[str] = []
    # REST: every text field.
    status, body = await api.post("/api/v1/tickets", key=keys.creator, body={
        "request_type": "complaint", "category": "物业管理", "content": f"电梯坏了，请回电：{ALL}",
        "place": f"幸福小区3栋2单元1201室 电话{PHONES[0].written} 座机{PHONES[6].written}",
        "contact_name": f"张三{PHONES[1].written}", "contact_phone": CONTACT.written})
    assert status == 201, body
    numbers.append(body["number"])
    # Ten neighbours on the same matter: a hotspot, whose draft and places reach the bulletin.
    for i in range(10):
        status, body = await api.post("/api/v1/tickets", key=keys.creator, body={
            "request_type": "complaint", "category": "噪声扰民",
            "content": f"工地夜间施工噪音扰民，我的电话{PHONES[2 + i % 10].written}",
            "place": f"幸福路88弄 联系人电话{PHONES[11].written}", "contact_phone": f"1390000{i:04d}"})
        assert status == 201, body
        numbers.append(body["number"])
    # Open311.
    status, created = await post_form(api.client, {
        **FORM, "api_key": keys.creator, "description": f"路灯不亮：{ALL}",
        "address_string": f"柳林路5号 {PHONES[12].written}", "phone": CONTACT.written,
        "first_name": PHONES[3].written})
    assert status == 201, created
    numbers.append(created[0]["service_request_id"])
    # The signed upstream hook.
    event = {"event_id": "EVT-PRIV-1", "event_type": "dispatch", "occurred_at": "2026-11-23T09:58:12+08:00",
             "data": {"number": "SH-PRIV-1", "request_type": "complaint", "category": "市场管理",
                      "content": f"商家缺斤短两：{ALL}", "place": f"农贸市场 {PHONES[13].written}",
                      "contact_name": f"李四 {PHONES[4].written}", "contact_phone": CONTACT.written}}
    status, ack = await deliver(api, clock, json.dumps(event, ensure_ascii=False).encode())
    assert status == 200, ack
    numbers.append(ack["ticket_number"])
    # The bot, with a NUL pasted into the words (stripped at the bot's edge).
    await h.say(CITIZEN, "我要反映")
    await h.say(CITIZEN, f"楼道\x00堆物，请联系 {ALL}")
    await h.say(CITIZEN, f"幸福小区9栋 {PHONES[5].written}")
    summary = await h.say(CITIZEN, BOT_PHONE.written)
    done = await h.press(CITIZEN, summary[-1].button_data("✅ 确认提交"))
    number = re.search(r"\d{13}", done[-1].text)
    assert number is not None, done[-1].text
    numbers.append(number.group())
    return numbers


async def work_them(api: Api, keys: Keys, org: Org, clock: ManualClock, numbers: list[str]) -> None:
    note = f"请尽快联系市民 {NOTE.written}"
    for number in numbers:
        status, body = await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office,
                                      body={"unit_id": org.unit_ids[0], "note": note})
        assert status == 200, body
    first, *_ = numbers
    clock.advance(timedelta(minutes=30))
    status, body = await api.post(f"/api/v1/tickets/{first}/first_contact", key=keys.handler0,
                                  body={"reached": True, "note": note})
    assert status == 200, body
    status, body = await api.post(f"/api/v1/tickets/{first}/request_extension", key=keys.handler0,
                                  body={"days": 2, "reason": f"需物业配合，物业电话 {NOTE.written}"})
    assert status == 200, body
    status, body = await api.post(f"/api/v1/tickets/{first}/decide_extension", key=keys.office,
                                  body={"approve": True})
    assert status == 200, body
    clock.advance(timedelta(hours=2))
    status, body = await api.post(f"/api/v1/tickets/{first}/reply", key=keys.handler0, body={
        **REPLY, "text": f"已修复电梯，并电话 {REPLY_PHONE.written} 告知市民，市民表示满意。",
        "answered_at": clock.now().isoformat()})
    assert status == 200, body
    status, body = await api.post(f"/api/v1/tickets/{first}/callback", key=keys.office, body={
        "reached": True, "contacted": True, "answered": True, "solved": True, "satisfaction": "satisfied",
        "note": f"回访 {REPLY_PHONE.written} 满意"})
    assert status == 200 and body["status"] == "closed", body
    # A request the intake refuses, quoting the phone back to its sender (and only to them).
    status, _ = await api.post("/api/v1/tickets", key=keys.creator, body={
        "request_type": "help", "content": "x", "contact_phone": f"{PHONES[0].written}0"})
    assert status == 422


CITIZEN = 5001


async def test_no_phone_survives_in_anything_a_stranger_reads(
        api: Api, keys: Keys, org: Org, clock: ManualClock, harness: Harness,  # noqa: F811
        sessions: SessionFactory,
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    numbers = await file_everywhere(api, keys, harness, clock)
    await work_them(api, keys, org, clock, numbers)
    try:  # an error log with a traceback that quotes the citizen's words
        raise ValueError(f"bad row {ALL}")
    except ValueError:
        logging.getLogger("integrations.http").exception("failure while handling %s", ALL)
    pushed = await harness.deliver_outbox()
    assert pushed, "the staff pushes were delivered"

    outputs: dict[str, str] = {}
    status, listed = await api.get("/open311/v2/requests.json", check=False)
    assert status == 200 and {r["service_request_id"] for r in listed} == set(numbers)
    outputs["open311 list"] = json.dumps(listed, ensure_ascii=False)
    for number in numbers:
        status, detail = await api.get(f"/open311/v2/requests/{number}.json", check=False)
        assert status == 200
        outputs[f"open311 {number}"] = json.dumps(detail, ensure_ascii=False)
    for who in ("handler1", "reader"):
        key = getattr(keys, who)
        status, page = await api.get("/api/v1/tickets", key=key, params={"limit": "200"})
        assert status == 200 and page["total"] == len(numbers)
        outputs[f"{who} list"] = json.dumps(page, ensure_ascii=False)
        for number in numbers:
            status, ticket = await api.get(f"/api/v1/tickets/{number}", key=key)
            assert status == 200
            outputs[f"{who} {number}"] = json.dumps(ticket, ensure_ascii=False)
    for call in harness.fake.calls:
        if call.method in ("sendMessage", "editMessageText") and call.chat_id != CITIZEN:
            outputs[f"telegram to {call.chat_id}: {call.text[:20]}"] = call.text
    bulletin = await build_bulletin(
        sessions,
        kind="weekly",
        period=parse_period("2026-W48"),
        policy=load_policy(),
        scheme=load_scheme("comprehensive-index"),
        rules=load_ranking_rules(),
        made_at=shanghai(2026, 11, 30, 9),
    )
    files = write_bulletin(bulletin, tmp_path, with_charts=False)
    outputs["bulletin markdown"] = files.markdown.read_text(encoding="utf-8")
    workbook = load_workbook(files.xlsx)
    outputs["bulletin xlsx"] = "\n".join(
        str(cell.value)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    )
    outputs["logs"] = caplog.text

    # The scan reaches what it should: the hotspot, the typical case, the pushes, the logs.
    assert "138****5679" in outputs["bulletin markdown"] and "幸福路88弄" in outputs["bulletin markdown"]
    assert any(k.startswith("telegram to 9001") for k in outputs) and any(k.startswith("telegram to 1001")
                                                                          for k in outputs)
    assert "Traceback" in outputs["logs"] and "aiohttp.access" in outputs["logs"]
    found = {where: leaked(text) for where, text in outputs.items()}
    assert {where: phones for where, phones in found.items() if phones} == {}

    # The NUL the citizen pasted in the bot was stripped, not stored (PostgreSQL refuses it).
    status, filed_in_bot = await api.get(f"/api/v1/tickets/{numbers[-1]}", key=keys.office)
    assert filed_in_bot["channel"] == "bot" and filed_in_bot["content"] == f"楼道堆物，请联系 {ALL}"

    # The scanner does find them where they may be seen: the office's own read.
    status, office = await api.get(f"/api/v1/tickets/{numbers[0]}", key=keys.office)
    assert sorted(leaked(json.dumps(office, ensure_ascii=False))) == sorted(
        p.written for p in [*PHONES, CONTACT, NOTE, REPLY_PHONE])
