"""Text normalisation shared by queries and knowledge-base entries.

Both sides go through the same `normalize()` so that a citizen typing full-width
digits, traditional characters, emoji or "怎么办啊啊啊！！！" meets the entry written
by the office in plain simplified Chinese. The output is lower-case, simplified,
half-width text where every run of punctuation, symbols and markup becomes a
single space.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import opencc

# Bump when the output of normalize() changes: cached prepared texts depend on it.
NORMALIZE_VERSION = "2"

# Longer input is cut: no FAQ question needs more, and it bounds the matcher's work.
MAX_CHARS = 2000

_TAG = re.compile(r"<[^<>]{0,200}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Labels an office's FAQ export puts before the text itself: numbering ("1、", "（二）"),
# "问：" / "Q1:" before a question, "答：" and the greeting "您好！" before an answer.
_QUESTION_LABEL = re.compile(
    r"^\s*(?:(?:[（(]?[0-9一二三四五六七八九十]{1,3}[)）、.．:：](?!\d)|[（(][0-9一二三四五六七八九十]{1,3}[)）]"
    r"|q\d{0,3}[:：.]|问题?\d{0,3}[:：]|【[^】]{0,12}】)\s*)+",
    re.IGNORECASE,
)
_ANSWER_LABEL = re.compile(r"^\s*(?:(?:答|a|回复|答复)[:：]|(?:您|你)好[!！,，。、\s]*)+", re.IGNORECASE)
# Three or more of the same character ("啊啊啊", "!!!!") say no more than one; digits are
# exempt because "1000" or "12345" must survive.
_REPEAT = re.compile(r"(\D)\1{2,}")
_SPACES = re.compile(r"\s+")

# Letters and digits are text; everything else (punctuation, symbols, emoji, control
# and format characters, "_") separates words.
_NON_WORD = re.compile(r"[\W_]+")

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_NUMERAL_RUN = re.compile(r"[零〇一幺二两三四五六七八九十百千万]+")
# A single numeral is only a number when a measure word follows ("三个月", "六岁");
# otherwise "一下", "统一", "万一" would be mangled.
_MEASURE_AFTER = re.compile(r"(?:个月|个工作日|个|岁|周岁|天|年|日|号|周|小时|次|元|级|孩|胎|倍|楼|层|月)")


def _parse_positional(run: str) -> int | None:
    """Value of "六十", "一百二十", "三万五千" style numerals; None if it is not one."""
    total = 0
    section = 0
    digit: int | None = None
    for ch in run:
        if ch in "零〇":
            digit = None  # "一千零五": the zero only marks a skipped place
        elif ch in _CN_DIGITS:
            if digit is not None:
                return None  # two digits in a row inside a positional numeral
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                section = (section + (digit or 0)) * unit
                total += section
                section = 0
            else:
                if digit is None and not (ch == "十" and section == 0):
                    return None  # "百" without a leading digit: not a number
                section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def _convert_numeral_run(run: str, following: str) -> str:
    if run[0] not in _CN_DIGITS and run[0] != "十":
        return run  # "千万不要", "万一"
    if len(run) == 1 and not _MEASURE_AFTER.match(following):
        return run
    if any(ch in _CN_UNITS for ch in run):
        value = _parse_positional(run)
        return run if value is None else str(value)
    if len(run) >= 3 or _MEASURE_AFTER.match(following) or run[0] in "幺〇零":
        # Digit by digit: "一二三四五" -> "12345", "二〇二四年" -> "2024年".
        return "".join(str(_CN_DIGITS[ch]) for ch in run)
    return run  # two-digit words such as "一一", "三三" stay words


def _chinese_numerals(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return _convert_numeral_run(match.group(0), text[match.end() : match.end() + 4])

    return _CN_NUMERAL_RUN.sub(replace, text)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def warm_up() -> None:
    """Load the traditional→simplified tables now rather than on the first message."""
    _t2s().convert("繁體")


def strip_labels(text: str, *, answer: bool = False) -> str:
    """The text of a question or an answer without its export's labels and markup
    ("1、问：…", "<p>答：您好！…</p>"): what is encoded and turned into pseudo-queries."""
    text = _TAG.sub(" ", html.unescape(text or ""))
    return (_ANSWER_LABEL if answer else _QUESTION_LABEL).sub("", text).strip()


def normalize(text: str) -> str:
    """Canonical form of a question or query; never raises on any string."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if not text:
        return ""
    text = text[:MAX_CHARS]
    # Lone surrogates (broken clients, bad JSON escapes) cannot be encoded for OpenCC.
    text = text.encode("utf-8", "ignore").decode("utf-8")
    text = html.unescape(text)
    text = _TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    # NFKC folds full-width letters, digits and punctuation to half-width and circled /
    # compatibility forms (①, ㈠) to plain ones.
    text = unicodedata.normalize("NFKC", text)
    text = _t2s().convert(text)
    text = text.lower()
    text = _NON_WORD.sub(" ", text)
    text = _REPEAT.sub(r"\1", text)
    text = _chinese_numerals(text)
    return _SPACES.sub(" ", text).strip()
