"""The httpx2 clients navai makes for itself: every transport they route to carries navai's limits.

httpx2 picks a transport per request (the default one, or one per proxy from the
environment); overriding its two transport factories, as httpx-aiohttp does, wraps each
of them, so a proxied request is limited like a direct one.
"""

from __future__ import annotations

from typing import Any

import httpx2

from ._transport import AsyncLimitedTransport, LimitedTransport


class LimitedClient(httpx2.Client):
    """An `httpx2.Client` whose transports are wrapped in `LimitedTransport`."""

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx2.BaseTransport:
        return LimitedTransport(super()._init_transport(*args, **kwargs))

    def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> httpx2.BaseTransport:
        return LimitedTransport(super()._init_proxy_transport(*args, **kwargs))


class AsyncLimitedClient(httpx2.AsyncClient):
    """An `httpx2.AsyncClient` whose transports are wrapped in `AsyncLimitedTransport`."""

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx2.AsyncBaseTransport:
        return AsyncLimitedTransport(super()._init_transport(*args, **kwargs))

    def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> httpx2.AsyncBaseTransport:
        return AsyncLimitedTransport(super()._init_proxy_transport(*args, **kwargs))
