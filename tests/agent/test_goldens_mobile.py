"""Parity with the TypeScript mobile runtime, as data: every case of the mobile goldens.

``../shared/reference/goldens/mobile-runtime.json`` holds 602 outputs of
``@navai/voice-mobile`` (``agent.ts``, ``routes.ts``, ``functions.ts`` at ``56ef273``) with
their inputs; its README says how to read them. Each case is replayed here against
``navai.agent`` (the fixtures it names are ``goldens_fixtures``, in Python) and compared:
``function_call_output`` strings byte for byte, structures after decoding the ``$js``
markers (numbers as JS doubles, so ``-0`` is not ``0``).

Where Python cannot be JavaScript, or navai chose otherwise, and README.md lists it (the
``navai.agent`` and ``navai.server`` sections), the case is in `PINNED` with the golden's
value and navai's, each checked; every other case must match. The suite skips, saying
why, only where ``../shared`` is not checked out next to the repository.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from navai.agent import (
    create_agent_runtime,
    extract_tool_calls,
    parse_tool_payload,
    resolve_route,
    route_prompt_lines,
    serialize_tool_output,
    tool_result_events,
)
from navai.agent._routes import coerce_routes
from navai.agent._runtime import AgentRuntime, _normalize_execution_payload
from navai.functions._discovery import load_navai_functions
from navai.functions._model import build_invocation_args
from navai.functions._naming import module_stem, normalize_name

from .goldens_fixtures import (
    CONTEXT,
    CONTEXTS,
    GOLDENS,
    BackendStub,
    decode,
    load_goldens,
    mismatch,
    module_loaders,
)

DOCUMENT = load_goldens()
SECTIONS: dict[str, list[dict[str, Any]]] = DOCUMENT["sections"] if DOCUMENT else {}
FIXTURES: dict[str, Any] = DOCUMENT["fixtures"] if DOCUMENT else {}
ABSENT = (
    f"{GOLDENS} is absent: the mobile goldens live in the shared reference checkout next to "
    "the repository (../shared), present under CI"
)
# The README's table: cases per section (helper_* together).
COUNTS = {
    "route_resolution": 98,
    "route_prompt_lines": 6,
    "function_loading": 4,
    "runtime_sessions": 9,
    "tool_calls": 203,
    "event_extraction": 96,
    "result_events": 62,
    "pipeline": 20,
    "helper_*": 104,
}
HELPERS = {
    "helper_normalize_name": lambda i: {"name": normalize_name(i["value"])},
    "helper_module_stem": lambda i: {"stem": module_stem(i["path"])},
    "helper_build_invocation_args": lambda i: {
        "args": build_invocation_args(decode(i["payload"]), CONTEXT, i["arity"])
    },
    "helper_parse_tool_payload": lambda i: {"payload": parse_tool_payload(decode(i["value"]))},
    "helper_normalize_execution_payload": lambda i: {
        "payload": _normalize_execution_payload(decode(i["value"]))
    },
}


def cases(*sections: str) -> list[Any]:
    if DOCUMENT is None:
        return [pytest.param(None, id="goldens-absent", marks=pytest.mark.skip(reason=ABSENT))]
    return [pytest.param(case, id=case["id"]) for section in sections for case in SECTIONS[section]]


# --- the documented differences ----------------------------------------------------------


@dataclass(frozen=True)
class Replace:
    """The golden has ``js`` where navai has ``navai``: in a string field, as an item of a
    list of strings, or else in the field's compact JSON text."""

    js: str
    navai: str

    def apply(self, case_id: str, field: str, value: Any) -> Any:
        if isinstance(value, str):
            assert self.js in value, (case_id, field, "the golden no longer has", self.js)
            return value.replace(self.js, self.navai)
        if isinstance(value, list) and self.js in value:
            return [self.navai if item == self.js else item for item in value]
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        assert self.js in text, (case_id, field, "the golden no longer has", self.js)
        return json.loads(text.replace(self.js, self.navai))


@dataclass(frozen=True)
class Pin:
    """A documented difference (``why`` cites README's list): per field, the golden's value
    and navai's as a pair, or the `Replace` edits that turn the golden's into navai's."""

    why: str
    fields: dict[str, tuple[Any, Any] | tuple[Replace, ...]]


NO_RESULT = "README navai.agent: a local function that returns None answers without a result key"
NOT_JSON = (
    "README navai.agent: a value JSON cannot hold in Python (a datetime, a set, a function, an "
    "Exception, an object with toJSON) answers Failed to serialize tool output.; JSON.stringify "
    "drops it, writes {} or calls its toJSON"
)
ONE_NULL = "README navai.agent: Python has one null: None is written null where JS leaves undefined out"
MESSAGE = (
    "README navai.server: an error's message is str(exc) (a thrown non-Error is raised inside an Exception)"
)
ARGS = (
    "README navai.agent: a call with fewer arguments than the function's required parameters "
    "fails with Python's TypeError, where JS passes undefined"
)
THROW = (
    "README navai.agent: execute_tool_call never raises; what executeToolCall throws (a name that "
    "is not a string) is answered as the mobile hook answers it, with Python's message"
)
BASE = "README navai.agent: with no base instructions the first line says 'an app' (mobile: 'a mobile app')"
STEM = "README navai.agent: module stems drop the backend's extensions (.mjs, .cjs, .mts, .cts, .py) too"
LOADER = (
    "README navai.agent: a loader that resolves to something other than a module or a mapping "
    "(a string, None) is a failed load with Python's message"
)
SERIALIZE_FAILED = '{"ok":false,"error":"Failed to serialize tool output."}'
UNDEFINED = {"$js": "undefined"}
VARS = "vars() argument must have __dict__ attribute"
ODD_MODULES = (
    Replace(
        "[navai] Failed to load src/fns/null-module.ts: Cannot convert undefined or null to object",
        f"[navai] Failed to load src/fns/null-module.ts: {VARS}",
    ),
    Replace(
        "[navai] Ignored src/fns/string-module.ts: module has no callable exports.",
        f"[navai] Failed to load src/fns/string-module.ts: {VARS}",
    ),
)
MOBILE_BASE = (
    Replace(
        "You are a voice assistant embedded in a mobile app.", "You are a voice assistant embedded in an app."
    ),
)
PRICING = "src/ai/functions-modules/pricing.ts"


def _ok(name: str, source: str, *result: Any) -> dict[str, Any]:
    return {"ok": True, "function_name": name, "source": source, **({"result": result[0]} if result else {})}


def _failed(name: str, details: str) -> dict[str, Any]:
    return {"ok": False, "function_name": name, "error": "Function execution failed.", "details": details}


def _answers(js: dict[str, Any], navai: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The pinned answer object and its function_call_output text."""
    return {
        "result": (js, navai),
        "output": (json.dumps(js, separators=(",", ":")), serialize_tool_output(navai)),
    }


def _too_few(name: str, label: str, received: list[Any], parameter: str) -> Pin:
    js = _ok(name, f"{PRICING}#{label}", {"fn": label, "received": received})
    missing = f"{label}() missing 1 required positional argument: '{parameter}'"
    return Pin(ARGS, _answers(js, _failed(name, missing)))


def _tool_failed(details: str) -> dict[str, Any]:
    return {"ok": False, "error": "Tool execution failed.", "details": details}


def _thrown(message: str, details: str) -> Pin:
    return Pin(THROW, {"throws": ({"type": "TypeError", "message": message}, _tool_failed(details))})


def _output(why: str, js: Any, navai: str) -> Pin:
    return Pin(why, {"output": (js, navai)})


PINNED: dict[str, Pin] = {
    "load_loader_edge_cases": Pin(LOADER, {"warnings": ODD_MODULES}),
    "runtime_edge": Pin(LOADER, {"warnings": ODD_MODULES}),
    "runtime_no_executor": Pin(BASE, {"instructions": MOBILE_BASE}),
    "runtime_bare": Pin(BASE, {"instructions": MOBILE_BASE}),
    "runtime_null_base": Pin(BASE, {"instructions": MOBILE_BASE}),
    "module_stem_07": Pin(STEM, {"stem": ("file.mjs", "file")}),
    # tool_calls: quote_price(sku, quantity) and book_slot(day, hour, room) given one argument too few
    **{
        case_id: _too_few("quote_price", "quotePrice", [CONTEXT], "quantity")
        for case_id in (
            "fn_payload_null",
            "fn_payload_omitted",
            "fn_payload_empty_array",
            "fn_payload_empty_object",
        )
    },
    "fn_arity3_one_arg": _too_few("book_slot", "bookSlot", ["mon", CONTEXT], "room"),
    "fn_throw_object": Pin(
        MESSAGE, {f: (Replace("[object Object]", "{'code': 42}"),) for f in ("result", "output")}
    ),
    "fn_throw_null": Pin(
        MESSAGE, {f: (Replace('"details":"null"', '"details":"None"'),) for f in ("result", "output")}
    ),
    "pipeline_throwing_local": Pin(MESSAGE, {"executions": (Replace("[object Object]", "{'code': 42}"),)}),
    "fn_returns_null": Pin(
        NO_RESULT,
        _answers(
            _ok("returns_null", "src/ai/functions-modules/values.ts#returnsNull", None),
            _ok("returns_null", "src/ai/functions-modules/values.ts#returnsNull"),
        ),
    ),
    "fn_returns_date": _output(
        NOT_JSON,
        '{"ok":true,"function_name":"returns_date","source":"src/ai/functions-modules/values.ts#returnsDate",'
        '"result":"2024-05-06T07:08:09.000Z"}',
        SERIALIZE_FAILED,
    ),
    "throws_name_null": _thrown(
        "Cannot read properties of null (reading 'trim')", "'NoneType' object has no attribute 'strip'"
    ),
    "throws_name_number": _thrown(
        "input.name.trim is not a function", "'int' object has no attribute 'strip'"
    ),
    "throws_name_missing": _thrown(
        "Cannot read properties of undefined (reading 'trim')", "'NoneType' object has no attribute 'strip'"
    ),
    # result_events: values with no JSON form in Python, and undefined
    "result_undefined": _output(ONE_NULL, UNDEFINED, "null"),
    "result_object_with_undefined": _output(ONE_NULL, '{"b":1}', '{"a":null,"b":1}'),
    "result_function": _output(NOT_JSON, UNDEFINED, SERIALIZE_FAILED),
    "result_symbol": _output(NOT_JSON, UNDEFINED, SERIALIZE_FAILED),
    "result_array_with_undefined_and_function": _output(NOT_JSON, "[null,1,null,null]", SERIALIZE_FAILED),
    "result_object_with_function": _output(NOT_JSON, '{"g":2}', SERIALIZE_FAILED),
    "result_date": _output(NOT_JSON, '"2024-01-02T03:04:05.000Z"', SERIALIZE_FAILED),
    "result_map": _output(NOT_JSON, "{}", SERIALIZE_FAILED),
    "result_set": _output(NOT_JSON, "{}", SERIALIZE_FAILED),
    "result_error_object": _output(NOT_JSON, "{}", SERIALIZE_FAILED),
    "result_to_json": _output(NOT_JSON, '{"x":1}', SERIALIZE_FAILED),
    "result_to_json_undefined": _output(NOT_JSON, UNDEFINED, SERIALIZE_FAILED),
}


def check(case: dict[str, Any], actual: dict[str, Any]) -> None:
    """Every expected field of ``case`` against ``actual``; a pinned field against its pin
    (the golden must hold the pin's JS value, navai must give the pin's value)."""
    case_id, expected = case["id"], case["expected"]
    pin = PINNED.get(case_id)
    pins = pin.fields if pin else {}
    assert set(pins) <= set(expected), f"{case_id}: pins fields the case does not have"
    problems = []
    for field, want in expected.items():
        got = actual[field]
        edit = pins.get(field)
        if edit and all(isinstance(item, Replace) for item in edit):
            for item in edit:
                want = item.apply(case_id, field, want)
        elif edit:
            js, want = edit
            assert expected[field] == js, (
                case_id,
                field,
                "the golden's value is not the pinned one",
                expected[field],
            )
        if field == "output" and isinstance(want, str):  # the function_call_output text: byte for byte
            found = None if got == want else f"$: {got!r} != {want!r}"
        else:
            found = mismatch(got, want)
        if found:
            problems.append(f"{field}{found[1:]}")
    assert not problems, f"{case_id}: " + "; ".join(problems)


# --- building what the cases name -----------------------------------------------------------


def route_table(spec: Any) -> list[dict[str, Any]]:
    return list(FIXTURES["route_tables"][spec]) if isinstance(spec, str) else list(spec)


@dataclass
class Runtime:
    runtime: AgentRuntime
    navigations: list[str]
    stub: BackendStub | None


def build_runtime(runtime_id: str) -> Runtime:
    """``createNavaiMobileAgentRuntime`` with the option set ``fixtures.runtimes[runtime_id]``."""
    spec = FIXTURES["runtimes"][runtime_id]
    navigations: list[str] = []
    stub = BackendStub() if spec.get("execute_backend_function") == "stub" else None
    options: dict[str, Any] = {
        "routes": route_table(spec["routes"]),
        "functions": load_navai_functions(module_loaders(FIXTURES["module_sets"][spec["functions"]], [])),
        "navigate": navigations.append,
        "execute_backend_function": stub,
    }
    if "backend_functions" in spec:
        options["backend_functions"] = [
            dict(item) for item in FIXTURES["backend_function_lists"][spec["backend_functions"]]
        ]
    for key in ("base_instructions", "agent_name"):
        if key in spec:
            options[key] = spec[key]
    runtime = create_agent_runtime(**options)
    CONTEXTS.append(runtime.context)
    return Runtime(runtime, navigations, stub)


_RUNTIMES: dict[str, Runtime] = {}


def shared_runtime(runtime_id: str) -> Runtime:
    """One runtime per id, shared by its cases in file order (as the recording did)."""
    if runtime_id not in _RUNTIMES:
        _RUNTIMES[runtime_id] = build_runtime(runtime_id)
    found = _RUNTIMES[runtime_id]
    found.navigations.clear()
    if found.stub is not None:
        found.stub.calls.clear()
    return found


def _calls(event: Any) -> list[dict[str, Any]]:
    return [{"callId": c.call_id, "name": c.name, "payload": c.payload} for c in extract_tool_calls(event)]


# --- the sections ---------------------------------------------------------------------------


def test_every_case_is_replayed() -> None:
    if DOCUMENT is None:
        pytest.skip(ABSENT)
    counts = Counter({section: len(items) for section, items in SECTIONS.items()})
    grouped = Counter()
    for section, count in counts.items():
        grouped["helper_*" if section.startswith("helper_") else section] += count
    assert dict(grouped) == COUNTS
    assert sum(counts.values()) == 602
    assert set(HELPERS) == {s for s in SECTIONS if s.startswith("helper_")}
    ids = [case["id"] for items in SECTIONS.values() for case in items]
    assert len(set(ids)) == len(ids), "case ids must be unique"
    assert set(PINNED) <= set(ids), "a pin names a case the file does not have"


@pytest.mark.parametrize("case", cases("route_resolution"))
def test_route_resolution(case: dict[str, Any]) -> None:
    target, routes = decode(case["input"]["target"]), case["input"]["routes"]

    def resolve() -> str | None:
        if routes == "omitted":
            return resolve_route(target)
        return resolve_route(target, None if routes == "null" else coerce_routes(route_table(routes)))  # type: ignore[arg-type]

    if "throws" in case["expected"]:
        with pytest.raises(TypeError):
            resolve()
        return
    check(case, {"path": resolve()})


@pytest.mark.parametrize("case", cases("route_prompt_lines"))
def test_route_prompt_lines(case: dict[str, Any]) -> None:
    routes = case["input"]["routes"]
    lines = (
        route_prompt_lines()
        if routes == "omitted"
        else route_prompt_lines(coerce_routes(route_table(routes)))
    )
    check(case, {"lines": lines})


@pytest.mark.parametrize("case", cases("function_loading"))
def test_function_loading(case: dict[str, Any]) -> None:
    load_order: list[str] = []
    registry = load_navai_functions(
        module_loaders(FIXTURES["module_sets"][case["input"]["module_set"]], load_order)
    )
    functions = [{"name": f.name, "description": f.description, "source": f.source} for f in registry]
    check(
        case,
        {
            "functions": functions,
            "by_name_keys": [name for name in registry.names() if registry.get(name) is not None],
            "warnings": registry.warnings,
            "load_order": load_order,
        },
    )


@pytest.mark.parametrize("case", cases("runtime_sessions"))
def test_runtime_sessions(case: dict[str, Any]) -> None:
    if "throws" in case["expected"]:
        with pytest.raises(TypeError):
            build_runtime(case["input"]["runtime"])
        return
    runtime = build_runtime(case["input"]["runtime"]).runtime
    session = {"agentName": runtime.agent_name, "instructions": runtime.instructions, "tools": runtime.tools}
    expected_session = case["expected"]["session"]
    check(
        {
            "id": case["id"],
            "expected": {**expected_session, **{k: v for k, v in case["expected"].items() if k != "session"}},
        },
        {
            **session,
            "warnings": runtime.warnings,
            "available_function_names": runtime.available_function_names,
        },
    )


def _execute(runtime: AgentRuntime, name: Any, payload: Any, *, present: bool = True) -> dict[str, Any]:
    call = runtime.execute_tool_call(name, payload) if present else runtime.execute_tool_call(name)
    return asyncio.run(call)


@pytest.mark.parametrize("case", cases("tool_calls"))
def test_tool_calls(case: dict[str, Any]) -> None:
    given = case["input"]
    shared = shared_runtime(given["runtime"])
    result = _execute(
        shared.runtime, decode(given["name"]), decode(given.get("payload")), present="payload" in given
    )
    actual = {
        "result": result,
        "output": serialize_tool_output(result),
        "navigations": list(shared.navigations),
        "backend_calls": list(shared.stub.calls) if shared.stub else [],
        "throws": result,  # what navai answers where executeToolCall throws
    }
    check(case, actual)


@pytest.mark.parametrize("case", cases("event_extraction"))
def test_event_extraction(case: dict[str, Any]) -> None:
    check(case, {"calls": _calls(decode(case["input"]["event"]))})


@pytest.mark.parametrize("case", cases("result_events"))
def test_result_events(case: dict[str, Any]) -> None:
    call_id, output = decode(case["input"]["callId"]), decode(case["input"]["output"])
    if "throws" in case["expected"]:
        with pytest.raises((TypeError, AttributeError)):
            tool_result_events(call_id, output)
        return
    events = tool_result_events(call_id, output)
    actual: dict[str, Any] = {"events": events}
    if events:
        actual["output"] = events[0]["item"]["output"]
    expected = dict(case["expected"])
    if expected["events"]:  # the output text on its own, byte for byte; the rest as structure
        expected["output"] = expected["events"][0]["item"]["output"]
        expected["events"] = [
            {
                **expected["events"][0],
                "item": {**expected["events"][0]["item"], "output": actual.get("output")},
            },
            *expected["events"][1:],
        ]
    check({"id": case["id"], "expected": expected}, actual)


@pytest.mark.parametrize("case", cases("pipeline"))
def test_pipeline(case: dict[str, Any]) -> None:
    shared = shared_runtime(case["input"]["runtime"])
    event = decode(case["input"]["event"])
    calls = extract_tool_calls(event)
    executions: list[dict[str, Any]] = []
    for call, recorded in zip(calls, case["expected"]["executions"], strict=False):
        if call.name is None:  # the app hook would name it from earlier items
            executions.append({"callId": call.call_id, "skipped": recorded.get("skipped")})
            continue
        result = _execute(shared.runtime, call.name, call.payload)
        executions.append(
            {
                "callId": call.call_id,
                "name": call.name,
                "result": result,
                "result_events": tool_result_events(call.call_id, result),
            }
        )
    check(
        case,
        {
            "calls": _calls(event),
            "executions": executions,
            "navigations": list(shared.navigations),
            "backend_calls": list(shared.stub.calls) if shared.stub else [],
        },
    )


@pytest.mark.parametrize("case", cases(*HELPERS))
def test_helpers(case: dict[str, Any]) -> None:
    section = next(s for s in HELPERS if case in SECTIONS[s])
    run: Callable[[dict[str, Any]], dict[str, Any]] = HELPERS[section]
    check(case, run(case["input"]))
