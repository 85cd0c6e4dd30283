"""Hostile suite: functions that never return, clients that leave, a faulty OpenAI, SIGTERM, load.

Each case runs ``navai serve`` as a subprocess on loopback with short bounds (see
``hostile.py``) and talks to it over raw sockets.
"""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.support.fault_server import FaultServer
from tests.support.py_backend_harness import OpenAIStandIn, PyBackend
from tests.support.raw_http import exchange, open_connection, read_response, read_responses, request

from .hostile import (
    EXECUTE,
    FUNCTION_TIMEOUT,
    UPSTREAM_TIMEOUT,
    assert_json_error,
    execute,
    healthy,
    log_lines,
    rss_mb,
    start_hostile,
    wait_for_line,
)

WORKERS = 40  # navai.functions._model' thread pool


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile") / "calls.log"


@pytest.fixture(scope="module")
def backend(log: Path) -> Iterator[PyBackend]:
    with start_hostile(log) as started:
        yield started


def call(name: str, value: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"function_name": name}
    if value is not None:
        body["payload"] = {"value": value}
    return body


def timed(port: int, body: dict[str, Any], timeout: float = 10.0) -> tuple[float, Any]:
    start = time.monotonic()
    answer = execute(port, body, timeout=timeout)
    return time.monotonic() - start, answer


# -- calls bounded in time ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["stuck_async", "stuck_sync"])
def test_a_call_that_never_returns_answers_504_at_the_bound(backend: PyBackend, name: str) -> None:
    elapsed, answer = timed(backend.port, call(name))
    assert_json_error(answer, 504, f"Function {name} did not finish within {FUNCTION_TIMEOUT:g} s.")
    assert FUNCTION_TIMEOUT - 0.1 < elapsed < FUNCTION_TIMEOUT + 1.5
    assert healthy(backend.port)


@pytest.mark.parametrize("name", ["sleep_async", "sleep_sync"])
def test_a_call_inside_the_bound_answers(backend: PyBackend, name: str) -> None:
    answer = execute(backend.port, call(name, 0.3))
    assert (answer.status, answer.json()["result"]) == (200, 0.3)


def test_an_async_call_past_the_bound_is_cancelled(backend: PyBackend, log: Path) -> None:
    answer = execute(backend.port, call("watched", "bound"))
    assert_json_error(answer, 504, "did not finish")
    assert wait_for_line(log, "cancelled bound", 2)
    assert "finished bound" not in log_lines(log)


def test_a_call_whose_client_left_is_cancelled(backend: PyBackend, log: Path) -> None:
    with open_connection(backend.port) as sock:
        sock.sendall(request("POST", EXECUTE, json.dumps(call("watched", "left")).encode()))
        assert wait_for_line(log, "started left", 2)
    assert wait_for_line(log, "cancelled left", 2)
    assert healthy(backend.port)


def test_stuck_sync_calls_beyond_the_pool_neither_starve_other_calls_nor_hang(log: Path) -> None:
    """Stuck calls get 504 and the pool replaces their threads: with more calls stuck than it
    has workers, sync calls still run. Once twice that many threads are stuck (the most it
    keeps), sync calls answer 503 at once, while async functions, the list and /health go on
    answering."""
    with start_hostile(log) as backend, ThreadPoolExecutor(WORKERS + 1) as pool:
        first = list(pool.map(lambda _: timed(backend.port, call("stuck_sync")), range(WORKERS + 1)))
        assert all(answer.status == 504 for _, answer in first)
        assert execute(backend.port, call("echo", "still served")).json()["result"] == "still served"
        rest = list(pool.map(lambda _: timed(backend.port, call("stuck_sync")), range(WORKERS)))
        for elapsed, answer in rest:
            assert answer.status in (503, 504), answer.body
            assert elapsed < FUNCTION_TIMEOUT + 2
        elapsed, answer = timed(backend.port, call("echo", 1))
        assert_json_error(answer, 503, "did not finish in time")
        assert elapsed < 0.5
        assert execute(backend.port, call("sleep_async", 0)).status == 200
        listed = exchange(backend.port, request("GET", "/navai/functions"))
        assert listed.status == 200
        assert listed.json()["items"]
        assert healthy(backend.port)


# -- a faulty OpenAI ---------------------------------------------------------------------


class SwitchableUpstream(FaultServer):
    """`FaultServer` answering every request with `mode` (plus ``status_500``: OpenAI failing)."""

    mode = "ok"

    def _respond(self, conn: socket.socket, fault: str, route: str, seconds: float = 30.0) -> bool:
        if self.mode == "status_500":
            body = b'{"error":{"message":"The server had an error","type":"server_error"}}'
            conn.sendall(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            return True
        return super()._respond(conn, self.mode, "/client-secret", 10.0)


@pytest.fixture(scope="module")
def upstream() -> Iterator[SwitchableUpstream]:
    with SwitchableUpstream() as server:
        yield server


@pytest.fixture(scope="module")
def minting(upstream: SwitchableUpstream, log: Path) -> Iterator[PyBackend]:
    stand_in = OpenAIStandIn()  # the key the harness sets; the calls go to `upstream`
    with start_hostile(log, stand_in, OPENAI_BASE_URL=f"{upstream.url}/v1") as backend:
        yield backend
    stand_in.stop()


UPSTREAM_FAULTS = {
    "stall": (504, "did not answer within"),
    "trickle": (504, "did not answer within"),
    "slow_head": (504, "did not answer within"),
    "status_500": (500, "OpenAI client_secrets failed (500)"),
    "garbage": (500, ""),
    "html": (500, ""),
    "truncate": (500, ""),
    "reset_before_response": (500, "fetch failed"),
    "reset_mid_body": (500, ""),
    "bad_chunked": (500, ""),
}


@pytest.mark.parametrize("fault", list(UPSTREAM_FAULTS))
def test_a_faulty_openai_ends_the_client_secret_call_in_time_and_minting_recovers(
    minting: PyBackend, upstream: SwitchableUpstream, fault: str
) -> None:
    status, fragment = UPSTREAM_FAULTS[fault]
    mint = request("POST", "/navai/realtime/client-secret", b"{}")
    upstream.mode = fault
    try:
        start = time.monotonic()
        answer = exchange(minting.port, mint, timeout=15)
        elapsed = time.monotonic() - start
    finally:
        upstream.mode = "ok"
    assert_json_error(answer, status, fragment)
    assert elapsed < UPSTREAM_TIMEOUT + 1.5
    assert minting.openai_key not in answer.body.decode("utf-8", "replace")
    for _ in range(3):
        again = exchange(minting.port, mint, timeout=10)
        assert (again.status, again.json()["value"]) == (200, "ek_fault_server_ok"), again.body


def test_minting_recovers_while_stalled_upstream_calls_are_still_open(
    minting: PyBackend, upstream: SwitchableUpstream
) -> None:
    """Callers that gave up on a stalled OpenAI leave no connection behind that later calls wait on."""
    mint = request("POST", "/navai/realtime/client-secret", b"{}")
    upstream.mode = "stall"
    try:
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda _: exchange(minting.port, mint, timeout=15), range(20)))
    finally:
        upstream.mode = "ok"
    assert all(answer.status == 504 for answer in answers)
    with ThreadPoolExecutor(20) as pool:
        again = list(pool.map(lambda _: exchange(minting.port, mint, timeout=10), range(20)))
    assert [answer.status for answer in again] == [200] * 20


def test_minting_recovers_after_more_stalled_calls_than_the_upstream_pool_holds(
    minting: PyBackend, upstream: SwitchableUpstream
) -> None:
    """120 clients give up on a stalled OpenAI after 0.3 s. Their calls used to go on for the
    SDK's 600 s, holding all 100 connections of the upstream pool, so every later mint waited
    for a free one: minting never recovered. A caller that leaves now cancels its call."""
    mint = request("POST", "/navai/realtime/client-secret", b"{}")

    def give_up(_: int) -> None:
        with pytest.raises(TimeoutError):
            exchange(minting.port, mint, timeout=0.3)

    upstream.mode = "stall"
    try:
        with ThreadPoolExecutor(40) as pool:
            list(pool.map(give_up, range(120)))
    finally:
        upstream.mode = "ok"
    again = exchange(minting.port, mint, timeout=5)
    assert (again.status, again.json()["value"]) == (200, "ek_fault_server_ok")


# -- shutting down -----------------------------------------------------------------------


def test_sigterm_lets_calls_in_flight_finish_refuses_new_ones_and_exits(log: Path) -> None:
    backend = start_hostile(log, NAVAI_FUNCTION_TIMEOUT="10")
    try:
        with ThreadPoolExecutor(5) as pool:
            calls = [pool.submit(execute, backend.port, call("sleep_async", 1.5)) for _ in range(5)]
            assert wait_for_calls_started(backend, 5)
            backend.process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", backend.port), timeout=2).close()
            answers = [future.result(timeout=10) for future in calls]
        outcomes = [(a.status, a.json().get("result")) for a in answers]
        assert outcomes == [(200, 1.5)] * 5, [a.body for a in answers]
        assert backend.process.wait(timeout=10) == 0
    finally:
        backend.stop()


def wait_for_calls_started(backend: PyBackend, count: int) -> bool:
    """Whether ``count`` connections reached the server (its /proc entry lists the sockets)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if established(backend.pid, backend.port) >= count:
            time.sleep(0.2)  # their requests are read by now
            return True
        time.sleep(0.02)
    return False


def established(pid: int, port: int) -> int:
    """ESTABLISHED TCP connections to local ``port`` (any process; loopback only here)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "01" and int(local.split(":")[1], 16) == port:
            count += 1
    return count


# -- load ----------------------------------------------------------------------------------


def test_memory_stays_flat_over_tens_of_thousands_of_calls(backend: PyBackend) -> None:
    body = json.dumps(call("echo", {"n": 1, "text": "x" * 200})).encode()
    batch = request("POST", EXECUTE, body) * 100

    def calls(rounds: int) -> None:
        with open_connection(backend.port) as sock:
            for _ in range(rounds):
                sock.sendall(batch)
                answers = read_responses(sock, 100)
                assert {answer.status for answer in answers} == {200}

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(calls, [10] * 4))  # warm up: 4,000 calls
        before = rss_mb(backend.pid)
        list(pool.map(calls, [75] * 4))  # 30,000 calls
    after = rss_mb(backend.pid)
    assert after - before < 8, (before, after)


def test_results_of_tens_of_megabytes_are_answered_without_memory_growing_per_call(
    backend: PyBackend,
) -> None:
    def big() -> None:
        with open_connection(backend.port, timeout=30) as sock:
            sock.sendall(request("POST", EXECUTE, json.dumps(call("big_result", 30)).encode()))
            answer = read_response(sock, timeout=30)
        assert answer.status == 200
        assert len(answer.json()["result"]) == 30 * 1024 * 1024

    big()
    big()
    first = rss_mb(backend.pid)
    for _ in range(5):
        big()
    assert rss_mb(backend.pid) - first < 40  # each result kept would add 150 MB
