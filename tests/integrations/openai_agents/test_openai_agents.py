"""navai.integrations.openai_agents run by the OpenAI Agents SDK itself: its ``RealtimeRunner``
against the stand-in Realtime server, and a text ``Agent`` on the SDK's scripted model
calling a function of a real NAVAI backend on loopback. Nothing leaves the machine.
"""

from __future__ import annotations

import itertools
import json
import logging
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest
from agents import FunctionTool, Runner, set_tracing_disabled
from agents.exceptions import UserError
from agents.realtime import RealtimeRunner
from agents.testing import ScriptedModel, assistant_message, function_call

from navai import AsyncNavaiBackendClient, NavaiBackendClient
from navai.agent import Route, create_agent_runtime, tool_result_events, tool_schemas
from navai.integrations.openai_agents import (
    NavaiTools,
    create_agent,
    create_realtime_agent,
    function_tools,
    realtime_model_config,
)
from navai.testing import FakeOpenAI, create_test_app
from tests.support import backend_harness
from tests.support.realtime_standin import RealtimeStandIn, function_call_response, text_response

pytestmark = pytest.mark.anyio

ROUTES = [Route("profile", "/profile", "The profile", synonyms=("perfil",))]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _no_trace_export() -> Iterator[None]:
    """The SDK exports traces to OpenAI when it finds a key: never from these tests."""
    set_tracing_disabled(True)
    yield
    set_tracing_disabled(False)


def _events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stand-in's events with what the SDK's strict event models require (the real server
    sends both): an ``event_id`` on each, an ``output_index`` on argument deltas."""
    done: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        event = {**event, "event_id": f"event_{index}"}
        if event["type"] == "response.function_call_arguments.delta":
            event.setdefault("output_index", 0)
        done.append(event)
    return done


def get_weather(city: str) -> dict[str, Any]:
    """Current weather for a city."""
    return {"city": city, "sky": "clear", "celsius": 21}


class Minted:
    """Secrets the fake OpenAI behind the backend hands out, in order."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._count = itertools.count(1)

    def __call__(self) -> str:
        value = f"ek_minted_{next(self._count)}_secretpart"
        self.values.append(value)
        return value


@pytest.fixture
async def minting_backend() -> AsyncIterator[tuple[AsyncNavaiBackendClient, Minted]]:
    """navai.server in process with get_weather, minting from a fake OpenAI."""
    minted = Minted()
    app = create_test_app([get_weather], client_secret=FakeOpenAI(value=minted))
    async with AsyncNavaiBackendClient(
        "http://navai.test", transport=httpx2.ASGITransport(app=app)
    ) as client:
        yield client, minted


async def test_realtime_runner_with_the_minted_secret_the_tools_and_navai_answers(
    minting_backend: tuple[AsyncNavaiBackendClient, Minted], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="websockets.client")
    backend, minted = minting_backend
    went: list[str] = []
    agent = create_realtime_agent(backend, routes=ROUTES, navigate=went.append)
    arguments = json.dumps({"function_name": "get_weather", "payload": {"args": ["Bogotá"]}})
    async with RealtimeStandIn() as realtime:
        config = realtime_model_config(backend, realtime_url=realtime.url, env={})
        assert "secretpart" not in repr(config)
        session = await RealtimeRunner(agent).run(model_config=config)
        async with session:
            conn = await realtime.next_connection()
            update = await conn.wait_for("session.update")
            await conn.send(*_events(function_call_response("call_1", "execute_app_function", arguments)))
            weather = await conn.wait_for("conversation.item.create")
            await conn.send(*_events(function_call_response("call_2", "navigate_to", '{"target": "perfil"}')))
            navigated = await conn.wait_for("conversation.item.create", count=2)
            await conn.wait_for("response.create", count=2)
            await conn.send(*_events(text_response("Clear and 21 °C.")))
        async with await RealtimeRunner(agent).run(model_config=config):
            second = await realtime.next_connection()
            await second.wait_for("session.update")

    # The key of each connection is a secret the backend minted for it.
    assert conn.authorization == f"Bearer {minted.values[0]}"
    assert second.authorization == f"Bearer {minted.values[1]}"
    assert (conn.path, conn.model) == ("/v1/realtime", "gpt-realtime")
    # websockets logs the handshake's Authorization header at DEBUG: with the secret cut out
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "websockets.client")
    assert "Authorization: Bearer ***" in logged
    assert not any(value in logged for value in minted.values)

    # session.update carries the runtime's tools and instructions.
    tools = {tool["name"]: tool for tool in update["session"]["tools"]}
    expected = {tool["name"]: tool for tool in tool_schemas()}
    assert list(tools) == ["navigate_to", "execute_app_function"]
    for name, tool in tools.items():
        assert tool["parameters"] == expected[name]["parameters"]
        assert tool["description"] == expected[name]["description"]
    listing = await backend.list_functions()
    runtime = create_agent_runtime(
        routes=ROUTES,
        backend_functions=listing.functions,
        execute_backend_function=backend.execute_function_detailed,
    )
    assert update["session"]["instructions"] == runtime.instructions

    # Tool outputs are what NavaiVoiceAgent sends for the same calls.
    payload = json.loads(arguments)
    navai_weather = tool_result_events(
        "call_1", await runtime.execute_tool_call("execute_app_function", payload)
    )
    assert weather["item"] == navai_weather[0]["item"]
    navai_route = tool_result_events(
        "call_2", await runtime.execute_tool_call("navigate_to", {"target": "perfil"})
    )
    assert navigated["item"] == navai_route[0]["item"]
    assert json.loads(weather["item"]["output"])["result"] == {
        "city": "Bogotá",
        "sky": "clear",
        "celsius": 21,
    }
    assert went == ["/profile"]


async def test_realtime_model_config_reads_the_url_and_model_as_navai_voice_agent(
    minting_backend: tuple[AsyncNavaiBackendClient, Minted],
) -> None:
    backend, minted = minting_backend
    env = {"NAVAI_REALTIME_URL": "ws://127.0.0.1:1/v1/", "NAVAI_REALTIME_MODEL": "gpt-realtime-mini"}
    config = realtime_model_config(backend, env=env, secret_options={"voice": "marin"})
    assert config["url"] == "ws://127.0.0.1:1/v1/realtime?model=gpt-realtime-mini"
    default = realtime_model_config(backend, env={})
    assert default["url"] == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    explicit = realtime_model_config(backend, realtime_url="ws://h/v1", model="m2", env=env)
    assert explicit["url"] == "ws://h/v1/realtime?model=m2"
    key = config["api_key"]
    assert callable(key)
    assert await key() == minted.values[-1]  # type: ignore[misc]
    assert minted.values[-1] not in repr(config)


async def test_the_tools_are_the_runtimes_with_strict_schema_off_because_the_payload_is_open() -> None:
    runtime = create_agent_runtime(functions=[get_weather], direct_alias_tools=True)
    tools = function_tools(runtime)
    assert [tool.name for tool in tools] == [tool["name"] for tool in runtime.tools]
    assert [tool.params_json_schema for tool in tools] == [tool["parameters"] for tool in runtime.tools]
    assert not any(tool.strict_json_schema for tool in tools)
    # Why: the payload is {"type": "object", "additionalProperties": true}; strict mode refuses it.
    execute = runtime.tools[1]
    assert execute["parameters"]["properties"]["payload"]["anyOf"][0]["additionalProperties"] is True
    with pytest.raises(UserError):
        FunctionTool(
            name=execute["name"],
            description=execute["description"],
            params_json_schema=execute["parameters"],
            on_invoke_tool=tools[1].on_invoke_tool,
            strict_json_schema=True,
        )
    # and the alias tool routes its payload to the function
    answer = json.loads(await tools[2].on_invoke_tool(None, '{"payload": {"args": ["Lima"]}}'))  # type: ignore[arg-type]
    assert answer["result"]["city"] == "Lima"


@pytest.mark.live
async def test_a_text_agent_calls_a_backend_function_on_a_real_backend(
    live_backend: backend_harness.Backend,
) -> None:
    model = ScriptedModel(
        [
            [
                function_call(
                    "execute_app_function",
                    {"function_name": "add", "payload": {"args": [2, 3]}},
                    call_id="c1",
                )
            ],
            [function_call("execute_app_function", {"function_name": "fail"}, call_id="c2")],
            [assistant_message("2 + 3 = 5.")],
        ]
    )
    async with AsyncNavaiBackendClient(live_backend.url) as backend:
        agent = create_agent(backend, model=model)
        result = await Runner.run(agent, "What is 2 + 3?")
    assert result.final_output == "2 + 3 = 5."
    outputs = [item.output for item in result.new_items if item.type == "tool_call_output_item"]
    assert json.loads(outputs[0]) == {
        "ok": True,
        "function_name": "add",
        "source": json.loads(outputs[0])["source"],
        "result": 5,
    }
    assert json.loads(outputs[1])["error"] == "Function execution failed."
    first = model.calls[0]
    assert "add" in (first.system_instructions or "")  # the backend's functions are in the instructions
    assert [tool.name for tool in first.tools] == ["navigate_to", "execute_app_function"]


async def test_navai_tools_with_a_sync_client_and_local_functions() -> None:
    app = create_test_app([get_weather])
    from navai.testing import SyncASGITransport

    with NavaiBackendClient("http://navai.test", transport=SyncASGITransport(app)) as backend:
        navai = NavaiTools(backend, functions={"ping": lambda: "pong"})
        instructions = await navai.instructions(None, None)
        execute = navai.tools[1]
        local = json.loads(await execute.on_invoke_tool(None, '{"function_name": "ping"}'))  # type: ignore[arg-type]
        remote = json.loads(
            await execute.on_invoke_tool(
                None, '{"function_name": "get_weather", "payload": {"value": "Quito"}}'
            )  # type: ignore[arg-type]
        )
    assert "- ping" in instructions
    assert "- get_weather" in instructions
    assert local["result"] == "pong"
    assert remote["result"]["city"] == "Quito"


def test_the_package_is_lazy_and_names_the_extra_when_the_sdk_is_missing() -> None:
    code = (
        "import sys\n"
        "import navai.integrations.openai_agents as oa\n"
        "print('agents' in sys.modules, 'create_realtime_agent' in oa.__all__)\n"
        "sys.modules['agents'] = None\n"
        "try:\n"
        "    oa.create_realtime_agent\n"
        "except __import__('navai').NavaiError as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == "False True"
    assert "pip install 'navai[openai-agents]'" in out.splitlines()[1]


@pytest.mark.parametrize("make", [create_agent, create_realtime_agent])
def test_agents_take_navais_tools_first_and_refuse_instructions_of_their_own(make: Any) -> None:
    extra = FunctionTool(
        name="extra",
        description="An app tool of its own.",
        params_json_schema={"type": "object", "properties": {}},
        on_invoke_tool=lambda _context, _arguments: None,  # type: ignore[arg-type,return-value]
    )
    with NavaiBackendClient("http://navai.test") as backend:  # building an agent calls nothing
        agent = make(backend, tools=[extra], name="Guide")
        assert agent.name == "Guide"
        assert [tool.name for tool in agent.tools] == ["navigate_to", "execute_app_function", "extra"]
        with pytest.raises(TypeError, match="base_instructions"):
            make(backend, instructions="Be brief.")
