"""Knowledge-base ask (/api/v1/kb/ask) and telephony agent assist (/hooks/telephony/calls)
through the real app, with the shipped knowledge base."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.models import TelephonyCall
from tests.integrations.conftest import Api, Keys
from tickets.models import Ticket

CALL = {
    "call_id": "CC-20261123-0001",
    "caller_number": "13700001234",
    "agent_id": "A017",
    "transcript": "你好，我的社保卡丢了，想问一下怎么补办。",
}


async def test_kb_ask_bands(api: Api, keys: Keys) -> None:
    status, out = await api.post("/api/v1/kb/ask", key=keys.office, body={"text": "社保卡丢了怎么补办"})
    assert status == 200 and out["band"] == "answer" and out["next_action"] == "ask_if_solved"
    assert [a["id"] for a in out["answers"]] == ["sbk_lost"]
    assert out["reply"].endswith("以上回答解决您的问题了吗？")

    status, out = await api.post("/api/v1/kb/ask", key=keys.office, body={"text": "我要转人工"})
    assert (out["band"], out["reply"]) == (
        "none",
        "好的，您可以转人工客服，或者直接提交诉求，我们会尽快为您办理。",
    )
    status, out = await api.post("/api/v1/kb/ask", key=keys.office, body={"text": "  "})
    assert out["band"] == "none" and out["answers"] == []
    assert out["reply"] == "您好，请用一句话描述您想咨询或反映的问题，例如“社保卡丢了怎么补办”。"

    # Declined entries are never the direct answer again.
    status, out = await api.post("/api/v1/kb/ask", key=keys.office,
                                 body={"text": "社保卡丢了怎么补办", "declined_entry_ids": ["sbk_lost"]})
    assert out["band"] != "answer"

    status, out = await api.post("/api/v1/kb/ask", key=keys.reader, body={"text": "社保卡"})
    assert status == 403
    status, out = await api.post("/api/v1/kb/ask", key=keys.office, body={"text": "长" * 5001})
    assert status == 422


async def test_call_gets_answers_then_a_ticket_once(api: Api, keys: Keys, session: AsyncSession,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    status, out = await api.post("/hooks/telephony/calls", key=keys.telephony, body=CALL)
    assert status == 201, out
    assert (
        out["caller_number"] == "137****1234" and out["ticket_number"] is None and out["duplicate"] is False
    )
    assert 1 <= len(out["answers"]) <= 3 and out["answers"][0]["id"] == "sbk_lost"
    assert out["classification"] == {
        "category": "人力资源和社会保障",
        "request_type": "consultation",
        "urgency": "general",
        "confidence": 1.0,
        "source": "keywords",
        "suggestions": [{"label": "人力资源和社会保障", "confidence": 1.0}],
    }

    # Re-posted (a retry of the call-centre system): the same assist, nothing new.
    status, again = await api.post("/hooks/telephony/calls", key=keys.telephony, body=CALL)
    assert status == 200 and again == {**out, "duplicate": True}

    # The agent asks for a ticket on the same call, confirming only the type.
    ask = {**CALL, "ticket": {"request_type": "help"}}
    status, filed = await api.post("/hooks/telephony/calls", key=keys.telephony, body=ask)
    assert status == 200 and filed["ticket_number"] is not None and filed["duplicate"] is False
    status, repeat = await api.post("/hooks/telephony/calls", key=keys.telephony, body=ask)
    assert repeat["ticket_number"] == filed["ticket_number"] and repeat["duplicate"] is True

    status, ticket = await api.get(f"/api/v1/tickets/{filed['ticket_number']}", key=keys.office)
    assert ticket["channel"] == "telephony" and ticket["request_type"] == "help"
    assert ticket["category"] == "人力资源和社会保障"  # from the classification
    assert ticket["content"] == CALL["transcript"] and ticket["contact_phone"] == "13700001234"
    assert (await session.exec(select(func.count()).select_from(Ticket))).one() == 1
    # No full phone number in any log line.
    assert "13700001234" not in caplog.text and "137****1234" in caplog.text


async def test_ticket_on_first_post_and_concurrent_repeats(
    api: Api, keys: Keys, session: AsyncSession
) -> None:
    body = {**CALL, "call_id": "CC-2", "transcript": "楼下工地半夜还在施工，吵得睡不着，都投诉好几次了。",
            "ticket": {}}
    results = await asyncio.gather(*(api.post("/hooks/telephony/calls", key=keys.telephony, body=body)
                                     for _ in range(3)))
    assert sorted(status for status, _ in results) == [200, 200, 201]
    assert len({out["ticket_number"] for _, out in results}) == 1
    assert (await session.exec(select(func.count()).select_from(Ticket))).one() == 1
    call = await session.get(TelephonyCall, "CC-2")
    assert call is not None and call.caller_phone == "13700001234"
    ticket = (await session.exec(select(Ticket))).one()
    # Everything the agent left out came from the classifier.
    assert (ticket.request_type, ticket.category, ticket.urgency) == (
        "complaint",
        "住房与城乡建设",
        "general",
    )


async def test_call_errors(api: Api, keys: Keys) -> None:
    status, out = await api.post("/hooks/telephony/calls", body=CALL)
    assert status == 401
    status, out = await api.post("/hooks/telephony/calls", key=keys.office, body={**CALL, "call_id": ""})
    assert status == 422 and out["error"]["message"] == "请求参数有误：call_id（内容过短）。"
    status, out = await api.post(
        "/hooks/telephony/calls", key=keys.office, body={**CALL, "caller_number": "abc"}
    )
    assert status == 422 and out["error"]["message"] == "请求参数有误：caller_number（格式不正确）。"
    await api.post("/hooks/telephony/calls", key=keys.telephony, body=CALL)
    status, out = await api.post(
        "/hooks/telephony/calls", key=keys.telephony, body={**CALL, "agent_id": "B001"}
    )
    assert (
        status == 409 and out["error"]["message"] == "通话 CC-20261123-0001 已登记，且内容与本次提交不一致。"
    )
    status, out = await api.post("/hooks/telephony/calls", key=keys.reader, body=CALL)
    assert status == 403


async def test_kb_gaps_for_the_office_and_one_step_entry(api: Api, keys: Keys, session: AsyncSession) -> None:
    from knowledge_base import service as kb_service
    from tickets.clock import ManualClock, shanghai

    for text in ("小区门口共享单车乱停谁管", "共享单车把小区门口堵住了找谁"):
        await kb_service.record_miss(session, query=text, clock=ManualClock(shanghai(2026, 11, 24, 9)))
    await session.commit()
    status, out = await api.get("/api/v1/kb/gaps", key=keys.office, params={"week": "2026-W48"})
    assert status == 200, out
    assert out["clusters"][0]["size"] == 2
    cluster = out["clusters"][0]["id"]
    status, _ = await api.get("/api/v1/kb/gaps", key=keys.handler0, params={"week": "2026-W48"})
    assert status == 403
    status, out = await api.get("/api/v1/kb/gaps", key=keys.office, params={"week": "next"})
    assert status in {400, 422}
    status, out = await api.post(
        "/api/v1/kb/gaps/entry",
        key=keys.office,
        body={"week": "2026-W48", "cluster": cluster, "answer": "可向街道城管反映。"},
    )
    assert status == 201, out
    assert out["question"] == "小区门口共享单车乱停谁管"
    assert out["alternatives"] == ["共享单车把小区门口堵住了找谁"]
    status, out = await api.post("/api/v1/kb/gaps/entry", key=keys.office,
                                 body={"week": "2026-W48", "cluster": "nope", "answer": "答"})
    assert status == 404


async def _misses(session: AsyncSession) -> list[tuple[str, str]]:
    from knowledge_base.models import KnowledgeMiss

    session.expire_all()
    rows = (await session.exec(select(KnowledgeMiss).order_by(KnowledgeMiss.id))).all()  # type: ignore[arg-type]
    return [(m.query, m.channel) for m in rows]


async def test_kb_ask_keeps_unanswered_questions_for_the_gap_list(
    api: Api, keys: Keys, session: AsyncSession
) -> None:
    status, out = await api.post("/api/v1/kb/ask", key=keys.office,
                                 body={"text": "帮我写一首关于秋天的诗 13912345678"})
    assert status == 200 and out["band"] == "none"
    assert "missed" not in out
    # Answered, empty, "a person please" and outside the hotline's remit are not misses.
    for text in ("社保卡丢了怎么补办", "  ", "我要转人工", "帮我推荐一只明天会涨的股票"):
        await api.post("/api/v1/kb/ask", key=keys.office, body={"text": text})
    assert await _misses(session) == [("帮我写一首关于秋天的诗 139****5678", "api")]


async def test_a_new_entry_is_answered_without_a_restart(api: Api, keys: Keys, session: AsyncSession) -> None:
    from knowledge_base import service as kb_service
    from tickets.clock import ManualClock, shanghai

    clock = ManualClock(shanghai(2026, 11, 24, 9))
    question = "共享单车把小区门口堵住了找谁"
    status, out = await api.post("/api/v1/kb/ask", key=keys.office, body={"text": question})
    assert out["band"] != "answer"
    # Through the API (the office's one step from a gap cluster): answered at once.
    await kb_service.record_miss(session, query=question, clock=clock)
    await kb_service.record_miss(session, query="小区门口共享单车乱停谁管", clock=clock)
    await session.commit()
    status, out = await api.get("/api/v1/kb/gaps", key=keys.office, params={"week": "2026-W48"})
    cluster = out["clusters"][0]["id"]
    status, out = await api.post(
        "/api/v1/kb/gaps/entry",
        key=keys.office,
        body={"week": "2026-W48", "cluster": cluster, "answer": "可向街道城管反映。"},
    )
    assert status == 201, out
    status, out = await api.post("/api/v1/kb/ask", key=keys.office, body={"text": question})
    assert out["band"] == "answer" and out["answers"][0]["answer"] == "可向街道城管反映。"


async def test_another_process_import_is_served_after_the_refresh_period(
    aiohttp_client: Any, make_app: Any, keys: Keys, session: AsyncSession
) -> None:
    from knowledge_base import service as kb_service
    from knowledge_base.files import default_records
    from tickets.clock import ManualClock, shanghai

    api = Api(await aiohttp_client(make_app(kb_refresh_seconds=0.2)))
    _, out = await api.post("/api/v1/kb/ask", key=keys.office, body={"text": "社保卡丢了怎么补办"})
    assert out["answers"][0]["id"] == "sbk_lost"
    # What `kb import` does in its own process: the shipped entries, one answer changed.
    records = [
        r if r.id != "sbk_lost" else replace(r, answer=r.answer.replace("补卡。", "补卡，也可在线补卡。"))
        for r in default_records()
    ]
    await kb_service.upsert_entries(session, records=records, actor="cli",
                                    clock=ManualClock(shanghai(2026, 11, 24, 9)))
    await session.commit()
    for _ in range(100):  # bounded: at most 10 s
        _, out = await api.post("/api/v1/kb/ask", key=keys.office, body={"text": "社保卡丢了怎么补办"})
        if "也可在线补卡" in out["answers"][0]["answer"]:
            break
        await asyncio.sleep(0.1)
    assert out["band"] == "answer" and "也可在线补卡" in out["answers"][0]["answer"]
