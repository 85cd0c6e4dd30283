"""Fixtures of the whole suite: fast retry backoff, and the real NAVAI backend on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from navai import _core
from tests.support import backend_harness, skips


@pytest.fixture(autouse=True)
def _fast_retry_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the default retry counts, but back off in milliseconds so the suite stays fast."""
    monkeypatch.setattr(_core, "RETRY_BASE_DELAY", 0.001)


@pytest.fixture(scope="session")
def live_backend() -> Iterator[backend_harness.Backend]:
    """The real NAVAI backend (tests/backend), started once on 127.0.0.1 and stopped by its pid."""
    skips.require_node()
    backend_harness.ensure_installed()
    with backend_harness.Backend.start() as backend:
        yield backend
