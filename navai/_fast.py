"""The fast paths: thin HTTP/1.1 senders for clients that own their connections.

httpx costs a few hundred microseconds per request in Python, and its async pool
degrades under concurrency. A client that did not get an ``http_client`` (and no
``auth``) therefore sends through one of these instead: a keep-alive pool of plain
sockets for the sync client, of asyncio transports for the async one. Both speak
HTTP/1.1 through `_http11` and read responses through one `Response`, so they
differ only in how bytes move. They produce the same `Outcome` the httpx path does
and raise the same httpx exception types, which `transport_error` maps to
`NavaiError` in one place. The async sender lives in `_fast_async`, so that a
sync-only program never imports asyncio.

URLs go on the wire as httpx sends them, CA certificates come from where httpx takes
them, and the clients follow redirects as httpx does (`_core.follow_redirect`). While a
recorder such as vcrpy has patched httpx's transport, calls go through httpx so that
cassettes keep working; `fast_path_allowed` says when a client uses this path at all.
"""

from __future__ import annotations

import os
import select
import socket
import ssl
import threading
import time
import zlib
from urllib.parse import urlsplit

import httpx

from ._core import REDIRECT_STATUSES, BodyReader, Call, Options, Outcome, out_of_time, transport_error
from ._exceptions import NavaiError, NavaiTimeoutError
from ._http11 import (
    Decoder,
    HeaderBlock,
    ProtocolError,
    ResponseParser,
    Target,
    decoder_for,
    encode_request,
    header_block,
)

_STOCK_TRANSPORT_FILE = httpx.HTTPTransport.__init__.__code__.co_filename
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy")
_CHUNK = 64 * 1024
_CACHE_LIMIT = 64


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
    """The fast path serves plain http(s) without proxies or credentials in the URL.

    Anything else (a proxy from the environment, ``user:password@`` for httpx's Basic auth)
    goes through httpx.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" in parts.netloc:
        return False
    return not any(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXY_VARS)


def target_for(url: str) -> Target:
    """Where requests for ``url`` go, read the way httpx reads URLs.

    The path is percent-encoded and the host IDNA-encoded exactly as httpx sends them; an
    invalid URL (a port out of range, say) raises `httpx.InvalidURL`.
    """
    parsed = httpx.URL(url)
    scheme = parsed.scheme
    host = parsed.raw_host.decode("ascii")
    default_port = 443 if scheme == "https" else 80
    port = parsed.port or default_port
    shown = f"[{host}]" if ":" in host else host
    return Target(
        scheme,
        host,
        port,
        parsed.raw_path.decode("ascii") or "/",
        shown if port == default_port else f"{shown}:{port}",
    )


class RequestEncoder:
    """Request bytes for a call, with each URL's target and each `Options`' header block made once."""

    __slots__ = ("_headers", "_targets")

    def __init__(self) -> None:
        self._targets: dict[str, Target] = {}
        self._headers: dict[int, tuple[Options, HeaderBlock]] = {}

    def encode(self, call: Call, options: Options) -> tuple[Target, bytes]:
        """(target, request bytes); raises `NavaiError` for a URL or header that cannot be sent."""
        target = self._targets.get(call.url)
        if target is None:
            if len(self._targets) >= _CACHE_LIMIT:
                self._targets.clear()
            try:
                target = self._targets[call.url] = target_for(call.url)
            except httpx.InvalidURL as exc:
                raise transport_error(exc, call) from exc
        cached = self._headers.get(id(options))
        if cached is None or cached[0] is not options:
            if len(self._headers) >= _CACHE_LIMIT:
                self._headers.clear()
            try:
                block = header_block(options.wire_headers)
            except ValueError as exc:
                raise transport_error(httpx.LocalProtocolError(str(exc)), call) from exc
            cached = self._headers[id(options)] = (options, block)
        return target, encode_request(call.method, target, cached[1], call.content)


class Response:
    """One response as it arrives: framing, decoding, the size limit and the time budget.

    Both senders feed it the bytes they receive, so they read responses identically.
    """

    __slots__ = ("_call", "_decoder", "_location", "_parser", "_reader", "deadline")

    def __init__(self, call: Call, options: Options, started: float) -> None:
        self._call = call
        self._parser = ResponseParser(head_request=call.method == "HEAD")
        self._reader = BodyReader(call, options, started)
        self._decoder: Decoder | None = None
        self._location: str | None = None
        budget = options.budget
        self.deadline = None if budget is None else started + budget
        """When the attempt runs out of time (``time.monotonic()``), or None."""

    def feed(self, data: bytes) -> bool:
        """Takes received bytes; True once the response is complete, else raises why it cannot be read."""
        parser = self._parser
        had_head = parser.head_done
        pieces = parser.feed(data)
        if not had_head and parser.head_done:
            headers = parser.headers
            if parser.status in REDIRECT_STATUSES:
                self._location = headers.get("location")
            self._decoder = decoder_for(headers.get("content-encoding"))
        decoder = self._decoder
        reader = self._reader
        if decoder is None:
            for piece in pieces:
                reader.feed(piece)
        else:
            for piece in pieces:
                for decoded in decoder.decode(piece):
                    reader.feed(decoded)
        if parser.complete:
            self._end_decoding()
            return True
        return False

    def eof(self) -> bool:
        """The peer closed the connection: True when that ends the body, else raises."""
        self._parser.eof()
        self._end_decoding()
        return True

    def _end_decoding(self) -> None:
        """The body is whole: what the content decoder still holds joins it."""
        if self._decoder is not None:
            for decoded in self._decoder.finish():
                self._reader.feed(decoded)

    def out_of_time(self) -> NavaiTimeoutError:
        """The error for running out of the attempt's budget, saying how far the response got."""
        stage = "response body still arriving" if self._parser.head_done else "response head still arriving"
        return out_of_time(self._call, stage)

    @property
    def reusable(self) -> bool:
        """The connection is in a clean state to carry the next request."""
        parser = self._parser
        return parser.keep_alive and not parser.trailing_data

    def outcome(self) -> Outcome:
        return Outcome(self._call, self._parser.status, self._reader.body(), location=self._location)

    def failed(self, exc: BaseException) -> Outcome:
        """The outcome of a response cut short by ``exc``; raises when not even the head arrived."""
        cause = as_httpx_error(exc, connected=True)
        error = transport_error(cause, self._call)
        if not self._parser.head_done:
            if error is cause:
                raise error
            raise error from cause
        return Outcome(self._call, self._parser.status, None, error)


def as_httpx_error(exc: BaseException, *, connected: bool) -> Exception:
    """The httpx exception that httpx's own transport raises for this failure."""
    if isinstance(exc, httpx.HTTPError | NavaiError):
        return exc
    message = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(message) if connected else httpx.ConnectTimeout(message)
    if isinstance(exc, ProtocolError):
        return httpx.RemoteProtocolError(message)
    if not connected and isinstance(exc, OSError):
        return httpx.ConnectError(message)
    if isinstance(exc, OSError):
        return httpx.ReadError(message)
    if isinstance(exc, zlib.error):
        return httpx.DecodingError(message)
    if isinstance(exc, Exception):
        return exc
    raise exc


def default_ssl_context() -> ssl.SSLContext:
    """What httpx verifies with: ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` if set, else certifi's bundle.

    So both paths trust the same servers.
    """
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


# -- sync: a keep-alive pool of sockets --------------------------------------------------


class SyncFastSender:
    """Keep-alive HTTP/1.1 connections over plain sockets, at most ``max_connections`` in use at once."""

    def __init__(self, max_connections: int) -> None:
        self._idle: dict[tuple[str, str, int], list[socket.socket]] = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._ssl_context: ssl.SSLContext | None = None
        self._encoder = RequestEncoder()
        self._closed = False

    def send(self, call: Call, options: Options) -> Outcome:
        """The outcome of one attempt; raises `NavaiError` when there is no response to read."""
        started = time.monotonic()
        target, request = self._encoder.encode(call, options)
        timeout = options.timeout
        if not self._slots.acquire(timeout=timeout.pool):
            raise transport_error(httpx.PoolTimeout("No connection available in the pool"), call)
        try:
            try:
                sock = self._checkout(target, timeout)
            except Exception as exc:
                cause = as_httpx_error(exc, connected=False)
                raise transport_error(cause, call) from cause
            return self._exchange(sock, target, request, Response(call, options, started), timeout)
        finally:
            self._slots.release()

    def _exchange(
        self, sock: socket.socket, target: Target, request: bytes, response: Response, timeout: httpx.Timeout
    ) -> Outcome:
        deadline = response.deadline
        try:
            sock.settimeout(_within(timeout.write, deadline, response))
            sock.sendall(request)
            read = timeout.read
            while True:
                sock.settimeout(_within(read, deadline, response))
                data = sock.recv(_CHUNK)
                if response.feed(data) if data else response.eof():
                    break
        except BaseException as exc:
            sock.close()
            if isinstance(exc, TimeoutError) and deadline is not None and time.monotonic() >= deadline:
                return response.failed(response.out_of_time())
            return response.failed(exc)
        if data and response.reusable:
            with self._lock:
                if not self._closed:
                    self._idle.setdefault(target.key, []).append(sock)
                    return response.outcome()
        sock.close()
        return response.outcome()

    def _checkout(self, target: Target, timeout: httpx.Timeout) -> socket.socket:
        with self._lock:
            idle = self._idle.get(target.key)
            while idle:
                sock = idle.pop()
                if still_open(sock):
                    return sock
                sock.close()
        sock = socket.create_connection((target.host, target.port), timeout=timeout.connect)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if target.scheme == "https":
                if self._ssl_context is None:
                    self._ssl_context = default_ssl_context()
                sock = self._ssl_context.wrap_socket(sock, server_hostname=target.host)
        except BaseException:
            sock.close()
            raise
        return sock

    def close(self) -> None:
        """Closes the idle connections; a call still in flight closes its own when it ends."""
        with self._lock:
            self._closed = True
            for connections in self._idle.values():
                for sock in connections:
                    sock.close()
            self._idle.clear()


def _within(limit: float | None, deadline: float | None, response: Response) -> float | None:
    """A socket timeout: ``limit``, cut to what is left of the attempt's budget."""
    if deadline is None:
        return limit
    left = deadline - time.monotonic()
    if left <= 0:
        raise response.out_of_time()
    return left if limit is None or left < limit else limit


def still_open(sock: socket.socket) -> bool:
    """An idle keep-alive connection is reusable unless the server closed it (it became readable)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
