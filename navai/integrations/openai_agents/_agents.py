"""The OpenAI Agents SDK side: `FunctionTool` objects from the NAVAI agent runtime, agents
built on them, and a Realtime model configuration that mints its key from the backend.
"""

from __future__ import annotations

import collections
import copy
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import attrs

from ..._extras import needs_extra
from ..._models import CreateRealtimeClientSecretInput
from ..._runtime_source import RuntimeSource
from ...agent._events import parse_tool_payload, serialize_tool_output
from ...agent._routes import Route
from ...agent._runtime import AgentRuntime, Navigate, call_maybe_sync
from ...agent._session import DEFAULT_REALTIME_MODEL, DEFAULT_REALTIME_URL
from ...agent._tools import tool_schemas

with needs_extra("openai-agents", "navai.integrations.openai_agents"):
    from agents import Agent, FunctionTool, RunContextWrapper
    from agents.realtime import RealtimeAgent, RealtimeModelConfig
    from agents.tool_context import ToolContext

if TYPE_CHECKING:
    from ..._async_client import AsyncNavaiBackendClient
    from ..._client import NavaiBackendClient
    from ...functions._model import FunctionRegistry

__all__ = ["NavaiTools", "create_agent", "create_realtime_agent", "function_tools", "realtime_model_config"]

RuntimeGetter = Callable[[], Awaitable[AgentRuntime]]


def _function_tool(schema: Mapping[str, Any], runtime: RuntimeGetter) -> FunctionTool:
    """One runtime tool as a `FunctionTool`: its name, description and parameters as they are.

    ``strict_json_schema`` is off: the payload is an open object (``additionalProperties:
    true``), which the SDK's strict mode refuses, and closing it would forbid every argument.
    The arguments are read and the answer written as NAVAI's voice agent does
    (``parse_tool_payload``, ``JSON.stringify`` of the runtime's result object).
    """
    name = str(schema["name"])

    async def invoke(context: ToolContext[Any], arguments: str) -> str:
        output = await (await runtime()).execute_tool_call(name, parse_tool_payload(arguments))
        return serialize_tool_output(output)

    return FunctionTool(
        name=name,
        description=str(schema["description"]),
        params_json_schema=copy.deepcopy(dict(schema["parameters"])),
        on_invoke_tool=invoke,
        strict_json_schema=False,
    )


def function_tools(runtime: AgentRuntime) -> list[FunctionTool]:
    """The tools of ``runtime`` (``runtime.tools``: the two built-in ones, plus the direct
    aliases when it was made with ``direct_alias_tools=True``), each routed through it."""

    async def fixed() -> AgentRuntime:
        return runtime

    return [_function_tool(schema, fixed) for schema in runtime.tools]


class NavaiTools:
    """``navigate_to`` and ``execute_app_function`` over a backend and local functions, and
    instructions that list them, for any Agents SDK agent.

    :meth:`instructions` (an ``instructions=`` callable) lists the backend's functions when
    the SDK asks for the system prompt (every turn of an ``Agent``, every connect of a
    ``RealtimeSession``; ``cache_ttl`` keeps a listing that long) and rebuilds the runtime
    the tools route through, so a function added to the backend shows up in the next turn.
    """

    def __init__(
        self,
        backend: AsyncNavaiBackendClient | NavaiBackendClient | None = None,
        *,
        functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
        routes: Iterable[Route | Mapping[str, Any]] = (),
        navigate: Navigate | None = None,
        base_instructions: str | None = None,
        cache_ttl: float | None = None,
    ) -> None:
        self._source = RuntimeSource(
            backend,
            functions=functions,
            routes=routes,
            navigate=navigate,
            base_instructions=base_instructions,
            cache_ttl=cache_ttl,
        )
        self.tools: list[FunctionTool] = [_function_tool(schema, self.runtime) for schema in tool_schemas()]
        """The runtime's two tools, with its schemas."""

    def __repr__(self) -> str:
        return f"<NavaiTools tools={[tool.name for tool in self.tools]!r} source={self._source!r}>"

    async def runtime(self) -> AgentRuntime:
        """The runtime of the last listing (listing now if there was none)."""
        return (await self._source.current()).runtime

    async def instructions(self, context: RunContextWrapper[Any] | None = None, agent: Any = None) -> str:
        """List the functions, rebuild the runtime and return its instructions."""
        return (await self._source.build()).runtime.instructions


def create_agent(
    backend: AsyncNavaiBackendClient | NavaiBackendClient | None = None,
    *,
    functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
    routes: Iterable[Route | Mapping[str, Any]] = (),
    navigate: Navigate | None = None,
    base_instructions: str | None = None,
    cache_ttl: float | None = None,
    name: str = "NAVAI",
    **agent_options: Any,
) -> Agent[Any]:
    """A text ``Agent`` whose tools and instructions are NAVAI's (see `NavaiTools`);
    ``agent_options`` go to ``Agent`` (``model=``, ``model_settings=``, more ``tools=``...)."""
    navai = NavaiTools(
        backend,
        functions=functions,
        routes=routes,
        navigate=navigate,
        base_instructions=base_instructions,
        cache_ttl=cache_ttl,
    )
    return Agent(name=name, **_with_navai(navai, agent_options))


def _with_navai(navai: NavaiTools, agent_options: dict[str, Any]) -> dict[str, Any]:
    """``agent_options`` with NAVAI's instructions, and its tools ahead of any given."""
    if "instructions" in agent_options:
        raise TypeError("the instructions are NAVAI's: pass base_instructions= to add your own")
    extra = list(agent_options.pop("tools", []))
    return {**agent_options, "instructions": navai.instructions, "tools": [*navai.tools, *extra]}


def create_realtime_agent(
    backend: AsyncNavaiBackendClient | NavaiBackendClient | None = None,
    *,
    functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
    routes: Iterable[Route | Mapping[str, Any]] = (),
    navigate: Navigate | None = None,
    base_instructions: str | None = None,
    cache_ttl: float | None = None,
    name: str = "NAVAI",
    **agent_options: Any,
) -> RealtimeAgent[Any]:
    """A ``RealtimeAgent`` with NAVAI's tools and instructions: what `NavaiVoiceAgent` sends
    in ``session.update``, for a session run by the SDK's ``RealtimeRunner``. Pair it with
    :func:`realtime_model_config` so each connection's key is minted by the backend."""
    navai = NavaiTools(
        backend,
        functions=functions,
        routes=routes,
        navigate=navigate,
        base_instructions=base_instructions,
        cache_ttl=cache_ttl,
    )
    return RealtimeAgent(name=name, **_with_navai(navai, agent_options))


class _RedactSecrets(logging.Filter):
    """Cuts minted secrets out of the records of the SDK's WebSocket connection.

    websockets logs the handshake's request headers at DEBUG, ``Authorization`` included;
    the Agents SDK gives no way to hand it a logger of our own, as `NavaiVoiceAgent` does.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: collections.deque[str] = collections.deque(maxlen=64)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_REDACT = _RedactSecrets()
logging.getLogger("websockets.client").addFilter(_REDACT)


@attrs.frozen(repr=False)
class _MintedKey:
    """The ``api_key`` callable: a client secret minted by the backend at every connect."""

    backend: Any
    secret_input: CreateRealtimeClientSecretInput

    def __repr__(self) -> str:
        return f"<minted by {self.backend!r}>"

    async def __call__(self) -> str:
        secret = await call_maybe_sync(self.backend.create_client_secret, self.secret_input)
        value = str(secret.value)
        _REDACT.secrets.append(value)
        return value


def _non_blank(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def realtime_model_config(
    backend: AsyncNavaiBackendClient | NavaiBackendClient,
    *,
    model: str | None = None,
    realtime_url: str | None = None,
    secret_options: CreateRealtimeClientSecretInput | Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> RealtimeModelConfig:
    """``model_config`` for ``RealtimeRunner.run``: the key of every connection is a client
    secret the NAVAI backend mints then (the app never holds an OpenAI key).

    As `NavaiVoiceAgent`: the Realtime URL is ``realtime_url``, else ``NAVAI_REALTIME_URL``,
    else ``wss://api.openai.com/v1`` (``/realtime?model=...`` is appended); the model
    ``model``, else ``NAVAI_REALTIME_MODEL``, else ``gpt-realtime``, and an explicit one is
    sent when minting; ``secret_options`` (``voice``, ``language``, ...) too.
    """
    environ = os.environ if env is None else env
    secret_input = CreateRealtimeClientSecretInput.build(secret_options, {})
    explicit = _non_blank(model) or secret_input.model or _non_blank(environ.get("NAVAI_REALTIME_MODEL"))
    if explicit is not None:
        secret_input = attrs.evolve(secret_input, model=explicit)
    model_name = explicit or DEFAULT_REALTIME_MODEL
    base = _non_blank(realtime_url) or _non_blank(environ.get("NAVAI_REALTIME_URL")) or DEFAULT_REALTIME_URL
    return {
        "api_key": _MintedKey(backend, secret_input),
        "url": f"{base.rstrip('/')}/realtime?{urlencode({'model': model_name})}",
        "initial_model_settings": {"model_name": model_name},
    }
