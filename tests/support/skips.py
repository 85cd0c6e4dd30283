"""Skip a test whose tools are missing here (node, npm, Chromium), except under CI, where that fails."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def under_ci() -> bool:
    """``CI`` is 1, true or yes (``.ci/run`` sets it): every tool must be there."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str, needs: str = "the live NAVAI backend") -> NoReturn:
    """``pytest.skip(reason)``; under CI, ``pytest.fail`` saying that CI requires ``needs``."""
    if under_ci():
        pytest.fail(f"CI requires {needs}: {reason}")
    pytest.skip(reason)
