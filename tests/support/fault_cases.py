"""The fault cases of ``tests/client/test_faults.py`` and ``scripts/fault_table.py``: each fault
the fault server injects, each engine a caller can pick, what a caller sees of it, and one call
that meets it followed by two healthy calls through the same pool.
"""

from __future__ import annotations

import socket
import time
from typing import Any, NamedTuple

import httpx2

import navai

TIMEOUT = httpx2.Timeout(0.5, connect=0.5)
HANG_BOUND = 5.0  # seconds: the 1 s budget (connect + read) plus generous slack on a busy machine
SHORT_FAULT = 2.0
"""Seconds a slow fault lasts where nothing cuts it off at the budget (X-Fault-Seconds); elsewhere
it lasts `fault_server.SLOW_SECONDS` (30 s), so ending within HANG_BOUND proves the cut-off."""
SIZE_LIMIT = 1_000_000

METHODS = ["list_functions", "create_client_secret", "execute_function"]
SYNC_ENGINES = ["default", "http_client"]
ASYNC_ENGINES = ["default", "http_client", "aiohttp"]
FAULTS = [
    "refused",
    "reset_before_response",
    "reset_mid_body",
    "truncate",
    "garbage",
    "bad_chunked",
    "stall",
    "slow_head",
    "trickle",
    "huge",
    "huge_over_limit",
    "gzip_bomb",
    "html",
]
LIMITED = ("huge_over_limit", "gzip_bomb")
"""Faults run with ``max_response_bytes=SIZE_LIMIT``."""

FAILED = "[navai] Failed to load backend functions: "
NOT_JSON = "[navai] Failed to parse backend functions response."
INVALID = "Invalid "
"""How the POSTs' messages for a 2xx body they cannot use begin."""


class Expected(NamedTuple):
    warning: str | None
    """The prefix of list_functions' only warning; None when it succeeds."""
    error: type[navai.NavaiError] | None
    """The exact type the POSTs raise; None when they succeed."""
    message: str = ""
    """The prefix of the POSTs' error message."""
    fault_seconds: float | None = None
    """X-Fault-Seconds to send: set where the fault is not cut off, so it ends by itself."""
    at_least: float = 0.0
    """The call cannot end sooner: nothing cut the fault off, it ran its course."""


def _failure(error: type[navai.NavaiError], message: str, **more: Any) -> Expected:
    return Expected(FAILED + message, error, message, **more)


def expected(fault: str, engine: str, is_async: bool) -> Expected:
    """What a caller sees of ``fault`` on ``engine``."""
    limited = engine != "http_client"  # navai's budget and size limit apply
    connection_failed = _failure(navai.NavaiConnectionError, "Request failed: ")
    if fault == "refused":
        return Expected(FAILED + "Request failed: GET ", navai.NavaiConnectionError, "Request failed: POST ")
    if fault in ("reset_before_response", "reset_mid_body", "truncate", "garbage", "bad_chunked"):
        return connection_failed
    if fault == "stall":  # the per-phase read timeout ends it on every engine
        return _failure(navai.NavaiTimeoutError, "Timed out: ")
    if fault == "slow_head":
        if limited and is_async:
            return _failure(navai.NavaiTimeoutError, "Timed out: ")
        # httpx2 reads the head itself, each byte well inside the read timeout: the sync
        # LimitedTransport checks the budget only as body chunks arrive (documented), and a
        # caller's plain client has no budget at all. The head arrives whole, then the server
        # closes without the body.
        return connection_failed._replace(fault_seconds=SHORT_FAULT, at_least=SHORT_FAULT)
    if fault == "trickle":
        if limited:
            return _failure(navai.NavaiTimeoutError, "Timed out: ")
        # A caller's plain client has only per-phase timeouts, which a byte every 50 ms never
        # trips: the call lasts as long as the server trickles, then fails on the short body.
        return connection_failed._replace(fault_seconds=SHORT_FAULT, at_least=SHORT_FAULT)
    if fault == "huge":
        return Expected(None, None)
    if fault == "huge_over_limit":
        if limited:
            return _failure(navai.NavaiInvalidResponseError, f"Response body exceeds {SIZE_LIMIT} bytes")
        # max_response_bytes is enforced by navai's transports; a caller's plain client reads
        # the whole 10 MB, which is a valid answer.
        return Expected(None, None)
    if fault == "gzip_bomb":
        if limited:  # counted on decoded bytes: 50 KB on the wire is refused at 1 MB decoded
            return _failure(navai.NavaiInvalidResponseError, f"Response body exceeds {SIZE_LIMIT} bytes")
        # No size limit on a caller's plain client: 50 MB of zeros are inflated, then rejected as
        # not JSON.
        return Expected(NOT_JSON, navai.NavaiInvalidResponseError, INVALID)
    if fault == "html":
        return Expected(NOT_JSON, navai.NavaiInvalidResponseError, INVALID)
    raise AssertionError(fault)


def unused_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def http_client(engine: str, is_async: bool) -> httpx2.Client | httpx2.AsyncClient | None:
    """The caller's httpx2 client of ``engine`` (one connection at most), or None for navai's own."""
    limits = httpx2.Limits(max_connections=1, max_keepalive_connections=1)
    if engine == "http_client":
        return httpx2.AsyncClient(limits=limits) if is_async else httpx2.Client(limits=limits)
    if engine == "aiohttp":
        assert is_async, "DefaultAioHttpClient is async only"
        return navai.DefaultAioHttpClient(limits=limits, timeout=TIMEOUT)
    assert engine == "default", engine
    return None


def client_options(fault: str, engine: str, is_async: bool) -> dict[str, Any]:
    """One connection at most, so a connection the fault leaked would block the next call."""
    options: dict[str, Any] = {
        "env": {},
        "timeout": TIMEOUT,
        "max_response_bytes": SIZE_LIMIT if fault in LIMITED else None,
    }
    caller_client = http_client(engine, is_async)
    if caller_client is None:
        options["max_connections"] = 1
    else:
        options["http_client"] = caller_client
    return options


def fault_headers(fault: str, engine: str, is_async: bool) -> dict[str, str]:
    headers = {"X-Fault": {"huge_over_limit": "huge"}.get(fault, fault)}
    seconds = expected(fault, engine, is_async).fault_seconds
    if seconds is not None:
        headers["X-Fault-Seconds"] = str(seconds)
    return headers


def call(client: Any, method: str, headers: dict[str, str] | None = None) -> Any:
    if method == "execute_function":
        return client.execute_function("echo", {"value": 1}, headers=headers)
    if method == "create_client_secret":
        return client.create_client_secret(headers=headers)
    return client.list_functions(headers=headers)


class Result(NamedTuple):
    outcome: Any
    """What the faulty call returned, or the NavaiError it raised."""
    elapsed: float
    healthy: list[Any]
    """What two healthy calls returned afterwards, through the same one-connection pool."""


def run_sync(fault: str, engine: str, method: str, server_url: str, refused_url: str) -> Result:
    """One call that meets ``fault`` on a fresh client, then two healthy calls on the same client."""
    options = client_options(fault, engine, is_async=False)
    url = refused_url if fault == "refused" else f"{server_url}/ok"
    try:
        with navai.NavaiBackendClient(url, **options) as client:
            started = time.monotonic()
            try:
                outcome = call(client, method, fault_headers(fault, engine, is_async=False))
            except navai.NavaiError as exc:
                outcome = exc
            elapsed = time.monotonic() - started
            healthy = [] if fault == "refused" else [client.execute_function("echo") for _ in range(2)]
    finally:
        if "http_client" in options:
            options["http_client"].close()
    return Result(outcome, elapsed, healthy)


async def run_async(fault: str, engine: str, method: str, server_url: str, refused_url: str) -> Result:
    """`run_sync` on the async client."""
    options = client_options(fault, engine, is_async=True)
    url = refused_url if fault == "refused" else f"{server_url}/ok"
    try:
        async with navai.AsyncNavaiBackendClient(url, **options) as client:
            started = time.monotonic()
            try:
                outcome = await call(client, method, fault_headers(fault, engine, is_async=True))
            except navai.NavaiError as exc:
                outcome = exc
            elapsed = time.monotonic() - started
            healthy = [] if fault == "refused" else [await client.execute_function("echo") for _ in range(2)]
    finally:
        if "http_client" in options:
            await options["http_client"].aclose()
    return Result(outcome, elapsed, healthy)
