"""``make demo``: start a real NAVAI backend on loopback and drive it with the navai CLI.

The backend (tests/backend: @navai/voice-backend on Express, OpenAI replaced by a local
stand-in) is stopped by its process id whatever happens; the exit code is non-zero when
any step failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from backend_harness import Backend, ensure_installed, node_missing_reason  # noqa: E402

NAVAI = str(Path(sys.executable).with_name("navai"))
STEPS = [
    ("List the backend's functions", ["functions"]),
    ("Call a function: say_hello with --arg value=Ana", ["call", "say_hello", "--arg", "value=Ana"]),
    ("Call a function: add with a JSON payload", ["call", "add", "--payload", '{"args": [2, 3]}']),
    ("Mint a Realtime client secret (masked)", ["secret", "--voice", "marin", "--language", "en"]),
]


def main() -> int:
    reason = node_missing_reason()
    if reason is not None:
        print(f"demo: {reason}", file=sys.stderr)
        return 1
    print("== Installing the NAVAI test backend (npm ci, first run only)", flush=True)
    ensure_installed()
    failures = 0
    backend = Backend.start()
    try:
        print(f"== NAVAI backend listening on {backend.url} (pid {backend.pid})\n", flush=True)
        env = {**os.environ, "NAVAI_API_URL": backend.url}
        for title, args in STEPS:
            print(f"== {title}\n$ navai {' '.join(args)}", flush=True)
            code = subprocess.run([NAVAI, *args], env=env, check=False).returncode
            print(f"(exit code {code})\n", flush=True)
            failures += code != 0
    finally:
        pid = backend.pid
        backend.stop()
        print(f"== backend pid {pid} stopped")
    print("demo: all steps succeeded" if not failures else f"demo: {failures} step(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
