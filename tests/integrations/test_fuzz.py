"""Schemathesis over the live app's own OpenAPI document (the REST API, the hooks and Open311),
with every check, on SQLite and PostgreSQL: any 5xx, any response outside the document, any
valid request refused or invalid one accepted fails the run. Bounded for CI (FUZZ_EXAMPLES
cases per operation, no shrinking); bench/fuzz.py runs the long version."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from integrations.openapi import document
from tests.integrations.live import LiveApp, auth_for

FUZZ_EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_EXAMPLES", "10"))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'hotline.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = LiveApp(url).start()
    try:
        # The cases below come from the same document the live app serves.
        assert requests.get(f"{app.base_url}/api/v1/openapi.json", timeout=10).json() == DOCUMENT
        yield app
    finally:
        app.stop()


# Loaded eagerly (one test per operation): schemathesis' fixture-based loader does not run
# under pytest 9.2 (it writes Node._nodeid, which pytest no longer has).
DOCUMENT = document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck), database=None, derandomize=True)
def test_live_app_keeps_to_its_document(case: schemathesis.Case, live: LiveApp) -> None:
    case.call_and_validate(base_url=live.base_url, headers=auth_for(case, live.key))
