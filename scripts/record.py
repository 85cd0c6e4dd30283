"""``make record``: re-record every cassette from scratch against the real backend on loopback.

Each scenario of tests/recording.py runs once per client kind (sync, async) inside its own
vcrpy cassette; requests and responses are scrubbed before anything is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from backend_harness import Backend, ensure_installed
from recording import CASSETTES, SCENARIOS, make_vcr, run


def main() -> int:
    ensure_installed()
    CASSETTES.mkdir(exist_ok=True)
    for old in CASSETTES.glob("*.yaml"):
        old.unlink()
    recorder = make_vcr("all")
    failures = 0
    with Backend.start() as backend:
        for scenario in SCENARIOS:
            for kind in ("sync", "async"):
                with recorder.use_cassette(scenario.cassette(kind)):
                    outcome = run(scenario, kind, backend.url, backend.openai_key)
                try:
                    scenario.check(outcome, True)
                except AssertionError as exc:
                    failures += 1
                    print(f"record: {kind}-{scenario.name}: unexpected outcome: {exc}", file=sys.stderr)
    count = len(list(CASSETTES.glob("*.yaml")))
    print(f"record: wrote {count} cassettes to {CASSETTES}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
