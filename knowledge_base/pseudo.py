"""Pseudo-queries: how a citizen might ask an entry's formal question, made by rule at import.

An office's FAQ has one formal question per entry ("申请办理农村宅基地和建房（规划许可）审批
需要提交哪些材料？") and citizens ask in their own words ("村里盖房子报批要带啥材料").
From each entry's own question this module makes a few colloquial rephrasings: the
bracketed asides and formal openings (关于 / 请问 / 如何办理 / 申请办理 …) go, the key noun
phrase stays, and the intent (materials, conditions, procedure, time, fee, place,
whether …) is said with a colloquial template. No model, no data from outside the KB:
the rules only use the entry's text, so they hold on any office's FAQ.

They serve two purposes (knowledge_base/dense.py, knowledge_base/matcher.py):
- extra question-side vectors of the entry (stored with the others, keyed by content),
- the KB's self-supervised calibration: each pseudo-query is asked of the KB without its
  own vectors (in-scope) and without its entry (near-domain out of scope), and the KB's
  answer threshold is the one that keeps the estimated precision on them at the target.
"""

from __future__ import annotations

import re

# (pattern of the formal intent at the end of a question, colloquial endings)
_INTENTS: tuple[tuple[re.Pattern[str], tuple[str, str]], ...] = tuple(
    (re.compile(pattern), endings)
    for pattern, endings in (
        (
            r"(需要|应当|应该|要)?(办理|提交|准备|携带|提供)?(哪些|什么|何种)(申请)?(材料|资料|证件|手续)",
            ("要带什么材料", "要准备啥资料"),
        ),
        (
            r"(需要|应当|应该|要)?(符合|满足|具备|具有)?(哪些|什么|何种)(条件|资格|要求)|的?(申请)?条件(和标准)?是什么",
            ("要什么条件", "啥情况能办"),
        ),
        (
            r"(的)?(办理|申请|审批|申报)?(流程|程序|步骤)(是)?(怎样|什么|如何)?(的)?|如何(申报|申请|办理)(和发放)?",
            ("怎么办", "流程是啥"),
        ),
        (
            r"(的)?(办理|审批|承诺)?(时限|期限)(是)?(多少天|多久|多长时间)?|(需要|要)?多长时间(能|可以)?(到账|办结|办好)?|(需要|要)?多久",
            ("要多久", "几天能办好"),
        ),
        (
            r"是否(收取|收|需要缴纳|要交)(费用|钱)?|(收费标准|费用)(是)?(多少|怎样|如何)?|(需要|要)?(缴纳|交)(哪些|什么|多少)?(费用|钱)",
            ("要交钱吗", "收费多少"),
        ),
        (
            r"(应当|应该|可以)?(到|在|去|向)(哪里|哪儿|何处|哪个部门|什么部门)(办理|申请|备案|举报|投诉|咨询|查询)?|(办理)?地点(在哪)?",
            ("去哪里办", "找哪个部门"),
        ),
        (
            r"(的)?(补贴|补助|救助|赔偿|缴费)?标准(是)?(多少|怎样|如何|是怎么规定的|如何规定)?(的)?",
            ("标准是多少", "能给多少钱"),
        ),
        (r"(是)?(如何|怎样|怎么)规定(的)?", ("有啥规定", "是咋规定的")),
        (
            r"(应当|应该|需要|要)?(如何|怎样|怎么)(处理|解决|办|办理|申请|查询|规定)(的)?|有哪些(方式|途径|渠道)",
            ("怎么弄", "该咋办"),
        ),
    )
)
_ASIDE = re.compile(r"[（(][^（）()]{0,30}[）)]|[《》“”\"'「」]")
_OPENING = re.compile(r"^(关于|请问|咨询|我想(咨询|问|了解)(一下)?|如何|怎样|怎么|申请办理|办理|申请)+")
_TAIL = re.compile(r"[？?。.！!；;，,、\s]+$")
_SPLIT = re.compile(r"[？?。！!；;]")
_FILLER = re.compile(r"(本市|本区|本县|相关|有关|的相关|依法|应当|应该)")
# Two colloquial wordings of a question that has no recognised intent ending.
_SPOKEN: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("如何", "怎么"),
        ("怎样", "怎么"),
        ("哪些", "啥"),
        ("什么", "啥"),
        ("是否", "能不能"),
        ("能否", "能不能"),
        ("需要", "要"),
        ("应当", ""),
        ("应该", ""),
        ("办理", "办"),
        ("可以", "能"),
    ),
    (
        ("如何", "咋"),
        ("怎样", "咋"),
        ("哪些", "哪些"),
        ("是否", "是不是"),
        ("能否", "可不可以"),
        ("怎么", "咋"),
        ("需要", "得"),
        ("应当", "要"),
        ("应该", "要"),
        ("办理", "弄"),
        ("有关", ""),
        ("相关", ""),
    ),
)
MAX_CORE = 28  # characters of the noun phrase kept (a long clause is cut, not dropped)


def _first_clause(question: str) -> str:
    """The main question of "…需要什么材料？有时效要求吗？": the first sentence."""
    parts = [p for p in _SPLIT.split(question) if p.strip()]
    return parts[0] if parts else question


def _core(text: str) -> str:
    text = _ASIDE.sub("", text)
    text = _TAIL.sub("", text).strip()
    text = _OPENING.sub("", text)
    text = _FILLER.sub("", text)
    return text.strip("的，, ")


def pseudo_queries(question: str, *, limit: int = 2) -> list[str]:
    """Up to `limit` colloquial rephrasings of a formal question (none for an empty one),
    each different from the question itself."""
    clause = _first_clause(" ".join(question.split()))
    if not clause.strip():
        return []
    base = _OPENING.sub("", _ASIDE.sub("", _TAIL.sub("", clause))) or _TAIL.sub("", clause)
    endings: tuple[str, str] | None = None
    stem = base
    for pattern, intent_endings in _INTENTS:
        found = None
        for match in pattern.finditer(base):
            if match.group(0) and match.end() >= len(base) - 2:
                found = match
        if found is not None:
            stem = base[: found.start()]
            endings = intent_endings
            break
    out: list[str] = []
    core = _core(stem)[:MAX_CORE]
    if endings is not None and core:
        out.extend(f"{core}{ending}" for ending in endings)
    elif base != _TAIL.sub("", _ASIDE.sub("", clause)) and core:
        # "如何查询…" without its opening: the bare phrase and a colloquial ending.
        out.extend([core, f"{core}咋弄"])
    else:
        for table in _SPOKEN:
            spoken = base
            for formal, plain in table:
                spoken = spoken.replace(formal, plain)
            out.append(spoken)
    seen = {" ".join(question.split())}
    unique = [q for q in dict.fromkeys(out) if q.strip() and q not in seen]
    return unique[:limit]
