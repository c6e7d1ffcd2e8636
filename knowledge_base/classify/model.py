"""A trained text classifier for category / unit routing (and request type, given history).

Why TF-IDF + a linear SVM from scikit-learn, blended with nearest neighbours:
- Citizen messages are short-to-medium documents whose category is carried by
  topical words ("社保", "学位", "噪音"); a sparse linear model over n-grams is the
  strongest cheap model for that (issue 4: fuzzy matching 0.55 macro-F1, a learned
  linear model ~0.90 on tipdm2020c).
- Features: character 1-2-grams of the normalised text (first 600 characters, the
  title read twice) and, as a second block, dictionary words of the same text, each
  with sublinear tf and idf, hashed into 2**18 slots (characters from their code
  points in numpy, `charhash`: ~3x cheaper than hashing n-gram strings). Character
  n-grams need no segmentation, survive typos and keep place names whole; words add
  the topical units. jieba's own cut is the most accurate word source by a hair but
  too slow for the 2,000 messages/s budget, so by default words come from a greedy
  longest match over jieba's dictionary (`dictcut`):
  3-fold CV macro-F1 0.9090 (jieba words: 0.9102, character 1-3-grams alone: 0.9060).
- LinearSVC with balanced class weights: under the same CV it matched RidgeClassifier
  (0.9112 each, vocabulary features) and beat LogisticRegression (0.9057), SGD
  (0.8955), NB-SVM (0.8926) and ComplementNB (0.8557); averaging them did not help.
  C=2 beat C=1 and C=0.5 (0.9065 / 0.9033 / 0.8992, hashed character features); with
  words added C=1 (0.9090) vs 0.7 / 1.5 (0.9085 / 0.9087).
- Measured without gain (same CV, calibrated, characters 1-2 + dictionary words unless
  said): separate title and detail blocks (0.9029-0.9070), an extra title-character
  block (0.9094), word bigrams (0.9080), words up to 6 or 3 characters (0.9088 / 0.9079),
  idf fitted on unlabelled messages of the same board too (0.9089), self-training on
  them with confident pseudo-labels (raw SVM 0.9040 -> 0.8968-0.9020), a 2-level stack
  of title / detail / whole-text models (0.9045-0.9083), per-class offsets tuned for
  macro-F1 on inner out-of-fold probabilities (0.9090 -> 0.9078), dropping training rows
  the out-of-fold model confidently disagrees with (raw 0.9040 -> 0.9027), LSA (SVD)
  dimensions learnt with the unlabelled messages (0.9087), Crammer-Singer SVM (0.9029).
  Macro-F1 0.93 is not reached by any of these; in a sample of 25 out-of-fold errors most
  labels were arguable (a noisy shop: 商贸旅游, 环境保护 or 城乡建设?).
- Format 3 (bench/classify_experiments.md has every figure): the SVM's probabilities
  are averaged (weight 0.6 / 0.4) with the votes of the 20 most similar training
  messages (`neighbours`: cosine over the features present in at most 2 % of the
  training messages), and the title is read twice. 3-fold CV macro-F1 over three fold
  seeds: 0.9145 (0.9143 / 0.9136 / 0.9156) against 0.9087 for the SVM alone; the gain
  holds on every seed. The neighbours catch repeated cases (the same estate, bus line,
  school) that a linear model spreads over its words. Tried without gain in that round:
  an MLP on the TF-IDF (one hidden layer of 128-256, numpy with sparse updates or
  scikit-learn's: 0.8921-0.9056 alone, +0.000-0.001 in the blend, 10-40 s to train), kNN
  with every feature or k = 10 / 40, a logistic regression or a char-only SVM in the
  blend, collapsing digits or place codes (a市, a3区), the first 1,000 characters.
- The office dispatches on the confidences, so they must mean something: the SVM's
  margins are turned into probabilities by sigmoid calibration fitted on
  cross-validated predictions (`CalibratedClassifierCV(ensemble=False)`), i.e. the
  final model still sees all data.
- scikit-learn is the well-kept standard; no GPU, no model download, wheels everywhere.

The model file is a small header (JSON) followed by a pickle. The header is read and
checked first, so a file from an older format or another scikit-learn release is
refused with a clear message instead of failing inside unpickling. Only load model
files the office itself trained: a pickle can run code.
"""

from __future__ import annotations

import io
import json
import pickle
import platform
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.svm import LinearSVC

from knowledge_base import segment
from knowledge_base.classify.charhash import char_ngram_counts
from knowledge_base.classify.dataset import TEXT_JOINER
from knowledge_base.classify.dictcut import dictionary_words
from knowledge_base.classify.errors import BadTrainingData, EmptyText, ModelFormatError, ModelNotFound
from knowledge_base.classify.neighbours import Neighbours, blend
from knowledge_base.classify.scoring import Scorer
from knowledge_base.classify.texts import (
    ERR_EMPTY_TEXT,
    ERR_MODEL_LIBRARY,
    ERR_MODEL_NOT_A_MODEL,
    ERR_MODEL_NOT_FOUND,
    ERR_MODEL_OLD_FORMAT,
    ERR_NO_TRAINING_ROWS,
    ERR_ONE_LABEL,
)
from knowledge_base.normalize import normalize

MAGIC = b"HOTLINE-CLASSIFIER\n"
# Bump when the features or the stored object change; older files must then be retrained.
# 2: dictionary-word features (`TrainConfig.word_cut`); 3: character n-grams hashed from
# code points (`charhash`), nearest-neighbour votes blended in (`neighbours`).
FORMAT_VERSION = 3
TOP_K = 3


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    confidence: float


WORD_CUTS = ("dictionary", "jieba")


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Hyper-parameters, chosen by 3-fold cross-validation on the tipdm2020c train split.

    Default: character 1-2-grams plus dictionary words (greedy longest match, see
    `dictcut`) of the first 600 characters with the title twice, C=1, blended with 20
    nearest neighbours: CV macro-F1 0.9143 (fold seed 0) against 0.9087 for the SVM
    alone (the format-2 default) and 0.9060 for character 1-3-grams alone (format 1),
    within the 2,000 messages/s budget.
    """

    c: float = 1.0
    balanced: bool = True
    char_ngrams: tuple[int, int] = (1, 2)
    # CV macro-F1 with 2**18 / 2**19 / 2**20 slots: 0.9063 / 0.9073 / 0.9065, i.e. collisions
    # cost nothing measurable, and 2**18 keeps the model file small.
    char_hash_bits: int = 18
    word_hash_bits: int = 18
    # Long letters are cut: the matter is stated early, and the cost grows with length.
    max_chars: int = 600
    # Words come from the first `word_chars` characters only; 0 = no words.
    word_chars: int = 600
    # "dictionary": greedy longest match over jieba's dictionary (fast); "jieba": jieba's cut
    # with the knowledge base's stop words and synonyms (CV +0.001, ~2x slower overall).
    word_cut: str = "dictionary"
    calibration_folds: int = 3
    # Nearest neighbours blended with the SVM (`neighbours`): k (0 = none), the blend
    # weight and the document frequency above which a feature is ignored for similarity.
    # CV (mean of three fold seeds): k 10 / 20 / 40 at weight 0.4: 0.9137 / 0.9130 / 0.9103
    # (fold seed 0, every feature); max_df 0.02 / 0.05 / 0.1: 0.9145 / 0.9147 / 0.9138, and
    # 0.02 halves the cost of the similarity. Weight 0.5: 0.9133 vs 0.9129 at 0.4 (max_df 0.05).
    knn_k: int = 20
    knn_weight: float = 0.4
    knn_max_df: float = 0.02
    # A text of several lines (title + detail, see `dataset.TEXT_JOINER`) is read with its
    # first line (the title) twice: the title names the matter (CV +0.002 on each of three
    # fold seeds, the SVM alone: 0.9111 / 0.9093 / 0.9139 vs 0.9095 / 0.9066 / 0.9117).
    title_twice: bool = True

    @classmethod
    def with_words(cls) -> TrainConfig:
        """Jieba words instead of dictionary words: 3-fold CV macro-F1 0.9102 vs 0.9090,
        the difference is within fold noise, at about half the speed (bench/classify_tipdm.py)."""
        return cls(word_cut="jieba")

    @classmethod
    def chars_only(cls) -> TrainConfig:
        """The format-1 default: character 1-3-grams, no words, no neighbours, C=2 (CV 0.9060)."""
        return cls(c=2.0, char_ngrams=(1, 3), word_chars=0, knn_k=0, title_twice=False)

    @classmethod
    def without_neighbours(cls) -> TrainConfig:
        """The format-2 model: the calibrated SVM alone, title once (CV 0.9087 vs 0.9143)."""
        return cls(knn_k=0, title_twice=False)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    format_version: int
    labels: tuple[str, ...]
    n_train: int
    trained_at: str
    train_seconds: float
    calibrated: bool
    libraries: dict[str, str]
    config: dict[str, Any] = field(default_factory=dict)


def _title_twice(text: str, config: TrainConfig) -> str:
    """The first `max_chars` characters, after the first line again when there are several."""
    head, sep, _ = text.partition(TEXT_JOINER)
    if config.title_twice and sep and head.strip():
        return head[: config.max_chars] + TEXT_JOINER + text[: config.max_chars]
    return text[: config.max_chars]


def _word_hasher(config: TrainConfig) -> FeatureHasher | None:
    if not config.word_chars:
        return None
    return FeatureHasher(2**config.word_hash_bits, input_type="string", alternate_sign=False)


def _libraries() -> dict[str, str]:
    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
    }


def _same_minor(a: str, b: str) -> bool:
    return a.split(".")[:2] == b.split(".")[:2]


class TextClassifier:
    """Hashed TF-IDF (character n-grams + dictionary words) → calibrated LinearSVC,
    blended with the votes of the nearest training messages.

    Train, save, load, predict. Features are hashed instead of looked up in a vocabulary
    dict: character n-grams from their code points in numpy (`charhash`), words with
    `FeatureHasher`; the model file carries no vocabulary. Only the idf weights (fitted)
    are stored; the hashers are rebuilt from the config. Prediction applies the fitted
    numbers directly (`scoring.Scorer`): the same probabilities as scikit-learn's
    transform/predict_proba, without its per-call validation. The neighbour index
    (`neighbours.Neighbours`) holds the training messages' reduced unit vectors.
    """

    def __init__(
        self,
        *,
        char_tfidf: TfidfTransformer,
        word_tfidf: TfidfTransformer | None,
        estimator: Any,
        neighbours: Neighbours | None,
        info: ModelInfo,
        config: TrainConfig,
    ) -> None:
        self._char_tfidf = char_tfidf
        self._word_tfidf = word_tfidf
        self._estimator = estimator
        self._neighbours = neighbours
        self.info = info
        self.config = config
        self._word_hasher = _word_hasher(config)
        self._scorer = Scorer.from_fitted([t for t in (char_tfidf, word_tfidf) if t is not None], estimator)
        self.labels: tuple[str, ...] = tuple(str(c) for c in estimator.classes_)

    # --- features -------------------------------------------------------------
    @staticmethod
    def _counts(
        texts: Iterable[str], config: TrainConfig, hasher: FeatureHasher | None
    ) -> list[sparse.csr_matrix]:
        """Hashed counts per feature block: characters, then words (`hasher`, when configured)."""
        seg = segment.load() if config.word_chars else None
        # Cut before normalising too: normalize() walks every character in Python.
        norms = [normalize(_title_twice(text, config)) for text in texts]
        lo, hi = config.char_ngrams
        blocks = [char_ngram_counts(norms, lo, hi, config.char_hash_bits)]
        if seg is not None and hasher is not None:
            if config.word_cut == "jieba":
                words = [seg.tokenize_normalized(norm[: config.word_chars]) for norm in norms]
            else:
                words = [dictionary_words(norm[: config.word_chars], seg.tokenizer.FREQ) for norm in norms]
            blocks.append(hasher.transform(words))
        return blocks

    def _blocks(self, texts: Sequence[str]) -> list[sparse.csr_matrix]:
        """TF-IDF rows per feature block through scikit-learn's transformers (the reference)."""
        counts = self._counts(texts, self.config, self._word_hasher)
        transformers = [t for t in (self._char_tfidf, self._word_tfidf) if t is not None]
        return [t.transform(c).tocsr() for t, c in zip(transformers, counts, strict=True)]

    # --- training -------------------------------------------------------------
    @classmethod
    def train(
        cls, texts: Sequence[str], labels: Sequence[str], config: TrainConfig | None = None
    ) -> TextClassifier:
        config = config or TrainConfig()
        if config.word_cut not in WORD_CUTS:
            raise ValueError(f"word_cut must be one of {WORD_CUTS}, not {config.word_cut!r}")
        pairs = [
            (t, str(y).strip())
            for t, y in zip(texts, labels, strict=True)
            if t and t.strip() and str(y).strip()
        ]
        if not pairs:
            raise BadTrainingData(ERR_NO_TRAINING_ROWS)
        counts = Counter(y for _, y in pairs)
        if len(counts) < 2:
            raise BadTrainingData(ERR_ONE_LABEL.format(label=next(iter(counts))))
        started = time.perf_counter()
        blocks = cls._counts([t for t, _ in pairs], config, _word_hasher(config))
        y = np.array([label for _, label in pairs])
        char_tfidf = TfidfTransformer(sublinear_tf=True)
        matrices = [char_tfidf.fit_transform(blocks[0])]
        word_tfidf: TfidfTransformer | None = None
        if len(blocks) > 1:
            word_tfidf = TfidfTransformer(sublinear_tf=True)
            matrices.append(word_tfidf.fit_transform(blocks[1]))
        x = sparse.hstack(matrices).tocsr()
        svm = LinearSVC(C=config.c, class_weight="balanced" if config.balanced else None)
        folds = min(config.calibration_folds, min(counts.values()))
        calibrated = folds >= 2
        if calibrated:
            estimator: Any = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
        else:
            estimator = svm
        estimator.fit(x, y)
        neighbours = None
        if config.knn_k > 0:
            classes = [str(c) for c in estimator.classes_]
            label_index = np.searchsorted(classes, y)
            neighbours = Neighbours.fit(matrices, label_index, len(classes), config.knn_k, config.knn_max_df)
        info = ModelInfo(
            format_version=FORMAT_VERSION,
            labels=tuple(str(c) for c in estimator.classes_),
            n_train=len(pairs),
            trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
            train_seconds=round(time.perf_counter() - started, 2),
            calibrated=calibrated,
            libraries=_libraries(),
            config={k: getattr(config, k) for k in config.__dataclass_fields__},
        )
        return cls(
            char_tfidf=char_tfidf,
            word_tfidf=word_tfidf,
            estimator=estimator,
            neighbours=neighbours,
            info=info,
            config=config,
        )

    # --- prediction -----------------------------------------------------------
    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per label (in `self.labels` order), rows sum to 1."""
        for text in texts:
            if not text or not text.strip():
                raise EmptyText(ERR_EMPTY_TEXT)
        counts = self._counts(texts, self.config, self._word_hasher)
        weighted = self._scorer.weigh(counts)
        probs = self._scorer.probabilities(weighted)
        if self._neighbours is None:
            return probs
        return blend(probs, self._neighbours.probabilities(weighted), self.config.knn_weight)

    def _sklearn_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """The same through scikit-learn's own transform/predict_proba (the reference)."""
        blocks = self._blocks(texts)
        x = sparse.hstack(blocks).tocsr()
        if self.info.calibrated:
            probs = np.asarray(self._estimator.predict_proba(x))
        else:
            margins = np.asarray(self._estimator.decision_function(x), dtype=float)
            if margins.ndim == 1:  # binary: one margin for the second class
                margins = np.column_stack([-margins, margins])
            exp = np.exp(margins - margins.max(axis=1, keepdims=True))
            probs = exp / exp.sum(axis=1, keepdims=True)
        if self._neighbours is None:
            return probs
        return blend(probs, self._neighbours.probabilities(blocks), self.config.knn_weight)

    def predict_top_batch(self, texts: Sequence[str], k: int = TOP_K) -> list[list[LabelScore]]:
        probs = self.probabilities(texts)
        k = min(k, len(self.labels))
        order = np.argsort(-probs, axis=1, kind="stable")[:, :k]
        return [
            [LabelScore(self.labels[j], round(float(row[j]), 4)) for j in idx]
            for row, idx in zip(probs, order, strict=True)
        ]

    def predict_top(self, text: str, k: int = TOP_K) -> list[LabelScore]:
        """The k most likely labels with calibrated confidences, best first."""
        return self.predict_top_batch([text], k)[0]

    def predict(self, texts: Sequence[str]) -> list[str]:
        probs = self.probabilities(texts)
        return [self.labels[i] for i in probs.argmax(axis=1)]

    # --- persistence ----------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The model file's bytes: a JSON header line after the magic, then the pickle."""
        header = {
            "format_version": FORMAT_VERSION,
            "labels": list(self.info.labels),
            "n_train": self.info.n_train,
            "trained_at": self.info.trained_at,
            "train_seconds": self.info.train_seconds,
            "calibrated": self.info.calibrated,
            "libraries": self.info.libraries,
            "config": {k: list(v) if isinstance(v, tuple) else v for k, v in self.info.config.items()},
        }
        payload = pickle.dumps(
            {
                "char_tfidf": self._char_tfidf,
                "word_tfidf": self._word_tfidf,
                "estimator": self._estimator,
                "neighbours": self._neighbours,
            },
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        buffer = io.BytesIO()
        buffer.write(MAGIC)
        buffer.write(json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n")
        buffer.write(payload)
        return buffer.getvalue()

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.replace(path)  # never leave a half-written model where the service loads it

    @classmethod
    def read_header(cls, path: Path) -> dict[str, Any]:
        path = Path(path)
        if not path.is_file():
            raise ModelNotFound(ERR_MODEL_NOT_FOUND.format(path=path))
        with path.open("rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise ModelFormatError(ERR_MODEL_NOT_A_MODEL.format(path=path))
            try:
                header: dict[str, Any] = json.loads(fh.readline().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ModelFormatError(ERR_MODEL_NOT_A_MODEL.format(path=path)) from exc
        return header

    @classmethod
    def load(cls, path: Path) -> TextClassifier:
        """Load a model file (at start-up); refuses other formats and scikit-learn releases."""
        path = Path(path)
        cls.read_header(path)  # a missing file or a foreign one: its own message
        return cls.from_bytes(path.read_bytes(), source=str(path))

    @staticmethod
    def header_of(data: bytes, *, source: str) -> dict[str, Any]:
        if not data.startswith(MAGIC) or b"\n" not in data[len(MAGIC):]:
            raise ModelFormatError(ERR_MODEL_NOT_A_MODEL.format(path=source))
        line = data[len(MAGIC): len(MAGIC) + data[len(MAGIC):].index(b"\n")]
        try:
            header: dict[str, Any] = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFormatError(ERR_MODEL_NOT_A_MODEL.format(path=source)) from exc
        return header

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str) -> TextClassifier:
        """A model from a file's bytes (a file, or a row of the database's model table); `source`
        names it in the messages. Refuses other formats and scikit-learn releases."""
        header = cls.header_of(data, source=source)
        path = source
        found = header.get("format_version")
        if found != FORMAT_VERSION:
            raise ModelFormatError(
                ERR_MODEL_OLD_FORMAT.format(path=path, found=found, expected=FORMAT_VERSION)
            )
        trained_with = str(header.get("libraries", {}).get("scikit-learn", "?"))
        if not _same_minor(trained_with, sklearn.__version__):
            raise ModelFormatError(
                ERR_MODEL_LIBRARY.format(path=path, found=trained_with, installed=sklearn.__version__)
            )
        start = len(MAGIC) + data[len(MAGIC) :].index(b"\n") + 1
        try:
            parts = pickle.loads(data[start:])
        except Exception as exc:  # a truncated or foreign payload: one clear message
            raise ModelFormatError(ERR_MODEL_NOT_A_MODEL.format(path=path)) from exc
        info = ModelInfo(
            format_version=FORMAT_VERSION,
            labels=tuple(header["labels"]),
            n_train=int(header["n_train"]),
            trained_at=str(header["trained_at"]),
            train_seconds=float(header["train_seconds"]),
            calibrated=bool(header["calibrated"]),
            libraries=dict(header["libraries"]),
            config=dict(header["config"]),
        )
        config_values = dict(header["config"])
        config_values["char_ngrams"] = tuple(config_values["char_ngrams"])
        segment.load()
        return cls(
            char_tfidf=parts["char_tfidf"],
            word_tfidf=parts["word_tfidf"],
            estimator=parts["estimator"],
            neighbours=parts["neighbours"],
            info=info,
            config=TrainConfig(**config_values),
        )
