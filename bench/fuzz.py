"""The long fuzz run: schemathesis over the live app's own OpenAPI document (REST API, hooks,
Open311), positive and negative cases, every check, on SQLite and/or PostgreSQL. Loopback
only; bounded by --examples per operation and mode. Prints the case count, the run time and
each distinct failure (check, operation, status, a curl line to reproduce).

    python bench/fuzz.py --db sqlite --examples 300
    python bench/fuzz.py --db both --examples 1000

tests/integrations/test_fuzz.py is the short version that runs in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode

from integrations.openapi import document
from tests.conftest import throwaway_postgres
from tests.integrations.live import LiveApp, auth_for


def run_operation(operation: Any, mode: GenerationMode, app: LiveApp, examples: int, cases: Counter[str],
                  failures: dict[str, str]) -> None:
    label = operation.label

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case) -> None:
        cases[label] += 1
        try:
            case.call_and_validate(base_url=app.base_url, headers=auth_for(case, app.key))
        except FailureGroup as group:
            for failure in group.exceptions:
                key = f"{type(failure).__name__} {label}"
                failures.setdefault(key, f"{failure.title}: {case.as_curl_command()[:400]}")

    run()


def fuzz(app: LiveApp, examples: int) -> tuple[Counter[str], dict[str, str]]:
    schema = schemathesis.openapi.from_dict(document())
    cases: Counter[str] = Counter()
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                run_operation(operation, mode, app, examples, cases, failures)
            except Unsatisfiable:
                pass  # nothing of this operation can be made invalid (e.g. a free-text path segment)
            except Exception as error:  # a generation problem of one operation must not stop the rest
                failures.setdefault(f"generation {operation.label} {mode}", repr(error)[:300])
    return cases, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--examples", type=int, default=200, help="cases per operation and mode")
    args = parser.parse_args()
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
            url = (f"sqlite:///{Path(tmp) / 'fuzz.db'}" if db == "sqlite"
                   else stack.enter_context(throwaway_postgres("hotline_fuzz")))
            app = LiveApp(url).start()
            started = time.monotonic()
            try:
                cases, failures = fuzz(app, args.examples)
            finally:
                app.stop()
            print(f"== {db}: {sum(cases.values())} cases over {len(cases)} operations in "
                  f"{time.monotonic() - started:.0f} s; {len(failures)} distinct failures ==")
            for key, detail in sorted(failures.items()):
                print(f"- {key}\n    {detail}")

if __name__ == "__main__":
    main()
