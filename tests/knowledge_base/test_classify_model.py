"""The trained routing model, its versioned file, keyword routing and the `classify` CLI."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import sklearn
from click.testing import CliRunner
from openpyxl import Workbook
from scipy import sparse

from knowledge_base.classify import (
    BadTrainingData,
    EmptyText,
    KeywordRouter,
    ModelFormatError,
    ModelNotFound,
    RouteSource,
    TextClassifier,
    TrainConfig,
    UnknownLabels,
    evaluate,
    load_router,
)
from knowledge_base.classify import model as model_module
from knowledge_base.classify.charhash import char_ngram_counts
from knowledge_base.classify.dataset import load_labelled
from knowledge_base.classify.dictcut import dictionary_words
from knowledge_base.classify.errors import MissingColumns
from knowledge_base.classify.neighbours import Neighbours, blend
from knowledge_base.matcher import Entry
from main import cli

DATA = Path(__file__).parent.parent / "data"
ROUTING = DATA / "classify_routing.csv"
LABELS = ("交通运输", "供水供电", "劳动和社会保障", "教育", "环境保护")


def _split(split: str) -> tuple[list[str], list[str]]:
    rows = load_labelled(ROUTING, text_cols=["title", "detail"], label_col="label", where={"split": split})
    return rows.texts, rows.labels


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    texts, labels = _split("train")
    return TextClassifier.train(texts, labels)


@pytest.fixture(scope="module")
def model_file(model: TextClassifier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "routing.clf"
    model.save(path)
    return path


def test_top3_with_calibrated_confidences(model: TextClassifier) -> None:
    assert model.labels == LABELS
    assert model.info.calibrated is True
    top = model.predict_top("小区突然停水了，也没有通知什么时候来水。")
    assert len(top) == 3
    assert top[0].label == "供水供电"
    confidences = [s.confidence for s in top]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < sum(confidences) <= 1.0001
    assert len({s.label for s in top}) == 3


def test_held_out_rows_are_routed_correctly(model: TextClassifier) -> None:
    texts, labels = _split("test")
    report = evaluate(model, texts, labels)
    assert report.n == 10
    assert report.accuracy >= 0.8
    assert set(report.per_class) == set(LABELS)
    assert all(m.support == 2 for m in report.per_class.values())


def test_saved_model_predicts_the_same(model: TextClassifier, model_file: Path) -> None:
    loaded = TextClassifier.load(model_file)
    text = "公司拖欠工资三个月，老板不接电话。"
    assert loaded.predict_top(text) == model.predict_top(text)
    assert loaded.info.n_train == 40
    assert loaded.info.libraries["scikit-learn"] == sklearn.__version__


def test_model_from_an_older_format_is_refused(model: TextClassifier, tmp_path: Path, monkeypatch) -> None:
    old = tmp_path / "old.clf"
    monkeypatch.setattr(model_module, "FORMAT_VERSION", 0)
    model.save(old)
    monkeypatch.undo()
    with pytest.raises(ModelFormatError) as excinfo:
        TextClassifier.load(old)
    assert excinfo.value.message == (
        f"模型文件 {old} 的格式版本为 0，当前程序需要版本 {model_module.FORMAT_VERSION}。"
        "请用 classify train 重新训练模型。"
    )


def test_model_from_another_sklearn_release_is_refused(model_file: Path, tmp_path: Path) -> None:
    data = model_file.read_bytes()
    patched = data.replace(
        f'"scikit-learn": "{sklearn.__version__}"'.encode(), b'"scikit-learn": "0.24.2"', 1
    )
    path = tmp_path / "other.clf"
    path.write_bytes(patched)
    with pytest.raises(ModelFormatError) as excinfo:
        TextClassifier.load(path)
    assert "scikit-learn 0.24.2" in excinfo.value.message


def test_not_a_model_and_missing_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.clf"
    junk.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelFormatError) as excinfo:
        TextClassifier.load(junk)
    assert excinfo.value.message == f"文件 {junk} 不是分类模型文件。"
    with pytest.raises(ModelNotFound):
        TextClassifier.load(tmp_path / "absent.clf")


def test_bad_training_and_prediction_input(model: TextClassifier) -> None:
    with pytest.raises(BadTrainingData):
        TextClassifier.train(["只有一种标签", "还是这个标签"], ["教育", "教育"])
    with pytest.raises(BadTrainingData):
        TextClassifier.train(["", "  "], ["教育", "交通运输"])
    with pytest.raises(EmptyText):
        model.predict_top("   ")
    # Long, emoji-laden, traditional text still gets an answer.
    top = model.predict_top("學校門口的校車嚴重超載😡" * 400)
    assert top[0].label == "教育"


def test_unknown_label_at_evaluation(model: TextClassifier) -> None:
    with pytest.raises(UnknownLabels) as excinfo:
        evaluate(model, ["路灯不亮", "公交车太少"], ["城市管理", "交通运输"])
    assert excinfo.value.labels == ["城市管理"]
    assert "城市管理" in excinfo.value.message


def test_keyword_rules_serve_before_any_training(tmp_path: Path, model_file: Path) -> None:
    router = load_router()
    result = router.route("小区停车位被外来车辆占用，物业也不管。")
    assert result.source == RouteSource.KEYWORDS
    assert [s.label for s in result.suggestions] == ["停车管理", "物业管理"]
    # 停车 + 停车位 + 车位 = 7 characters of keywords against 物业 = 2.
    assert [s.confidence for s in result.suggestions] == [0.7778, 0.2222]
    nothing = router.route("今天天气不错。")
    assert nothing.source == RouteSource.NONE and nothing.suggestions == []

    units = KeywordRouter.from_pairs([("城东供水所", "停水"), ("城东供水所", "水压"), ("城东派出所", "噪音")])
    assert [s.label for s in units.route("晚上停水，白天水压低")] == ["城东供水所"]

    entries = [
        Entry(id="1", question="停水怎么办", answer="…", keywords=("停水", "水压"), unit="城东供水所"),
        Entry(id="2", question="噪音扰民", answer="…", keywords=("噪音",), unit="城东派出所"),
        Entry(id="3", question="社保卡", answer="…", keywords=("社保卡",)),  # no unit: skipped
    ]
    from_kb = KeywordRouter.from_entries(entries)
    assert from_kb.rules == {"城东供水所": ("停水", "水压"), "城东派出所": ("噪音",)}
    assert from_kb.route("楼下噪音太大")[0].label == "城东派出所"

    trained = load_router(model_file)
    assert trained.route("校车超载").source == RouteSource.MODEL


# --- CLI ----------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_cli_train_eval_predict(tmp_path: Path) -> None:
    out = tmp_path / "m.clf"
    code, text = _run(
        "classify", "train", "--data", str(ROUTING), "--text-col", "title,detail",
        "--label-col", "label", "--out", str(out), "--where", "split=train",
    )  # fmt: skip
    assert code == 0, text
    assert text.startswith("已训练模型：40 条数据，5 个标签，")

    code, text = _run(
        "classify", "eval", "--model", str(out), "--data", str(ROUTING), "--text-col", "title,detail",
        "--label-col", "label", "--where", "split=test", "--json",
    )  # fmt: skip
    assert code == 0, text
    report = json.loads(text)
    assert report["n"] == 10
    assert set(report) >= {"n", "accuracy", "macro_f1", "per_class", "msgs_per_s"}
    assert set(report["per_class"]["教育"]) == {"precision", "recall", "f1", "support"}
    assert report["per_class"]["教育"]["support"] == 2

    code, text = _run("classify", "predict", "--model", str(out), "三岁孩子的幼儿园学费又涨了")
    assert code == 0, text
    lines = text.strip().splitlines()
    assert lines[0] == "建议派往（按可能性排序）："
    assert len(lines) == 4
    assert lines[1].startswith("1. 教育  ")
    assert lines[1].endswith("%")


def test_cli_xlsx_and_fixed_flags_without_filter(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    with ROUTING.open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            sheet.append(row)
    xlsx = tmp_path / "history.xlsx"
    book.save(xlsx)
    out = tmp_path / "x.clf"
    code, text = _run(
        "classify", "train", "--data", str(xlsx), "--text-col", "title,detail", "--label-col", "label",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    assert "50 条数据" in text
    default = TextClassifier.load(out)
    assert (default.config.word_chars, default.config.word_cut) == (600, "dictionary")

    code, text = _run(
        "classify", "train", "--data", str(xlsx), "--text-col", "title,detail", "--label-col", "label",
        "--out", str(out), "--words",
    )  # fmt: skip
    assert code == 0, text
    with_words = TextClassifier.load(out)
    assert (with_words.config.word_chars, with_words.config.word_cut) == (600, "jieba")
    assert with_words.predict_top("工地拖欠农民工工资")[0].label == "劳动和社会保障"


def test_cli_clear_errors(tmp_path: Path, model_file: Path) -> None:
    code, text = _run(
        "classify", "train", "--data", str(ROUTING), "--text-col", "subject", "--label-col", "label",
        "--out", str(tmp_path / "m.clf"),
    )  # fmt: skip
    assert code == 1
    assert f"文件 {ROUTING} 缺少列：subject。现有的列：title、detail、label、split。" in text
    assert "Traceback" not in text

    bad = tmp_path / "bad.csv"
    bad.write_text("title,label\n路灯不亮,城市管理\n公交太少,交通运输\n", encoding="utf-8")
    code, text = _run(
        "classify", "eval", "--model", str(model_file), "--data", str(bad), "--text-col", "title",
        "--label-col", "label", "--json",
    )  # fmt: skip
    assert code == 1
    assert "评估数据中有模型不认识的标签：城市管理。" in text

    code, text = _run("classify", "predict", "--model", str(model_file), "  ")
    assert code == 1
    assert "诉求内容为空，无法分类，请填写诉求内容。" in text

    old = tmp_path / "old.clf"
    current = f'"format_version": {model_module.FORMAT_VERSION}'.encode()
    old.write_bytes(model_file.read_bytes().replace(current, b'"format_version": 0', 1))
    code, text = _run("classify", "predict", "--model", str(old), "停水")
    assert code == 1
    assert "格式版本为 0" in text


def test_missing_columns_error_lists_them() -> None:
    with pytest.raises(MissingColumns) as excinfo:
        load_labelled(ROUTING, text_cols=["title", "body"], label_col="category", where={"year": "2024"})
    assert excinfo.value.missing == ["body", "category", "year"]


# --- dictionary words (knowledge_base.classify.dictcut) -----------------------------
def _prefix_dict(*words: str) -> dict[str, int]:
    """A jieba-style prefix dictionary: each word with a frequency, its prefixes with 0."""
    freq: dict[str, int] = {}
    for word in words:
        for end in range(1, len(word)):
            freq.setdefault(word[:end], 0)
        freq[word] = 10
    return freq


def test_dictionary_words_take_the_longest_match_left_to_right() -> None:
    freq = _prefix_dict("公交", "公交车", "公交车站", "站台", "太远", "小区")
    assert dictionary_words("小区公交车站太远", freq) == ["小区", "公交车站", "太远"]
    # "公交车站" is taken whole, so the "站台" that overlaps it is not.
    assert dictionary_words("公交车站台", freq) == ["公交车站"]


def test_dictionary_words_skip_unknown_text_and_single_characters() -> None:
    freq = _prefix_dict("停水", "通知", "我")
    assert dictionary_words("我家停水了没有通知", freq) == ["停水", "通知"]
    assert dictionary_words("", freq) == []
    assert dictionary_words("😀😀 abc", freq) == []


def test_dictionary_words_do_not_take_a_bare_prefix_for_a_word() -> None:
    # "垃圾分" is only a prefix (frequency 0) of "垃圾分类": the walk falls back to "垃圾".
    freq = _prefix_dict("垃圾", "垃圾分类")
    assert dictionary_words("垃圾分开放", freq) == ["垃圾"]
    assert dictionary_words("垃圾分类", freq) == ["垃圾分类"]
    assert dictionary_words("垃圾分类", freq, max_len=3) == ["垃圾"]
    # A prefix at the very end of the text is not a word either.
    assert dictionary_words("垃圾分", freq) == ["垃圾"]


def test_word_cut_choices_train_and_round_trip(tmp_path: Path) -> None:
    texts, labels = _split("train")
    text = "公司拖欠工资三个月，老板不接电话。"
    configs = (
        TrainConfig(),
        TrainConfig.with_words(),
        TrainConfig.without_neighbours(),
        TrainConfig.chars_only(),
    )
    for config in configs:
        model = TextClassifier.train(texts, labels, config)
        path = tmp_path / f"{config.word_cut}-{config.word_chars}-{config.knn_k}.clf"
        model.save(path)
        loaded = TextClassifier.load(path)
        assert loaded.config == config
        assert loaded.predict_top(text) == model.predict_top(text)
        assert loaded.predict_top(text)[0].label == "劳动和社会保障"
    with pytest.raises(ValueError, match="word_cut"):
        TextClassifier.train(texts, labels, TrainConfig(word_cut="hmm"))


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_format_model_file_asks_for_retraining(
    model_file: Path, tmp_path: Path, version: int
) -> None:
    # Format 1 had no dictionary words, format 2 hashed character n-grams differently and
    # had no neighbours: their files must be retrained, not misread.
    current = f'"format_version": {model_module.FORMAT_VERSION}'.encode()
    old = tmp_path / f"format{version}.clf"
    old.write_bytes(model_file.read_bytes().replace(current, f'"format_version": {version}'.encode(), 1))
    with pytest.raises(ModelFormatError) as excinfo:
        TextClassifier.load(old)
    assert excinfo.value.message == (
        f"模型文件 {old} 的格式版本为 {version}，当前程序需要版本 3。请用 classify train 重新训练模型。"
    )


def test_fast_scoring_gives_scikit_learns_probabilities(model: TextClassifier) -> None:
    texts = [*_split("test")[0], "😀", "ＡＢＣ１２３", "停水" * 3000, "我要投诉。" * 2]
    assert model.info.calibrated is True
    np.testing.assert_allclose(model.probabilities(texts), model._sklearn_probabilities(texts), atol=1e-12)
    # One message at a time gives what the batch gives (neighbours included).
    one_by_one = np.vstack([model.probabilities([t]) for t in texts])
    np.testing.assert_allclose(one_by_one, model.probabilities(texts), atol=1e-12)

    train_texts, train_labels = _split("train")
    binary = [(t, y) for t, y in zip(train_texts, train_labels, strict=True) if y in ("教育", "环境保护")]
    for config in (TrainConfig(), TrainConfig.chars_only()):
        two = TextClassifier.train([t for t, _ in binary], [y for _, y in binary], config)
        assert len(two.labels) == 2 and two.info.calibrated is True
        np.testing.assert_allclose(two.probabilities(texts), two._sklearn_probabilities(texts), atol=1e-12)
    # One example of a label: too few for calibration folds, softmax of the margins instead.
    few = TextClassifier.train(
        ["学校食堂不卫生", "河道有人倒垃圾", "孩子入学报名"], ["教育", "环境保护", "教育"]
    )
    assert few.info.calibrated is False
    np.testing.assert_allclose(few.probabilities(texts), few._sklearn_probabilities(texts), atol=1e-12)


# --- character n-gram hashing (charhash) and neighbours -----------------------------
def test_char_ngram_counts_match_the_string_ngrams_of_each_text() -> None:
    texts = ["小区 停水", "", "停水停水", "a", "学校门口的校车"]
    counts = char_ngram_counts(texts, 1, 2, 20)
    assert counts.shape == (5, 2**20)
    assert counts.has_canonical_format
    for row, text in enumerate(texts):
        compact = text.replace(" ", "")
        expected = sorted(Counter(_string_ngrams(compact)).values())
        got = counts.getrow(row)
        assert sorted(got.data.tolist()) == expected  # no collisions among so few n-grams
    # The same n-gram hashes to the same column in every text and every batch.
    alone = char_ngram_counts(["停水"], 1, 2, 20)
    assert set(alone.indices) <= set(counts.getrow(2).indices)
    assert set(alone.indices) <= set(counts.getrow(0).indices)
    assert char_ngram_counts([], 1, 2, 8).shape == (0, 256)
    # 1-3-grams: the n-gram lengths do not share columns by construction.
    assert char_ngram_counts(["abc"], 1, 3, 20).sum() == 6


def _string_ngrams(text: str) -> list[str]:
    return [text[i : i + n] for n in (1, 2) for i in range(len(text) - n + 1)]


def test_neighbours_vote_like_a_brute_force_search() -> None:
    rng = np.random.default_rng(0)
    train = [
        sparse.random(30, 40, density=0.2, format="csr", random_state=1),
        sparse.random(30, 10, density=0.3, format="csr", random_state=2),
    ]
    labels = rng.integers(0, 3, size=30)
    index = Neighbours.fit(train, labels, 3, k=5, max_df=0.25)
    queries = [
        sparse.random(4, 40, density=0.3, format="csr", random_state=3),
        sparse.random(4, 10, density=0.3, format="csr", random_state=4),
    ]

    dense_train = np.hstack([b.toarray() for b in train])
    df = (dense_train != 0).sum(axis=0)
    keep = df <= 0.25 * 30
    assert np.array_equal(index.keep != 0, keep)

    def unit(m: np.ndarray) -> np.ndarray:
        m = m * keep
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return m / np.where(norms == 0, 1, norms)

    similarity = unit(np.hstack([b.toarray() for b in queries])) @ unit(dense_train).T
    expected = np.zeros((4, 3))
    for r, row in enumerate(similarity):
        top = np.argsort(-row)[:5]
        top = top[row[top] > 0]
        for j in top:
            expected[r, labels[j]] += row[j] ** 2
    expected /= np.sqrt(np.bincount(labels, minlength=3))
    expected /= np.where(expected.sum(axis=1, keepdims=True) == 0, 1, expected.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(index.probabilities(queries), expected, atol=1e-6)

    nothing = [sparse.csr_matrix((1, 40)), sparse.csr_matrix((1, 10))]
    assert index.probabilities(nothing).sum() == 0
    model = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    votes = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(blend(model, votes, 0.4), [[0.3, 0.58, 0.12], [0.1, 0.1, 0.8]])


def test_title_is_read_twice_only_for_several_lines(model: TextClassifier) -> None:
    config = TrainConfig()
    assert model_module._title_twice("公交太少\n每天等一小时", config) == "公交太少\n公交太少\n每天等一小时"
    assert model_module._title_twice("公交太少", config) == "公交太少"
    assert model_module._title_twice("\n只有正文", config) == "\n只有正文"
    assert model_module._title_twice("公交太少\n正文", TrainConfig.without_neighbours()) == "公交太少\n正文"
    assert model.config.title_twice and model.config.knn_k == 20
