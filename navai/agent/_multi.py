"""Specialist agents: the web runtime's multi-agent mode, with no I/O of its own.

A port of ``buildNavaiAgent`` (``@navai/voice-frontend`` 0.1.7) with ``agents``, and of
what the ``@openai/agents`` Realtime SDK does with its handoffs: the primary agent has
the routes, its own functions and one ``transfer_to_<name>`` tool per specialist; a
specialist has ``execute_app_function`` over its own functions (and every backend
function). Calling a transfer tool switches the current agent; the session then sends
``session.update`` with the new agent's instructions and tools, and answers the call with
``{"assistant":"<name>"}``, as the SDK does.

The SDK hands off forward only: its specialists have no handoffs, so a session stays with
the first specialist it reaches. navai gives each specialist a ``transfer_to_<primary>``
tool back (``return_to_primary=False`` leaves it out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._models import BackendFunction
from ._agents import AgentConfig, AgentsConfig
from ._instructions import build_primary_instructions, build_specialist_instructions
from ._js import js_trim, json_stringify
from ._routes import Route, coerce_routes
from ._runtime import AgentRuntime, ExecuteBackendFunction, Navigate, Payload, build_runtime
from ._tools import EXECUTE_APP_FUNCTION, RESERVED_TOOL_NAMES

if TYPE_CHECKING:
    from navai.functions._model import FunctionRegistry

__all__ = [
    "DEFAULT_AGENT_NAME",
    "MultiAgentRuntime",
    "Transfer",
    "create_multi_agent_runtime",
    "handoff_tool",
    "handoff_tool_name",
]

DEFAULT_AGENT_NAME = "Navai Voice Agent"
"""The primary agent's name when neither its config nor ``agent_name`` gives one."""
RETURN_DESCRIPTION = "Return to it when the request is not yours, or once your task is done."
"""The end of a specialist's ``transfer_to_<primary>`` description (navai's own text)."""

_NOT_ALPHANUMERIC = re.compile(r"[^a-zA-Z0-9]")


def handoff_tool_name(agent_name: str) -> str:
    """``transfer_to_`` + the name with every character that is not an ASCII letter or
    digit replaced by ``_`` (one per UTF-16 code unit, as the SDK's ``toFunctionToolName``).
    Raises ValueError for an empty name, as the SDK throws."""
    if not agent_name:
        raise ValueError("Tool name cannot be empty")
    name = "".join(
        ch if not _NOT_ALPHANUMERIC.fullmatch(ch) else "__" if ord(ch) > 0xFFFF else "_" for ch in agent_name
    )
    return f"transfer_to_{name}"


def handoff_tool(agent_name: str, handoff_description: str | None) -> dict[str, Any]:
    """The SDK's handoff tool as ``session.update`` sends it: no parameters."""
    description = f"Handoff to the {agent_name} agent to handle the request. {handoff_description or ''}"
    return {
        "type": "function",
        "name": handoff_tool_name(agent_name),
        "description": description,
        "parameters": {"type": "object", "properties": {}, "required": [], "additionalProperties": False},
    }


@attrs.frozen
class Transfer:
    """A transfer call's outcome: the agent now current, and the session change to apply.

    ``output`` answers the call (``{"assistant":"<name>"}``); ``instructions`` and ``tools``
    are the new agent's, for ``session.update``.
    """

    agent: str
    previous: str
    output: str
    instructions: str
    tools: list[dict[str, Any]] = attrs.field(eq=False)

    @property
    def session(self) -> dict[str, Any]:
        """The fields of ``session.update`` the switch changes."""
        return {"instructions": self.instructions, "tools": self.tools}


class MultiAgentRuntime:
    """A primary agent and its specialists; it knows which one is current.

    ``instructions``, ``tools``, ``available_function_names`` and ``agent_name`` are the
    current agent's; ``warnings`` every agent's. Build it with
    :func:`create_multi_agent_runtime`.
    """

    warnings: list[str]

    def __init__(
        self,
        agents: dict[str, AgentRuntime],
        handoffs: dict[str, dict[str, str]],
        primary: str,
        warnings: list[str],
    ) -> None:
        self._agents = agents
        self._handoffs = handoffs  # agent name -> {tool name -> target agent name}
        self._primary = primary
        self._current = primary
        self.warnings = warnings

    def __repr__(self) -> str:
        return f"MultiAgentRuntime(agents={list(self._agents)!r}, current={self._current!r})"

    @property
    def agents(self) -> Mapping[str, AgentRuntime]:
        """Each agent's runtime by name, the primary first."""
        return dict(self._agents)

    @property
    def primary(self) -> AgentRuntime:
        return self._agents[self._primary]

    @property
    def current(self) -> AgentRuntime:
        return self._agents[self._current]

    @property
    def agent_name(self) -> str:
        """The current agent's name."""
        return self._current

    @property
    def instructions(self) -> str:
        return self.current.instructions

    @property
    def tools(self) -> list[dict[str, Any]]:
        return self.current.tools

    @property
    def available_function_names(self) -> list[str]:
        return self.current.available_function_names

    @property
    def routes(self) -> tuple[Route, ...]:
        return self.primary.routes

    def transfer(self, agent: str) -> Transfer:
        """Make ``agent`` (a name) current; KeyError when there is no such agent."""
        target = self._agents[agent]
        previous, self._current = self._current, agent
        return Transfer(
            agent=agent,
            previous=previous,
            output=json_stringify({"assistant": agent}),
            instructions=target.instructions,
            tools=target.tools,
        )

    async def execute_tool_call(self, name: str, payload: Payload | None = None) -> dict[str, Any] | Transfer:
        """Run one tool call on the current agent.

        A ``transfer_to_<name>`` tool of the current agent (its arguments are ignored)
        returns a `Transfer`; any other call is the current agent's
        :meth:`AgentRuntime.execute_tool_call` and returns its answer. The name is read
        trimmed and case-insensitively, as every tool name (the SDK matches it exactly;
        navai's event reading lower-cases names, as the mobile runtime does).
        """
        key = js_trim(name).lower() if isinstance(name, str) else None
        target = self._handoffs[self._current].get(key) if key is not None else None
        if target is not None:
            return self.transfer(target)
        return await self.current.execute_tool_call(name, payload)


def create_multi_agent_runtime(
    *,
    agents: AgentsConfig | Iterable[AgentConfig],
    primary_agent_key: str | None = None,
    routes: Iterable[Route | Mapping[str, Any]] = (),
    functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
    backend_functions: Iterable[BackendFunction | Mapping[str, Any]] = (),
    execute_backend_function: ExecuteBackendFunction | None = None,
    base_instructions: str | None = None,
    navigate: Navigate | None = None,
    agent_name: str | None = None,
    direct_alias_tools: bool = False,
    return_to_primary: bool = True,
) -> MultiAgentRuntime:
    """Build the primary agent and its specialists, as the web runtime's ``buildNavaiAgent``.

    ``agents`` is what :func:`resolve_agents` or :func:`discover_agents` found (its
    primary key, fallback functions and warnings come with it), or `AgentConfig` objects.
    The primary is the agent whose key is ``primary_agent_key``, else the first marked
    primary, else the first; ``functions`` are its functions only when there is no agent.
    Its first line is its config's instructions, else ``base_instructions``, else the web
    runtime's; its name its config's, else ``agent_name``, else ``Navai Voice Agent``.
    Every other agent is a specialist with its own functions and all backend functions
    (their conflict warnings repeat per agent, as on the web). The primary's tools are
    those of :func:`create_agent_runtime` (``direct_alias_tools`` adds its aliases), then
    one transfer tool per specialist; a specialist's are ``execute_app_function``, then
    ``transfer_to_<primary>`` unless ``return_to_primary`` is False.
    """
    warnings: list[str] = []
    if isinstance(agents, AgentsConfig):
        warnings.extend(agents.warnings)
        primary_agent_key = primary_agent_key or agents.primary_agent_key
        if agents.functions is not None and not agents.agents:
            functions = agents.functions
        configured = list(agents.agents)
    else:
        configured = list(agents)
    primary_config = (
        next((a for a in configured if a.key == primary_agent_key), None)
        or next((a for a in configured if a.is_primary), None)
        or (configured[0] if configured else None)
    )
    specialists = [a for a in configured if primary_config is None or a.key != primary_config.key]
    primary_name = primary_config.name if primary_config is not None else agent_name or DEFAULT_AGENT_NAME
    backend_functions = list(backend_functions)
    route_list = list(routes)
    shared: dict[str, Any] = {
        "routes": route_list,
        "backend_functions": backend_functions,
        "execute_backend_function": execute_backend_function,
        "base_instructions": base_instructions,
        "navigate": navigate,
    }
    specialist_lines = [
        f"- {a.name}: {a.description or a.handoff_description or 'Specialist agent available by delegation.'}"
        for a in specialists
    ]
    handoff_tools = [
        handoff_tool(
            a.name, a.handoff_description or a.description or f"Delegate specialist work to {a.name}."
        )
        for a in specialists
    ]
    first_line = primary_config.instructions if primary_config is not None else None
    first_line = first_line if first_line is not None else base_instructions

    coerced = coerce_routes(route_list)

    def primary_instructions(function_lines: list[str]) -> str:
        return build_primary_instructions(
            base_instructions=first_line,
            routes=coerced,
            function_lines=function_lines,
            specialist_lines=specialist_lines,
        )

    primary = build_runtime(
        **shared,
        functions=primary_config.functions if primary_config is not None else functions,
        agent_name=primary_name,
        direct_alias_tools=direct_alias_tools,
        tool_names=RESERVED_TOOL_NAMES,
        instructions=primary_instructions,
        extra_tools=handoff_tools,
    )
    # Of two agents with one name, the last is the one reached, as the SDK's map of handoffs.
    runtimes: dict[str, AgentRuntime] = {primary_name: primary}
    handoffs: dict[str, dict[str, str]] = {
        primary_name: {
            tool["name"].lower(): a.name for tool, a in zip(handoff_tools, specialists, strict=True)
        }
    }
    warnings.extend(primary.warnings)
    back = handoff_tool(
        primary_name,
        (primary_config.handoff_description or primary_config.description if primary_config else None)
        or RETURN_DESCRIPTION,
    )
    for config in specialists:
        runtime = build_runtime(
            **shared,
            functions=config.functions,
            agent_name=config.name,
            direct_alias_tools=False,
            tool_names=(EXECUTE_APP_FUNCTION,),
            instructions=_specialist_instructions(config),
            extra_tools=[back] if return_to_primary else [],
        )
        if config.name != primary_name:
            runtimes[config.name] = runtime
            handoffs[config.name] = {back["name"].lower(): primary_name} if return_to_primary else {}
        warnings.extend(runtime.warnings)
    return MultiAgentRuntime(runtimes, handoffs, primary_name, warnings)


def _specialist_instructions(config: AgentConfig) -> Callable[[list[str]], str]:
    def build(function_lines: list[str]) -> str:
        return build_specialist_instructions(
            name=config.name, instructions=config.instructions, function_lines=function_lines
        )

    return build
