"""Parity: the published TypeScript web runtime and ``navai.agent`` on the same inputs.

``ts_web_runtime.mjs`` runs ``@navai/voice-frontend`` 0.1.7 (bench/node_modules) on
`SCENARIOS` once per session; the same scenarios go through ``navai.agent``
(``create_agent_runtime`` with routes, local functions loaded by the backend's loader
rules, backend functions, an executor stub and ``navigate``; direct aliases on, as the web
runtime always has them). Compared: route resolution for every input, route prompt
lines, the local function registry, the instructions text, warnings, tool names and
descriptions, every tool call's answer byte for byte (``json_stringify``), and what
``navigate`` and the backend executor received.

Specialist agents (``AGENT_SCENARIOS``): the web runtime's ``NAVAI_AGENTS_FOLDERS`` reading
(``resolveNavaiFrontendRuntimeConfig`` over fake modules, ``agent.config`` ones included)
against ``resolve_agents``, then ``buildNavaiAgent`` with those agents and the Realtime
SDK's handoffs against ``create_multi_agent_runtime``: each agent's instructions and
session tools, the warnings, and a sequence of calls whose transfers switch the current
agent on both sides. On the wire, the SDK's own ``RealtimeSession`` (its WebSocket
transport, driven by the stand-in Realtime server) and ``NavaiVoiceAgent`` play the same
transfer. The speech provider a minted secret names (``createClientSecret``'s
``speech.provider``) is read from the same bodies by both clients.

``navai.agent`` ports the mobile runtime (``@navai/voice-mobile``, not on npm). Where
node-runtime-spec.md documents that mobile and web differ, the test pins both values (the
web one observed here, the mobile one navai produces) citing the section; everything the
spec calls shared must be equal.

As installed (bench/package-lock.json: openai 6.49), ``buildNavaiAgent`` throws while
converting its zod schemas for strict mode (pinned below, spec §3.3 [observed]); the
driver then builds with the schema openai 6.20.0's converter gives for them (see the
driver's header). Everything else of the web runtime and the SDK runs as published.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from navai.agent import DEFAULT_BASE_INSTRUCTIONS, create_agent_runtime, parse_tool_payload
from navai.agent._js import json_stringify
from navai.functions._discovery import load_navai_functions
from tests.support import ts_packages

DRIVER = Path(__file__).resolve().parent / "ts_web_runtime.mjs"
UNDEFINED = {"$undefined": True}

# --- the local functions: the driver's FIXTURES, in Python ----------------------------------


def echo(*args: Any) -> list[Any]:
    return list(args)


def greet(name: Any) -> str:
    return f"Hello, {name}!"


def boom() -> None:
    raise ValueError("kaput")


def nothing() -> None:
    return None


async def async_add(a: Any, b: Any) -> Any:
    return a + b


def go_to(target: str, context: Mapping[str, Any]) -> str:
    context["navigate"](target)
    return target


def context_keys(context: Mapping[str, Any]) -> list[str]:
    return sorted(context)


class Counter:
    def __init__(self, start: int = 0) -> None:
        self.start = start

    def add(self, amount: Any) -> Any:
        return self.start + amount


def upper(text: str) -> str:
    return text.upper()


def lower(text: str) -> str:
    return text.lower()


FIXTURES: dict[str, Any] = {
    "echo": echo,
    "greet": greet,
    "boom": boom,
    "nothing": nothing,
    "asyncAdd": async_add,
    "goTo": go_to,
    "contextKeys": context_keys,
    "Counter": Counter,
    "textTools": {"upper": upper, "lower": lower},
    "notCallable": 42,
}

# --- the scenarios ---------------------------------------------------------------------------

# The web runtime's answer when the SDK's zod parse of the arguments fails (§3.3: zod
# schemas; defaultToolErrorFunction of @openai/agents-core), sent as the output string.
WEB_INVALID = (
    "An error occurred while running the tool. Please try again. "
    "Error: InvalidToolInputError: Invalid JSON input for tool"
)
NO_TOOL = "<no such tool>"  # the web agent has no tool of that name (RealtimeSession: "Tool x not found")
TARGET_REQUIRED = '{"ok":false,"error":"target is required."}'
NAME_REQUIRED = '{"ok":false,"error":"function_name is required."}'
UNKNOWN_ROUTE = '{"ok":false,"error":"Unknown or disallowed route."}'
UNKNOWN_TOOL = (
    '{"ok":false,"error":"Unknown or disallowed tool.",'
    '"available_tools":["navigate_to","execute_app_function"]}'
)
NOT_CONFIGURED = (
    '{"ok":false,"function_name":"get_weather","error":"Backend function execution is not configured."}'
)


@dataclass(frozen=True)
class Call:
    """One model tool call: ``tool`` with ``arguments`` (the JSON text the model sends).

    With ``web``/``navai`` set, the runtimes differ as ``why`` (a spec section) documents,
    and each must give exactly its value; otherwise their answers must be equal, and equal
    to ``expect`` when given.
    """

    tool: str
    arguments: str
    expect: str | None = None
    web: str | None = None
    navai: str | None = None
    why: str = ""


def ok(name: str, source: str, result: str | None = None) -> str:
    tail = "" if result is None else f',"result":{result}'
    return f'{{"ok":true,"function_name":"{name}","source":"{source}"{tail}}}'


def failed(name: str, details: str) -> str:
    reason = '"error":"Function execution failed."'
    return f'{{"ok":false,"function_name":"{name}",{reason},"details":{json.dumps(details)}}}'


def unknown_function(available: str) -> str:
    return f'{{"ok":false,"error":"Unknown or disallowed function.","available_functions":{available}}}'


def args(function_name: str, payload: Any) -> str:
    return json.dumps({"function_name": function_name, "payload": payload}, ensure_ascii=False)


A = "src/functions/a.ts"
ROUTES = [
    {
        "name": "perfil",
        "path": "/profile",
        "description": "User profile",
        "synonyms": ["cuenta", "mi perfil"],
    },
    {
        "name": "ajustes",
        "path": "/settings",
        "description": "Settings",
        "synonyms": ["configuración", "settings"],
    },
    {"name": "carrito", "path": "/cart", "description": "Cart", "synonyms": []},
    {"name": "Año Nuevo", "path": "/new-year", "description": "Party", "synonyms": ["fiesta"]},
    {"name": "ayuda", "path": "/help", "description": "Help"},
]
ROUTE_INPUTS = [
    "perfil",
    "Perfil",
    "  PERFIL  ",
    "\u00a0perfil\u00a0",
    "\u200bperfil",
    "Perfil\u0301",
    "PERFİL",
    "\uff50\uff45\uff52\uff46\uff49\uff4c",
    "/profile",
    "/PROFILE",
    "/profile/",
    "profile",
    "mi perfil",
    "ve a mi perfil por favor",
    "cuenta",
    "Cuénta",
    "configuración",
    "configuracion",
    "CONFIGURACIÓN",
    "settings",
    "/settings",
    "abre los ajustes",
    "ajustes y perfil",
    "perfilajustes",
    "carrito",
    "el carrito de compras",
    "año nuevo",
    "ano nuevo",
    "AÑO NUEVO",
    "fiesta",
    "/new-year",
    "ayuda",
    "/help",
    "",
    "   ",
    "nada",
    "la luna",
    "aju",
    "/",
]
ALL_FUNCTIONS = (
    '["counter_add","async_add","boom","context_keys","echo","go_to","greet","nothing",'
    '"text_tools_upper","text_tools_lower","echo_2","get_weather","remote_fail","silent","bad name!",'
    f'"{"x" * 65}"]'
)
WEATHER = '{"temp":21.5,"unit":"C","payload":'

FULL_CALLS = [
    # §5.1 navigate_to
    Call("navigate_to", '{"target":"perfil"}', expect='{"ok":true,"path":"/profile"}'),
    Call("navigate_to", '{"target":" Configuración "}', expect='{"ok":true,"path":"/settings"}'),
    Call("navigate_to", '{"target":"perfil","extra":1}', expect='{"ok":true,"path":"/profile"}'),
    Call("navigate_to", '{"target":"la luna"}', expect=UNKNOWN_ROUTE),
    Call("navigate_to", '{"target":"carrito"}', expect='{"ok":true,"path":"/cart"}'),
    # §5.1: mobile answers a missing/blank/non-string target itself; web's zod rejects it.
    Call("navigate_to", '{"target":""}', web=WEB_INVALID, navai=TARGET_REQUIRED, why="5.1"),
    Call("navigate_to", "{}", web=WEB_INVALID, navai=TARGET_REQUIRED, why="5.1"),
    Call("navigate_to", '{"target":5}', web=WEB_INVALID, navai=TARGET_REQUIRED, why="5.1"),
    # §5.2 execute_app_function, local functions first
    Call(
        "execute_app_function",
        args("echo", {"args": [1, "dos", {"tres": 3}]}),
        expect=ok("echo", f"{A}#echo", '[1,"dos",{"tres":3}]'),
    ),
    Call("execute_app_function", args("echo", {"value": 7}), expect=ok("echo", f"{A}#echo", "[7]")),
    Call("execute_app_function", args("echo", {"a": 1}), expect=ok("echo", f"{A}#echo", '[{"a":1}]')),
    Call("execute_app_function", args("echo", None), expect=ok("echo", f"{A}#echo", "[]")),
    Call(
        "execute_app_function", args(" ECHO ", {"args": []}), expect=ok("echo", f"{A}#echo", '[{"args":[]}]')
    ),
    Call(
        "execute_app_function",
        args("greet", {"args": ["Ana"]}),
        expect=ok("greet", f"{A}#greet", '"Hello, Ana!"'),
    ),
    Call(
        "execute_app_function",
        args("greet", {"arguments": ["Bogotá"]}),
        expect=ok("greet", f"{A}#greet", '"Hello, Bogotá!"'),
    ),
    # JavaScript has one number type: 2.0 is 2, integers beyond 2**53 lose precision.
    Call(
        "execute_app_function",
        '{"function_name":"greet","payload":{"args":[2.0]}}',
        expect=ok("greet", f"{A}#greet", '"Hello, 2!"'),
    ),
    Call(
        "execute_app_function",
        '{"function_name":"greet","payload":{"value":1E2}}',
        expect=ok("greet", f"{A}#greet", '"Hello, 100!"'),
    ),
    Call(
        "execute_app_function",
        '{"function_name":"echo","payload":{"args":[12345678901234567890,9007199254740993,1e21,1.5e-7,-0.0,0.1]}}',
        expect=ok("echo", f"{A}#echo", "[12345678901234567000,9007199254740992,1e+21,1.5e-7,0,0.1]"),
    ),
    Call(
        "execute_app_function",
        args("async_add", {"args": [9007199254740993, 0]}),
        expect=ok("async_add", f"{A}#asyncAdd", "9007199254740992"),
    ),
    Call("execute_app_function", args("boom", None), expect=failed("boom", "kaput")),
    Call("execute_app_function", args("nothing", None), expect=ok("nothing", f"{A}#nothing")),
    Call(
        "execute_app_function",
        args("async_add", {"args": [1.5, 2.5]}),
        expect=ok("async_add", f"{A}#asyncAdd", "4"),
    ),
    Call(
        "execute_app_function",
        args("async_add", {"args": [0.1, 0.2]}),
        expect=ok("async_add", f"{A}#asyncAdd", "0.30000000000000004"),
    ),
    Call(
        "execute_app_function",
        args("go_to", {"args": ["/from-fn"]}),
        expect=ok("go_to", f"{A}#goTo", '"/from-fn"'),
    ),
    Call(
        "execute_app_function",
        args("counter_add", {"constructorArgs": [10], "methodArgs": [5]}),
        expect=ok("counter_add", f"{A}#Counter.add", "15"),
    ),
    Call(
        "execute_app_function",
        args("counter_add", {"args": [5]}),
        expect=ok("counter_add", f"{A}#Counter.add", "5"),
    ),
    Call(
        "execute_app_function",
        args("text_tools_upper", {"args": ["hola"]}),
        expect=ok("text_tools_upper", f"{A}#textTools.upper", '"HOLA"'),
    ),
    Call(
        "execute_app_function",
        args("echo_2", {"args": [1]}),
        expect=ok("echo_2", "src/functions/b.ts#echo", "[1]"),
    ),
    # §2: a local function's context is the build options on both, as each runtime names them
    # (navai's are the mobile runtime's, in Python: create_agent_runtime's own arguments).
    Call(
        "execute_app_function",
        args("context_keys", None),
        web=ok(
            "context_keys",
            f"{A}#contextKeys",
            '["backendFunctions","executeBackendFunction","functionModuleLoaders","navigate","routes"]',
        ),
        navai=ok(
            "context_keys",
            f"{A}#contextKeys",
            '["agent_name","backend_functions","base_instructions","execute_backend_function",'
            '"functions","navigate","routes"]',
        ),
        why="2",
    ),
    # §5.2 backend functions
    Call(
        "execute_app_function",
        args("get_weather", {"city": "Bogotá"}),
        expect=ok("get_weather", "weather.py#get", WEATHER + '{"city":"Bogotá"}}'),
    ),
    Call(
        "execute_app_function",
        args("GET_WEATHER", None),
        expect=ok("get_weather", "weather.py#get", WEATHER + "null}"),
    ),
    Call(
        "execute_app_function",
        args("remote_fail", {"args": [1]}),
        expect=failed("remote_fail", '{"error":"boom","status":500}'),
    ),
    Call("execute_app_function", args("silent", None), expect=ok("silent", "backend")),
    Call(
        "execute_app_function", args("bad name!", None), expect=ok("bad name!", "backend", WEATHER + "null}")
    ),
    Call(
        "execute_app_function",
        args("launch_rockets", None),
        expect=unknown_function(ALL_FUNCTIONS),
    ),
    # §5.2 step 1: only mobile answers a blank name itself; web's zod rejects "" and lets "   " through.
    Call("execute_app_function", args("", None), web=WEB_INVALID, navai=NAME_REQUIRED, why="5.2"),
    Call(
        "execute_app_function",
        args("   ", None),
        web=unknown_function(ALL_FUNCTIONS),
        navai=NAME_REQUIRED,
        why="5.2",
    ),
    # §5.2 step 2: mobile normalizes the payload (missing -> null, scalar -> {value});
    # web's zod wants a record or null.
    Call(
        "execute_app_function",
        '{"function_name":"echo"}',
        web=WEB_INVALID,
        navai=ok("echo", f"{A}#echo", "[]"),
        why="5.2",
    ),
    Call(
        "execute_app_function",
        args("echo", "hola"),
        web=WEB_INVALID,
        navai=ok("echo", f"{A}#echo", '["hola"]'),
        why="5.2",
    ),
    Call(
        "execute_app_function",
        args("echo", [1, 2]),
        web=WEB_INVALID,
        navai=ok("echo", f"{A}#echo", "[[1,2]]"),
        why="5.2",
    ),
    # §6: mobile parses bad JSON to {raw}, blank to null; the SDK's parse fails on both.
    Call("execute_app_function", "not json", web=WEB_INVALID, navai=NAME_REQUIRED, why="6"),
    Call("execute_app_function", "", web=WEB_INVALID, navai=NAME_REQUIRED, why="6"),
    # §3.3 direct alias tools
    Call("echo", '{"payload":{"args":[9]}}', expect=ok("echo", f"{A}#echo", "[9]")),
    Call("echo", '{"payload":null}', expect=ok("echo", f"{A}#echo", "[]")),
    Call("echo", '{"payload":{},"extra":true}', expect=ok("echo", f"{A}#echo", "[]")),
    Call(
        "get_weather",
        '{"payload":{"city":"Lima"}}',
        expect=ok("get_weather", "weather.py#get", WEATHER + '{"city":"Lima"}}'),
    ),
    Call("remote_fail", '{"payload":null}', expect=failed("remote_fail", '{"error":"boom","status":500}')),
    Call(
        "counter_add",
        '{"payload":{"constructorArgs":[1],"methodArgs":[2]}}',
        expect=ok("counter_add", f"{A}#Counter.add", "3"),
    ),
    # §5.3: mobile takes a function name called as a tool, its whole arguments as the payload;
    # the web alias wants {"payload": record|null}, and only aliases exist as tools.
    Call("echo", "{}", web=WEB_INVALID, navai=ok("echo", f"{A}#echo", "[]"), why="5.3"),
    Call("echo", '{"args":[1]}', web=WEB_INVALID, navai=ok("echo", f"{A}#echo", "[1]"), why="5.3"),
    Call("echo", '{"payload":"hola"}', web=WEB_INVALID, navai=ok("echo", f"{A}#echo", '["hola"]'), why="5.2"),
    Call("ECHO", '{"payload":{"args":[2]}}', web=NO_TOOL, navai=ok("echo", f"{A}#echo", "[2]"), why="5.3"),
    Call("bad name!", "{}", web=NO_TOOL, navai=ok("bad name!", "backend", WEATHER + "{}}"), why="5.3"),
    Call(
        "launch_rockets",
        "{}",
        web=NO_TOOL,
        navai=UNKNOWN_TOOL,
        why="5.3",
    ),
]

SCENARIOS: list[dict[str, Any]] = [
    {
        "id": "full",
        "routes": ROUTES,
        "routeInputs": ROUTE_INPUTS,
        "modules": {
            "src/functions/e.ts": "$throw",
            "src/functions/d.ts": {},
            "src/functions/c.ts": {"answer": "notCallable"},
            "src/functions/b.ts": {"echo": "echo"},
            A: {
                "echo": "echo",
                "greet": "greet",
                "boom": "boom",
                "nothing": "nothing",
                "asyncAdd": "asyncAdd",
                "goTo": "goTo",
                "contextKeys": "contextKeys",
                "Counter": "Counter",
                "textTools": "textTools",
            },
        },
        "backendFunctions": [
            {"name": "get_weather", "description": "Current weather.", "source": "weather.py#get"},
            {"name": " Remote_Fail "},
            {"name": "GET_WEATHER", "description": "A duplicate."},
            {"name": "Echo", "description": "Named like a local function."},
            {"name": "   "},
            {"name": "silent", "description": "Returns nothing."},
            {"name": "bad name!"},
            {"name": "x" * 65},
        ],
        "executor": True,
        "calls": FULL_CALLS,
    },
    {
        "id": "no-executor",
        "routes": ROUTES[:1],
        "routeInputs": ["perfil", "ajustes", "mi cuenta"],
        "modules": {},
        "backendFunctions": [{"name": "get_weather"}],
        "executor": False,
        "baseInstructions": "Eres el asistente de la tienda.",
        "calls": [
            Call(
                "execute_app_function",
                args("get_weather", None),
                expect=NOT_CONFIGURED,
            ),
            Call(
                "get_weather",
                '{"payload":{"a":1}}',
                expect=NOT_CONFIGURED,
            ),
            Call("navigate_to", '{"target":"ajustes"}', expect=UNKNOWN_ROUTE),
        ],
    },
    {
        "id": "empty",
        "routes": [],
        "routeInputs": ["perfil", ""],
        "modules": {},
        "backendFunctions": [],
        "executor": True,
        "calls": [
            Call(
                "execute_app_function",
                args("anything", None),
                expect='{"ok":false,"error":"Unknown or disallowed function.","available_functions":[]}',
            ),
            Call("navigate_to", '{"target":"perfil"}', expect=UNKNOWN_ROUTE),
        ],
    },
    {
        "id": "reserved-names",
        "routes": ROUTES[2:3],
        "routeInputs": ["carrito"],
        "modules": {
            "src/functions/tools.ts": {
                "navigate_to": "greet",
                "execute_app_function": "echo",
                "Tool-Name": "echo",
            }
        },
        "backendFunctions": [{"name": "Navigate_To"}, {"name": "tool_name"}],
        "executor": True,
        "baseInstructions": "",
        "calls": [
            Call(
                "execute_app_function",
                args("navigate_to", {"args": ["Ana"]}),
                expect=ok("navigate_to", "src/functions/tools.ts#navigate_to", '"Hello, Ana!"'),
            ),
            Call(
                "execute_app_function",
                args("execute_app_function", {"args": [3]}),
                expect=ok("execute_app_function", "src/functions/tools.ts#execute_app_function", "[3]"),
            ),
            Call(
                "tool_name",
                '{"payload":{"args":[4]}}',
                expect=ok("tool_name", "src/functions/tools.ts#Tool-Name", "[4]"),
            ),
            Call("navigate_to", '{"target":"carrito"}', expect='{"ok":true,"path":"/cart"}'),
        ],
    },
]


def _driver_input() -> dict[str, Any]:
    def plain(scenario: dict[str, Any]) -> dict[str, Any]:
        return {**scenario, "calls": [[call.tool, call.arguments] for call in scenario["calls"]]}

    return {
        "scenarios": [plain(scenario) for scenario in SCENARIOS],
        "agentScenarios": [plain(scenario) for scenario in AGENT_SCENARIOS],
        "speechBodies": SPEECH_BODIES,
    }


# --- running both sides ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The driver's document: one run of the TypeScript web runtime over every scenario."""
    ts_packages.require_ts_client()
    node = shutil.which("node")
    assert node is not None
    scenarios = tmp_path_factory.mktemp("parity") / "scenarios.json"
    scenarios.write_text(json.dumps(_driver_input(), ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(
        [node, str(DRIVER), str(scenarios)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr[-4000:]
    document: dict[str, Any] = json.loads(run.stdout)
    assert document["entry"] == "@navai/voice-frontend@0.1.7", document["entry"]
    assert [s["id"] for s in document["scenarios"]] == [s["id"] for s in SCENARIOS]
    assert [s["id"] for s in document["agentScenarios"]] == [s["id"] for s in AGENT_SCENARIOS]
    return document


def _loader(path: str, exports: Any) -> Callable[[], Mapping[str, Any]]:
    def load() -> Mapping[str, Any]:
        if exports == "$throw":
            raise RuntimeError(f"cannot import {path}")
        if "$module" in exports:  # an agent.config module, as it is
            return dict(exports["$module"])
        # As the driver builds it: a module namespace lists its exports in code unit order
        # (a mapping keeps its own order, as Object.entries does for a plain object).
        return {name: FIXTURES[exports[name]] for name in sorted(exports)}

    return load


async def _run_navai(scenario: dict[str, Any]) -> dict[str, Any]:
    current: list[Call] = []  # the call being answered
    navigations: list[tuple[Call, str]] = []
    backend_calls: list[tuple[Call, dict[str, Any]]] = []

    def navigate(path: str) -> None:
        navigations.append((current[-1], path))

    async def execute(name: str, payload: Any) -> Any:  # the driver's makeExecutor
        backend_calls.append((current[-1], {"functionName": name, "payload": payload}))
        if name == "remote_fail":
            raise RuntimeError('{"error":"boom","status":500}')
        if name == "silent":
            return None
        return {"temp": 21.5, "unit": "C", "payload": payload}

    registry = load_navai_functions({p: _loader(p, e) for p, e in scenario["modules"].items()})
    options: dict[str, Any] = {
        "routes": scenario["routes"],
        "functions": registry,
        "backend_functions": scenario["backendFunctions"],
        "execute_backend_function": execute if scenario["executor"] else None,
        "base_instructions": scenario.get("baseInstructions"),
        "navigate": navigate,
    }
    runtime = create_agent_runtime(**options, direct_alias_tools=True)
    mobile = create_agent_runtime(**options)  # navai's default: the mobile runtime's two tools
    outputs = []
    for call in scenario["calls"]:
        current.append(call)
        outputs.append(
            json_stringify(await runtime.execute_tool_call(call.tool, parse_tool_payload(call.arguments)))
        )
    return {
        "registry": {
            "functions": [
                {"name": f.name, "description": f.description, "source": f.source} for f in registry
            ],
            "warnings": list(registry.warnings),
        },
        "runtime": runtime,
        "mobile": mobile,
        "outputs": outputs,
        "navigations": navigations,
        "backendCalls": backend_calls,
    }


@pytest.fixture(scope="session")
def navai_side() -> dict[str, dict[str, Any]]:
    return {scenario["id"]: asyncio.run(_run_navai(scenario)) for scenario in SCENARIOS}


def _pairs(
    web: dict[str, Any], navai_side: dict[str, dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    return [
        (scenario, w, navai_side[scenario["id"]])
        for scenario, w in zip(SCENARIOS, web["scenarios"], strict=True)
    ]


# --- §3.3 the web runtime as installed ----------------------------------------------------


def test_web_runtime_as_installed_cannot_build_its_tools(web: dict[str, Any]) -> None:
    # node-runtime-spec.md §3.3 [observed]: with the lockfile's dependency set, the strict
    # conversion of the zod record payload throws; the driver then builds with openai's
    # Realtime converter (what openai 6.20.0's strict converter returns for these schemas).
    assert web["versions"] == {
        "@navai/voice-frontend": "0.1.7",
        "@openai/agents-core": "0.4.15",
        "@openai/agents-realtime": "0.4.15",
        "openai": "6.49.0",
        "zod": "4.6.7",
    }
    assert web["asInstalled"]["ok"] is False
    assert web["asInstalled"]["name"] == "UserError"
    assert web["asInstalled"]["message"].startswith(
        "Unable to convert the provided Zod schema to JSON Schema."
    )
    assert web["asInstalled"]["message"].endswith(
        "Upstream helper error: Object schema at `properties/payload/anyOf/0` must set "
        "`additionalProperties: false` to be compatible with strict Structured Outputs."
    )


# --- §5.1 routes (shared) --------------------------------------------------------------------


def test_route_resolution_is_equal_for_every_input(web: dict[str, Any]) -> None:
    from navai.agent import resolve_route
    from navai.agent._routes import coerce_routes

    checked = 0
    for scenario, w in zip(SCENARIOS, web["scenarios"], strict=True):
        routes = coerce_routes(scenario["routes"])
        assert [r["input"] for r in w["routes"]] == scenario["routeInputs"]
        for record in w["routes"]:
            expected = None if record["path"] is None else record["path"]
            assert resolve_route(record["input"], routes) == expected, (scenario["id"], record["input"])
            checked += 1
    assert checked == sum(len(s["routeInputs"]) for s in SCENARIOS)
    resolved = {r["input"]: r["path"] for r in web["scenarios"][0]["routes"]}
    assert resolved["Cuénta"] == resolved["\u00a0perfil\u00a0"] == resolved["perfilajustes"] == "/profile"
    assert resolved["ajustes y perfil"] == "/profile"  # routes in order, then name before synonyms
    assert resolved["ano nuevo"] == resolved["fiesta"] == "/new-year"
    assert resolved["PERFİL"] == "/profile"  # NFD splits İ into I + U+0307, which is stripped
    assert (
        resolved["\uff50\uff45\uff52\uff46\uff49\uff4c"]
        is resolved["/profile/"]
        is resolved[""]
        is resolved["aju"]
        is None
    )
    assert resolved["profile"] is None  # a path matches only exactly


def test_route_prompt_lines_are_equal(web: dict[str, Any]) -> None:
    from navai.agent import route_prompt_lines
    from navai.agent._routes import coerce_routes

    for scenario, w in zip(SCENARIOS, web["scenarios"], strict=True):
        assert route_prompt_lines(coerce_routes(scenario["routes"])) == w["promptLines"]
    assert web["scenarios"][0]["promptLines"] == [
        "- perfil (/profile), aliases: cuenta, mi perfil",
        "- ajustes (/settings), aliases: configuración, settings",
        "- carrito (/cart)",
        "- Año Nuevo (/new-year), aliases: fiesta",
        "- ayuda (/help)",
    ]


# --- §2 local functions (shared loader rules) ------------------------------------------------


def test_local_function_registry_is_equal(web: dict[str, Any], navai_side: dict[str, dict[str, Any]]) -> None:
    for _, w, n in _pairs(web, navai_side):
        assert n["registry"] == w["registry"]
    full = web["scenarios"][0]["registry"]
    assert full["warnings"] == [
        '[navai] Renamed duplicated function "echo" to "echo_2".',
        "[navai] Ignored src/functions/c.ts: module has no callable exports.",
        "[navai] Ignored src/functions/d.ts: module has no exports.",
        "[navai] Failed to load src/functions/e.ts: cannot import src/functions/e.ts",
    ]
    assert [f["name"] for f in full["functions"]][:3] == ["counter_add", "async_add", "boom"]


# --- §4 instructions -------------------------------------------------------------------------

WEB_RULES = [
    "- If user asks to go/open a section, always call navigate_to.",
    "- If user asks to run an internal action that belongs to you, "
    "call execute_app_function or the matching direct function tool.",
    "- If the task clearly belongs to a specialist agent, hand off to that specialist agent.",
    "- Food recommendations, fast food, hamburgers, pizza, tacos, snacks, and meal suggestions "
    "belong to the food specialist.",
    "- Always include payload in execute_app_function. Use null when no arguments are needed.",
    "- For execute_app_function, pass arguments using payload.args (array).",
    "- For class methods, pass payload.constructorArgs and payload.methodArgs.",
    "- Never invent routes or function names that are not listed.",
    "- If destination/action is unclear, ask a brief clarifying question.",
]
MOBILE_RULES = [
    "- The only valid tool names are navigate_to and execute_app_function.",
    "- If user asks to go/open a section, always call navigate_to.",
    "- If user asks to run an internal action, always call execute_app_function.",
    "- Always call a tool before claiming that navigation/action was completed.",
    "- Do not repeat greetings or the same sentence multiple times.",
    "- Do not call the same tool repeatedly for the same request unless user explicitly asks to retry.",
    "- payload is optional in execute_app_function. Use null when no arguments are needed.",
    "- For execute_app_function, pass arguments using payload.args (array).",
    "- For class methods, pass payload.constructorArgs and payload.methodArgs.",
    '- Use exact function_name from the allowed list (example: "secret_word").',
    "- Never invent routes or function names that are not listed.",
    "- If destination/action is unclear, ask a brief clarifying question.",
]


def _sections(text: str) -> dict[str, Any]:
    lines = text.split("\n")
    headers = ["Allowed routes:", "Allowed app functions:", "Available specialist agents:", "Rules:"]
    found = [i for i, line in enumerate(lines) if line in headers]
    sections: dict[str, Any] = {"base": lines[: found[0]]}
    for start, end in zip(found, [*found[1:], len(lines)], strict=True):
        sections[lines[start]] = lines[start + 1 : end]
    return sections


def test_instructions(web: dict[str, Any], navai_side: dict[str, dict[str, Any]]) -> None:
    for scenario, w, n in _pairs(web, navai_side):
        web_text, navai_text = _sections(w["agent"]["instructions"]), _sections(n["runtime"].instructions)
        assert n["mobile"].instructions == n["runtime"].instructions  # aliases change the tools only
        # Shared (§4, W/M-routes:35-40 and the function lines of §3.1): routes and functions.
        assert navai_text["Allowed routes:"] == web_text["Allowed routes:"] == w["promptLines"]
        assert navai_text["Allowed app functions:"] == web_text["Allowed app functions:"]
        # The first line: the given base instructions on both; otherwise each runtime's default (§4).
        if "baseInstructions" in scenario:
            assert navai_text["base"] == web_text["base"] == [scenario["baseInstructions"]]
        else:
            assert web_text["base"] == ["You are the main NAVAI voice agent embedded in a web app."]
            # The mobile runtime says "...embedded in a mobile app." (§4); navai drops "mobile".
            assert (
                navai_text["base"]
                == [DEFAULT_BASE_INSTRUCTIONS]
                == ["You are a voice assistant embedded in an app."]
            )
        # §4: the web agent lists specialist agents (none here) and has its own nine rules;
        # the mobile runtime (navai) has no such section and twelve rules.
        assert web_text["Available specialist agents:"] == ["- none"]
        assert "Available specialist agents:" not in navai_text
        assert web_text["Rules:"] == WEB_RULES
        assert navai_text["Rules:"] == MOBILE_RULES
        assert list(web_text) == [
            "base",
            "Allowed routes:",
            "Allowed app functions:",
            "Available specialist agents:",
            "Rules:",
        ]
        assert list(navai_text) == ["base", "Allowed routes:", "Allowed app functions:", "Rules:"]
    full = _sections(web["scenarios"][0]["agent"]["instructions"])["Allowed app functions:"]
    assert full[:2] == [
        "- counter_add: Call class method Counter.add().",
        "- async_add: Call exported function asyncAdd.",
    ]
    assert full[-5:] == [
        "- get_weather: Current weather.",
        "- remote_fail: Execute backend function.",
        "- silent: Returns nothing.",
        "- bad name!: Execute backend function.",
        f"- {'x' * 65}: Execute backend function.",
    ]
    assert _sections(web["scenarios"][2]["agent"]["instructions"])["Allowed app functions:"] == ["- none"]


# --- §3.1 / §3.3 warnings --------------------------------------------------------------------


def _group(warning: str) -> str:
    if warning.startswith(
        ("[navai] Ignored backend function", "[navai] Ignored duplicated backend function")
    ):
        return "backend"
    if warning.startswith('[navai] Function "'):
        return "alias"
    return "registry"


def only_via(name: str, reason: str) -> str:
    return f'[navai] Function "{name}" is available only via execute_app_function because {reason}.'


def test_warnings(web: dict[str, Any], navai_side: dict[str, dict[str, Any]]) -> None:
    for _, w, n in _pairs(web, navai_side):
        web_warnings, navai_warnings = w["agent"]["warnings"], n["runtime"].warnings
        web_groups = {
            g: [x for x in web_warnings if _group(x) == g] for g in ("backend", "registry", "alias")
        }
        navai_groups = {
            g: [x for x in navai_warnings if _group(x) == g] for g in ("backend", "registry", "alias")
        }
        # §3.1: a backend function named like a local one is "a frontend function" on the web
        # and "a mobile function" on mobile; the rest of every warning is shared.
        assert navai_groups["backend"] == [
            x.replace("with a frontend function.", "with a mobile function.") for x in web_groups["backend"]
        ]
        assert navai_groups["registry"] == web_groups["registry"] == w["registry"]["warnings"]
        assert navai_groups["alias"] == web_groups["alias"]
        # Order: the web agent lists backend, then loader, then alias warnings (WD buildNavaiAgent);
        # the mobile runtime loader then backend (M-agent createNavaiMobileAgentRuntime), and
        # navai appends the alias warnings it alone can produce.
        assert web_warnings == web_groups["backend"] + web_groups["registry"] + web_groups["alias"]
        assert navai_warnings == navai_groups["registry"] + navai_groups["backend"] + navai_groups["alias"]
        assert n["mobile"].warnings == navai_groups["registry"] + navai_groups["backend"]
    full = web["scenarios"][0]["agent"]["warnings"]
    assert full[:3] == [
        '[navai] Ignored duplicated backend function "GET_WEATHER".',
        '[navai] Ignored backend function "Echo": name conflicts with a frontend function.',
        '[navai] Renamed duplicated function "echo" to "echo_2".',
    ]
    assert full[-2:] == [
        only_via("bad name!", "its name is not a valid tool id"),
        only_via("x" * 65, "its name is not a valid tool id"),
    ]
    reserved = web["scenarios"][3]["agent"]["warnings"]
    assert reserved == [
        '[navai] Ignored backend function "Navigate_To": name conflicts with a frontend function.',
        '[navai] Ignored backend function "tool_name": name conflicts with a frontend function.',
        only_via("execute_app_function", "its name conflicts with a built-in tool"),
        only_via("navigate_to", "its name conflicts with a built-in tool"),
    ]


# --- §3.2 / §3.3 tools -----------------------------------------------------------------------

PAYLOAD_HELP = (
    "Use payload.args as array for function args, payload.constructorArgs for class constructors, "
    "payload.methodArgs for class methods."
)
WEB_PAYLOAD = {
    "anyOf": [
        {"type": "object", "propertyNames": {"type": "string"}, "additionalProperties": {}},
        {"type": "null"},
    ]
}
MOBILE_PAYLOAD = {"anyOf": [{"type": "object", "additionalProperties": True}, {"type": "null"}]}
DRAFT_7 = "http://json-schema.org/draft-07/schema#"
TARGET_HELP = "Route name or route path. Example: perfil, ajustes, /profile, /settings"
NAME_HELP = "Allowed function name from the list."
# §3.3: the web tools' JSON schemas, from zod (min(1) strings, a required nullable record).
WEB_SCHEMAS = {
    "navigate_to": {
        "$schema": DRAFT_7,
        "type": "object",
        "properties": {"target": {"type": "string", "minLength": 1, "description": TARGET_HELP}},
        "required": ["target"],
        "additionalProperties": False,
    },
    "execute_app_function": {
        "$schema": DRAFT_7,
        "type": "object",
        "properties": {
            "function_name": {"type": "string", "minLength": 1, "description": NAME_HELP},
            "payload": {
                **WEB_PAYLOAD,
                "description": f"Payload object. Use null when no arguments are needed. {PAYLOAD_HELP}",
            },
        },
        "required": ["function_name", "payload"],
        "additionalProperties": False,
    },
    "alias": {
        "$schema": DRAFT_7,
        "type": "object",
        "properties": {
            "payload": {**WEB_PAYLOAD, "description": f"Payload object. Optional. {PAYLOAD_HELP}"}
        },
        "required": ["payload"],
        "additionalProperties": False,
    },
}
# §3.2: the mobile runtime's two raw JSON schemas (navai's); navai's aliases follow them.
MOBILE_SCHEMAS = {
    "navigate_to": {
        "type": "object",
        "properties": {"target": {"type": "string", "description": TARGET_HELP}},
        "required": ["target"],
        "additionalProperties": False,
    },
    "execute_app_function": {
        "type": "object",
        "properties": {
            "function_name": {"type": "string", "description": NAME_HELP},
            "payload": {
                **MOBILE_PAYLOAD,
                "description": f"Payload object. Use null when no arguments are needed. {PAYLOAD_HELP}",
            },
        },
        "required": ["function_name"],
        "additionalProperties": False,
    },
    "alias": {
        "type": "object",
        "properties": {
            "payload": {**MOBILE_PAYLOAD, "description": f"Payload object. Optional. {PAYLOAD_HELP}"}
        },
        "additionalProperties": False,
    },
}


def _kind(name: str) -> str:
    return name if name in ("navigate_to", "execute_app_function") else "alias"


def test_tools(web: dict[str, Any], navai_side: dict[str, dict[str, Any]]) -> None:
    for _, w, n in _pairs(web, navai_side):
        web_tools, navai_tools = w["agent"]["tools"], n["runtime"].tools
        # Shared: which tools, in which order, with which descriptions (§3.3 aliases).
        assert [(t["type"], t["name"], t["description"]) for t in navai_tools] == [
            (t["type"], t["name"], t["description"]) for t in web_tools
        ]
        for web_tool, navai_tool in zip(web_tools, navai_tools, strict=True):
            # §3.2 vs §3.3: zod schemas (strict function tools) on the web, raw JSON on mobile.
            assert web_tool["parameters"] == WEB_SCHEMAS[_kind(web_tool["name"])]
            assert web_tool["strict"] is True
            assert navai_tool["parameters"] == MOBILE_SCHEMAS[_kind(navai_tool["name"])]
            assert set(navai_tool) == {"type", "name", "description", "parameters"}
        # navai's default is the mobile runtime: exactly the two tools of §3.2.
        assert n["mobile"].tools == [
            {
                "type": "function",
                "name": name,
                "description": t["description"],
                "parameters": MOBILE_SCHEMAS[name],
            }
            for name, t in zip(("navigate_to", "execute_app_function"), web_tools, strict=False)
        ]
        assert w["agent"]["handoffs"] == 0
        assert w["agent"]["name"] == "Navai Voice Agent"
    names = [t["name"] for t in web["scenarios"][0]["agent"]["tools"]]
    assert names == [
        "navigate_to",
        "execute_app_function",
        "counter_add",
        "async_add",
        "boom",
        "context_keys",
        "echo",
        "go_to",
        "greet",
        "nothing",
        "text_tools_upper",
        "text_tools_lower",
        "echo_2",
        "get_weather",
        "remote_fail",
        "silent",
    ]
    assert [t["name"] for t in web["scenarios"][3]["agent"]["tools"]] == [
        "navigate_to",
        "execute_app_function",
        "tool_name",
    ]


# --- §5 tool calls ---------------------------------------------------------------------------


def test_every_tool_call_answer(web: dict[str, Any], navai_side: dict[str, dict[str, Any]]) -> None:
    compared = pinned = 0
    for scenario, w, n in _pairs(web, navai_side):
        assert [(c["tool"], c["arguments"]) for c in w["calls"]] == [
            (c.tool, c.arguments) for c in scenario["calls"]
        ]
        for call, record, navai_output in zip(scenario["calls"], w["calls"], n["outputs"], strict=True):
            web_output = record["output"] if record["found"] else NO_TOOL
            label = (scenario["id"], call.tool, call.arguments)
            if call.web is None:
                assert navai_output == web_output, label
                if call.expect is not None:
                    assert web_output == call.expect, label
                compared += 1
            else:
                assert call.why, label
                assert web_output == call.web, label
                assert navai_output == call.navai, label
                pinned += 1
    assert (compared, pinned) == (46, 17)


def test_navigate_and_backend_calls_are_equal(
    web: dict[str, Any], navai_side: dict[str, dict[str, Any]]
) -> None:
    extra: list[tuple[str, Any]] = []
    for _, w, n in _pairs(web, navai_side):
        # What navigate() and the executor received for the calls both answer alike; of the
        # pinned calls, the web rejects every one before it navigates or executes.
        assert [path for call, path in n["navigations"] if call.web is None] == w["navigations"]
        assert [entry for call, entry in n["backendCalls"] if call.web is None] == w["backendCalls"]
        extra += [(call.tool, path) for call, path in n["navigations"] if call.web is not None]
        extra += [(call.tool, entry) for call, entry in n["backendCalls"] if call.web is not None]
    # §5.3: only mobile runs a function name called as a tool, with the whole arguments.
    assert extra == [("bad name!", {"functionName": "bad name!", "payload": {}})]
    full = web["scenarios"][0]
    assert full["navigations"] == ["/profile", "/settings", "/profile", "/cart", "/from-fn"]
    assert full["backendCalls"][0] == {"functionName": "get_weather", "payload": {"city": "Bogotá"}}
    assert web["scenarios"][1]["backendCalls"] == []


def test_tool_arguments_hold_javascript_numbers() -> None:
    """The fix the parity run found: arguments are read as ``JSON.parse`` reads them.

    Before, ``2.0`` reached a local function as ``2.0`` (``"Hello, 2.0!"`` where the
    TypeScript runtime says ``"Hello, 2!"``) and ``12345678901234567890`` kept digits a
    JavaScript number cannot hold. Needs no node: the expected text is what
    ``JSON.stringify(JSON.parse(text))`` gives.
    """
    payload = parse_tool_payload(
        '{"a":2.0,"b":12345678901234567890,"c":1e400,"d":-0.0,"e":7,"f":0.5,"g":1E2}'
    )
    assert isinstance(payload, dict)
    # -0 stays a float: an int has no negative zero, and JSON.parse("-0") is -0.
    assert [type(payload[key]) for key in "abcdefg"] == [int, float, float, float, int, float, int]
    assert json_stringify(payload) == '{"a":2,"b":12345678901234567000,"c":null,"d":0,"e":7,"f":0.5,"g":100}'
    assert greet(payload["a"]) == "Hello, 2!"
    assert parse_tool_payload("9007199254740993") == {"value": 9007199254740992}


# --- specialist agents: NAVAI_AGENTS_FOLDERS, agent.config, handoffs ---------------------------
#
# The web runtime's multi-agent mode (resolveNavaiFrontendRuntimeConfig, then buildNavaiAgent
# with its agents, then the Realtime SDK's handoffs) against resolve_agents and
# create_multi_agent_runtime, direct aliases on as on the web.

F = "src/ai/functions-modules"
AGENT_MODULES: dict[str, Any] = {
    f"{F}/top.ts": {"echo": "echo"},  # in no agent folder: not a function module once agents are set
    f"{F}/main/app.ts": {"echo": "echo", "goTo": "goTo"},
    f"{F}/food/menu.ts": {"greet": "greet", "asyncAdd": "asyncAdd"},
    f"{F}/food/agent.config.ts": {
        "$module": {
            "NAVAI_AGENT": {
                "name": " Food ",
                "description": "Meal suggestions and orders.",
                "instructions": "You suggest meals.",
                "isPrimary": "yes",
            }
        }
    },
    f"{F}/support/agent.config.ts": {
        "$module": {"default": {"handoffDescription": "Tickets and refunds.", "isPrimary": True}}
    },
    f"{F}/support/tickets/open.ts": {"boom": "boom", "nothing": "nothing"},
    f"{F}/empty/agent.config.ts": {"$module": {"NAVAI_AGENT": {"name": "Empty"}}},  # no functions: no agent
}
AGENT_BACKEND = [
    {"name": "get_weather", "description": "Current weather.", "source": "weather.py#get"},
    {"name": "GET_WEATHER"},
    {"name": "Greet", "description": "Named like the food agent's greet."},
]
TO_MAIN = "transfer_to_Main"
# The web specialist has only execute_app_function (no navigate_to, no handoffs: the SDK
# hands off forward only); navai's specialist has a transfer back to the primary, and
# answers the tools it lacks as unknown, listing the ones it has.
SPECIALIST_UNKNOWN = json_stringify(
    {
        "ok": False,
        "error": "Unknown or disallowed tool.",
        "available_tools": ["execute_app_function", "transfer_to_Main"],
    }
)
FOOD_FUNCTIONS = '["async_add","greet","get_weather"]'
AGENT_SCENARIOS: list[dict[str, Any]] = [
    {
        "id": "three-agents",
        "modules": AGENT_MODULES,
        "agentsFolders": "main, food ,support,empty,/main/",
        "routes": ROUTES[:2],
        "backendFunctions": AGENT_BACKEND,
        "calls": [
            Call("navigate_to", '{"target":"perfil"}', expect='{"ok":true,"path":"/profile"}'),
            Call(
                "execute_app_function",
                args("echo", {"args": [1]}),
                expect=ok("echo", f"{F}/main/app.ts#echo", "[1]"),
            ),
            Call("echo", '{"payload":{"args":[2]}}', expect=ok("echo", f"{F}/main/app.ts#echo", "[2]")),
            Call(
                "execute_app_function", args("greet", None), expect=ok("greet", "backend", WEATHER + "null}")
            ),
            Call("transfer_to_Food", "{}", expect='{"assistant":"Food"}'),
            Call(
                "execute_app_function",
                args("greet", {"args": ["Ana"]}),
                expect=ok("greet", f"{F}/food/menu.ts#greet", '"Hello, Ana!"'),
            ),
            Call(
                "execute_app_function",
                args("get_weather", {"city": "Lima"}),
                expect=ok("get_weather", "weather.py#get", WEATHER + '{"city":"Lima"}}'),
            ),
            Call("execute_app_function", args("echo", None), expect=unknown_function(FOOD_FUNCTIONS)),
            Call("navigate_to", '{"target":"perfil"}', web=NO_TOOL, navai=SPECIALIST_UNKNOWN, why="handoffs"),
            Call("transfer_to_Support", "{}", web=NO_TOOL, navai=SPECIALIST_UNKNOWN, why="handoffs"),
            Call(TO_MAIN, "{}", web=NO_TOOL, navai='{"assistant":"Main"}', why="handoffs"),
        ],
    },
    {
        "id": "to-support",
        "modules": AGENT_MODULES,
        "agentsFolders": "main,food,support",
        "routes": ROUTES[:2],
        "backendFunctions": AGENT_BACKEND,
        "calls": [
            Call("transfer_to_Support", '{"ignored":true}', expect='{"assistant":"Support"}'),
            Call("execute_app_function", args("boom", None), expect=failed("boom", "kaput")),
            Call(
                "execute_app_function",
                args("nothing", None),
                expect=ok("nothing", f"{F}/support/tickets/open.ts#nothing"),
            ),
            Call("transfer_to_Food", "{}", web=NO_TOOL, navai=SPECIALIST_UNKNOWN, why="handoffs"),
        ],
    },
    {
        "id": "primary-by-config",
        "modules": {
            f"{F}/food_expert/menu.ts": {"greet": "greet"},
            f"{F}/food_expert/agent.config.ts": "$throw",  # a config that fails to load is empty
            f"{F}/snacks/list.ts": {"nothing": "nothing"},
            f"{F}/snacks/agent.config.ts": {"$module": {"NAVAI_AGENT": {"name": "Snacks 🍿 & Co"}}},
            f"{F}/help-desk/desk.ts": {"echo": "echo"},
            f"{F}/help-desk/agent.config.js": {
                "$module": {
                    "agent": {
                        "key": " helpdesk ",
                        "name": "Help Desk",
                        "description": "  ",
                        "instructions": "Eres el asistente principal.",
                        "isPrimary": True,
                    }
                }
            },
        },
        "agentsFolders": "ghost,food_expert,help-desk,snacks",
        "routes": [],
        "backendFunctions": [],
        "calls": [
            Call(
                "execute_app_function",
                args("echo", None),
                expect=ok("echo", f"{F}/help-desk/desk.ts#echo", "[]"),
            ),
            Call("transfer_to_Food_Expert", "", expect='{"assistant":"Food Expert"}'),
            Call(
                "execute_app_function",
                args("greet", {"args": ["Bo"]}),
                expect=ok("greet", f"{F}/food_expert/menu.ts#greet", '"Hello, Bo!"'),
            ),
            # navai reads a transfer's name as any tool's, in any case; the SDK has none back.
            Call(
                "TRANSFER_TO_HELP_DESK", "{}", web=NO_TOOL, navai='{"assistant":"Help Desk"}', why="handoffs"
            ),
        ],
    },
    {
        "id": "fallback-functions",
        "modules": {
            f"{F}/a.ts": {"echo": "echo"},
            f"{F}/nested/b.ts": {"greet": "greet"},
            f"{F}/ghost/agent.config.ts": {"$module": {"NAVAI_AGENT": {"name": "Ghost"}}},
        },
        "functionsFolders": f"{F}/...",
        "agentsFolders": "ghost",
        "routes": [],
        "backendFunctions": [],
        "calls": [
            Call("echo", '{"payload":null}', expect=ok("echo", f"{F}/a.ts#echo", "[]")),
            Call(
                "greet",
                '{"payload":{"args":["Cy"]}}',
                expect=ok("greet", f"{F}/nested/b.ts#greet", '"Hello, Cy!"'),
            ),
        ],
    },
    {
        "id": "env-globs",
        "modules": {
            f"{F}/food/menu.ts": {"greet": "greet"},
            f"{F}/food/deep/x.ts": {"echo": "echo"},
            "src/extra/tool.ts": {"textTools": "textTools"},
            "src/extra/other.ts": {"echo": "echo"},
        },
        "env": {
            "NAVAI_FUNCTIONS_FOLDERS": f"{F}/food/*.ts, src/extra/tool.ts",
            "NAVAI_AGENTS_FOLDERS": "food",
        },
        "routes": [],
        "backendFunctions": [],
        "calls": [
            Call(
                "text_tools_upper",
                '{"payload":{"args":["hi"]}}',
                expect=ok("text_tools_upper", "src/extra/tool.ts#textTools.upper", '"HI"'),
            )
        ],
    },
    {
        "id": "same-name",  # two specialists named alike: both tools are sent, the last is reached
        "modules": {
            f"{F}/main/app.ts": {"echo": "echo"},
            f"{F}/a/x.ts": {"greet": "greet"},
            f"{F}/a/agent.config.ts": {"$module": {"NAVAI_AGENT": {"name": "Twin", "description": "First."}}},
            f"{F}/b/y.ts": {"asyncAdd": "asyncAdd"},
            f"{F}/b/agent.config.ts": {"$module": {"NAVAI_AGENT": {"name": "Twin", "description": "Last."}}},
        },
        "agentsFolders": "main,a,b",
        "routes": [],
        "backendFunctions": [],
        "calls": [
            Call("transfer_to_Twin", "{}", expect='{"assistant":"Twin"}'),
            Call(
                "execute_app_function",
                args("async_add", {"args": [1, 2]}),
                expect=ok("async_add", f"{F}/b/y.ts#asyncAdd", "3"),
            ),
        ],
    },
    {
        "id": "no-match",
        "modules": {f"{F}/main/app.ts": {"echo": "echo"}, f"{F}/top.ts": {"greet": "greet"}},
        "functionsFolders": "nowhere",
        "agentsFolders": "main",
        "routes": [],
        "backendFunctions": [],
        "calls": [Call("execute_app_function", args("greet", None), expect=unknown_function('["echo"]'))],
    },
]


async def _run_navai_agents(scenario: dict[str, Any]) -> dict[str, Any]:
    from navai.agent import Transfer, create_multi_agent_runtime, resolve_agents

    navigations: list[str] = []
    backend_calls: list[dict[str, Any]] = []

    async def execute(name: str, payload: Any) -> Any:  # the driver's makeExecutor
        backend_calls.append({"functionName": name, "payload": payload})
        return {"temp": 21.5, "unit": "C", "payload": payload}

    config = resolve_agents(
        {path: _loader(path, exports) for path, exports in scenario["modules"].items()},
        functions_folders=scenario.get("functionsFolders"),
        agents_folders=scenario.get("agentsFolders"),
        env=scenario.get("env", {}),
    )
    runtime = create_multi_agent_runtime(
        agents=config,
        routes=scenario["routes"],
        backend_functions=scenario["backendFunctions"],
        execute_backend_function=execute,
        navigate=navigations.append,
        direct_alias_tools=True,
    )
    agents = {name: (agent.instructions, agent.tools) for name, agent in runtime.agents.items()}
    calls = []
    for call in scenario["calls"]:
        answer = await runtime.execute_tool_call(call.tool, parse_tool_payload(call.arguments))
        output = answer.output if isinstance(answer, Transfer) else json_stringify(answer)
        calls.append(
            {"output": output, "agent": runtime.agent_name, "transfer": isinstance(answer, Transfer)}
        )
    return {
        "config": config,
        "runtime": runtime,
        "agents": agents,
        "calls": calls,
        "navigations": navigations,
        "backendCalls": backend_calls,
    }


@pytest.fixture(scope="session")
def navai_agents() -> dict[str, dict[str, Any]]:
    return {scenario["id"]: asyncio.run(_run_navai_agents(scenario)) for scenario in AGENT_SCENARIOS}


def _agent_pairs(
    web: dict[str, Any], navai_agents: dict[str, dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    return [
        (scenario, w, navai_agents[scenario["id"]])
        for scenario, w in zip(AGENT_SCENARIOS, web["agentScenarios"], strict=True)
    ]


def _undefined(value: Any) -> Any:
    return None if value == UNDEFINED else value


def _by_name(agents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The web agents by name: of two with one name, the SDK reaches the last."""
    return {agent["name"]: agent for agent in agents}


def test_agent_folders_resolve_alike(web: dict[str, Any], navai_agents: dict[str, dict[str, Any]]) -> None:
    for scenario, w, n in _agent_pairs(web, navai_agents):
        config = n["config"]
        assert list(config.modules) == w["config"]["functionModules"], scenario["id"]
        assert [
            {
                "key": a.key,
                "name": a.name,
                "description": a.description,
                "handoffDescription": a.handoff_description,
                "instructions": a.instructions,
                "isPrimary": a.is_primary,
                "functionModules": list(a.modules),
            }
            for a in config.agents
        ] == [{k: _undefined(v) for k, v in a.items()} for a in w["config"]["agents"]], scenario["id"]
        assert config.primary_agent_key == _undefined(w["config"]["primaryAgentKey"])
        assert list(config.warnings) == w["config"]["warnings"]
    by_id = {s["id"]: s["config"] for s in web["agentScenarios"]}
    three = by_id["three-agents"]
    # Folders without function modules are no agents; a listed folder twice is two agents;
    # the first listed folder with functions is the primary, whatever a later config says.
    assert [(a["key"], a["name"], a["isPrimary"]) for a in three["agents"]] == [
        ("main", "Main", True),
        ("food", "Food", False),
        ("support", "Support", False),
        ("main", "Main", False),
    ]
    assert three["functionModules"] == [
        f"{F}/main/app.ts",
        f"{F}/food/menu.ts",
        f"{F}/support/tickets/open.ts",
    ]
    assert three["agents"][2]["handoffDescription"] == "Tickets and refunds."
    assert three["agents"][2]["description"] == UNDEFINED
    # isPrimary counts only when the first listed folder has no functions; key and name from
    # the config, a blank description is none, a config that throws is empty.
    primary = by_id["primary-by-config"]
    assert [(a["key"], a["name"], a["isPrimary"]) for a in primary["agents"]] == [
        ("food_expert", "Food Expert", False),
        ("helpdesk", "Help Desk", True),
        ("snacks", "Snacks 🍿 & Co", False),
    ]
    assert primary["primaryAgentKey"] == "helpdesk"
    assert by_id["fallback-functions"]["agents"] == by_id["env-globs"]["agents"] == []
    assert by_id["env-globs"]["functionModules"] == [f"{F}/food/menu.ts", "src/extra/tool.ts"]
    assert by_id["no-match"]["warnings"] == [
        '[navai] NAVAI_FUNCTIONS_FOLDERS did not match any module: "nowhere". '
        'Falling back to "src/ai/functions-modules".'
    ]


FOOD_INSTRUCTIONS = "\n".join(
    [
        "You suggest meals.",
        "Allowed app functions:",
        "- async_add: Call exported function asyncAdd.",
        "- greet: Call exported function greet.",
        "- get_weather: Current weather.",
        "Rules:",
        "- Always use execute_app_function for app actions.",
        "- When no arguments are needed, call execute_app_function with payload set to null.",
        "- Use only the functions available to this specialist agent.",
        "- Do not navigate unless one of your allowed functions explicitly does so.",
        "- Return a concise result to the main NAVAI agent.",
    ]
)
FOOD_RULE = (
    "- Food recommendations, fast food, hamburgers, pizza, tacos, snacks, and meal suggestions "
    "belong to the food specialist."
)
HANDOFF_PARAMETERS = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}


def test_agent_instructions(web: dict[str, Any], navai_agents: dict[str, dict[str, Any]]) -> None:
    for scenario, w, n in _agent_pairs(web, navai_agents):
        assert list(n["agents"]) == list(_by_name(w["agents"])), scenario["id"]
        [primary, *specialists] = _by_name(w["agents"]).values()
        navai_primary, *navai_specialists = n["agents"].values()
        # The primary's text is the web's, less the food rule 0.1.7 hard-codes for every app.
        web_lines = primary["instructions"].split("\n")
        assert web_lines.count(FOOD_RULE) == 1
        assert navai_primary[0].split("\n") == [line for line in web_lines if line != FOOD_RULE]
        # A specialist's text is the web's, byte for byte.
        for web_agent, navai_agent in zip(specialists, navai_specialists, strict=True):
            assert navai_agent[0] == web_agent["instructions"]
    by_id = {s["id"]: s for s in web["agentScenarios"]}
    three = _sections(by_id["three-agents"]["agents"][0]["instructions"])
    assert three["base"] == ["You are the main NAVAI voice agent embedded in a web app."]
    assert three["Available specialist agents:"] == [
        "- Food: Meal suggestions and orders.",
        "- Support: Tickets and refunds.",
    ]
    assert three["Allowed app functions:"] == [
        "- echo: Call exported function echo.",
        "- go_to: Call exported function goTo.",
        "- get_weather: Current weather.",
        "- greet: Named like the food agent's greet.",
    ]
    assert by_id["three-agents"]["agents"][1]["instructions"] == FOOD_INSTRUCTIONS
    assert by_id["three-agents"]["agents"][2]["instructions"].split("\n")[0] == (
        "You are the Support specialist agent for this web app."
    )
    assert (
        by_id["primary-by-config"]["agents"][0]["instructions"].split("\n")[0]
        == "Eres el asistente principal."
    )
    assert _sections(by_id["fallback-functions"]["agents"][0]["instructions"])[
        "Available specialist agents:"
    ] == ["- none"]


def test_agent_tools(web: dict[str, Any], navai_agents: dict[str, dict[str, Any]]) -> None:
    for scenario, w, n in _agent_pairs(web, navai_agents):
        for index, (web_agent, (_, navai_tools)) in enumerate(
            zip(_by_name(w["agents"]).values(), n["agents"].values(), strict=True)
        ):
            web_tools = web_agent["tools"]
            if index > 0:  # navai's specialists end with the transfer back
                *navai_tools, back = navai_tools
                assert back == {
                    "type": "function",
                    "name": TO_MAIN if scenario["id"] != "primary-by-config" else "transfer_to_Help_Desk",
                    "description": back["description"],
                    "parameters": HANDOFF_PARAMETERS,
                }
            assert [(t["type"], t["name"], t["description"]) for t in navai_tools] == [
                (t["type"], t["name"], t["description"]) for t in web_tools
            ], scenario["id"]
            for web_tool, navai_tool in zip(web_tools, navai_tools, strict=True):
                if web_tool["name"].startswith("transfer_to_"):
                    # The SDK's handoff tool; session.update sends it without `strict`.
                    assert navai_tool == {k: v for k, v in web_tool.items() if k != "strict"}
                    assert web_tool["parameters"] == HANDOFF_PARAMETERS
                    assert web_tool["strict"] is True
                else:  # §3.2 vs §3.3, as for one agent
                    assert navai_tool["parameters"] == MOBILE_SCHEMAS[_kind(navai_tool["name"])]
    three = {a["name"]: a["tools"] for a in web["agentScenarios"][0]["agents"]}
    assert [(t["name"], t["description"]) for t in three["Main"]][-2:] == [
        ("transfer_to_Food", "Handoff to the Food agent to handle the request. Meal suggestions and orders."),
        ("transfer_to_Support", "Handoff to the Support agent to handle the request. Tickets and refunds."),
    ]
    assert [t["name"] for t in three["Food"]] == ["execute_app_function"]
    # toFunctionToolName: one "_" per UTF-16 code unit that is not an ASCII letter or digit.
    by_config = web["agentScenarios"][2]["agents"][0]["tools"]
    assert [t["name"] for t in by_config][-2:] == ["transfer_to_Food_Expert", "transfer_to_Snacks______Co"]
    back = navai_agents["three-agents"]["agents"]["Food"][1][-1]
    twins = web["agentScenarios"][5]["agents"][0]["tools"]
    assert [(t["name"], t["description"][-6:]) for t in twins][-2:] == [
        ("transfer_to_Twin", "First."),
        ("transfer_to_Twin", " Last."),
    ]
    assert back["description"] == (
        "Handoff to the Main agent to handle the request. "
        "Return to it when the request is not yours, or once your task is done."
    )


def test_agent_warnings(web: dict[str, Any], navai_agents: dict[str, dict[str, Any]]) -> None:
    for scenario, w, n in _agent_pairs(web, navai_agents):
        runtime = n["runtime"]
        navai_warnings = runtime.warnings[len(n["config"].warnings) :]
        assert runtime.warnings[: len(n["config"].warnings)] == w["config"]["warnings"]
        mobile = [x.replace("with a frontend function.", "with a mobile function.") for x in w["warnings"]]
        primary_count = len(runtime.primary.warnings)
        # The primary's own warnings in navai's order (§3.1, as for one agent), then each
        # specialist's, as on the web.
        web_primary = mobile[:primary_count]
        assert navai_warnings[:primary_count] == sorted(
            web_primary, key=lambda x: ["registry", "backend", "alias"].index(_group(x))
        ), scenario["id"]
        assert navai_warnings[primary_count:] == mobile[primary_count:], scenario["id"]
    assert web["agentScenarios"][0]["warnings"] == [
        '[navai] Ignored duplicated backend function "GET_WEATHER".',
        '[navai] Ignored duplicated backend function "GET_WEATHER".',
        '[navai] Ignored backend function "Greet": name conflicts with a frontend function.',
        '[navai] Ignored duplicated backend function "GET_WEATHER".',
    ]


def test_agent_tool_calls_and_transfers(web: dict[str, Any], navai_agents: dict[str, dict[str, Any]]) -> None:
    compared = pinned = transfers = 0
    for scenario, w, n in _agent_pairs(web, navai_agents):
        for call, record, mine in zip(scenario["calls"], w["calls"], n["calls"], strict=True):
            web_output = record["output"] if record.get("found", True) else NO_TOOL
            label = (scenario["id"], call.tool, call.arguments)
            if call.web is None:
                assert mine["output"] == web_output, label
                assert mine["agent"] == record["agent"], label  # the agent current after the call
                if call.expect is not None:
                    assert web_output == call.expect, label
                compared += 1
            else:
                assert call.why, label
                assert web_output == call.web, label
                assert mine["output"] == call.navai, label
                pinned += 1
            transfers += mine["transfer"]
        assert n["navigations"] == w["navigations"]
        assert n["backendCalls"] == w["backendCalls"]
    assert (compared, pinned, transfers) == (20, 5, 6)


# --- the speech provider of a minted secret (createClientSecret's speech.provider) ----------

SPEECH_BODIES = [
    '{"value":"ek_1","speech":{"provider":"elevenlabs"}}',
    '{"value":"ek_1","speech":{"provider":"elevenlabs","voice":"x"},"expires_at":1}',
    '{"value":"ek_1","speech":{"provider":"openai"}}',
    '{"value":"ek_1","speech":{"provider":"ElevenLabs"}}',
    '{"value":"ek_1","speech":{"provider":" elevenlabs"}}',
    '{"value":"ek_1","speech":"elevenlabs"}',
    '{"value":"ek_1","speech":["elevenlabs"]}',
    '{"value":"ek_1","speech":null}',
    '{"value":"ek_1","speech":{}}',
    '{"value":"ek_1","provider":"elevenlabs"}',
    '{"value":"ek_1"}',
    '{"value":"ek_1","speech":{"provider":"elevenlabs"},"speech":{"provider":"openai"}}',
]


def test_speech_provider_is_read_alike(web: dict[str, Any]) -> None:
    import httpx2

    from navai import NavaiBackendClient

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=bodies[0], headers={"Content-Type": "application/json"})

    providers = []
    for body in SPEECH_BODIES:
        bodies = [body]
        with NavaiBackendClient("http://127.0.0.1:9", transport=httpx2.MockTransport(answer)) as client:
            providers.append({"body": body, "provider": client.create_client_secret().speech_provider})
    assert providers == web["speech"]
    assert [p["provider"] for p in web["speech"]] == ["elevenlabs", "elevenlabs"] + ["openai"] * 10


# --- a transfer on the wire: the SDK's RealtimeSession and NavaiVoiceAgent, same script -------


def _with_ids(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The SDK drops a server event without ``event_id`` (its zod schemas require one)."""
    return [{"event_id": f"event_{index}", **event} for index, event in enumerate(events)]


async def _play_transfer(conn: Any) -> None:
    """The model: transfer to the food specialist, then call its greet."""
    from tests.support.realtime_standin import function_call_response

    def answered(call_id: str) -> Callable[[list[dict[str, Any]]], bool]:
        return lambda received: any(e.get("item", {}).get("call_id") == call_id for e in received)

    await conn.wait_for("session.update")
    await conn.send(*_with_ids(function_call_response("c_food", "transfer_to_Food", "{}")))
    await conn.wait_until(answered("c_food"), timeout=15)
    greet = args("greet", {"args": ["Ana"]})
    await conn.send(*_with_ids(function_call_response("c_greet", "execute_app_function", greet)))
    await conn.wait_until(
        lambda received: answered("c_greet")(received) and received[-1]["type"] == "response.create"
    )


class _Backend:
    """What NavaiVoiceAgent uses of a backend client: a secret, and the scenario's functions."""

    async def create_client_secret(self, *_: Any) -> Any:
        from navai import ClientSecret

        return ClientSecret(value="ek_parity")

    async def list_functions(self) -> Any:
        from navai import BackendFunction, BackendFunctionsResult

        return BackendFunctionsResult(
            functions=[
                BackendFunction(f["name"], f.get("description"), f.get("source")) for f in AGENT_BACKEND
            ],
            warnings=[],
        )


async def _wire_transcripts(node: str, scenario_file: Path, log: Any) -> tuple[list[str], list[str]]:
    from navai.agent import NavaiVoiceAgent, resolve_agents
    from tests.support.realtime_standin import RealtimeStandIn

    scenario = AGENT_SCENARIOS[0]
    async with RealtimeStandIn() as realtime:
        process = await asyncio.create_subprocess_exec(
            node,
            str(DRIVER),
            "--session",
            f"{realtime.url}/realtime?model=gpt-realtime",
            str(scenario_file),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,  # a file: the driver's debug lines never fill a pipe
        )
        try:
            sdk = await realtime.next_connection(timeout=30)
            await _play_transfer(sdk)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()  # this test's own child, by its pid
                await process.wait()
        agents = resolve_agents(
            {path: _loader(path, exports) for path, exports in scenario["modules"].items()},
            agents_folders=scenario["agentsFolders"],
            env={},
        )
        async with NavaiVoiceAgent(
            _Backend(),  # type: ignore[arg-type]
            agents=agents,
            routes=scenario["routes"],
            direct_alias_tools=True,
            mode="text",
            env={},
            realtime_url=realtime.url,
        ):
            mine = await realtime.next_connection()
            await _play_transfer(mine)
    return sdk.raw, mine.raw


def test_a_transfer_on_the_wire_matches_the_sdk_session(tmp_path: Path) -> None:
    ts_packages.require_ts_client()
    node = shutil.which("node")
    assert node is not None
    scenario_file = tmp_path / "session.json"
    plain = {key: value for key, value in AGENT_SCENARIOS[0].items() if key != "calls"}
    scenario_file.write_text(json.dumps(plain, ensure_ascii=False), encoding="utf-8")
    with (tmp_path / "driver.log").open("w") as log:
        sdk_raw, navai_raw = asyncio.run(_wire_transcripts(node, scenario_file, log))
    sdk, mine = [json.loads(m) for m in sdk_raw], [json.loads(m) for m in navai_raw]
    # The SDK turns tracing on in a session.update of its own, right after the first.
    assert sdk[1] == {"type": "session.update", "session": {"type": "realtime", "tracing": "auto"}}
    del sdk[1]
    answer = ["conversation.item.create", "response.create"]
    kinds = ["session.update", "session.update", *answer, *answer]
    assert [e["type"] for e in sdk] == [e["type"] for e in mine] == kinds
    # The transfer: session.update with the specialist's instructions and tools, then the answer.
    sdk_update, navai_update = sdk[1]["session"], mine[1]["session"]
    assert navai_update["instructions"] == sdk_update["instructions"] == FOOD_INSTRUCTIONS
    *navai_tools, back = navai_update["tools"]
    assert back["name"] == TO_MAIN  # navai's way back; the SDK's specialist has none
    assert [(t["name"], t["description"]) for t in navai_tools] == [
        (t["name"], t["description"]) for t in sdk_update["tools"]
    ]
    # The SDK resends its whole config (model, audio, output modalities...); navai its own
    # session fields, with the new instructions and tools.
    assert list(sdk_update) == ["type", "instructions", "model", "output_modalities", "audio", "tools"]
    assert navai_update == {
        **mine[0]["session"],
        "instructions": FOOD_INSTRUCTIONS,
        "tools": navai_update["tools"],
    }
    # The answers: the same output strings; the SDK writes the item's keys as
    # type, output, call_id, navai as the mobile runtime does: type, call_id, output.
    for index in (2, 4):
        assert sdk[index]["item"] == mine[index]["item"]
    assert sdk[2]["item"]["output"] == '{"assistant":"Food"}'
    assert sdk[4]["item"]["output"] == ok("greet", f"{F}/food/menu.ts#greet", '"Hello, Ana!"')
    assert list(sdk[2]["item"]) == ["type", "output", "call_id"]
    assert list(mine[2]["item"]) == ["type", "call_id", "output"]
