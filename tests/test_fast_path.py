"""The fast paths behave exactly like the httpx path, and step aside when they cannot."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fault_server
import httpx
import pytest
from fault_server import FaultServer

import navai
import navai._fast
import navai._fast_async

ENGINES = ["fast", "httpx"]


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


def make(kind: str, engine: str, url: str, **options: Any) -> Any:
    options.setdefault("env", {})
    if engine == "httpx":
        http_class = httpx.Client if kind == "sync" else httpx.AsyncClient
        options["http_client"] = http_class(follow_redirects=True)
    client = (navai.NavaiBackendClient if kind == "sync" else navai.AsyncNavaiBackendClient)(url, **options)
    assert (client._fast is not None) is (engine == "fast")
    return client


def run(kind: str, client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    result = getattr(client, method)(*args, **kwargs)
    if kind == "sync":
        return result

    async def main() -> Any:
        try:
            return await result
        finally:
            await client.aclose()

    return asyncio.run(main())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("fault", ["redirect", "gzip", "close", "chunked", "interim", "http10"])
def test_same_results_on_both_engines(server: FaultServer, kind: str, engine: str, fault: str) -> None:
    client = make(kind, engine, f"{server.url}/{fault}")
    assert run(kind, client, "execute_function", "echo", {"value": 1}) == "pong"
    client = make(kind, engine, f"{server.url}/{fault}")
    assert run(kind, client, "list_functions").names() == ["echo"]


def test_sync_fast_path_reuses_one_connection(server: FaultServer) -> None:
    with navai.NavaiBackendClient(f"{server.url}/ok", env={}) as client:
        before = server.connections_accepted
        for _ in range(50):
            assert client.execute_function("echo") == "pong"
        assert client.list_functions().names() == ["echo"]
        assert server.connections_accepted - before == 1


def test_sync_fast_path_replaces_a_connection_the_server_closed(server: FaultServer) -> None:
    with navai.NavaiBackendClient(f"{server.url}/ok", env={}) as client:
        before = server.connections_accepted
        assert client.execute_function("echo", headers={"X-Fault": "close"}) == "pong"
        assert client.execute_function("echo") == "pong"
        assert server.connections_accepted - before == 2


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_keep_alive_connection_the_server_dropped_while_idle_is_not_used(
    server: FaultServer, kind: str, engine: str
) -> None:
    """Servers close idle keep-alive connections (Node after 5 s): the next call must not fail on it."""
    client = make(kind, engine, f"{server.url}/idle_close", max_connections=1)
    before = server.connections_accepted

    def calls() -> Any:
        if kind == "sync":
            with client:
                first = client.execute_function("echo")
                time.sleep(0.4)
                return [first, client.execute_function("echo")]

        async def main() -> list[Any]:
            async with client:
                first = await client.execute_function("echo")
                await asyncio.sleep(0.4)
                return [first, await client.execute_function("echo")]

        return asyncio.run(main())

    assert calls() == ["pong", "pong"]
    assert server.connections_accepted - before == 2


def test_async_fast_path_reuses_connections(server: FaultServer) -> None:
    async def main() -> int:
        async with navai.AsyncNavaiBackendClient(f"{server.url}/ok", env={}, max_connections=4) as client:
            before = server.connections_accepted
            results = await asyncio.gather(*(client.execute_function("echo") for _ in range(100)))
            assert results == ["pong"] * 100
            return server.connections_accepted - before

    assert asyncio.run(main()) <= 4


def test_a_patched_httpx_transport_gets_the_traffic(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What vcrpy does: patch httpx's stock transport. A fast client must then go through httpx."""
    seen: list[str] = []
    original = httpx.HTTPTransport.handle_request

    def recording(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return original(self, request)

    with navai.NavaiBackendClient(f"{server.url}/ok", env={}) as client:
        assert client.execute_function("echo") == "pong"
        assert seen == []
        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", recording)
        assert client.execute_function("echo") == "pong"
        assert seen == [f"{server.url}/ok/navai/functions/execute"]
        monkeypatch.undo()
        assert client.execute_function("echo") == "pong"
        assert len(seen) == 1


def test_a_patched_async_transport_gets_the_traffic(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    original = httpx.AsyncHTTPTransport.handle_async_request

    async def recording(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return await original(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", recording)

    async def main() -> None:
        async with navai.AsyncNavaiBackendClient(f"{server.url}/ok", env={}) as client:
            assert await client.execute_function("echo") == "pong"

    asyncio.run(main())
    assert seen == [f"{server.url}/ok/navai/functions/execute"]


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "https_proxy", "ALL_PROXY"])
def test_proxies_from_the_environment_use_httpx(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "http://proxy.internal:3128")
    with navai.NavaiBackendClient("http://api.example", env={}) as client:
        assert client._fast is None


def test_auth_and_caller_clients_use_httpx() -> None:
    with navai.NavaiBackendClient("http://api.example", env={}, auth=("u", "p")) as client:
        assert client._fast is None
    with (
        httpx.Client() as http,
        navai.NavaiBackendClient("http://api.example", env={}, http_client=http) as client,
    ):
        assert client._fast is None
    with navai.NavaiBackendClient("http://api.example", env={}) as client:
        assert client._fast is not None


@pytest.mark.parametrize("value", [0, -3, 2.5, True])
def test_max_connections_is_checked(value: object) -> None:
    with pytest.raises(navai.NavaiInvalidRequestError, match="max_connections"):
        navai.NavaiBackendClient(env={}, max_connections=value)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, set[int]]]:
    """An https server with a self-signed certificate, which no default trust store accepts.

    Yields (URL, certificate file, the client ports of the connections it has served).
    """
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    import http.server

    clients: set[int] = set()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            clients.add(self.client_address[1])
            body = b'{"items": [{"name": "echo"}], "warnings": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", cert, clients
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def tls_url(tls_server: tuple[str, Path, set[int]]) -> str:
    return tls_server[0]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_https_verifies_certificates(tls_url: str, kind: str) -> None:
    client = make(kind, "fast", tls_url, timeout=5.0)
    with pytest.raises(navai.NavaiConnectionError, match=r"(?i)certificate verify failed"):
        run(kind, client, "execute_function", "echo")


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_https_works_with_a_trusted_certificate_and_reuses_the_connection(
    tls_server: tuple[str, Path, set[int]], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast paths speak TLS (with hostname checks) once the server's certificate is trusted."""
    url, cert, clients = tls_server
    monkeypatch.setattr(navai._fast, "default_ssl_context", lambda: ssl.create_default_context(cafile=cert))
    monkeypatch.setattr(navai._fast_async, "default_ssl_context", navai._fast.default_ssl_context)
    client = make(kind, "fast", url, timeout=5.0)
    before = set(clients)

    def five_calls() -> Any:
        if kind == "sync":
            with client:
                return [client.list_functions().names() for _ in range(5)]

        async def main() -> list[list[str]]:
            async with client:
                return [(await client.list_functions()).names() for _ in range(5)]

        return asyncio.run(main())

    assert five_calls() == [["echo"]] * 5
    assert len(clients - before) == 1, "one TLS connection carries all five calls"


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("fault", "stage", "engine"),
    [
        ("slow_head", "head", "fast"),  # httpx bounds only its reads, so only the fast path cuts this off
        ("trickle", "body", "fast"),
        ("trickle", "body", "httpx"),
    ],
)
def test_a_response_sent_a_byte_at_a_time_ends_at_the_attempt_budget(
    server: FaultServer, kind: str, fault: str, stage: str, engine: str
) -> None:
    """connect + read bounds the whole attempt; the message says how far the response got."""
    client = make(kind, engine, f"{server.url}/{fault}", timeout=httpx.Timeout(0.5, connect=0.5))
    expected = rf"Timed out: POST .*\(response {stage} still arriving\)$"
    started = time.monotonic()
    with pytest.raises(navai.NavaiTimeoutError, match=expected):
        run(kind, client, "execute_function", "echo")
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("header", [("X-Note", "a\r\nX-Injected: 1"), ("X-Note", "a\nb"), ("X-No\rte", "a")])
def test_a_header_that_would_split_the_request_is_refused(
    server: FaultServer, kind: str, engine: str, header: tuple[str, str]
) -> None:
    client = make(kind, engine, f"{server.url}/ok")
    before = server.requests_served
    with pytest.raises(navai.NavaiConnectionError, match=r"(?i)header"):
        run(kind, client, "execute_function", "echo", headers=dict([header]))
    assert server.requests_served == before


def stalled_call(client: navai.NavaiBackendClient, errors: list[Exception]) -> None:
    try:
        client.execute_function("echo", headers={"X-Fault": "stall"}, timeout=httpx.Timeout(0.8))
    except navai.NavaiError as exc:
        errors.append(exc)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_calls_beyond_max_connections_wait_for_pool_timeout(server: FaultServer, kind: str) -> None:
    """One connection, held by a stalled call: the next call waits ``pool`` seconds, then fails."""
    timeout = httpx.Timeout(5.0, pool=0.3)
    if kind == "sync":
        url = f"{server.url}/ok"
        with navai.NavaiBackendClient(url, env={}, max_connections=1, timeout=timeout) as client:
            errors: list[Exception] = []
            holder = threading.Thread(target=stalled_call, args=(client, errors))
            holder.start()
            time.sleep(0.2)
            with pytest.raises(navai.NavaiTimeoutError, match="No connection available"):
                client.execute_function("echo")
            holder.join()
            assert [type(error) for error in errors] == [navai.NavaiTimeoutError]
            assert client.execute_function("echo") == "pong"
        return

    async def main() -> None:
        async with navai.AsyncNavaiBackendClient(
            f"{server.url}/ok", env={}, max_connections=1, timeout=timeout
        ) as client:
            holder = asyncio.create_task(client.execute_function("echo", headers={"X-Fault": "stall"}))
            await asyncio.sleep(0.1)
            with pytest.raises(navai.NavaiTimeoutError, match="No connection available"):
                await client.execute_function("echo")
            holder.cancel()
            with pytest.raises(asyncio.CancelledError):
                await holder
            assert await client.execute_function("echo") == "pong"

    asyncio.run(main())


def test_cancelled_waiters_do_not_lose_connection_slots(server: FaultServer) -> None:
    """Calls cancelled while waiting for a connection leave the pool whole."""

    async def main() -> None:
        async with navai.AsyncNavaiBackendClient(f"{server.url}/ok", env={}, max_connections=2) as client:
            holders = [
                asyncio.create_task(client.execute_function("echo", headers={"X-Fault": "stall"}))
                for _ in range(2)
            ]
            waiters = [asyncio.create_task(client.execute_function("echo")) for _ in range(5)]
            await asyncio.sleep(0.1)
            for task in [*waiters[::2], *holders]:
                task.cancel()
            outcomes = await asyncio.gather(*holders, *waiters, return_exceptions=True)
            assert [type(o).__name__ for o in outcomes] == ["CancelledError"] * 2 + [
                "CancelledError" if i % 2 == 0 else "str" for i in range(5)
            ]
            results = await asyncio.gather(*(client.execute_function("echo") for _ in range(20)))
            assert results == ["pong"] * 20

    asyncio.run(main())


def test_an_async_client_serves_one_event_loop_after_another(server: FaultServer) -> None:
    client = navai.AsyncNavaiBackendClient(f"{server.url}/ok", env={})
    for _ in range(3):
        assert asyncio.run(client.execute_function("echo")) == "pong"
    asyncio.run(client.aclose())


# -- what an independent review of the fast paths turned up ------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_with_no_pool_timeout_a_call_waits_for_a_connection(server: FaultServer, kind: str) -> None:
    timeout = httpx.Timeout(5.0, pool=None)
    url = f"{server.url}/ok"
    if kind == "sync":
        with navai.NavaiBackendClient(url, env={}, max_connections=1, timeout=timeout) as client:
            holder = threading.Thread(
                target=lambda: client.execute_function("echo", headers={"X-Fault": "slow_ok"})
            )
            holder.start()
            time.sleep(0.1)
            assert client.execute_function("echo") == "pong"
            holder.join()
        return

    async def main() -> list[Any]:
        async with navai.AsyncNavaiBackendClient(url, env={}, max_connections=1, timeout=timeout) as client:
            return await asyncio.gather(
                client.execute_function("echo", headers={"X-Fault": "slow_ok"}),
                client.execute_function("echo"),
            )

    assert asyncio.run(main()) == ["pong", "pong"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_303_after_a_post_is_followed_by_one_get_not_a_second_post(
    server: FaultServer, kind: str, engine: str
) -> None:
    """The function ran once; following the redirect must not run it again."""
    client = make(kind, engine, f"{server.url}/see_other")
    before = len(server.requests)
    assert run(kind, client, "execute_function", "echo") == "pong"
    assert server.requests[before:] == [
        "POST /see_other/navai/functions/execute",
        "GET /ok/navai/functions/execute",
    ]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_redirect_statuses_httpx_does_not_follow_are_answers(
    server: FaultServer, kind: str, engine: str
) -> None:
    client = make(kind, engine, f"{server.url}/multiple_choices")
    before = len(server.requests)
    with pytest.raises(navai.NavaiHTTPError) as caught:
        run(kind, client, "execute_function", "echo")
    assert caught.value.status_code == 300
    assert len(server.requests) - before == 1


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_urls_and_a_callers_host_reach_the_server_as_httpx_sends_them(
    server: FaultServer, kind: str, engine: str
) -> None:
    client = make(kind, engine, f"{server.url}/ok/café a")
    before = len(server.requests)
    result = run(kind, client, "execute_function", "echo", headers={"Host": "api.example"})
    assert result == "pong"
    assert server.requests[before:] == ["POST /ok/caf%C3%A9%20a/navai/functions/execute"]
    assert [line for line in server.heads[-1] if line.lower().startswith("host:")] == ["Host: api.example"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_port_out_of_range_is_a_connection_error(kind: str, engine: str) -> None:
    client = make(kind, engine, "http://127.0.0.1:99999")
    with pytest.raises(navai.NavaiConnectionError):
        run(kind, client, "execute_function", "echo")


def test_credentials_in_the_url_go_through_httpx_which_sends_them() -> None:
    with navai.NavaiBackendClient("http://user:secret@127.0.0.1:3000", env={}) as client:
        assert client._fast is None


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_connection_the_server_closed_is_not_reused_even_before_the_loop_notices(
    server: FaultServer, kind: str
) -> None:
    """The FIN is in the kernel but not yet seen by anyone: the pool must look before it reuses."""
    url = f"{server.url}/close_soon"
    if kind == "sync":
        with navai.NavaiBackendClient(url, env={}, max_connections=1) as client:
            for _ in range(3):
                assert client.execute_function("echo") == "pong"
                time.sleep(0.1)
        return

    async def main() -> list[str]:
        results = []
        async with navai.AsyncNavaiBackendClient(url, env={}, max_connections=1) as client:
            for _ in range(3):
                results.append(await client.execute_function("echo"))
                time.sleep(0.1)  # blocks the loop on purpose: the close arrives, unprocessed
        return results

    assert asyncio.run(main()) == ["pong"] * 3


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_ssl_cert_file_is_trusted_as_httpx_trusts_it(
    tls_server: tuple[str, Path, set[int]], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert, _ = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    client = make(kind, "fast", url, timeout=5.0)
    assert run(kind, client, "list_functions").names() == ["echo"]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_budget_counts_from_the_call_start_including_the_wait_for_a_connection(
    server: FaultServer, kind: str
) -> None:
    """connect 0.2 s + read 1 s: after waiting 0.8 s for the only connection, 0.4 s are left, not 1 s."""
    timeout = httpx.Timeout(1.0, connect=0.2, pool=5.0)
    url = f"{server.url}/ok"
    stall = {"X-Fault": "stall"}

    if kind == "sync":
        with navai.NavaiBackendClient(url, env={}, max_connections=1, timeout=timeout) as client:
            errors: list[Exception] = []
            holder = threading.Thread(target=stalled_call, args=(client, errors))
            holder.start()  # holds the connection for 0.8 s
            time.sleep(0.05)
            started = time.monotonic()
            with pytest.raises(navai.NavaiTimeoutError):
                client.execute_function("echo", headers=stall)
            elapsed = time.monotonic() - started
            holder.join()
    else:

        async def main() -> float:
            async with navai.AsyncNavaiBackendClient(
                url, env={}, max_connections=1, timeout=timeout
            ) as client:
                holder = asyncio.create_task(
                    client.execute_function("echo", headers=stall, timeout=httpx.Timeout(0.8))
                )
                await asyncio.sleep(0.05)
                started = time.monotonic()
                with pytest.raises(navai.NavaiTimeoutError):
                    await client.execute_function("echo", headers=stall)
                with pytest.raises(navai.NavaiTimeoutError):
                    await holder
                return time.monotonic() - started

        elapsed = asyncio.run(main())
    assert 1.0 < elapsed < 1.5, elapsed


def test_an_event_loops_pooled_connections_end_when_the_next_loop_takes_over(server: FaultServer) -> None:
    client = navai.AsyncNavaiBackendClient(f"{server.url}/ok", env={})
    assert asyncio.run(client.execute_function("echo")) == "pong"
    ended = server.connections_ended
    assert asyncio.run(client.execute_function("echo")) == "pong"
    deadline = time.monotonic() + 2
    while server.connections_ended == ended and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.connections_ended > ended, "the first loop's connection was left open"
    asyncio.run(client.aclose())


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_call_in_flight_when_the_client_closes_does_not_leave_its_connection_open(kind: str) -> None:
    with FaultServer() as server:
        check_close_while_in_flight(server, kind)


def check_close_while_in_flight(server: FaultServer, kind: str) -> None:
    url = f"{server.url}/slow_ok"
    if kind == "sync":
        client = navai.NavaiBackendClient(url, env={})
        call = threading.Thread(target=client.execute_function, args=("echo",))
        call.start()
        time.sleep(0.1)
        client.close()
        call.join()
    else:

        async def main() -> None:
            client = navai.AsyncNavaiBackendClient(url, env={})
            call = asyncio.create_task(client.execute_function("echo"))
            await asyncio.sleep(0.1)
            await client.aclose()
            assert await call == "pong"

        asyncio.run(main())
    assert server.connections_accepted == 1
    deadline = time.monotonic() + 2
    while server.connections_ended < server.connections_accepted and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.connections_ended == server.connections_accepted, "a connection outlived its client"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_compression_bomb_is_stopped_at_the_size_limit_without_inflating(
    server: FaultServer, kind: str
) -> None:
    """50 MB of zeros sent as 50 KB of gzip: refused at 1 MB, having decoded little more than that."""
    client = make(kind, "fast", f"{server.url}/gzip_bomb", max_response_bytes=1_000_000)
    fault_server.gzip_bomb()  # built before measuring: the server shares this process
    tracemalloc.start()
    try:
        with pytest.raises(navai.NavaiInvalidResponseError, match="exceeds 1000000 bytes"):
            run(kind, client, "execute_function", "echo")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, f"peak {peak:,} bytes"
