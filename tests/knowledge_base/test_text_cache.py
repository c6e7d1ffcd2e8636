"""The prepared-text cache: same answers from a warm start, stale or broken caches ignored."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge_base import files
from knowledge_base.matcher import build_knowledge_base
from knowledge_base.segment import Segmenter
from knowledge_base.text_cache import PreparedTextCache

QUERIES = ["社保卡丢了咋办", "公积金怎么取出来", "今天天气怎么样", "楼上太吵了晚上睡不着"]


def _answers(kb) -> list[list[tuple[str, float]]]:  # type: ignore[no-untyped-def]
    return [[(s.entry.id, s.score) for s in kb.search(q)] for q in QUERIES]


def test_warm_start_gives_the_same_scores_and_skips_segmentation(
    tmp_path: Path, segmenter: Segmenter
) -> None:
    entries = files.active_entries(files.default_records())
    path = tmp_path / "cache" / "kb_text_cache.json"
    cold = build_knowledge_base(entries, segmenter=segmenter, cache_path=path)
    assert path.is_file()
    cache = PreparedTextCache.load(path, segmenter.fingerprint)
    texts = sum(1 + len(e.alternatives) + len(e.keywords) for e in entries)
    assert 0 < len(cache) <= texts

    warm = build_knowledge_base(entries, segmenter=segmenter, cache_path=path)
    assert _answers(warm) == _answers(cold)
    reloaded = PreparedTextCache.load(path, segmenter.fingerprint)
    assert reloaded.get("社保卡丢了怎么补办") == ("社保卡丢了怎么补办", ["社保卡", "丢", "怎么", "补办"])


def test_a_cache_of_other_word_lists_or_a_broken_file_is_not_trusted(
    tmp_path: Path, segmenter: Segmenter
) -> None:
    path = tmp_path / "kb_text_cache.json"
    # Same text, poisoned tokens, another fingerprint: must be ignored.
    path.write_text(
        json.dumps({"format": 1, "fingerprint": "other", "texts": {"社保卡丢了怎么补办": ["x", "公积金"]}}),
        encoding="utf-8",
    )
    assert len(PreparedTextCache.load(path, segmenter.fingerprint)) == 0
    path.write_text("{not json", encoding="utf-8")
    assert len(PreparedTextCache.load(path, segmenter.fingerprint)) == 0
    entries = files.active_entries(files.default_records())[:5]
    kb = build_knowledge_base(entries, segmenter=segmenter, cache_path=path)
    assert kb.search("社保卡丢了咋办")[0].entry.id == "sbk_lost"
    assert json.loads(path.read_text(encoding="utf-8"))["fingerprint"] == segmenter.fingerprint
