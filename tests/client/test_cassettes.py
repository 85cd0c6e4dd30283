"""Every cassette recorded from the real backend (``make record``) replays offline through both clients.

Replays use ``record_mode="none"``: a missing cassette or a request that matches nothing in
it fails. Requests match on method, path, query and body (tests/support/recording.py); the base URL
is the fixed `REPLAY_URL`, since the recording backend's port changes on every run.
"""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException

import navai
from tests.support.recording import (
    CASSETTES,
    KINDS,
    REPLAY_URL,
    SCENARIOS,
    Recorded,
    Scenario,
    check,
    make_vcr,
    run,
)

REPLAY = make_vcr("none")
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


def _recorded(name: str) -> Recorded:
    data = yaml.safe_load((CASSETTES / name).read_text("utf-8"))
    (interaction,) = data["interactions"]
    return Recorded(interaction["request"], interaction["response"])


def test_scenario_names_are_unique_and_cassettes_match_them_exactly() -> None:
    assert len(BY_NAME) == len(SCENARIOS)
    expected = {scenario.cassette(kind) for scenario in SCENARIOS for kind in KINDS}
    assert {path.name for path in CASSETTES.iterdir()} == expected


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_replay(scenario: Scenario, kind: str) -> None:
    with REPLAY.use_cassette(scenario.cassette(kind)) as cassette:
        result = run(scenario, kind, REPLAY_URL, backend_key=None)
        assert cassette.play_count == 1, "the call did not go through the cassette"
        assert cassette.all_played
    check(scenario, result, live=False, recorded=_recorded(scenario.cassette(kind)))


@pytest.mark.parametrize("kind", KINDS)
def test_a_request_the_cassette_does_not_hold_fails(kind: str) -> None:
    """Same method and path as the recording, another body: no match, and no network.

    Only NavaiError escapes the facade, so vcrpy's error arrives as the cause of a
    `navai.NavaiConnectionError`.
    """
    recorded = BY_NAME["execute-payload-null"]
    other = Scenario("echo-other", "execute_function", recorded.expect, ("echo", {"x": 1}))
    with REPLAY.use_cassette(recorded.cassette(kind)) as cassette:
        outcome = run(other, kind, REPLAY_URL, backend_key=None).outcome
        assert cassette.play_count == 0
    assert isinstance(outcome, navai.NavaiConnectionError), repr(outcome)
    assert isinstance(outcome.__cause__, CannotOverwriteExistingCassetteException), repr(outcome.__cause__)


def test_a_missing_cassette_fails(tmp_path: Path) -> None:
    replay = make_vcr("none", cassette_dir=tmp_path)
    with (
        replay.use_cassette("missing.yaml"),
        httpx2.Client() as client,
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        client.get(f"{REPLAY_URL}/navai/functions")
