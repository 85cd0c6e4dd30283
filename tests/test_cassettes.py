"""Every cassette recorded from the real backend replays offline through both clients."""

from __future__ import annotations

import pytest
from recording import CASSETTES, REPLAY_URL, SCENARIOS, Scenario, make_vcr, run

REPLAY = make_vcr("none")  # a missing cassette or an unmatched request fails


def test_every_scenario_has_its_cassettes() -> None:
    expected = {s.cassette(kind) for s in SCENARIOS for kind in ("sync", "async")}
    assert {p.name for p in CASSETTES.glob("*.yaml")} == expected


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_replay(scenario: Scenario, kind: str) -> None:
    with REPLAY.use_cassette(scenario.cassette(kind)) as cassette:
        outcome = run(scenario, kind, REPLAY_URL, backend_key=None)
        assert cassette.play_count == len(cassette.data) == 1
    scenario.check(outcome, False)
