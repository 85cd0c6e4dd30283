"""Limits for one request that httpx2's per-phase timeouts do not give, over any httpx2 transport.

httpx2 bounds each connect, read, write and pool wait, so a server that trickles a byte
just inside the read timeout can hold a call for ever, and nothing bounds the size of a
body. `LimitedTransport` and `AsyncLimitedTransport` wrap any transport (httpx2's own,
httpx-aiohttp's, a `MockTransport`, an `ASGITransport`, a vcrpy-patched one) and add:

- a budget for the whole response: connect timeout plus read timeout, taken from the
  request's own ``timeout`` extension, so per-call timeouts move it too. The async
  transport enforces it on the response head as well; the sync one checks it as the
  body arrives;
- a limit on the decoded body, counted chunk by chunk as it streams, so a compression
  bomb is stopped after the limit and not after it has filled the memory. A request
  may carry its own limit in the ``"navai.max_response_bytes"`` extension.

Failures are `NavaiTimeoutError` and `NavaiInvalidResponseError`, naming the request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import anyio
import httpx2

from ._exceptions import NavaiInvalidResponseError, NavaiTimeoutError

__all__ = ["MAX_RESPONSE_BYTES_EXTENSION", "AsyncLimitedTransport", "LimitedTransport"]

MAX_RESPONSE_BYTES_EXTENSION = "navai.max_response_bytes"
"""The request extension that sets the body limit for one request (an int, or None for none)."""

DEADLINE_EXTENSION = "navai.deadline"
"""Set by the transport on the first request of a call (``time.monotonic()`` seconds).

httpx2 copies a request's extensions into the request that follows a redirect, so every
hop of one call shares one budget."""

_NOT_SET: Any = object()


def _on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # trio, through anyio
        return False
    return True


def display_url(url: httpx2.URL) -> str:
    """The URL as errors and logs show it: without credentials."""
    if url.userinfo:
        url = url.copy_with(username=None, password=None)
    return str(url)


class _Limits:
    """The deadline and size limit of one request; checks each decoded chunk against both."""

    __slots__ = ("_deadline", "_limit", "_method", "_size", "_url")

    def __init__(self, request: httpx2.Request, default_limit: int | None) -> None:
        extensions = request.extensions
        deadline = extensions.get(DEADLINE_EXTENSION)
        if deadline is None:
            timeout = extensions.get("timeout") or {}
            connect, read = timeout.get("connect"), timeout.get("read")
            if connect is not None and read is not None:
                deadline = extensions[DEADLINE_EXTENSION] = time.monotonic() + connect + read
        self._deadline: float | None = deadline
        limit = extensions.get(MAX_RESPONSE_BYTES_EXTENSION, _NOT_SET)
        self._limit: int | None = default_limit if limit is _NOT_SET else limit
        self._size = 0
        self._method = request.method
        self._url = request.url

    def remaining(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.monotonic()

    def out_of_time(self, stage: str) -> NavaiTimeoutError:
        url = display_url(self._url)
        return NavaiTimeoutError(f"Timed out: {self._method} {url} ({stage})", method=self._method, url=url)

    def feed(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._limit is not None and self._size > self._limit:
            url = display_url(self._url)
            raise NavaiInvalidResponseError(
                f"Response body exceeds {self._limit} bytes: {self._method} {url}",
                method=self._method,
                url=url,
            )
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise self.out_of_time("response body still arriving")


class _LimitedResponse(httpx2.Response):
    """A response whose decoded body is checked against its request's `_Limits` as it streams."""

    _navai_limits: _Limits

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        for chunk in super().iter_bytes(chunk_size):
            self._navai_limits.feed(chunk)
            yield chunk

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:  # type: ignore[override]
        async for chunk in super().aiter_bytes(chunk_size):
            self._navai_limits.feed(chunk)
            yield chunk


def _limited(response: httpx2.Response, limits: _Limits) -> httpx2.Response:
    """The transport's own response, its class narrowed to `_LimitedResponse`: nothing is copied.

    A body the transport already read (a `MockTransport` answer built from bytes) is checked at once.
    """
    response.__class__ = _LimitedResponse
    cast(_LimitedResponse, response)._navai_limits = limits
    if response.is_stream_consumed:
        limits.feed(response.content)
    return response


class LimitedTransport(httpx2.BaseTransport):
    """Wraps a sync httpx2 transport (default: ``httpx2.HTTPTransport()``) with navai's limits.

    ``max_response_bytes`` is the body limit for requests that do not carry their own
    (None: no limit).
    """

    def __init__(
        self, transport: httpx2.BaseTransport | None = None, *, max_response_bytes: int | None = None
    ) -> None:
        self.transport = transport if transport is not None else httpx2.HTTPTransport()
        self.max_response_bytes = max_response_bytes

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        limits = _Limits(request, self.max_response_bytes)
        remaining = limits.remaining()
        if remaining is not None and remaining <= 0:  # a redirect after the budget ran out
            raise limits.out_of_time("redirected")
        return _limited(self.transport.handle_request(request), limits)

    def close(self) -> None:
        self.transport.close()


class AsyncLimitedTransport(httpx2.AsyncBaseTransport):
    """Wraps an async httpx2 transport (default: ``httpx2.AsyncHTTPTransport()``) with navai's limits.

    The budget covers the response head too: a server that is slow to answer at all is
    cancelled when the budget runs out.
    """

    def __init__(
        self, transport: httpx2.AsyncBaseTransport | None = None, *, max_response_bytes: int | None = None
    ) -> None:
        self.transport = transport if transport is not None else httpx2.AsyncHTTPTransport()
        self.max_response_bytes = max_response_bytes

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        limits = _Limits(request, self.max_response_bytes)
        remaining = limits.remaining()
        if remaining is None:
            response = await self.transport.handle_async_request(request)
        elif remaining <= 0:
            raise limits.out_of_time("redirected")
        elif _on_asyncio():
            deadline = asyncio.timeout(remaining)  # asyncio's own: a third of anyio's cost per call
            try:
                async with deadline:
                    response = await self.transport.handle_async_request(request)
            except TimeoutError:
                if deadline.expired():
                    raise limits.out_of_time("response head still arriving") from None
                raise
        else:
            with anyio.move_on_after(remaining) as scope:
                response = await self.transport.handle_async_request(request)
            if scope.cancelled_caught:
                raise limits.out_of_time("response head still arriving")
        return _limited(response, limits)

    async def aclose(self) -> None:
        await self.transport.aclose()
