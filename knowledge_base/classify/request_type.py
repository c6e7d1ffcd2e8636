"""Request type (投诉 咨询 求助 建议 表扬 举报) from cue words and sentence forms.

The rules need no training data, so they serve from the first day. Once the office
has labelled history, a `TextClassifier` trained on the type column (same code as
category routing) can be passed to `classify_request_type`; the rules remain the
fallback when no model is given.

How the rules decide: every type has weighted cues; the type with the highest score
wins. A citizen who names the type ("我要投诉", "想咨询一下") gets a bonus, because
that is the strongest signal a hotline has. With no cue at all, a question
("…吗？", "怎么…") is a consultation and any other statement is a complaint, the
commonest request on a 12345 line ("反映…问题").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from knowledge_base.classify.cues import Cue, CueHit, cue, find_hits
from knowledge_base.classify.errors import EmptyText, UnknownLabels
from knowledge_base.classify.model import TextClassifier
from knowledge_base.classify.texts import ERR_EMPTY_TEXT, ERR_UNKNOWN_LABELS
from knowledge_base.normalize import normalize
from tickets.enums import RequestType
from tickets.texts import REQUEST_TYPE

_CUES: dict[RequestType, tuple[Cue, ...]] = {
    RequestType.PRAISE: (
        cue(r"表扬|点赞|锦旗|感谢信|赞扬|称赞|致敬|好评", 3),
        cue(r"(?:谢谢|感谢).{0,20}?帮(?:我|我们)?.{0,12}?(?:了|好|完)", 1.5),
        cue(
            r"(?:感谢|谢谢|感激)(?:他们|她们|他|她|相关部门|有关部门|各位|大家|政府|你们|您们)|(?:真心|衷心|由衷|十分|万分)感谢|点个?赞|又快又好|一次(?:就)?办好",
            2.5,
        ),
        cue(
            r"(?:感谢|谢谢|感激)(?:您们|你们|您|你)?.{0,12}?(?:工作人员|师傅|民警|同志|社区|街道|医生|护士|老师|司机|帮助|帮忙|及时|耐心|热心|辛苦|付出|解决|服务)",
            2.5,
        ),
        cue(
            r"认真负责|热心肠|热情周到|服务(?:态度)?(?:很|非常|特别)?(?:好|周到|热情)|尽职尽责|辛苦了|为民办实事|雪中送炭|给力|值得(?:大家|我们)?学习|感动|感激|感恩|大拇指|没有怨言|任劳任怨|拾金不昧|一分没少|送(?:了)?回来|很专业|非常顺利|很顺利|学习的榜样|(?:特别|非常|很|十分)(?:耐心|热情|细心|负责)",
            2,
        ),
    ),
    RequestType.REPORT: (
        cue(r"举报|检举|揭发|实名反映", 4),
        cue(
            r"违法|违规|非法|偷排|偷倒|偷偷|私自|假(?:药|证|货|酒|烟|证明)|骗取|盗伐|滥伐|砍伐|无证|黑车|传销|偷税|漏税|逃税|骗保|套取|贿赂|受贿|吃空饷|涉嫌|冒充|假冒|售假|造假|黑作坊|赌博|违建|违章搭建|私搭乱建|乱搭乱建|非法营运|克扣|虚开|以权谋私|公车私用|诈骗|卷款|假的|办假|造假|冒领|骗领|没有健康证|无健康证|(?:往|向).{0,8}倾倒|偷倒|乱倒建筑垃圾|收了钱|收钱办事|好处费|收受|基本农田|占用耕地|没有资质|无资质|没有(?:资格证|许可证|执照|营业执照|办学许可)|无照|(?:堵|占)(?:死|用|了)?消防通道|消防通道.{0,4}(?:堵|占)|私下(?:卖|买|转让|交易)|(?:排|倒)(?:到|入|进)(?:农田|河里|河道|沟里|江里|湖里)|网吧.{0,15}(?:中学生|未成年|学生)|(?:中学生|未成年).{0,15}网吧",
            2,
        ),
    ),
    RequestType.COMPLAINT: (
        cue(r"投诉", 3.5),
        cue(
            r"不作为|推诿|踢皮球|态度(?:恶劣|极差|很差|太差|差|蛮横|冷漠)|扰民|噪音|噪声|乱收费|多收费|拖欠|欠薪|不退|拒不|拒绝退|刁难|不满|敷衍|久拖不决|没人管|无人管|不管不问|不予理睬|一直没(?:有)?(?:人)?(?:解决|处理|管|修|回复)|至今(?:没有|未|还没)|多次(?:反映|打电话|投诉)|强烈要求|太差|恶劣|扯皮|霸王条款|坑人|坑钱|欺骗|欺诈|维权|严重影响|影响(?:休息|睡眠|生活|出行|学习)|臭气|异味|乱停|乱扔|乱倒|占道|堵塞|多收(?:钱|费)|收费不合理|不合理|合理吗|凭什么|不理|不搭理|爱答不理|不耐烦|玩手机|(?:有没有|没有|没)人管|没人接|不接电话|不标价|明码标价|太贵|天价|繁琐|来回跑|跑了.{0,3}趟",
            2,
        ),
        cue(r"停水|停电|漏水|积水|坏了|损坏|破损|不亮|垃圾|污水|脏乱", 1),
    ),
    RequestType.HELP: (
        cue(r"求助|求救|救救|救命", 3.5),
        cue(
            r"帮帮|请帮|帮个忙|请.{0,4}帮忙|帮忙(?:联系|找|寻找|看看|处理|协调|发|想想)|帮我(?:们)?(?:一下|看看|找|联系|想想|问问|查)|帮助我|求帮助|求助|(?:请求|需要|急需|希望得到).{0,6}?(?:帮助|救助|援助|协助|派人|寻找)|麻烦.{0,4}(?:派人|来人|帮)|派人(?:来|过来|上门|查看|看看)|急需|走投无路|无家可归|迷路|走失|走散|找不到(?:家|人|孩子|老人)|被困|困在|反锁|无法(?:回家|出门|生活)|回不了家|出不了门|身无分文|快来人|不敢出去|(?:能不能|能否|可以|请)派(?:个)?(?:人|车)|没钱|看不起病|很害怕|好害怕|不知道(?:该)?找谁|谁能帮|生活困难|没有办法|不知道(?:该)?怎么办|怎么办才好|求求",
            2.5,
        ),
        cue(r"困难|救助|帮扶|低保|救济|危急", 1),
    ),
    RequestType.SUGGESTION: (
        cue(r"建议|提议|倡议|呼吁|献策|提个(?:小)?(?:意见|建议)|小建议|小意见", 3.5),
        cue(r"(?:可以|能否|能不能|可不可以|希望|最好|是否能)(?:再)?(?:多|加上|增加|添|设|装|种|建|开)", 2.5),
        cue(
            r"(?:希望|能否|可否|是否可以|能不能|可不可以|应该|应当|最好)(?:能|可以|考虑|尽快)?.{0,12}?(?:增设|增加|加装|安装|开通|设置|设立|延长|改善|完善|优化|修建|新建|规划|调整|推广|取消|放宽|统一|加大|加强|多开|扩建|多建|多设|多装|开放|推出|开设|引进|配备|提供|普及|恢复|改造|整治|修缮|翻新|搬迁|迁走)",
            3.5,
        ),
        cue(r"(?:可否|能否|是否可以|能不能)考虑|考虑一下|不妨|如果能.{0,10}就好了|意见和建议|合理化", 2),
    ),
    RequestType.CONSULTATION: (
        cue(r"咨询|请问|问一下|想问|打听|想了解|了解一下", 3),
        cue(
            r"(?:怎么|如何|怎样)(?:办理|申请|补办|查询|缴纳|交|报名|领取|认定|计算|报销|转移|开具|预约|注册|登记|续|变更|迁)|哪里(?:可以|能)?(?:办|领|交|查|报)|在哪(?:里|儿)?(?:办|领|交|查|报)|需要(?:什么|哪些)(?:材料|手续|证件|条件)|(?:什么|哪些)(?:材料|条件|手续|流程)|是否(?:可以|能|需要|符合|属于)|能不能|可不可以|有没有|多少钱|什么时候|何时|多久|条件是什么|怎么收费|标准是多少|政策",
            2,
        ),
    ),
}

# Naming the type at the start ("我要投诉…", "建议…") outranks everything after it.
_DECLARED = {
    RequestType.COMPLAINT: re.compile(r"^\s*(?:我|本人)?(?:要|想)?投诉"),
    RequestType.REPORT: re.compile(r"^\s*(?:我|本人)?(?:要|想)?(?:实名)?举报"),
    RequestType.CONSULTATION: re.compile(r"^\s*(?:我|本人)?(?:要|想)?(?:咨询|请问|问一下)"),
    RequestType.HELP: re.compile(r"^\s*(?:我|本人)?(?:要|想)?求助"),
    RequestType.SUGGESTION: re.compile(r"^\s*(?:我|本人)?(?:要|想)?(?:建议|提(?:个|一个|点)?建议)"),
    RequestType.PRAISE: re.compile(r"^\s*(?:我|本人)?(?:要|想)?(?:表扬|感谢|谢谢|非常感谢|特别感谢)"),
}
_DECLARED_BONUS = 3.0

_QUESTION_END = re.compile(r"(?:吗|呢|么|没有|不)\s*$")
_QUESTION_WORD = re.compile(r"怎么|如何|怎样|哪里|哪儿|什么|为什么|为何|是否|能否|多少|几")
_QUESTION_FORM_WEIGHT = 1.0

# When scores tie, the more specific / more actionable type wins.
_PRIORITY = (
    RequestType.REPORT,
    RequestType.HELP,
    RequestType.COMPLAINT,
    RequestType.PRAISE,
    RequestType.SUGGESTION,
    RequestType.CONSULTATION,
)


@dataclass(frozen=True, slots=True)
class TypeDecision:
    """The decided type, how it was decided, and the cues seen (for the office's review)."""

    type: RequestType
    confidence: float
    source: str  # "rules", "default" or "model"
    cues: tuple[str, ...] = ()


def _is_question(raw: str, text: str) -> bool:
    folded = unicodedata.normalize("NFKC", raw)
    if "?" in folded:
        return True
    return any(_QUESTION_END.search(s) for s in re.split(r"\s+", text) if s) or bool(
        _QUESTION_WORD.search(text)
    )


def type_scores(text: str) -> tuple[dict[RequestType, float], dict[RequestType, list[CueHit]], bool]:
    """Score of each type from the rules, the hits per type, and whether it reads as a question."""
    norm = normalize(text)
    if not norm.strip():
        raise EmptyText(ERR_EMPTY_TEXT)
    hits = {kind: find_hits(norm, cues) for kind, cues in _CUES.items()}
    scores = {kind: sum(h.weight for h in found) for kind, found in hits.items()}
    for kind, pattern in _DECLARED.items():
        if pattern.search(norm):
            scores[kind] += _DECLARED_BONUS
    question = _is_question(text, norm)
    if question:
        scores[RequestType.CONSULTATION] += _QUESTION_FORM_WEIGHT
    return scores, hits, question


def classify_request_type_by_rules(text: str) -> TypeDecision:
    scores, hits, question = type_scores(text)
    best = max(_PRIORITY, key=lambda kind: (scores[kind], -_PRIORITY.index(kind)))
    total = sum(scores.values())
    if scores[best] <= 0 or (best == RequestType.CONSULTATION and not hits[best] and total <= 1.0):
        default = RequestType.CONSULTATION if question else RequestType.COMPLAINT
        return TypeDecision(type=default, confidence=0.4, source="default")
    cues_seen = tuple(h.text for h in hits[best])
    return TypeDecision(type=best, confidence=round(scores[best] / total, 3), source="rules", cues=cues_seen)


def classify_request_type(text: str, model: TextClassifier | None = None) -> TypeDecision:
    """The request type: from a trained model when one is given, else from the rules."""
    if model is None:
        return classify_request_type_by_rules(text)
    top = model.predict_top(text, k=1)[0]
    return TypeDecision(type=parse_request_type(top.label), confidence=top.confidence, source="model")


_BY_CHINESE = {label: kind for kind, label in REQUEST_TYPE.items()}


def parse_request_type(label: str) -> RequestType:
    """A label of the office's history ("投诉" or "complaint") as the enum."""
    label = label.strip()
    if label in _BY_CHINESE:
        return _BY_CHINESE[label]
    try:
        return RequestType(label.lower())
    except ValueError:
        raise UnknownLabels(
            ERR_UNKNOWN_LABELS.format(labels=label, known="、".join(REQUEST_TYPE.values())), [label]
        ) from None
