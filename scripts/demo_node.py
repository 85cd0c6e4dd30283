"""``make demo-node``: start the Node NAVAI backend on loopback and drive it with the navai CLI.

The backend (tests/backend: @navai/voice-backend on Express, OpenAI replaced by a local
stand-in) needs node and npm; it is stopped by its process id whatever happens; the exit
code is non-zero when any step failed. ``make demo`` (scripts/demo.py) does the same with
``navai serve`` and needs only Python.
"""

from __future__ import annotations

import sys

from scripts.demo import drive
from tests.support.backend_harness import Backend, ensure_installed, node_missing_reason


def main() -> int:
    reason = node_missing_reason()
    if reason is not None:
        print(f"demo: {reason}", file=sys.stderr)
        return 1
    print("== Installing the NAVAI test backend (npm ci, first run only)", flush=True)
    ensure_installed()
    return drive(Backend.start(), "Node")


if __name__ == "__main__":
    sys.exit(main())
