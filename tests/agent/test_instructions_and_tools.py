"""Instructions text (spec section 4) and tool schemas (spec sections 3.2 and 3.3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from navai import BackendFunction
from navai.agent import (
    DEFAULT_BASE_INSTRUCTIONS,
    Route,
    create_agent_runtime,
    direct_alias_tools,
    tool_schemas,
)
from navai.agent._js import json_stringify

# §4, the "Rules:" section, verbatim.
RULES = """Rules:
- The only valid tool names are navigate_to and execute_app_function.
- If user asks to go/open a section, always call navigate_to.
- If user asks to run an internal action, always call execute_app_function.
- Always call a tool before claiming that navigation/action was completed.
- Do not repeat greetings or the same sentence multiple times.
- Do not call the same tool repeatedly for the same request unless user explicitly asks to retry.
- payload is optional in execute_app_function. Use null when no arguments are needed.
- For execute_app_function, pass arguments using payload.args (array).
- For class methods, pass payload.constructorArgs and payload.methodArgs.
- Use exact function_name from the allowed list (example: "secret_word").
- Never invent routes or function names that are not listed.
- If destination/action is unclear, ask a brief clarifying question."""

# §3.2, the two tools, as JSON.stringify writes them.
MOBILE_TOOLS = (
    '[{"type":"function","name":"navigate_to",'
    '"description":"Navigate to an allowed route in the current app.",'
    '"parameters":{"type":"object","properties":{"target":{"type":"string",'
    '"description":"Route name or route path. Example: perfil, ajustes, /profile, /settings"}},'
    '"required":["target"],"additionalProperties":false}},'
    '{"type":"function","name":"execute_app_function",'
    '"description":"Execute an allowed internal app function by name.",'
    '"parameters":{"type":"object","properties":{'
    '"function_name":{"type":"string","description":"Allowed function name from the list."},'
    '"payload":{"anyOf":[{"type":"object","additionalProperties":true},{"type":"null"}],'
    '"description":"Payload object. Use null when no arguments are needed. '
    "Use payload.args as array for function args, payload.constructorArgs for class constructors, "
    'payload.methodArgs for class methods."}},'
    '"required":["function_name"],"additionalProperties":false}}]'
)


def secret_word() -> str:
    """Returns the secret word.

    More text that is not the description.
    """
    return "navai"


def add(a: int, b: int) -> int:
    return a + b


class Cart:
    def total(self) -> int:
        """Cart total."""
        return 0


def test_instructions_full() -> None:
    # §4: base, routes, local functions then backend functions, rules; joined with "\n".
    runtime = create_agent_runtime(
        base_instructions="Eres un asistente.",
        routes=[Route("perfil", "/profile", "", synonyms=("cuenta",)), Route("inicio", "/", "")],
        functions=[secret_word, add, Cart],
        backend_functions=[
            BackendFunction("get_weather", "Weather now.", "weather.py#get_weather"),
            {"name": "Send_Email"},  # no description -> "Execute backend function."
            {"name": "blank_description", "description": ""},  # ?? keeps "" as is
        ],
    )
    assert runtime.instructions == (
        "Eres un asistente.\n"
        "Allowed routes:\n"
        "- perfil (/profile), aliases: cuenta\n"
        "- inicio (/)\n"
        "Allowed app functions:\n"
        "- secret_word: Returns the secret word.\n"
        "- add: Call exported function add.\n"
        "- cart_total: Cart total.\n"
        "- get_weather: Weather now.\n"
        "- send_email: Execute backend function.\n"
        "- blank_description: \n" + RULES
    )
    assert runtime.available_function_names == [
        "secret_word",
        "add",
        "cart_total",
        "get_weather",
        "send_email",
        "blank_description",
    ]


@pytest.mark.parametrize(
    ("base", "first_line"),
    [
        (None, "You are a voice assistant embedded in an app."),  # the mobile default, app-neutral
        ("", ""),  # ?? keeps an empty string
        (
            "You are a voice assistant embedded in a mobile app.",
            "You are a voice assistant embedded in a mobile app.",
        ),
    ],
)
def test_instructions_empty(base: str | None, first_line: str) -> None:
    # §4: no routes -> no route lines; no functions -> "- none".
    runtime = create_agent_runtime(base_instructions=base)
    assert runtime.instructions == f"{first_line}\nAllowed routes:\nAllowed app functions:\n- none\n{RULES}"
    assert runtime.available_function_names == []
    assert runtime.warnings == []
    assert DEFAULT_BASE_INSTRUCTIONS == "You are a voice assistant embedded in an app."


def test_mobile_tool_schemas_byte_for_byte() -> None:
    runtime = create_agent_runtime(functions=[add], backend_functions=[{"name": "x"}])
    assert json_stringify(runtime.tools) == MOBILE_TOOLS
    assert json.loads(MOBILE_TOOLS) == tool_schemas()
    runtime.tools[0]["name"] = "changed"
    assert tool_schemas()[0]["name"] == "navigate_to"  # a fresh copy each time


def _alias(name: str) -> dict[str, object]:
    # §3.3: description and payload description of the web runtime's direct aliases.
    return {
        "type": "function",
        "name": name,
        "description": f'Direct alias for execute_app_function("{name}").',
        "parameters": {
            "type": "object",
            "properties": {
                "payload": {
                    "anyOf": [{"type": "object", "additionalProperties": True}, {"type": "null"}],
                    "description": "Payload object. Optional. Use payload.args as array for function args, "
                    "payload.constructorArgs for class constructors, payload.methodArgs for class methods.",
                }
            },
            "additionalProperties": False,
        },
    }


def test_direct_alias_tools() -> None:
    functions: dict[str, Callable[..., Any]] = {"navigate_to": add, "secret_word": secret_word}
    runtime = create_agent_runtime(
        functions=functions,
        backend_functions=[
            {"name": "get.weather"},
            {"name": "execute_app_function"},
            {"name": "x" * 65},
            {"name": "ok-name_1"},
        ],
        direct_alias_tools=True,
    )
    assert runtime.tools[:2] == tool_schemas()
    assert runtime.tools[2:] == [_alias("secret_word"), _alias("ok-name_1")]
    # §3.3 warnings, after the registry's and the merge's (mobile order: registry, backend).
    assert runtime.warnings == [
        '[navai] Function "navigate_to" is available only via execute_app_function because its name '
        "conflicts with a built-in tool.",
        '[navai] Function "get.weather" is available only via execute_app_function because its name '
        "is not a valid tool id.",
        '[navai] Function "execute_app_function" is available only via execute_app_function because its '
        "name conflicts with a built-in tool.",
        f'[navai] Function "{"x" * 65}" is available only via execute_app_function because its name '
        "is not a valid tool id.",
    ]


def test_direct_alias_tools_helper_dedupes_and_skips_blank() -> None:
    tools, names, warnings = direct_alias_tools(["a", "a", " ", "B"])
    assert names == ["a", "b"]
    assert [tool["name"] for tool in tools] == ["a", "b"]
    assert warnings == []


def test_no_alias_tools_by_default() -> None:
    assert len(create_agent_runtime(functions=[add]).tools) == 2


def test_merge_warnings() -> None:
    # §3.1: trimmed and lower-cased; blank skipped; local wins; first backend wins.
    runtime = create_agent_runtime(
        functions=[secret_word, secret_word],  # the registry renames the second (its own warning)
        backend_functions=[
            {"name": "  "},
            {"name": " Secret_Word "},
            {"name": "Get_Weather", "description": "first"},
            BackendFunction("get_weather", "second"),
        ],
    )
    assert runtime.warnings == [
        '[navai] Renamed duplicated function "secret_word" to "secret_word_2".',
        '[navai] Ignored backend function " Secret_Word ": name conflicts with a mobile function.',
        '[navai] Ignored duplicated backend function "get_weather".',
    ]
    assert runtime.available_function_names == ["secret_word", "secret_word_2", "get_weather"]
    assert "- get_weather: first" in runtime.instructions


def test_a_function_registry_is_used_as_is() -> None:
    from navai.server import FunctionRegistry

    registry = FunctionRegistry()
    registry.add(add, name="sum", description="Adds.")
    runtime = create_agent_runtime(functions=registry)
    assert runtime.available_function_names == ["sum"]
    assert "- sum: Adds." in runtime.instructions


def test_bad_inputs() -> None:
    with pytest.raises(TypeError):
        create_agent_runtime(functions=[42])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        create_agent_runtime(backend_functions=["name"])  # type: ignore[list-item]
    # A name that is not a string: the TypeScript runtime throws on it (mobile goldens
    # runtime_bad_backend_*); list_functions() never yields one.
    for name in (42, None):
        with pytest.raises(TypeError, match="name must be a string"):
            create_agent_runtime(backend_functions=[{"name": name}])
    with pytest.raises(TypeError, match="name must be a string"):
        create_agent_runtime(backend_functions=[{"description": "no name"}])
