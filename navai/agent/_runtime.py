"""The agent runtime: tools, instructions and the routing of each tool call (spec 3-5).

A port of ``createNavaiMobileAgentRuntime`` (``@navai/voice-mobile``): the merge rules,
the instructions, and every result and error object are the same, byte for byte once
encoded. It performs no I/O of its own: ``navigate``, the local functions and
``execute_backend_function`` are the app's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from .._exceptions import NavaiError
from .._models import BackendFunction, FunctionResult
from ._instructions import build_instructions, function_prompt_lines
from ._js import is_record, js_trim
from ._local import LocalFunctions, local_functions
from ._routes import Route, coerce_routes, resolve_route
from ._tools import EXECUTE_APP_FUNCTION, NAVIGATE_TO, RESERVED_TOOL_NAMES, tool_schemas
from ._tools import direct_alias_tools as _alias_tools

if TYPE_CHECKING:
    from navai.functions._model import FunctionRegistry

__all__ = ["AgentRuntime", "ExecuteBackendFunction", "Navigate", "create_agent_runtime", "error_message"]

Payload = Mapping[str, Any] | list[Any]
Navigate = Callable[[str], Any]
"""``navigate(path)``, sync or async."""
ExecuteBackendFunction = Callable[[str, Payload | None], Any]
"""``(function_name, payload)``, sync or async: ``AsyncNavaiBackendClient.execute_function``,
or ``execute_function_detailed``, whose `FunctionResult` keeps ``"result": null`` apart
from no result at all (a plain None is taken as no result)."""


def error_message(error: BaseException) -> str:
    """The message a failure reports as ``details`` (what ``Error.message`` is in TypeScript).

    A navai client error gives the TypeScript client's message: the raw body of a
    non-2xx answer, the backend's ``details``/``error``, ``Invalid backend function response.``
    """
    if isinstance(error, NavaiError):
        return error.message
    return str(error)


def _is_async_callable(target: Any) -> bool:
    if inspect.iscoroutinefunction(target):
        return True
    call = getattr(target, "__call__", None)  # noqa: B004
    return not inspect.isfunction(target) and inspect.iscoroutinefunction(call)


async def call_maybe_sync(target: Callable[..., Any], *args: Any) -> Any:
    """Await an async callable; run a sync one in a worker thread (it may block on I/O: a
    sync client's call, say), awaiting what it returns when that is awaitable."""
    if _is_async_callable(target):
        return await target(*args)
    result = await anyio.to_thread.run_sync(lambda: target(*args))
    if inspect.isawaitable(result):
        return await result
    return result


def _backend_item(item: BackendFunction | Mapping[str, Any]) -> tuple[Any, Any, Any]:
    if isinstance(item, BackendFunction):
        return item.name, item.description, item.source
    if isinstance(item, Mapping):
        return item.get("name"), item.get("description"), item.get("source")
    raise TypeError(f"a backend function must be a BackendFunction or a mapping, not {type(item).__name__}")


def _normalize_execution_payload(value: Any) -> Payload | None:
    """None stays None, an object or array is itself, anything else becomes ``{"value": x}``.

    Spec section 5.2, as corrected: the check is ``typeof x === "object"``, so an array
    is the payload as it is, not ``{"value": [...]}`` (mobile goldens agree).
    """
    if value is None:
        return None
    if is_record(value):
        payload: Payload = value
        return payload
    return {"value": value}


def _field(payload: Payload | None, key: str) -> Any:
    return payload.get(key) if isinstance(payload, Mapping) else None


class AgentRuntime:
    """What a session needs: ``instructions``, ``tools``, ``warnings``, the function names,
    and :meth:`execute_tool_call`. Build it with :func:`create_agent_runtime`."""

    instructions: str
    tools: list[dict[str, Any]]
    warnings: list[str]
    available_function_names: list[str]
    agent_name: str | None

    def __init__(
        self,
        *,
        routes: Sequence[Route],
        local: LocalFunctions,
        backend: dict[str, BackendFunction],
        execute_backend_function: ExecuteBackendFunction | None,
        base_instructions: str | None,
        navigate: Navigate | None,
        agent_name: str | None,
        backend_functions: Sequence[BackendFunction | Mapping[str, Any]],
        aliases: Sequence[str],
        alias_tools: list[dict[str, Any]],
        alias_warnings: list[str],
        backend_warnings: list[str],
        tool_names: Sequence[str] = RESERVED_TOOL_NAMES,
        instructions: Callable[[list[str]], str] | None = None,
        extra_tools: Sequence[dict[str, Any]] = (),
    ) -> None:
        self._routes = tuple(routes)
        self._local = local
        self._backend = backend
        self._execute_backend_function = execute_backend_function
        self._navigate = navigate
        self._aliases = frozenset(aliases)
        self._tool_names = tuple(tool_names)
        self._extra_tool_names = tuple(tool["name"] for tool in extra_tools)
        local_items = list(local)
        self.available_function_names = [item.name for item in local_items] + list(backend)
        function_lines = [(item.name, item.description) for item in local_items] + [
            (item.name, "Execute backend function." if item.description is None else item.description)
            for item in backend.values()
        ]
        if instructions is None:
            self.instructions = build_instructions(
                base_instructions=base_instructions, routes=self._routes, function_lines=function_lines
            )
        else:
            self.instructions = instructions(function_prompt_lines(function_lines))
        builtin = [tool for tool in tool_schemas() if tool["name"] in self._tool_names]
        self.tools = builtin + alias_tools + [dict(tool) for tool in extra_tools]
        self.warnings = [*local.warnings, *backend_warnings, *alias_warnings]
        self.agent_name = agent_name
        self.context: dict[str, Any] = {
            "routes": self._routes,
            "functions": local,
            "backend_functions": backend_functions,
            "execute_backend_function": execute_backend_function,
            "navigate": navigate,
            "agent_name": agent_name,
            "base_instructions": base_instructions,
        }
        """What a local function gets as its context argument: the runtime's options, as the
        TypeScript runtime passes its whole ``options`` object (with Python names)."""

    def __repr__(self) -> str:
        return f"AgentRuntime(functions={self.available_function_names!r}, routes={len(self._routes)})"

    @property
    def routes(self) -> tuple[Route, ...]:
        return self._routes

    async def execute_tool_call(self, name: str, payload: Payload | None = None) -> dict[str, Any]:
        """Run one tool call and return the object to answer it with (spec section 5).

        Never raises for a failure of the call itself: an exception escaping the routing
        (``navigate`` raising, say) becomes ``Tool execution failed.`` with its message,
        as the mobile hook answers it.
        """
        try:
            return await self._route(name, payload)
        except Exception as exc:
            return {"ok": False, "error": "Tool execution failed.", "details": error_message(exc)}

    async def _route(self, name: str, payload: Payload | None) -> dict[str, Any]:
        tool_name = js_trim(name).lower()
        if tool_name == NAVIGATE_TO and NAVIGATE_TO in self._tool_names:
            return await self._navigate_to(payload)
        if tool_name == EXECUTE_APP_FUNCTION:
            return await self._execute_app_function(payload)
        if tool_name in self._aliases and isinstance(payload, Mapping) and "payload" in payload:
            return await self._execute_app_function(
                {"function_name": tool_name, "payload": payload["payload"]}
            )
        if tool_name in self.available_function_names:
            # The model called a function name as a tool: its arguments are the payload.
            return await self._execute_app_function({"function_name": tool_name, "payload": payload})
        return {
            "ok": False,
            "error": "Unknown or disallowed tool.",
            "available_tools": [*self._tool_names, *self._extra_tool_names],
        }

    async def _navigate_to(self, payload: Payload | None) -> dict[str, Any]:
        target = _field(payload, "target")
        target = js_trim(target) if isinstance(target, str) else ""
        if not target:
            return {"ok": False, "error": "target is required."}
        path = resolve_route(target, self._routes)
        if path is None:
            return {"ok": False, "error": "Unknown or disallowed route."}
        if self._navigate is not None:
            result = self._navigate(path)
            if inspect.isawaitable(result):
                await result
        return {"ok": True, "path": path}

    async def _execute_app_function(self, payload: Payload | None) -> dict[str, Any]:
        requested = _field(payload, "function_name")
        requested = js_trim(requested).lower() if isinstance(requested, str) else ""
        if not requested:
            return {"ok": False, "error": "function_name is required."}
        execution_payload = _normalize_execution_payload(_field(payload, "payload"))

        local = self._local.get(requested)
        if local is not None:
            try:
                result = await local.run({} if execution_payload is None else execution_payload, self.context)
            except Exception as exc:
                return self._failed(local.name, exc)
            return self._succeeded(local.name, local.source, result, present=result is not None)

        backend = self._backend.get(requested)
        if backend is None:
            return {
                "ok": False,
                "error": "Unknown or disallowed function.",
                "available_functions": list(self.available_function_names),
            }
        if self._execute_backend_function is None:
            return {
                "ok": False,
                "function_name": backend.name,
                "error": "Backend function execution is not configured.",
            }
        try:
            result = await call_maybe_sync(self._execute_backend_function, backend.name, execution_payload)
        except Exception as exc:
            return self._failed(backend.name, exc)
        present = result is not None
        if isinstance(result, FunctionResult):  # it knows "result": null from no result at all
            result, present = result.result, result.has_result
        source = "backend" if backend.source is None else backend.source
        return self._succeeded(backend.name, source, result, present=present)

    @staticmethod
    def _succeeded(name: str, source: str, result: Any, *, present: bool) -> dict[str, Any]:
        """The success object; without ``result`` when there is none, as ``JSON.stringify``
        leaves out ``undefined`` (a plain None counts as none)."""
        answer: dict[str, Any] = {"ok": True, "function_name": name, "source": source}
        if present:
            answer["result"] = result
        return answer

    @staticmethod
    def _failed(name: str, error: BaseException) -> dict[str, Any]:
        return {
            "ok": False,
            "function_name": name,
            "error": "Function execution failed.",
            "details": error_message(error),
        }


def create_agent_runtime(
    *,
    routes: Iterable[Route | Mapping[str, Any]] = (),
    functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
    backend_functions: Iterable[BackendFunction | Mapping[str, Any]] = (),
    execute_backend_function: ExecuteBackendFunction | None = None,
    base_instructions: str | None = None,
    navigate: Navigate | None = None,
    agent_name: str | None = None,
    direct_alias_tools: bool = False,
) -> AgentRuntime:
    """Build the runtime for one session.

    ``functions`` run in this process (a ``FunctionRegistry``, callables and classes, or a
    mapping of names to callables); ``backend_functions`` are what the backend's
    ``list_functions()`` returned and run through ``execute_backend_function``. A backend
    function named like a local one, or like an earlier backend one, is left out with a
    warning. ``direct_alias_tools`` adds one tool per function name (the web runtime's
    aliases) after ``navigate_to`` and ``execute_app_function``. ``agent_name`` is the
    session's name (the TypeScript ``session.agentName``). A local function that declares
    more parameters than the call gives gets the context as one more argument: these
    options, as :attr:`AgentRuntime.context` holds them.

    A backend function whose name is not a string raises ``TypeError``, as the TypeScript
    runtime throws on it (the backend client's ``list_functions()`` never returns one).
    """
    return build_runtime(
        routes=routes,
        functions=functions,
        backend_functions=backend_functions,
        execute_backend_function=execute_backend_function,
        base_instructions=base_instructions,
        navigate=navigate,
        agent_name=agent_name,
        direct_alias_tools=direct_alias_tools,
    )


def build_runtime(
    *,
    routes: Iterable[Route | Mapping[str, Any]],
    functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]],
    backend_functions: Iterable[BackendFunction | Mapping[str, Any]],
    execute_backend_function: ExecuteBackendFunction | None,
    base_instructions: str | None,
    navigate: Navigate | None,
    agent_name: str | None,
    direct_alias_tools: bool,
    tool_names: Sequence[str] = RESERVED_TOOL_NAMES,
    instructions: Callable[[list[str]], str] | None = None,
    extra_tools: Sequence[dict[str, Any]] = (),
) -> AgentRuntime:
    """:func:`create_agent_runtime`, with what the multi-agent runtime changes per agent:
    which built-in tools it has, its own instructions (from the function prompt lines),
    and tools appended after the others (handoffs)."""
    local = local_functions(functions)
    backend_functions = list(backend_functions)
    backend: dict[str, BackendFunction] = {}
    backend_warnings: list[str] = []
    for item in backend_functions:
        raw_name, description, source = _backend_item(item)
        if not isinstance(raw_name, str):
            raise TypeError(f"a backend function's name must be a string, not {raw_name!r}")
        name = js_trim(raw_name).lower()
        if not name:
            continue
        if local.get(name) is not None:
            backend_warnings.append(
                f'[navai] Ignored backend function "{raw_name}": name conflicts with a mobile function.'
            )
            continue
        if name in backend:
            backend_warnings.append(f'[navai] Ignored duplicated backend function "{raw_name}".')
            continue
        backend[name] = BackendFunction(
            name=name,
            description=description if isinstance(description, str) else None,
            source=source if isinstance(source, str) else None,
        )
    names = [item.name for item in local] + list(backend)
    alias_tools, aliases, alias_warnings = _alias_tools(names) if direct_alias_tools else ([], [], [])
    return AgentRuntime(
        routes=coerce_routes(routes),
        local=local,
        backend=backend,
        execute_backend_function=execute_backend_function,
        base_instructions=base_instructions,
        navigate=navigate,
        agent_name=agent_name,
        backend_functions=backend_functions,
        aliases=aliases,
        alias_tools=alias_tools,
        alias_warnings=alias_warnings,
        backend_warnings=backend_warnings,
        tool_names=tool_names,
        instructions=instructions,
        extra_tools=extra_tools,
    )
