"""Print the fault table: each injected fault, each call, what the client did, and how fast, on
every engine (navai's own httpx2 client, a caller's plain httpx2 client, and for async
`navai.DefaultAioHttpClient`), sync and async. The cases are those of tests/client/test_faults.py
(tests/support/fault_cases.py).

    .venv/bin/python -m scripts.fault_table
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import navai
from tests.support import fault_server
from tests.support.fault_cases import (
    ASYNC_ENGINES,
    FAULTS,
    METHODS,
    SYNC_ENGINES,
    TIMEOUT,
    Result,
    run_async,
    run_sync,
    unused_url,
)
from tests.support.fault_server import FaultServer


def describe(outcome: object) -> str:
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__}: {outcome}"
    if isinstance(outcome, navai.BackendFunctionsResult):
        return f"warning: {outcome.warnings[0]}" if outcome.warnings else f"ok: {outcome.names()}"
    return f"ok: {outcome!r}"


def results(
    kind: str, engine: str, fault: str, server_url: str, refused: str
) -> list[Result | BaseException]:
    """The three calls meeting ``fault`` at once, each on its own client (as the tests run them)."""
    if kind == "sync":
        with ThreadPoolExecutor(len(METHODS)) as pool:
            futures = [
                pool.submit(run_sync, fault, engine, method, server_url, refused) for method in METHODS
            ]
        return [future.exception() or future.result() for future in futures]

    async def main() -> list[Result | BaseException]:
        calls = (run_async(fault, engine, method, server_url, refused) for method in METHODS)
        return await asyncio.gather(*calls, return_exceptions=True)

    return asyncio.run(main())


def main() -> None:
    refused = unused_url()
    print(f"timeout: connect {TIMEOUT.connect} s, read {TIMEOUT.read} s; navai {navai.__version__}\n")
    print("| client | engine | fault | call | outcome | time (s) | pool after |")
    print("|---|---|---|---|---|---:|---|")
    fault_server.gzip_bomb()  # compressed once, before any call is timed
    with FaultServer() as server:
        for kind, engines in (("sync", SYNC_ENGINES), ("async", ASYNC_ENGINES)):
            for engine in engines:
                for fault in FAULTS:
                    for method, result in zip(
                        METHODS, results(kind, engine, fault, server.url, refused), strict=True
                    ):
                        if isinstance(result, BaseException):  # a healthy call failed afterwards
                            outcome, elapsed, pool = "(see pool)", "", f"broken: {describe(result)}"
                        else:
                            outcome = describe(result.outcome)
                            elapsed = f"{result.elapsed:.2f}"
                            pool = (
                                "-" if fault == "refused" else "ok" if result.healthy == ["pong"] * 2 else "?"
                            )
                        outcome = outcome.replace(server.url, "").replace(refused, "")[:100]
                        print(f"| {kind} | {engine} | {fault} | {method} | {outcome} | {elapsed} | {pool} |")


if __name__ == "__main__":
    main()
