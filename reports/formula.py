"""A small, safe formula language for scoring schemes kept as data (YAML).

Formulas are Python-like expressions (`ratio(on_time, due, 1) * 10`), parsed with `ast` and
checked against a whitelist: names, numbers, + - * /, comparisons, `and`/`or`/`not`,
`a if cond else b` and the functions below. Nothing is ever passed to `eval`, so an office
can add a scheme without being able to run code.

Arithmetic is exact (`fractions.Fraction`): a decimal literal such as 0.7 is exactly 7/10,
so a score is rounded only once, at the end, the way the published tables are.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = Fraction


class FormulaError(ValueError):
    """A formula that cannot be parsed, uses something not allowed, or fails on the data."""


class NotApplicable(FormulaError):
    """ratio() met an empty denominator in a scheme that calls such an indicator not applicable."""


def to_fraction(value: object) -> Fraction:
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, Decimal | str):
        return Fraction(str(value).strip())
    if isinstance(value, float):
        # Through repr: 0.7 means 7/10 to the person who wrote it, not the binary float.
        return Fraction(repr(value))
    raise FormulaError(f"not a number: {value!r}")


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Exact Fraction -> Decimal with `places` decimals, halves rounded away from zero.

    Done in integers so that no binary or context rounding happens before this one.
    """
    scaled = abs(value) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    sign = -1 if value < 0 else 1
    return (Decimal(sign * whole).scaleb(-places)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def pct(value: Fraction | None) -> str:
    """84.62% style, half up; a dash when there is nothing to measure."""
    return "—" if value is None else f"{round_half_up(value * 100, 2)}%"


# --- functions a formula may call ---------------------------------------------------------


def _ratio(numerator: Fraction, denominator: Fraction, default: Fraction | None = None) -> Fraction:
    """numerator / denominator; `default` when there is nothing to divide by."""
    if denominator == 0:
        if default is None:
            raise FormulaError("division by zero in ratio() without a default")
        return default
    return numerator / denominator


def _interpolate(x: Fraction, x0: Fraction, x1: Fraction, y0: Fraction, y1: Fraction) -> Fraction:
    """Linear between (x0, y0) and (x1, y1), clamped to the segment; y1 when x0 == x1."""
    if x1 == x0:
        return y1
    t = (x - x0) / (x1 - x0)
    t = min(max(t, Fraction(0)), Fraction(1))
    return y0 + (y1 - y0) * t


def _clamp(x: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return min(max(x, low), high)


def _round(x: Fraction, places: Fraction = Fraction(0)) -> Fraction:
    """Half-up rounding inside a formula, for schemes that round a rate before using it."""
    return Fraction(str(round_half_up(x, int(places))))


FUNCTIONS: dict[str, Callable[..., Fraction]] = {
    "ratio": _ratio,
    "interpolate": _interpolate,
    "clamp": _clamp,
    "min": lambda *xs: min(xs),
    "max": lambda *xs: max(xs),
    "round": _round,
}
# Functions over one column of all units (e.g. the largest volume); argument must be a name.
COLUMN_FUNCTIONS: dict[str, Callable[[Sequence[Fraction]], Fraction]] = {
    "col_max": lambda xs: max(xs) if xs else Fraction(0),
    "col_min": lambda xs: min(xs) if xs else Fraction(0),
    "col_sum": lambda xs: sum(xs, Fraction(0)),
    "col_mean": lambda xs: sum(xs, Fraction(0)) / len(xs) if xs else Fraction(0),
}

_BINOPS: dict[type[ast.operator], Callable[[Fraction, Fraction], Fraction]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARES: dict[type[ast.cmpop], Callable[[Fraction, Fraction], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


class Formula:
    """One parsed and checked expression. `names` tells which variables it reads."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        if not self.text:
            raise FormulaError("empty formula")
        if len(self.text) > 2000:
            raise FormulaError("formula too long (more than 2000 characters)")
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"cannot parse formula {self.text!r}: {exc.msg}") from None
        self._tree = tree.body
        self.names: set[str] = set()
        self.column_names: set[str] = set()
        self._check(self._tree)

    def _check(self, node: ast.AST) -> None:
        match node:
            case ast.Constant(value=value):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise FormulaError(f"only numbers are allowed as constants, not {value!r}")
            case ast.Name(id=name):
                if name in FUNCTIONS or name in COLUMN_FUNCTIONS:
                    raise FormulaError(f"{name} is a function: call it with parentheses")
                self.names.add(name)
            case ast.BinOp(left=left, op=op, right=right):
                if type(op) not in _BINOPS:
                    raise FormulaError(f"operator {type(op).__name__} is not allowed (use + - * /)")
                self._check(left)
                self._check(right)
            case ast.UnaryOp(op=op, operand=operand):
                if not isinstance(op, ast.USub | ast.UAdd | ast.Not):
                    raise FormulaError(f"operator {type(op).__name__} is not allowed")
                self._check(operand)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                for op in ops:
                    if type(op) not in _COMPARES:
                        raise FormulaError(f"comparison {type(op).__name__} is not allowed")
                self._check(left)
                for item in comparators:
                    self._check(item)
            case ast.BoolOp(values=values):
                for item in values:
                    self._check(item)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                for item in (test, body, orelse):
                    self._check(item)
            case ast.Call(func=ast.Name(id=name), args=args, keywords=[]):
                if name in COLUMN_FUNCTIONS:
                    if len(args) != 1 or not isinstance(args[0], ast.Name):
                        raise FormulaError(f"{name}() takes one column name, e.g. {name}(received)")
                    self.column_names.add(args[0].id)
                    return
                if name not in FUNCTIONS:
                    raise FormulaError(f"unknown function {name}(); allowed: {', '.join(sorted(FUNCTIONS))}")
                for item in args:
                    self._check(item)
            case _:
                raise FormulaError(f"not allowed in a formula: {ast.unparse(node)!r}")

    def evaluate(
        self,
        variables: Mapping[str, Fraction],
        columns: Mapping[str, Sequence[Fraction]] | None = None,
        *,
        empty_is_not_applicable: bool = False,
    ) -> Fraction:
        """The value; with `empty_is_not_applicable`, ratio() over nothing raises NotApplicable
        instead of returning its default (the scheme's `empty_denominator` decides)."""
        try:
            value = self._eval(self._tree, variables, columns or {}, empty_is_not_applicable)
        except ZeroDivisionError:
            raise FormulaError(f"division by zero in {self.text!r}; use ratio(a, b, default)") from None
        return value if isinstance(value, Fraction) else Fraction(int(value))

    def _eval(
        self, node: ast.AST, env: Mapping[str, Fraction], columns: Mapping[str, Sequence[Fraction]],
        na: bool = False,
    ) -> Fraction | bool:
        match node:
            case ast.Constant(value=value):
                return to_fraction(value)
            case ast.Name(id=name):
                if name not in env:
                    raise FormulaError(f"unknown name {name!r} in {self.text!r}")
                return env[name]
            case ast.BinOp(left=left, op=op, right=right):
                return _BINOPS[type(op)](
                    _num(self._eval(left, env, columns, na)), _num(self._eval(right, env, columns, na))
                )
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return not self._eval(operand, env, columns, na)
            case ast.UnaryOp(op=op, operand=operand):
                value = _num(self._eval(operand, env, columns, na))
                return -value if isinstance(op, ast.USub) else value
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                current = _num(self._eval(left, env, columns, na))
                for op, item in zip(ops, comparators, strict=True):
                    other = _num(self._eval(item, env, columns, na))
                    if not _COMPARES[type(op)](current, other):
                        return False
                    current = other
                return True
            case ast.BoolOp(op=ast.And(), values=values):
                return all(self._eval(v, env, columns, na) for v in values)
            case ast.BoolOp(values=values):
                return any(self._eval(v, env, columns, na) for v in values)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self._eval(body if self._eval(test, env, columns, na) else orelse, env, columns, na)
            case ast.Call(func=ast.Name(id=name), args=args) if name in COLUMN_FUNCTIONS:
                column = args[0].id  # type: ignore[attr-defined]
                if column not in columns:
                    raise FormulaError(f"unknown column {column!r} in {self.text!r}")
                return COLUMN_FUNCTIONS[name](columns[column])
            case ast.Call(func=ast.Name(id=name), args=args):
                values = [_num(self._eval(a, env, columns, na)) for a in args]
                if na and name == "ratio" and len(values) >= 2 and values[1] == 0:
                    raise NotApplicable(f"empty denominator in {self.text!r}")
                try:
                    return FUNCTIONS[name](*values)
                except TypeError:
                    raise FormulaError(f"wrong number of arguments for {name}() in {self.text!r}") from None
        raise FormulaError(f"not allowed in a formula: {ast.unparse(node)!r}")  # pragma: no cover


def _num(value: Fraction | bool) -> Fraction:
    return Fraction(int(value)) if isinstance(value, bool) else value
