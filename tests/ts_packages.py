"""The published TypeScript packages the tests run: @navai/voice-frontend 0.1.7 in bench/.

``require_ts_client()`` is what a Node-dependent test calls first: where node or npm is
missing it skips, except under CI, where that is a failure; then it installs bench/'s
lockfile (``npm ci --ignore-scripts``, as ``make bench`` does) when needed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import NoReturn

import backend_harness
import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH_MODULES = ROOT / "bench" / "node_modules"


def missing(reason: str) -> NoReturn:
    """As tests/conftest.py: skip where node/npm are missing, except under CI."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI requires node and npm: {reason}")
    pytest.skip(reason)


def ensure_ts_client() -> None:
    """``bench/run.py``'s installer: ``npm ci --ignore-scripts`` in bench/ when needed."""
    spec = importlib.util.spec_from_file_location("navai_bench_run", ROOT / "bench" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)  # registered first: its dataclasses look their module up
    try:
        module.ensure_ts_client()
    except SystemExit as exc:
        pytest.fail(f"cannot install @navai/voice-frontend in bench/: {exc}")


def require_ts_client() -> None:
    """Node and npm usable (else skip, or fail under CI), and bench/node_modules installed."""
    reason = backend_harness.node_missing_reason()
    if reason is not None:
        missing(reason)
    ensure_ts_client()
