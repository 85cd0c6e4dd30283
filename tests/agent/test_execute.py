"""Every result and error object of execute_tool_call (spec section 5), compared as JSON text."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from navai import FunctionResult, NavaiFunctionError, NavaiHTTPError
from navai.agent import AgentRuntime, Route, create_agent_runtime, serialize_tool_output

pytestmark = pytest.mark.anyio

AVAILABLE = '["echo","boom","nothing","counter_add","get_weather","remote_fail"]'


def echo(*args: Any) -> Any:
    """Echoes its arguments."""
    return list(args)


def boom() -> None:
    raise ValueError("kaput")


def nothing() -> None:
    return None


class Counter:
    def __init__(self, start: int = 0) -> None:
        self.start = start

    def add(self, amount: int) -> int:
        return self.start + amount


def make(
    executor: Any = "default", navigate: Any = None, **options: Any
) -> tuple[AgentRuntime, list[tuple[str, Any]]]:
    calls: list[tuple[str, Any]] = []

    async def execute(name: str, payload: Any) -> Any:
        calls.append((name, payload))
        if name == "remote_fail":
            raise NavaiHTTPError('{"error":"boom"}', status_code=500, body='{"error":"boom"}')
        return {"temp": 21.0, "payload": payload}

    runtime = create_agent_runtime(
        routes=[Route("perfil", "/profile", "", synonyms=("cuenta",))],
        functions=[echo, boom, nothing, Counter],
        backend_functions=[{"name": "get_weather", "source": "weather.py#get"}, {"name": "remote_fail"}],
        execute_backend_function=execute if executor == "default" else executor,
        navigate=navigate,
        **options,
    )
    return runtime, calls


async def run(runtime: AgentRuntime, name: str, payload: Mapping[str, Any] | list[Any] | None) -> str:
    return serialize_tool_output(await runtime.execute_tool_call(name, payload))


# §5.1 navigate_to
async def test_navigate_to() -> None:
    paths: list[str] = []
    runtime, _ = make(navigate=paths.append)
    assert await run(runtime, "navigate_to", {"target": " Mi cuenta "}) == '{"ok":true,"path":"/profile"}'
    assert paths == ["/profile"]
    assert await run(runtime, "NAVIGATE_TO", {"target": "/profile"}) == '{"ok":true,"path":"/profile"}'
    for payload in (None, {}, {"target": "  "}, {"target": 5}, ["x"]):
        assert await run(runtime, "navigate_to", payload) == '{"ok":false,"error":"target is required."}'
    assert (
        await run(runtime, "navigate_to", {"target": "carrito"})
        == '{"ok":false,"error":"Unknown or disallowed route."}'
    )
    assert paths == ["/profile", "/profile"]


async def test_navigate_async_and_absent() -> None:
    paths: list[str] = []

    async def go(path: str) -> None:
        await asyncio.sleep(0)
        paths.append(path)

    runtime, _ = make(navigate=go)
    assert await run(runtime, "navigate_to", {"target": "perfil"}) == '{"ok":true,"path":"/profile"}'
    assert paths == ["/profile"]
    runtime, _ = make(navigate=None)
    assert await run(runtime, "navigate_to", {"target": "perfil"}) == '{"ok":true,"path":"/profile"}'


async def test_navigate_raising_is_a_tool_failure() -> None:
    def go(path: str) -> None:
        raise RuntimeError("no screen")

    # §5.3: the mobile wrapper's answer when executeToolCall throws.
    runtime, _ = make(navigate=go)
    assert (
        await run(runtime, "navigate_to", {"target": "perfil"})
        == '{"ok":false,"error":"Tool execution failed.","details":"no screen"}'
    )


# §5.2 execute_app_function, local functions first
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"function_name": "echo", "payload": {"args": [1, "a"]}}, '[1,"a"]'),
        ({"function_name": " ECHO ", "payload": {"arguments": [2]}}, "[2]"),
        ({"function_name": "echo", "payload": {"value": 3}}, "[3]"),
        ({"function_name": "echo", "payload": {"city": "Bogotá"}}, '[{"city":"Bogotá"}]'),
        ({"function_name": "echo", "payload": None}, "[]"),
        ({"function_name": "echo"}, "[]"),
        ({"function_name": "echo", "payload": "text"}, '["text"]'),  # non-object -> {"value": x}
        ({"function_name": "echo", "payload": [4, 5]}, "[[4,5]]"),  # an array is a record
        ({"function_name": "counter_add", "payload": {"constructorArgs": [10], "methodArgs": [5]}}, "15"),
        ({"function_name": "counter_add", "payload": {"args": [7]}}, "7"),
    ],
)
async def test_local_function_results(payload: dict[str, Any], expected: str) -> None:
    runtime, _ = make()
    name = "counter_add" if "counter" in payload["function_name"] else "echo"
    source = f"{__name__}#Counter.add" if name == "counter_add" else f"{__name__}#echo"
    assert await run(runtime, "execute_app_function", payload) == (
        f'{{"ok":true,"function_name":"{name}","source":"{source}","result":{expected}}}'
    )


async def test_local_function_failure_and_none_result() -> None:
    runtime, _ = make()
    assert await run(runtime, "execute_app_function", {"function_name": "boom"}) == (
        '{"ok":false,"function_name":"boom","error":"Function execution failed.","details":"kaput"}'
    )
    # None is JavaScript's undefined: JSON.stringify leaves "result" out.
    assert await run(runtime, "execute_app_function", {"function_name": "nothing"}) == (
        f'{{"ok":true,"function_name":"nothing","source":"{__name__}#nothing"}}'
    )


async def test_local_function_gets_the_context() -> None:
    seen: list[Any] = []

    def where(context: Any) -> str:
        seen.append(context)
        return "here"

    paths: list[str] = []
    runtime = create_agent_runtime(functions=[where], navigate=paths.append)
    result = await runtime.execute_tool_call("execute_app_function", {"function_name": "where"})
    assert result["result"] == "here"
    seen[0]["navigate"]("/x")
    assert paths == ["/x"]


async def test_the_context_is_the_runtime_options() -> None:
    # The TypeScript runtime hands a local function its whole options object (mobile goldens
    # fn_describe_context: agentName, baseInstructions, routes, executeBackendFunction);
    # before, navai's context held navigate and routes only, and there was no agent name.
    def describe(context: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "agent": context["agent_name"],
            "base": context["base_instructions"],
            "routes": len(context["routes"]),
            "backend": [item["name"] for item in context["backend_functions"]],
            "executes": callable(context["execute_backend_function"]),
            "functions": context["functions"].names(),
        }

    async def execute(name: str, payload: Any) -> Any:
        return None

    runtime = create_agent_runtime(
        routes=[Route("perfil", "/profile", "")],
        functions=[describe],
        backend_functions=[{"name": "get_weather"}],
        execute_backend_function=execute,
        base_instructions="Base.",
        agent_name="shopper",
    )
    assert runtime.agent_name == "shopper"
    assert set(runtime.context) == {
        "routes",
        "functions",
        "backend_functions",
        "execute_backend_function",
        "navigate",
        "agent_name",
        "base_instructions",
    }
    result = await runtime.execute_tool_call("execute_app_function", {"function_name": "describe"})
    assert result["result"] == {
        "agent": "shopper",
        "base": "Base.",
        "routes": 1,
        "backend": ["get_weather"],
        "executes": True,
        "functions": ["describe"],
    }
    assert create_agent_runtime().agent_name is None


@pytest.mark.parametrize("payload", [None, {}, {"function_name": " "}, {"function_name": 3}, []])
async def test_function_name_required(payload: Any) -> None:
    runtime, _ = make()
    assert await run(runtime, "execute_app_function", payload) == (
        '{"ok":false,"error":"function_name is required."}'
    )


async def test_unknown_function() -> None:
    runtime, _ = make()
    assert await run(runtime, "execute_app_function", {"function_name": "nope"}) == (
        f'{{"ok":false,"error":"Unknown or disallowed function.","available_functions":{AVAILABLE}}}'
    )


# §5.2 step 4, backend functions
async def test_backend_function() -> None:
    runtime, calls = make()
    assert await run(
        runtime, "execute_app_function", {"function_name": "GET_WEATHER", "payload": {"city": "Cali"}}
    ) == (
        '{"ok":true,"function_name":"get_weather","source":"weather.py#get",'
        '"result":{"temp":21,"payload":{"city":"Cali"}}}'
    )
    assert await run(runtime, "execute_app_function", {"function_name": "get_weather"}) == (
        '{"ok":true,"function_name":"get_weather","source":"weather.py#get","result":{"temp":21,"payload":null}}'
    )
    assert await run(runtime, "execute_app_function", {"function_name": "get_weather", "payload": 7}) == (
        '{"ok":true,"function_name":"get_weather","source":"weather.py#get",'
        '"result":{"temp":21,"payload":{"value":7}}}'
    )
    assert calls == [("get_weather", {"city": "Cali"}), ("get_weather", None), ("get_weather", {"value": 7})]


async def test_backend_failure_details_are_the_raw_body() -> None:
    runtime, _ = make()
    assert await run(runtime, "execute_app_function", {"function_name": "remote_fail"}) == (
        '{"ok":false,"function_name":"remote_fail","error":"Function execution failed.",'
        '"details":"{\\"error\\":\\"boom\\"}"}'
    )


@pytest.mark.parametrize(
    ("error", "details"),
    [
        (NavaiFunctionError("It failed."), "It failed."),
        (RuntimeError("plain"), "plain"),
    ],
)
async def test_backend_executor_errors(error: Exception, details: str) -> None:
    def execute(name: str, payload: Any) -> Any:  # sync executors run in a worker thread
        raise error

    runtime, _ = make(executor=execute)
    assert await run(runtime, "execute_app_function", {"function_name": "get_weather"}) == (
        '{"ok":false,"function_name":"get_weather","error":"Function execution failed.",'
        f'"details":"{details}"}}'
    )


async def test_backend_executor_sync_returning_function_result_or_awaitable() -> None:
    def detailed(name: str, payload: Any) -> FunctionResult:
        return FunctionResult(result=[1.5, 2.0])

    runtime, _ = make(executor=detailed)
    assert await run(runtime, "execute_app_function", {"function_name": "remote_fail"}) == (
        '{"ok":true,"function_name":"remote_fail","source":"backend","result":[1.5,2]}'
    )

    async def later(name: str, payload: Any) -> str:
        return "done"

    runtime, _ = make(executor=lambda name, payload: later(name, payload))
    assert await run(runtime, "execute_app_function", {"function_name": "remote_fail"}) == (
        '{"ok":true,"function_name":"remote_fail","source":"backend","result":"done"}'
    )


@pytest.mark.parametrize(
    ("returned", "answer"),
    [
        (FunctionResult(None, has_result=True), ',"result":null}'),  # the backend said "result": null
        (FunctionResult(None, has_result=False), "}"),  # no result key: JS undefined
        (FunctionResult(None), "}"),
        (None, "}"),  # a plain None cannot say which: taken as no result
    ],
)
async def test_backend_null_result_kept_apart_from_no_result(returned: Any, answer: str) -> None:
    runtime, _ = make(executor=lambda name, payload: returned)
    assert await run(runtime, "execute_app_function", {"function_name": "remote_fail"}) == (
        '{"ok":true,"function_name":"remote_fail","source":"backend"' + answer
    )


async def test_backend_not_configured() -> None:
    runtime, _ = make(executor=None)
    assert await run(runtime, "execute_app_function", {"function_name": "get_weather"}) == (
        '{"ok":false,"function_name":"get_weather","error":"Backend function execution is not configured."}'
    )


# §5.3 other tool names
async def test_function_name_as_tool_uses_the_whole_arguments() -> None:
    runtime, calls = make()
    assert await run(runtime, " Echo ", {"args": [1]}) == (
        f'{{"ok":true,"function_name":"echo","source":"{__name__}#echo","result":[1]}}'
    )
    await runtime.execute_tool_call("get_weather", {"payload": {"city": "Cali"}})
    assert calls == [("get_weather", {"payload": {"city": "Cali"}})]  # not unwrapped without aliases


async def test_alias_tool_unwraps_payload() -> None:
    # §3.3: an alias runs execute_app_function(name, payload ?? null).
    runtime, calls = make(direct_alias_tools=True)
    await runtime.execute_tool_call("get_weather", {"payload": {"city": "Cali"}})
    await runtime.execute_tool_call("get_weather", {"payload": None})
    await runtime.execute_tool_call("get_weather", {"city": "Pasto"})  # no "payload" key: as §5.3
    assert calls == [
        ("get_weather", {"city": "Cali"}),
        ("get_weather", None),
        ("get_weather", {"city": "Pasto"}),
    ]


async def test_unknown_tool() -> None:
    runtime, _ = make()
    assert await run(runtime, "delete_everything", {}) == (
        '{"ok":false,"error":"Unknown or disallowed tool.",'
        '"available_tools":["navigate_to","execute_app_function"]}'
    )
