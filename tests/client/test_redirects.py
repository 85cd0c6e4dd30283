"""Redirects, through the public clients: httpx2 follows them, and navai's own clients ask it to.

What callers rely on: a 303 after a POST is one GET (the function does not run twice), a
307/308 repeats the POST with its body, leaving the origin drops ``Authorization`` and a
caller's ``Cookie`` header, and a redirect loop ends in a NavaiError. Through a caller's
``http_client=``, redirects are that client's business: httpx2's default is not to follow.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

import navai
from tests.support import fault_server
from tests.support.drivers import Driver
from tests.support.fault_server import FaultServer

TOKEN = "Bearer tok-7c1d"
API = "http://api.test"
RESULT = {"ok": True, "function_name": "echo", "result": "pong"}
SECRET = {"value": "ek_redirected", "expires_at": 2_000_000_000}
LISTING = {"items": [{"name": "echo"}], "warnings": []}


class Redirector:
    """A MockTransport handler: ``routes`` maps a URL to ``(status, location)``; other URLs answer OK."""

    def __init__(self, routes: dict[str, tuple[int, str]]) -> None:
        self.routes = routes
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        route = self.routes.get(str(request.url))
        if route is not None:
            status, location = route
            return httpx2.Response(status, headers={"Location": location})
        path = request.url.path
        body = LISTING if path.endswith("/functions") else SECRET if "secret" in path else RESULT
        return httpx2.Response(200, json=body)

    def seen(self) -> list[tuple[str, str, bytes]]:
        return [(r.method, str(r.url), r.content) for r in self.requests]


@pytest.fixture(params=["own", "caller"])
def engine(request: pytest.FixtureRequest) -> str:
    """Whose httpx2 client follows: the one navai makes, or a caller's with follow_redirects=True."""
    return str(request.param)


@pytest.fixture
def make(kind: str, engine: str) -> Iterator[Callable[..., Driver]]:
    """``make(handler, **options)``: a client of this test's kind whose HTTP goes to ``handler``."""
    made: list[tuple[Driver, Any]] = []

    def build(handler: Redirector, **options: Any) -> Driver:
        transport = httpx2.MockTransport(handler)
        http: Any = None
        if engine == "own":
            options["transport"] = transport
        else:
            client_cls = httpx2.Client if kind == "sync" else httpx2.AsyncClient
            http = options["http_client"] = client_cls(transport=transport, follow_redirects=True)
        navai_cls = navai.NavaiBackendClient if kind == "sync" else navai.AsyncNavaiBackendClient
        driver = Driver(navai_cls(API, env={}, **options))
        made.append((driver, http))
        return driver

    yield build
    for driver, http in made:
        if http is not None and driver.is_async:
            driver._runner.run(http.aclose())  # type: ignore[union-attr]
        elif http is not None:
            http.close()
        driver.close()


EXECUTE = f"{API}/navai/functions/execute"


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirected_post_becomes_one_get_and_the_function_runs_once(
    make: Callable[..., Driver], status: int
) -> None:
    backend = Redirector({EXECUTE: (status, "/done")})
    client = make(backend)
    assert client.execute_function("echo", {"n": 1}) == "pong"
    assert backend.seen() == [
        ("POST", EXECUTE, b'{"function_name":"echo","payload":{"n":1}}'),
        ("GET", f"{API}/done", b""),
    ]
    assert "content-length" not in backend.requests[1].headers


@pytest.mark.parametrize("status", [307, 308])
def test_307_and_308_repeat_the_post_with_its_body(make: Callable[..., Driver], status: int) -> None:
    secret_url = f"{API}/navai/realtime/client-secret"
    backend = Redirector({EXECUTE: (status, "/moved/execute"), secret_url: (status, "/moved/secret")})
    client = make(backend)
    assert client.execute_function("echo", {"n": 1}) == "pong"
    assert client.create_client_secret(model="gpt-realtime").value == "ek_redirected"
    execute_body = json.dumps({"function_name": "echo", "payload": {"n": 1}}, separators=(",", ":"))
    secret_body = backend.requests[2].content
    assert json.loads(secret_body) == {"model": "gpt-realtime"}
    assert backend.seen() == [
        ("POST", EXECUTE, execute_body.encode()),
        ("POST", f"{API}/moved/execute", execute_body.encode()),
        ("POST", secret_url, secret_body),
        ("POST", f"{API}/moved/secret", secret_body),
    ]


def test_a_redirected_list_is_followed(make: Callable[..., Driver]) -> None:
    backend = Redirector({f"{API}/navai/functions": (301, "https://api.test/v2/functions")})
    assert make(backend).list_functions().names() == ["echo"]
    assert [r.url for r in backend.requests][-1] == "https://api.test/v2/functions"


@pytest.mark.parametrize(
    ("location", "keeps_authorization"),
    [
        ("/next", True),
        ("http://api.test:80/next", True),  # the same origin, spelled out
        ("https://api.test/next", True),  # the same host moving to https, as httpx2 allows
        ("http://elsewhere.test/next", False),
        ("http://api.test:8080/next", False),
        ("https://api.test:8443/next", False),
    ],
)
@pytest.mark.parametrize("auth_from", ["headers", "auth"])
def test_leaving_the_origin_drops_authorization_and_the_callers_cookie(
    make: Callable[..., Driver], location: str, keeps_authorization: bool, auth_from: str
) -> None:
    backend = Redirector({EXECUTE: (307, location)})
    if auth_from == "headers":
        client = make(backend, headers={"Authorization": TOKEN})
        sent = TOKEN
    else:
        client = make(backend, auth=("user", "secret"))
        sent = httpx2.BasicAuth("user", "secret")._auth_header
    assert client.execute_function("echo", headers={"Cookie": "session=s3cr3t", "X-Trace": "t1"}) == "pong"
    first, moved = backend.requests
    assert (first.headers["authorization"], first.headers["cookie"]) == (sent, "session=s3cr3t")
    assert moved.headers.get("authorization") == (sent if keeps_authorization else None)
    if not keeps_authorization:
        assert "cookie" not in moved.headers
        assert moved.headers["host"] == httpx2.URL(location).netloc.decode()
    assert moved.headers["x-trace"] == "t1", "other headers go on"


def test_a_redirect_loop_is_a_navai_error(make: Callable[..., Driver]) -> None:
    backend = Redirector({EXECUTE: (307, EXECUTE), f"{API}/navai/functions": (302, "/navai/functions")})
    client = make(backend)
    with pytest.raises(navai.NavaiConnectionError, match="redirects") as caught:
        client.execute_function("echo")
    assert (caught.value.method, caught.value.url) == ("POST", EXECUTE)
    assert len(backend.requests) == 21, "the first request and httpx2's 20 redirects"
    listing = client.list_functions()
    assert listing.failed
    assert listing.warnings[0].startswith("[navai] Failed to load backend functions: Request failed: GET ")


@pytest.mark.parametrize("status", [300, 304, 305])
def test_redirect_statuses_httpx2_does_not_follow_are_answers(
    make: Callable[..., Driver], status: int
) -> None:
    backend = Redirector({EXECUTE: (status, "/elsewhere")})
    with pytest.raises(navai.NavaiHTTPError) as caught:
        make(backend).execute_function("echo")
    assert caught.value.status_code == status
    assert caught.value.headers["location"] == "/elsewhere"
    assert len(backend.requests) == 1


def test_a_callers_client_that_does_not_follow_gets_the_redirect_as_an_http_error(kind: str) -> None:
    """httpx2's default is follow_redirects=False: navai does not follow on the caller's behalf."""
    backend = Redirector({EXECUTE: (303, "/done")})
    transport = httpx2.MockTransport(backend)
    if kind == "sync":
        with httpx2.Client(transport=transport) as http, pytest.raises(navai.NavaiHTTPError) as caught:
            navai.NavaiBackendClient(API, env={}, http_client=http).execute_function("echo")
    else:

        async def main() -> None:
            async with httpx2.AsyncClient(transport=transport) as http:
                await navai.AsyncNavaiBackendClient(API, env={}, http_client=http).execute_function("echo")

        with pytest.raises(navai.NavaiHTTPError) as caught:
            asyncio.run(main())
    assert (caught.value.status_code, caught.value.headers["location"]) == (303, "/done")
    assert [r.method for r in backend.requests] == ["POST"]


# -- over real sockets, on every engine ------------------------------------------------------

ENGINES = [("sync", "default"), ("async", "default"), ("async", "aiohttp")]


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FaultServer, FaultServer]]:
    with FaultServer() as first, FaultServer() as other:
        yield first, other


def run(kind: str, engine: str, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """``method`` on a fresh client of this kind and engine, over real sockets."""
    if kind == "sync":
        with navai.NavaiBackendClient(url, env={}) as client:
            return getattr(client, method)(*args, **kwargs)

    async def main() -> Any:
        http = navai.DefaultAioHttpClient() if engine == "aiohttp" else None
        try:
            async with navai.AsyncNavaiBackendClient(url, env={}, http_client=http) as client:
                return await getattr(client, method)(*args, **kwargs)
        finally:
            if http is not None:
                await http.aclose()

    return asyncio.run(main())


@pytest.mark.parametrize(("kind", "engine"), ENGINES)
def test_over_sockets_a_303_after_a_post_is_one_get(
    servers: tuple[FaultServer, FaultServer], kind: str, engine: str
) -> None:
    server, _ = servers
    before = len(server.requests)
    assert run(kind, engine, f"{server.url}/see_other", "execute_function", "echo", {"n": 1}) == "pong"
    assert server.requests[before:] == [
        "POST /see_other/navai/functions/execute",
        "GET /ok/navai/functions/execute",
    ]
    assert server.bodies[before + 1] == b""


@pytest.mark.parametrize(("kind", "engine"), ENGINES)
def test_over_sockets_a_307_to_another_origin_repeats_the_post_without_credentials(
    servers: tuple[FaultServer, FaultServer], kind: str, engine: str
) -> None:
    server, other = servers
    server.redirect_base = other.url
    try:
        before, other_before = len(server.requests), len(other.requests)
        headers = {"Authorization": TOKEN, "Cookie": "session=s3cr3t"}
        result = run(
            kind, engine, f"{server.url}/redirect", "execute_function", "echo", {"n": 1}, headers=headers
        )
    finally:
        server.redirect_base = ""
    assert result == "pong"
    assert server.requests[before:] == ["POST /redirect/navai/functions/execute"]
    assert other.requests[other_before:] == ["POST /ok/navai/functions/execute"]
    assert (
        other.bodies[other_before] == server.bodies[before] == b'{"function_name":"echo","payload":{"n":1}}'
    )
    first = {line.partition(":")[0].lower() for line in server.heads[before]}
    moved = {line.partition(":")[0].lower() for line in other.heads[other_before]}
    assert {"authorization", "cookie"} <= first
    assert not {"authorization", "cookie"} & moved


@pytest.mark.parametrize(("kind", "engine"), ENGINES)
def test_over_sockets_a_300_is_an_answer(
    servers: tuple[FaultServer, FaultServer], kind: str, engine: str
) -> None:
    server, _ = servers
    before = len(server.requests)
    with pytest.raises(navai.NavaiHTTPError) as caught:
        run(kind, engine, f"{server.url}/multiple_choices", "execute_function", "echo")
    assert caught.value.status_code == 300
    assert server.requests[before:] == ["POST /multiple_choices/navai/functions/execute"]


@pytest.mark.parametrize(("kind", "engine"), ENGINES)
def test_over_sockets_a_redirect_to_another_scheme_is_a_navai_error(
    servers: tuple[FaultServer, FaultServer], kind: str, engine: str
) -> None:
    server, _ = servers
    server.redirect_base = "ftp://127.0.0.1:21"
    try:
        before = len(server.requests)
        with pytest.raises(navai.NavaiConnectionError, match=r"^Request failed: POST "):
            run(kind, engine, f"{server.url}/redirect", "execute_function", "echo")
    finally:
        server.redirect_base = ""
    assert server.requests[before:] == ["POST /redirect/navai/functions/execute"]


@pytest.mark.parametrize(("kind", "engine"), [("sync", "default"), ("async", "default")])
def test_over_sockets_redirects_share_the_attempts_time_budget(
    servers: tuple[FaultServer, FaultServer], kind: str, engine: str
) -> None:
    """One attempt never takes longer than connect + read timeout in all (the clients' promise),
    redirects included: hops that each answer well inside the read timeout do not add up past it."""
    server, _ = servers
    timeout = httpx2.Timeout(0.5, connect=0.5)
    started = time.monotonic()
    with pytest.raises(navai.NavaiTimeoutError):
        run(kind, engine, f"{server.url}/slow_redirect", "execute_function", "echo", timeout=timeout)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 2 * fault_server.SLOW_REDIRECT_SECONDS + 1.0, f"{elapsed:.1f} s"
