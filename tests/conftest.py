"""Fixtures of the whole suite: fast retry backoff, and the real NAVAI backend on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from navai import _core
from tests.support import backend_harness


@pytest.fixture(autouse=True)
def _fast_retry_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the default retry counts, but back off in milliseconds so the suite stays fast."""
    monkeypatch.setattr(_core, "RETRY_BASE_DELAY", 0.001)


def _missing(reason: str) -> None:
    """Live tests skip where node/npm are missing, except under CI, where that is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI requires the live NAVAI backend: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_backend() -> Iterator[backend_harness.Backend]:
    """The real NAVAI backend (tests/backend), started once on 127.0.0.1 and stopped by its pid."""
    reason = backend_harness.node_missing_reason()
    if reason is not None:
        _missing(reason)
    backend_harness.ensure_installed()
    with backend_harness.Backend.start() as backend:
        yield backend
