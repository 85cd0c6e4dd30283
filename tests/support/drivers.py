"""Both clients through one API, and MockTransport handlers that answer and keep the requests.

``Driver`` drives a sync or an async client through one synchronous API, so each client test
covers both twins (``tests/client/conftest.py``'s ``make_driver`` fixture makes them);
``Recorder``, ``json_response`` and ``raw_response`` are the handlers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx2

import navai

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
