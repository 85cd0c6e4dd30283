"""Whatever a server sends, only NavaiError escapes, and list_functions never raises."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import navai

EXAMPLES = int(os.environ.get("NAVAI_FUZZ_EXAMPLES", "300"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        "value": json_values,
        "expires_at": json_values,
        "items": st.lists(
            st.fixed_dictionaries(
                {}, optional={"name": json_values, "description": json_values, "source": json_values}
            )
            | json_values,
            max_size=4,
        ),
        "warnings": json_values,
        "ok": json_values,
        "result": json_values,
        "error": json_values,
        "details": json_values,
        "available_functions": json_values,
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
    for outcome in outcomes:
        if isinstance(outcome, navai.NavaiError):
            assert isinstance(str(outcome), str)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=statuses, body=bodies, headers=headers)
def test_only_navai_errors_escape(status: int, body: bytes, headers: dict[str, str]) -> None:
    def respond(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, content=body, headers=headers)

    transport = httpx2.MockTransport(respond)
    with navai.NavaiBackendClient(
        env={}, http_client=httpx2.Client(transport=transport), max_retries=0
    ) as client:
        check(call_all(client))

    async def run_async() -> list[Any]:
        async with httpx2.AsyncClient(transport=transport) as http:
            return await acall_all(navai.AsyncNavaiBackendClient(env={}, http_client=http, max_retries=0))

    check(asyncio.run(run_async()))


failures = st.sampled_from(
    [
        httpx2.ConnectError("x"),
        httpx2.ReadTimeout("x"),
        httpx2.WriteTimeout("x"),
        httpx2.PoolTimeout("x"),
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


@settings(max_examples=max(50, EXAMPLES // 5), deadline=None)
@given(exc=failures)
def test_only_navai_errors_escape_transport_failures(exc: Exception) -> None:
    def fail(request: httpx2.Request) -> httpx2.Response:
        raise exc

    with navai.NavaiBackendClient(
        env={}, http_client=httpx2.Client(transport=httpx2.MockTransport(fail))
    ) as client:
        outcomes = call_all(client)
    check(outcomes)
    assert all(isinstance(o, navai.NavaiError) for o in outcomes[:2])
    assert outcomes[2].functions == []


# -- the fast paths' own HTTP/1.1 reader, over real sockets ----------------------------------


class ScriptedServer:
    """Answers every request with the same scripted bytes, then closes the connection.

    Scripted heads say ``Connection: close``, so no client reuses a connection the server is
    about to close (that race is the fault tests' business, not this property's).
    """

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.script: bytes = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                received = b""
                try:
                    while b"\r\n\r\n" not in received:
                        data = conn.recv(65536)
                        if not data:
                            break
                        received += data
                    conn.sendall(self.script)
                    conn.shutdown(socket.SHUT_WR)
                except OSError:
                    continue

    def close(self) -> None:
        self._listener.close()


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


def _response_bytes(draw: st.DrawFn) -> bytes:
    status = draw(statuses)
    body = draw(bodies)
    framing = draw(st.sampled_from(["length", "wrong_length", "chunked", "close", "garbage"]))
    head = f"HTTP/1.{draw(st.sampled_from([0, 1]))} {status} X\r\nConnection: close\r\n"
    head += draw(st.sampled_from(["", "Content-Encoding: gzip\r\n", "Content-Type: application/json\r\n"]))
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


@settings(
    max_examples=max(50, EXAMPLES // 10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(wire=server_bytes)
def test_the_fast_paths_turn_any_server_bytes_into_a_result_or_a_navai_error(
    scripted: ScriptedServer, wire: bytes
) -> None:
    scripted.script = wire
    options: dict[str, Any] = {"env": {}, "max_retries": 0, "timeout": 2.0}
    with navai.NavaiBackendClient(scripted.url, **options) as client:
        assert client._fast is not None
        sync_results = call_all(client)

    async def main() -> list[Any]:
        async with navai.AsyncNavaiBackendClient(scripted.url, **options) as client:
            assert client._fast is not None
            return await acall_all(client)

    async_results = asyncio.run(main())
    check(sync_results)
    assert [summary(r) for r in sync_results] == [summary(r) for r in async_results]


def summary(outcome: Any) -> str:
    """What a caller sees of an outcome: the value, or the error's type and message."""
    if isinstance(outcome, navai.NavaiError):
        return f"{type(outcome).__name__}: {outcome}"
    return repr(outcome)
