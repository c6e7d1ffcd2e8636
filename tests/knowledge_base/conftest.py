"""Fixtures of the knowledge-base tests: jieba is loaded once per session, as at start-up."""

from __future__ import annotations

import pytest

from knowledge_base import files, segment
from knowledge_base.config import load_config
from knowledge_base.matcher import KnowledgeBase


@pytest.fixture(scope="session", autouse=True)
def segmenter() -> segment.Segmenter:
    return segment.load()


@pytest.fixture(scope="session")
def shipped_kb(segmenter: segment.Segmenter) -> KnowledgeBase:
    """The shipped knowledge base with the shipped (tuned) matcher settings."""
    return KnowledgeBase(
        files.active_entries(files.default_records()), config=load_config(), segmenter=segmenter
    )


@pytest.fixture(autouse=True)
def vector_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Entry vectors of every test go to one store outside the checkout (shared by the
    session's tests, as the service's is shared by its restarts)."""
    path = tmp_path_factory.getbasetemp() / "kb_vectors.npz"
    monkeypatch.setenv("HOTLINE_KB_VECTORS", str(path))
    return path
