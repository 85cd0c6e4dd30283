"""Execute and list over the Python twin of tests/backend (spec sections 8.1 and 9)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from navai.server import FunctionRegistry

pytestmark = pytest.mark.anyio

SRC = "src/ai/functions-modules"


async def execute(client: httpx2.AsyncClient, body: Any) -> httpx2.Response:
    return await client.post("/navai/functions/execute", json=body)


async def test_list_matches_node_order_and_templates(client: httpx2.AsyncClient) -> None:
    response = await client.get("/navai/functions")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["warnings"] == []
    names = [item["name"] for item in body["items"]]
    assert names[:4] == ["add", "async_echo", "echo", "big_list"]
    assert names[-3:] == ["text_tools_upper", "text_tools_reverse", "text_tools_word_count"]
    assert body["items"][9] == {
        "name": "say_hello",
        "description": "Call exported function default.",
        "source": f"{SRC}/greeting.py#default",
    }
    assert body["items"][4] == {
        "name": "calculator_multiply",
        "description": "Call class method Calculator.multiply().",
        "source": f"{SRC}/calculator.py#Calculator.multiply",
    }


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({}, 400, {"error": "function_name is required."}),
        ({"function_name": 5}, 400, {"error": "function_name is required."}),
        ({"function_name": "   "}, 400, {"error": "function_name is required."}),
        ([1, 2], 400, {"error": "function_name is required."}),
        (
            {"function_name": " ZETA ", "payload": {"args": [1]}},
            404,
            None,
        ),
        (
            {"function_name": "  ADD ", "payload": {"args": [2, 3]}},
            200,
            {"ok": True, "function_name": "add", "source": f"{SRC}/basics.py#add", "result": 5},
        ),
        (
            {"function_name": "return_nothing"},
            200,
            {"ok": True, "function_name": "return_nothing", "source": f"{SRC}/json-types.py#returnNothing"},
        ),
        (
            {"function_name": "text_tools_upper", "payload": {"value": "hola"}},
            200,
            {
                "ok": True,
                "function_name": "text_tools_upper",
                "source": f"{SRC}/text-tools.py#textTools.upper",
                "result": "HOLA",
            },
        ),
        (
            {"function_name": "calculator_total", "payload": {"constructorArgs": [10], "methodArgs": [1, 2]}},
            200,
            {
                "ok": True,
                "function_name": "calculator_total",
                "source": f"{SRC}/calculator.py#Calculator.total",
                "result": 13,
            },
        ),
        ({"function_name": "fail"}, 500, {"error": "boom: intentional failure"}),
        ({"function_name": "async_fail"}, 500, {"error": "boom: intentional async failure"}),
        (
            {"function_name": "fail_with_status", "payload": {"value": 418}},
            418,
            {"error": "boom: intentional failure with status 418"},
        ),
        (
            {"function_name": "add", "payload": {"args": ["x"]}},
            500,
            {"error": 'add expects two numbers, e.g. {"args": [2, 3]}'},
        ),
    ],
)
async def test_execute_statuses_and_bodies(
    client: httpx2.AsyncClient, body: Any, status: int, expected: Any
) -> None:
    response = await execute(client, body)
    assert response.status_code == status
    if expected is None:
        listed = (await client.get("/navai/functions")).json()["items"]
        assert response.json() == {
            "error": "Unknown or disallowed function.",
            "available_functions": [item["name"] for item in listed],
        }
    else:
        assert response.json() == expected


async def test_execute_body_is_compact_utf8(client: httpx2.AsyncClient) -> None:
    response = await execute(client, {"function_name": "return_unicode"})
    assert (
        response.content
        == (
            '{"ok":true,"function_name":"return_unicode","source":"src/ai/functions-modules/json-types.py'
            '#returnUnicode","result":"Olá, señor Müller! Привет, 你好, こんにちは, مرحبا — 🚀✨"}'
        ).encode()
    )


def _probe_registry() -> tuple[FunctionRegistry, list[Any]]:
    """zeta(a, b) as in spec 9.3, recording its arguments (the context as "<ctx>")."""
    seen: list[Any] = []
    registry = FunctionRegistry()

    @registry.function
    def zeta(a: Any, b: Any) -> Any:
        seen.append([v if not hasattr(v, "scope") else "<ctx>" for v in (a, b)])
        return {"a": a if not hasattr(a, "scope") else "<ctx>"}

    @registry.function
    def varargs(*args: Any) -> Any:
        return ["<ctx>" if hasattr(v, "scope") else v for v in args]

    @registry.function
    def d(ctx: Any) -> Any:
        return type(ctx).__name__

    return registry, seen


@pytest.mark.parametrize(
    ("payload", "arguments"),
    [
        ({"x": 1}, [{"x": 1}, "<ctx>"]),
        ({"value": None}, [None, "<ctx>"]),
        ({"value": 5, "args": []}, [5, "<ctx>"]),
        ([7, 8], [[7, 8], "<ctx>"]),
        ({"args": []}, [{"args": []}, "<ctx>"]),
        ({"args": "notarray"}, [{"args": "notarray"}, "<ctx>"]),
        ({"args": None, "arguments": ["A"]}, ["A", "<ctx>"]),
    ],
)
async def test_argument_rules_spec_9_3(
    make_client: Callable[..., httpx2.AsyncClient], payload: Any, arguments: list[Any]
) -> None:
    registry, seen = _probe_registry()
    async with make_client(functions=registry) as http:
        response = await execute(http, {"function_name": "zeta", "payload": payload})
    assert response.status_code == 200
    assert seen == [arguments]


@pytest.mark.parametrize(
    ("payload", "result"),
    [
        ({"args": [1, 2, 3]}, [1, 2, 3]),
        ("str", []),
        (None, []),
        ({}, []),
        ({"value": "v"}, ["v"]),
    ],
)
async def test_rest_parameters_never_get_the_context(
    make_client: Callable[..., httpx2.AsyncClient], payload: Any, result: Any
) -> None:
    registry, _ = _probe_registry()
    async with make_client(functions=registry) as http:
        response = await execute(http, {"function_name": "varargs", "payload": payload})
    assert response.json()["result"] == result


async def test_context_is_the_starlette_request(make_client: Callable[..., httpx2.AsyncClient]) -> None:
    registry, _ = _probe_registry()
    async with make_client(functions=registry) as http:
        response = await execute(http, {"function_name": "d"})
    assert response.json()["result"] == "Request"


async def test_unencodable_result_and_hang_do_not_take_the_server_down(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    registry = FunctionRegistry()

    @registry.function
    def a_set() -> Any:
        return {1, 2}

    @registry.function
    def exits() -> None:
        raise SystemExit(3)

    @registry.function
    async def hang() -> None:
        await asyncio.Event().wait()

    @registry.function
    def nan() -> Any:
        return [float("nan"), float("inf"), 1.5]

    async with make_client(functions=registry) as http:
        response = await execute(http, {"function_name": "a_set"})
        assert response.status_code == 500
        assert response.json() == {"error": "Object of type set is not JSON serializable"}
        response = await execute(http, {"function_name": "exits"})
        assert response.status_code == 500
        assert response.json() == {"error": "The function raised SystemExit: 3"}
        hung = asyncio.create_task(execute(http, {"function_name": "hang"}))
        response = await execute(http, {"function_name": "nan"})
        assert response.json()["result"] == [None, None, 1.5]
        assert not hung.done()
        hung.cancel()


async def test_200_concurrent_slow_executes_all_complete(client: httpx2.AsyncClient) -> None:
    started = time.perf_counter()
    responses = await asyncio.gather(
        *(execute(client, {"function_name": "slow_echo", "payload": {"ms": 300}}) for _ in range(200))
    )
    assert [r.status_code for r in responses] == [200] * 200
    assert all(r.json()["result"] == {"slept_ms": 300} for r in responses)
    assert time.perf_counter() - started < 5


async def test_sync_functions_run_off_the_event_loop(make_client: Callable[..., httpx2.AsyncClient]) -> None:
    registry = FunctionRegistry()

    @registry.function
    def block(ms: int) -> int:
        time.sleep(ms / 1000)
        return ms

    async with make_client(functions=registry) as http:
        started = time.perf_counter()
        responses = await asyncio.gather(
            *(execute(http, {"function_name": "block", "payload": {"value": 200}}) for _ in range(10))
        )
    assert [r.json()["result"] for r in responses] == [200] * 10
    assert time.perf_counter() - started < 1.5


async def test_discovery_failure_is_cached_and_answers_every_call(
    make_client: Callable[..., httpx2.AsyncClient], tmp_path: Any
) -> None:
    missing = tmp_path / "nope"
    async with make_client(functions_base_dir=str(missing)) as http:
        for _ in range(2):
            response = await execute(http, {})
            assert response.status_code == 500
            assert response.json() == {"error": f"ENOENT: no such file or directory, scandir '{missing}'"}
        assert (await http.get("/navai/functions")).status_code == 500


async def test_include_functions_routes_false(make_client: Callable[..., httpx2.AsyncClient]) -> None:
    async with make_client(include_functions_routes=False) as http:
        response = await http.get("/navai/functions")
    assert response.status_code == 404
    assert "<pre>Cannot GET /navai/functions</pre>" in response.text


async def test_custom_paths_match_like_express(make_client: Callable[..., httpx2.AsyncClient]) -> None:
    async with make_client(functions_list_path="/custom/list", functions_execute_path="/custom/run") as http:
        for path in ("/custom/list", "/CUSTOM/List", "/custom/list/"):
            assert (await http.get(path)).status_code == 200
        assert (await http.head("/custom/list")).status_code == 200
        assert (await http.get("/navai/functions")).status_code == 404
        response = await http.post("/custom/run", json={"function_name": "echo", "payload": {"value": 1}})
        assert response.json()["result"] == 1
        options = await http.options("/custom/list")
        assert (options.status_code, options.headers["allow"], options.text) == (
            200,
            "GET, HEAD",
            "GET, HEAD",
        )


async def test_health(client: httpx2.AsyncClient) -> None:
    response = await client.get("/health")
    assert (response.status_code, response.content) == (200, b'{"ok":true}')


async def test_wrong_method_is_express_404_page(client: httpx2.AsyncClient) -> None:
    response = await client.get("/navai/functions/execute?x=<1>")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert response.text == (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
        "</head>\n<body>\n<pre>Cannot GET /navai/functions/execute</pre>\n</body>\n</html>\n"
    )
