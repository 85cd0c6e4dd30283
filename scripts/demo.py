"""``make demo``: start ``navai serve`` on loopback and drive it with the navai CLI.

Needs only Python: the backend is ``navai serve`` (navai.server, the Python twin of
@navai/voice-backend) with the Python twins of the test functions
(tests/server/backend_py), and OpenAI's client-secret endpoint is a local stand-in in
this process (tests/support/py_backend_harness.py), so ``navai secret`` works offline. The server
is stopped by its process id whatever happens; the exit code is non-zero when any step
failed. ``make demo-node`` (scripts/demo_node.py) runs the same steps on the Node backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.py_backend_harness import PyBackend

NAVAI = str(Path(sys.executable).with_name("navai"))
STEPS = [
    ("List the backend's functions", ["functions"]),
    ("Call a function: say_hello with --arg value=Ana", ["call", "say_hello", "--arg", "value=Ana"]),
    ("Call a function: add with a JSON payload", ["call", "add", "--payload", '{"args": [2, 3]}']),
    ("Mint a Realtime client secret (masked)", ["secret", "--voice", "marin", "--language", "en"]),
]
STEP_TIMEOUT_S = 60


def drive(backend: Any, label: str) -> int:
    """Run every step against ``backend`` (stopped by its pid whatever happens); returns the exit code."""
    failures = 0
    try:
        print(f"== NAVAI backend ({label}) listening on {backend.url} (pid {backend.pid})\n", flush=True)
        env = {**os.environ, "NAVAI_API_URL": backend.url}
        for title, args in STEPS:
            print(f"== {title}\n$ navai {' '.join(args)}", flush=True)
            try:
                code = subprocess.run([NAVAI, *args], env=env, check=False, timeout=STEP_TIMEOUT_S).returncode
            except (OSError, subprocess.TimeoutExpired) as exc:
                print(f"demo: {exc}", file=sys.stderr)
                code = 1
            print(f"(exit code {code})\n", flush=True)
            failures += code != 0
    finally:
        pid = backend.pid
        backend.stop()
        print(f"== backend pid {pid} stopped")
    print("demo: all steps succeeded" if not failures else f"demo: {failures} step(s) failed")
    return 1 if failures else 0


def main() -> int:
    print("== Starting navai serve with the Python test functions (OpenAI: a local stand-in)", flush=True)
    try:
        backend = PyBackend.start()
    except (RuntimeError, OSError) as exc:
        print(f"demo: cannot start navai serve: {exc}", file=sys.stderr)
        return 1
    return drive(backend, "navai serve")


if __name__ == "__main__":
    sys.exit(main())
