"""The test tools users already have work on navai's default clients, sync and async.

No ``http_client=`` unless a test says so: navai makes its own httpx2 client, and each
tool below still sees (records, replays, routes, answers) its calls:

* vcrpy: record a cassette from a real server on loopback, replay it with the server gone;
* respx, through pytest-httpx2's ``httpx2_mock`` fixture;
* ``httpx2.MockTransport`` as ``transport=``;
* ``httpx2.ASGITransport`` (async) and ``httpx2.WSGITransport`` (sync) as ``transport=``,
  in front of a small plain ASGI / WSGI app.

Each test is written the way a user would write it; the README's "Testing code that uses
navai" section is taken from them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest
import respx
import vcr

import navai

SECRET = "ek_test_0123456789"
EXPIRES_AT = 2_000_000_000


def backend_answer(path: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """What a NAVAI backend answers on ``path``: the three routes, with one ``echo`` function."""
    if path == "/navai/realtime/client-secret":
        return 200, {"value": SECRET, "expires_at": EXPIRES_AT, "speech": {"provider": "openai"}}
    if path == "/navai/functions":
        return 200, {"items": [{"name": "echo", "description": "Echo the payload"}], "warnings": []}
    if path == "/navai/functions/execute":
        request = json.loads(body)
        if request["function_name"] != "echo":
            return 404, {"error": "Unknown or disallowed function.", "available_functions": ["echo"]}
        return 200, {"ok": True, "function_name": "echo", "source": "tests", "result": request["payload"]}
    return 404, {"error": f"Cannot serve {path}"}


# -- the code under test: what a user's application does with navai -------------------


def use_navai(client: navai.NavaiBackendClient) -> tuple[str, list[str], Any]:
    secret = client.create_client_secret(voice="marin")
    names = client.list_functions().names()
    result = client.execute_function("echo", {"value": "hi"})
    return secret.value, names, result


async def use_navai_async(client: navai.AsyncNavaiBackendClient) -> tuple[str, list[str], Any]:
    secret = await client.create_client_secret(voice="marin")
    names = (await client.list_functions()).names()
    result = await client.execute_function("echo", {"value": "hi"})
    return secret.value, names, result


EXPECTED = (SECRET, ["echo"], {"value": "hi"})


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- vcrpy -------------------------------------------------------------------------------


class LocalBackend:
    """A NAVAI-shaped HTTP server on 127.0.0.1 (a free port), in a thread; `stop` ends it."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.answer(b"")

            def do_POST(self) -> None:
                self.answer(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def answer(self, body: bytes) -> None:
                status, payload = backend_answer(self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.running = False
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()


@pytest.fixture
def local_backend() -> Iterator[LocalBackend]:
    backend = LocalBackend()
    yield backend
    backend.stop()


# Execute calls differ only by their body: match on it, so each replays its own answer.
MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")


def test_vcrpy_records_and_replays(tmp_path: Path, local_backend: LocalBackend) -> None:
    cassette = str(tmp_path / "navai.yaml")

    # No cassette yet: vcrpy records what the backend answers.
    with (
        vcr.use_cassette(cassette, match_on=MATCH_ON) as recording,
        navai.NavaiBackendClient(local_backend.url) as client,
    ):
        assert use_navai(client) == EXPECTED
    assert len(recording) == 3

    local_backend.stop()  # from here on, only the cassette can answer

    with (
        vcr.use_cassette(cassette, match_on=MATCH_ON, record_mode="none") as replay,
        navai.NavaiBackendClient(local_backend.url) as client,
    ):
        assert use_navai(client) == EXPECTED
    assert replay.play_count == 3
    assert replay.all_played


@pytest.mark.anyio
async def test_vcrpy_records_and_replays_async(tmp_path: Path, local_backend: LocalBackend) -> None:
    cassette = str(tmp_path / "navai.yaml")

    with vcr.use_cassette(cassette, match_on=MATCH_ON) as recording:
        async with navai.AsyncNavaiBackendClient(local_backend.url) as client:
            assert await use_navai_async(client) == EXPECTED
    assert len(recording) == 3

    local_backend.stop()

    with vcr.use_cassette(cassette, match_on=MATCH_ON, record_mode="none") as replay:
        async with navai.AsyncNavaiBackendClient(local_backend.url) as client:
            assert await use_navai_async(client) == EXPECTED
    assert replay.play_count == 3
    assert replay.all_played


def test_vcrpy_with_your_own_http_client(tmp_path: Path, local_backend: LocalBackend) -> None:
    cassette = str(tmp_path / "navai.yaml")
    with vcr.use_cassette(cassette, match_on=MATCH_ON), httpx2.Client() as http_client:
        client = navai.NavaiBackendClient(local_backend.url, http_client=http_client)
        assert use_navai(client) == EXPECTED
    local_backend.stop()
    with (
        vcr.use_cassette(cassette, match_on=MATCH_ON, record_mode="none") as replay,
        httpx2.Client() as http_client,
    ):
        client = navai.NavaiBackendClient(local_backend.url, http_client=http_client)
        assert use_navai(client) == EXPECTED
    assert replay.play_count == 3


def test_a_replay_without_a_matching_recording_fails_as_a_navai_error(
    tmp_path: Path, local_backend: LocalBackend
) -> None:
    """A call the cassette does not hold is refused by vcrpy, and reaches the caller as a NavaiError."""
    cassette = str(tmp_path / "navai.yaml")
    with vcr.use_cassette(cassette, match_on=MATCH_ON), navai.NavaiBackendClient(local_backend.url) as client:
        client.list_functions()
    local_backend.stop()
    with (
        vcr.use_cassette(cassette, match_on=MATCH_ON, record_mode="none"),
        navai.NavaiBackendClient(local_backend.url) as client,
        pytest.raises(navai.NavaiConnectionError),
    ):
        client.execute_function("echo", {"value": "never recorded"})


# -- respx, through pytest-httpx2's httpx2_mock fixture -----------------------------------


def route_navai(httpx2_mock: respx.Router) -> tuple[respx.Route, respx.Route, respx.Route]:
    secret = httpx2_mock.post("http://backend.test/navai/realtime/client-secret").respond(
        json={"value": SECRET, "expires_at": EXPIRES_AT}
    )
    functions = httpx2_mock.get("http://backend.test/navai/functions").respond(
        json={"items": [{"name": "echo"}], "warnings": []}
    )
    execute = httpx2_mock.post("http://backend.test/navai/functions/execute").respond(
        json={"ok": True, "function_name": "echo", "result": {"value": "hi"}}
    )
    return secret, functions, execute


def test_respx(httpx2_mock: respx.Router) -> None:
    secret, functions, execute = route_navai(httpx2_mock)

    with navai.NavaiBackendClient("http://backend.test") as client:
        assert use_navai(client) == EXPECTED

    assert secret.call_count == functions.call_count == execute.call_count == 1
    assert json.loads(secret.calls.last.request.content) == {"voice": "marin"}
    assert json.loads(execute.calls.last.request.content) == {
        "function_name": "echo",
        "payload": {"value": "hi"},
    }


@pytest.mark.anyio
async def test_respx_async(httpx2_mock: respx.Router) -> None:
    secret, functions, execute = route_navai(httpx2_mock)

    async with navai.AsyncNavaiBackendClient("http://backend.test") as client:
        assert await use_navai_async(client) == EXPECTED

    assert secret.call_count == functions.call_count == execute.call_count == 1
    assert json.loads(execute.calls.last.request.content)["function_name"] == "echo"


def test_respx_errors_reach_the_caller_as_navai_errors(httpx2_mock: respx.Router) -> None:
    httpx2_mock.post("http://backend.test/navai/functions/execute").respond(
        404, json={"error": "Unknown or disallowed function.", "available_functions": ["echo"]}
    )
    # An exception instance: respx builds an exception *class* the way httpx (not httpx2) wants.
    httpx2_mock.get("http://backend.test/navai/functions").mock(side_effect=httpx2.ConnectError("refused"))

    with navai.NavaiBackendClient("http://backend.test", max_retries=0) as client:
        with pytest.raises(navai.NavaiHTTPError) as info:
            client.execute_function("nope")
        assert info.value.status_code == 404
        assert info.value.available_functions == ["echo"]
        assert client.list_functions().warnings == [
            "[navai] Failed to load backend functions: "
            "Request failed: GET http://backend.test/navai/functions: refused"
        ]


def test_respx_with_your_own_http_client(httpx2_mock: respx.Router) -> None:
    functions = httpx2_mock.get("http://backend.test/navai/functions").respond(
        json={"items": [{"name": "echo"}], "warnings": []}
    )
    with httpx2.Client() as http_client:
        client = navai.NavaiBackendClient("http://backend.test", http_client=http_client)
        assert client.list_functions().names() == ["echo"]
    assert functions.called


# -- httpx2.MockTransport ----------------------------------------------------------------


def navai_backend(request: httpx2.Request) -> httpx2.Response:
    """A MockTransport handler standing in for a NAVAI backend."""
    status, payload = backend_answer(request.url.path, request.content)
    return httpx2.Response(status, json=payload)


def test_mock_transport() -> None:
    with navai.NavaiBackendClient(
        "http://backend.test", transport=httpx2.MockTransport(navai_backend)
    ) as client:
        assert use_navai(client) == EXPECTED
        with pytest.raises(navai.NavaiHTTPError) as info:
            client.execute_function("nope")
        assert info.value.available_functions == ["echo"]


@pytest.mark.anyio
async def test_mock_transport_async() -> None:
    transport = httpx2.MockTransport(navai_backend)
    async with navai.AsyncNavaiBackendClient("http://backend.test", transport=transport) as client:
        assert await use_navai_async(client) == EXPECTED


def test_mock_transport_sees_what_navai_sends() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return navai_backend(request)

    with navai.NavaiBackendClient(
        "http://backend.test", transport=httpx2.MockTransport(handler), headers={"X-App": "demo"}
    ) as client:
        client.execute_function("echo", {"value": "hi"})

    (request,) = seen
    assert request.method == "POST"
    assert request.url == "http://backend.test/navai/functions/execute"
    assert request.headers["X-App"] == "demo"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"function_name": "echo", "payload": {"value": "hi"}}


def test_mock_transport_in_your_own_http_client() -> None:
    with httpx2.Client(transport=httpx2.MockTransport(navai_backend)) as http_client:
        client = navai.NavaiBackendClient("http://backend.test", http_client=http_client)
        assert use_navai(client) == EXPECTED


@pytest.mark.anyio
async def test_mock_transport_in_your_own_http_client_async() -> None:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(navai_backend)) as http_client:
        client = navai.AsyncNavaiBackendClient("http://backend.test", http_client=http_client)
        assert await use_navai_async(client) == EXPECTED


# -- httpx2.ASGITransport (async) and httpx2.WSGITransport (sync) ----------------------------


async def navai_asgi_app(scope: Any, receive: Any, send: Any) -> None:
    """A plain ASGI app standing in for a NAVAI backend."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    status, payload = backend_answer(scope["path"], body)
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


@pytest.mark.anyio
async def test_asgi_transport() -> None:
    transport = httpx2.ASGITransport(app=navai_asgi_app)
    async with navai.AsyncNavaiBackendClient("http://backend.test", transport=transport) as client:
        assert await use_navai_async(client) == EXPECTED
        with pytest.raises(navai.NavaiHTTPError) as info:
            await client.execute_function("nope")
        assert info.value.status_code == 404


@pytest.mark.anyio
async def test_asgi_transport_in_your_own_http_client() -> None:
    transport = httpx2.ASGITransport(app=navai_asgi_app)
    async with httpx2.AsyncClient(transport=transport) as http_client:
        client = navai.AsyncNavaiBackendClient("http://backend.test", http_client=http_client)
        assert await use_navai_async(client) == EXPECTED


def navai_wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A plain WSGI app standing in for a NAVAI backend (the sync twin of ASGITransport's)."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    status, payload = backend_answer(environ["PATH_INFO"], body)
    start_response(f"{status} X", [("Content-Type", "application/json")])
    return [json.dumps(payload).encode()]


def test_wsgi_transport() -> None:
    transport = httpx2.WSGITransport(app=navai_wsgi_app)
    with navai.NavaiBackendClient("http://backend.test", transport=transport) as client:
        assert use_navai(client) == EXPECTED
