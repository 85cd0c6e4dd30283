"""The client tests' fixtures: every behaviour test runs against both the sync and the async client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

import navai
from tests.support.drivers import Driver, Handler


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
