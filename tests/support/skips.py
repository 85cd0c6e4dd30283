"""Skip a test whose tools are missing here (node, npm, Chromium), except under CI, where that fails."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

from tests.support.backend_harness import node_missing_reason


def under_ci() -> bool:
    """``CI`` is 1, true or yes (``.ci/run`` sets it): every tool must be there."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str, needs: str = "the live NAVAI backend") -> NoReturn:
    """``pytest.skip(reason)``; under CI, ``pytest.fail`` saying that CI requires ``needs``."""
    if under_ci():
        pytest.fail(f"CI requires {needs}: {reason}")
    pytest.skip(reason)


def require_node(needs: str = "the live NAVAI backend") -> None:
    """`missing` unless a usable node and npm are on PATH (`backend_harness.node_missing_reason`)."""
    reason = node_missing_reason()
    if reason is not None:
        missing(reason, needs)
