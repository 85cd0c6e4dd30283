"""Hostile suite, the protocol: huge and endless headers, slow and idle clients, pipelining,
request smuggling, unknown methods and paths, on raw sockets.

Where the Node backend answers a case as navai serve must, the case runs on both (the
``backend`` parameter): that shows the expectation is Node's, not ours. Node has no JSON
body on its protocol refusals; navai serve answers ``{"error": ...}`` there too. The
slow-client cases use a navai serve with 1 s/2 s header/request timeouts, and the last ones
run on a Node backend given the same bounds (``tests/backend/server.mjs`` reads
``NAVAI_TEST_HEADERS_TIMEOUT_MS``/``NAVAI_TEST_REQUEST_TIMEOUT_MS``; Node's defaults are
60 s/300 s, too long for a test).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.support.py_backend_harness import PyBackend, SessionBackends, start_node_backend
from tests.support.raw_http import (
    RawResponse,
    closed_within,
    exchange,
    open_connection,
    read_responses,
    request,
    trickle,
)

from .hostile import (
    EXECUTE,
    HEADERS_TIMEOUT,
    REQUEST_TIMEOUT,
    assert_json_error,
    healthy,
    log_lines,
    rss_mb,
    start_hostile,
)

BACKENDS = ["navai", "node"]


@pytest.fixture(params=BACKENDS)
def port(request: pytest.FixtureRequest, both: SessionBackends) -> int:
    """The port of navai serve, then of the Node backend (same functions, same stand-in)."""
    chosen: Any = both.py if request.param == "navai" else both.node
    return int(chosen.port)


@pytest.fixture
def is_navai(request: pytest.FixtureRequest) -> bool:
    return bool(request.node.callspec.params.get("port") == "navai")


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-http") / "calls.log"


@pytest.fixture(scope="module")
def bounded(log: Path) -> Iterator[PyBackend]:
    """navai serve over the hostile functions, 1 s to send headers, 2 s for a whole request."""
    with start_hostile(log) as backend:
        yield backend


def refused(answer: RawResponse, status: int, is_navai: bool) -> None:
    """Refused with ``status``; navai serve says why in JSON."""
    assert answer.status == status, (answer.status, answer.body[:200])
    if is_navai:
        assert_json_error(answer, status)


def answered_then_closed(sock: socket.socket) -> bool:
    return closed_within(sock, 3) is not None


# -- header sections -----------------------------------------------------------------------

HEADERS = {
    "a 1 MB header": request("GET", "/health", headers={"X-Pad": "a" * (1 << 20)}),
    "10,000 headers": request("GET", "/health", headers={f"X-H{i}": "v" for i in range(10_000)}),
    "a 17 KB header": request("GET", "/health", headers={"X-Pad": "a" * 17_000}),
    "a 20 KB URL": request("GET", "/navai/functions?" + "a" * 20_000),
    "2,000 headers of 28 KB in all": request(
        "GET", "/health", headers={f"X-{i:04}": "v" * 4 for i in range(2000)}
    ),
}


@pytest.mark.parametrize("case", list(HEADERS))
def test_a_header_section_past_16_kb_is_refused_with_431(port: int, is_navai: bool, case: str) -> None:
    refused(exchange(port, HEADERS[case]), 431, is_navai)
    assert healthy(port)


@pytest.mark.parametrize(
    "headers",
    [{"X-Pad": "a" * 15_000}, {f"X-{i}": "v" for i in range(1000)}],
    ids=["a 15 KB header", "1,000 small headers"],
)
def test_a_header_section_under_16_kb_is_served(port: int, headers: dict[str, str]) -> None:
    answer = exchange(port, request("GET", "/health", headers=headers))
    assert (answer.status, answer.json()) == (200, {"ok": True})


def test_a_16_mb_streamed_header_is_cut_off_early(port: int, is_navai: bool) -> None:
    """The server stops reading (431, then closes) long before 16 MB have been sent."""
    sent = 0
    with open_connection(port) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        with pytest.raises((BrokenPipeError, ConnectionResetError)):  # noqa: PT012
            while sent < 16 << 20:
                sock.sendall(b"a" * 65536)
                sent += 65536
    assert sent < 8 << 20
    assert healthy(port)


# -- slow and idle clients (navai serve with short timeouts) ---------------------------------


def test_a_connection_that_sends_nothing_is_dropped_at_the_headers_timeout(bounded: PyBackend) -> None:
    with open_connection(bounded.port) as sock:
        closed = closed_within(sock, HEADERS_TIMEOUT + 3)
    assert closed is not None
    assert HEADERS_TIMEOUT - 0.2 < closed < HEADERS_TIMEOUT + 1


@pytest.mark.parametrize("interval", [0.1, 0.4])
def test_headers_sent_a_byte_at_a_time_are_refused_with_408(bounded: PyBackend, interval: float) -> None:
    with open_connection(bounded.port) as sock:
        seconds, received = trickle(
            sock, request("GET", "/health", headers={"X-Pad": "p" * 200}), interval=interval, limit=6
        )
    assert seconds is not None
    assert seconds < HEADERS_TIMEOUT + 1
    assert received.startswith(b"HTTP/1.1 408 ")
    assert b'{"error": "Request headers not received within 1 s."}' in received


@pytest.mark.parametrize("interval", [0.1, 0.4])
def test_a_body_sent_a_byte_at_a_time_is_refused_with_408(bounded: PyBackend, interval: float) -> None:
    head = request("POST", EXECUTE, b"x" * 200)[:-200]
    with open_connection(bounded.port) as sock:
        sock.sendall(head)
        seconds, received = trickle(
            sock, b'{"function_name":"echo"}' + b" " * 176, interval=interval, limit=8
        )
    assert seconds is not None
    assert seconds < REQUEST_TIMEOUT + 1
    assert received.startswith(b"HTTP/1.1 408 ")
    assert b"Request not received within 2 s." in received


@pytest.mark.parametrize("sent", [0, 1, 150], ids=["no body", "one byte", "most of it"])
def test_a_request_that_stalls_mid_body_is_dropped_at_the_request_timeout(
    bounded: PyBackend, sent: int
) -> None:
    body = b'{"function_name":"echo","payload":{"value":"' + b"x" * 150 + b'"}}'
    with open_connection(bounded.port) as sock:
        start = time.monotonic()
        sock.sendall(request("POST", EXECUTE, body)[: -len(body) + sent or None])
        closed = closed_within(sock, REQUEST_TIMEOUT + 3)
    assert closed is not None
    assert time.monotonic() - start < REQUEST_TIMEOUT + 1
    assert healthy(bounded.port)


def test_slow_clients_do_not_slow_others_down(bounded: PyBackend) -> None:
    """50 clients trickling their headers: a normal call is still answered at once."""
    socks = [socket.create_connection(("127.0.0.1", bounded.port)) for _ in range(50)]
    try:
        for sock in socks:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        start = time.monotonic()
        assert healthy(bounded.port)
        assert time.monotonic() - start < 0.5
    finally:
        for sock in socks:
            sock.close()


def test_a_keep_alive_connection_idle_after_its_answer_is_closed(bounded: PyBackend) -> None:
    """uvicorn's keep-alive timeout (5 s, Node's too) ends it."""
    with open_connection(bounded.port) as sock:
        sock.sendall(request("GET", "/health"))
        assert read_responses(sock, 1)[0].status == 200
        closed = closed_within(sock, 8)
    assert closed is not None
    assert closed < 6.5


def test_hundreds_of_idle_keep_alive_connections_leave_the_service_answering(port: int) -> None:
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(300)]
    try:
        for sock in socks[:200]:
            sock.sendall(request("GET", "/health"))
        for sock in socks[:200]:
            assert read_responses(sock, 1)[0].status == 200
        start = time.monotonic()
        answer = exchange(port, request("POST", EXECUTE, b'{"function_name":"echo","payload":{"value":7}}'))
        assert answer.json()["result"] == 7
        assert time.monotonic() - start < 0.5
    finally:
        for sock in socks:
            sock.close()


# -- pipelining ------------------------------------------------------------------------------


def test_pipelined_requests_are_answered_in_order(port: int) -> None:
    calls = [json.dumps({"function_name": "echo", "payload": {"value": i}}).encode() for i in range(50)]
    with open_connection(port) as sock:
        sock.sendall(b"".join(request("POST", EXECUTE, body) for body in calls))
        answers = read_responses(sock, 50)
    assert [answer.json()["result"] for answer in answers] == list(range(50))


def test_a_client_that_pipelines_and_never_reads_holds_bounded_memory_freed_when_it_leaves(
    bounded: PyBackend,
) -> None:
    pid = bounded.pid
    before = rss_mb(pid)
    one = request(
        "POST", EXECUTE, json.dumps({"function_name": "echo", "payload": {"value": "x" * 2000}}).encode()
    )
    sock = socket.create_connection(("127.0.0.1", bounded.port))
    sock.setblocking(False)
    pending, sent, peak = b"", 0, before
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if len(pending) < 1 << 16:
            pending += one * 32
        try:
            written = sock.send(pending)
        except BlockingIOError:
            time.sleep(0.02)
            peak = max(peak, rss_mb(pid))
            continue
        sent += written
        pending = pending[written:]
    peak = max(peak, rss_mb(pid))
    sock.close()
    assert sent > 1 << 20  # the client did push megabytes of requests
    assert peak - before < 30, (before, peak)
    time.sleep(0.5)
    assert rss_mb(pid) - before < 30
    assert healthy(bounded.port)


# -- request smuggling and malformed framing ----------------------------------------------------

_BODY = b'{"function_name":"echo","payload":{"value":1}}'
_SMUGGLED = b"GET /navai/functions HTTP/1.1\r\nHost: x\r\n\r\n"


def _post(*headers: str, body: bytes = _BODY, version: str = "1.1") -> bytes:
    head = "".join(f"{line}\r\n" for line in ("Host: x", "Content-Type: application/json", *headers))
    return f"POST {EXECUTE} HTTP/{version}\r\n{head}\r\n".encode() + body


_N = len(_BODY)
SMUGGLING = {
    "CL and TE": _post("Content-Length: 5", "Transfer-Encoding: chunked", body=b"0\r\n\r\n" + _SMUGGLED),
    "TE and CL": _post("Transfer-Encoding: chunked", "Content-Length: 5", body=b"0\r\n\r\n" + _SMUGGLED),
    "two different CL": _post(f"Content-Length: {_N}", "Content-Length: 5"),
    "two equal CL": _post(f"Content-Length: {_N}", f"Content-Length: {_N}"),
    "a CL list": _post(f"Content-Length: {_N}, {_N}"),
    "CL with a sign": _post(f"Content-Length: +{_N}"),
    "a negative CL": _post("Content-Length: -1"),
    "a hex CL": _post(f"Content-Length: {_N:#x}"),
    "a CL with a space inside": _post("Content-Length: 4 7"),
    "a CL past 2**64": _post("Content-Length: 99999999999999999999999"),
    "TE chunked, identity": _post("Transfer-Encoding: chunked, identity", body=b"0\r\n\r\n"),
    "TE xchunked": _post("Transfer-Encoding: xchunked", body=b"0\r\n\r\n" + _SMUGGLED),
    "TE gzip": _post("Transfer-Encoding: gzip", body=b"0\r\n\r\n"),
    "two TE headers": _post("Transfer-Encoding: chunked", "Transfer-Encoding: identity", body=b"0\r\n\r\n"),
    "TE with a space before the colon": _post("Transfer-Encoding : chunked", body=b"0\r\n\r\n" + _SMUGGLED),
    "TE folded (obs-fold)": _post("Transfer-Encoding:", " chunked", body=b"0\r\n\r\n" + _SMUGGLED),
    "TE on HTTP/1.0": _post("Transfer-Encoding: chunked", body=b"0\r\n\r\n", version="1.0"),
    "a folded header": b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n",
    "a space in a header name": b"GET /health HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n",
    "NUL in a header value": b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: b\x00c\r\n\r\n",
    "bare LF line ends": b"GET /health HTTP/1.1\nHost: x\n\n",
    "bare CR line ends": b"GET /health HTTP/1.1\rHost: x\r\r\n\r\n",
    "a chunk size that is not hex": _post(
        "Transfer-Encoding: chunked", body=b"zz\r\n" + _BODY + b"\r\n0\r\n\r\n"
    ),
    "a chunk size past 2**64": _post(
        "Transfer-Encoding: chunked", body=b"fffffffffffffffffff\r\n" + _BODY + b"\r\n0\r\n\r\n"
    ),
    "a chunk without its CRLF": _post(
        "Transfer-Encoding: chunked", body=f"{_N:x}\r\n".encode() + _BODY + b"XX0\r\n\r\n" + _SMUGGLED
    ),
    "HTTP/1.1 without Host": b"GET /health HTTP/1.1\r\n\r\n",
    "an unknown method": b"FOO /health HTTP/1.1\r\nHost: x\r\n\r\n",
    "a lower-case method": b"get /health HTTP/1.1\r\nHost: x\r\n\r\n",
    "HTTP/1.9": b"GET /health HTTP/1.9\r\nHost: x\r\n\r\n",
    "text after the version": b"GET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    "a raw non-ASCII path": "GET /navai/función HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    "an HTTP/2 preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "a TLS hello": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(40),
    "binary garbage": b"\x00\xff\xfe not http\r\n\r\n",
}


@pytest.mark.parametrize("case", list(SMUGGLING))
def test_ambiguous_or_malformed_framing_is_refused_with_400_and_the_connection_closed(
    port: int, is_navai: bool, case: str
) -> None:
    with open_connection(port) as sock:
        sock.sendall(SMUGGLING[case])
        answers = read_responses(sock, 1, timeout=5)
        refused(answers[0], 400, is_navai)
        assert answered_then_closed(sock)  # nothing smuggled behind it is answered
    assert healthy(port)


@pytest.mark.parametrize(
    "headers",
    [("Transfer-Encoding: identity, chunked",), ("Transfer-Encoding:\tchunked",)],
    ids=["TE identity, chunked", "TE after a tab"],
)
def test_chunked_as_the_last_coding_is_read_as_chunked(port: int, headers: tuple[str, ...]) -> None:
    """RFC 9112 6.1: the body is chunked; both servers read the (empty) body and answer once."""
    with open_connection(port) as sock:
        sock.sendall(_post(*headers, body=b"0\r\n\r\n"))
        answer = read_responses(sock, 1)[0]
    assert (answer.status, answer.json()) == (400, {"error": "function_name is required."})


def test_nothing_smuggled_runs(bounded: PyBackend, log: Path) -> None:
    """A second request hidden in a CL/TE-ambiguous body never reaches a function."""
    hidden = json.dumps({"function_name": "record", "payload": {"value": "smuggled"}}).encode()
    inner = request("POST", EXECUTE, hidden)
    for framing in (
        ("Content-Length: 5", "Transfer-Encoding: chunked"),
        ("Transfer-Encoding: chunked", "Content-Length: 5"),
        ("Transfer-Encoding: xchunked",),
        ("Transfer-Encoding:", " chunked"),
    ):
        with open_connection(bounded.port) as sock:
            sock.sendall(_post(*framing, body=b"0\r\n\r\n" + inner))
            assert read_responses(sock, 1)[0].status == 400
            assert answered_then_closed(sock)
    assert "ran smuggled" not in log_lines(log)


# -- methods and paths ---------------------------------------------------------------------------

NOT_ROUTES = [
    ("GET", "/nope"),
    ("GET", "/navai%2Ffunctions"),
    ("GET", "/navai%2ffunctions"),
    ("POST", "/navai/functions%2Fexecute"),
    ("POST", "/navai%2Ffunctions%2Fexecute"),
    ("POST", "/navai%2Frealtime%2Fclient-secret"),
    ("GET", "/navai/%66unctions"),
    ("GET", "/%68ealth"),
    ("GET", "/navai/./functions"),
    ("GET", "/navai/x/../functions"),
    ("GET", "//navai/functions"),
    ("GET", "/navai//functions"),
    ("GET", "/navai/functions;x=1"),
    ("GET", "/navai\\functions"),
    ("GET", "/navai/functions%00"),
    ("GET", "/navai/functions%zz"),
    ("DELETE", "/navai/functions"),
    ("PUT", EXECUTE),
    ("PATCH", EXECUTE),
    ("GET", EXECUTE),
    ("POST", "/navai/functions"),
    ("GET", "/navai/realtime/client-secret"),
    ("PROPFIND", "/navai/functions"),
    ("TRACE", "/navai/functions"),
    ("OPTIONS", "*"),
]


@pytest.mark.parametrize(("method", "target"), NOT_ROUTES)
def test_unknown_paths_methods_and_escaped_slashes_are_404(port: int, method: str, target: str) -> None:
    """Express's "Cannot METHOD path" page, on both: the path is matched as sent, not decoded."""
    answer = exchange(port, request(method, target, b"{}" if method in ("POST", "PUT", "PATCH") else None))
    assert answer.status == 404
    assert b"Cannot " + method.encode() in answer.body
    assert b"Traceback" not in answer.body


@pytest.mark.parametrize(
    "target",
    ["/navai/functions/", "/NAVAI/Functions", "/navai/functions?x=1&__proto__=a", "/navai/functions#frag"],
)
def test_the_list_route_matches_as_express_matches_it(port: int, target: str) -> None:
    answer = exchange(port, request("GET", target))
    assert answer.status == 200
    assert [item["name"] for item in answer.json()["items"]][:1] == ["add"]


@pytest.mark.parametrize(
    "data",
    [
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
        b"GET /health HTTP/2.0\r\nHost: x\r\n\r\n",
        b"GET /health\r\n\r\n",
        b"GET http://elsewhere.example/health HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    ],
    ids=["websocket upgrade", "h2c upgrade", "HTTP/2.0 line", "HTTP/0.9 line", "absolute form", "two Hosts"],
)
def test_odd_but_parseable_requests_are_served_as_plain_http(port: int, data: bytes) -> None:
    answer = exchange(port, data)
    assert (answer.status, answer.json()) == (200, {"ok": True})


def test_many_hostile_connections_at_once_leave_the_service_answering(both: SessionBackends) -> None:
    """Every refusal above at once, from 8 threads: navai serve answers a normal call after."""
    cases = [*SMUGGLING.values(), *HEADERS.values()] * 3
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda data: exchange(both.py.port, data, timeout=10).status, cases))
    assert set(answers) <= {400, 431}
    assert healthy(both.py.port)


# -- the same slow clients against Node with short timeouts --------------------------------------


@pytest.fixture(scope="module")
def node_bounded(both: SessionBackends) -> Iterator[Any]:
    """The Node backend with headersTimeout 1 s and requestTimeout 2 s (Node's own bounds)."""
    backend = start_node_backend(
        both.upstream,
        both.key,
        env_overrides={
            "NAVAI_TEST_HEADERS_TIMEOUT_MS": str(int(HEADERS_TIMEOUT * 1000)),
            "NAVAI_TEST_REQUEST_TIMEOUT_MS": str(int(REQUEST_TIMEOUT * 1000)),
        },
    )
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture(params=BACKENDS)
def slow_port(request: pytest.FixtureRequest, bounded: PyBackend, node_bounded: Any) -> int:
    return int((bounded if request.param == "navai" else node_bounded).port)


def test_headers_sent_a_byte_at_a_time_get_408_from_both(slow_port: int) -> None:
    with open_connection(slow_port) as sock:
        seconds, received = trickle(
            sock, request("GET", "/health", headers={"X-Pad": "p" * 200}), interval=0.2, limit=6
        )
    assert seconds is not None
    assert seconds < HEADERS_TIMEOUT + 1
    assert received.startswith(b"HTTP/1.1 408 ")


def test_a_trickling_body_gets_408_from_both(slow_port: int) -> None:
    with open_connection(slow_port) as sock:
        sock.sendall(request("POST", EXECUTE, b"x" * 200)[:-200])
        seconds, received = trickle(sock, b'{"function_name":"echo"}' + b" " * 176, interval=0.2, limit=8)
    assert seconds is not None
    assert seconds < REQUEST_TIMEOUT + 1
    assert received.startswith(b"HTTP/1.1 408 ")


def test_a_body_that_stalls_is_dropped_by_both(slow_port: int) -> None:
    with open_connection(slow_port) as sock:
        sock.sendall(request("POST", EXECUTE, b"x" * 200)[:-150])
        closed = closed_within(sock, REQUEST_TIMEOUT + 3)
    assert closed is not None
    assert closed < REQUEST_TIMEOUT + 1
