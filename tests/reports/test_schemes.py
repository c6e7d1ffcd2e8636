import csv
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from main import cli
from reports.schemes import SchemeError, format_table, load_scheme, read_counts, score_units

DATA = Path(__file__).parent / "data"


def _printed() -> list[dict[str, str]]:
    with (DATA / "seed002_printed.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_seed002_all_25_rows_exactly_as_printed() -> None:
    scheme = load_scheme("comprehensive-index")
    table = score_units(scheme, read_counts((DATA / "seed002_counts.csv").read_text("utf-8"), scheme))
    rows = [*table.units, table.total]
    printed = _printed()
    assert len(rows) == len(printed) == 25
    for row, expected in zip(rows, printed, strict=True):
        assert row.unit == expected["unit"]
        assert row.score == Decimal(expected["score"]), row.unit
        assert row.grade == expected["grade"], row.unit
        for rate in ("completion_rate", "on_time_rate", "rework_rate", "satisfaction_rate"):
            assert row.indicator_percent(rate) == Decimal(expected[rate]), (row.unit, rate)
    assert str(table.total.score) == "97.66"
    assert [r.unit for r in rows if r.grade == "B"] == ["供电分公司", "城建投"]


def test_comprehensive_weights_are_pinned_by_the_table() -> None:
    """Recompute the weight intervals of the scheme's notes from the printed rows, exactly."""
    half = Fraction(5, 1000)

    def interval(printed_loss: str, rate_lost: Fraction) -> tuple[Fraction, Fraction]:
        loss = Fraction(printed_loss)
        return (loss - half) / rate_lost, (loss + half) / rate_lost

    w_time = interval("4.62", Fraction(2, 13))  # 住建局 95.38
    w_sat = interval("10.00", Fraction(1, 2))  # 拆迁安置服务中心 90.00
    w_sat0 = interval("20.00", Fraction(1))  # 供电分公司 80.00
    w_rework = interval("6.60", Fraction(1, 3))  # 交警君山大队 93.40
    assert w_time[0] <= 30 <= w_time[1]
    assert max(w_sat[0], w_sat0[0]) <= 20 <= min(w_sat[1], w_sat0[1])
    assert w_rework == (Fraction("19.785"), Fraction("19.815"))
    assert not (w_rework[0] <= 20 <= w_rework[1])  # the "natural" 20 cannot be right
    # Total row: 100 - 97.66 = 2.34 lost over on time 75/77, rework 1/77, satisfied 72/77.
    rest = Fraction("2.34") - 30 * Fraction(2, 77) - 20 * Fraction(5, 77)
    total_rework = ((rest - half) * 77, (rest + half) * 77)
    low, high = max(w_rework[0], total_rework[0]), min(w_rework[1], total_rework[1])
    assert low <= Fraction("19.8") <= high
    scheme = load_scheme("comprehensive-index")
    points = {item.name: item.points for item, _ in scheme.components}
    assert points == {
        "completion_points": Decimal("30.2"),
        "on_time_points": Decimal("30"),
        "rework_points": Decimal("19.8"),
        "satisfaction_points": Decimal("20"),
    }
    assert sum(points.values()) == 100


def _pudong_csv() -> str:
    header = (
        "unit,received,due,on_time,dispatched,first_contacted,evaluations,solved,explained,noted,"
        "satisfied,basically_satisfied,average,over_limit,bulletin_praised,city_supervised_late,"
        "district_supervised_late"
    )
    return "\n".join(
        [
            header,
            "甲居委,40,30,27,40,36,20,12,5,2,14,3,2,1,1,0,0",
            "乙科室,10,10,10,10,10,8,8,0,0,8,0,0,0,0,0,0",
            "丙中心,25,20,15,25,20,10,4,3,1,5,2,1,0,0,1,1",
        ]
    )


def test_pudong_worked_example_by_hand() -> None:
    scheme = load_scheme("pudong-2024")
    table = score_units(scheme, read_counts(_pudong_csv(), scheme))
    a, b, c = table.units
    # 甲: largest volume 5; 27/30*10 = 9; 36/40*25 = 22.5; (12*100+5*100+2*70)/(20*100)*30 = 27.6;
    #     (14*100+3*80+2*60)/(20*100)*30 = 26.4; +1 praised; -2 over the district limit.
    assert [a.components[k] for k in a.components] == [
        5,
        9,
        Fraction("22.5"),
        Fraction("27.6"),
        Fraction("26.4"),
        1,
        -2,
    ]
    assert a.score == Decimal("89.50")
    # 乙: smallest volume 2.5, everything else full.
    assert b.components["workload_points"] == Fraction("2.5") and b.score == Decimal("97.50")
    # 丙: 2.5 + 2.5*(25-10)/(40-10) = 3.75; 7.5; 20; 770/1000*30 = 23.1; 720/1000*30 = 21.6;
    #     -2 city and -1 district supervised late: 72.95.
    assert c.components["workload_points"] == Fraction("3.75")
    assert c.components["penalty_points"] == -3
    assert c.score == Decimal("72.95")
    assert table.total.score == Decimal("86.65")  # (89.5 + 97.5 + 72.95) / 3
    assert a.grade is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "空"),
        ("unit,received,due,done,on_time,rework\n甲,1,1,1,1,0\n", "表头"),
        ("unit,received,due,done,on_time,rework,satisfied,extra\n甲,1,1,1,1,0,1,1\n", "表头"),
        ("unit,received,due,done,on_time,rework,satisfied\n甲,1,1,1,1,0\n", "第 2 行有 6 列"),
        ("unit,received,due,done,on_time,rework,satisfied\n甲,1,1,1,1,0,-1\n", "非负整数"),
        ("unit,received,due,done,on_time,rework,satisfied\n甲,1,1,1,1,0,１\n", "非负整数"),
        ("unit,received,due,done,on_time,rework,satisfied\n甲,1,1,1,1,0,1\n甲,1,1,1,1,0,1\n", "重复"),
        ("unit,received,due,done,on_time,rework,satisfied\n,1,1,1,1,0,1\n", "没有填写单位"),
        ("unit,received,due,done,on_time,rework,satisfied\n甲,1,1,1,2,0,1\n", "按期办理数不能大于办理数"),
        ("unit,received,due,done,on_time,rework,satisfied\n", "空"),
    ],
)
def test_bad_counts_files_are_refused_with_the_reason(text: str, message: str) -> None:
    scheme = load_scheme("comprehensive-index")
    with pytest.raises(SchemeError, match=message):
        read_counts(text, scheme)


def test_bom_and_gbk_files() -> None:
    scheme = load_scheme("comprehensive-index")
    body = "unit,received,due,done,on_time,rework,satisfied\n甲,1,1,1,1,0,1\n"
    assert read_counts(("\ufeff" + body).encode("utf-8"), scheme)[0].unit == "甲"
    with pytest.raises(SchemeError, match="UTF-8"):
        read_counts(body.encode("gbk"), scheme)


def test_unknown_scheme_and_office_scheme_file(tmp_path: Path) -> None:
    with pytest.raises(SchemeError, match="pudong-2024"):
        load_scheme("nope")
    own = tmp_path / "mine.yaml"
    own.write_text(
        "name: mine\ntitle: 自建\ncolumns: [{name: unit, label: 单位}, {name: n, label: 件数}]\n"
        "score: 'n * 2'\ngrades: [{grade: 优, min: 10}, {grade: 良}]\n",
        encoding="utf-8",
    )
    scheme = load_scheme(own)
    table = score_units(scheme, read_counts("unit,n\n甲,6\n乙,4\n", scheme))
    assert [(r.score, r.grade) for r in table.units] == [(Decimal("12.00"), "优"), (Decimal("8.00"), "良")]
    assert table.total.score == Decimal("20.00")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\ntitle: x\ncolumns: [{name: unit, label: 单位}]\nscore: '__import__(1)'\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemeError, match="unknown function"):
        load_scheme(bad)
    undefined = tmp_path / "undefined.yaml"
    undefined.write_text(
        "name: u\ntitle: x\ncolumns: [{name: unit, label: 单位}]\nscore: 'missing * 2'\n", encoding="utf-8"
    )
    with pytest.raises(SchemeError, match="missing"):
        load_scheme(undefined)


def test_cli_score_json_and_text() -> None:
    runner = CliRunner()
    counts = str(DATA / "seed002_counts.csv")
    result = runner.invoke(
        cli, ["report", "score", "--scheme", "comprehensive-index", "--counts", counts, "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["units"]) == 24
    assert data["units"][0] == {
        "unit": "住建局",
        "score": 95.38,
        "grade": "A",
        "received": 13,
        "due": 13,
        "done": 13,
        "on_time": 11,
        "rework": 0,
        "satisfied": 13,
        "completion_rate": 100.0,
        "on_time_rate": 84.62,
        "rework_rate": 0.0,
        "satisfaction_rate": 100.0,
        "completion_points": 30.2,
        "on_time_points": 25.38,
        "rework_points": 19.8,
        "satisfaction_points": 20.0,
    }
    assert data["total"]["score"] == 97.66 and data["total"]["grade"] == "A"
    text = runner.invoke(cli, ["report", "score", "--scheme", "comprehensive-index", "--counts", counts])
    assert text.exit_code == 0
    lines = text.output.splitlines()
    assert lines[-1].startswith("合计") and lines[-1].split()[-2:] == ["97.66", "A"]
    last_unit = next(line for line in lines if line.startswith("城建投"))
    assert last_unit.split()[-2:] == ["80.00", "B"]


def test_cli_score_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,received\n甲,1\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["report", "score", "--scheme", "comprehensive-index", "--counts", str(bad)]
    )
    assert result.exit_code != 0
    assert "表头" in result.output
    assert "Traceback" not in result.output


def test_every_shipped_scheme_says_what_an_empty_denominator_means() -> None:
    from importlib import resources

    import yaml

    from reports.schemes import shipped_scheme_names

    for name in shipped_scheme_names():
        text = resources.files("reports").joinpath("schemes", f"{name}.yaml").read_text(encoding="utf-8")
        assert yaml.safe_load(text)["empty_denominator"] == "not_applicable", name


def test_empty_denominator_is_not_applicable_and_the_other_weights_are_rescaled() -> None:
    scheme = load_scheme("comprehensive-index")
    counts = (
        "unit,received,due,done,on_time,rework,satisfied\n甲,3,3,3,3,0,3\n乙,1,1,0,0,0,0\n丙,1,0,0,0,0,0\n"
    )
    table = score_units(scheme, read_counts(counts, scheme))
    full, nothing_done, nothing_due = table.units
    assert full.score == Decimal("100.00") and not full.not_applicable
    # 乙: nothing done, so satisfaction (satisfied ÷ done) cannot be measured. It no longer
    # earns the full 20 points (39.80 before): the 80 points that apply are scaled to 100,
    # and only the rework part (19.8 of them) was earned: 19.8 × 100 / 80 = 24.75.
    assert nothing_done.indicators["satisfaction_rate"] is None
    assert nothing_done.components["satisfaction_points"] is None
    assert nothing_done.not_applicable == {"satisfaction_rate", "satisfaction_points"}
    assert nothing_done.score == Decimal("24.75")
    # 丙: nothing was due, nothing can be measured: no score at all rather than 100.
    assert nothing_due.score is None and nothing_due.grade is None
    assert nothing_due.indicator_percent("completion_rate") is None
    data = table.as_json()
    assert data["units"][1]["satisfaction_rate"] is None and data["units"][2]["score"] is None
    lines = format_table(table).splitlines()
    assert next(line for line in lines if line.startswith("丙")).split()[-2:] == ["—", "—"]


def test_office_scheme_can_keep_the_ratio_default(tmp_path: Path) -> None:
    own = tmp_path / "lenient.yaml"
    own.write_text(
        "name: lenient\ntitle: 宽松\nempty_denominator: ratio_default\n"
        "columns: [{name: unit, label: 单位}, {name: a, label: 甲}, {name: b, label: 乙}]\n"
        "indicators: [{name: r, label: 比率, formula: 'ratio(a, b, 1)'}]\n"
        "components: [{name: p, label: 得分项, points: 100, formula: '100 * r'}]\nscore: p\n",
        encoding="utf-8",
    )
    scheme = load_scheme(own)
    table = score_units(scheme, read_counts("unit,a,b\n甲,0,0\n", scheme))
    assert table.units[0].score == Decimal("100.00")
