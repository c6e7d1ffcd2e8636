from __future__ import annotations

import pytest

from knowledge_base.normalize import MAX_CHARS, normalize, strip_labels


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("請問社會保險卡怎麼補辦？？？", "请问社会保险卡怎么补办"),
        ("ＡＢＣ１２３４５热线", "abc12345热线"),
        ("怎么办啊啊啊！！！😭😭👍🏻❤️", "怎么办啊"),
        ("<b>公积金</b>&amp;提取 https://example.org/a?b=1", "公积金 提取"),
        ("退休年龄是六十岁吗", "退休年龄是60岁吗"),
        ("一二三四五热线", "12345热线"),
        ("幺二三四五", "12345"),
        ("拖欠工资三个月", "拖欠工资3个月"),
        ("一百二十天", "120天"),
        ("一千零五个", "1005个"),
        ("三万五千", "35000"),
        ("二〇二四年", "2024年"),
        ("等一下", "等一下"),
        ("千万不要", "千万不要"),
        ("万一停电", "万一停电"),
        ("统一办理", "统一办理"),
        ("Social   Security\tCard", "social security card"),
        ("1000元", "1000元"),
    ],
)
def test_normalize_exact(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", ["", "   \n\t", "😀😀🎉", "！？。，", "<p></p>"])
def test_normalize_empty_like_input_gives_empty_string(raw: str) -> None:
    assert normalize(raw) == ""


def test_normalize_is_idempotent() -> None:
    once = normalize("醫保報銷ＡＢＣ，要帶什麼材料？？")
    assert once == "医保报销abc 要带什么材料"
    assert normalize(once) == once


def test_normalize_bounds_very_long_input() -> None:
    text = "我家楼下饭店油烟很大" * 600
    out = normalize(text)
    assert len(out) <= MAX_CHARS
    assert out.startswith("我家楼下饭店油烟很大我家")


@pytest.mark.parametrize(
    ("text", "answer", "expected"),
    [
        ("1、如何办理居住证？", False, "如何办理居住证？"),
        ("（二）问：如何办理？", False, "如何办理？"),
        ("Q3: 社保卡丢了", False, "社保卡丢了"),
        ("【社保】社保卡丢了怎么办", False, "社保卡丢了怎么办"),
        # Numbers that are part of the question stay.
        ("12345热线几点上班", False, "12345热线几点上班"),
        ("1.5倍工资怎么算", False, "1.5倍工资怎么算"),
        ("<p>答：您好！根据规定，需要</p>", True, "根据规定，需要"),
        ("答复：已办理", True, "已办理"),
    ],
)
def test_strip_labels_removes_an_exports_numbering_labels_and_markup(
    text: str, answer: bool, expected: str
) -> None:
    assert strip_labels(text, answer=answer) == expected
