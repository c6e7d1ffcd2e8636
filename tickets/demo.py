"""A demo jurisdiction: about 20 units like those in the seeds, two handlers each, an
office account, and a few hundred tickets over the last 60 days in every state.

Tickets are driven through the real service functions on a simulated clock, so the
audit trail, deadlines and outbox look exactly like production data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import intake, texts
from tickets import service as svc
from tickets.clock import SHANGHAI, ManualClock, local
from tickets.context import Actor, Rules
from tickets.db import SessionFactory
from tickets.demo_linkage import OFFICE_UNIT, Linkage, load_linkage
from tickets.enums import (
    Channel,
    HandlerSlot,
    RequestType,
    ResultCategory,
    Role,
    Satisfaction,
    UnitKind,
    Urgency,
)
from tickets.models import Staff, Ticket, Unit
from tickets.schemas import CallbackAnswers, ReplyData, TicketCreate

UNITS: list[tuple[str, UnitKind, str]] = [
    ("区人力资源和社会保障局", UnitKind.DEPARTMENT, "社保 工资 劳动 就业 养老金 失业"),
    ("区住房和城乡建设局", UnitKind.DEPARTMENT, "物业 房屋 住房 维修基金 电梯"),
    ("区市场监督管理局", UnitKind.DEPARTMENT, "消费 食品 商家 价格 营业执照"),
    ("区卫生健康局", UnitKind.DEPARTMENT, "医院 医生 疫苗 卫生"),
    ("区医疗保障局", UnitKind.DEPARTMENT, "医保 报销 门诊"),
    ("区教育局", UnitKind.DEPARTMENT, "学校 入学 学位 培训 幼儿园"),
    ("区交通运输局", UnitKind.DEPARTMENT, "公交 出租车 道路 网约车"),
    ("区城市管理局", UnitKind.DEPARTMENT, "占道 噪音 垃圾 违建 路灯"),
    ("区生态环境局", UnitKind.DEPARTMENT, "污染 排放 油烟 异味"),
    ("区农业农村局", UnitKind.DEPARTMENT, "农业 种植 养殖 农村"),
    ("区公安分局", UnitKind.DEPARTMENT, "户籍 落户 居住证 治安"),
    ("柳林洲街道", UnitKind.STREET, "小区 社区 邻里"),
    ("南湖街道", UnitKind.STREET, "小区 社区 邻里"),
    ("城东街道", UnitKind.STREET, "小区 社区 邻里"),
    ("兴隆镇", UnitKind.STREET, "村 镇 道路"),
    ("幸福社区居委会", UnitKind.COMMUNITY, "楼道 邻里 社区"),
    ("供电分公司", UnitKind.UTILITY, "停电 电费 电表 线路"),
    ("自来水公司", UnitKind.UTILITY, "停水 水压 水费 水管"),
    ("燃气公司", UnitKind.UTILITY, "燃气 天然气 煤气"),
    ("城市建设投资集团公司", UnitKind.ENTERPRISE, "工程 施工 市政"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平"]

# Our own sample requests: (type, category, unit index, urgency, text, place).
SAMPLES: list[tuple[RequestType, str, int, Urgency, str, str]] = [
    (
        RequestType.COMPLAINT,
        "物业管理",
        1,
        Urgency.GENERAL,
        "小区电梯经常停运，物业报修后一直没人来修，老人上下楼很不方便。",
        "幸福家园5栋",
    ),
    (
        RequestType.COMPLAINT,
        "城市管理",
        7,
        Urgency.GENERAL,
        "楼下夜市摊位占道经营到凌晨，噪音很大，影响休息。",
        "人民路与建设路口",
    ),
    (
        RequestType.HELP,
        "供电",
        16,
        Urgency.URGENT,
        "整栋楼突然停电三个小时了，家里有老人需要用制氧机，请尽快处理。",
        "南湖花园12栋",
    ),
    (
        RequestType.HELP,
        "供水",
        17,
        Urgency.SEMI_URGENT,
        "小区从昨天开始停水，没有任何通知，什么时候能恢复？",
        "城东新村",
    ),
    (
        RequestType.REPORT,
        "燃气",
        18,
        Urgency.URGENT,
        "楼道里有明显的燃气味，怀疑管道泄漏，请马上派人查看。",
        "兴隆镇中心街8号",
    ),
    (
        RequestType.CONSULTATION,
        "人力资源和社会保障",
        0,
        Urgency.GENERAL,
        "灵活就业人员怎么缴纳养老保险？需要带什么材料？",
        "",
    ),
    (
        RequestType.COMPLAINT,
        "人力资源和社会保障",
        0,
        Urgency.GENERAL,
        "公司拖欠三个月工资不发，多次找老板都推脱，希望劳动部门介入。",
        "开发区某电子厂",
    ),
    (
        RequestType.COMPLAINT,
        "消费维权",
        2,
        Urgency.GENERAL,
        "在超市买到过期食品，商家拒绝退换，要求投诉处理。",
        "解放路某超市",
    ),
    (
        RequestType.CONSULTATION,
        "医疗卫生健康",
        4,
        Urgency.GENERAL,
        "异地就医备案后门诊费用能报销多少？在哪里办理？",
        "",
    ),
    (
        RequestType.SUGGESTION,
        "交通运输",
        6,
        Urgency.GENERAL,
        "建议增加早高峰12路公交车班次，现在等车要半小时以上。",
        "12路公交线",
    ),
    (
        RequestType.COMPLAINT,
        "教育",
        5,
        Urgency.GENERAL,
        "孩子入学学位分配不合理，户籍在片区内却被分到很远的学校。",
        "",
    ),
    (
        RequestType.COMPLAINT,
        "环境保护",
        8,
        Urgency.GENERAL,
        "楼下餐馆油烟直排，家里窗户都不敢开，请相关部门检查。",
        "建设路餐饮街",
    ),
    (
        RequestType.HELP,
        "公共服务",
        10,
        Urgency.GENERAL,
        "新生儿落户需要哪些材料？在哪里办理？能不能网上办？",
        "",
    ),
    (
        RequestType.COMPLAINT,
        "停车管理",
        7,
        Urgency.GENERAL,
        "小区门口长期有车辆乱停，堵住消防通道，存在安全隐患。",
        "柳林洲小区东门",
    ),
    (
        RequestType.PRAISE,
        "公共服务",
        11,
        Urgency.GENERAL,
        "感谢柳林洲街道工作人员耐心帮助我办理老年证，服务很好。",
        "",
    ),
    (
        RequestType.COMPLAINT,
        "住房与城乡建设",
        19,
        Urgency.GENERAL,
        "工地夜间施工噪音扰民，已经连续一周晚上十一点后还在作业。",
        "滨江路工地",
    ),
    (
        RequestType.HELP,
        "农林水利",
        9,
        Urgency.GENERAL,
        "村里灌溉水渠堵塞，影响春耕，希望帮忙协调疏通。",
        "兴隆镇新河村",
    ),
    (
        RequestType.COMPLAINT,
        "城市管理",
        14,
        Urgency.GENERAL,
        "村口道路坑洼积水，下雨天电动车经常摔倒。",
        "兴隆镇环镇路",
    ),
    (
        RequestType.HELP,
        "物业管理",
        15,
        Urgency.GENERAL,
        "楼道灯坏了一个多月，晚上上下楼很危险。",
        "幸福社区3栋",
    ),
    (RequestType.CONSULTATION, "公共服务", 10, Urgency.GENERAL, "居住证到期了怎么续签？需要本人到场吗？", ""),
]
FINAL_STAGES = ["received", "dispatched", "accepted", "return_requested", "extension_requested", "replied",
                "closed", "closed", "closed", "closed", "rework", "direct_answered"]

OPEN_STAGES = frozenset({"received", "dispatched", "accepted", "return_requested", "extension_requested"})
# A ticket older than this is left open only now and then (the rest of its draws are closed).
SETTLED_AFTER = timedelta(days=20)
SETTLED_SHARE = 0.85


@dataclass
class DemoResult:
    units: int
    staff: int
    tickets: int
    duty_checks: int = 0  # working days the 16:00 check ran for
    duty_letters: int = 0  # 未登录提示函 it sent
    linkage: Linkage | None = None  # whistles, referrals, enterprise requests, letters (tickets.demo_linkage)
    skipped: bool = False  # the database had tickets already: nothing was added
    office_unit: str = OFFICE_UNIT
    handler_unit: str = UNITS[0][0]  # a unit whose A handler the README's bind example uses


async def demo_is_loaded(session: AsyncSession) -> bool:
    return int((await session.exec(select(func.count()).select_from(Ticket))).one()) > 0


async def _org(session: AsyncSession, rng: random.Random) -> tuple[Actor, list[Unit], dict[int, Actor]]:
    office_unit = Unit(name=OFFICE_UNIT, kind=UnitKind.OFFICE)
    session.add(office_unit)
    units = [Unit(name=name, kind=kind, keywords=keywords) for name, kind, keywords in UNITS]
    session.add_all(units)
    await session.flush()
    office = Staff(role=Role.OFFICE, unit_id=office_unit.id, name="值班长", phone="13800000000")
    session.add(office)
    handlers: dict[int, Actor] = {}
    for index, unit in enumerate(units):
        pair = []
        for slot_index, slot in enumerate((HandlerSlot.A, HandlerSlot.B)):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            # Phone numbers from a range no operator assigns to anybody (138 0000 xxxx).
            staff = Staff(role=Role.HANDLER, unit_id=unit.id, slot=slot, name=name,
                          phone=f"1380000{index:02d}{slot_index:02d}")
            pair.append(staff)
        session.add_all(pair)
        await session.flush()
        handlers[unit.id] = Actor.of_staff(pair[0])  # type: ignore[index]
    await session.flush()
    return Actor.of_staff(office), units, handlers


def _working_moment(rules: Rules, when: datetime, rng: random.Random) -> datetime:
    """Move to a plausible office-hours moment on or after `when`."""
    moment = local(when)
    day = moment.date()
    while not rules.calendar.is_workday(day):
        day += timedelta(days=1)
    hour = rng.randint(9, 16)
    return datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=SHANGHAI)


async def load_demo(sessions: SessionFactory, *, rules: Rules, tickets: int = 300, seed: int = 12345,
                    advance: Callable[[int], None] | None = None) -> DemoResult:
    """Create the demo jurisdiction. `rules.clock` must be the real time; a private clock drives history.
    `advance(1)` is called after each ticket (a progress bar). A database that has tickets
    already is left as it is (`skipped`): loading twice adds nothing."""
    async with sessions() as session:
        if await demo_is_loaded(session):
            return DemoResult(units=0, staff=0, tickets=0, skipped=True)
    rng = random.Random(seed)
    now = rules.now()
    clock = ManualClock(now - timedelta(days=60))
    sim = Rules(clock=clock, calendar=rules.calendar, policy=rules.policy)
    async with sessions() as session:
        office, units, handlers = await _org(session, rng)
        await session.commit()
    duty_days = _duty_days(rules, now - timedelta(days=60), now)
    await _duty_logins(sessions, sim=sim, clock=clock, days=duty_days, seed=seed)
    starts = sorted(
        now - timedelta(days=rng.uniform(0, 60), hours=rng.uniform(0, 12)) for _ in range(tickets)
    )
    system = Actor.system(texts.DEMO_ACTOR)
    settle = random.Random(seed + 3)  # its own stream: the tickets' texts stay those of the seed
    for start in starts:
        if advance is not None and start is not starts[0]:
            advance(1)
        rtype, category, unit_index, urgency, text, place = rng.choice(SAMPLES)
        stage = rng.choice(FINAL_STAGES)
        if stage in OPEN_STAGES and now - start > SETTLED_AFTER and settle.random() < SETTLED_SHARE:
            stage = "closed"  # most of an older month's tickets are done by now
        clock.set(start)
        async with sessions() as session, session.begin():
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            ticket = await intake.create_ticket(
                session,
                rules=sim,
                actor=system,
                data=TicketCreate(
                    channel=rng.choice(
                        [Channel.PHONE, Channel.PHONE, Channel.WEB, Channel.BOT, Channel.UPSTREAM]
                    ),
                    request_type=rtype,
                    category=category,
                    urgency=urgency,
                    content=text,
                    place=place,
                    contact_name=name,
                    contact_phone=f"139{rng.randint(0, 99999999):08d}",
                    external_number=f"SJ{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.2 else None,
                ),
            )
            number = ticket.number
            if stage == "received":
                continue
            if stage == "direct_answered":
                await svc.direct_answer(session, rules=sim, actor=office, number=number,
                                        answer="已向市民解释相关政策和办理流程，市民表示清楚。")
                continue
            unit = units[unit_index]
            await _step(clock, rules, rng, minutes=rng.randint(10, 120))
            if clock.now() >= now:
                continue
            await svc.dispatch(session, rules=sim, actor=office, number=number, unit_id=unit.id)  # type: ignore[arg-type]
            handler = handlers[unit.id]  # type: ignore[index]
            if stage == "dispatched" or clock.now() >= now:
                continue
            if stage == "return_requested":
                clock.advance(timedelta(minutes=rng.randint(10, 60)))
                if clock.now() >= now:
                    continue
                await svc.request_return(
                    session,
                    rules=sim,
                    actor=handler,
                    number=number,
                    reason="经核实该事项不属于本单位职责范围",
                    suggested_unit=rng.choice(units).name,
                )
                continue
            # Extension requests must come within a working day of dispatch: act at once then.
            if stage != "extension_requested":
                await _step(clock, rules, rng, minutes=rng.randint(10, 300))
            if clock.now() >= now:
                continue
            await svc.accept(session, rules=sim, actor=handler, number=number)
            await svc.first_contact(session, rules=sim, actor=handler, number=number, reached=True,
                                    note="已电话联系诉求人，告知办理流程和时限")
            if stage == "accepted" or clock.now() >= now:
                if rng.random() < 0.2:
                    await svc.supervise(
                        session, rules=sim, actor=office, number=number, note="市民多次来电反映"
                    )
                continue
            if stage == "extension_requested":
                clock.advance(timedelta(minutes=30))
                if clock.now() >= now:
                    continue
                await svc.request_extension(session, rules=sim, actor=handler, number=number, days=5,
                                            reason="涉及多个部门，需现场会商后处理")
                continue
            await _step(clock, rules, rng, minutes=rng.randint(600, 9000))
            if clock.now() >= now:
                continue
            await svc.reply(session, rules=sim, actor=handler, number=number, data=ReplyData(
                result=rng.choice([ResultCategory.SOLVED, ResultCategory.SOLVED, ResultCategory.EXPLAINED,
                                   ResultCategory.NOTED]),
                text="经现场核实，已协调相关方处理，问题已得到解决，并向诉求人做了说明。",
                contact_person=handler.name, facts="情况属实", judgement="诉求合理，已处理",
                citizen_opinion="诉求人表示认可", answered_by=handler.name, answered_at=clock.now(),
            ))
            await _step(clock, rules, rng, minutes=rng.randint(60, 1500))
            if stage == "replied" or clock.now() >= now:
                continue
            satisfied = stage != "rework"
            await svc.record_callback(
                session,
                rules=sim,
                actor=office,
                number=number,
                answers=CallbackAnswers(
                    contacted=True,
                    answered=True,
                    solved=satisfied,
                    satisfaction=(
                        rng.choice(
                            [Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
                        )
                        if satisfied
                        else Satisfaction.UNSATISFIED
                    ),
                ),
            )
    if advance is not None and starts:
        advance(1)
    linkage = await load_linkage(sessions, sim=sim, clock=clock, now=now, office=office, seed=seed)
    letters = await _duty_checks(sessions, sim=sim, clock=clock, days=duty_days)
    async with sessions() as session:
        count = int((await session.exec(select(func.count()).select_from(Ticket))).one())
    return DemoResult(
        units=len(units) + 1,
        staff=len(units) * 2 + 1,
        tickets=count,
        duty_checks=len(duty_days),
        duty_letters=letters,
        linkage=linkage,
    )


def _duty_days(rules: Rules, start: datetime, now: datetime) -> list[date]:
    """The working days of the demo whose 16:00 deadline has passed."""
    from tickets.duty import login_deadline

    days = [
        local(start).date() + timedelta(days=i)
        for i in range((local(now).date() - local(start).date()).days + 1)
    ]
    return [d for d in days if rules.calendar.is_workday(d) and login_deadline(rules, d) <= now]


async def _duty_logins(sessions: SessionFactory, *, sim: Rules, clock: ManualClock, days: list[date],
                       seed: int) -> None:
    """Most units log in most mornings, a few late or not at all. Before the tickets, so a
    morning login is the day's first (a handler's action later that day also counts as one)."""
    # Its own random stream: the tickets stay the same for a given seed.
    rng = random.Random(seed + 1)
    async with sessions() as session:
        handlers = (
            await session.exec(
                select(Staff)
                .where(Staff.role == Role.HANDLER, Staff.slot == HandlerSlot.A)
                .order_by(col(Staff.unit_id))
            )
        ).all()
    async with sessions() as session, session.begin():
        for day in days:
            for staff in handlers:
                roll = rng.random()
                if roll < 0.06:
                    continue  # nobody logged in that day
                hour, minute = (
                    (16, rng.randint(5, 50)) if roll < 0.1 else (rng.randint(8, 11), rng.randint(0, 59))
                )
                clock.set(datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI))
                await svc.record_duty_login(session, rules=sim, unit_id=staff.unit_id,  # type: ignore[arg-type]
                                            staff_id=staff.id)


async def _duty_checks(sessions: SessionFactory, *, sim: Rules, clock: ManualClock, days: list[date]) -> int:
    """The real 16:00 check of every working day, as the scheduler would have run it: the
    letters and pushes it writes are what the bulletin's duty table counts."""
    from tickets.duty import login_deadline, run_duty_login_check

    letters = 0
    for day in days:
        deadline = login_deadline(sim, day)
        clock.set(deadline)
        async with sessions() as session, session.begin():
            result = await run_duty_login_check(session, rules=sim, at=deadline)
        letters += len(result.letters.created)
    return letters


async def _step(clock: ManualClock, rules: Rules, rng: random.Random, *, minutes: int) -> None:
    clock.advance(timedelta(minutes=minutes))
    if not rules.calendar.in_working_hours(clock.now()):
        clock.set(_working_moment(rules, clock.now() + timedelta(hours=12), rng))
