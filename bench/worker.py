"""One benchmark contender in its own process: N execute_function calls, timed.

    python -m bench.worker CONTENDER --url URL --calls N [--concurrency C] [--max-seconds S]
        [--warmup W] [--warmup-seconds WS]

Contenders (each imports only what it needs):

- ``navai-sync``: ``navai.NavaiBackendClient(url)``, sequential.
- ``navai-async``: ``navai.AsyncNavaiBackendClient(url)``, its default client (stock httpx2),
  C calls in flight (asyncio.gather of C workers).
- ``navai-aiohttp``: ``navai.AsyncNavaiBackendClient(url, http_client=navai.DefaultAioHttpClient())``,
  C in flight.
- ``httpx2-sync``: a plain ``httpx2.Client``, sequential.
- ``httpx2-async``: a plain ``httpx2.AsyncClient``, C in flight.
- ``httpx2-aiohttp``: a plain ``httpx_aiohttp.httpx2.Httpx2AiohttpClient`` (httpx2 on the
  aiohttp transport, from the ``httpx-aiohttp`` package), C in flight.

The raw httpx2 contenders are what a caller writes by hand: ``post(url, json={"function_name":
..., "payload": ...})``, read the body, ``json.loads`` it, check it. They get the same pool
limits as navai's clients (its own and ``DefaultAioHttpClient``),
``httpx2.Limits(max_connections=100, max_keepalive_connections=100)``: httpx2's default keeps
at most 20 idle connections and so would close and reopen connections under load, and
navai and the raw clients would not run the same pool. On the aiohttp transport only
``max_connections`` matters (it becomes aiohttp's connector limit). At 200 in flight every
Python client therefore queues the calls beyond 100 connections. What the raw clients do not
have is exactly what the goals price: navai's facade, its generated layer, and the
per-response limits (time budget, body size) its transports add.

Each does up to W untimed calls first (connections, caches; at least C, at most WS seconds),
then up to N timed calls, and stops starting new ones after S seconds. Every response is
checked (status 200, ``ok: true``, the echoed value). Prints one JSON line:
``{"calls", "seconds", "cpu_seconds", "warmup_calls", "runtime"}``.
Loopback only.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

EXECUTE_PATH = "/navai/functions/execute"
MAX_CONNECTIONS = 100  # navai's default max_connections; the raw clients get the same pool limits
SYNC_CONTENDERS = ("navai-sync", "httpx2-sync")
ASYNC_CONTENDERS = ("navai-async", "navai-aiohttp", "httpx2-async", "httpx2-aiohttp")
CONTENDERS = SYNC_CONTENDERS + ASYNC_CONTENDERS


class BenchError(RuntimeError):
    pass


def _check_raw(status: int, body: bytes, expected: Any) -> None:
    if status != 200:
        raise BenchError(f"HTTP {status}: {body[:200]!r}")
    payload = json.loads(body)
    if payload.get("ok") is not True or payload.get("result") != expected:
        raise BenchError(f"unexpected response: {body[:200]!r}")


def _check_result(result: Any, expected: Any) -> None:
    if result != expected:
        raise BenchError(f"unexpected result: {result!r}")


def _limits(httpx2: Any) -> Any:
    """navai's pool limits (``navai._base.BaseClient._limits``, ``navai.DefaultAioHttpClient``)."""
    return httpx2.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)


# -- sync -----------------------------------------------------------------------------


def _sync_call(
    contender: str, url: str, function: str, payload: dict[str, Any]
) -> tuple[Callable[[], None], Callable[[], None]]:
    """(one call, close)."""
    expected = payload.get("value")
    if contender == "navai-sync":
        import navai

        client = navai.NavaiBackendClient(url)

        def navai_call() -> None:
            _check_result(client.execute_function(function, payload), expected)

        return navai_call, client.close

    import httpx2

    http = httpx2.Client(limits=_limits(httpx2))
    target = url.rstrip("/") + EXECUTE_PATH

    def httpx2_call() -> None:
        response = http.post(target, json={"function_name": function, "payload": payload})
        _check_raw(response.status_code, response.content, expected)

    return httpx2_call, http.close


def run_sync(contender: str, args: argparse.Namespace, payload: dict[str, Any]) -> dict[str, Any]:
    if args.concurrency != 1:
        raise BenchError(f"{contender} is sequential: --concurrency must be 1")
    call, close = _sync_call(contender, args.url, args.function, payload)
    try:
        warmup_calls, warmup_deadline = 0, time.perf_counter() + args.warmup_seconds
        while warmup_calls < max(args.warmup, 1) and (
            warmup_calls == 0 or time.perf_counter() < warmup_deadline
        ):
            call()
            warmup_calls += 1
        cpu0, t0 = time.process_time(), time.perf_counter()
        deadline = t0 + args.max_seconds
        calls = 0
        while calls < args.calls and time.perf_counter() < deadline:
            call()
            calls += 1
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        close()
    return {"calls": calls, "seconds": seconds, "cpu_seconds": cpu, "warmup_calls": warmup_calls}


# -- async ----------------------------------------------------------------------------


async def _async_call(
    contender: str, url: str, function: str, payload: dict[str, Any]
) -> tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """(one call, close)."""
    expected = payload.get("value")
    if contender in ("navai-async", "navai-aiohttp"):
        import navai

        http_client = navai.DefaultAioHttpClient() if contender == "navai-aiohttp" else None
        client = navai.AsyncNavaiBackendClient(url, http_client=http_client)

        async def navai_call() -> None:
            _check_result(await client.execute_function(function, payload), expected)

        async def navai_close() -> None:
            await client.aclose()
            if http_client is not None:  # the caller's client: navai leaves it open
                await http_client.aclose()

        return navai_call, navai_close

    import httpx2

    limits = _limits(httpx2)
    if contender == "httpx2-aiohttp":
        from httpx_aiohttp.httpx2 import Httpx2AiohttpClient

        http: httpx2.AsyncClient = Httpx2AiohttpClient(limits=limits)
    else:
        http = httpx2.AsyncClient(limits=limits)
    target = url.rstrip("/") + EXECUTE_PATH

    async def httpx2_call() -> None:
        response = await http.post(target, json={"function_name": function, "payload": payload})
        _check_raw(response.status_code, response.content, expected)

    return httpx2_call, http.aclose


async def _drive(call: Callable[[], Awaitable[None]], total: int, concurrency: int, deadline: float) -> int:
    import asyncio

    started = done = 0

    async def worker() -> None:
        nonlocal started, done
        while started < total and time.perf_counter() < deadline:
            started += 1
            await call()
            done += 1

    await asyncio.gather(*(worker() for _ in range(min(concurrency, max(total, 1)))))
    return done


async def run_async(contender: str, args: argparse.Namespace, payload: dict[str, Any]) -> dict[str, Any]:
    call, close = await _async_call(contender, args.url, args.function, payload)
    try:
        warmup_deadline = time.perf_counter() + args.warmup_seconds
        warmup_calls = await _drive(call, max(args.warmup, 1), args.concurrency, warmup_deadline)
        cpu0, t0 = time.process_time(), time.perf_counter()
        calls = await _drive(call, args.calls, args.concurrency, t0 + args.max_seconds)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        await close()
    return {"calls": calls, "seconds": seconds, "cpu_seconds": cpu, "warmup_calls": warmup_calls}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("contender", choices=CONTENDERS)
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--warmup-seconds", type=float, default=0.5)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--function", default="echo")
    parser.add_argument("--payload", default='{"value":{"n":1}}')
    args = parser.parse_args(argv)
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error(f"refusing to load a non-loopback host: {args.url}")
    if args.concurrency < 1 or args.calls < 0:
        parser.error("--concurrency must be >= 1 and --calls >= 0")
    payload = json.loads(args.payload)
    try:
        if args.contender in SYNC_CONTENDERS:
            result = run_sync(args.contender, args, payload)
        else:
            import asyncio

            result = asyncio.run(run_async(args.contender, args, payload))
    except Exception as exc:
        print(f"worker.py {args.contender}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    result["runtime"] = f"python {platform.python_version()}"
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
