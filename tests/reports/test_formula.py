from decimal import Decimal
from fractions import Fraction

import pytest

from reports.formula import Formula, FormulaError, round_half_up


def ev(text: str, **env: int) -> Fraction:
    return Formula(text).evaluate({k: Fraction(v) for k, v in env.items()})


def test_decimal_literals_are_exact() -> None:
    # 0.1 + 0.2 is exactly 0.3 here, unlike binary floats.
    assert ev("0.1 + 0.2") == Fraction(3, 10)
    assert ev("19.8 * (1 - rework / due)", rework=1, due=3) == Fraction(66, 5)


def test_ratio_default_and_interpolate() -> None:
    assert ev("ratio(a, b, 1)", a=0, b=0) == 1
    assert ev("ratio(a, b)", a=1, b=4) == Fraction(1, 4)
    with pytest.raises(FormulaError, match="division by zero"):
        ev("ratio(a, b)", a=1, b=0)
    with pytest.raises(FormulaError, match="ratio"):
        ev("a / b", a=1, b=0)
    assert ev("interpolate(25, 10, 40, 2.5, 5)") == Fraction(15, 4)
    assert ev("interpolate(50, 10, 40, 2.5, 5)") == 5  # clamped
    assert ev("interpolate(7, 7, 7, 2.5, 5)") == 5  # all equal: full points


def test_conditionals_and_column_functions() -> None:
    f = Formula("5 if x >= col_max(x) else (1 if x > 0 and y == 0 else 0)")
    cols = {"x": [Fraction(1), Fraction(3)]}
    assert f.evaluate({"x": Fraction(3), "y": Fraction(0)}, cols) == 5
    assert f.evaluate({"x": Fraction(1), "y": Fraction(0)}, cols) == 1
    assert f.evaluate({"x": Fraction(1), "y": Fraction(2)}, cols) == 0
    assert f.names == {"x", "y"} and f.column_names == {"x"}


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "x.__class__",
        "[1, 2]",
        "x ** 2",
        "lambda: 1",
        "open('f')",
        "'text'",
        "x[0]",
        "ratio",
        "col_max(x + 1)",
        "f(x)(y)",
    ],
)
def test_anything_outside_the_whitelist_is_refused(text: str) -> None:
    with pytest.raises(FormulaError):
        Formula(text)


@pytest.mark.parametrize("text", ["", "   ", "1 +", "（1）", "x" * 2001])
def test_broken_formulas_get_a_clear_error(text: str) -> None:
    with pytest.raises(FormulaError):
        Formula(text)


def test_unknown_name_at_evaluation() -> None:
    with pytest.raises(FormulaError, match="unknown name 'nope'"):
        ev("nope + 1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(2675, 1000), "2.68"),  # float round() would say 2.67
        (Fraction(1240, 13), "95.38"),  # 95.3846…
        (Fraction(-5, 1000), "-0.01"),
        (Fraction(100), "100.00"),
        (Fraction(1, 3) * 100, "33.33"),
    ],
)
def test_round_half_up(value: Fraction, expected: str) -> None:
    assert round_half_up(value, 2) == Decimal(expected)
    assert str(round_half_up(value, 2)) == expected
