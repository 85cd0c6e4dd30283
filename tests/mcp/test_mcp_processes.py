"""``navai mcp`` (stdio) and ``navai serve --mcp`` (Streamable HTTP) as processes, driven by
clients nobody here wrote: the ``mcp`` SDK's ``Client`` and the OpenAI Agents SDK's
``MCPServerStdio`` / ``MCPServerStreamableHttp``.

``navai mcp`` runs in front of the Node backend (tests/backend) and of ``navai serve``;
every server binds 127.0.0.1 and is stopped by its pid (stdio servers by their client).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import mcp
import pytest
from agents import Agent, Runner, set_tracing_disabled
from agents.mcp import MCPServerStdio, MCPServerStreamableHttp
from agents.testing import ScriptedModel, assistant_message, function_call

from tests.support import backend_harness
from tests.support.py_backend_harness import PyBackend

pytestmark = [pytest.mark.anyio, pytest.mark.live]

APP_ORIGIN = "https://app.example.com"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def served() -> Iterator[PyBackend]:
    """``navai serve --mcp`` with one extra CORS origin, on a free loopback port."""
    with PyBackend.start(serve_args=["--mcp", "--cors-origin", APP_ORIGIN]) as backend:
        yield backend


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NAVAI_", "OPENAI_"))}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def _stdio(api_url: str, *extra: str) -> mcp.StdioServerParameters:
    args = ["-m", "navai", "--api-url", api_url, "mcp", *extra]
    return mcp.StdioServerParameters(command=sys.executable, args=args, env=_env())


def _json(result: Any) -> Any:
    (block,) = result.content
    return json.loads(block.text)


async def test_navai_mcp_over_stdio_in_front_of_the_node_backend(
    live_backend: backend_harness.Backend,
) -> None:
    async with mcp.Client(_stdio(live_backend.url)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        added = await client.call_tool("add", {"payload": {"args": [2, 3]}})
        total = await client.call_tool(
            "calculator_total", {"payload": {"constructorArgs": [10], "methodArgs": [1, 2]}}
        )
        null = await client.call_tool("return_null", {})
        nothing = await client.call_tool("return_nothing", {"payload": None})
        failed = await client.call_tool("fail", {})
    assert {"add", "echo", "say_hello", "calculator_total", "text_tools_word_count", "slow_echo"} <= set(
        tools
    )
    assert "navigate_to" not in tools  # no routes
    assert "execute_app_function" not in tools  # every name is a valid tool name
    assert (added.is_error, _json(added)["result"]) == (False, 5)
    assert _json(total)["result"] == 13
    assert _json(null) == {
        "ok": True,
        "function_name": "return_null",
        "source": _json(null)["source"],
        "result": None,
    }
    assert "result" not in _json(nothing)
    assert not nothing.is_error
    assert failed.is_error
    assert _json(failed) == {
        "ok": False,
        "function_name": "fail",
        "error": "Function execution failed.",
        "details": '{"error":"boom: intentional failure"}',  # the raw 500 body, as the TypeScript client
    }


async def test_navai_mcp_over_stdio_in_front_of_navai_serve_with_routes_and_local_functions(
    served: PyBackend, tmp_path: Path
) -> None:
    tools_file = tmp_path / "kiosk.py"
    tools_file.write_text('def kiosk_status():\n    """The kiosk is up."""\n    return {"up": True}\n')
    params = _stdio(served.url, "--route", "profile=/profile", "--functions", str(tools_file))
    async with mcp.Client(params) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        opened = await client.call_tool("navigate_to", {"target": "profile"})
        local = await client.call_tool("kiosk_status", {})
        backend = await client.call_tool("echo", {"payload": {"value": "hola"}})
    assert list(tools)[:2] == ["navigate_to", "kiosk_status"]
    assert tools["kiosk_status"].description == "Call exported function kiosk_status."  # discovery rules
    assert _json(opened) == {"ok": True, "path": "/profile"}
    assert _json(local)["result"] == {"up": True}
    assert _json(backend)["result"] == "hola"


async def test_navai_mcp_exits_with_a_usage_error_for_a_bad_route() -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "navai", "mcp", "--route", "nopath"],
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 2
    assert "--route must look like NAME=PATH" in done.stderr
    assert done.stdout == ""


async def test_navai_serve_mcp_over_streamable_http(served: PyBackend) -> None:
    async with mcp.Client(f"{served.url}/mcp") as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        added = await client.call_tool("add", {"payload": {"args": [20, 22]}})
        failed = await client.call_tool("fail", {})
    async with httpx2.AsyncClient(trust_env=False) as http:
        listed = (await http.get(f"{served.url}/navai/functions")).json()
    assert names == [item["name"] for item in listed["items"]]  # the app's own functions, in its order
    assert _json(added)["result"] == 42
    assert failed.is_error
    assert _json(failed)["error"] == "Function execution failed."


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
    ("host", "origin", "status"),
    [
        (None, None, 200),
        (None, "http://localhost:5173", 200),
        (None, APP_ORIGIN, 200),
        ("app.example.com", APP_ORIGIN, 200),  # a configured origin's host is a host of this server
        ("evil.example:{port}", "http://evil.example:{port}", 421),  # DNS rebinding: same-origin to CORS
        ("evil.example:{port}", None, 421),
        (None, "https://evil.example", 403),  # refused by NAVAI's CORS before MCP sees it
    ],
)
async def test_serve_mcp_host_and_origin_protection(
    served: PyBackend, host: str | None, origin: str | None, status: int
) -> None:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    if host is not None:
        headers["Host"] = host.format(port=served.port)
    if origin is not None:
        headers["Origin"] = origin.format(port=served.port)
    async with httpx2.AsyncClient(trust_env=False) as http:
        response = await http.post(f"{served.url}/mcp", json=INITIALIZE, headers=headers)
    assert response.status_code == status, response.text
    if status == 200 and origin is not None and host is None:  # a cross-origin call gets CORS headers
        assert response.headers["access-control-allow-origin"] == origin


async def test_the_agents_sdk_mcp_clients_list_and_call_the_tools(
    live_backend: backend_harness.Backend, served: PyBackend
) -> None:
    stdio = MCPServerStdio(
        {
            "command": sys.executable,
            "args": ["-m", "navai", "--api-url", live_backend.url, "mcp"],
            "env": _env(),
        },
        client_session_timeout_seconds=20,
    )
    http = MCPServerStreamableHttp({"url": f"{served.url}/mcp"}, client_session_timeout_seconds=20)
    for server, expected in ((stdio, "Hello, Ana!"), (http, "Hello, Ana!")):
        async with server:
            tools = {tool.name: tool for tool in await server.list_tools()}
            result = await server.call_tool("say_hello", {"payload": {"value": "Ana"}})
            failed = await server.call_tool("fail", {})
        assert tools["say_hello"].input_schema["properties"]["payload"]["anyOf"][1] == {"type": "null"}
        assert _json(result)["result"] == expected
        assert failed.is_error


async def test_an_agents_sdk_agent_runs_a_tool_call_through_navai_mcp(
    live_backend: backend_harness.Backend,
) -> None:
    """A whole ``Runner.run``: the SDK lists the tools of ``navai mcp`` for its (scripted) model
    and runs the call the model makes through it."""
    set_tracing_disabled(True)
    model = ScriptedModel(
        [
            [function_call("add", {"payload": {"args": [2, 3]}}, call_id="c1")],
            [assistant_message("5.")],
        ]
    )
    stdio = MCPServerStdio(
        {
            "command": sys.executable,
            "args": ["-m", "navai", "--api-url", live_backend.url, "mcp"],
            "env": _env(),
        },
        client_session_timeout_seconds=20,
    )
    try:
        async with stdio:
            agent = Agent(name="calc", instructions="Use the tools.", model=model, mcp_servers=[stdio])
            result = await Runner.run(agent, "2 + 3?")
    finally:
        set_tracing_disabled(False)
    assert result.final_output == "5."
    (output,) = [item.output for item in result.new_items if item.type == "tool_call_output_item"]
    assert output["type"] == "text"  # the SDK hands the model the MCP text content
    assert json.loads(output["text"])["result"] == 5
    assert "add" in [tool.name for tool in model.calls[0].tools]
