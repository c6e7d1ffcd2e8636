from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base import segment


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("社保卡丢了咋办", ["社保卡", "丢", "怎么"]),
        ("請問社會保險卡丟了怎麼補辦？", ["社保卡", "丢", "怎么", "补办"]),
        ("房本丢了", ["不动产权证", "丢"]),
        ("我想问一下低保怎么申请啊", ["低保", "怎么", "办理"]),
        ("一二三四五热线电话是多少", ["12345热线", "电话", "多少"]),
        ("", []),
        ("🙂🙂", []),
    ],
)
def test_tokenize_maps_synonyms_and_drops_stop_words(text: str, tokens: list[str]) -> None:
    assert segment.tokenize(text) == tokens


def test_office_extra_dictionary_is_added_to_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "synonyms.txt").write_text("# office words\n核酸检测 做核酸 测核酸\n", encoding="utf-8")
    (tmp_path / "stopwords.txt").write_text("老板\n", encoding="utf-8")
    own = segment.build([tmp_path])
    assert own.tokenize("老板去哪做核酸") == ["去", "哪里", "核酸检测"]
    # The shipped lists still apply.
    assert own.tokenize("社保卡咋办") == ["社保卡", "怎么"]


def test_tokenize_before_load_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment, "_default", None)
    with pytest.raises(segment.SegmenterNotLoaded, match="load"):
        segment.tokenize("社保卡")
