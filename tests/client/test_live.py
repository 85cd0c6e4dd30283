"""The cassette scenarios (tests/support/recording.py), live against the real backend this test run starts.

The same expectations as the replays, except for what changes on every mint: a live
secret must be ``ek_`` + 32 letters or digits, expiring 600 s from now.
"""

from __future__ import annotations

import pytest

from tests.support import backend_harness
from tests.support.recording import KINDS, SCENARIOS, Scenario, check, run

pytestmark = pytest.mark.live


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_live(scenario: Scenario, kind: str, live_backend: backend_harness.Backend) -> None:
    check(scenario, run(scenario, kind, live_backend.url, live_backend.openai_key), live=True)
