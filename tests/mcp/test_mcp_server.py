"""navai.mcp through the ``mcp`` SDK's own client, over its JSON-RPC wire format in process.

The server's tools and answers are compared with what NAVAI's agent runtime would give a
voice model for the same calls: an MCP client must see exactly that.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import mcp
import pytest

from navai import AsyncNavaiBackendClient, NavaiBackendClient
from navai.agent import Route, create_agent_runtime, direct_alias_tools
from navai.mcp import create_mcp_server
from navai.testing import SyncASGITransport, create_test_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def greet(name: str) -> str:
    """Greets someone."""
    return f"Hello, {name}!"


def explode() -> None:
    """Always fails."""
    raise RuntimeError("kaboom")


def nothing() -> None:
    """Returns nothing."""


ALIAS_SCHEMA = direct_alias_tools(["x"])[0][0]["parameters"]


async def _connect(server: Any) -> AsyncIterator[mcp.Client]:
    async with mcp.Client(server.server, mode="legacy") as client:  # JSON-RPC over memory streams
        yield client


@pytest.fixture
async def backend() -> AsyncIterator[AsyncNavaiBackendClient]:
    """A NAVAI backend (navai.server) in process, serving greet, explode and nothing."""
    app = create_test_app([greet, explode, nothing])
    async with AsyncNavaiBackendClient(
        "http://navai.test", transport=httpx2.ASGITransport(app=app)
    ) as client:
        yield client


def _text(result: Any) -> Any:
    (block,) = result.content
    return json.loads(block.text)


async def test_one_tool_per_backend_function_with_its_description_and_the_alias_schema(
    backend: AsyncNavaiBackendClient,
) -> None:
    server = create_mcp_server(backend)
    async with mcp.Client(server.server, mode="legacy") as client:
        tools = (await client.list_tools()).tools
    assert [tool.name for tool in tools] == ["greet", "explode", "nothing"]
    assert tools[0].description == "Greets someone."
    assert all(tool.input_schema == ALIAS_SCHEMA for tool in tools)
    assert ALIAS_SCHEMA["properties"]["payload"]["anyOf"][0] == {
        "type": "object",
        "additionalProperties": True,
    }


async def test_navigate_to_is_offered_with_routes_and_calls_navigate(
    backend: AsyncNavaiBackendClient,
) -> None:
    went: list[str] = []
    routes = [Route("profile", "/profile", "The profile", synonyms=("perfil",))]
    server = create_mcp_server(backend, routes=routes, navigate=went.append)
    async with mcp.Client(server.server, mode="legacy") as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert "- profile (/profile), aliases: perfil" in (tools["navigate_to"].description or "")
        opened = await client.call_tool("navigate_to", {"target": "perfil"})
        unknown = await client.call_tool("navigate_to", {"target": "billing"})
    assert (opened.is_error, _text(opened)) == (False, {"ok": True, "path": "/profile"})
    assert went == ["/profile"]
    assert (unknown.is_error, _text(unknown)) == (
        True,
        {"ok": False, "error": "Unknown or disallowed route."},
    )


async def test_calls_answer_what_the_agent_runtime_answers(backend: AsyncNavaiBackendClient) -> None:
    listing = await backend.list_functions()
    runtime = create_agent_runtime(
        backend_functions=listing.functions,
        execute_backend_function=backend.execute_function_detailed,
        direct_alias_tools=True,
    )
    server = create_mcp_server(backend)
    calls = [
        ("greet", {"payload": {"value": "Ana"}}),
        ("greet", {"payload": {"args": ["Bo"]}}),
        ("explode", {}),
        ("nothing", {"payload": None}),
    ]
    async with mcp.Client(server.server, mode="legacy") as client:
        await client.list_tools()
        results = [await client.call_tool(name, arguments) for name, arguments in calls]
    expected = [await runtime.execute_tool_call(name, arguments) for name, arguments in calls]
    assert [_text(result) for result in results] == expected
    assert [result.is_error for result in results] == [False, False, True, False]
    assert expected[0]["result"] == "Hello, Ana!"
    assert expected[2]["error"] == "Function execution failed."
    assert "result" not in expected[3]  # no result is not "result": null


async def test_a_tool_it_does_not_offer_is_an_error_naming_the_tools(
    backend: AsyncNavaiBackendClient,
) -> None:
    server = create_mcp_server(backend)
    async with mcp.Client(server.server, mode="legacy") as client:
        result = await client.call_tool("drop_tables", {})
    assert result.is_error
    assert _text(result) == {
        "ok": False,
        "error": "Unknown or disallowed tool.",
        "available_tools": ["greet", "explode", "nothing"],
    }


class ListingBackend:
    """A NAVAI backend on a MockTransport whose listing a test can change; counts the requests."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.listings = 0
        self.executed: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/navai/functions":
            self.listings += 1
            items = [{"name": name, "description": f"{name} it"} for name in self.names]
            return httpx2.Response(200, json={"items": items, "warnings": []})
        call = json.loads(request.content)
        self.executed.append(call)
        return httpx2.Response(200, json={"ok": True, "function_name": call["function_name"], "result": None})


async def test_names_that_cannot_be_tools_go_through_execute_app_function_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = ListingBackend(["ok_name", "bad.name", "navigate_to", "x" * 65])
    caplog.set_level(logging.WARNING, logger="navai")
    async with AsyncNavaiBackendClient("http://b.test", transport=httpx2.MockTransport(fake)) as backend:
        server = create_mcp_server(backend)
        async with mcp.Client(server.server, mode="legacy") as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            result = await client.call_tool(
                "execute_app_function", {"function_name": "bad.name", "payload": {"args": [1]}}
            )
    assert list(tools) == ["ok_name", "execute_app_function"]
    description = tools["execute_app_function"].description or ""
    assert "- bad.name: bad.name it" in description
    assert "- navigate_to: navigate_to it" in description
    assert fake.executed == [{"function_name": "bad.name", "payload": {"args": [1]}}]
    # "result": null from the backend reaches the client as null (not as no result)
    assert _text(result) == {"ok": True, "function_name": "bad.name", "source": "backend", "result": None}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert (
        '[navai] Function "bad.name" is available only via execute_app_function '
        "because its name is not a valid tool id." in warnings
    )
    assert any('"navigate_to"' in w and "conflicts with a built-in tool" in w for w in warnings)
    assert sum("x" * 65 in w for w in warnings) == 1


async def test_listing_is_fetched_per_listing_or_cached_with_cache_ttl() -> None:
    fake = ListingBackend(["first"])
    async with AsyncNavaiBackendClient("http://b.test", transport=httpx2.MockTransport(fake)) as backend:
        fresh = create_mcp_server(backend)
        async with mcp.Client(fresh.server, mode="legacy") as client:
            await client.list_tools()
            fake.names.append("second")
            assert [t.name for t in (await client.list_tools()).tools] == ["first", "second"]
        assert fake.listings == 2

        fake.listings = 0
        cached = create_mcp_server(backend, cache_ttl=300)
        async with mcp.Client(cached.server, mode="legacy") as client:
            await client.list_tools()
            fake.names.append("third")
            assert [t.name for t in (await client.list_tools()).tools] == ["first", "second"]
        assert fake.listings == 1


async def test_a_function_added_since_the_last_listing_is_callable() -> None:
    fake = ListingBackend(["first"])
    async with AsyncNavaiBackendClient("http://b.test", transport=httpx2.MockTransport(fake)) as backend:
        server = create_mcp_server(backend)
        async with mcp.Client(server.server, mode="legacy") as client:
            await client.list_tools()
            fake.names.append("later")
            result = await client.call_tool("later", {"payload": {"value": 1}})
    assert not result.is_error
    assert fake.executed == [{"function_name": "later", "payload": {"value": 1}}]


async def test_local_functions_and_a_sync_client_together() -> None:
    app = create_test_app([greet])
    with NavaiBackendClient("http://navai.test", transport=SyncASGITransport(app)) as backend:
        server = create_mcp_server(
            backend, functions={"shout": lambda text: text.upper(), "greet": lambda who: f"Hi {who}"}
        )
        async with mcp.Client(server.server, mode="legacy") as client:
            names = [tool.name for tool in (await client.list_tools()).tools]
            local = await client.call_tool("shout", {"payload": {"value": "hola"}})
            shadowed = await client.call_tool("greet", {"payload": {"value": 7}})
    assert names == ["shout", "greet"]  # the backend's greet is left out: a local one has the name
    assert _text(local)["result"] == "HOLA"
    assert _text(shadowed)["result"] == "Hi 7"  # the local greet ran, not the backend's


async def test_a_backend_that_is_down_lists_no_functions_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="navai")
    async with AsyncNavaiBackendClient("http://127.0.0.1:9", max_retries=0, timeout=2.0) as backend:
        server = create_mcp_server(backend, functions=[greet])
        async with mcp.Client(server.server, mode="legacy") as client:
            names = [tool.name for tool in (await client.list_tools()).tools]
    assert names == ["greet"]
    assert any("Failed to load backend functions" in r.getMessage() for r in caplog.records)


async def test_streamable_http_app_in_process_and_aclose(backend: AsyncNavaiBackendClient) -> None:
    from mcp.client.streamable_http import streamable_http_client
    from starlette.applications import Starlette
    from starlette.routing import Route as StarletteRoute

    server = create_mcp_server(backend)
    app = Starlette(routes=[StarletteRoute("/tools", server.streamable_http_app())])
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport) as http:
        async with mcp.Client(streamable_http_client("http://127.0.0.1/tools", http_client=http)) as client:
            result = await client.call_tool("greet", {"payload": {"value": "Ana"}})
        # a Host that is not loopback is refused (DNS rebinding), by the SDK's own check
        refused = await http.post(
            "http://evil.example/tools", json={}, headers={"Accept": "application/json"}
        )
    assert _text(result)["result"] == "Hello, Ana!"
    assert refused.status_code == 421
    (task,) = {t for t in asyncio.all_tasks() if t.get_name() == "navai-mcp-http"}
    await server.aclose()
    assert task.done()


def test_the_package_is_lazy_and_names_the_extra_when_mcp_is_missing() -> None:
    code = (
        "import sys\n"
        "import navai.mcp\n"
        "print('mcp' in sys.modules, 'create_mcp_server' in navai.mcp.__all__)\n"
        "sys.modules['mcp'] = None\n"
        "try:\n"
        "    navai.mcp.create_mcp_server\n"
        "except navai.NavaiError as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == "False True"
    assert out.splitlines()[1].startswith("NavaiMissingExtraError navai.mcp needs the mcp extra")
    assert "pip install 'navai[mcp]'" in out


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}


@pytest.mark.parametrize(
    ("cors_origins", "env", "host", "origin", "status"),
    [
        (["*"], {}, "127.0.0.1:3000", "https://anything.example", 200),  # * allows every origin
        (["*"], {}, "evil.example", None, 421),  # ... but not every Host
        (
            None,
            {"NAVAI_MCP_ALLOWED_HOSTS": "navai.example.com, api.example.com"},
            "api.example.com",
            None,
            200,
        ),
        (None, {"NAVAI_MCP_ALLOWED_HOSTS": "navai.example.com"}, "other.example.com", None, 421),
        (None, {"NAVAI_CORS_ORIGIN": "https://app.example.com"}, "app.example.com", None, 200),
    ],
)
async def test_the_apps_mcp_endpoint_protection(
    cors_origins: list[str] | None, env: dict[str, str], host: str, origin: str | None, status: int
) -> None:
    from navai.server import create_navai_app

    app = create_navai_app(
        functions=[greet], env={"OPENAI_API_KEY": "sk-x", **env}, cors_origins=cors_origins, mcp=True
    )
    headers = {"Accept": "application/json, text/event-stream", "Host": host}
    if origin is not None:
        headers["Origin"] = origin
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)) as http:
        response = await http.post(f"http://{host}/mcp", json=INITIALIZE, headers=headers)
    assert response.status_code == status, response.text


def test_mcp_needs_the_function_routes() -> None:
    from navai.server import create_navai_app

    with pytest.raises(ValueError, match="include_functions_routes"):
        create_navai_app(env={}, include_functions_routes=False, mcp=True)
