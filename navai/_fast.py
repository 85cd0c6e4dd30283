"""The fast paths: thin HTTP/1.1 senders for clients that own their connections.

httpx costs a few hundred microseconds per request in Python, and its async pool
degrades under concurrency. A client that did not get an ``http_client`` (and no
``auth``) therefore sends through one of these instead: the stdlib's http.client
with a small keep-alive pool for the sync client, aiohttp for the async one. Both
produce the same `Outcome` the httpx path does and raise the same httpx exception
types, which `transport_error` maps to `NavaiError` in one place.

A call falls back to the httpx path when this one cannot serve it exactly as httpx
would: a redirect, or a transport patched by a recorder such as vcrpy (so cassettes
keep working). See `fast_path_allowed` for when a client uses it at all.
"""

from __future__ import annotations

import http.client
import os
import select
import socket
import ssl
import threading
import time
import zlib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from ._core import BodyReader, Call, Options, Outcome, transport_error

if TYPE_CHECKING:
    import asyncio

    import aiohttp

_STOCK_TRANSPORT_FILE = httpx.HTTPTransport.__init__.__code__.co_filename
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy")
_CHUNK = 64 * 1024


def httpx_is_patched(is_async: bool) -> bool:
    """True while something (vcrpy, respx, a test) has replaced httpx's stock transport.

    Judged by where the handler's code lives, not by identity with a saved original, so
    it holds even when navai is first imported while a patch is active (navai imports lazily).
    """
    handler = (
        httpx.AsyncHTTPTransport.handle_async_request if is_async else httpx.HTTPTransport.handle_request
    )
    code = getattr(handler, "__code__", None)
    return code is None or code.co_filename != _STOCK_TRANSPORT_FILE


def fast_path_allowed(url: str) -> bool:
    """The fast path serves plain http(s) without proxies; anything else goes through httpx."""
    if urlsplit(url).scheme not in ("http", "https"):
        return False
    return not any(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXY_VARS)


def _origin(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path-with-query) of an absolute URL."""
    parts = urlsplit(url)
    scheme = parts.scheme
    port = parts.port or (443 if scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname or "", port, target


class _Redirect(Exception):
    """Internal: the response is a redirect; the httpx path follows it."""


# -- sync: http.client with a keep-alive pool -----------------------------------------


class SyncFastSender:
    """Keep-alive HTTP/1.1 connections from the stdlib, at most ``max_connections`` at once."""

    def __init__(self, max_connections: int) -> None:
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._ssl_context: ssl.SSLContext | None = None
        self._targets: dict[str, tuple[str, str, int, str]] = {}

    def send(self, call: Call, options: Options) -> Outcome | None:
        """The outcome of one attempt, or None when the httpx path must serve this call."""
        started = time.monotonic()
        target = self._targets.get(call.url)
        if target is None:
            target = self._targets[call.url] = _origin(call.url)
        scheme, host, port, path = target
        timeout = options.timeout
        if not self._slots.acquire(timeout=-1 if timeout.pool is None else timeout.pool):
            raise transport_error(httpx.PoolTimeout("No connection available in the pool"), call)
        connected = False
        try:
            conn = self._checkout(scheme, host, port, timeout)
            connected = True
            try:
                conn.request(call.method, path, body=call.content, headers=options.wire_headers)
                response = conn.getresponse()
                outcome, reusable = self._read(call, options, started, response)
            except _Redirect:
                conn.close()
                return None
            except BaseException:
                conn.close()
                raise
            if reusable and not response.will_close:
                self._checkin((scheme, host, port), conn)
            else:
                conn.close()
            return outcome
        except Exception as exc:
            error = _as_httpx_error(exc, connected=connected)
            raise transport_error(error, call) from error
        finally:
            self._slots.release()

    def _read(
        self, call: Call, options: Options, started: float, response: http.client.HTTPResponse
    ) -> tuple[Outcome, bool]:
        """The outcome, and whether the connection is in a clean state to reuse."""
        status = response.status
        if 300 <= status < 400 and response.getheader("location"):
            raise _Redirect
        decoder = _decoder(response.getheader("content-encoding"))
        reader = BodyReader(call, options, started)
        try:
            while chunk := response.read1(_CHUNK):
                reader.feed(decoder.decompress(chunk) if decoder else chunk)
            if response.length:  # read1 reports a premature EOF as a plain end of body
                raise http.client.IncompleteRead(b"", response.length)
            if decoder:
                reader.feed(decoder.flush())
        except Exception as exc:
            error = transport_error(_as_httpx_error(exc, connected=True), call)
            return Outcome(call, status, None, error), False
        response.close()  # marks the exchange complete, so the connection can carry the next request
        return Outcome(call, status, reader.body()), True

    def _checkout(
        self, scheme: str, host: str, port: int, timeout: httpx.Timeout
    ) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        with self._lock:
            idle = self._idle.get(key)
            while idle:
                conn = idle.pop()
                if _still_open(conn):
                    conn.sock.settimeout(timeout.read)
                    return conn
                conn.close()
        return self._connect(scheme, host, port, timeout)

    def _connect(
        self, scheme: str, host: str, port: int, timeout: httpx.Timeout
    ) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection
        if scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = _default_ssl_context()
            conn = http.client.HTTPSConnection(host, port, timeout=timeout.connect, context=self._ssl_context)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout.connect)
        try:
            conn.connect()
        except BaseException:
            conn.close()
            raise
        assert conn.sock is not None
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.sock.settimeout(timeout.read)
        return conn

    def _checkin(self, key: tuple[str, str, int], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            self._idle.setdefault(key, []).append(conn)

    def close(self) -> None:
        with self._lock:
            for connections in self._idle.values():
                for conn in connections:
                    conn.close()
            self._idle.clear()


def _decoder(content_encoding: str | None) -> zlib._Decompress | None:
    """A decompressor for gzip or deflate bodies (servers may compress even unasked), else None."""
    encoding = (content_encoding or "").strip().lower()
    if encoding == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def _still_open(conn: http.client.HTTPConnection) -> bool:
    """An idle keep-alive connection is reusable unless the server closed it (it became readable)."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _default_ssl_context() -> ssl.SSLContext:
    """The CA bundle httpx verifies with (certifi), so both paths trust the same servers."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _as_httpx_error(exc: Exception, *, connected: bool) -> Exception:
    """The httpx exception that the stock transport would have raised for this failure."""
    if isinstance(exc, httpx.HTTPError):
        return exc
    message = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError | socket.timeout):
        return httpx.ReadTimeout(message) if connected else httpx.ConnectTimeout(message)
    if not connected and isinstance(exc, OSError):
        return httpx.ConnectError(message)
    if isinstance(exc, http.client.IncompleteRead):
        return httpx.RemoteProtocolError(
            f"peer closed connection without sending complete message body: {message}"
        )
    if isinstance(exc, http.client.HTTPException):
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, OSError | zlib.error):
        return httpx.ReadError(message)
    return exc


# -- async: aiohttp ------------------------------------------------------------------


class AsyncFastSender:
    """An aiohttp session per event loop, created on first use, with at most ``max_connections``."""

    def __init__(self, max_connections: int) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    def _session_for_this_loop(self) -> aiohttp.ClientSession:
        import asyncio

        import aiohttp

        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections, ssl=_default_ssl_context())
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=True, trust_env=False, skip_auto_headers=("User-Agent",)
            )
            self._loop = loop
        return self._session

    def _timeout_for(self, options: Options) -> aiohttp.ClientTimeout:
        """Per-phase socket timeouts only: aiohttp's whole-request timer costs ~15 % CPU per call
        at high concurrency, and the attempt's budget is enforced on the body by `BodyReader`."""
        timeout = options.timeout
        key = (timeout.connect, timeout.read)
        client_timeout = self._timeouts.get(key)
        if client_timeout is None:
            import aiohttp

            client_timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, sock_connect=timeout.connect, sock_read=timeout.read
            )
        return client_timeout

    async def send(self, call: Call, options: Options) -> Outcome | None:
        started = time.monotonic()
        session = self._session_for_this_loop()
        try:
            async with session.request(
                call.method,
                call.url,
                data=call.content,
                headers=options.wire_headers,
                timeout=self._timeout_for(options),
                allow_redirects=False,
            ) as response:
                status = response.status
                if 300 <= status < 400 and "Location" in response.headers:
                    return None
                reader = BodyReader(call, options, started)
                try:
                    async for chunk in response.content.iter_any():
                        reader.feed(chunk)
                except Exception as exc:
                    return Outcome(call, status, None, transport_error(_as_httpx_error_async(exc), call))
                return Outcome(call, status, reader.body())
        except Exception as exc:
            error = _as_httpx_error_async(exc)
            raise transport_error(error, call) from error

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def _as_httpx_error_async(exc: Exception) -> Exception:
    import aiohttp

    if isinstance(exc, httpx.HTTPError):
        return exc
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(exc, aiohttp.SocketTimeoutError | TimeoutError):
        return httpx.ReadTimeout(message or "timed out")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message)
    if isinstance(
        exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError
    ):
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.ClientOSError | aiohttp.ClientConnectionError):
        return httpx.ReadError(message)
    return exc
