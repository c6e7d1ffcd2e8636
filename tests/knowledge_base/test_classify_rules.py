"""Request-type and urgency rules on messages written and labelled by hand (tests/data)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from knowledge_base.classify import EmptyText, TextClassifier, assess_urgency, classify_request_type
from knowledge_base.classify.texts import ERR_EMPTY_TEXT
from tickets.enums import RequestType, Urgency
from tickets.texts import REQUEST_TYPE

DATA = Path(__file__).parent.parent / "data"

# The rules were tuned on the `dev` rows. The `holdout` rows were written afterwards and
# never used for tuning: they measure new phrasings. Four rounds of "write 30 fresh
# messages, measure, then fold them into dev" gave 24/36, 21/30, 17/30 and 19/30 for
# types, and 10/15, 7/15, 9/15 for urgency: cue lists plateau near 60-65 % on unseen
# wording, which is why a model trained on labelled history replaces them.
DEV_FLOOR = 0.97
HOLDOUT_FLOOR = 0.6
TRAINED_HOLDOUT_FLOOR = 0.85
PER_TYPE_DEV_RECALL_FLOOR = 0.9
URGENCY_HOLDOUT_FLOOR = 0.55


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    ("text", "expected", "cue"),
    [
        ("我要投诉楼下的烧烤店，每天半夜还在营业，吵得没法睡觉。", RequestType.COMPLAINT, "投诉"),
        ("请问居住证过期了去哪里续签？", RequestType.CONSULTATION, "请问"),
        ("我父亲走失了，穿灰色外套，请帮忙寻找。", RequestType.HELP, "走失"),
        ("建议在学校门口增设人行横道。", RequestType.SUGGESTION, "建议"),
        ("表扬社区的李书记，帮我们解决了楼道灯的问题。", RequestType.PRAISE, "表扬"),
        ("举报一家无证经营的小作坊在居民楼里生产食品。", RequestType.REPORT, "举报"),
        ("有人在河道里偷排废水，晚上气味很大。", RequestType.REPORT, "偷排"),
        ("希望公交公司能延长末班车时间。", RequestType.SUGGESTION, "希望公交公司能延长"),
        ("我一个人带着孩子，不知道该怎么办，走投无路了。", RequestType.HELP, "不知道该怎么办"),
        # Traditional characters and full-width punctuation go through normalize() first.
        ("我要投訴物業亂收費！！", RequestType.COMPLAINT, "投诉"),
    ],
)
def test_request_type_examples(text: str, expected: RequestType, cue: str) -> None:
    decision = classify_request_type(text)
    assert decision.type == expected
    assert decision.source == "rules"
    assert cue in decision.cues


def test_no_cue_question_is_consultation_and_statement_is_complaint() -> None:
    question = classify_request_type("这个月的水费为什么这么高？")
    statement = classify_request_type("小区里的路面坑坑洼洼的。")
    assert (question.type, question.source) == (RequestType.CONSULTATION, "default")
    assert (statement.type, statement.source) == (RequestType.COMPLAINT, "default")


def test_negated_cue_does_not_count() -> None:
    assert classify_request_type("我不是投诉，就是想问问公积金怎么提取？").type == RequestType.CONSULTATION


def test_labelled_request_types_meet_the_floors() -> None:
    rows = _rows("request_types.csv")
    assert len(rows) >= 150
    counts = Counter(r["type"] for r in rows)
    assert set(counts) == {t.value for t in RequestType}
    assert min(counts.values()) >= 25

    results: dict[str, list[bool]] = {"dev": [], "holdout": []}
    recall: dict[str, list[bool]] = {t.value: [] for t in RequestType}
    for row in rows:
        ok = classify_request_type(row["text"]).type.value == row["type"]
        results[row["set"]].append(ok)
        if row["set"] == "dev":
            recall[row["type"]].append(ok)
    dev = sum(results["dev"]) / len(results["dev"])
    holdout = sum(results["holdout"]) / len(results["holdout"])
    assert dev >= DEV_FLOOR, dev
    assert holdout >= HOLDOUT_FLOOR, holdout
    for kind, oks in recall.items():
        assert sum(oks) / len(oks) >= PER_TYPE_DEV_RECALL_FLOOR, kind


def test_trained_type_model_replaces_the_rules() -> None:
    rows = [r for r in _rows("request_types.csv") if r["set"] == "dev"]
    # Office exports carry the Chinese names; both those and the enum codes are accepted.
    chinese = {t.value: name for t, name in REQUEST_TYPE.items()}
    model = TextClassifier.train([r["text"] for r in rows], [chinese[r["type"]] for r in rows])
    decision = classify_request_type("举报某饭店使用地沟油，后厨很脏。", model=model)
    assert decision.source == "model"
    assert decision.type == RequestType.REPORT
    assert 0 < decision.confidence <= 1
    # On the held-out rows the model (28 of 30 when written) beats the rules (19 of 30).
    holdout = [r for r in _rows("request_types.csv") if r["set"] == "holdout"]
    hits = sum(classify_request_type(r["text"], model=model).type.value == r["type"] for r in holdout)
    assert hits / len(holdout) >= TRAINED_HOLDOUT_FLOOR


@pytest.mark.parametrize("text", ["", "   ", "！！！", "😀😀"])
def test_empty_text_is_a_clear_error(text: str) -> None:
    with pytest.raises(EmptyText) as excinfo:
        classify_request_type(text)
    assert excinfo.value.message == ERR_EMPTY_TEXT
    with pytest.raises(EmptyText):
        assess_urgency(text)


def test_labelled_urgency_rows() -> None:
    rows = _rows("classify_urgency.csv")
    dev = [r for r in rows if r["set"] == "dev"]
    holdout = [r for r in rows if r["set"] == "holdout"]
    assert Counter(r["urgency"] for r in dev) == {"urgent": 25, "semi_urgent": 19, "general": 26}
    wrong = [(r["text"], r["urgency"]) for r in dev if assess_urgency(r["text"]).level.value != r["urgency"]]
    assert wrong == []
    # Written after the rules were tuned; 9 of 15 at the time of writing (paraphrased dangers
    # are missed, so the office still reviews every level).
    hits = sum(assess_urgency(r["text"]).level.value == r["urgency"] for r in holdout)
    assert hits / len(holdout) >= URGENCY_HOLDOUT_FLOOR


@pytest.mark.parametrize(
    ("text", "level", "cue"),
    [
        ("厨房里燃气泄漏，味道很大。", Urgency.URGENT, "燃气泄漏"),
        ("整个小区停电了，几百户都没电。", Urgency.URGENT, "整个小区停电"),
        ("我家停电了。", Urgency.SEMI_URGENT, "停电"),
        ("小区里没有燃气泄漏的情况。", Urgency.GENERAL, None),
        ("邻居家的孩子被困在阳台上，大人不在家。", Urgency.URGENT, "孩子被困"),
        ("楼下超市的冰淇淋太贵。", Urgency.GENERAL, None),
    ],
)
def test_urgency_examples(text: str, level: Urgency, cue: str | None) -> None:
    decision = assess_urgency(text)
    assert decision.level == level
    if cue is None:
        assert decision.cues == ()
    else:
        assert cue in decision.cues
