"""The async fast path: a keep-alive pool of asyncio transports speaking `_http11`.

One `_Connection` protocol per socket feeds received bytes straight into the shared
`Response` reader from `_fast`; a call waits on one future and, when the server is
slow, one timer. No streams, no per-chunk tasks: at hundreds of calls in flight the
cost per call stays what it is for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections import deque
from typing import Any

import httpx

from ._core import Call, Options, Outcome, transport_error
from ._fast import RequestEncoder, Response, as_httpx_error, default_ssl_context, still_open
from ._http11 import ProtocolError, Target


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: carries one exchange at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._socket: Any = None
        self._response: Response | None = None
        self._done: asyncio.Future[BaseException | None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._read_timeout: float | None = None
        self._deadline: float | None = None
        self._last_data = 0.0
        self.open = True
        """False once either side has closed (or started closing) the connection."""

    # -- protocol callbacks ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._socket = transport.get_extra_info("socket")

    def data_received(self, data: bytes) -> None:
        response = self._response
        if response is None:  # bytes nobody asked for: the connection can't be trusted any more
            self.close()
            return
        if self._timer is not None:
            self._last_data = self._loop.time()
        try:
            complete = response.feed(data)
        except BaseException as exc:
            self._finish(exc)
            return
        if complete:
            self._finish(None)

    def eof_received(self) -> bool:
        self.open = False
        response = self._response
        if response is not None:
            try:
                response.eof()
            except BaseException as exc:
                self._finish(exc)
            else:
                self._finish(None)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if self._response is not None:
            self._finish(exc or ProtocolError("Server disconnected without sending a complete response."))

    # -- exchanges ---------------------------------------------------------------------

    def exchange(
        self, request: bytes, response: Response, read_timeout: float | None
    ) -> asyncio.Future[BaseException | None]:
        """Sends ``request``; the future resolves to None when ``response`` is complete, or to why not."""
        done = self._done = self._loop.create_future()
        transport = self._transport
        if transport is None or transport.is_closing():
            done.set_result(ProtocolError("Server disconnected without sending a response."))
            return done
        self._response = response
        self._read_timeout = read_timeout
        deadline = response.deadline
        now = self._loop.time()
        # the budget in the loop's own clock, which need not be time.monotonic()
        self._deadline = None if deadline is None else now + (deadline - time.monotonic())
        transport.write(request)
        if read_timeout is not None or deadline is not None:
            self._last_data = now
            self._timer = self._loop.call_at(self._next_check(), self._check_time)
        return done

    def _next_check(self) -> float:
        read, deadline = self._read_timeout, self._deadline
        if read is None:
            assert deadline is not None
            return deadline
        due = self._last_data + read
        return due if deadline is None or due < deadline else deadline

    def _check_time(self) -> None:
        """Fires when the read timeout or the budget may have run out; re-arms when data came since."""
        self._timer = None
        response = self._response
        if response is None:
            return
        due = self._next_check()
        now = self._loop.time()
        if now >= due:
            budget_spent = self._deadline is not None and now >= self._deadline
            self._finish(response.out_of_time() if budget_spent else TimeoutError("timed out"))
            self.close()
        else:
            self._timer = self._loop.call_at(due, self._check_time)

    def _finish(self, error: BaseException | None) -> None:
        self._response = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        done = self._done
        if done is not None and not done.done():
            done.set_result(error)

    @property
    def reusable(self) -> bool:
        """Open on both sides: the server has not closed it, even if the loop has yet to notice."""
        return self.open and self._socket is not None and still_open(self._socket)

    def close(self) -> None:
        self.open = False
        transport, self._transport = self._transport, None
        if transport is None:
            return
        if not self._loop.is_closed():
            transport.abort()
        elif self._socket is not None:
            # Its loop is gone, so the transport cannot close itself: end the connection for the
            # server now; the file descriptor goes with the transport, which nothing refers to.
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)


class AsyncFastSender:
    """Keep-alive HTTP/1.1 connections on the running event loop, at most ``max_connections`` in use.

    Calls beyond that wait in line (first come, first served) for ``timeout.pool`` seconds.
    The pool belongs to one event loop; used from another, it starts over there.
    """

    def __init__(self, max_connections: int) -> None:
        self._max_connections = max_connections
        self._in_use = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ssl_context: Any = None
        self._encoder = RequestEncoder()
        self._closed = False

    async def send(self, call: Call, options: Options) -> Outcome:
        """The outcome of one attempt; raises `NavaiError` when there is no response to read."""
        started = time.monotonic()
        target, request = self._encoder.encode(call, options)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._start_over(loop)
        timeout = options.timeout
        if self._in_use < self._max_connections:
            self._in_use += 1
        else:
            await self._wait_for_a_slot(loop, call, timeout.pool)
        try:
            connection = self._idle_connection(target.key) or await self._connect(loop, target, call, timeout)
            response = Response(call, options, started)
            try:
                error = await connection.exchange(request, response, timeout.read)
            except BaseException:
                connection.close()
                raise
            if error is None:
                if response.reusable and connection.open and not self._closed:
                    self._idle.setdefault(target.key, []).append(connection)
                else:
                    connection.close()
                return response.outcome()
            connection.close()
            return response.failed(error)
        finally:
            self._release()

    def _idle_connection(self, key: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            if connection.reusable:
                return connection
            connection.close()
        return None

    async def _connect(
        self, loop: asyncio.AbstractEventLoop, target: Target, call: Call, timeout: httpx.Timeout
    ) -> _Connection:
        secure = target.scheme == "https"
        try:
            if secure and self._ssl_context is None:
                self._ssl_context = default_ssl_context()
            async with asyncio.timeout(timeout.connect):
                _, connection = await loop.create_connection(
                    lambda: _Connection(loop),
                    target.host,
                    target.port,
                    ssl=self._ssl_context if secure else None,
                    server_hostname=target.host if secure else None,
                )
        except Exception as exc:
            cause = as_httpx_error(exc, connected=False)
            raise transport_error(cause, call) from cause
        return connection

    async def _wait_for_a_slot(
        self, loop: asyncio.AbstractEventLoop, call: Call, pool_timeout: float | None
    ) -> None:
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(pool_timeout):
                await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot was handed over just as this call gave up: pass it on
            else:
                waiter.cancel()
            if isinstance(exc, TimeoutError):
                cause = httpx.PoolTimeout("No connection available in the pool")
                raise transport_error(cause, call) from cause
            raise

    def _release(self) -> None:
        """Hands this call's slot to the longest waiting call, or frees it."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._in_use -= 1

    def _start_over(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Connections and waiters of another event loop cannot serve this one."""
        self._close_idle()
        self._waiters = deque()
        self._in_use = 0
        self._loop = loop

    def _close_idle(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle = {}

    async def aclose(self) -> None:
        """Closes the idle connections; a call still in flight closes its own when it ends."""
        self._closed = True
        if asyncio.get_running_loop() is self._loop:
            self._close_idle()
        else:
            self._start_over(None)
