"""What a question asks about a matter: its materials, conditions, fee, place, time …

A government FAQ is full of siblings: one matter asked about its materials, its
conditions, its procedure, its time limit, its fee, its place, and its variants (first
application, reissue after a loss, change, cancellation, progress). The encoder puts
siblings close together, closer than a citizen's wording to either, so it often ranks
the right matter with the wrong facet ("残疾证找不着了 咋整" → 残疾人证等级调整).

The facet, though, is said in a few fixed ways, formal in the entries (需要提交哪些材料,
申请条件是什么, 遗失后如何补办) and colloquial in the questions (要带啥, 够不够格,
丢了咋整). This module recognises both with one table of patterns; the matcher gives a
small bonus to a candidate whose question asks the same facet as the citizen's. The
patterns are about how people ask, not about any one KB's matters, so they hold on an
office's own FAQ.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Facet(StrEnum):
    MATERIALS = "materials"
    CONDITIONS = "conditions"
    PROCEDURE = "procedure"
    DURATION = "duration"
    SCHEDULE = "schedule"
    FEE = "fee"
    AMOUNT = "amount"
    PLACE = "place"
    REISSUE = "reissue"
    CANCEL = "cancel"
    CHANGE = "change"
    PROGRESS = "progress"
    COMPLAINT = "complaint"
    ONLINE = "online"
    RENEWAL = "renewal"


_PATTERNS: dict[Facet, str] = {
    Facet.MATERIALS: (
        r"材料|资料|证件|证明材料|带(些|点)?(啥|什么|哪些)|准备(些)?(啥|什么|哪些)|提交(些)?(啥|什么|哪些)"
        r"|(要|需要)(啥|什么|哪些)(东西|手续)"
    ),
    Facet.CONDITIONS: (
        r"条件|资格|够格|够不够|符合|申请对象|适用(对象|范围)|要求是|(有|有什么|有啥)要求"
        r"|(谁|哪些人|什么人|啥人|哪类人|(啥|什么)样的人|(啥|什么)情况)(可以|能|才能)"
        r"|(我|俺)?(能|可以)(不能|不可以)?(申请|办|领|享受)(吗|不)"
    ),
    Facet.PROCEDURE: (
        r"流程|程序|步骤|一步步|(如何|怎么|怎样|咋)(样)?(申请|办理|申领|登记|申报|参加)|办理方式"
    ),
    Facet.DURATION: (
        r"时限|期限|多久|多长时间|几天|多少天|几个工作日|(多会|啥时候|什么时候)(能|可以)?(办好|办结|拿到|到账|下来|批)"
    ),
    Facet.SCHEDULE: r"(什么|啥)时候(开始|报名|办理|申请|发放|受理)|何时|哪天|几月|报名时间|开放时间",
    Facet.FEE: r"收费|费用|交钱|要钱|收钱|花钱|免费|贵不贵|交(多少|几)|(多少|几)(个)?钱|交费|付费",
    Facet.AMOUNT: r"标准|补(贴|助)?多少|给多少|领多少|拿多少|发多少|金额|额度|(多少|几)(个)?钱|能贷多少",
    Facet.PLACE: r"哪里|哪儿|哪个部门|何处|地点|去哪|在哪|哪个窗口|什么地方|啥地方|哪家|哪个单位",
    Facet.REISSUE: r"补办|补领|补发|补证|遗失|丢失|丢了|弄丢|掉了|找不(着|到)|毁损|损毁",
    Facet.CANCEL: r"撤销|注销|撤回|取消|退出|反悔|不想(要|捐|办|参加)了",
    Facet.CHANGE: r"变更|更改|修改|更正|改名|更名|改成|改为|迁移|转移|过户|换成",
    Facet.PROGRESS: r"进度|到哪(一)?步|结果|查(询|一下|到|看)|(能|可以|怎么|去哪|哪里)查",
    Facet.COMPLAINT: r"投诉|举报|反映|维权|不满意|告他|申诉",
    Facet.ONLINE: r"网上|线上|手机上?|app|小程序|微信|自助|不用跑|掌上",
    Facet.RENEWAL: r"续(期|签|贷|租|办|保)|到期|延期|延续|换证|换领|过期",
}
_COMPILED: tuple[tuple[Facet, re.Pattern[str]], ...] = tuple(
    (facet, re.compile(pattern, re.IGNORECASE)) for facet, pattern in _PATTERNS.items()
)


def facets(text: str) -> frozenset[Facet]:
    """The facets a (normalised, simplified) question asks about; empty when none is said."""
    return frozenset(facet for facet, pattern in _COMPILED if pattern.search(text))


def agreement(query: frozenset[Facet], entry: frozenset[Facet]) -> float:
    """1 when the entry asks a facet the query asks, else 0.

    Only a bonus: a penalty for different facets (tried at the same weight) moved
    entries whose question names a facet in passing ("残疾人免费乘坐公交车如何办理" is
    not about a fee) and cost as many right answers as it won on one dev set."""
    return 1.0 if query & entry else 0.0
