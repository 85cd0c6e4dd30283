"""Retries (GETs only, unless a call opts in), per-call options, headers and auth."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import httpx2
import pytest
from conftest import Driver, Recorder

import navai
from navai import _core

LISTING = {"items": [{"name": "f"}], "warnings": []}


def sequence(*answers: int | Exception) -> Recorder:
    """Answers with these statuses (or raises these errors) in turn; the last one repeats."""
    queue = list(answers)

    def respond(request: httpx2.Request) -> httpx2.Response:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        body = LISTING if request.method == "GET" else {"ok": True, "result": "done", "value": "ek_x"}
        return httpx2.Response(answer, json=body if answer == 200 else {"error": f"status {answer}"})

    return Recorder(respond)


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


def test_posts_retry_when_the_call_opts_in(make_driver: Callable[..., Driver]) -> None:
    backend = sequence(503, httpx2.ConnectError("refused"), 200)
    client = make_driver(backend)
    assert client.execute_function("f", max_retries=2) == "done"
    assert len(backend.requests) == 3
    secret_backend = sequence(502, 200)
    client = make_driver(secret_backend)
    assert client.create_client_secret(max_retries=1, model="m").value == "ek_x"
    assert len(secret_backend.requests) == 2


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


@pytest.mark.usefixtures("seeded")
def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    options = _core.Options(httpx2.Headers(), httpx2.Timeout(1.0), max_retries=10, max_response_bytes=None)
    call = _core.Call("GET", "http://x/")
    outcome = _core.Outcome(call, 503, b"")
    for attempt in range(10):
        nominal = min(_core.RETRY_MAX_DELAY, _core.RETRY_BASE_DELAY * 2**attempt)
        delays = [_core.retry_delay(attempt, options, outcome, None) for _ in range(200)]
        assert all(d is not None and nominal / 2 <= d <= nominal for d in delays)
        assert len(set(delays)) > 100, "jittered"
    assert _core.retry_delay(10, options, outcome, None) is None


@pytest.mark.usefixtures("seeded")
def test_documented_backoff_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # conftest shortens the base delay for speed; this test checks the real one
    options = _core.Options(httpx2.Headers(), httpx2.Timeout(1.0), max_retries=6, max_response_bytes=None)
    outcome = _core.Outcome(_core.Call("GET", "http://x/"), 502, b"")
    for attempt, nominal in enumerate([0.25, 0.5, 1.0, 2.0, 4.0, 4.0]):
        delay = _core.retry_delay(attempt, options, outcome, None)
        assert delay is not None
        assert nominal / 2 <= delay <= nominal


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


def test_http_client_auth_is_kept_when_none_given(kind: str) -> None:
    backend = sequence(200)
    transport = httpx2.MockTransport(backend)
    if kind == "sync":
        with navai.NavaiBackendClient(
            env={}, http_client=httpx2.Client(transport=transport, auth=("u", "p"))
        ) as client:
            client.list_functions()
    else:
        import asyncio

        async def main() -> None:
            http = httpx2.AsyncClient(transport=transport, auth=("u", "p"))
            await navai.AsyncNavaiBackendClient(env={}, http_client=http).list_functions()
            await http.aclose()

        asyncio.run(main())
    assert backend.last.headers["authorization"].startswith("Basic ")
