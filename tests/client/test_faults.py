"""Fault tolerance over real sockets, on every engine a caller can pick.

Engines: ``default`` (the httpx2 client navai makes, with its limits: a total budget of
connect + read timeout, and ``max_response_bytes``), ``http_client`` (a caller's plain
httpx2 client, which has httpx2's per-phase timeouts but not navai's limits) and, async
only, ``aiohttp`` (`navai.DefaultAioHttpClient`, whose transport carries navai's limits).

Every fault ends in the right NavaiError (or list_functions warning) in bounded time, and
then a healthy call goes through the same one-connection pool: nothing leaked, nothing
poisoned. Where a caller's plain client lacks a limit, the test asserts what it does instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import navai
from tests.support import fault_server
from tests.support.fault_cases import (
    ASYNC_ENGINES,
    FAULTS,
    HANG_BOUND,
    INVALID,
    METHODS,
    SYNC_ENGINES,
    Result,
    client_options,
    expected,
    run_async,
    run_sync,
    unused_url,
)
from tests.support.fault_server import FaultServer


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    fault_server.gzip_bomb()  # compressed once, before any call is timed
    with FaultServer() as running:
        yield running


@pytest.fixture(scope="module")
def refused_url() -> str:
    return unused_url()


def check(fault: str, engine: str, is_async: bool, method: str, result: Result) -> None:
    want = expected(fault, engine, is_async)
    where = f"{fault}/{engine}/{method}"
    outcome = result.outcome
    assert result.elapsed < HANG_BOUND, f"{where} took {result.elapsed:.1f} s"
    assert result.elapsed >= want.at_least * 0.95, f"{where} ended after {result.elapsed:.2f} s"
    if method == "list_functions":
        assert isinstance(outcome, navai.BackendFunctionsResult), f"{where}: {outcome!r}"
        if want.warning is None:
            assert (outcome.names(), outcome.warnings, outcome.failed) == (["echo"], [], False), where
        else:
            assert (outcome.functions, outcome.failed) == ([], True), where
            (only,) = outcome.warnings
            assert only.startswith(want.warning), f"{where}: {only}"
    elif want.error is None:
        assert not isinstance(outcome, BaseException), f"{where}: {outcome!r}"
        assert outcome == "pong" or outcome.value == "ek_fault_server_ok", where
    else:
        assert type(outcome) is want.error, f"{where}: {outcome!r}"
        assert str(outcome).startswith(want.message), f"{where}: {outcome}"
        assert outcome.method == "POST", where
        if want.message == INVALID:
            assert str(outcome) in ("Invalid client-secret response.", "Invalid backend function response.")
    if fault != "refused":
        assert result.healthy == ["pong", "pong"], f"{where}: the pool no longer serves calls"


# Each test sends the three calls at once, each on its own client (its own one-connection pool),
# so that the slow faults cost their time once per engine, not once per call.


@pytest.mark.parametrize("engine", SYNC_ENGINES)
@pytest.mark.parametrize("fault", FAULTS)
def test_sync_fault(server: FaultServer, refused_url: str, fault: str, engine: str) -> None:
    with ThreadPoolExecutor(len(METHODS)) as pool:
        futures = {m: pool.submit(run_sync, fault, engine, m, server.url, refused_url) for m in METHODS}
    for method, future in futures.items():
        check(fault, engine, False, method, future.result())


@pytest.mark.parametrize("engine", ASYNC_ENGINES)
@pytest.mark.parametrize("fault", FAULTS)
def test_async_fault(server: FaultServer, refused_url: str, fault: str, engine: str) -> None:
    async def main() -> list[Result]:
        return await asyncio.gather(*(run_async(fault, engine, m, server.url, refused_url) for m in METHODS))

    for method, result in zip(METHODS, asyncio.run(main()), strict=True):
        check(fault, engine, True, method, result)


@pytest.mark.parametrize("engine", ASYNC_ENGINES)
def test_cancellation_is_not_swallowed(server: FaultServer, engine: str) -> None:
    """A cancelled call raises CancelledError (not converted to a NavaiError) and frees its connection."""

    async def main() -> None:
        options = client_options("stall", engine, is_async=True)
        try:
            async with navai.AsyncNavaiBackendClient(f"{server.url}/ok", **options) as client:
                task: asyncio.Task[Any] = asyncio.create_task(
                    client.execute_function("echo", headers={"X-Fault": "stall"}, timeout=30.0)
                )
                await asyncio.sleep(0.2)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert await client.execute_function("echo") == "pong"
        finally:
            if "http_client" in options:
                await options["http_client"].aclose()

    asyncio.run(main())
