"""Tool calls read from Realtime server events, and the answers (spec section 6)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from navai.agent import (
    ToolCall,
    extract_tool_calls,
    function_call_names,
    parse_tool_payload,
    serialize_tool_output,
    tool_result_events,
    voice_state,
)
from navai.agent._js import _encode, json_stringify


def item(**fields: Any) -> dict[str, Any]:
    return {"type": "function_call", "call_id": "call_1", "name": "navigate_to", **fields}


# §6 extraction: which events carry which calls.
@pytest.mark.parametrize(
    ("event", "expected"),
    [
        # response.function_call_arguments.done: {callId: call_id ?? id, name?, payload}
        (
            {
                "type": "response.function_call_arguments.done",
                "call_id": "c1",
                "name": "Navigate_To",
                "arguments": '{"target":"perfil"}',
            },
            [ToolCall("c1", "navigate_to", {"target": "perfil"})],
        ),
        (
            {"type": "response.function_call_arguments.done", "call_id": " c1 ", "arguments": "{}"},
            [ToolCall("c1", None, {})],  # without a name
        ),
        (
            {"type": "response.function_call_arguments.done", "id": "c2", "arguments": ""},
            [ToolCall("c2", None, None)],
        ),
        ({"type": "response.function_call_arguments.done", "call_id": " ", "arguments": "{}"}, []),
        # item events: function_call items with no status or "completed"
        *[
            (
                {"type": kind, "item": item(arguments='{"target":"/a"}')},
                [ToolCall("call_1", "navigate_to", {"target": "/a"})],
            )
            for kind in (
                "response.output_item.done",
                "response.output_item.added",
                "conversation.item.created",
                "conversation.item.added",
                "conversation.item.done",
                "conversation.item.retrieved",
            )
        ],
        (
            {"type": "response.output_item.done", "item": item(status="COMPLETED")},
            [ToolCall("call_1", "navigate_to", None)],
        ),
        ({"type": "response.output_item.added", "item": item(status="in_progress", arguments="")}, []),
        ({"type": "response.output_item.done", "item": item(status="incomplete")}, []),
        (
            {"type": "response.output_item.done", "item": item(call_id=None, id="item_9")},
            [ToolCall("item_9", "navigate_to", None)],
        ),
        ({"type": "response.output_item.done", "item": item(name=" ")}, []),  # items need a name
        ({"type": "response.output_item.done", "item": item(call_id="", id="")}, []),
        ({"type": "response.output_item.done", "item": {"type": "message", "call_id": "c"}}, []),
        ({"type": "response.output_item.done", "item": None}, []),
        ({"type": "response.output_item.done"}, []),
        # response.done: every completed function_call in response.output, in order
        (
            {
                "type": "response.done",
                "response": {
                    "output": [
                        {"type": "message", "content": []},
                        item(call_id="a", name="execute_app_function", arguments='{"function_name":"x"}'),
                        item(call_id="b", status="in_progress"),
                        "junk",
                        item(call_id="c", status="completed", arguments="[1,2]"),
                    ]
                },
            },
            [
                ToolCall("a", "execute_app_function", {"function_name": "x"}),
                ToolCall("c", "navigate_to", [1, 2]),
            ],
        ),
        ({"type": "response.done", "response": {"output": "nope"}}, []),
        ({"type": "response.done"}, []),
        # everything else
        ({"type": "session.created", "item": item()}, []),
        ({"item": item()}, []),
        ({"type": "", "item": item()}, []),
        (None, []),
        ([item()], []),
        ("not json", []),
    ],
)
def test_extract_tool_calls(event: Any, expected: list[ToolCall]) -> None:
    assert extract_tool_calls(event) == expected


def test_extract_from_json_text_and_sdk_models() -> None:
    text = json.dumps({"type": "response.output_item.done", "item": item()})
    assert extract_tool_calls(text) == [ToolCall("call_1", "navigate_to", None)]
    assert extract_tool_calls(text.encode()) == [ToolCall("call_1", "navigate_to", None)]

    class Model:  # what the openai SDK's events offer
        def to_dict(self) -> dict[str, Any]:
            return {"type": "response.function_call_arguments.done", "call_id": "m", "arguments": None}

    assert extract_tool_calls(Model()) == [ToolCall("m", None, None)]
    assert extract_tool_calls(object()) == []


# §6 arguments parsing: blank -> null; object -> it; other JSON -> {value}; bad JSON -> {raw}
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (None, None),
        ("", None),
        ("  \n", None),
        ('{"a":1}', {"a": 1}),
        (' {"a":1} ', {"a": 1}),
        ("[1]", [1]),
        ("3", {"value": 3}),
        ('"x"', {"value": "x"}),
        ("null", {"value": None}),
        ("true", {"value": True}),
        ("{bad", {"raw": "{bad"}),
        (' {"a": ', {"raw": ' {"a": '}),  # the raw text, untrimmed
        ("NaN", {"raw": "NaN"}),  # not JSON for JSON.parse
        ({"a": 1}, {"a": 1}),
        (5, {"value": 5}),
    ],
)
def test_parse_tool_payload(arguments: Any, expected: Any) -> None:
    assert parse_tool_payload(arguments) == expected


def test_function_call_names_for_name_recovery() -> None:
    # §6 name recovery: names from any function_call item, even in progress.
    assert function_call_names(
        {
            "type": "response.output_item.added",
            "item": item(call_id="c1", name=" Navigate_To ", status="in_progress"),
        }
    ) == [("c1", "navigate_to")]
    assert function_call_names(
        {
            "type": "response.done",
            "response": {
                "output": [
                    item(call_id="a"),
                    item(call_id=7, id="b"),
                    item(call_id="", id="z"),
                    item(name=""),
                ]
            },
        }
    ) == [("a", "navigate_to"), ("b", "navigate_to")]
    assert function_call_names({"type": "x"}) == []
    assert function_call_names(None) == []


@pytest.mark.parametrize(
    ("event_type", "state"),
    [
        ("response.output_audio.delta", "speaking"),
        ("response.audio.delta", "speaking"),
        ("output_audio_buffer.started", "speaking"),
        ("response.output_audio.done", "idle"),
        ("response.audio.done", "idle"),
        ("response.done", "idle"),
        ("response.canceled", "idle"),
        ("response.cancelled", "idle"),
        ("conversation.interrupted", "idle"),
        ("output_audio_buffer.stopped", "idle"),
        ("output_audio_buffer.cleared", "idle"),
        (" ERROR ", "idle"),
        ("response.created", None),
    ],
)
def test_voice_state(event_type: str, state: str | None) -> None:
    # §6 voice state.
    assert voice_state({"type": event_type}) == state


# §6 output: conversation.item.create with function_call_output, then response.create
def test_tool_result_events() -> None:
    events = tool_result_events(" call_1 ", {"ok": True, "path": "/profile"})
    assert json_stringify(events) == (
        '[{"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"call_1",'
        '"output":"{\\"ok\\":true,\\"path\\":\\"/profile\\"}"}},{"type":"response.create"}]'
    )
    assert tool_result_events("  ", {"ok": True}) == []
    assert tool_result_events("c", "plain text")[0]["item"]["output"] == "plain text"  # a string as itself


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"a": 1.0, "b": -0.0, "c": 0.5}, '{"a":1,"b":0,"c":0.5}'),
        (
            [1e21, 1e20, 1.5e300, 123456789012345680000.0],
            "[1e+21,100000000000000000000,1.5e+300,123456789012345680000]",
        ),
        ([1e-7, 1e-6, 0.00001, 2.5e-8, -1e16], "[1e-7,0.000001,0.00001,2.5e-8,-10000000000000000]"),
        ([math.nan, math.inf, -math.inf], "[null,null,null]"),
        ({"t": (True, False, None)}, '{"t":[true,false,null]}'),
        ("Bogotá ✓ 😀", '"Bogotá ✓ 😀"'),  # UTF-8, not \\u escapes
        ('\x00\x1f\b\f\n\r\t"\\/\x7f', '"\\u0000\\u001f\\b\\f\\n\\r\\t\\"\\\\/\x7f"'),
        ("\ud800x\udfff", '"\\ud800x\\udfff"'),  # lone surrogates escaped
        ("\ud83d\ude00", '"😀"'),  # a surrogate pair is one character
        ({1: "a", 2.5: "b", None: "d"}, '{"1":"a","2.5":"b","null":"d"}'),
        ({True: "c"}, '{"true":"c"}'),
        (10**20, "100000000000000000000"),
        (2**53, "9007199254740992"),
        ({"b": 1, "10": 2, "a": {"2": 0, "x": 1}}, '{"10":2,"b":1,"a":{"2":0,"x":1}}'),  # index keys first
        ({"k": ["\ud800"]}, '{"k":["\\ud800"]}'),
    ],
)
def test_json_stringify(value: Any, text: str) -> None:
    assert json_stringify(value) == text


_KEYS = st.text(max_size=4) | st.sampled_from(["0", "7", "01", "4294967295"])
_JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(_KEYS, children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(_JSON_DATA)
def test_json_stringify_takes_the_c_encoder_only_where_it_writes_the_same(value: Any) -> None:
    # The rule-by-rule encoder is the reference; the fast path must never differ from it.
    reference: list[str] = []
    _encode(value, reference, set())
    assert json_stringify(value) == "".join(reference)


def test_serialize_failure() -> None:
    # §6: fallback when JSON.stringify throws (a cycle; a value that is not JSON data).
    failed = '{"ok":false,"error":"Failed to serialize tool output."}'
    cycle: list[Any] = []
    cycle.append(cycle)
    assert serialize_tool_output(cycle) == failed
    assert serialize_tool_output({"ok": True, "result": {1, 2}}) == failed
    assert serialize_tool_output(None) == "null"
    shared = [1]
    assert serialize_tool_output([shared, shared]) == "[[1],[1]]"  # repeated, not circular


def test_importing_navai_agent_stays_light() -> None:
    code = (
        "import sys, navai.agent\n"
        "navai.agent.create_agent_runtime(routes=[navai.agent.Route('a', '/a', '')],"
        " backend_functions=[{'name': 'x'}])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'openai', 'starlette', 'websockets'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_arguments_keep_negative_zero() -> None:
    # JSON.parse("-0") is -0 (mobile goldens parse_tool_payload_09, pipeline_number_formats);
    # before, -0 became the int 0, which has no sign.
    payload = parse_tool_payload('{"a":-0,"b":-0.0,"c":0}')
    assert isinstance(payload, dict)
    assert [math.copysign(1.0, payload[key]) for key in "abc"] == [-1.0, -1.0, 1.0]
    assert type(payload["c"]) is int
    value = parse_tool_payload("-0")
    assert isinstance(value, dict)
    assert math.copysign(1.0, value["value"]) == -1.0
    assert json_stringify(payload) == '{"a":0,"b":0,"c":0}'  # String(-0) is "0"


def test_integer_like_keys_come_first() -> None:
    # A JS object enumerates array-index keys first, ascending, then the rest in insertion
    # order, both in JSON.parse results and in JSON.stringify text (mobile goldens
    # event_args_integer_like_keys, pipeline_integer_like_keys, result_integer_like_keys).
    payload = parse_tool_payload('{"b":1,"10":2,"2":3,"a":4,"01":5,"4294967295":6,"a":7}')
    assert isinstance(payload, dict)
    assert list(payload.items()) == [("2", 3), ("10", 2), ("b", 1), ("a", 7), ("01", 5), ("4294967295", 6)]
    assert json_stringify({"b": 1, "10": 2, 2: 3, "a": {"9": 0, "x": 1, "1": 2}}) == (
        '{"2":3,"10":2,"b":1,"a":{"1":2,"9":0,"x":1}}'
    )
    assert tool_result_events("c", {"z": 1, "0": 0})[0]["item"]["output"] == '{"0":0,"z":1}'


def test_integer_like_keys_in_any_spelling() -> None:
    # Only text that may hold such a key takes the slower ordering decoder; an escaped
    # digit or spaces before the colon still count.
    assert list(parse_tool_payload('{"b":1,"\\u0032":2}') or {}) == ["2", "b"]
    assert list(parse_tool_payload('{"b":1,"3" :\n2}') or {}) == ["3", "b"]
    assert list(parse_tool_payload('{"b":"\\"7\\":","a":1}') or {}) == ["b", "a"]
