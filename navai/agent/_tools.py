"""The tool schemas sent in ``session.update`` (spec sections 3.2 and 3.3)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ._js import js_trim

__all__ = [
    "EXECUTE_APP_FUNCTION",
    "NAVIGATE_TO",
    "RESERVED_TOOL_NAMES",
    "direct_alias_tools",
    "tool_schemas",
]

NAVIGATE_TO = "navigate_to"
"""The name of the tool that opens a route (its ``target`` a route's name, path or synonym)."""
EXECUTE_APP_FUNCTION = "execute_app_function"
"""The name of the tool that runs a function by ``function_name``, with its ``payload``."""
RESERVED_TOOL_NAMES = (NAVIGATE_TO, EXECUTE_APP_FUNCTION)
_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")

_PAYLOAD_TYPES: list[dict[str, Any]] = [{"type": "object", "additionalProperties": True}, {"type": "null"}]
_PAYLOAD_HELP = (
    "Use payload.args as array for function args, payload.constructorArgs for class constructors, "
    "payload.methodArgs for class methods."
)

_PAYLOAD_HELP_NULL = f"Payload object. Use null when no arguments are needed. {_PAYLOAD_HELP}"
_TARGET_HELP = "Route name or route path. Example: perfil, ajustes, /profile, /settings"


def tool_schemas() -> list[dict[str, Any]]:
    """The mobile runtime's two tools, ``navigate_to`` and ``execute_app_function`` (a fresh copy)."""
    return [
        {
            "type": "function",
            "name": NAVIGATE_TO,
            "description": "Navigate to an allowed route in the current app.",
            "parameters": {
                "type": "object",
                "properties": {
                    "target": {
                        "type": "string",
                        "description": _TARGET_HELP,
                    }
                },
                "required": ["target"],
                "additionalProperties": False,
            },
        },
        {
            "type": "function",
            "name": EXECUTE_APP_FUNCTION,
            "description": "Execute an allowed internal app function by name.",
            "parameters": {
                "type": "object",
                "properties": {
                    "function_name": {
                        "type": "string",
                        "description": "Allowed function name from the list.",
                    },
                    "payload": {
                        "anyOf": [dict(item) for item in _PAYLOAD_TYPES],
                        "description": _PAYLOAD_HELP_NULL,
                    },
                },
                "required": ["function_name"],
                "additionalProperties": False,
            },
        },
    ]


def _alias_tool(name: str) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "description": f'Direct alias for execute_app_function("{name}").',
        "parameters": {
            "type": "object",
            "properties": {
                "payload": {
                    "anyOf": [dict(item) for item in _PAYLOAD_TYPES],
                    "description": f"Payload object. Optional. {_PAYLOAD_HELP}",
                }
            },
            "additionalProperties": False,
        },
    }


def direct_alias_tools(names: Iterable[str]) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The web runtime's direct aliases: (tools, their names, warnings for names left out).

    One tool per distinct name that is neither a built-in tool nor an invalid tool id
    (``^[a-zA-Z0-9_-]{1,64}$``); each of those only warns.
    """
    tools: list[dict[str, Any]] = []
    aliases: list[str] = []
    warnings: list[str] = []
    for raw in dict.fromkeys(names):
        name = js_trim(raw).lower()
        if not name:
            continue
        if name in RESERVED_TOOL_NAMES:
            warnings.append(
                f'[navai] Function "{name}" is available only via execute_app_function '
                "because its name conflicts with a built-in tool."
            )
        elif not _TOOL_NAME.fullmatch(name):
            warnings.append(
                f'[navai] Function "{name}" is available only via execute_app_function '
                "because its name is not a valid tool id."
            )
        else:
            tools.append(_alias_tool(name))
            aliases.append(name)
    return tools, aliases, warnings
