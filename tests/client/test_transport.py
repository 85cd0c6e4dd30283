"""`LimitedTransport` / `AsyncLimitedTransport`: the limits httpx2's per-phase timeouts do not give.

* The decoded-size limit stops a gzip bomb as it inflates (the memory peak stays far below
  the bomb), over a MockTransport, an ASGITransport and a real socket, sync and async; the
  ``"navai.max_response_bytes"`` request extension overrides the transport's default.
* The time budget (connect + read timeout of the request) stops a body trickled a byte at
  a time just inside the read timeout, and, async, a response head that is slow to come.
* Header values that cannot go on the wire are refused as `NavaiInvalidRequestError`.
* Credentials in a ``http://user:secret@host`` base URL never show in errors, reprs or logs.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import threading
import time
import traceback
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
import httpx2
import pytest

import navai
from tests.support.drivers import Driver

LIMIT = 1_000_000
BOMB_SIZE = 50_000_000
MAX_PEAK = 10_000_000
FAST = httpx2.Timeout(0.2, connect=0.2)
"""A budget of 0.4 s (connect + read), with each single read allowed 0.2 s."""


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """50 MB of zeros, gzipped (about 50 kB), built without holding the 50 MB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1_000_000)
    data = b"".join(compressor.compress(zeros) for _ in range(BOMB_SIZE // len(zeros)))
    data += compressor.flush()
    assert len(data) < 100_000
    return data


class SocketServer:
    """Accepts connections on 127.0.0.1 (a free port); runs ``serve(conn, stopped)`` for each, in a thread."""

    def __init__(self, serve: Callable[[socket.socket, threading.Event], None]) -> None:
        self._serve = serve
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            try:
                conn.recv(65536)  # the request (small; its content is not needed)
                self._serve(conn, self.stopped)
            except OSError:
                pass

    def stop(self) -> None:
        self.stopped.set()
        self._acceptor.join()
        for thread in self._threads:
            thread.join()
        self._listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[socket.socket, threading.Event], None]], SocketServer]]:
    servers: list[SocketServer] = []

    def start(handler: Callable[[socket.socket, threading.Event], None]) -> SocketServer:
        servers.append(SocketServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def run_kind(kind: str, sync_call: Callable[[], Any], async_call: Callable[[], Any]) -> Any:
    return sync_call() if kind == "sync" else asyncio.run(async_call())


# -- the decoded-size limit --------------------------------------------------------------


def gzip_head(length: int) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: " + str(length).encode() + b"\r\n\r\n"
    )


def bomb_over_mock_transport(bomb: bytes) -> None:
    def handler(_request: httpx2.Request) -> httpx2.Response:
        # A streamed body (an iterator), as a network body is: decoded only as it is read.
        return httpx2.Response(200, headers={"Content-Encoding": "gzip"}, content=iter([bomb]))

    transport = navai.LimitedTransport(httpx2.MockTransport(handler), max_response_bytes=LIMIT)
    with httpx2.Client(transport=transport) as client:
        client.get("http://backend.test/navai/functions")


def bomb_over_asgi_transport(bomb: bytes) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-encoding", b"gzip"), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": bomb})

    async def main() -> None:
        transport = navai.AsyncLimitedTransport(httpx2.ASGITransport(app), max_response_bytes=LIMIT)
        async with httpx2.AsyncClient(transport=transport) as client:
            await client.get("http://backend.test/navai/functions")

    asyncio.run(main())


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_gzip_bomb_from_a_real_socket_is_stopped_early(
    bomb: bytes, serve: Callable[..., SocketServer], kind: str
) -> None:
    server = serve(lambda conn, _stopped: conn.sendall(gzip_head(len(bomb)) + bomb))

    def sync_call() -> None:
        with navai.NavaiBackendClient(server.url, max_response_bytes=LIMIT) as client:
            client.execute_function("f")

    async def async_call() -> None:
        async with navai.AsyncNavaiBackendClient(server.url, max_response_bytes=LIMIT) as client:
            await client.execute_function("f")

    tracemalloc.start()
    try:
        with pytest.raises(navai.NavaiInvalidResponseError) as info:
            run_kind(kind, sync_call, async_call)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (
        str(info.value) == f"Response body exceeds {LIMIT} bytes: POST {server.url}/navai/functions/execute"
    )
    assert peak < MAX_PEAK, f"peak {peak / 1e6:.1f} MB while refusing a {BOMB_SIZE / 1e6:.0f} MB bomb"


@pytest.mark.parametrize("send_bomb", [bomb_over_mock_transport, bomb_over_asgi_transport])
def test_a_gzip_bomb_is_stopped_early_over_any_transport(
    bomb: bytes, send_bomb: Callable[[bytes], None]
) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(
            navai.NavaiInvalidResponseError, match=f"exceeds {LIMIT} bytes: GET http://backend"
        ):
            send_bomb(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK, f"peak {peak / 1e6:.1f} MB while refusing a {BOMB_SIZE / 1e6:.0f} MB bomb"


def test_the_limit_counts_decoded_bytes() -> None:
    """A body that is small on the wire but large once decoded is refused; one within the limit is not."""
    big, small = b"[" + b"0," * 5_000 + b"0]", b"[0]"

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = big if request.url.path == "/big" else small
        return httpx2.Response(200, headers={"Content-Encoding": "gzip"}, content=iter([gzip.compress(body)]))

    transport = navai.LimitedTransport(httpx2.MockTransport(handler), max_response_bytes=1_000)
    with httpx2.Client(transport=transport) as client:
        assert len(gzip.compress(big)) < 1_000
        with pytest.raises(navai.NavaiInvalidResponseError):
            client.get("http://backend.test/big")
        assert client.get("http://backend.test/small").json() == [0]


def thousand_bytes(_request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, content=iter([b"x" * 1_000]))


async def thousand_bytes_async(_request: httpx2.Request) -> httpx2.Response:
    async def body() -> AsyncIterator[bytes]:
        yield b"x" * 1_000

    return httpx2.Response(200, content=body())


@pytest.mark.parametrize(
    ("default", "extension", "refused"),
    [
        (500, "absent", True),
        (500, 2_000, False),
        (500, None, False),
        (None, 500, True),
        (None, "absent", False),
        (2_000, 999, True),
    ],
)
def test_the_request_extension_overrides_the_transport_default(
    default: int | None, extension: Any, refused: bool
) -> None:
    extensions = {} if extension == "absent" else {"navai.max_response_bytes": extension}

    with httpx2.Client(
        transport=navai.LimitedTransport(httpx2.MockTransport(thousand_bytes), max_response_bytes=default)
    ) as client:
        if refused:
            with pytest.raises(navai.NavaiInvalidResponseError):
                client.get("http://backend.test/", extensions=extensions)
        else:
            assert len(client.get("http://backend.test/", extensions=extensions).content) == 1_000

    async def main() -> None:
        transport = navai.AsyncLimitedTransport(
            httpx2.MockTransport(thousand_bytes_async), max_response_bytes=default
        )
        async with httpx2.AsyncClient(transport=transport) as client:
            if refused:
                with pytest.raises(navai.NavaiInvalidResponseError):
                    await client.get("http://backend.test/", extensions=extensions)
            else:
                assert len((await client.get("http://backend.test/", extensions=extensions)).content) == 1_000

    asyncio.run(main())


def big_result(_request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json={"ok": True, "result": "x" * 1_000})


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_max_response_bytes_of_the_client_reaches_every_request(kind: str) -> None:
    def execute(limit: int | None) -> Any:
        transport: Any = httpx2.MockTransport(big_result)
        if kind == "sync":
            with navai.NavaiBackendClient(
                "http://backend.test", transport=transport, max_response_bytes=limit
            ) as c:
                return c.execute_function("f")

        async def main() -> Any:
            async with navai.AsyncNavaiBackendClient(
                "http://backend.test", transport=transport, max_response_bytes=limit
            ) as client:
                return await client.execute_function("f")

        return asyncio.run(main())

    with pytest.raises(navai.NavaiInvalidResponseError, match="exceeds 500 bytes"):
        execute(500)
    assert execute(None) == "x" * 1_000
    assert execute(navai.DEFAULT_MAX_RESPONSE_BYTES) == "x" * 1_000


def test_a_caller_client_with_a_limited_transport_gets_the_navai_client_limit() -> None:
    transport = navai.LimitedTransport(httpx2.MockTransport(big_result))
    with httpx2.Client(transport=transport) as http_client:
        client = navai.NavaiBackendClient(
            "http://backend.test", http_client=http_client, max_response_bytes=500
        )
        with pytest.raises(navai.NavaiInvalidResponseError, match="exceeds 500 bytes"):
            client.execute_function("f")


# -- the time budget -----------------------------------------------------------------------


TRICKLE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
"""100 body bytes at one per 0.05 s: 5 s to arrive, each byte well inside the 0.2 s read timeout."""


def trickle(data: bytes, conn: socket.socket, stopped: threading.Event) -> None:
    for byte in data:
        if stopped.is_set():
            return
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def trickled_body(conn: socket.socket, stopped: threading.Event) -> None:
    conn.sendall(TRICKLE_HEAD)
    trickle(b" " * 100, conn, stopped)


def trickled_head(conn: socket.socket, stopped: threading.Event) -> None:
    trickle(TRICKLE_HEAD, conn, stopped)


def timed_out_call(kind: str, url: str, where: str) -> tuple[navai.NavaiTimeoutError, float]:
    """One execute_function against ``url`` with the `FAST` timeout, on the client or on the call."""
    on_client: dict[str, Any] = {"timeout": FAST} if where == "client" else {}
    on_call: dict[str, Any] = {"timeout": FAST} if where == "call" else {}

    def sync_call() -> None:
        with navai.NavaiBackendClient(url, **on_client) as client:
            client.execute_function("f", **on_call)

    async def async_call() -> None:
        async with navai.AsyncNavaiBackendClient(url, **on_client) as client:
            await client.execute_function("f", **on_call)

    started = time.monotonic()
    with pytest.raises(navai.NavaiTimeoutError) as info:
        run_kind(kind, sync_call, async_call)
    return info.value, time.monotonic() - started


@pytest.mark.parametrize("where", ["client", "call"])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_budget_stops_a_trickled_body(serve: Callable[..., SocketServer], kind: str, where: str) -> None:
    server = serve(trickled_body)
    error, elapsed = timed_out_call(kind, server.url, where)
    assert elapsed < 1.0, f"took {elapsed:.2f} s; the body alone takes 5 s to arrive"
    assert (
        str(error) == f"Timed out: POST {server.url}/navai/functions/execute (response body still arriving)"
    )


def test_the_async_budget_covers_a_slow_head(serve: Callable[..., SocketServer]) -> None:
    server = serve(trickled_head)
    error, elapsed = timed_out_call("async", server.url, "client")
    assert elapsed < 1.0, f"took {elapsed:.2f} s; the head alone takes {len(TRICKLE_HEAD) * 0.05:.0f} s"
    assert str(error).endswith("(response head still arriving)")


def test_the_async_budget_covers_a_slow_asgi_app() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await anyio.sleep(5)

    async def main() -> float:
        transport = httpx2.ASGITransport(app)
        async with navai.AsyncNavaiBackendClient(
            "http://backend.test", transport=transport, timeout=FAST
        ) as client:
            started = time.monotonic()
            with pytest.raises(navai.NavaiTimeoutError, match=r"\(response head still arriving\)"):
                await client.create_client_secret()
            return time.monotonic() - started

    assert asyncio.run(main()) < 1.0


def test_the_sync_budget_over_a_mock_transport() -> None:
    def handler(_request: httpx2.Request) -> httpx2.Response:
        def body() -> Iterator[bytes]:
            for _ in range(100):
                time.sleep(0.05)
                yield b" "

        return httpx2.Response(200, content=body())

    transport = navai.LimitedTransport(httpx2.MockTransport(handler))
    with httpx2.Client(transport=transport, timeout=FAST) as client:
        started = time.monotonic()
        with pytest.raises(navai.NavaiTimeoutError, match=r"GET http://backend.test/ \(response body"):
            client.get("http://backend.test/")
    assert time.monotonic() - started < 1.0


# -- headers that cannot go on the wire ------------------------------------------------------


BAD_HEADERS = [{"X-Caller": "Müller"}, {"X-Nämé": "value"}, {"X-Caller": "日本"}]


@pytest.mark.parametrize("headers", BAD_HEADERS, ids=["value", "name", "cjk-value"])
def test_a_non_ascii_client_header_is_an_invalid_request(
    make_driver: Callable[..., Driver], headers: dict[str, str]
) -> None:
    with pytest.raises(navai.NavaiInvalidRequestError, match="headers must be ASCII") as info:
        make_driver(headers=headers)
    assert not isinstance(info.value, UnicodeError)


@pytest.mark.parametrize("headers", BAD_HEADERS, ids=["value", "name", "cjk-value"])
def test_a_non_ascii_call_header_is_an_invalid_request(
    make_driver: Callable[..., Driver], headers: dict[str, str]
) -> None:
    sent: list[httpx2.Request] = []

    def backend(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json={"ok": True})

    client = make_driver(backend)
    calls: list[Callable[[], object]] = [
        lambda: client.execute_function("f", headers=headers),
        lambda: client.execute_function_detailed("f", headers=headers),
        lambda: client.create_client_secret(headers=headers),
    ]
    for call in calls:
        with pytest.raises(navai.NavaiInvalidRequestError, match="headers must be ASCII") as info:
            call()
        assert not isinstance(info.value, UnicodeError)
    listing = client.list_functions(headers=headers)  # never raises: the failure is its warning
    assert listing.failed
    assert listing.warnings[0].startswith("[navai] Failed to load backend functions: headers must be ASCII")
    assert sent == [], "nothing may be sent"


# -- credentials in the base URL ---------------------------------------------------------------


SECRET = "s3cr3t-pw"


def everything_visible(*objects: object) -> str:
    """What a user could see: str and repr, and for errors their attributes and the whole traceback."""
    parts: list[str] = []
    for obj in objects:
        parts += [str(obj), repr(obj)]
        if isinstance(obj, BaseException):
            parts += [repr(vars(obj)), "".join(traceback.format_exception(obj))]
    return "\n".join(parts)


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://navai-user:{SECRET}@")


def test_credentials_in_the_url_never_show(
    make_driver: Callable[..., Driver],
    serve: Callable[..., SocketServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[object] = []
    authorizations: list[str | None] = []

    def backend(request: httpx2.Request) -> httpx2.Response:
        authorizations.append(request.headers.get("Authorization"))
        if "X-Status" in request.headers:
            return httpx2.Response(int(request.headers["X-Status"]), text="nope")
        if request.url.path == "/navai/functions":
            return httpx2.Response(503, text="down")
        if request.url.path == "/navai/functions/execute":
            return httpx2.Response(200, json={"ok": False, "error": "E", "details": "failed"})
        return httpx2.Response(200, content=b"x" * 2_000)

    mocked = make_driver(
        backend, api_base_url=with_credentials("http://backend.test"), max_response_bytes=1_000
    )
    seen.append(mocked.client)
    calls: list[tuple[Callable[[], object], type[navai.NavaiError]]] = [
        (lambda: mocked.execute_function("f"), navai.NavaiFunctionError),
        (lambda: mocked.execute_function("f", headers={"X-Status": "500"}), navai.NavaiHTTPError),
        (lambda: mocked.create_client_secret(), navai.NavaiInvalidResponseError),  # over max_response_bytes
    ]
    for call, error in calls:
        with pytest.raises(error) as info:
            call()
        seen.append(info.value)
    seen.append(mocked.list_functions(max_retries=1))
    assert authorizations[0] == "Basic bmF2YWktdXNlcjpzM2NyM3QtcHc="  # the credentials are used, not shown

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}"
    unreachable = make_driver(api_base_url=with_credentials(refused))
    with pytest.raises(navai.NavaiConnectionError) as refused_error:
        unreachable.execute_function("f")
    assert str(refused_error.value).startswith(f"Request failed: POST {refused}/navai/functions/execute: ")
    seen += [unreachable.client, refused_error.value, unreachable.list_functions(max_retries=0)]

    slow = make_driver(api_base_url=with_credentials(serve(trickled_body).url), timeout=FAST)
    with pytest.raises(navai.NavaiTimeoutError) as timeout_error:
        slow.execute_function("f")
    seen += [slow.client, timeout_error.value]

    visible = everything_visible(*seen)
    assert "navai-user" not in visible
    assert SECRET not in visible
    logs = "\n".join(f"{record.name}: {record.getMessage()}" for record in caplog.records)
    assert "navai: GET http://" in logs
    assert "httpx2: HTTP Request: GET http://" in logs, "httpx2's own request log is checked too"
    assert "navai-user" not in logs
    assert SECRET not in logs
