"""Fault tolerance over real sockets, for both engines (the fast path and a caller's httpx2 client).

Every fault ends in the right NavaiError (or warning) within the timeout, and then a healthy
call goes through the same one-connection pool: nothing leaked, nothing poisoned.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fault_server import FaultServer

import navai

TIMEOUT = httpx2.Timeout(0.5, connect=0.5)
HANG_BOUND = 5.0  # seconds: the 1 s budget (connect + read) plus generous slack on a busy machine

FAILED = "[navai] Failed to load backend functions: "
# fault -> (list_functions warning prefix or None for success, error type raised by the POSTs or None)
EXPECTED: dict[str, tuple[str | None, type[navai.NavaiError] | None]] = {
    "refused": (FAILED + "Request failed: GET ", navai.NavaiConnectionError),
    "reset_before_response": (FAILED + "Request failed: ", navai.NavaiConnectionError),
    "reset_mid_body": (FAILED + "Request failed: ", navai.NavaiConnectionError),
    "truncate": (FAILED + "Request failed: ", navai.NavaiConnectionError),
    "stall": (FAILED + "Timed out: ", navai.NavaiTimeoutError),
    "trickle": (FAILED + "Timed out: ", navai.NavaiTimeoutError),
    "huge": (None, None),
    "huge_over_limit": (FAILED + "Response body exceeds ", navai.NavaiInvalidResponseError),
    "html": ("[navai] Failed to parse backend functions response.", navai.NavaiInvalidResponseError),
    "bad_chunked": (FAILED + "Request failed: ", navai.NavaiConnectionError),
}
METHODS = ["list_functions", "create_client_secret", "execute_function"]
ENGINES = ["fast", "httpx2"]


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


@pytest.fixture(scope="module")
def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def client_options(fault: str, engine: str, is_async: bool) -> dict[str, Any]:
    """One connection at most, so a connection the fault leaked would block the next call."""
    options: dict[str, Any] = {
        "env": {},
        "timeout": TIMEOUT,
        "max_response_bytes": 1_000_000 if fault == "huge_over_limit" else None,
        "max_connections": 1,
    }
    if engine == "httpx2":
        limits = httpx2.Limits(max_connections=1, max_keepalive_connections=1)
        options["http_client"] = httpx2.AsyncClient(limits=limits) if is_async else httpx2.Client(limits=limits)
    return options


def base_url(fault: str, server: FaultServer, refused_url: str) -> str:
    return refused_url if fault == "refused" else f"{server.url}/ok"


def fault_headers(fault: str) -> dict[str, str]:
    return {"X-Fault": "huge" if fault == "huge_over_limit" else fault}


def call(client: Any, method: str, headers: dict[str, str] | None = None) -> Any:
    if method == "execute_function":
        return client.execute_function("echo", {"value": 1}, headers=headers)
    if method == "create_client_secret":
        return client.create_client_secret(headers=headers)
    return client.list_functions(headers=headers)


def check(fault: str, method: str, outcome: Any, elapsed: float) -> None:
    warning, error_type = EXPECTED[fault]
    assert elapsed < HANG_BOUND, f"{fault}/{method} took {elapsed:.1f} s"
    if method == "list_functions":
        assert isinstance(outcome, navai.BackendFunctionsResult)
        if warning is None:
            assert outcome.names() == ["echo"]
        else:
            assert outcome.functions == []
            (only,) = outcome.warnings
            assert only.startswith(warning), only
    elif error_type is None:
        assert not isinstance(outcome, BaseException), outcome
        assert outcome == "pong" or outcome.value == "ek_fault_server_ok"
    else:
        assert type(outcome) is error_type, repr(outcome)
        if fault == "html":
            assert str(outcome) in ("Invalid client-secret response.", "Invalid backend function response.")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fault", list(EXPECTED))
def test_sync_fault(server: FaultServer, refused_url: str, fault: str, method: str, engine: str) -> None:
    options = client_options(fault, engine, is_async=False)
    with navai.NavaiBackendClient(base_url(fault, server, refused_url), **options) as client:
        assert (client._fast is not None) is (engine == "fast")
        started = time.monotonic()
        try:
            outcome = call(client, method, fault_headers(fault))
        except navai.NavaiError as exc:
            outcome = exc
        check(fault, method, outcome, time.monotonic() - started)
        if fault != "refused":
            for _ in range(2):
                assert client.execute_function("echo") == "pong", (
                    "the pool still serves calls after the fault"
                )
    if engine == "httpx2":
        options["http_client"].close()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fault", list(EXPECTED))
def test_async_fault(server: FaultServer, refused_url: str, fault: str, method: str, engine: str) -> None:
    async def main() -> None:
        options = client_options(fault, engine, is_async=True)
        async with navai.AsyncNavaiBackendClient(base_url(fault, server, refused_url), **options) as client:
            assert (client._fast is not None) is (engine == "fast")
            started = time.monotonic()
            try:
                outcome = await call(client, method, fault_headers(fault))
            except navai.NavaiError as exc:
                outcome = exc
            check(fault, method, outcome, time.monotonic() - started)
            if fault != "refused":
                for _ in range(2):
                    assert await client.execute_function("echo") == "pong"
        if engine == "httpx2":
            await options["http_client"].aclose()

    asyncio.run(main())


@pytest.mark.parametrize("engine", ENGINES)
def test_cancellation_is_not_swallowed(server: FaultServer, engine: str) -> None:
    """A cancelled call raises CancelledError (not converted to a NavaiError) and frees its connection."""

    async def main() -> None:
        options = client_options("stall", engine, is_async=True)
        async with navai.AsyncNavaiBackendClient(f"{server.url}/ok", **options) as client:
            task: asyncio.Task[Any] = asyncio.create_task(
                client.execute_function("echo", headers={"X-Fault": "stall"}, timeout=30.0)
            )
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await client.execute_function("echo") == "pong"
        if engine == "httpx2":
            await options["http_client"].aclose()

    asyncio.run(main())
