"""Agent runtimes for one NAVAI backend and local functions: what the MCP server and the
Agents SDK integration build their tools from.

A `RuntimeSource` lists the backend's functions (per build, or through the client's
`FunctionCatalog` rules when ``cache_ttl`` is given) and builds an
:class:`navai.agent.AgentRuntime` over them and the local functions, so every integration
routes, names, answers and fails exactly as NAVAI's own voice agent does.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import attrs

from ._models import BackendFunctionsResult
from .agent._js import js_trim
from .agent._local import LocalFunctions, local_functions
from .agent._routes import Route, coerce_routes
from .agent._runtime import AgentRuntime, Navigate, call_maybe_sync, create_agent_runtime

if TYPE_CHECKING:
    from ._async_client import AsyncNavaiBackendClient
    from ._client import NavaiBackendClient
    from .functions._model import FunctionRegistry

__all__ = ["BuiltRuntime", "RuntimeSource"]

logger = logging.getLogger("navai")


@attrs.frozen
class BuiltRuntime:
    """One build: the runtime, the listing's warnings, and each function's description."""

    runtime: AgentRuntime
    warnings: tuple[str, ...]
    descriptions: Mapping[str, str]


class RuntimeSource:
    """Builds an `AgentRuntime` from a backend client (sync or async) and local functions.

    ``cache_ttl=None`` lists the backend's functions at every :meth:`build`; a number keeps
    a listing that long (``backend.function_catalog(ttl=...)``: a failed load never replaces
    a good listing). ``local`` replaces ``functions`` with an async provider of a registry
    (``navai serve --mcp`` passes its app's lazily discovered one).
    """

    def __init__(
        self,
        backend: AsyncNavaiBackendClient | NavaiBackendClient | None = None,
        *,
        functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
        routes: Iterable[Route | Mapping[str, Any]] = (),
        navigate: Navigate | None = None,
        base_instructions: str | None = None,
        direct_alias_tools: bool = False,
        cache_ttl: float | None = None,
        local: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.backend = backend
        self.routes = coerce_routes(routes)
        self.navigate = navigate
        self.base_instructions = base_instructions
        self.direct_alias_tools = direct_alias_tools
        self._local_provider = local
        self._local: LocalFunctions | None = None if local is not None else local_functions(functions)
        self._catalog: Any = None
        if backend is not None and cache_ttl is not None:
            self._catalog = backend.function_catalog(ttl=cache_ttl)
        self._warned: set[str] = set()
        self.latest: BuiltRuntime | None = None
        """The last build, or None before the first."""

    def __repr__(self) -> str:
        return f"<RuntimeSource backend={self.backend!r} routes={len(self.routes)}>"

    async def _listing(self) -> BackendFunctionsResult:
        if self.backend is None:
            return BackendFunctionsResult()
        if self._catalog is not None:
            result = await call_maybe_sync(self._catalog.get)
        else:
            result = await call_maybe_sync(self.backend.list_functions)
        assert isinstance(result, BackendFunctionsResult)
        return result

    async def _local_functions(self) -> LocalFunctions:
        if self._local_provider is not None:
            return local_functions(await self._local_provider())
        assert self._local is not None
        return self._local

    async def build(self) -> BuiltRuntime:
        """List the backend's functions (or take the cached listing) and build a runtime over them."""
        local = await self._local_functions()
        listing = await self._listing()
        execute = None if self.backend is None else self.backend.execute_function_detailed
        runtime = create_agent_runtime(
            routes=self.routes,
            # a FunctionRegistry goes through as it is (no functions: an empty tuple)
            functions=cast(Any, local) if any(True for _ in local) else (),
            backend_functions=listing.functions,
            execute_backend_function=cast(Any, execute),
            base_instructions=self.base_instructions,
            navigate=self.navigate,
            direct_alias_tools=self.direct_alias_tools,
        )
        descriptions: dict[str, str] = {}
        for item in local:
            descriptions.setdefault(item.name, item.description)
        for function in listing.functions:
            name = js_trim(function.name).lower()
            if name not in descriptions:
                descriptions[name] = function.description or "Execute backend function."
        warnings = (*listing.warnings, *runtime.warnings)
        for warning in warnings:
            if warning not in self._warned:  # each warning once, not at every listing
                self._warned.add(warning)
                logger.warning("%s", warning)
        built = BuiltRuntime(runtime, warnings, descriptions)
        self.latest = built
        return built

    async def current(self) -> BuiltRuntime:
        """The last build, or a first one."""
        return self.latest if self.latest is not None else await self.build()
