"""`navai.DefaultAioHttpClient`: httpx2 on httpx-aiohttp's transport, with navai's defaults and limits."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable

import httpx2
import pytest
from httpx_aiohttp.httpx2 import AiohttpTransport

import navai
from tests.support import backend_harness

from .test_transport import FAST, LIMIT, SocketServer, bomb, gzip_head, serve, trickled_body

__all__ = ["bomb", "serve"]  # fixtures shared with test_transport


def test_defaults() -> None:
    async def main() -> None:
        http_client = navai.DefaultAioHttpClient()
        try:
            assert isinstance(http_client, httpx2.AsyncClient)
            assert http_client.timeout == navai.DEFAULT_TIMEOUT
            assert http_client.follow_redirects is True
            transport = http_client._transport
            assert isinstance(transport, navai.AsyncLimitedTransport)
            aiohttp_transport = transport.transport.transport  # under navai's error remapping
            assert isinstance(aiohttp_transport, AiohttpTransport)
            assert aiohttp_transport.limits.max_connections == navai.DEFAULT_MAX_CONNECTIONS
            assert aiohttp_transport.limits.max_keepalive_connections == navai.DEFAULT_MAX_CONNECTIONS
        finally:
            await http_client.aclose()

    asyncio.run(main())


def test_keywords_are_httpx2_async_client_keywords() -> None:
    async def main() -> None:
        async with navai.DefaultAioHttpClient(timeout=3.0, follow_redirects=False) as http_client:
            assert http_client.timeout == httpx2.Timeout(3.0)
            assert http_client.follow_redirects is False
            assert isinstance(http_client._transport, navai.AsyncLimitedTransport)

    asyncio.run(main())


@pytest.mark.live
def test_calls_through_it_reach_the_real_backend(live_backend: backend_harness.Backend) -> None:
    async def main() -> None:
        http_client = navai.DefaultAioHttpClient()
        async with navai.AsyncNavaiBackendClient(live_backend.url, http_client=http_client, env={}) as client:
            secret = await client.create_client_secret(voice="marin")
            assert secret.value.startswith("ek_")
            assert secret.extra == {"speech": {"provider": "openai"}}
            assert "say_hello" in (await client.list_functions()).names()
            assert await client.execute_function("say_hello", {"value": "Ana"}) == "Hello, Ana!"
            sums = await asyncio.gather(
                *(client.execute_function("add", {"args": [i, 1]}) for i in range(20))
            )
            assert sums == list(range(1, 21))
            with pytest.raises(navai.NavaiHTTPError) as info:
                await client.execute_function("no_such_function")
            assert info.value.status_code == 404
            assert "say_hello" in (info.value.available_functions or [])
        assert not http_client.is_closed, "the caller owns it"
        await http_client.aclose()

    asyncio.run(main())


def test_its_transport_enforces_the_size_limit(bomb: bytes, serve: Callable[..., SocketServer]) -> None:
    server = serve(lambda conn, _stopped: conn.sendall(gzip_head(len(bomb)) + bomb))

    async def main() -> None:
        async with navai.DefaultAioHttpClient() as http_client:
            client = navai.AsyncNavaiBackendClient(
                server.url, http_client=http_client, max_response_bytes=LIMIT
            )
            with pytest.raises(navai.NavaiInvalidResponseError, match=f"exceeds {LIMIT} bytes"):
                await client.execute_function("f")

    asyncio.run(main())


def test_its_transport_enforces_the_time_budget(serve: Callable[..., SocketServer]) -> None:
    server = serve(trickled_body)

    async def main() -> float:
        async with navai.DefaultAioHttpClient(timeout=FAST) as http_client:
            client = navai.AsyncNavaiBackendClient(server.url, http_client=http_client, timeout=FAST)
            started = time.monotonic()
            with pytest.raises(navai.NavaiTimeoutError, match="response body still arriving"):
                await client.execute_function("f")
            return time.monotonic() - started

    assert asyncio.run(main()) < 1.0


def test_without_the_extra_it_names_the_extra() -> None:
    """``httpx_aiohttp`` hidden, as if ``navai[aiohttp]`` were not installed: navai still works."""
    script = """
import sys
sys.modules["httpx_aiohttp"] = None  # import httpx_aiohttp now raises ImportError
import asyncio
import httpx2
import navai

try:
    navai.DefaultAioHttpClient()
except navai.NavaiError as error:
    print(type(error).__name__, error)

async def main():
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, json={"ok": True, "result": 7}))
    async with navai.AsyncNavaiBackendClient("http://backend.test", transport=transport) as client:
        print("async client works:", await client.execute_function("f"))

asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "NavaiMissingExtraError navai.DefaultAioHttpClient needs the aiohttp extra "
        "(httpx_aiohttp.httpx2 is missing): pip install 'navai[aiohttp]'",
        "async client works: 7",
    ]
