"""Fixtures of the knowledge-base tests: jieba is loaded once per session, as at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base import files, segment
from knowledge_base.config import load_config
from knowledge_base.encoder import E5Encoder
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



@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite database for the CLI (`main.py kb …` reads HOTLINE_DATABASE_URL)."""
    path = tmp_path / "hotline.db"
    monkeypatch.setenv("HOTLINE_DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def e5() -> E5Encoder:
    # The real package is a dependency (pyproject): its absence must fail, not skip.
    return E5Encoder()
