"""Whatever a server sends, only NavaiError escapes, and list_functions never raises.

The property runs on the clients navai makes for itself (its own httpx2 clients, with the
limits navai's transports add), sync and async, which must also agree on every outcome:
over arbitrary bytes on real sockets, over arbitrary statuses, bodies and headers through
a `httpx2.MockTransport`, and over every kind of transport failure.

``NAVAI_FUZZ_EXAMPLES`` (default 300; CI 5000) is the number of generated server answers:
half of them go over real sockets, each answering the three calls of both clients (six
connections), half through the MockTransport. At 5000 the module takes about 80 s on two
cores, most of it in httpx2. The clients are made once per module and reused: making an
httpx2 client builds an SSL context, which costs more than an example.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import navai

EXAMPLES = int(os.environ.get("NAVAI_FUZZ_EXAMPLES", "300"))

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
fields = scalars | st.lists(scalars, max_size=3) | st.dictionaries(st.text(max_size=8), scalars, max_size=3)
"""A value for one field of a contract-shaped body: any JSON type, one level deep. (Recursive
values in each of ten fields made generating an example cost more than running it.)"""
shaped = st.fixed_dictionaries(
    {},
    optional={
        "value": fields,
        "expires_at": fields,
        "items": st.lists(
            st.fixed_dictionaries({}, optional={"name": fields, "description": fields, "source": fields})
            | fields,
            max_size=4,
        ),
        "warnings": fields,
        "ok": fields,
        "result": fields,
        "error": fields,
        "details": fields,
        "available_functions": fields,
    },
)
bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(lambda v: json.dumps(v).encode()),
    shaped.map(lambda v: json.dumps(v).encode()),
    st.sampled_from(
        [b"NaN", b'{"value": "x", "expires_at": Infinity}', b"\xff\xfe{", b"[" * 5000, b'{"a":' * 3000]
    ),
)
statuses = st.one_of(st.sampled_from([200, 201, 204, 400, 404, 500, 502]), st.integers(100, 599))
headers = st.sampled_from(
    [
        {"content-type": "application/json"},
        {"content-type": "text/html"},
        {"content-type": "application/json; charset=utf-16"},
        {"content-encoding": "gzip"},
        {"content-encoding": "deflate", "content-type": "application/json"},
        {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"},
        {"retry-after": "nonsense"},
        {},
    ]
)


def call_all(client: navai.NavaiBackendClient) -> list[Any]:
    outcomes: list[Any] = []
    for call in (
        lambda: client.create_client_secret(model="m"),
        lambda: client.execute_function("f", {"a": 1}),
    ):
        try:
            outcomes.append(call())
        except navai.NavaiError as exc:
            outcomes.append(exc)
    outcomes.append(client.list_functions())
    return outcomes


async def acall_all(client: navai.AsyncNavaiBackendClient) -> list[Any]:
    outcomes: list[Any] = []
    for call in (
        lambda: client.create_client_secret(model="m"),
        lambda: client.execute_function("f", {"a": 1}),
    ):
        try:
            outcomes.append(await call())
        except navai.NavaiError as exc:
            outcomes.append(exc)
    outcomes.append(await client.list_functions())
    return outcomes


def check(outcomes: list[Any]) -> None:
    *_, listing = outcomes
    assert isinstance(listing, navai.BackendFunctionsResult)
    assert all(isinstance(f.name, str) and f.name.strip() for f in listing.functions)
    assert all(isinstance(w, str) for w in listing.warnings)
    assert not (listing.failed and listing.functions), "a failed load lists no functions"
    for outcome in outcomes:
        if isinstance(outcome, navai.NavaiError):
            assert isinstance(str(outcome), str)


def summary(outcome: Any) -> str:
    """What a caller sees of an outcome: the value, or the error's type and message."""
    if isinstance(outcome, navai.NavaiError):
        return f"{type(outcome).__name__}: {outcome}"
    return repr(outcome)


class Clients:
    """A sync and an async client navai makes for itself, both kept for a whole module.

    The async one lives on one event loop (``run``), so its connection pool never changes loops.
    """

    def __init__(self, url: str, **options: Any) -> None:
        options = {"env": {}, "max_retries": 0, **options}
        self.sync = navai.NavaiBackendClient(url, **options)
        self._runner = asyncio.Runner()
        self.async_ = navai.AsyncNavaiBackendClient(url, **options)

    def call_both(self) -> tuple[list[Any], list[Any]]:
        """The three calls on each client."""
        return call_all(self.sync), self._runner.run(acall_all(self.async_))

    def close(self) -> None:
        self.sync.close()
        self._runner.run(self.async_.aclose())
        self._runner.close()


# -- through a MockTransport: any status, body and headers -------------------------------------


class Answers:
    """A MockTransport handler whose answer each example sets."""

    def __init__(self) -> None:
        self.respond: Callable[[httpx2.Request], httpx2.Response] = lambda _request: httpx2.Response(200)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        return self.respond(request)


@pytest.fixture(scope="module")
def answers() -> Iterator[tuple[Answers, Clients]]:
    answers = Answers()
    transport = httpx2.MockTransport(answers)
    # One MockTransport serves both clients: it has no connections and no event loop of its own.
    clients = Clients("http://backend.test", transport=transport)
    yield answers, clients
    clients.close()


@settings(max_examples=max(50, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=statuses, body=bodies, headers=headers)
def test_only_navai_errors_escape(
    answers: tuple[Answers, Clients], status: int, body: bytes, headers: dict[str, str]
) -> None:
    handler, clients = answers
    handler.respond = lambda _request: httpx2.Response(status, content=body, headers=headers)
    sync_outcomes, async_outcomes = clients.call_both()
    check(sync_outcomes)
    check(async_outcomes)
    assert [summary(o) for o in sync_outcomes] == [summary(o) for o in async_outcomes]


failures = st.sampled_from(
    [
        httpx2.ConnectError("x"),
        httpx2.ConnectTimeout("x"),
        httpx2.ReadTimeout("x"),
        httpx2.WriteTimeout("x"),
        httpx2.PoolTimeout("x"),
        httpx2.ReadError("x"),
        httpx2.RemoteProtocolError("x"),
        httpx2.DecodingError("x"),
        httpx2.TooManyRedirects("x"),
        httpx2.UnsupportedProtocol("x"),
        httpx2.InvalidURL("x"),
        OSError("x"),
        ValueError("x"),
        KeyError("x"),
        RuntimeError(""),
    ]
)


@settings(max_examples=max(50, EXAMPLES // 50), deadline=None)
@given(exc=failures)
def test_only_navai_errors_escape_transport_failures(
    answers: tuple[Answers, Clients], exc: Exception
) -> None:
    handler, clients = answers

    def fail(request: httpx2.Request) -> httpx2.Response:
        raise exc

    handler.respond = fail
    for outcomes in clients.call_both():
        check(outcomes)
        assert all(isinstance(o, navai.NavaiError) for o in outcomes[:2]), outcomes
        timed_out = isinstance(exc, httpx2.TimeoutException)
        assert all(isinstance(o, navai.NavaiTimeoutError) is timed_out for o in outcomes[:2]), outcomes
        assert outcomes[2].functions == []
        assert outcomes[2].failed


# -- over real sockets: any bytes a server may send ----------------------------------------------


class ScriptedServer:
    """Answers every request with the same scripted bytes, then ends the connection.

    It reads each request whole (head and Content-Length body) before answering, and after
    answering waits for the client to close, so that no unread byte turns the close into a
    reset the client might or might not see before the answer. Scripted heads say
    ``Connection: close``, so no client reuses a connection the server is about to close
    (that race is the fault tests' business, not this property's).
    """

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.script: bytes = b""
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn, self.script), daemon=True).start()

    @staticmethod
    def _serve(conn: socket.socket, script: bytes) -> None:
        with conn:
            conn.settimeout(2.0)
            try:
                received = b""
                while b"\r\n\r\n" not in received:
                    data = conn.recv(65536)
                    if not data:
                        return
                    received += data
                head, _, body = received.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(body) < length:
                    data = conn.recv(65536)
                    if not data:
                        return
                    body += data
                conn.sendall(script)
                conn.shutdown(socket.SHUT_WR)
                while conn.recv(65536):
                    pass
            except OSError:
                return

    def close(self) -> None:
        self._listener.close()


@pytest.fixture(scope="module")
def scripted() -> Iterator[tuple[ScriptedServer, Clients]]:
    server = ScriptedServer()
    clients = Clients(server.url, timeout=2.0)
    yield server, clients
    clients.close()
    server.close()


def _response_bytes(draw: st.DrawFn) -> bytes:
    status = draw(statuses)
    body = draw(bodies)
    framing = draw(st.sampled_from(["length", "wrong_length", "chunked", "close", "garbage"]))
    head = f"HTTP/1.{draw(st.sampled_from([0, 1]))} {status} X\r\nConnection: close\r\n"
    head += draw(
        st.sampled_from(
            [
                "",
                "Content-Encoding: gzip\r\n",
                "Content-Encoding: deflate\r\n",
                "Content-Type: application/json\r\n",
                "Content-Type: application/json; charset=utf-16\r\n",
                "Retry-After: 120\r\n",
                "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n",
            ]
        )
    )
    if framing == "length":
        return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    if framing == "wrong_length":
        return (head + f"Content-Length: {len(body) + draw(st.integers(-5, 5))}\r\n\r\n").encode() + body
    if framing == "chunked":
        return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + b"%x\r\n%s\r\n0\r\n\r\n" % (
            len(body),
            body,
        )
    if framing == "close":
        return (head + "\r\n").encode() + body
    return draw(st.binary(max_size=200))


server_bytes = st.composite(_response_bytes)()


@pytest.mark.timeout(max(120, EXAMPLES // 10))  # about 25 ms an example; 5000 take about a minute
@settings(max_examples=max(50, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wire=server_bytes)
def test_any_server_bytes_become_a_result_or_a_navai_error(
    scripted: tuple[ScriptedServer, Clients], wire: bytes
) -> None:
    server, clients = scripted
    server.script = wire
    sync_outcomes, async_outcomes = clients.call_both()
    check(sync_outcomes)
    check(async_outcomes)
    assert [summary(o) for o in sync_outcomes] == [summary(o) for o in async_outcomes]
