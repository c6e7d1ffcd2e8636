"""Errors of the classification package: a stable code plus a Chinese message."""

from __future__ import annotations

from tickets.errors import HotlineError, NotFound, ValidationFailed


class ClassifyError(HotlineError):
    code = "classify_error"


class EmptyText(ValidationFailed):
    code = "empty_text"


class BadTrainingData(ValidationFailed):
    code = "bad_training_data"


class UnknownLabels(ValidationFailed):
    code = "unknown_labels"

    def __init__(self, message: str, labels: list[str]) -> None:
        super().__init__(message)
        self.labels = labels


class MissingColumns(ValidationFailed):
    code = "missing_columns"

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


class DataFileError(ValidationFailed):
    code = "data_file"


class ModelNotFound(NotFound):
    code = "model_not_found"


class ModelFormatError(ClassifyError):
    """The file is not a model, or was written by an older format or another library version."""

    code = "model_format"
