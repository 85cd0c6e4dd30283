"""Fixtures for the navai.server tests: the Python twin of tests/backend, driven in process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest

from navai.server import NavaiVoiceBackendOptions, create_navai_app
from navai.testing import FakeOpenAI
from tests.support import skips
from tests.support.py_backend_harness import PY_BACKEND_DIR, SessionBackends, session_backends


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_openai() -> FakeOpenAI:
    return FakeOpenAI(value="ek_test", expires_at=1730000000)


@pytest.fixture
def make_client(fake_openai: FakeOpenAI) -> Callable[..., httpx2.AsyncClient]:
    """``make_client(**create_navai_app options)``: an async client on the app, no sockets."""

    def make(**options: Any) -> httpx2.AsyncClient:
        options.setdefault("env", {"NAVAI_FUNCTIONS_BASE_DIR": str(PY_BACKEND_DIR)})
        options.setdefault("backend_options", NavaiVoiceBackendOptions(openai_api_key=" sk-server "))
        options.setdefault("openai_client", fake_openai.client())
        app = create_navai_app(**options)
        return httpx2.AsyncClient(transport=httpx2.ASGITransport(app), base_url="http://navai.test")

    return make


@pytest.fixture
async def client(make_client: Callable[..., httpx2.AsyncClient]) -> AsyncIterator[httpx2.AsyncClient]:
    async with make_client() as http:
        yield http


@pytest.fixture(scope="session")
def both(request: pytest.FixtureRequest) -> SessionBackends:
    """The Node backend and ``navai serve`` of this session, minting from one stand-in (skipped
    without node, except under CI)."""
    skips.require_node()
    return session_backends(request.config, node=True)
