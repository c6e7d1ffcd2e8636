"""Scoring schemes kept as data: one YAML file per scheme, evaluated by reports.formula.

A scheme names the count columns it reads (one row per unit), the rates it shows, the
point components, the score formula and the grades. Offices add a scheme by writing a
YAML file; no code changes. The shipped schemes live in reports/schemes/.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from reports import texts
from reports.formula import Formula, FormulaError, NotApplicable, round_half_up
from reports.indicators import COUNT_NAMES, UnitIndicators
from tickets.config_files import ConfigFileError, validate_file
from tickets.terminal import text_table

UNIT_COLUMN = "unit"


class SchemeError(ValueError):
    """A scheme file or a counts file that cannot be used; the message says what to fix."""


class ColumnSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    label: str
    required: bool = True
    # When scoring from the database: a formula over reports.indicators.COUNT_NAMES
    # (default: the count of the same name; "0" for items the database does not record).
    source: str | None = None


class ItemSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    label: str
    formula: str
    # Full points of a component (for display); rates have none.
    points: Decimal | None = None


class GradeSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    grade: str
    # Lowest rounded score of this grade; None for the last, catch-all grade.
    min: Decimal | None = None


class CheckSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    rule: str
    message: str


class Scheme(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    title: str
    source: str = ""
    notes: str = ""
    columns: list[ColumnSpec]
    checks: list[CheckSpec] = Field(default_factory=list)
    indicators: list[ItemSpec] = Field(default_factory=list)
    components: list[ItemSpec] = Field(default_factory=list)
    score: str
    places: int = 2
    grades: list[GradeSpec] = Field(default_factory=list)
    # How the total row is made: "sum" applies the formulas to the summed counts (the
    # district's own figures); "mean" averages the units' results.
    total: Literal["sum", "mean"] = "sum"
    # What ratio() over an empty denominator means (a unit with nothing due, nobody called
    # back…). "not_applicable": the indicator and the components built on it are not
    # applicable, the other weighted components (those with `points`) are scaled up to the
    # same full points, and the bulletin marks the cell; a score formula reading the rate
    # itself gets 0 for it, so weight rates through components. "ratio_default": ratio()'s third argument is
    # used, which usually hands out full points for having done nothing.
    empty_denominator: Literal["not_applicable", "ratio_default"] = "not_applicable"

    @field_validator("columns")
    @classmethod
    def _unit_first(cls, columns: list[ColumnSpec]) -> list[ColumnSpec]:
        if not columns or columns[0].name != UNIT_COLUMN:
            raise ValueError(f"the first column must be {UNIT_COLUMN!r}")
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            raise ValueError("column names must be unique")
        return columns

    @property
    def count_columns(self) -> list[ColumnSpec]:
        return self.columns[1:]


@dataclass(frozen=True)
class CompiledScheme:
    spec: Scheme
    checks: list[tuple[CheckSpec, Formula]]
    indicators: list[tuple[ItemSpec, Formula]]
    components: list[tuple[ItemSpec, Formula]]
    score: Formula

    @property
    def name(self) -> str:
        return self.spec.name


def compile_scheme(spec: Scheme) -> CompiledScheme:
    """Parse every formula and check that each name it reads is defined before it."""
    known = {c.name for c in spec.count_columns}
    column_names = set(known)

    def build(items: Sequence[ItemSpec], where: str) -> list[tuple[ItemSpec, Formula]]:
        built = []
        for item in items:
            formula = _parse(item.formula, f"{where} {item.name}")
            _require_known(formula, known, column_names, f"{where} {item.name}")
            if item.name in known:
                raise SchemeError(f"scheme {spec.name}: {item.name!r} is defined twice")
            known.add(item.name)
            built.append((item, formula))
        return built

    checks = []
    for check in spec.checks:
        formula = _parse(check.rule, "check")
        _require_known(formula, known, column_names, f"check {check.rule!r}")
        checks.append((check, formula))
    indicators = build(spec.indicators, "indicator")
    components = build(spec.components, "component")
    score = _parse(spec.score, "score")
    _require_known(score, known, column_names, "score")
    return CompiledScheme(spec, checks, indicators, components, score)


def _parse(text: str, where: str) -> Formula:
    try:
        return Formula(text)
    except FormulaError as exc:
        raise SchemeError(f"{where}: {exc}") from None


def _require_known(formula: Formula, known: set[str], columns: set[str], where: str) -> None:
    if missing := formula.names - known:
        raise SchemeError(f"{where}: unknown name(s) {', '.join(sorted(missing))}")
    if missing := formula.column_names - columns:
        raise SchemeError(f"{where}: column functions need count columns, not {', '.join(sorted(missing))}")


# --- loading ----------------------------------------------------------------------------


def shipped_scheme_names() -> list[str]:
    folder = resources.files("reports").joinpath("schemes")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scheme(name_or_path: str | Path) -> CompiledScheme:
    """A shipped scheme by name (`pudong-2024`) or an office's own YAML file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        text = candidate.read_text(encoding="utf-8")
        where = str(candidate)
    else:
        name = str(name_or_path)
        if name not in shipped_scheme_names():
            raise SchemeError(
                texts.ERR_UNKNOWN_SCHEME.format(name=name, known="、".join(shipped_scheme_names()))
            )
        text = resources.files("reports").joinpath("schemes", f"{name}.yaml").read_text(encoding="utf-8")
        where = name
    try:
        spec = validate_file(Scheme, yaml.safe_load(text), source=where)
    except yaml.YAMLError as exc:
        raise SchemeError(f"{where}: {exc}") from None
    except ConfigFileError as exc:
        raise SchemeError(str(exc)) from None
    return compile_scheme(spec)


# --- counts files -----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCounts:
    unit: str
    counts: dict[str, int]


def read_counts(data: str | bytes, scheme: CompiledScheme) -> list[UnitCounts]:
    """Parse a counts CSV (header row with the scheme's column names, one row per unit).

    Every problem is reported with its line number, and nothing is guessed: a bad file is
    refused whole so that no unit is silently scored on partial data.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SchemeError(texts.ERR_COUNTS_ENCODING) from None
    data = data.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(data)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise SchemeError(texts.ERR_COUNTS_EMPTY)
    header = [h.strip() for h in rows[0]]
    spec = scheme.spec
    expected = [c.name for c in spec.columns]
    required = [c.name for c in spec.columns if c.required]
    unknown = [h for h in header if h not in expected]
    missing = [c for c in required if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise SchemeError(
            texts.ERR_COUNTS_HEADER.format(
                got=",".join(header),
                expected=",".join(required),
                optional=",".join(c.name for c in spec.columns if not c.required) or "无",
            )
        )
    result: list[UnitCounts] = []
    seen: set[str] = set()
    for line_no, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise SchemeError(texts.ERR_COUNTS_WIDTH.format(line=line_no, got=len(row), expected=len(header)))
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        unit = cells.pop(UNIT_COLUMN)
        if not unit:
            raise SchemeError(texts.ERR_COUNTS_NO_UNIT.format(line=line_no))
        if unit in seen:
            raise SchemeError(texts.ERR_COUNTS_DUPLICATE.format(line=line_no, unit=unit))
        seen.add(unit)
        counts: dict[str, int] = {c.name: 0 for c in spec.count_columns}
        for name, cell in cells.items():
            if not cell.isascii() or not cell.isdigit():
                raise SchemeError(texts.ERR_COUNTS_NUMBER.format(line=line_no, column=name, value=cell[:20]))
            counts[name] = int(cell)
        result.append(UnitCounts(unit, counts))
    if not result:
        raise SchemeError(texts.ERR_COUNTS_EMPTY)
    for item in result:
        env = {k: Fraction(v) for k, v in item.counts.items()}
        for check, formula in scheme.checks:
            if not formula.evaluate(env):
                raise SchemeError(texts.ERR_COUNTS_CHECK.format(unit=item.unit, message=check.message))
    return result


def counts_from_indicators(scheme: CompiledScheme, rows: Iterable[UnitIndicators]) -> list[UnitCounts]:
    """Turn the database's per-unit counts into the scheme's columns (ColumnSpec.source)."""
    sources = []
    for column in scheme.spec.count_columns:
        formula = _parse(column.source or column.name, f"column {column.name} source")
        if unknown := formula.names - set(COUNT_NAMES):
            raise SchemeError(
                texts.ERR_SCHEME_SOURCE.format(column=column.name, names="、".join(sorted(unknown)))
            )
        sources.append((column.name, formula))
    result = []
    for row in rows:
        env = {k: Fraction(v) for k, v in row.counts.items()}
        counts = {}
        for name, formula in sources:
            value = formula.evaluate(env)
            if value.denominator != 1 or value < 0:
                raise SchemeError(f"column {name}: source must give a non-negative whole number")
            counts[name] = int(value)
        result.append(UnitCounts(row.unit, counts))
    return result


# --- scoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    unit: str
    counts: dict[str, int]
    # None: not applicable (an empty denominator under `empty_denominator: not_applicable`).
    indicators: dict[str, Fraction | None]
    components: dict[str, Fraction | None]
    # None when no weighted component applies: nothing could be measured, so no score.
    exact_score: Fraction | None
    score: Decimal | None
    grade: str | None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def not_applicable(self) -> set[str]:
        return {k for k, v in (*self.indicators.items(), *self.components.items()) if v is None}

    def indicator_percent(self, name: str, places: int = 2) -> Decimal | None:
        value = self.indicators[name]
        return None if value is None else round_half_up(value * 100, places)

    def component_points(self, name: str, places: int = 2) -> Decimal | None:
        value = self.components[name]
        return None if value is None else round_half_up(value, places)


@dataclass(frozen=True)
class ScoreTable:
    scheme: CompiledScheme
    units: list[ScoreRow]
    total: ScoreRow

    def as_json(self) -> dict[str, object]:
        return {
            "scheme": self.scheme.name,
            "units": [_row_json(self.scheme, r) for r in self.units],
            "total": _row_json(self.scheme, self.total),
        }


def _row_json(scheme: CompiledScheme, row: ScoreRow) -> dict[str, object]:
    places = scheme.spec.places

    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    out: dict[str, object] = {"unit": row.unit, "score": number(row.score), "grade": row.grade}
    out.update(row.counts)
    for item, _ in scheme.indicators:
        # Rates as percentages with two decimals, as printed in the bulletins; null = not applicable.
        out[item.name] = number(row.indicator_percent(item.name))
    for item, _ in scheme.components:
        out[item.name] = number(row.component_points(item.name, places))
    return out


def grade_for(scheme: CompiledScheme, score: Decimal | None) -> str | None:
    if score is None:
        return None
    for grade in scheme.spec.grades:
        if grade.min is None or score >= grade.min:
            return grade.grade
    return None


def score_units(scheme: CompiledScheme, rows: Iterable[UnitCounts]) -> ScoreTable:
    """Every unit's indicators, components, score and grade, and the total row."""
    rows = list(rows)
    if not rows:
        raise SchemeError(texts.ERR_COUNTS_EMPTY)
    columns = {c.name: [Fraction(r.counts[c.name]) for r in rows] for c in scheme.spec.count_columns}
    units = [_score_one(scheme, r.unit, r.counts, columns) for r in rows]
    summed = {c.name: sum(r.counts[c.name] for r in rows) for c in scheme.spec.count_columns}
    if scheme.spec.total == "sum":
        total = _score_one(scheme, texts.TOTAL_ROW, summed, columns)
    else:
        indicators = {k: _mean([u.indicators[k] for u in units]) for k in units[0].indicators}
        components = {k: _mean([u.components[k] for u in units]) for k in units[0].components}
        exact = _mean([u.exact_score for u in units])
        score = None if exact is None else round_half_up(exact, scheme.spec.places)
        total = ScoreRow(
            texts.TOTAL_ROW, summed, indicators, components, exact, score, grade_for(scheme, score)
        )
    return ScoreTable(scheme, units, total)


def _mean(values: Sequence[Fraction | None]) -> Fraction | None:
    """The mean over the units where the value applies."""
    known = [v for v in values if v is not None]
    return sum(known, Fraction(0)) / len(known) if known else None


def _score_one(
    scheme: CompiledScheme, unit: str, counts: dict[str, int], columns: dict[str, list[Fraction]]
) -> ScoreRow:
    env: dict[str, Fraction] = {k: Fraction(v) for k, v in counts.items()}
    indicators: dict[str, Fraction | None] = {}
    components: dict[str, Fraction | None] = {}
    strict = scheme.spec.empty_denominator == "not_applicable"
    missing: set[str] = set()

    def value(name: str, formula: Formula) -> Fraction | None:
        if formula.names & missing:
            missing.add(name)
            return None
        try:
            env[name] = formula.evaluate(env, columns, empty_is_not_applicable=strict)
        except NotApplicable:
            missing.add(name)
            return None
        return env[name]

    try:
        for item, formula in scheme.indicators:
            indicators[item.name] = value(item.name, formula)
        for item, formula in scheme.components:
            components[item.name] = value(item.name, formula)
        weighted = [item for item, _ in scheme.components if item.points is not None]
        full = sum((Fraction(item.points) for item in weighted), Fraction(0))  # type: ignore[arg-type]
        applies = sum((Fraction(item.points) for item in weighted if item.name not in missing), Fraction(0))  # type: ignore[arg-type]
        if weighted and not applies:
            exact: Fraction | None = None
        else:
            # Re-scale what applies to the scheme's full points; a not-applicable item counts 0
            # in the score formula (its share is carried by the others).
            factor = full / applies if applies else Fraction(1)
            score_env = dict(env)
            for item in weighted:
                score_env[item.name] = env[item.name] * factor if item.name not in missing else Fraction(0)
            for name in missing:
                score_env.setdefault(name, Fraction(0))
            exact = scheme.score.evaluate(score_env, columns)
    except FormulaError as exc:
        raise SchemeError(f"{unit}: {exc}") from None
    score = None if exact is None else round_half_up(exact, scheme.spec.places)
    return ScoreRow(unit, dict(counts), indicators, components, exact, score, grade_for(scheme, score))


def format_table(table: ScoreTable) -> str:
    """A plain-text table for the terminal: counts, rates (%), points, score, grade."""
    scheme = table.scheme
    places = scheme.spec.places
    headers = [texts.UNIT_HEADER]
    headers += [c.label for c in scheme.spec.count_columns]
    headers += [i.label for i, _ in scheme.indicators]
    headers += [i.label for i, _ in scheme.components]
    headers += [texts.SCORE_HEADER]
    if scheme.spec.grades:
        headers.append(texts.GRADE_HEADER)

    def cells(row: ScoreRow) -> list[str]:
        out = [row.unit]
        out += [str(row.counts[c.name]) for c in scheme.spec.count_columns]
        out += [_or_dash(row.indicator_percent(i.name), "%") for i, _ in scheme.indicators]
        out += [_or_dash(row.component_points(i.name, places)) for i, _ in scheme.components]
        out.append(_or_dash(row.score))
        if scheme.spec.grades:
            out.append(row.grade or texts.NOT_APPLICABLE_CELL)
        return out

    body = [cells(r) for r in table.units] + [cells(table.total)]
    return f"{scheme.spec.title}\n{text_table(headers, body)}"


def _or_dash(value: Decimal | None, suffix: str = "") -> str:
    return texts.NOT_APPLICABLE_CELL if value is None else f"{value}{suffix}"
