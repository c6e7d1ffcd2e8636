"""Classification and routing of citizen requests.

- request type (投诉 咨询 求助 建议 表扬 举报): `classify_request_type`
- urgency (紧急 / 次紧急 / 一般): `assess_urgency`
- category / unit routing, top 3 with confidences: `TextClassifier`, `Router`, `load_router`
- similarity of two requests: `text_similarity` (hotspots and repeats: reports/hotspots.py)
"""

from knowledge_base.classify.errors import (
    BadTrainingData,
    ClassifyError,
    DataFileError,
    EmptyText,
    MissingColumns,
    ModelFormatError,
    ModelNotFound,
    UnknownLabels,
)
from knowledge_base.classify.evaluate import EvalReport, evaluate
from knowledge_base.classify.model import LabelScore, TextClassifier, TrainConfig
from knowledge_base.classify.request_type import TypeDecision, classify_request_type
from knowledge_base.classify.routing import KeywordRouter, Router, RouteResult, RouteSource, load_router
from knowledge_base.classify.similarity import text_similarity
from knowledge_base.classify.urgency import UrgencyDecision, assess_urgency

__all__ = [
    "BadTrainingData",
    "ClassifyError",
    "DataFileError",
    "EmptyText",
    "EvalReport",
    "KeywordRouter",
    "LabelScore",
    "MissingColumns",
    "ModelFormatError",
    "ModelNotFound",
    "RouteResult",
    "RouteSource",
    "Router",
    "TextClassifier",
    "TrainConfig",
    "TypeDecision",
    "UnknownLabels",
    "UrgencyDecision",
    "assess_urgency",
    "classify_request_type",
    "evaluate",
    "load_router",
    "text_similarity",
]
