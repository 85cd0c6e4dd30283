"""Context managers and ownership of the underlying HTTP client."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

import navai


def ok_transport() -> httpx2.MockTransport:
    return httpx2.MockTransport(lambda request: httpx2.Response(200, json={"ok": True, "result": 1}))


def test_sync_client_closes_only_what_it_created() -> None:
    with navai.NavaiBackendClient(env={}, transport=ok_transport()) as client:
        assert client.execute_function("f") == 1
        owned = client._http_client
    assert owned is not None
    assert owned.is_closed

    mine = httpx2.Client(transport=ok_transport())
    with navai.NavaiBackendClient(env={}, http_client=mine) as client:
        assert client.execute_function("f") == 1
    assert not mine.is_closed
    assert navai.NavaiBackendClient(env={}, http_client=mine).execute_function("f") == 1
    mine.close()


def test_async_client_closes_only_what_it_created() -> None:
    async def main() -> None:
        async with navai.AsyncNavaiBackendClient(env={}, transport=ok_transport()) as client:
            assert await client.execute_function("f") == 1
            owned = client._http_client
        assert owned is not None
        assert owned.is_closed

        mine = httpx2.AsyncClient(transport=ok_transport())
        async with navai.AsyncNavaiBackendClient(env={}, http_client=mine) as client:
            assert await client.execute_function("f") == 1
        assert not mine.is_closed
        await mine.aclose()

    asyncio.run(main())


def test_a_closed_client_raises_a_navai_error() -> None:
    client = navai.NavaiBackendClient(env={})
    client.close()
    with pytest.raises(navai.NavaiConnectionError):
        client.execute_function("f")
    assert client.list_functions().warnings[0].startswith("[navai] Failed to load backend functions: ")


def test_client_repr_shows_the_url_only() -> None:
    client = navai.NavaiBackendClient(
        "https://api.example", env={}, headers={"Authorization": "Bearer tok-123"}
    )
    assert repr(client) == "NavaiBackendClient(api_base_url='https://api.example')"
    client.close()
