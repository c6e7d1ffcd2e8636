"""The ranking chart says what the tables say (issue 13): same colours, honest axis, honest legend."""

from __future__ import annotations

from decimal import Decimal

from matplotlib.colors import to_hex

from reports import charts


def test_ranking_chart_colours_follow_the_tables_and_the_axis_starts_at_zero() -> None:
    scores = [(f"单位{i}", Decimal(95 - 6 * i)) for i in range(9)]  # 95 … 47
    fig = charts.ranking_figure(
        scores,
        title="排名",
        best=set(),  # nobody reached the best list this period
        poor={"单位8", "单位7"},  # 表二 lists the two worst
        below_line={"单位6", "单位5", "单位4", "单位3"},  # also below 80, beyond 表二's length
        threshold=Decimal(80),
        not_ranked=2,
    )
    ax = fig.axes[0]
    assert ax.get_xlim()[0] == 0
    colours = {
        label.get_text(): to_hex(bar.get_facecolor())
        for label, bar in zip(ax.get_yticklabels(), ax.patches, strict=True)
    }
    assert {n for n, c in colours.items() if c == charts.RED} == {"单位8", "单位7"}
    assert {n for n, c in colours.items() if c == charts.PALE_RED} == {"单位6", "单位5", "单位4", "单位3"}
    # Every bar left of the 80 line is red or pale red; none is blue.
    assert all(colours[n] in (charts.RED, charts.PALE_RED) for n, s in scores if s < 80)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["较差单位（表二）", "低于较差线，未列入表二", "其他单位", "较差线 80 分"]
    assert "另有2个单位样本不足，未参与排名" in ax.get_xlabel()
