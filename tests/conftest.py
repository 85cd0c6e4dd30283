"""Shared fixtures: every behaviour test runs against both the sync and the async client."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import Any

import backend_harness
import httpx2
import pytest

import navai
from navai import _core

Handler = Callable[[httpx2.Request], httpx2.Response]


class Driver:
    """Drives either client through one synchronous API, so each test covers both twins."""

    def __init__(self, client: navai.NavaiBackendClient | navai.AsyncNavaiBackendClient) -> None:
        self.client = client
        self._runner = asyncio.Runner() if isinstance(client, navai.AsyncNavaiBackendClient) else None

    @property
    def is_async(self) -> bool:
        return self._runner is not None

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if self._runner is None or not callable(attr):
            return attr
        runner = self._runner

        def call(*args: Any, **kwargs: Any) -> Any:
            return runner.run(attr(*args, **kwargs))

        return call

    def close(self) -> None:
        if self._runner is None:
            self.client.close()  # type: ignore[union-attr]
        else:
            self._runner.run(self.client.aclose())  # type: ignore[union-attr]
            self._runner.close()


@pytest.fixture(autouse=True)
def _fast_retry_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the default retry counts, but back off in milliseconds so the suite stays fast."""
    monkeypatch.setattr(_core, "RETRY_BASE_DELAY", 0.001)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["own", "caller"])
def via(request: pytest.FixtureRequest) -> str:
    """Whose httpx2 client a test's calls go through: the one navai makes, or the caller's."""
    return str(request.param)


@pytest.fixture
def make_driver(kind: str, via: str) -> Iterator[Callable[..., Driver]]:
    """``make_driver(handler=None, **client_options)``: a `Driver` over the client of this test's kind.

    With a handler, the client's HTTP goes through ``httpx2.MockTransport(handler)``: as
    ``transport=`` of the httpx2 client navai makes (``via == "own"``), or inside a caller's
    ``http_client=`` (``via == "caller"``). ``env`` defaults to ``{}`` so the machine's
    ``NAVAI_API_URL`` never leaks in.
    """
    drivers: list[Driver] = []
    http_clients: list[Any] = []

    def make(handler: Handler | None = None, /, **options: Any) -> Driver:
        options.setdefault("env", {})
        if handler is not None:
            transport = httpx2.MockTransport(handler)
            if via == "own":
                options["transport"] = transport
            else:
                options["http_client"] = (
                    httpx2.Client(transport=transport)
                    if kind == "sync"
                    else httpx2.AsyncClient(transport=transport)
                )
                http_clients.append(options["http_client"])
        client_cls = navai.NavaiBackendClient if kind == "sync" else navai.AsyncNavaiBackendClient
        driver = Driver(client_cls(**options))
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()


class Recorder:
    """A MockTransport handler that answers every request from ``respond`` and keeps the requests."""

    def __init__(self, respond: Handler) -> None:
        self._respond = respond
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        return self._respond(request)

    @property
    def last(self) -> httpx2.Request:
        return self.requests[-1]


def json_response(status: int, body: Any) -> Recorder:
    return Recorder(lambda _request: httpx2.Response(status, json=body))


def raw_response(status: int, content: bytes | str, content_type: str = "application/json") -> Recorder:
    return Recorder(
        lambda _request: httpx2.Response(status, content=content, headers={"content-type": content_type})
    )


def _missing(reason: str) -> None:
    """Live tests skip where node/npm are missing, except under CI, where that is a failure."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI requires the live NAVAI backend: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_backend() -> Iterator[backend_harness.Backend]:
    """The real NAVAI backend (tests/backend), started once on 127.0.0.1 and stopped by its pid."""
    reason = backend_harness.node_missing_reason()
    if reason is not None:
        _missing(reason)
    backend_harness.ensure_installed()
    with backend_harness.Backend.start() as backend:
        yield backend
