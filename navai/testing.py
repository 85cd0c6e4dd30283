"""Test helpers: a NAVAI backend in process, with no sockets, and a loopback server.

::

    import httpx2
    from navai import NavaiBackendClient
    from navai.testing import SyncASGITransport, create_test_app

    def add(a: int, b: int) -> int:
        return a + b

    app = create_test_app(functions=[add])
    with NavaiBackendClient("http://navai.test", transport=SyncASGITransport(app)) as client:
        assert client.execute_function("add", {"args": [2, 3]}) == 5

``httpx2.ASGITransport(app)`` serves the async client; :class:`SyncASGITransport`
serves the sync one (httpx2 has no sync ASGI transport). :func:`serve` runs an app on
a free ``127.0.0.1`` port for tools that need a URL.

It needs the server extra (``pip install 'navai[server]'``); without Starlette, importing
it raises `navai.NavaiMissingExtraError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx2

from ._extras import needs_extra

with needs_extra("server", "navai.testing"):
    import starlette  # noqa: F401  (create_test_app is navai.server's app)

from .server import FunctionRegistry, NavaiVoiceBackendOptions, create_navai_app

__all__ = ["FakeOpenAI", "SyncASGITransport", "create_test_app", "serve"]

_counter = itertools.count(1)


class FakeOpenAI:
    """A stand-in for OpenAI's client-secret endpoint, as an ``httpx2`` transport.

    Answers ``POST .../realtime/client_secrets`` with ``value`` (default
    ``ek_test_<n>``) and ``expires_at`` (default now + the requested TTL), or with
    ``status``/``error`` when given. ``requests`` keeps each JSON body it received.
    """

    def __init__(
        self,
        *,
        value: str | Callable[[], str] | None = None,
        expires_at: int | None = None,
        status: int = 200,
        error: Any = None,
    ) -> None:
        self.value = value
        self.expires_at = expires_at
        self.status = status
        self.error = error
        self.requests: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return f"FakeOpenAI(status={self.status}, requests={len(self.requests)})"

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        """Answer one upstream request."""
        if request.method != "POST" or not request.url.path.endswith("/realtime/client_secrets"):
            return httpx2.Response(404, json={"error": {"message": "not found"}})
        body = json.loads(request.content or b"{}")
        self.requests.append(body)
        if self.status >= 300:
            error = self.error if self.error is not None else {"error": {"message": "fake failure"}}
            return httpx2.Response(self.status, json=error)
        value = self.value() if callable(self.value) else self.value
        seconds = (body.get("expires_after") or {}).get("seconds") or 600
        return httpx2.Response(
            200,
            json={
                "value": value or f"ek_test_{next(_counter)}",
                "expires_at": self.expires_at if self.expires_at is not None else int(time.time()) + seconds,
                "session": body.get("session", {}),
            },
        )

    def client(self) -> Any:
        """An ``openai.AsyncOpenAI`` whose calls this fake answers."""
        import openai

        return openai.AsyncOpenAI(
            api_key="unset",
            base_url="http://openai.test/v1",
            max_retries=0,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle)),
        )


def create_test_app(
    functions: FunctionRegistry | Iterable[Callable[..., Any]] = (),
    *,
    client_secret: FakeOpenAI | None = None,
    backend_options: NavaiVoiceBackendOptions | None = None,
    **options: Any,
) -> Any:
    """A NAVAI app over ``functions`` with a fake OpenAI; the environment is not read.

    ``client_secret`` defaults to a fresh :class:`FakeOpenAI` (reachable as
    ``app.state.fake_openai``); other keyword options go to ``create_navai_app``.
    """
    fake = client_secret or FakeOpenAI()
    app = create_navai_app(
        env=options.pop("env", {}),
        backend_options=backend_options or NavaiVoiceBackendOptions(openai_api_key="sk-test-navai"),
        functions=functions,
        openai_client=fake.client(),
        **options,
    )
    app.state.fake_openai = fake
    return app


class SyncASGITransport(httpx2.BaseTransport):
    """``httpx2.ASGITransport`` for sync clients: the app runs on a private event loop.

    The loop lives in a daemon thread, started on first use and stopped by ``close()``
    (which the ``httpx2.Client`` using this transport calls when it closes).
    """

    def __init__(self, app: Any, **options: Any) -> None:
        self._transport = httpx2.ASGITransport(app, **options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="navai-testing-asgi", daemon=True).start()
                self._loop = loop
            return self._loop

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Run the request through the app and return the fully read response."""
        content = request.read()
        forwarded = httpx2.Request(request.method, request.url, headers=request.headers, content=content)

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._transport.handle_async_request(forwarded)
            body = await response.aread()
            return response.status_code, response.headers.raw, body

        status, headers, body = asyncio.run_coroutine_threadsafe(call(), self._get_loop()).result()
        return httpx2.Response(status, headers=headers, content=body, request=request)

    def close(self) -> None:
        """Stop the event loop thread."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)


@contextlib.contextmanager
def serve(app: Any, *, port: int | None = None, timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on ``127.0.0.1`` in a background thread; yields the base URL."""
    from .server._serve import make_server

    server = make_server(app, port=port or 0, log_level="warning")
    server.config.timeout_graceful_shutdown = 1
    thread = threading.Thread(target=server.run, name="navai-testing-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"navai.testing.serve: the server did not start on port {server.config.port}")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else server.config.port
    try:
        yield f"http://127.0.0.1:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout)
