"""Pseudo-queries made at import, and the KB's own answer threshold calibrated on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.config import load_config
from knowledge_base.matcher import Entry, build_knowledge_base, entry_texts
from knowledge_base.pseudo import pseudo_queries
from knowledge_base.segment import Segmenter
from tests.knowledge_base.test_hybrid import CountingEncoder


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "申请办理农村宅基地和建房（规划许可）审批需要提交哪些材料？",
            ["农村宅基地和建房审批要带什么材料", "农村宅基地和建房审批要准备啥资料"],
        ),
        (
            "农村村民申请宅基地需要符合哪些条件？",
            ["农村村民申请宅基地要什么条件", "农村村民申请宅基地啥情况能办"],
        ),
        ("农村宅基地审批的办理时限是多少天？", ["农村宅基地审批要多久", "农村宅基地审批几天能办好"]),
        (
            "如何查询本户土地承包经营权确权登记信息？",
            ["查询本户土地承包经营权确权登记信息", "查询本户土地承包经营权确权登记信息咋弄"],
        ),
        ("哪些人需要办理生育登记？", ["啥人要办生育登记", "哪些人得弄生育登记"]),
        ("公积金怎么提取", ["公积金咋提取"]),
    ],
)
def test_formal_questions_are_said_as_citizens_would(question: str, expected: list[str]) -> None:
    assert pseudo_queries(question) == expected


def test_nothing_is_made_of_an_empty_question_and_the_question_itself_is_never_repeated() -> None:
    assert pseudo_queries("") == []
    assert pseudo_queries("？？") == []
    assert pseudo_queries("家里停电了找谁") == []  # nothing to rephrase: no duplicate of the question
    assert pseudo_queries("申请办理农村宅基地审批需要提交哪些材料？", limit=1) == [
        "农村宅基地审批要带什么材料"
    ]


ENTRIES = [
    Entry(id="mat", question="申请办理农村宅基地审批需要提交哪些材料？", answer="申请表、身份证和户口簿。"),
    Entry(id="cond", question="农村村民申请宅基地需要符合哪些条件？", answer="本集体经济组织成员。"),
    Entry(id="time", question="农村宅基地审批的办理时限是多少天？", answer="20个工作日。"),
    Entry(id="fee", question="办理农村宅基地审批是否收取费用？", answer="不收费。"),
]


def test_pseudo_queries_are_encoded_with_their_entry_and_only_once(
    tmp_path: Path, segmenter: Segmenter
) -> None:
    store = tmp_path / "vectors.npz"
    encoder = CountingEncoder()
    kb = build_knowledge_base(
        ENTRIES, config=load_config(), segmenter=segmenter, encoder=encoder, vector_path=store
    )
    made = sum(len(extra) for _, _, extra in entry_texts(ENTRIES, pseudo=2))
    assert made == 8
    assert encoder.calls == 4 + 4 + made  # questions, answer openings, pseudo-queries
    again = CountingEncoder()
    build_knowledge_base(ENTRIES, config=load_config(), segmenter=segmenter, encoder=again, vector_path=store)
    assert again.calls == 0
    # None asked for: only questions and answers are encoded.
    plain = CountingEncoder()
    build_knowledge_base(
        ENTRIES, config=load_config().with_overrides(pseudo_queries=0), segmenter=segmenter, encoder=plain
    )
    assert plain.calls == 8
    assert kb.dense is not None and kb.simulate(kb.dense) is not None


def test_the_kb_threshold_follows_the_precision_asked_of_it(segmenter: Segmenter) -> None:
    """A stricter precision target (or more near-domain questions expected) can only
    raise the KB's own threshold; both stay within the configured band."""
    config = load_config()
    thresholds = []
    for target, share in ((0.0, 0.0), (0.95, 0.1), (1.0, 5.0)):
        cfg = config.with_overrides(
            hybrid_target_precision=target, hybrid_near_domain_share=share, hybrid_near_domain_answered=1.0
        )
        kb = build_knowledge_base(ENTRIES, config=cfg, segmenter=segmenter, encoder=CountingEncoder())
        assert kb.dense is not None
        thresholds.append(kb.dense.answer_threshold)
    assert thresholds == sorted(thresholds)
    assert thresholds[0] == config.hybrid_answer_threshold  # any precision will do: the floor
    # This fake encoder ranks one simulated question wrong at a high confidence: no
    # threshold in the band reaches precision 1, so the KB takes the cautious end.
    assert thresholds[-1] == config.hybrid_answer_ceiling


def test_confident_near_domain_mistakes_lift_the_kb_threshold(segmenter: Segmenter) -> None:
    """The KB asks its own pseudo-queries without their entry (questions it does not
    cover, next to entries that look alike): the fewer of them it may answer, the higher
    its threshold; allowed none, it answers none of them."""
    config = load_config().with_overrides(hybrid_target_precision=0.0, hybrid_answer_threshold=0.0)
    thresholds = []
    for allowed in (1.0, 0.5, 0.0):
        cfg = config.with_overrides(hybrid_near_domain_answered=allowed)
        kb = build_knowledge_base(ENTRIES, config=cfg, segmenter=segmenter, encoder=CountingEncoder())
        assert kb.dense is not None
        thresholds.append(kb.dense.answer_threshold)
        simulated = kb.simulate(kb.dense)
        assert simulated is not None and simulated.out_of_scope
    assert thresholds[0] == 0.0  # all may be answered: the floor
    assert thresholds == sorted(thresholds) and thresholds[1] > thresholds[0]
    strictest = max(cfg.hybrid_confidence(s) for s in simulated.out_of_scope)
    assert thresholds[2] >= strictest


def test_an_office_yaml_with_the_old_three_weights_is_refused_when_loaded(tmp_path: Path) -> None:
    """Before the agreement signals the confidence had three weights; such a file must
    fail at start-up with the key named, not at the first citizen's question."""
    office = tmp_path / "matcher.yaml"
    office.write_text("hybrid_coefficients: [5.0, 43.6, 88.1]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="hybrid_coefficients needs 5 weights"):
        load_config(office)
    office.write_text("hybrid_answer_threshold: 0.7\n", encoding="utf-8")
    assert load_config(office).hybrid_answer_threshold == 0.7
