"""Urgency (紧急 / 次紧急 / 一般) from cues in the request text.

紧急 is for danger now: gas leaks, fire, explosion, flooding, people trapped or hurt,
children or elderly people at risk, power / water / gas / heating cut for many
households. 次紧急 is for hazards that can still wait a day (a missing manhole cover,
a leaning tree, a cut affecting one home, a broken lift with nobody inside). Anything
else is 一般. The office can always raise or lower the level by hand; the rules make
sure the dangerous ones are not left in the general queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge_base.classify.cues import Cue, cue, find_hits
from knowledge_base.classify.errors import EmptyText
from knowledge_base.classify.texts import ERR_EMPTY_TEXT
from knowledge_base.normalize import normalize
from tickets.enums import Urgency

_CUT = (
    r"(?:停水|停电|断水|断电|停气|断气|没水|没电|没有水|没有电|没气|没有暖气|停暖|不供暖|暖气不热"
    r"|水压(?:太低|不足)|没有天然气)"
)
_MANY = (
    r"(?:整个小区|全小区|整栋|整幢|整个单元|全村|整个村|整条街|整片|大面积|片区|几栋|多栋|好几栋"
    r"|几百户|上百户|上千户|数百户|\d{2,}户|几十户|多户|好多户|所有住户|全体业主|周边居民|附近居民|一片)"
)
_VULNERABLE = (
    r"(?:小孩|孩子|儿童|小朋友|婴儿|宝宝|学生|老人|奶奶|爷爷|外婆|外公|姥姥|姥爷|老母亲|老父亲|老年人"
    r"|老太太|老大爷|老奶奶|老爷爷|独居老人|孤寡老人|残疾人|孕妇|病人|瘫痪)"
)
_AT_RISK = (
    r"(?:被困|困在|走失|失踪|找不到|锁在|反锁|无人照顾|没人照顾|晕倒|昏迷|受伤|摔伤|摔倒|发高烧|抽搐"
    r"|危险|冻|饿了.{0,4}天|没饭吃|被打|虐待|遗弃)"
)

_URGENT: tuple[Cue, ...] = (
    cue(
        r"(?:煤气|燃气|天然气|液化气|气罐)(?:管道?)?.{0,6}?(?:泄漏|泄露|漏气|漏了|外泄|味道很大|味很大|很大的?味|爆)",
        3,
    ),
    cue(r"(?:煤气|燃气|天然气|液化气)味|漏气", 3),
    cue(r"火花|焦糊味|烧焦|电线短路|短路起火", 3),
    cue(r"车祸|相撞|撞人|撞伤|被撞|躺在(?:地上|路上|路边)|不省人事|不动了|没有(?:呼吸|意识)", 3),
    cue(r"涨水|水涨|漫过|漫到|漫进|冲走|被冲|掉进|掉到(?:河|井|水)", 3),
    cue(
        _VULNERABLE
        + r".{0,20}?(?:一直没人接|联系不上|好几天没(?:出门|露面|动静)|敲门没人应|没有动静|心脏病|犯病)",
        3,
    ),
    cue(r"着火|起火|失火|火灾|火情|烧起来|冒(?:出)?.{0,4}烟|浓烟|爆炸|炸了", 3),
    cue(r"(?:积水|水深|水位).{0,8}(?:\d|一|半|几)(?:多)?米|齐腰|没过(?:膝盖|车|腰)", 3),
    cue(r"(?:塔吊|脚手架|吊车|起重机).{0,10}(?:晃|倾斜|倒|断|塌)", 3),
    cue(r"洪水|山洪|内涝|被淹|淹了|淹没|水淹|倒灌|决堤|溃坝|泥石流|山体滑坡|滑坡", 3),
    cue(
        r"(?:房屋|房子|墙体?|楼|桥|围墙|路面|地面|天花板|屋顶)(?:体)?.{0,4}(?:倒塌|坍塌|塌了|塌陷|垮塌|开裂严重)",
        3,
    ),
    cue(r"(?:电梯|车|屋|房间|井|河|水)(?:里|内|中).{0,4}(?:被困|困人|困住|困了|困着)|电梯困人|被困", 3),
    cue(r"触电|漏电伤人|电线(?:掉|断|落|垂)(?:落|在)?.{0,3}(?:地|路)|高压线(?:断|掉|落)", 3),
    cue(
        r"有人(?:受伤|落水|溺水|晕倒|昏迷|被打|持刀|跳楼|轻生|自杀)|生命危险|危及(?:生命|人身)|人命关天|救命|溺水|落水|自杀|轻生|跳楼|持刀|砍人",
        3,
    ),
    cue(_VULNERABLE + r".{0,10}?" + _AT_RISK, 3),
    cue(_MANY + r".{0,15}?" + _CUT + "|" + _CUT + r".{0,15}?" + _MANY, 3),
    cue(r"(?:液氨|氨气|氯气|化学品|危化品|有毒气体|毒气|硫化氢|农药)(?:罐)?(?:泄漏|泄露|外泄)|中毒", 3),
)

_SEMI_URGENT: tuple[Cue, ...] = (
    cue(_CUT, 2),
    cue(r"井盖(?:丢失|丢了|缺失|没了|被偷|不见|破损|坏了|松动)|没有井盖", 2),
    cue(r"(?:树|大树|树木|电线杆|广告牌|招牌|路灯杆|围墙)(?:木)?.{0,4}(?:倒|倾斜|歪|要倒|快倒|断裂|掉落)", 2),
    cue(
        r"刮断|折断|断了一半|裂开|裂缝|开裂|倾斜|歪了|冒出来|溢出|外溢|漏电|安全隐患|隐患|高空坠物|坠落|随时可能|摇摇欲坠|危房|(?:快|要|随时(?:可能|会)?)掉下来",
        2,
    ),
    cue(r"消防栓.{0,6}(?:坏|喷水|漏水)|往外喷水", 2),
    cue(r"(?:路面|道路|马路|地面|路上|路中间)(?:出现)?.{0,8}(?:塌陷|大坑|深坑)|塌陷", 2),
    cue(r"电梯(?:故障|坏了|停运|不能用|停了)", 2),
    cue(
        r"(?:水管|管道|自来水管|主管道)(?:破裂|爆裂|爆了|爆管)|爆管|污水(?:外溢|漫|倒灌)|化粪池(?:满|外溢|堵)",
        2,
    ),
    cue(r"(?:欠薪|拖欠工资|工资没发).{0,20}(?:过年|回家|生活困难|吃饭)", 2),
    cue(r"(?:发烧|生病|病重|住院).{0,10}(?:没钱|无人|没人)", 2),
)


@dataclass(frozen=True, slots=True)
class UrgencyDecision:
    level: Urgency
    cues: tuple[str, ...] = ()


def assess_urgency(text: str) -> UrgencyDecision:
    """紧急 / 次紧急 / 一般 with the cues that decided it (shown to the office)."""
    norm = normalize(text)
    if not norm.strip():
        raise EmptyText(ERR_EMPTY_TEXT)
    compact = re.sub(r"\s+", "", norm)
    urgent = find_hits(compact, _URGENT)
    if urgent:
        return UrgencyDecision(Urgency.URGENT, tuple(h.text for h in urgent))
    semi = find_hits(compact, _SEMI_URGENT)
    if semi:
        return UrgencyDecision(Urgency.SEMI_URGENT, tuple(h.text for h in semi))
    return UrgencyDecision(Urgency.GENERAL)
