"""What a citizen says that is not a question for the knowledge base: greetings, thanks,
goodbyes, asking for a person, and questions outside the hotline's remit.

Works on the normalised text (knowledge_base.normalize): lower case, simplified, with
punctuation and emoji turned into spaces. Small talk is recognised only when the message
is nothing else ("你好" yes, "你好，社保卡丢了怎么补办" no): a question that merely starts
politely still goes to the knowledge base.
"""

from __future__ import annotations

import re
from enum import StrEnum


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    PERSON = "person"  # asks for a person (转人工)
    OUT_OF_SCOPE = "out_of_scope"  # not a matter of government services


_THANKS = ("谢谢", "感谢", "多谢", "谢了", "辛苦了", "thanks", "thank you", "thx")
_GOODBYE = ("再见", "拜拜", "bye", "晚安")
_GREETING = ("你好", "您好", "在吗", "在不在", "有人吗", "有人在吗", "哈喽", "嗨", "hello", "hi",
             "早上好", "上午好", "中午好", "下午好", "晚上好", "早")
# Words that add nothing to a greeting or thanks ("你好呀", "好的谢谢你").
_FILLER = ("请问", "你们", "你", "您", "大家", "好的", "好", "哦", "噢", "嗯", "呀", "啊", "啦", "吧", "呢",
           "哈", "吗", "了", "的", "ok", "非常", "太", "很")
# Longest first, so that "有人在吗" is taken whole before "在吗".
_PHRASES = sorted({*_THANKS, *_GOODBYE, *_GREETING, *_FILLER}, key=len, reverse=True)
_ALTERNATIVES = "|".join(re.escape(p) for p in _PHRASES)
_ONLY_SMALL_TALK = re.compile(rf"(?:{_ALTERNATIVES}|\s)+")

# A citizen who asks for a person gets one, whatever else the message says.
_PERSON = re.compile(r"转人工|人工客服|人工服务|人工坐席|找人工|要人工|真人|接线员|不要机器人")

# Matters the 12345 hotline does not handle: investment advice, lotteries, fortune telling,
# entertainment. Only consulted when the knowledge base has nothing to say.
_OUT_OF_SCOPE = re.compile(
    r"股票|炒股|股价|大盘|基金.{0,4}(?:涨|跌|买|推荐)|期货|比特币|虚拟币|数字货币.{0,4}(?:涨|跌|买)|彩票.{0,4}(?:号码|预测|中奖)"
    r"|算命|星座|运势|风水|讲个笑话|笑话|唱首歌|天气预报|明天天气|今天天气|几度"
)


def small_talk(normalized: str) -> SmallTalk | None:
    """The kind of small talk a whole message is, or None when it says something more."""
    if _PERSON.search(normalized):
        return SmallTalk.PERSON
    text = normalized.strip()
    if not text or _ONLY_SMALL_TALK.fullmatch(text) is None:
        return None
    if any(word in text for word in _THANKS):
        return SmallTalk.THANKS
    if any(word in text for word in _GOODBYE):
        return SmallTalk.GOODBYE
    if any(word in text for word in _GREETING):
        return SmallTalk.GREETING
    return None  # only filler words ("好的"): let the knowledge base say it did not understand


def out_of_scope(normalized: str) -> bool:
    """A question about something the hotline does not handle (stocks, lotteries, weather…)."""
    return _OUT_OF_SCOPE.search(normalized) is not None
