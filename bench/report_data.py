"""Generated tickets for the report benchmark (and for looking at a bulletin with real volume).

Fast bulk inserts through SQLAlchemy Core; the distributions are plausible, not real data:
/work/shared/data is never read here.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tickets.clock import shanghai
from tickets.models import Citizen, Ticket, TicketCoUnit, TicketEvent, Unit

UNITS = [
    ("区住建局", "department"),
    ("区人社局", "department"),
    ("区卫生健康局", "department"),
    ("区市场监管局", "department"),
    ("区交通运输局", "department"),
    ("区城管局", "department"),
    ("区教育局", "department"),
    ("区民政局", "department"),
    ("区生态环境分局", "department"),
    ("区医疗保障局", "department"),
    ("区自然资源局", "department"),
    ("区农业农村局", "department"),
    ("公安分局", "department"),
    ("交警大队", "department"),
    ("区税务局", "department"),
    ("柳林洲街道", "street"),
    ("许市镇", "street"),
    ("良心堡镇", "street"),
    ("广兴洲镇", "street"),
    ("钱粮湖镇", "street"),
    ("南湖街道", "street"),
    ("城南街道", "street"),
    ("供电分公司", "utility"),
    ("自来水公司", "utility"),
    ("燃气公司", "utility"),
    ("热力公司", "utility"),
    ("城建投", "enterprise"),
    ("公交集团", "enterprise"),
    ("幸福社区", "community"),
    ("和平社区", "community"),
]
CATEGORIES = {
    "人力资源和社会保障": [
        "养老保险缴费基数调整咨询",
        "拖欠农民工工资三个月未发",
        "社保卡补办流程咨询",
        "失业金申领条件咨询",
    ],
    "住房与城乡建设": [
        "小区电梯故障长期无人维修",
        "楼顶渗水严重影响居住",
        "老旧小区改造进度缓慢",
        "房屋维修基金使用问题",
    ],
    "公共服务": ["路灯不亮晚上出行不安全", "公共厕所无人保洁", "公园健身器材损坏"],
    "农林水利": ["农田灌溉水渠堵塞", "粮食直补金未发放", "河道垃圾堆积"],
    "市场管理": ["超市销售过期食品", "商家拒绝退款", "预付卡商家跑路"],
    "医疗卫生健康": ["医院挂号难排队久", "诊所无证行医", "疫苗接种预约咨询"],
    "环境保护": ["工厂夜间排放异味", "餐馆油烟扰民", "建筑工地夜间施工噪音扰民"],
    "城市管理": ["占道经营影响通行", "违章搭建", "垃圾清运不及时"],
    "交通运输": ["公交车班次太少", "出租车拒载", "道路坑洼影响行车"],
    "教育": ["学位分配咨询", "校外培训机构退费难", "校车安全问题"],
    "物业管理": ["物业费上涨不合理", "小区停车位被占", "物业不作为楼道堆物"],
    "供电": ["小区频繁停电", "电费异常偏高", "电线老化存在安全隐患"],
    "供水": ["自来水浑浊发黄", "水压低高层无水", "水管爆裂无人处理"],
    "燃气": ["燃气开户流程咨询", "燃气表故障", "闻到燃气泄漏味道"],
}
PLACES = [
    f"{a}{b}{n}号"
    for a in ("幸福", "和平", "建设", "人民", "解放", "新华", "东方", "长江", "南湖", "城南")
    for b in ("小区", "路", "花园", "新村", "广场")
    for n in range(1, 41)
]
TAILS = ["，请尽快处理。", "，已经反映多次。", "，希望相关部门重视。", "，影响正常生活。"]
NULLABLE = (
    "dispatched_at",
    "due_at",
    "first_contact_due_at",
    "first_contact_at",
    "replied_at",
    "closed_at",
    "reply_text",
    "result",
    "callback_at",
    "callback_reached",
    "cb_satisfaction",
    "cb_contacted",
    "cb_answered",
    "cb_solved",
)
TYPES = ["complaint"] * 40 + ["help"] * 42 + ["consultation"] * 16 + ["suggestion", "report"]


async def generate(
    engine: AsyncEngine,
    *,
    tickets: int,
    first: datetime,
    last: datetime,
    seed: int = 12345,
    hotspot_at: datetime | None = None,
) -> dict[str, int]:
    """Insert units, citizens and `tickets` tickets received between `first` and `last`."""
    rng = random.Random(seed)
    T, CO, EV = Ticket.__table__, TicketCoUnit.__table__, TicketEvent.__table__  # type: ignore[attr-defined]
    U, C = Unit.__table__, Citizen.__table__  # type: ignore[attr-defined]
    created = datetime(2026, 1, 1, tzinfo=UTC)
    async with engine.begin() as conn:
        await conn.execute(
            U.insert(), [{"name": "区热线办", "kind": "office", "active": True, "keywords": ""}]
        )
        await conn.execute(
            U.insert(), [{"name": n, "kind": k, "active": True, "keywords": ""} for n, k in UNITS]
        )
        unit_ids = [r[0] for r in (await conn.execute(sa.select(U.c.id).where(U.c.kind != "office"))).all()]
        n_citizens = max(tickets // 8, 50)
        for start in range(0, n_citizens, 10000):
            await conn.execute(
                C.insert(),
                [
                    {
                        "name": rng.choice("张王李赵刘陈杨黄")
                        + rng.choice(["伟", "芳", "娜", "敏", "强", "磊"]),
                        "phone": f"13{rng.randint(0, 999999999):09d}",
                        "created_at": created,
                    }
                    for _ in range(start, min(start + 10000, n_citizens))
                ],
            )
        citizen_ids = [r[0] for r in (await conn.execute(sa.select(C.c.id))).all()]
    weights = [rng.uniform(0.2, 3.0) for _ in unit_ids]
    span = (last - first).total_seconds()
    categories = list(CATEGORIES)
    batch: list[dict[str, Any]] = []
    co_rows: list[dict[str, Any]] = []
    ev_rows: list[dict[str, Any]] = []
    number = 0

    def row(received: datetime, category: str, content: str, citizen: int, place: str) -> dict[str, Any]:
        nonlocal number
        number += 1
        r = rng.random()
        base: dict[str, Any] = dict.fromkeys(NULLABLE)
        base |= {
            "id": number,
            "number": f"G{number:09d}",
            "channel": rng.choice(["phone", "web", "bot", "upstream"]),
            "request_type": rng.choice(TYPES),
            "category": category,
            "urgency": "general",
            "content": content,
            "place": place,
            "status": "closed",
            "citizen_id": citizen,
            "contact_name": None,
            "contact_phone": None,
            "confidential": False,
            "main_unit_id": None,
            "received_at": received,
            "updated_at": received,
            "first_contact_attempts": 0,
            "extended_days": 0,
            "reply_details": {},
            "pending_request": {},
            "rework_count": 0,
            "repeat_count": 0,
            "supervised": False,
            "archived": False,
        }
        if r < 0.25:
            base.update(
                status="direct_answered",
                replied_at=received + timedelta(minutes=5),
                closed_at=received + timedelta(minutes=5),
                reply_text="已由热线直接答复。",
            )
            return base
        if r < 0.27:
            base.update(status="sent_back", closed_at=received + timedelta(hours=2))
            return base
        unit = rng.choices(unit_ids, weights)[0]
        due = received + timedelta(days=7)
        base.update(
            main_unit_id=unit,
            dispatched_at=received + timedelta(minutes=30),
            due_at=due,
            first_contact_due_at=received + timedelta(days=1),
        )
        if rng.random() < 0.93:
            base["first_contact_at"] = received + timedelta(hours=rng.triangular(0.2, 26, 3))
            base["first_contact_attempts"] = 1
        if rng.random() < 0.97:
            replied = received + timedelta(days=rng.triangular(0.1, 7.6, 2))
            base.update(
                replied_at=replied,
                status="replied",
                reply_text="经核实，已按规定处理并答复市民，市民表示认可。"
                if rng.random() < 0.97
                else "已处理。",
                result=rng.choices(
                    ["solved", "explained", "noted", "demand_too_high", "unsolved"], [60, 28, 6, 4, 2]
                )[0],
            )
            if rng.random() < 0.85:
                reached = rng.random() < 0.9
                base.update(callback_at=replied + timedelta(days=1), callback_reached=reached)
                if reached:
                    sat = rng.choices(
                        ["satisfied", "basically_satisfied", "average", "unsatisfied"], [82, 9, 5, 4]
                    )[0]
                    base.update(
                        cb_satisfaction=sat,
                        cb_contacted=rng.random() < 0.97,
                        cb_answered=rng.random() < 0.98,
                        cb_solved=base["result"] == "solved",
                        status="closed",
                        closed_at=replied + timedelta(days=1),
                    )
        else:
            base["status"] = "accepted"
        if rng.random() < 0.03:
            base["rework_count"] = 1
        if rng.random() < 0.005:
            base["archived"] = True
        if rng.random() < 0.01:
            base["supervised"] = True
        if rng.random() < 0.08:
            co_rows.append({"ticket_id": number, "unit_id": rng.choice([u for u in unit_ids if u != unit])})
        if rng.random() < 0.002:
            ev_rows.append(
                {
                    "ticket_id": number,
                    "at": received + timedelta(days=1),
                    "actor_role": "office",
                    "actor_name": "",
                    "action": "refuse_return",
                    "from_status": "return_requested",
                    "to_status": "accepted",
                    "note": "属于本单位职责",
                    "data": {},
                }
            )
        return base

    async def flush() -> None:
        async with engine.begin() as conn:
            if batch:
                await conn.execute(T.insert(), batch)
            if co_rows:
                await conn.execute(CO.insert(), co_rows)
            if ev_rows:
                await conn.execute(EV.insert(), ev_rows)
        batch.clear()
        co_rows.clear()
        ev_rows.clear()

    for _ in range(tickets):
        received = first + timedelta(seconds=rng.uniform(0, span))
        category = rng.choice(categories)
        content = rng.choice(CATEGORIES[category]) + rng.choice(TAILS)
        place = rng.choice(PLACES)
        batch.append(row(received, category, content, rng.choice(citizen_ids), place))
        if len(batch) >= 5000:
            await flush()
    if hotspot_at is not None:
        # Twelve different citizens about one lift within three days: one 民情专报.
        for i in range(12):
            batch.append(
                row(
                    hotspot_at + timedelta(hours=6 * i),
                    "住房与城乡建设",
                    "幸福小区3号楼电梯又坏了，老人上下楼很困难" + TAILS[i % 4],
                    citizen_ids[i],
                    "幸福小区3号楼",
                )
            )
    await flush()
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            for table in ("ticket", "citizen", "unit", "ticketevent"):
                await conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM"
                        f" {table}))"
                    )
                )
            await conn.execute(sa.text("ANALYZE"))
    return {"tickets": number, "units": len(unit_ids), "citizens": len(citizen_ids)}


def october() -> tuple[datetime, datetime]:
    return shanghai(2026, 10, 1), shanghai(2026, 11, 1)
