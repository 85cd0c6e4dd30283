"""The published TypeScript packages the tests run: @navai/voice-frontend 0.1.7 in bench/.

``require_ts_client()`` is what a Node-dependent test calls first: where node or npm is
missing it skips, except under CI, where that is a failure; then it installs bench/'s
lockfile (``npm ci --ignore-scripts``, as ``make bench`` does) when needed.
"""

from __future__ import annotations

import pytest

from bench import node_packages
from tests.support import skips

BENCH_MODULES = node_packages.BENCH_DIR / "node_modules"


def ensure_ts_client() -> None:
    """bench/'s installer (`bench.node_packages`): ``npm ci --ignore-scripts`` in bench/ when needed."""
    try:
        node_packages.ensure_installed()
    except RuntimeError as exc:
        pytest.fail(f"cannot install @navai/voice-frontend in bench/: {exc}")


def require_ts_client() -> None:
    """Node and npm usable (else skip, or fail under CI), and bench/node_modules installed."""
    skips.require_node("node and npm")
    ensure_ts_client()
