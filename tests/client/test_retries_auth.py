"""Retries (GETs only, unless a call opts in; Retry-After honoured), per-call options, headers and auth."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

import navai
from navai import _async_client, _client, _core
from navai_api.types import Response as ApiResponse
from tests.support.drivers import Driver, Recorder

LISTING = {"items": [{"name": "f"}], "warnings": []}


def sequence(*answers: int | Exception | tuple[int, dict[str, str]]) -> Recorder:
    """Answers with these statuses (or raises these errors) in turn; the last one repeats.

    An answer may be ``(status, headers)``.
    """
    queue = list(answers)

    def respond(request: httpx2.Request) -> httpx2.Response:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        status, headers = answer if isinstance(answer, tuple) else (answer, {})
        body = LISTING if request.method == "GET" else {"ok": True, "result": "done", "value": "ek_x"}
        return httpx2.Response(
            status, json=body if status == 200 else {"error": f"status {status}"}, headers=headers
        )

    return Recorder(respond)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds each client waits between attempts, recorded instead of slept."""
    waited: list[float] = []

    class Time:
        @staticmethod
        def sleep(seconds: float) -> None:
            waited.append(seconds)

    class Asyncio:
        @staticmethod
        async def sleep(seconds: float) -> None:
            waited.append(seconds)

    monkeypatch.setattr(_client, "time", Time)
    monkeypatch.setattr(_async_client, "asyncio", Asyncio)
    return waited


@pytest.mark.parametrize("status", [502, 503, 504])
def test_list_functions_retries_gateway_errors(make_driver: Callable[..., Driver], status: int) -> None:
    backend = sequence(status, status, 200)
    client = make_driver(backend)
    assert client.list_functions().names() == ["f"]
    assert len(backend.requests) == 3


def test_list_functions_retries_connect_errors(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(httpx2.ConnectError("refused"), httpx2.ConnectTimeout("slow"), 200)
    client = make_driver(backend)
    assert client.list_functions().names() == ["f"]
    assert len(backend.requests) == 3


def test_retries_are_bounded(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(503)
    client = make_driver(backend, max_retries=4)
    assert client.list_functions().warnings == ["[navai] Failed to load backend functions (503)."]
    assert len(backend.requests) == 5
    assert client.max_retries == 4


@pytest.mark.parametrize("answer", [500, 429, 404, httpx2.ReadTimeout("slow"), httpx2.ReadError("reset")])
def test_other_failures_are_not_retried(make_driver: Callable[..., Driver], answer: int | Exception) -> None:
    backend = sequence(answer, 200)
    client = make_driver(backend)
    assert client.list_functions().functions == []
    assert len(backend.requests) == 1


@pytest.mark.parametrize("method", ["execute_function", "create_client_secret"])
def test_posts_are_never_retried_by_default(make_driver: Callable[..., Driver], method: str) -> None:
    backend = sequence(503, 200)
    client = make_driver(backend, max_retries=5)
    args = ("f",) if method == "execute_function" else ()
    with pytest.raises(navai.NavaiHTTPError):
        getattr(client, method)(*args)
    assert len(backend.requests) == 1
    connect = sequence(httpx2.ConnectError("refused"), 200)
    client = make_driver(connect, max_retries=5)
    with pytest.raises(navai.NavaiConnectionError):
        getattr(client, method)(*args)
    assert len(connect.requests) == 1


def test_posts_retry_gateway_errors_when_the_call_opts_in(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(503, 504, 200)
    client = make_driver(backend)
    assert client.execute_function("f", max_retries=2) == "done"
    assert len(backend.requests) == 3
    assert [r.content for r in backend.requests] == [backend.requests[0].content] * 3
    secret_backend = sequence(502, 200)
    client = make_driver(secret_backend)
    assert client.create_client_secret(max_retries=1, model="m").value == "ek_x"
    assert len(secret_backend.requests) == 2


def test_posts_retry_connect_errors_when_the_call_opts_in(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(httpx2.ConnectError("refused"), httpx2.ConnectTimeout("slow"), 200)
    client = make_driver(backend)
    assert client.execute_function("f", max_retries=2) == "done"
    assert len(backend.requests) == 3


def refused_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def real_driver(kind: str, via: str) -> Iterator[Callable[..., Driver]]:
    """``real_driver(url, **options)``: a `Driver` over real sockets, on navai's own httpx2 client
    (``via == "own"``) or on a caller's plain one."""
    made: list[tuple[Driver, Any]] = []

    def make(url: str, **options: Any) -> Driver:
        http: Any = None
        if via == "caller":
            http = options["http_client"] = httpx2.Client() if kind == "sync" else httpx2.AsyncClient()
        client_cls = navai.NavaiBackendClient if kind == "sync" else navai.AsyncNavaiBackendClient
        driver = Driver(client_cls(url, env={}, **options))
        made.append((driver, http))
        return driver

    yield make
    for driver, http in made:
        if http is not None:
            if driver.is_async:
                driver._runner.run(http.aclose())  # type: ignore[union-attr]
            else:
                http.close()
        driver.close()


def test_a_refused_connection_is_retried_for_gets_only_over_real_sockets(
    real_driver: Callable[..., Driver], caplog: pytest.LogCaptureFixture
) -> None:
    """Over a real socket nothing listens on, every attempt is refused: GETs retry, POSTs do not."""
    client = real_driver(refused_url(), max_retries=2)
    with caplog.at_level(logging.INFO, logger="navai"):
        result = client.list_functions()
        assert result.failed
        assert result.warnings[0].startswith("[navai] Failed to load backend functions: Request failed: GET ")
        retried = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Retrying GET ")]
        assert len(retried) == 2, retried
        assert "(retry 1)" in retried[0]
        assert "(retry 2)" in retried[1]
        caplog.clear()
        with pytest.raises(navai.NavaiConnectionError):
            client.execute_function("f")
        assert not [r for r in caplog.records if r.getMessage().startswith("Retrying")]


def test_per_call_max_retries_overrides_the_client(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(503)
    client = make_driver(backend)
    client.list_functions(max_retries=0)
    assert len(backend.requests) == 1


@pytest.mark.parametrize("value", [-1, 1.5, "2", True])
def test_invalid_max_retries(make_driver: Callable[..., Driver], value: object) -> None:
    with pytest.raises(navai.NavaiInvalidRequestError, match="max_retries"):
        make_driver(max_retries=value)


@pytest.fixture
def seeded() -> Iterator[None]:
    state = random.getstate()
    random.seed(1234)
    yield
    random.setstate(state)


def gateway_error(status: int = 503, headers: dict[str, str] | None = None) -> ApiResponse[Any]:
    """A generated `Response` as the endpoint modules return it."""
    return ApiResponse(status_code=status, content=b"", headers=httpx2.Headers(headers), parsed=None)


def retry_options(max_retries: int) -> _core.Options:
    return _core.Options(httpx2.Headers(), httpx2.Timeout(1.0), max_retries, {})


@pytest.mark.usefixtures("seeded")
def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    options = retry_options(10)
    response = gateway_error(503)
    for attempt in range(10):
        nominal = min(_core.RETRY_MAX_DELAY, _core.RETRY_BASE_DELAY * 2**attempt)
        delays = [_core.retry_delay(attempt, options, response, None) for _ in range(200)]
        assert all(d is not None and nominal / 2 <= d <= nominal for d in delays)
        assert len(set(delays)) > 100, "jittered"
    assert _core.retry_delay(10, options, response, None) is None


@pytest.mark.usefixtures("seeded")
def test_documented_backoff_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # conftest shortens the base delay for speed; this test checks the real one
    options = retry_options(6)
    for attempt, nominal in enumerate([0.25, 0.5, 1.0, 2.0, 4.0, 4.0]):
        delay = _core.retry_delay(attempt, options, gateway_error(502), None)
        assert delay is not None
        assert nominal / 2 <= delay <= nominal


def test_only_connect_failures_and_gateway_statuses_are_retried() -> None:
    options = retry_options(3)

    def failure(cause: Exception) -> navai.NavaiError:
        error = navai.NavaiConnectionError("failed")
        error.__cause__ = cause
        return error

    assert _core.retry_delay(0, options, None, failure(httpx2.ConnectError("refused"))) is not None
    assert _core.retry_delay(0, options, None, failure(httpx2.ConnectTimeout("slow"))) is not None
    assert _core.retry_delay(0, options, None, failure(httpx2.ReadError("reset"))) is None
    assert _core.retry_delay(0, options, None, failure(httpx2.ReadTimeout("slow"))) is None
    for status in (200, 400, 429, 500, 501, 505):
        assert _core.retry_delay(0, options, gateway_error(status, {"Retry-After": "1"}), None) is None


# -- Retry-After ---------------------------------------------------------------------


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


def test_retry_after_seconds_is_waited_for(make_driver: Callable[..., Driver], waits: list[float]) -> None:
    backend = sequence((503, {"Retry-After": "7"}), (502, {"Retry-After": "0"}), 200)
    client = make_driver(backend)
    assert client.list_functions().names() == ["f"]
    assert len(backend.requests) == 3
    assert waits == [7.0, 0.0]


def test_retry_after_http_date_is_waited_for(make_driver: Callable[..., Driver], waits: list[float]) -> None:
    backend = sequence((503, {"Retry-After": http_date(30)}), (503, {"Retry-After": http_date(-30)}), 200)
    client = make_driver(backend)
    assert client.execute_function("f", max_retries=2) == "done"
    assert len(backend.requests) == 3
    first, second = waits
    assert 27.0 <= first <= 30.0, "about the 30 s the date is ahead (the date has whole seconds)"
    assert second == 0.0, "a date in the past: retry at once"


@pytest.mark.parametrize(
    "retry_after",
    ["61", "3600", "in 120 s", "soon", "", "-5x", "Wed, 21 Oct 2015 07:28:00"],
    ids=["61s", "1h", "date+120s", "word", "empty", "garbage", "date-without-zone"],
)
def test_a_long_or_unreadable_retry_after_falls_back_to_the_backoff(
    make_driver: Callable[..., Driver], waits: list[float], retry_after: str
) -> None:
    if retry_after == "in 120 s":  # made now: a date made at collection time would be stale by now
        retry_after = http_date(120)
    backend = sequence((503, {"Retry-After": retry_after}), 200)
    client = make_driver(backend)
    assert client.list_functions().names() == ["f"]
    assert len(backend.requests) == 2
    (waited,) = waits
    base = _core.RETRY_BASE_DELAY  # the first backoff: base, scaled by 0.5-1.0
    assert base / 2 <= waited <= base


def test_retry_after_of_exactly_60_s_is_still_waited_for(
    make_driver: Callable[..., Driver], waits: list[float]
) -> None:
    client = make_driver(sequence((503, {"Retry-After": "60"}), 200))
    assert client.list_functions().names() == ["f"]
    assert waits == [60.0]


def test_http_errors_carry_the_headers_and_retry_after(make_driver: Callable[..., Driver]) -> None:
    backend = sequence((429, {"Retry-After": "5", "X-Request-Id": "req-81"}))
    client = make_driver(backend, max_retries=3)
    with pytest.raises(navai.NavaiHTTPError) as caught:
        client.execute_function("f", max_retries=3)
    error = caught.value
    assert len(backend.requests) == 1, "429 is not retried: the caller decides, with retry_after"
    assert (error.status_code, error.retry_after) == (429, 5.0)
    assert error.headers["retry-after"] == "5"
    assert error.headers["x-request-id"] == error.headers["X-Request-Id"] == "req-81"


def test_the_last_gateway_error_keeps_its_retry_after(
    make_driver: Callable[..., Driver], waits: list[float]
) -> None:
    backend = sequence((503, {"Retry-After": "2"}))
    client = make_driver(backend)
    with pytest.raises(navai.NavaiHTTPError) as caught:
        client.create_client_secret(max_retries=1)
    assert len(backend.requests) == 2
    assert waits == [2.0]
    assert (caught.value.status_code, caught.value.retry_after) == (503, 2.0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "3600"}, 3600.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
    ],
    ids=["none", "unreadable", "zero", "long", "past-date"],
)
def test_retry_after_on_the_error(
    make_driver: Callable[..., Driver], headers: dict[str, str], expected: float | None
) -> None:
    client = make_driver(sequence((500, headers)))
    with pytest.raises(navai.NavaiHTTPError) as caught:
        client.execute_function("f")
    assert caught.value.retry_after == expected


def test_retry_after_as_a_date_on_the_error_is_seconds_from_now(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(sequence((503, {"Retry-After": http_date(90)})), max_retries=0)
    with pytest.raises(navai.NavaiHTTPError) as caught:
        client.execute_function("f")
    assert caught.value.retry_after is not None
    assert 87.0 <= caught.value.retry_after <= 90.0


# -- per-call timeout and headers --------------------------------------------------


def test_per_call_timeout_overrides_the_client(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(200)
    client = make_driver(backend, timeout=10)
    client.execute_function("f", timeout=1.5)
    client.list_functions(timeout=httpx2.Timeout(2.0, connect=0.5))
    client.create_client_secret(timeout=None)
    client.execute_function("f")
    timeouts = [r.extensions["timeout"] for r in backend.requests]
    assert timeouts == [
        httpx2.Timeout(1.5).as_dict(),
        httpx2.Timeout(2.0, connect=0.5).as_dict(),
        httpx2.Timeout(None).as_dict(),
        httpx2.Timeout(10).as_dict(),
    ]


def test_per_call_headers_add_to_the_client_headers(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(200)
    client = make_driver(backend, headers={"X-App": "demo", "X-WP-Nonce": "n1"})
    client.execute_function("f", headers={"X-WP-Nonce": "n2", "X-Trace": "t"})
    client.list_functions()
    first, second = backend.requests
    assert (first.headers["x-app"], first.headers["x-wp-nonce"], first.headers["x-trace"]) == (
        "demo",
        "n2",
        "t",
    )
    assert first.headers["content-type"] == "application/json"
    assert (second.headers["x-wp-nonce"], "x-trace" in second.headers) == ("n1", False)


def test_user_agent(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(200)
    make_driver(backend).list_functions()
    assert backend.last.headers["user-agent"] == f"navai-python/{navai.__version__}"


# -- auth ------------------------------------------------------------------------------


def test_bearer_auth_from_any_httpx_auth(make_driver: Callable[..., Driver]) -> None:
    class Bearer(httpx2.Auth):
        def auth_flow(self, request: httpx2.Request):  # type: ignore[no-untyped-def]
            request.headers["Authorization"] = "Bearer tok-123"
            yield request

    backend = sequence(200)
    client = make_driver(backend, auth=Bearer())
    client.list_functions()
    client.execute_function("f")
    client.create_client_secret()
    assert [r.headers["authorization"] for r in backend.requests] == ["Bearer tok-123"] * 3


def test_basic_auth_tuple(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(200)
    make_driver(backend, auth=("user", "pass")).execute_function("f")
    assert backend.last.headers["authorization"] == httpx2.BasicAuth("user", "pass")._auth_header


def on_callers_client(kind: str, handler: Recorder, call: str, *, client_auth: Any, auth: Any = None) -> None:
    """``call`` on a navai client over a caller's httpx2 client that has its own ``client_auth``."""
    transport = httpx2.MockTransport(handler)
    options: dict[str, Any] = {"env": {}} if auth is None else {"env": {}, "auth": auth}
    if kind == "sync":
        with httpx2.Client(transport=transport, auth=client_auth) as http:
            getattr(navai.NavaiBackendClient(http_client=http, **options), call)()
        return

    async def main() -> None:
        async with httpx2.AsyncClient(transport=transport, auth=client_auth) as http:
            await getattr(navai.AsyncNavaiBackendClient(http_client=http, **options), call)()

    asyncio.run(main())


def test_http_client_auth_is_kept_when_none_given(kind: str) -> None:
    backend = sequence(200)
    on_callers_client(kind, backend, "list_functions", client_auth=("u", "p"))
    assert backend.last.headers["authorization"] == httpx2.BasicAuth("u", "p")._auth_header


def test_navai_auth_wins_over_the_http_clients_own(kind: str) -> None:
    backend = sequence(200)
    on_callers_client(kind, backend, "create_client_secret", client_auth=("u", "p"), auth=("navai", "pw"))
    assert backend.last.headers["authorization"] == httpx2.BasicAuth("navai", "pw")._auth_header


class DigestBackend:
    """Answers 401 with a Digest challenge until a request carries a Digest Authorization.

    ``seen`` keeps each request's method, Authorization and body as they were sent (an auth
    flow sends the same `httpx2.Request` again, with the header added).
    """

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None, bytes]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        authorization = request.headers.get("authorization")
        self.seen.append((request.method, authorization, request.read()))
        if authorization is None or not authorization.startswith("Digest "):
            challenge = 'Digest realm="navai", nonce="abc123", qop="auth", algorithm=MD5'
            return httpx2.Response(401, headers={"WWW-Authenticate": challenge})
        body = LISTING if request.method == "GET" else {"ok": True, "result": "done", "value": "ek_x"}
        return httpx2.Response(200, json=body)


def test_an_auth_flow_that_answers_a_challenge_works(make_driver: Callable[..., Driver]) -> None:
    """httpx2.DigestAuth sends, reads the 401 challenge, and sends again: all inside one call."""
    backend = DigestBackend()
    client = make_driver(backend, auth=httpx2.DigestAuth("user", "pass"))
    assert client.execute_function("f", {"n": 1}) == "done"
    assert client.list_functions().names() == ["f"]
    # The GET is authorized at once: the same DigestAuth remembers the challenge between calls.
    assert [method for method, _, _ in backend.seen] == ["POST", "POST", "GET"]
    (_, unauthorized, body), (_, answer, again), (_, remembered, _) = backend.seen
    assert unauthorized is None
    assert answer is not None
    assert answer.startswith('Digest username="user", realm="navai"')
    assert remembered is not None
    assert remembered.startswith('Digest username="user", realm="navai"')
    assert again == body == b'{"function_name":"f","payload":{"n":1}}', "the POST body is sent again"


def test_without_auth_a_challenge_is_an_http_error(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(DigestBackend())
    with pytest.raises(navai.NavaiHTTPError) as caught:
        client.execute_function("f")
    assert caught.value.status_code == 401
    assert caught.value.headers["www-authenticate"].startswith("Digest ")
