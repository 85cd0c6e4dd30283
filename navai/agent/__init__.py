"""The NAVAI voice agent runtime, with no I/O of its own.

A port of the TypeScript mobile runtime (``createNavaiMobileAgentRuntime`` and its
helpers in ``@navai/voice-mobile``): which functions the model may call, the two tools
and the instructions a session sends in ``session.update``, how each tool call is
routed and what object answers it, and how calls are read from Realtime server events
and answered. A session (any Realtime transport) feeds it events and sends what it
returns::

    runtime = create_agent_runtime(
        routes=[Route("profile", "/profile", "User profile", synonyms=("perfil",))],
        functions=[get_weather],
        backend_functions=(await client.list_functions()).functions,
        execute_backend_function=client.execute_function,
        navigate=app.go_to,
    )
    # session.update: {"type": "realtime", "instructions": runtime.instructions,
    #                  "tools": runtime.tools, "tool_choice": "auto"}
    for call in extract_tool_calls(event):
        output = await runtime.execute_tool_call(call.name, call.payload)
        for client_event in tool_result_events(call.call_id, output):
            await connection.send(client_event)

:class:`NavaiVoiceAgent` is such a session on the ``openai`` SDK's Realtime WebSocket
client (``pip install 'navai[agent]'``): it mints the client secret, connects, configures
the session and answers every tool call::

    async with NavaiVoiceAgent(client, routes=routes, navigate=app.go_to, mode="text") as agent:
        print(await agent.ask("Open my profile"))

Specialist agents (the web runtime's multi-agent mode) are
:func:`create_multi_agent_runtime` over the agents :func:`discover_agents` finds in
``NAVAI_AGENTS_FOLDERS``; a ``transfer_to_<name>`` call returns a :class:`Transfer`.

``LocalAudio`` streams the microphone and speaker for it (``pip install 'navai[audio]'``).

A session that fails raises :class:`NavaiRealtimeError` (a `navai.NavaiError`, also
importable as ``navai.NavaiRealtimeError``); without the extra, using ``NavaiVoiceAgent``
raises `navai.NavaiMissingExtraError`.

Importing this package imports neither ``openai`` nor ``websockets`` nor ``starlette``:
``NavaiVoiceAgent`` and its types load their module on first use.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from .._lazy import lazy_attributes as _lazy_attributes
from ._agents import AgentConfig, AgentsConfig, discover_agents, resolve_agents
from ._errors import NavaiRealtimeError
from ._events import (
    ToolCall,
    extract_tool_calls,
    function_call_names,
    parse_tool_payload,
    serialize_tool_output,
    tool_result_events,
    voice_state,
)
from ._instructions import DEFAULT_BASE_INSTRUCTIONS, build_instructions
from ._multi import MultiAgentRuntime, Transfer, create_multi_agent_runtime, handoff_tool_name
from ._routes import Route, resolve_route, route_prompt_lines
from ._runtime import AgentRuntime, ExecuteBackendFunction, Navigate, create_agent_runtime
from ._tools import EXECUTE_APP_FUNCTION, NAVIGATE_TO, direct_alias_tools, tool_schemas

if _TYPE_CHECKING:
    from ._audio import AudioSink, LocalAudio
    from ._session import (
        DEFAULT_REALTIME_MODEL,
        DEFAULT_REALTIME_URL,
        AgentMode,
        AgentStatus,
        NavaiVoiceAgent,
        Reconnection,
        ReconnectReason,
        ToolCallResult,
        VoiceState,
    )

_LAZY = {
    "AudioSink": "._audio",
    "LocalAudio": "._audio",
    "DEFAULT_REALTIME_MODEL": "._session",
    "DEFAULT_REALTIME_URL": "._session",
    "AgentMode": "._session",
    "AgentStatus": "._session",
    "NavaiVoiceAgent": "._session",
    "ReconnectReason": "._session",
    "Reconnection": "._session",
    "ToolCallResult": "._session",
    "VoiceState": "._session",
}

# Internals that were in __all__ in 0.1.0: still importable, with a DeprecationWarning.
_DEPRECATED = {
    "json_stringify": ("._js", "json_stringify", "it is an internal helper (JSON.stringify's output)"),
    "error_message": ("._runtime", "error_message", "it is an internal helper (the runtime's error text)"),
}

__getattr__, __dir__ = _lazy_attributes(__name__, globals(), _LAZY, _DEPRECATED)

__all__ = [
    "DEFAULT_BASE_INSTRUCTIONS",
    "DEFAULT_REALTIME_MODEL",
    "DEFAULT_REALTIME_URL",
    "EXECUTE_APP_FUNCTION",
    "NAVIGATE_TO",
    "AgentConfig",
    "AgentMode",
    "AgentRuntime",
    "AgentStatus",
    "AgentsConfig",
    "AudioSink",
    "ExecuteBackendFunction",
    "LocalAudio",
    "MultiAgentRuntime",
    "NavaiRealtimeError",
    "NavaiVoiceAgent",
    "Navigate",
    "ReconnectReason",
    "Reconnection",
    "Route",
    "ToolCall",
    "ToolCallResult",
    "Transfer",
    "VoiceState",
    "build_instructions",
    "create_agent_runtime",
    "create_multi_agent_runtime",
    "direct_alias_tools",
    "discover_agents",
    "extract_tool_calls",
    "function_call_names",
    "handoff_tool_name",
    "parse_tool_payload",
    "resolve_agents",
    "resolve_route",
    "route_prompt_lines",
    "serialize_tool_output",
    "tool_result_events",
    "tool_schemas",
    "voice_state",
]
