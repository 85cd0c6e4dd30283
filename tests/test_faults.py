"""Fault tolerance over real sockets: every fault ends in the right NavaiError within the timeout,
and the same connection pool (one connection only) serves the next call, so nothing leaked."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fault_server import FaultServer

import navai

TIMEOUT = httpx.Timeout(0.5, connect=0.5)
HANG_BOUND = 5.0  # seconds: the 1 s budget (connect + read) plus generous slack on a busy machine

# fault -> (list_functions warning prefix or None for success, error type raised by the POSTs or None)
FAILED = "[navai] Failed to load backend functions: "
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


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


@pytest.fixture(scope="module")
def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def base_for(fault: str, server: FaultServer, refused_url: str) -> str:
    if fault == "refused":
        return refused_url
    return f"{server.url}/{'huge' if fault == 'huge_over_limit' else fault}"


def options_for(fault: str) -> dict[str, Any]:
    return {
        "env": {},
        "timeout": TIMEOUT,
        "max_response_bytes": 1_000_000 if fault == "huge_over_limit" else None,
    }


def call(client: Any, method: str) -> Any:
    if method == "execute_function":
        return client.execute_function("echo", {"value": 1})
    return getattr(client, method)()


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


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fault", list(EXPECTED))
def test_sync_fault(server: FaultServer, refused_url: str, fault: str, method: str) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with httpx.Client(limits=limits) as http:
        faulty = navai.NavaiBackendClient(
            base_for(fault, server, refused_url), http_client=http, **options_for(fault)
        )
        healthy = navai.NavaiBackendClient(f"{server.url}/ok", http_client=http, env={}, timeout=TIMEOUT)
        started = time.monotonic()
        try:
            outcome = call(faulty, method)
        except navai.NavaiError as exc:
            outcome = exc
        check(fault, method, outcome, time.monotonic() - started)
        for _ in range(2):
            assert healthy.execute_function("echo") == "pong", "the pool still serves calls after the fault"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fault", list(EXPECTED))
def test_async_fault(server: FaultServer, refused_url: str, fault: str, method: str) -> None:
    async def main() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(limits=limits) as http:
            faulty = navai.AsyncNavaiBackendClient(
                base_for(fault, server, refused_url), http_client=http, **options_for(fault)
            )
            healthy = navai.AsyncNavaiBackendClient(
                f"{server.url}/ok", http_client=http, env={}, timeout=TIMEOUT
            )
            started = time.monotonic()
            try:
                outcome = await call(faulty, method)
            except navai.NavaiError as exc:
                outcome = exc
            check(fault, method, outcome, time.monotonic() - started)
            for _ in range(2):
                assert await healthy.execute_function("echo") == "pong"

    asyncio.run(main())


def test_cancellation_is_not_swallowed(server: FaultServer) -> None:
    """A cancelled call raises CancelledError (not converted to a NavaiError) and frees its connection."""

    async def main() -> None:
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(limits=limits) as http:
            stalled = navai.AsyncNavaiBackendClient(f"{server.url}/stall", http_client=http, env={})
            healthy = navai.AsyncNavaiBackendClient(
                f"{server.url}/ok", http_client=http, env={}, timeout=TIMEOUT
            )
            task: asyncio.Task[Any] = asyncio.create_task(stalled.execute_function("echo"))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await healthy.execute_function("echo") == "pong"

    asyncio.run(main())
