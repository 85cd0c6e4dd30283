"""`NavaiMCPServer`: NAVAI functions as an MCP server, on the official ``mcp`` SDK.

Every listing builds the NAVAI agent runtime over the backend's functions (fetched each
time, or cached with ``cache_ttl``) and the local ones; every call is routed by that
runtime, so an MCP client gets exactly the answers NAVAI's voice agent gives its model.
Served over stdio (:meth:`NavaiMCPServer.run_stdio`, ``navai mcp``) or Streamable HTTP
(:meth:`NavaiMCPServer.streamable_http_app`, ``navai serve --mcp``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._extras import needs_extra
from .._runtime_source import BuiltRuntime, RuntimeSource
from .._version import __version__
from ..agent._routes import Route
from ..agent._runtime import Navigate
from ._tools import ToolAnswer, ToolSpec, call_answer, mcp_tool_specs, unknown_tool_answer

with needs_extra("mcp", "navai.mcp"):
    import mcp_types
    from mcp.server.lowlevel import Server
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from mcp.server.transport_security import TransportSecuritySettings

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from .._async_client import AsyncNavaiBackendClient
    from .._client import NavaiBackendClient
    from ..functions._model import FunctionRegistry

__all__ = ["LOOPBACK_HOSTS", "LOOPBACK_ORIGINS", "NavaiMCPServer", "create_mcp_server", "transport_security"]

LOOPBACK_HOSTS = ("127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*")
"""``Host`` headers the Streamable HTTP endpoint always accepts."""
LOOPBACK_ORIGINS = tuple(f"{scheme}://{host}" for scheme in ("http", "https") for host in LOOPBACK_HOSTS)
"""Browser origins the endpoint always accepts, as NAVAI's CORS rules do."""


def transport_security(
    cors_origins: Sequence[str] = (), allowed_hosts: Sequence[str] = ()
) -> TransportSecuritySettings:
    """The SDK's DNS-rebinding protection for NAVAI's rules.

    ``Host`` must be loopback, the host of a configured CORS origin, or one of
    ``allowed_hosts`` (a deployment's own name, ``NAVAI_MCP_ALLOWED_HOSTS``); ``Origin``,
    when sent, must be loopback or a configured CORS origin. ``*`` among the origins
    allows every ``http``/``https`` origin (the SDK's port wildcard on the scheme).
    """
    hosts = list(LOOPBACK_HOSTS)
    origins = list(LOOPBACK_ORIGINS)
    for origin in cors_origins:
        if origin == "*":
            origins += ["http:*", "https:*"]
            continue
        origins.append(origin.rstrip("/"))
        host = origin.split("://", 1)[-1].rstrip("/")
        if host:
            hosts.append(host)
    hosts += [host.strip() for host in allowed_hosts if host.strip()]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(dict.fromkeys(hosts)),
        allowed_origins=list(dict.fromkeys(origins)),
    )


class NavaiMCPServer:
    """NAVAI functions as MCP tools. Build it with :func:`create_mcp_server`.

    ``server`` is the SDK's low-level ``Server`` (hand it to ``mcp.Client`` in tests, or to
    any transport of the SDK); :meth:`list_tools` and :meth:`call_tool` are what it answers.
    """

    def __init__(
        self, source: RuntimeSource, *, name: str = "navai", instructions: str | None = None
    ) -> None:
        self._source = source
        self._specs: list[ToolSpec] | None = None
        self.server: Server[Any] = Server(
            name,
            version=__version__,
            instructions=instructions,
            on_list_tools=self._on_list_tools,
            on_call_tool=self._on_call_tool,
        )
        self._http_apps: list[_StreamableHTTPApp] = []

    def __repr__(self) -> str:
        return f"<NavaiMCPServer name={self.server.name!r} source={self._source!r}>"

    # -- what the tools are and what a call answers ------------------------------------

    async def _build(self) -> tuple[BuiltRuntime, list[ToolSpec]]:
        built = await self._source.build()
        specs = mcp_tool_specs(built.runtime, built.descriptions)
        self._specs = specs
        return built, specs

    async def list_tools(self) -> list[ToolSpec]:
        """The tools, from a fresh runtime (a fresh listing, unless ``cache_ttl`` keeps one)."""
        return (await self._build())[1]

    async def call_tool(self, name: str, arguments: Mapping[str, Any] | None = None) -> ToolAnswer:
        """Run one call with the runtime of the last listing.

        A name that listing did not offer is looked up once more in a new listing (a
        function the backend gained since); if it is still unknown, the answer is the
        runtime's ``Unknown or disallowed tool.`` with the tools there are.
        """
        built = self._source.latest
        specs = self._specs
        if built is None or specs is None or name not in {spec.name for spec in specs}:
            built, specs = await self._build()
        if name not in {spec.name for spec in specs}:
            return unknown_tool_answer(name, specs)
        output = await built.runtime.execute_tool_call(name, dict(arguments) if arguments else {})
        return call_answer(output)

    async def _on_list_tools(self, ctx: Any, params: Any) -> mcp_types.ListToolsResult:
        specs = await self.list_tools()
        return mcp_types.ListToolsResult(
            tools=[
                mcp_types.Tool(name=spec.name, description=spec.description, input_schema=spec.input_schema)
                for spec in specs
            ]
        )

    async def _on_call_tool(
        self, ctx: Any, params: mcp_types.CallToolRequestParams
    ) -> mcp_types.CallToolResult:
        answer = await self.call_tool(params.name, params.arguments)
        return mcp_types.CallToolResult(
            content=[mcp_types.TextContent(text=answer.text)], is_error=answer.is_error
        )

    # -- transports ------------------------------------------------------------------

    async def run_stdio(self) -> None:
        """Serve one client over stdin/stdout until stdin closes (what ``navai mcp`` runs)."""
        from mcp.server.stdio import stdio_server

        async with stdio_server() as (read_stream, write_stream):
            await self.server.run(read_stream, write_stream, self.server.create_initialization_options())

    def streamable_http_app(
        self, *, security: TransportSecuritySettings | None = None, json_response: bool = False
    ) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        """An ASGI app answering MCP's Streamable HTTP at whatever path it is mounted on.

        Stateless (every request stands alone), so any worker process answers any request,
        as with NAVAI's own routes. The SDK's session manager starts on the first request of
        each event loop, so the app needs no lifespan (``navai serve`` runs none).
        ``security`` defaults to :func:`transport_security` with no extra origins.
        """
        settings = security if security is not None else transport_security()
        app = _StreamableHTTPApp(self.server, settings, json_response)
        self._http_apps.append(app)
        return app

    async def aclose(self) -> None:
        """Stop the HTTP session managers started on this event loop (an app's shutdown, tests)."""
        for app in self._http_apps:
            await app.aclose()


class _StreamableHTTPApp:
    """An ASGI app (a class, so Starlette's ``Route`` hands it the raw scope): one stateless
    session manager per event loop, started by the first request on that loop."""

    def __init__(self, server: Server[Any], settings: TransportSecuritySettings, json_response: bool) -> None:
        self._server = server
        self._settings = settings
        self._json_response = json_response
        self._managers: weakref.WeakKeyDictionary[Any, tuple[StreamableHTTPSessionManager, asyncio.Event]] = (
            weakref.WeakKeyDictionary()
        )
        self._tasks: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        manager = await self._manager()
        await manager.handle_request(scope, receive, send)

    async def _manager(self) -> StreamableHTTPSessionManager:
        loop = asyncio.get_running_loop()
        entry = self._managers.get(loop)
        if entry is None:
            manager = StreamableHTTPSessionManager(
                app=self._server,
                stateless=True,
                json_response=self._json_response,
                security_settings=self._settings,
            )
            entry = self._managers[loop] = (manager, asyncio.Event())
            task = loop.create_task(self._run(manager, entry[1]), name="navai-mcp-http")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await entry[1].wait()
        return entry[0]

    async def _run(self, manager: StreamableHTTPSessionManager, ready: asyncio.Event) -> None:
        try:
            async with manager.run():
                ready.set()
                await asyncio.Event().wait()  # until cancelled (the loop closing, or aclose())
        finally:
            ready.set()  # a manager that failed to start answers 500, and the next request retries
            self._managers.pop(asyncio.get_running_loop(), None)

    async def aclose(self) -> None:
        loop = asyncio.get_running_loop()
        tasks = [task for task in self._tasks if task.get_loop() is loop]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def create_mcp_server(
    backend: AsyncNavaiBackendClient | NavaiBackendClient | None = None,
    *,
    functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
    routes: Iterable[Route | Mapping[str, Any]] = (),
    navigate: Navigate | None = None,
    cache_ttl: float | None = None,
    name: str = "navai",
    instructions: str | None = None,
) -> NavaiMCPServer:
    """An MCP server whose tools are a NAVAI backend's functions and local ones.

    ``backend`` is a NAVAI client (sync or async); its ``list_functions()`` is fetched at
    every ``tools/list``, or kept ``cache_ttl`` seconds (its ``function_catalog`` rules).
    ``functions`` run in this process, with the backend's rules (callables, classes, a
    mapping of names to callables or a ``FunctionRegistry``); a backend function named
    like a local one is left out, with a warning. ``routes`` add ``navigate_to``, which
    calls ``navigate(path)`` when given.

    Each function is a tool named as it is, with its description and the input schema
    ``{"payload": object | null}`` of the web runtime's alias tools; a call runs
    ``execute_function_detailed`` (or the local function) and answers the runtime's result
    object as JSON text, ``isError`` whenever it says ``ok: false``. A function whose name
    is not a valid tool name (``^[a-zA-Z0-9_-]{1,64}$``) or is taken by a built-in tool is
    offered only through ``execute_app_function``, with a warning (logged on ``navai``).
    """
    source = RuntimeSource(
        backend,
        functions=functions,
        routes=routes,
        navigate=navigate,
        direct_alias_tools=True,
        cache_ttl=cache_ttl,
    )
    return NavaiMCPServer(source, name=name, instructions=instructions)


def app_mcp_endpoint(
    registry: Callable[[], Awaitable[Any]],
    *,
    cors_origins: Sequence[str] | None,
    env: Mapping[str, str],
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ``/mcp`` endpoint of a NAVAI app: its own functions (``registry``, the app's lazily
    discovered one), protected for loopback, the app's CORS origins (``NAVAI_CORS_ORIGIN``
    when CORS is off) and ``NAVAI_MCP_ALLOWED_HOSTS``."""
    from ..server._cors import cors_origins_from_env, parse_cors_origins

    origins = cors_origins_from_env(env) if cors_origins is None else list(cors_origins)
    hosts = parse_cors_origins(env.get("NAVAI_MCP_ALLOWED_HOSTS", ""))
    server = NavaiMCPServer(RuntimeSource(direct_alias_tools=True, local=registry))
    return server.streamable_http_app(security=transport_security(origins, hosts))
