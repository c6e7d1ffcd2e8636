"""Facets: what a question asks about a matter, said formally or colloquially, and the
small ranking bonus that picks the right sibling among entries about one matter."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.config import load_config
from knowledge_base.encoder import E5Encoder
from knowledge_base.intent import Facet, agreement, facets
from knowledge_base.matcher import Entry, build_knowledge_base
from knowledge_base.normalize import normalize
from knowledge_base.segment import Segmenter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("申请老年优待证需要提交哪些材料？", {Facet.MATERIALS}),
        ("去办优待证要带些啥", {Facet.MATERIALS}),
        ("老年优待证的申请条件是什么？", {Facet.CONDITIONS}),
        ("我今年62了够不够格", {Facet.CONDITIONS}),
        ("老年优待证遗失后如何补领？", {Facet.REISSUE}),
        ("优待证找不着了", {Facet.REISSUE}),
        ("優待證弄丟了", {Facet.REISSUE}),
        ("办这个证收费吗", {Facet.FEE}),
        ("在哪里办理", {Facet.PLACE}),
        ("多久能办好", {Facet.DURATION}),
        ("办好的证想注销", {Facet.CANCEL}),
        # "怎么办" is distress, not a question about the procedure.
        ("楼上漏水怎么办", set()),
    ],
)
def test_facets_are_read_from_formal_and_colloquial_wording(text: str, expected: set[Facet]) -> None:
    assert facets(normalize(text).replace(" ", "")) == expected


def test_agreement_is_a_bonus_for_a_shared_facet_only() -> None:
    assert agreement(frozenset({Facet.FEE}), frozenset({Facet.FEE, Facet.PLACE})) == 1.0
    assert agreement(frozenset({Facet.FEE}), frozenset({Facet.PLACE})) == 0.0
    assert agreement(frozenset(), frozenset({Facet.PLACE})) == 0.0


SIBLINGS = [
    Entry("first", "老年人优待证如何申领？", "年满60周岁的本市户籍老人，可持身份证到社区服务站申领。"),
    Entry("lost", "老年人优待证遗失后如何补领？", "先在社区服务站登记遗失，核实后5个工作日内补发。"),
    Entry("materials", "申领老年人优待证需要提交哪些材料？", "身份证原件、近期一寸照片一张。"),
    Entry("change", "老年人优待证信息有误如何更正？", "持身份证到原发证的社区服务站申请更正。"),
]


def test_the_facet_bonus_picks_the_sibling_the_citizen_asks_about(
    e5: E5Encoder, segmenter: Segmenter, tmp_path: Path
) -> None:
    def top(weight: float, question: str) -> str:
        kb = build_knowledge_base(
            SIBLINGS,
            config=load_config().with_overrides(weight_facet=weight),
            segmenter=segmenter,
            encoder=e5,
            vector_path=tmp_path / "vectors.npz",
        )
        return kb.search(question)[0].entry.id

    assert top(load_config().weight_facet, "我爸的老人优待证找不着了咋整") == "lost"
    assert top(load_config().weight_facet, "给我妈办老人证要带啥东西") == "materials"
