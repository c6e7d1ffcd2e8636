"""The demo's working mechanisms: 吹哨报到 whistles, tickets referred by people's deputies,
政企通 enterprise requests routed to policy specialists, 市长信箱 letters, one hotspot
(many residents, one outage) and one citizen calling again and again about one matter.

Like tickets.demo, everything goes through the domain services on the demo's simulated
clock, so states, audit trails, deadlines and messages are what production would hold.
The cases are spread over the demo's 60 days (`DAYS_AGO`), so the last full month always
has some of each. No call records: the shipped policy has no 双呼 go-live date
(`contact.call_evidence_since: null`), so 先行联系 counts by the button, and call records
would prove nothing the demo's bulletin shows.

All names, phones, companies and credit codes are invented (phones in 139 0000 xxxx,
credit codes with a valid check character but random organisation codes).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import enterprise, intake, mailbox, texts, whistles
from tickets import service as svc
from tickets.clock import SHANGHAI, ManualClock, local
from tickets.context import Actor, Rules
from tickets.credit_code import ALPHABET, check_character
from tickets.db import SessionFactory
from tickets.deputies import refer_by_deputy
from tickets.enums import Channel, HandlerSlot, RequestType, ResultCategory, Role, Satisfaction, Urgency
from tickets.models import Staff, Ticket, Unit
from tickets.schemas import CallbackAnswers, ReplyData, TicketCreate

# How the story of a ticket ends: open (accepted), replied (awaiting callback), closed
# satisfied, or called back unsolved (rework).
OPEN, REPLIED, SOLVED, UNSOLVED = "open", "replied", "solved", "unsolved"

OFFICE_UNIT = "区热线办"
DEMO_ACTOR = Actor.system(texts.DEMO_ACTOR)
REPLY_TEXT = "经现场核实并会同相关单位处理，问题已按约定时限整改完毕，已向诉求人当面说明处理结果。"
CONTACT_NOTE = "已电话联系诉求人，约定现场查看时间"

ENTERPRISE_CATEGORY = "企业服务"
ENTERPRISE_REPLY = "已为企业逐项说明政策条件、申报材料和办理流程，并协助企业完成线上申报。"
LETTER_REPLY = ("来信收悉。经研究，我单位已将您的建议纳入近期工作安排，具体进展将通过社区公告告知，"
                "感谢您的关心和支持。")
HOTSPOT_CATEGORY = "供水"
HOTSPOT_REPLY = "经查为城东新村三区主管道爆裂，已抢修完毕并恢复供水，今后计划停水将提前在小区公告。"
REPEAT_CATEGORY = "环境保护"
REPEAT_REPLY = "已到现场检查，责令店主限期安装油烟净化设施，并告知诉求人整改期限。"

# --- 吹哨报到: (days ago, main unit, blower ("unit" = the main unit, "office"), summoned,
#     late unit or None, outcome, category, request type, text, place, reason, meeting)
WHISTLES: list[tuple[int, str, str, list[str], str | None, str, str, RequestType, str, str, str, str]] = [
    (50, "城东街道", "unit", ["区住房和城乡建设局", "城市建设投资集团公司"], None, SOLVED, "住房与城乡建设",
     RequestType.REPORT, "老小区外墙瓷砖大面积松动，前天掉下来一块差点砸到人，楼下是小学生上学必经的路。",
     "城东新村2栋", "外墙脱落涉及房屋安全和维修资金使用，街道无法单独处置",
     "建设局牵头鉴定外墙安全，城投公司当天搭设防护棚，维修资金由街道协助业主表决"),
    (38, "区市场监督管理局", "unit", ["柳林洲街道", "区公安分局"], None, UNSOLVED, "消费维权",
     RequestType.COMPLAINT, "小区旁边的健身房突然关门，老板联系不上，我们几十个人办的年卡都没法退。",
     "柳林洲路健身会所", "预付卡涉及人数多，经营者失联，需街道和公安共同介入",
     "市场监管局登记受损会员名单，公安分局核查经营者去向，街道做好会员解释工作"),
    (30, "南湖街道", "unit", ["区生态环境局", "区城市管理局", "自来水公司"], "自来水公司", SOLVED, "环境保护",
     RequestType.COMPLAINT, "南湖边排水口每天傍晚排出发黑的污水，臭味很大，湖边散步的人都绕着走。",
     "南湖公园北侧排水口", "排口来源不明，涉及雨污管网和水体污染，需多部门现场排查",
     "生态环境局取样检测，自来水公司排查错接的污水管，城管局清理岸边垃圾"),
    (24, "供电分公司", "office", ["兴隆镇", "区农业农村局"], None, SOLVED, "供电",
     RequestType.HELP, "村里的变压器一到晚上就跳闸，这一个月停了好几次电，冰箱里的东西都坏了。",
     "兴隆镇新河村三组", "多次来电未解决，涉及线路改造和村里用地协调",
     "供电分公司更换变压器并增容，兴隆镇和农业农村局协调线路改造占用的农田"),
    (12, "柳林洲街道", "unit", ["区城市管理局", "区交通运输局"], None, OPEN, "城市管理",
     RequestType.COMPLAINT, "学校门口早晚高峰接送车辆乱停，加上流动摊贩占道，孩子过马路很危险。",
     "柳林洲小学门口", "校门口交通和占道经营需要多部门联合整治",
     "城管局负责流动摊贩整治，交通运输局施划临时停车区，街道组织志愿者护学"),
]

# --- 人大代表联动: (days ago, unit, outcome, category, request type, text, place, deputy, station)
DEPUTIES: list[tuple[int, str, str, str, RequestType, str, str, str, str]] = [
    (44, "区教育局", SOLVED, "教育", RequestType.SUGGESTION,
     "小区附近的幼儿园学位太紧张，很多家长报不上名，希望增加普惠性幼儿园学位。", "南湖花园",
     "周建国", "南湖街道人大代表联络站"),
    (32, "区卫生健康局", SOLVED, "医疗卫生健康", RequestType.SUGGESTION,
     "社区卫生服务中心周末不开门，老人周末看病只能去大医院排长队，希望周末也能开诊。",
     "城东街道社区卫生服务中心",
     "林秀英", "城东街道人大代表联络站"),
    (26, "区住房和城乡建设局", UNSOLVED, "物业管理", RequestType.COMPLAINT,
     "老旧小区加装电梯的申请提交半年了，一直说在审批，不知道卡在哪个环节。", "幸福家园",
     "孙志强", "柳林洲街道人大代表联络站"),
    (14, "区交通运输局", REPLIED, "交通运输", RequestType.SUGGESTION,
     "新建的产业园没有公交线路，职工上下班只能打车，希望开通一条公交线路。", "兴隆镇产业园",
     "周建国", "南湖街道人大代表联络站"),
]

# --- 政企通: the register (unit, handler slot, policy area) and the requests
#     (days ago, company, policy area, outcome, text)
SPECIALISTS: list[tuple[str, HandlerSlot, str]] = [
    ("区人力资源和社会保障局", HandlerSlot.B, "稳岗补贴"),
    ("区人力资源和社会保障局", HandlerSlot.A, "职业技能培训补贴"),
    ("区市场监督管理局", HandlerSlot.B, "企业登记注册"),
    ("区住房和城乡建设局", HandlerSlot.B, "工程建设项目审批"),
]
COMPANIES = ["南湖精密机械有限公司", "城东智联电子科技有限公司", "兴隆绿源农业发展有限公司",
             "柳林洲食品加工有限公司", "恒达建筑工程有限公司", "启明软件信息技术有限公司"]
# Where each company is (the request's place is an address, as a caller would give it).
COMPANY_SITES = ["南湖工业园区创业路8号", "城东街道科技大道66号", "兴隆镇绿源村东头",
                 "柳林洲街道滨江工业区3栋", "经济开发区建设路120号", "高新区软件园B座5楼"]
ENTERPRISE: list[tuple[int, int, str, str, str]] = [
    (48, 0, "稳岗补贴", SOLVED, "今年没有裁员，想申请稳岗补贴，需要准备哪些材料，什么时候能到账？"),
    (34, 1, "企业登记注册", SOLVED,
     "公司想增加经营范围，网上办理时系统一直提示地址信息不符，不知道怎么处理。"),
    (29, 2, "职业技能培训补贴", SOLVED, "合作社给三十多名职工组织了电工培训，培训补贴应该向哪个部门申请？"),
    (25, 4, "工程建设项目审批", REPLIED,
     "厂房扩建项目的施工许可已经提交二十天了，想了解审批进度和还缺什么材料。"),
    (18, 3, "出口退税", SOLVED, "第一次办理出口退税，不清楚申报流程和需要的单证，希望有人指导。"),
    (10, 5, "稳岗补贴", OPEN, "公司去年新招了十几名高校毕业生，能不能申请一次性扩岗补助？"),
]
# An area nobody is registered for goes to the office's queue; the office dispatches it here.
UNREGISTERED_AREA_UNIT = "区市场监督管理局"

# --- 市长信箱: (days ago, unit, outcome, consent, publish, title, body, category, type)
LETTERS: list[tuple[int, str, str, bool, bool, str, str, str, RequestType]] = [
    (46, "区交通运输局", SOLVED, True, True, "建议在滨江路增设过街斑马线",
     "滨江路新建小区入住后，居民去对面菜市场要绕行近一公里，很多老人直接横穿马路，建议在小区门口增设斑马线和信号灯。",
     "交通运输", RequestType.SUGGESTION),
    (36, "区城市管理局", SOLVED, False, False, "关于建设路夜间渣土车噪音的来信",
     "建设路每天夜里十二点以后有大量渣土车经过，车速很快，噪音和扬尘都很大，希望加强夜间管理。",
     "城市管理", RequestType.COMPLAINT),
    (31, "区人力资源和社会保障局", UNSOLVED, True, False, "退休人员养老金调整何时到账",
     "我母亲今年七月退休，听说养老金有调整，但一直没看到补发，社保窗口说要等通知，想了解具体时间。",
     "人力资源和社会保障", RequestType.CONSULTATION),
    (27, "区教育局", SOLVED, True, False, "希望延长小学课后服务时间",
     "双职工家庭下班晚，学校课后服务五点半就结束，孩子没人接，希望能延长到六点半。",
     "教育", RequestType.SUGGESTION),
    (20, "区卫生健康局", REPLIED, False, False, "社区医院预约挂号太难",
     "社区医院的专家号每周只放两次，网上一放出来就没了，老人不会用手机更挂不上，建议保留一部分现场号。",
     "医疗卫生健康", RequestType.SUGGESTION),
    (11, "区住房和城乡建设局", OPEN, True, False, "小区维修基金使用流程不透明",
     "小区去年用维修基金修了屋顶，业主一直没看到费用明细，想了解维修基金使用的公示要求。",
     "物业管理", RequestType.CONSULTATION),
]

# --- one hotspot: many residents of one place about one outage within two days
HOTSPOT_DAYS_AGO = 28
HOTSPOT_UNIT = "自来水公司"
HOTSPOT_PLACE = "城东新村三区"
HOTSPOT_TEXTS = [
    "城东新村三区从早上开始停水，没有看到任何停水通知，什么时候能恢复供水？",
    "城东新村三区突然停水了，家里老人孩子等着用水，请尽快恢复供水。",
    "我们城东新村三区停水一整天了，也没有停水通知，请问什么时候来水？",
    "城东新村三区停水，物业说是自来水公司的问题，什么时候能恢复供水？",
    "城东新村三区今天停水没有提前通知，做饭都没有水，希望尽快恢复供水。",
]
HOTSPOT_CITIZENS = 11

# --- one citizen about one matter, again and again, never solved
REPEAT_DAYS_AGO = [33, 31, 29, 27, 25]
REPEAT_UNIT = "区生态环境局"
REPEAT_PLACE = "建设路餐饮街"
REPEAT_TEXTS = [
    "建设路餐饮街楼下烧烤店油烟直排进居民楼，晚上窗户都不敢开，请环保部门查处。",
    "建设路餐饮街楼下烧烤店油烟还是直排进居民楼，上次说整改也没装净化器，请环保部门查处。",
    "再次反映建设路餐饮街楼下烧烤店油烟直排进居民楼，检查完第二天照样排，请环保部门查处。",
    "建设路餐饮街楼下烧烤店油烟直排进居民楼的问题反映好几次了，每天晚上油烟熏到家里，请环保部门查处。",
    "建设路餐饮街楼下烧烤店油烟直排进居民楼还是没解决，希望环保部门真正查处到位。",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静磊强洋勇艳杰涛明超霞平"


@dataclass
class Linkage:
    whistles: int = 0
    referrals: int = 0
    specialists: int = 0
    enterprise_requests: int = 0
    letters: int = 0
    published: int = 0
    hotspot_tickets: int = 0
    repeat_tickets: int = 0

    @property
    def tickets(self) -> int:
        return (self.whistles + self.referrals + self.enterprise_requests + self.letters
                + self.hotspot_tickets + self.repeat_tickets)


@dataclass
class _Org:
    office: Actor
    units: dict[str, Unit]
    handlers: dict[tuple[int, HandlerSlot], Staff]

    def unit_id(self, name: str) -> int:
        unit_id = self.units[name].id
        assert unit_id is not None
        return unit_id

    def handler(self, name: str, slot: HandlerSlot = HandlerSlot.A) -> Actor:
        return Actor.of_staff(self.handlers[(self.unit_id(name), slot)])


class _Story:
    """One ticket's life on the simulated clock, step by step, in working hours."""

    def __init__(self, session: AsyncSession, *, sim: Rules, clock: ManualClock, now: datetime,
                 rng: random.Random, org: _Org) -> None:
        self.session, self.sim, self.clock, self.now, self.rng, self.org = session, sim, clock, now, rng, org
        self.brisk = False  # a batch of like tickets: each step takes minutes, not hours

    def minutes(self, low: int, high: int) -> int:
        return self.rng.randint(2, 6) if self.brisk else self.rng.randint(low, high)

    def start(self, days_ago: int, hour: int | None = None) -> None:
        day = local(self.now - timedelta(days=days_ago)).date()
        while not self.sim.calendar.is_workday(day):
            day += timedelta(days=1)
        hour = hour if hour is not None else self.rng.randint(9, 11)
        self.clock.set(datetime(day.year, day.month, day.day, hour, self.rng.randint(0, 59), tzinfo=SHANGHAI))

    async def step(self, minutes: int) -> None:
        from tickets.demo import _step

        await _step(self.clock, self.sim, self.rng, minutes=minutes)
        assert self.clock.now() < self.now, "a demo story must end before now"

    def citizen(self) -> tuple[str, str]:
        return _citizen(self.rng)

    async def receive(self, *, rtype: RequestType, category: str, text: str, place: str,
                      name: str | None = None, phone: str | None = None, urgency: Urgency = Urgency.GENERAL,
                      channel: Channel = Channel.PHONE) -> Ticket:
        if name is None or phone is None:
            name, phone = self.citizen()
        return await intake.create_ticket(
            self.session, rules=self.sim, actor=DEMO_ACTOR,
            data=TicketCreate(channel=channel, request_type=rtype, category=category, urgency=urgency,
                              content=text, place=place, contact_name=name, contact_phone=phone),
        )

    async def dispatch(self, number: str, unit: str) -> None:
        await self.step(self.minutes(10, 60))
        await svc.dispatch(self.session, rules=self.sim, actor=self.org.office, number=number,
                           unit_id=self.org.unit_id(unit))

    async def accept(self, number: str, handler: Actor) -> None:
        await self.step(self.minutes(10, 90))
        await svc.accept(self.session, rules=self.sim, actor=handler, number=number)
        await svc.first_contact(self.session, rules=self.sim, actor=handler, number=number, reached=True,
                                note=CONTACT_NOTE)

    async def finish(self, number: str, handler: Actor, outcome: str, *, reply: str = REPLY_TEXT,
                     result: ResultCategory = ResultCategory.SOLVED, minutes: int = 1500) -> None:
        """Reply and call back as `outcome` says (OPEN: nothing more)."""
        if outcome == OPEN:
            return
        await self.reply(number, handler, reply=reply, result=result, minutes=minutes)
        if outcome != REPLIED:
            await self.callback(number, solved=outcome == SOLVED)

    async def reply(self, number: str, handler: Actor, *, reply: str, result: ResultCategory,
                    minutes: int) -> None:
        await self.step(minutes)
        await svc.reply(self.session, rules=self.sim, actor=handler, number=number, data=ReplyData(
            result=result, text=reply, contact_person=handler.name, facts="情况属实",
            judgement="诉求合理，已处理", citizen_opinion="诉求人表示认可", answered_by=handler.name,
            answered_at=self.clock.now()))

    async def callback(self, number: str, *, solved: bool) -> None:
        await self.step(self.minutes(120, 600))
        satisfaction = Satisfaction.SATISFIED if solved else Satisfaction.UNSATISFIED
        await svc.record_callback(self.session, rules=self.sim, actor=self.org.office, number=number,
                                  answers=CallbackAnswers(contacted=True, answered=True, solved=solved,
                                                          satisfaction=satisfaction))


async def _org(session: AsyncSession, office: Actor) -> _Org:
    units = {u.name: u for u in (await session.exec(select(Unit))).all()}
    query = select(Staff).where(Staff.role == Role.HANDLER).order_by(col(Staff.id))
    staff = (await session.exec(query)).all()
    handlers = {(s.unit_id, s.slot): s for s in staff if s.unit_id is not None and s.slot is not None}
    return _Org(office=office, units=units, handlers=handlers)


def credit_code(rng: random.Random) -> str:
    """A made-up 统一社会信用代码 with a valid check character (91: a company; 320105: a division)."""
    first17 = "91320105" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return first17 + check_character(first17)


def _citizen(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    # 139 0000 xxxx: a range no operator assigns.
    return name, f"1390000{rng.randint(0, 9999):04d}"


Stories = Callable[[], AbstractAsyncContextManager[_Story]]


async def load_linkage(sessions: SessionFactory, *, sim: Rules, clock: ManualClock, now: datetime,
                       office: Actor, seed: int) -> Linkage:
    """Every mechanism's cases, one transaction per case."""
    rng = random.Random(seed + 2)
    async with sessions() as session:
        org = await _org(session, office)

    @asynccontextmanager
    async def stories() -> AsyncIterator[_Story]:
        async with sessions() as session, session.begin():
            yield _Story(session, sim=sim, clock=clock, now=now, rng=rng, org=org)

    done = Linkage()
    done.whistles = await _whistles(stories)
    done.referrals = await _referrals(stories)
    done.specialists, done.enterprise_requests = await _enterprise(stories)
    done.letters, done.published = await _letters(stories)
    done.hotspot_tickets = await _hotspot(stories)
    done.repeat_tickets = await _repeats(stories)
    return done


async def _whistles(stories: Stories) -> int:
    """吹哨, 报到 (one unit late: the report-in sweep reminds it, then tells the office), 现场会."""
    for (days, main, blower, summoned, late, outcome, category, rtype, text, place, reason,
         decisions) in WHISTLES:
        async with stories() as s:
            session, sim, org = s.session, s.sim, s.org
            s.start(days)
            ticket = await s.receive(rtype=rtype, category=category, text=text, place=place)
            await s.dispatch(ticket.number, main)
            handler = org.handler(main)
            await s.accept(ticket.number, handler)
            await s.step(s.rng.randint(30, 90))
            whistler = org.office if blower == "office" else handler
            whistle = await whistles.blow(session, rules=sim, actor=whistler, number=ticket.number,
                                          unit_ids=[org.unit_id(u) for u in summoned], reason=reason)
            for unit in summoned:
                if unit != late:
                    s.clock.advance(timedelta(minutes=s.rng.randint(5, 35)))  # within the 2 hours
                    await whistles.report_in(session, rules=sim, actor=org.handler(unit),
                                             number=ticket.number, via="web")
            if late is not None:
                # The scheduler's sweep at the due time (a reminder), and after the grace (the office).
                s.clock.set(whistle.report_in_due_at)
                await whistles.run_report_in_check(session, rules=sim, at=s.clock.now())
                grace = sim.calendar.add(s.clock.now(), sim.policy.whistle.reported_late_after)
                s.clock.set(grace + timedelta(minutes=5))
                await whistles.run_report_in_check(session, rules=sim, at=s.clock.now())
                s.clock.advance(timedelta(minutes=40))
                await whistles.report_in(session, rules=sim, actor=org.handler(late), number=ticket.number,
                                         via="web")
            await s.step(s.rng.randint(600, 1200))
            lead = [main] if blower == "unit" else [OFFICE_UNIT, main]
            await whistles.record_meeting(session, rules=sim, actor=whistler, number=ticket.number,
                                          day=local(s.clock.now()).date(), place=place,
                                          attendees=[*lead, *summoned], decisions=decisions)
            await s.finish(ticket.number, handler, outcome, minutes=s.rng.randint(1200, 2400))
    return len(WHISTLES)


async def _referrals(stories: Stories) -> int:
    for days, unit, outcome, category, rtype, text, place, deputy, station in DEPUTIES:
        async with stories() as s:
            s.start(days)
            ticket = await s.receive(rtype=rtype, category=category, text=text, place=place)
            await s.dispatch(ticket.number, unit)
            await s.step(s.rng.randint(30, 120))
            await refer_by_deputy(s.session, rules=s.sim, actor=s.org.office, number=ticket.number,
                                  deputy=deputy, station=station)
            handler = s.org.handler(unit)
            await s.accept(ticket.number, handler)
            await s.finish(ticket.number, handler, outcome, minutes=s.rng.randint(1500, 3000))
    return len(DEPUTIES)


async def _enterprise(stories: Stories) -> tuple[int, int]:
    """The register first (before the oldest request), then requests routed by it."""
    async with stories() as s:
        s.start(max(e[0] for e in ENTERPRISE) + 5)
        for unit, slot, area in SPECIALISTS:
            staff_id = s.org.handlers[(s.org.unit_id(unit), slot)].id
            assert staff_id is not None
            await enterprise.register_specialist(s.session, rules=s.sim, actor=s.org.office,
                                                 unit_id=s.org.unit_id(unit), staff_id=staff_id,
                                                 policy_area=area)
    for days, company, area, outcome, text in ENTERPRISE:
        async with stories() as s:
            s.start(days)
            name, phone = s.citizen()
            caller = enterprise.EnterpriseCaller.checked(credit_code=credit_code(s.rng),
                                                         company_name=COMPANIES[company], policy_area=area)
            filed = await enterprise.file_enterprise_request(
                s.session, rules=s.sim, actor=DEMO_ACTOR, caller=caller,
                data=TicketCreate(channel=Channel.PHONE, request_type=RequestType.CONSULTATION,
                                  category=ENTERPRISE_CATEGORY, content=text, place=COMPANY_SITES[company],
                                  contact_name=name, contact_phone=phone))
            number = filed.ticket.number
            if filed.specialist is None:
                await s.dispatch(number, UNREGISTERED_AREA_UNIT)
                handler = s.org.handler(UNREGISTERED_AREA_UNIT)
            else:
                staff = await s.session.get(Staff, filed.specialist.staff_id)
                assert staff is not None
                handler = Actor.of_staff(staff)
            await s.accept(number, handler)
            await s.finish(number, handler, outcome, minutes=s.rng.randint(300, 900), reply=ENTERPRISE_REPLY,
                           result=ResultCategory.EXPLAINED)
    return len(SPECIALISTS), len(ENTERPRISE)


async def _letters(stories: Stories) -> tuple[int, int]:
    published = 0
    for days, unit, outcome, consent, publish, title, body, category, rtype in LETTERS:
        async with stories() as s:
            s.start(days, hour=s.rng.randint(19, 22))  # letters are written in the evening too
            name, phone = s.citizen()
            letter = mailbox.LetterCreate(title=title, body=body, publish_consent=consent, request_type=rtype,
                                          category=category, contact_name=name, contact_phone=phone)
            ticket = await mailbox.write_letter(s.session, rules=s.sim, actor=DEMO_ACTOR, letter=letter)
            await s.dispatch(ticket.number, unit)
            handler = s.org.handler(unit)
            await s.accept(ticket.number, handler)
            await s.finish(ticket.number, handler, outcome, minutes=s.rng.randint(3000, 6000),
                           reply=LETTER_REPLY)
            if publish:
                await s.step(s.rng.randint(60, 240))
                await mailbox.publish(s.session, rules=s.sim, actor=s.org.office, number=ticket.number)
                published += 1
    return len(LETTERS), published


async def _hotspot(stories: Stories) -> int:
    async with stories() as s:
        s.start(HOTSPOT_DAYS_AGO, hour=8)
        numbers = []
        for i in range(HOTSPOT_CITIZENS):
            s.clock.advance(timedelta(minutes=s.rng.randint(10, 90)))
            ticket = await s.receive(rtype=RequestType.HELP, category=HOTSPOT_CATEGORY, place=HOTSPOT_PLACE,
                                     text=HOTSPOT_TEXTS[i % len(HOTSPOT_TEXTS)], urgency=Urgency.SEMI_URGENT)
            numbers.append(ticket.number)
        # The office dispatches the batch at once, the water company answers it as one repair.
        handler = s.org.handler(HOTSPOT_UNIT)
        s.brisk = True
        for number in numbers:
            await s.dispatch(number, HOTSPOT_UNIT)
            await s.accept(number, handler)
        await s.step(300)
        for number in numbers:
            await s.reply(number, handler, reply=HOTSPOT_REPLY, result=ResultCategory.SOLVED, minutes=3)
        await s.step(600)
        for number in numbers:
            await s.callback(number, solved=True)
    return len(numbers)


async def _repeats(stories: Stories) -> int:
    name = phone = ""
    for days, text in zip(REPEAT_DAYS_AGO, REPEAT_TEXTS, strict=True):
        async with stories() as s:
            if not name:
                name, phone = s.citizen()
            s.start(days, hour=20)
            ticket = await s.receive(rtype=RequestType.COMPLAINT, category=REPEAT_CATEGORY, text=text,
                                     place=REPEAT_PLACE, name=name, phone=phone)
            await s.dispatch(ticket.number, REPEAT_UNIT)
            handler = s.org.handler(REPEAT_UNIT)
            await s.accept(ticket.number, handler)
            await s.finish(ticket.number, handler, UNSOLVED, minutes=s.rng.randint(600, 1200),
                           reply=REPEAT_REPLY, result=ResultCategory.NOTED)
    return len(REPEAT_DAYS_AGO)
