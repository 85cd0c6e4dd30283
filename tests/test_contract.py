"""Contract truth: schemathesis drives openapi.yaml against the live backend, and every
response the backend sends must conform to it (status documented, content type, schema).

Schemathesis's pytest plugin does not run under pytest 9 here, so each operation's
strategy is driven with hypothesis directly; the checks are schemathesis's own.
"""

from __future__ import annotations

from pathlib import Path

import backend_harness
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.live

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
SCHEMA = schemathesis.openapi.from_path(SPEC)
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}
EXAMPLES = 60


def test_every_endpoint_is_covered() -> None:
    assert set(OPERATIONS) == {
        "POST /navai/realtime/client-secret",
        "GET /navai/functions",
        "POST /navai/functions/execute",
    }


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_backend_conforms_to_openapi(label: str, live_backend: backend_harness.Backend) -> None:
    operation = OPERATIONS[label]
    seen: set[int] = set()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def drive(case: schemathesis.Case) -> None:
        response = case.call_and_validate(base_url=live_backend.url)
        seen.add(response.status_code)

    drive()
    assert seen, "the backend answered"
