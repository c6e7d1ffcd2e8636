"""Reading the YAML files an office edits (policy, calendar, ranking rules, schemes).

A key the model does not know is refused, never dropped: a misspelt key or one written under
the wrong section would otherwise leave the shipped default in force without a word. The
error names the file, the section and the key, and where a key of that name belongs.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from tickets import texts

M = TypeVar("M", bound=BaseModel)


class ConfigFileError(ValueError):
    """A configuration file that cannot be used; the message says which file and what to fix."""


def read_mapping(path: Path) -> dict[str, Any]:
    """The office's YAML file as a mapping (empty: {}); anything else is refused."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigFileError(texts.ERR_CONFIG_YAML.format(file=path, reason=exc)) from None
    if not isinstance(data, dict):
        raise ConfigFileError(texts.ERR_CONFIG_NOT_MAPPING.format(file=path))
    return data


def validate_file(model: type[M], data: object, *, source: str | Path) -> M:
    """`model` from the mapping read out of `source`; every problem listed in one error."""
    if not isinstance(data, dict):
        raise ConfigFileError(texts.ERR_CONFIG_NOT_MAPPING.format(file=source))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(model, error) for error in exc.errors()]
        raise ConfigFileError("\n".join([texts.ERR_CONFIG_FILE.format(file=source), *lines])) from None


def refuse_unknown_keys(data: dict[str, Any], known: typing.Collection[str], *, source: str | Path) -> None:
    """The same refusal for a file read without a model (a flat mapping of known keys)."""
    lines = [_unknown(key, (), list(known), []) for key in data if key not in known]
    if lines:
        raise ConfigFileError("\n".join([texts.ERR_CONFIG_FILE.format(file=source), *lines]))


def _describe(model: type[BaseModel], error: Any) -> str:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        section, key = loc[:-1], str(loc[-1])
        holder = _model_at(model, section)
        known = list(holder.model_fields) if holder is not None else []
        elsewhere = [p for p in _paths_of(model, key) if p[:-1] != section]
        return _unknown(key, section, known, elsewhere)
    where, value = _dotted(loc) or texts.CONFIG_TOP_LEVEL, error.get("input")
    if isinstance(value, str | int | float | bool) and error["type"] != "missing":
        return texts.ERR_CONFIG_VALUE_READ.format(where=where, reason=error["msg"], value=value)
    return texts.ERR_CONFIG_VALUE.format(where=where, reason=error["msg"])


def _unknown(key: str, section: tuple[Any, ...], known: list[str], elsewhere: list[tuple[str, ...]]) -> str:
    where = texts.CONFIG_SECTION.format(section=_dotted(section)) if section else texts.CONFIG_TOP_LEVEL
    line = texts.ERR_CONFIG_UNKNOWN_KEY.format(key=key, section=where)
    # A name used in many sections (amount, unit) says nothing about where it belongs.
    if elsewhere and len(elsewhere) <= 3:
        sections = "、".join(_dotted(p[:-1]) or texts.CONFIG_TOP_LEVEL for p in elsewhere)
        return line + texts.ERR_CONFIG_KEY_BELONGS.format(key=key, sections=sections)
    if close := difflib.get_close_matches(key, known, n=1):
        return line + texts.ERR_CONFIG_DID_YOU_MEAN.format(key=close[0])
    if known:
        return line + texts.ERR_CONFIG_KNOWN_KEYS.format(keys="、".join(known))
    return line + "。"


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (directly, as `X | None` or `list[X]`), None for plain values."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            if (found := _submodel(arg)) is not None:
                return found
    return None


def _model_at(model: type[BaseModel], section: tuple[Any, ...]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in section:
        if isinstance(part, int):  # an item of a list of models
            continue
        field = current.model_fields.get(str(part)) if current is not None else None
        current = _submodel(field.annotation) if field is not None else None
    return current


def _paths_of(model: type[BaseModel], key: str, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, field in model.model_fields.items():
        if name == key:
            yield (*prefix, name)
        if (sub := _submodel(field.annotation)) is not None:
            yield from _paths_of(sub, key, (*prefix, name))
