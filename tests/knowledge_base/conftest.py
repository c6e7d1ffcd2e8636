"""Fixtures of the knowledge-base tests: jieba is loaded once per session, as at start-up."""

from __future__ import annotations

import pytest

from knowledge_base import segment


@pytest.fixture(scope="session", autouse=True)
def segmenter() -> segment.Segmenter:
    return segment.load()
