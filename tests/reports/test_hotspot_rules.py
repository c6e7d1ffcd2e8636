"""The one hotspot rule and the one repeat rule (DOMAIN §4) as pure functions, on self-written
tickets in a plausible week (reports/hotspots.py; the database-backed finders: test_hotspots.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from knowledge_base.classify.similarity import HOTSPOT_THRESHOLD, REPEAT_THRESHOLD
from reports.hotspots import ClassifySimilarity, TicketText, hotspot_groups, repeat_groups
from tickets.policy import load_policy

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
POLICY = load_policy()
MIN_CITIZENS = POLICY.supervision.hotspot_min_tickets
WINDOW = timedelta(days=POLICY.supervision.hotspot_window_days)

# One matter (a waste transfer station next to an estate) told by different citizens in their own words.
PLANT = [
    "翠湖花园小区门口新建的垃圾中转站臭味很大，夏天根本不敢开窗。",
    "投诉翠湖花园旁边的垃圾中转站，每天凌晨垃圾车进出，又臭又吵。",
    "翠湖花园小区附近垃圾中转站臭气熏天，苍蝇蚊子特别多。",
    "翠湖花园边上的垃圾站污水横流，孩子上学都要捂着鼻子走。",
    "翠湖花园小区旁垃圾中转站的垃圾车漏污水，路面又脏又臭。",
    "请管一管翠湖花园附近的垃圾中转站，臭味影响几千户居民。",
    "翠湖花园居民反映：小区门口垃圾中转站臭味严重，影响健康。",
    "翠湖花园小区对面垃圾中转站天天散发臭味，希望尽快处理。",
    "垃圾中转站建在翠湖花园小区门口，臭味太大，居民苦不堪言。",
    "翠湖花园附近的垃圾中转站太臭了，老人孩子都不敢下楼。",
    "翠湖花园小区旁边垃圾中转站除臭设备不开，臭味非常严重。",
    "强烈要求搬走翠湖花园小区门口的垃圾中转站，臭气扰民。",
]
# The rest of an ordinary week: idf is fitted on the batch, so a hotspot test needs one.
OTHER = [
    "请问社保卡丢了怎么补办？",
    "建议在人民公园增设公共厕所。",
    "幸福路的路灯坏了好几天了。",
    "孩子上小学的学位怎么申请？",
    "出租车司机绕路多收费。",
    "物业费每年都涨，服务越来越差。",
    "公积金提取需要带哪些材料？",
    "东门菜市场门口占道经营，交通堵塞。",
    "阳光小区停水两天了，什么时候恢复？",
    "驾校收了学费不安排练车，也不退钱。",
    "建议8路公交车延长末班车时间。",
    "医院挂号难，网上预约总是约满。",
    "楼上邻居装修，周末早上七点就开始砸墙。",
    "小区电梯经常坏，物业维修不及时。",
    "新生儿医保怎么办理？",
    "健身房关门跑路，会员卡的钱退不了。",
    "学校周边有流动摊贩卖三无食品。",
    "河边步道的栏杆断了，存在安全隐患。",
    "外地老人在本市看病能报销吗？",
    "建议在十字路口增加左转信号灯。",
    "农民工工资被拖欠了半年。",
    "感谢社区网格员帮独居老人买药。",
    "共享单车堆在地铁口，行人过不去。",
    "饭店油烟直排，楼上住户没法开窗。",
    "小区车位只租不售，价格太高。",
    "居住证到期了在哪里续签？",
    "幼儿园收费标准是多少，有没有补贴？",
    "路面有个大坑，雨天积水很深。",
    "快递驿站乱收保管费。",
    "举报有人在山上偷偷砍树。",
]
_PLACES = ["阳光小区", "幸福路", "东门菜市场", "人民公园", "城南中学", "江滨花园", "火车站", "新华街",
           "金色家园", "北湖社区", "老城区", "开发区", "滨河路", "世纪广场", "锦绣华庭"]  # fmt: skip
_PROBLEMS = ["路灯坏了好几天了", "停车位太少乱停车", "垃圾没人清理", "下水道堵了", "道路破损",
             "有人占道经营", "晚上广场舞音响太吵", "绿化带被毁", "公交站太远", "电梯经常故障",
             "物业不作为", "积水严重", "井盖松动", "违章搭建", "流动摊贩太多"]  # fmt: skip
# Each place and each problem three times: a plausible week of scattered small matters.
WEEK = OTHER + [f"{_PLACES[i]}{_PROBLEMS[(i + k) % 15]}。" for k in range(3) for i in range(15)]


HOTSPOTS = ClassifySimilarity(HOTSPOT_THRESHOLD)
REPEATS = ClassifySimilarity(REPEAT_THRESHOLD)


def _tickets(texts: list[str], *, start: datetime = T0, step: timedelta = timedelta(hours=10),
             citizens: list[str] | None = None, prefix: int = 0) -> list[TicketText]:  # fmt: skip
    keys = citizens or [f"{prefix}-citizen-{i}" for i in range(len(texts))]
    return [
        TicketText(id=prefix + i, number=f"N{prefix + i}", category="", content=text, place="",
                   citizen_key=keys[i], received_at=start + i * step, unit=None)
        for i, text in enumerate(texts)
    ]


def _hotspots(tickets: list[TicketText]) -> list[list[TicketText]]:
    return hotspot_groups(tickets, window=WINDOW, need=MIN_CITIZENS, not_before=T0, similarity=HOTSPOTS)


def test_hotspot_of_ten_citizens_within_a_week() -> None:
    week = _tickets(WEEK, prefix=1000, start=T0 + timedelta(hours=3), step=timedelta(hours=2))
    groups = _hotspots(_tickets(PLANT) + week)
    assert len(groups) == 1
    members = groups[0]
    assert {t.id for t in members} <= set(range(len(PLANT)))
    assert len({t.citizen_key for t in members}) >= MIN_CITIZENS
    assert members[-1].received_at - members[0].received_at < WINDOW
    # Without the hotspot the same week has none.
    assert _hotspots(week) == []


def test_no_hotspot_below_the_policy_numbers() -> None:
    background = _tickets(WEEK, prefix=1000, start=T0, step=timedelta(hours=2))
    # Nine citizens: one short of the threshold.
    assert _hotspots(_tickets(PLANT[:9]) + background) == []
    # Twelve messages but only three citizens.
    assert _hotspots(_tickets(PLANT, citizens=[f"c{i % 3}" for i in range(12)]) + background) == []
    # Twelve citizens spread over 24 days: never ten within one week.
    assert _hotspots(_tickets(PLANT, step=timedelta(days=2)) + background) == []


def test_a_hotspot_does_not_depend_on_the_order_tickets_are_given_in() -> None:
    tickets = _tickets(PLANT) + _tickets(WEEK, prefix=1000, start=T0, step=timedelta(hours=2))
    first = _hotspots(tickets)
    assert len(first) == 1
    assert _hotspots(list(reversed(tickets))) == first


def test_repeats_are_one_citizens_tickets_on_one_matter() -> None:
    alice = [
        "翠湖花园旁边的垃圾中转站臭味很大，晚上不敢开窗。",
        "翠湖花园旁边的垃圾中转站臭味还是很大，垃圾车还在漏水。",
        "又来投诉翠湖花园旁边的垃圾中转站，臭味很大不敢开窗。",
    ]
    tickets = [
        *_tickets(OTHER, prefix=1000),
        *_tickets(alice, citizens=["alice"] * 3, step=timedelta(days=3)),
        # Another matter of the same citizen, and the same matter of another citizen.
        *_tickets(["请问社保卡丢了怎么补办？"], citizens=["alice"], prefix=100),
        *_tickets([alice[0]], citizens=["bob"], prefix=200),
    ]
    groups = repeat_groups(tickets, need=3, similarity=REPEATS)
    assert [[t.id for t in group] for group in groups] == [[0, 1, 2]]
    assert repeat_groups(tickets, need=4, similarity=REPEATS) == []
