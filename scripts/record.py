"""``make record``: re-record every cassette from scratch against the real backend on loopback.

Installs the test backend if needed (``npm ci`` in tests/backend), deletes everything in
``cassettes/``, starts the backend on 127.0.0.1, runs each scenario of tests/support/recording.py
once per client kind (sync, async) inside its own vcrpy cassette, and stops the backend.
Requests and responses are scrubbed before anything is written (tests/support/recording.py).

Exits non-zero, naming the scenario, when an outcome is not the expected one, when a
cassette did not get exactly one interaction, or when the secret scan finds anything.
"""

from __future__ import annotations

import sys
import time

from tests.support.backend_harness import Backend, ensure_installed, node_missing_reason
from tests.support.recording import CASSETTES, KINDS, SCENARIOS, check, find_secrets, make_vcr, run


def main() -> int:
    reason = node_missing_reason()
    if reason is not None:
        print(f"record: cannot start the NAVAI test backend: {reason}", file=sys.stderr)
        return 2
    ensure_installed()
    recorder = make_vcr("all")

    CASSETTES.mkdir(exist_ok=True)
    for old in sorted(CASSETTES.iterdir()):
        if old.is_file():
            old.unlink()

    problems: list[str] = []
    started = time.monotonic()
    with Backend.start() as backend:
        print(f"record: backend {backend.url} (pid {backend.pid})")
        for scenario in SCENARIOS:
            for kind in KINDS:
                name = scenario.cassette(kind)
                with recorder.use_cassette(name) as cassette:
                    result = run(scenario, kind, backend.url, backend.openai_key)
                    interactions = len(cassette.data)
                if interactions != 1:
                    problems.append(f"{name}: {interactions} interactions recorded, expected 1")
                try:
                    check(scenario, result, live=True)
                except AssertionError as exc:
                    problems.append(f"{name}: unexpected outcome: {exc}")

    written = sorted(CASSETTES.glob("*.yaml"))
    for path in written:
        problems += [f"{path.name}: {secret}" for secret in find_secrets(path.read_text("utf-8"))]
    expected = {scenario.cassette(kind) for scenario in SCENARIOS for kind in KINDS}
    missing = expected - {path.name for path in written}
    problems += [f"{name}: not written" for name in sorted(missing)]

    for problem in problems:
        print(f"record: {problem}", file=sys.stderr)
    print(
        f"record: wrote {len(written)} cassettes ({len(SCENARIOS)} scenarios x {len(KINDS)} clients) "
        f"to {CASSETTES} in {time.monotonic() - started:.1f} s"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
