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
from schemathesis.specs.openapi.checks import positive_data_acceptance

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


# Two refusals no JSON Schema can state, each documented as a 422 of its operation: a credit
# code's check character (GB 32100-2015, a weighted sum mod 31) and whether an attachment's
# bytes are an image. A case the document calls valid may get exactly these, and nothing else.
UNSTATABLE = {
    "/api/v1/enterprise/requests": "校验位",
    "/api/v1/mailbox/letters": "不是 JPG、PNG 或 WebP 格式的照片",
}


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck), database=None, derandomize=True)
def test_live_app_keeps_to_its_document(case: schemathesis.Case, live: LiveApp) -> None:
    expected = UNSTATABLE.get(case.operation.path)
    if expected is None:
        case.call_and_validate(base_url=live.base_url, headers=auth_for(case, live.key))
        return
    response = case.call(base_url=live.base_url, headers=auth_for(case, live.key))
    if response.status_code == 422 and expected in response.json()["error"]["message"]:
        case.validate_response(response, excluded_checks=[positive_data_acceptance])
    else:
        case.validate_response(response)
