"""Similarity of two requests (hotspots and repeats built on it: tests/reports/test_hotspot_rules.py)."""

from __future__ import annotations

import pytest

from knowledge_base.classify import EmptyText, text_similarity

PLANT = "翠湖花园小区门口新建的垃圾中转站臭味很大，夏天根本不敢开窗。"


def test_text_similarity_orders_same_matter_above_other_matters() -> None:
    assert text_similarity("翠湖花園垃圾中轉站臭味", "翠湖花园垃圾中转站臭味") == pytest.approx(1.0)
    same = text_similarity(PLANT, "投诉翠湖花园旁边的垃圾中转站，每天凌晨垃圾车进出，又臭又吵。")
    other = text_similarity(PLANT, "请问社保卡丢了怎么补办？")
    assert same > other
    with pytest.raises(EmptyText):
        text_similarity("", PLANT)
