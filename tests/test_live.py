"""The cassette scenarios, live against the real backend this test run starts."""

from __future__ import annotations

import backend_harness
import pytest
from recording import SCENARIOS, Scenario, run

pytestmark = pytest.mark.live


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_live(scenario: Scenario, kind: str, live_backend: backend_harness.Backend) -> None:
    scenario.check(run(scenario, kind, live_backend.url, live_backend.openai_key), True)
