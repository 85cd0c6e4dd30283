"""The TypeScript reference client's factory names, for code ported from it."""

from __future__ import annotations

from typing import Any

from ._client import NavaiBackendClient

__all__ = ["create_navai_backend_client", "create_navai_mobile_backend_client"]


def create_navai_backend_client(api_base_url: str | None = None, **options: Any) -> NavaiBackendClient:
    """Create a `NavaiBackendClient` (``createNavaiBackendClient``); the options are its constructor's."""
    return NavaiBackendClient(api_base_url, **options)


create_navai_mobile_backend_client = create_navai_backend_client
"""``createNavaiMobileBackendClient``: the same factory."""
