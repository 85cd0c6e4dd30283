"""The MCP tools of a NAVAI runtime and the answers to their calls: plain data, no MCP SDK.

One tool per function, named as the function, with its description and the input schema
of the web runtime's direct alias tools (``{"payload": object | null}``); ``navigate_to``
when there are routes; ``execute_app_function`` only when some function cannot be a tool
of its own (a name outside ``^[a-zA-Z0-9_-]{1,64}$``, the rule MCP clients and OpenAI's
tool names both accept, or one taken by a built-in tool).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..agent._events import serialize_tool_output
from ..agent._routes import route_prompt_lines
from ..agent._runtime import AgentRuntime
from ..agent._tools import EXECUTE_APP_FUNCTION, NAVIGATE_TO, direct_alias_tools, tool_schemas

__all__ = ["ToolAnswer", "ToolSpec", "call_answer", "mcp_tool_specs"]


@attrs.frozen
class ToolSpec:
    """One MCP tool: ``name``, ``description`` and ``input_schema`` (a JSON Schema object)."""

    name: str
    description: str
    input_schema: dict[str, Any] = attrs.field(eq=False)


@attrs.frozen
class ToolAnswer:
    """A call's answer: the runtime's result object as JSON text, and whether it failed."""

    text: str
    is_error: bool
    output: Any = attrs.field(eq=False)


def mcp_tool_specs(runtime: AgentRuntime, descriptions: Mapping[str, str]) -> list[ToolSpec]:
    """The tools for ``runtime``: ``navigate_to`` (with routes), one per function, and the
    generic ``execute_app_function`` when a function is left without a tool of its own."""
    builtins = {tool["name"]: tool for tool in tool_schemas()}
    specs: list[ToolSpec] = []
    if runtime.routes:
        navigate = builtins[NAVIGATE_TO]
        lines = "\n".join(route_prompt_lines(runtime.routes))
        specs.append(
            ToolSpec(
                NAVIGATE_TO, f"{navigate['description']} Allowed routes:\n{lines}", navigate["parameters"]
            )
        )
    names = runtime.available_function_names
    aliases, alias_names, _warnings = direct_alias_tools(names)
    for tool in aliases:
        name = tool["name"]
        specs.append(ToolSpec(name, descriptions.get(name) or f"Call {name}.", tool["parameters"]))
    left_out = [name for name in names if name not in set(alias_names)]
    if left_out:
        execute = builtins[EXECUTE_APP_FUNCTION]
        listed = "\n".join(
            f"- {name}: {descriptions.get(name) or 'Execute backend function.'}" for name in left_out
        )
        specs.append(
            ToolSpec(
                EXECUTE_APP_FUNCTION,
                f"{execute['description']} Functions available only through this tool:\n{listed}",
                execute["parameters"],
            )
        )
    return specs


def call_answer(output: Any) -> ToolAnswer:
    """The runtime's answer as NAVAI's voice agent sends it to the model (``JSON.stringify``);
    an error for everything the runtime reports as ``ok: false``."""
    failed = not (isinstance(output, Mapping) and output.get("ok") is True)
    return ToolAnswer(serialize_tool_output(output), failed, output)


def unknown_tool_answer(name: str, specs: list[ToolSpec]) -> ToolAnswer:
    """The answer to a tool this server does not offer (the runtime's own shape)."""
    return call_answer(
        {
            "ok": False,
            "error": "Unknown or disallowed tool.",
            "available_tools": [spec.name for spec in specs],
        }
    )
