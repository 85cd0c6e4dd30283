"""`DefaultAioHttpClient`: httpx2 on aiohttp, for many calls in flight (``pip install 'navai[aiohttp]'``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

import httpx2

from ._config import DEFAULT_MAX_CONNECTIONS, DEFAULT_TIMEOUT
from ._exceptions import NavaiMissingExtraError
from ._transport import AsyncLimitedTransport

__all__ = ["DefaultAioHttpClient"]

_AiohttpClient: type[httpx2.AsyncClient] | None
_missing: str | None = None  # the module that could not be imported
try:
    import aiohttp
    from httpx_aiohttp.httpx2 import Httpx2AiohttpClient as _AiohttpClient
except ImportError as exc:  # exercised by a test that hides the package
    _AiohttpClient = None
    _missing = exc.name


def _remapped(exc: httpx2.ConnectTimeout) -> httpx2.TransportError:
    """httpx-aiohttp 0.2 reports every aiohttp connection error as a connect timeout.

    Only a timeout is one; a connection that could not be made is a `ConnectError`, and
    one that broke after the request went out (reset, closed) a `ReadError`, which navai
    never retries on its own: the function may have run.
    """
    cause = exc.__cause__
    if cause is None or isinstance(cause, aiohttp.ServerTimeoutError | TimeoutError):
        return exc
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx2.ConnectError(str(exc))
    return httpx2.ReadError(str(exc))


class _ErrorsRemapped(httpx2.AsyncByteStream):
    def __init__(self, stream: httpx2.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except httpx2.ConnectTimeout as exc:
            raise _remapped(exc) from exc.__cause__

    async def aclose(self) -> None:
        await self._stream.aclose()


class _AiohttpErrors(httpx2.AsyncBaseTransport):
    """Puts httpx-aiohttp's errors right (see `_remapped`), for the head and the body."""

    def __init__(self, transport: httpx2.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            response = await self.transport.handle_async_request(request)
        except httpx2.ConnectTimeout as exc:
            raise _remapped(exc) from exc.__cause__
        response.stream = _ErrorsRemapped(cast(httpx2.AsyncByteStream, response.stream))
        return response

    async def aclose(self) -> None:
        await self.transport.aclose()


def _defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
    kwargs.setdefault(
        "limits",
        httpx2.Limits(
            max_connections=DEFAULT_MAX_CONNECTIONS, max_keepalive_connections=DEFAULT_MAX_CONNECTIONS
        ),
    )
    kwargs.setdefault("follow_redirects", True)
    return kwargs


if TYPE_CHECKING or _AiohttpClient is not None:
    if TYPE_CHECKING:
        _Base = httpx2.AsyncClient
    else:
        _Base = _AiohttpClient

    class DefaultAioHttpClient(_Base):
        """An `httpx2.AsyncClient` on httpx-aiohttp's transport, with navai's defaults and limits.

        aiohttp's connection pool holds up under hundreds of concurrent calls with less CPU
        per call than httpx2's own; pass it as
        ``AsyncNavaiBackendClient(..., http_client=navai.DefaultAioHttpClient())``. Defaults:
        `navai.DEFAULT_TIMEOUT`, 100 connections, redirects followed. Every keyword is
        `httpx2.AsyncClient`'s. The caller closes it (``await client.aclose()``).
        """

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**_defaults(kwargs))

        def _init_transport(self, *args: Any, **kwargs: Any) -> httpx2.AsyncBaseTransport:
            if kwargs.get("transport") is not None:
                return AsyncLimitedTransport(kwargs["transport"])
            return AsyncLimitedTransport(_AiohttpErrors(super()._init_transport(*args, **kwargs)))

        def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> httpx2.AsyncBaseTransport:
            return AsyncLimitedTransport(_AiohttpErrors(super()._init_proxy_transport(*args, **kwargs)))

else:

    class DefaultAioHttpClient(httpx2.AsyncClient):  # pragma: no cover - see the test that hides the package
        """Stands in for the real class when the aiohttp extra is not installed."""

        def __init__(self, **_kwargs: Any) -> None:
            raise NavaiMissingExtraError("aiohttp", feature="navai.DefaultAioHttpClient", name=_missing)
