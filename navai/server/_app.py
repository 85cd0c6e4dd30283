"""The Starlette application: the four NAVAI routes, ``/health`` and Express-like errors."""

from __future__ import annotations

import asyncio
import html
import logging
import math
import os
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

import anyio.to_thread
import httpx2

from .._config import (
    DEFAULT_CLIENT_SECRET_PATH,
    DEFAULT_FUNCTIONS_EXECUTE_PATH,
    DEFAULT_FUNCTIONS_LIST_PATH,
    DEFAULT_SPEECH_SYNTHESIZE_PATH,
)
from .._extras import needs_extra
from ..functions._discovery import discover_functions
from ..functions._jscompat import js_trim, read_optional
from ..functions._model import FunctionRegistry
from ._body import DEFAULT_LIMIT, read_json_body
from ._client_secret import DEFAULT_OPENAI_BASE_URL, create_realtime_client_secret
from ._cors import (
    CORSPolicy,
    NavaiCORSMiddleware,
    add_cors_headers,
    cors_origins_from_env,
    parse_cors_origins,
)
from ._encode import dumps
from ._errors import NavaiStatusError, error_status
from ._options import NavaiVoiceBackendOptions, backend_options_from_env, validate_options
from ._speech import synthesize_speech

with needs_extra("server", "navai.server"):
    from starlette.applications import Starlette
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute, Match, NoMatchFound
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "DEFAULT_CLIENT_SECRET_PATH",
    "DEFAULT_FUNCTIONS_EXECUTE_PATH",
    "DEFAULT_FUNCTIONS_LIST_PATH",
    "DEFAULT_SPEECH_SYNTHESIZE_PATH",
    "create_navai_app",
]

DEFAULT_FUNCTION_TIMEOUT = 30.0
"""Seconds an execute call may run (``NAVAI_FUNCTION_TIMEOUT``)."""
DEFAULT_UPSTREAM_TIMEOUT = 30.0
"""Seconds an OpenAI or ElevenLabs call may take (``NAVAI_UPSTREAM_TIMEOUT``)."""

logger = logging.getLogger("navai.server")

Endpoint = Callable[[Request], Awaitable[Response]]
_JSON = "application/json; charset=utf-8"
_ERROR_PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"}
_HTML_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
    "</head>\n<body>\n<pre>{}</pre>\n</body>\n</html>\n"
)


def json_response(status: int, value: Any) -> Response:
    """A JSON response as Express's ``res.json`` writes it."""
    return Response(dumps(value), status_code=status, media_type=_JSON)


def _message(error: BaseException) -> str:
    """``str(error)``, or a description of the error when it has no text or cannot give it."""
    try:
        message = str(error)
    except Exception:
        return f"{type(error).__name__} (its message could not be read)"
    if not message and isinstance(error, MemoryError):
        return "Out of memory (MemoryError)."
    if not isinstance(error, Exception):  # SystemExit, KeyboardInterrupt: say what it was
        return f"The function raised {type(error).__name__}" + (f": {message}" if message else ".")
    return message


def error_response(error: BaseException) -> Response:
    """``{"error": message}`` with the error's 400-599 ``status``/``status_code``, else 500.

    A client that left while its request was read gets no log line: nobody is there to
    read the answer, and it is not the service's failure.
    """
    if isinstance(error, ClientDisconnect):
        return json_response(400, {"error": "The client disconnected before the request was read."})
    try:
        status = error_status(error)
    except Exception:
        status = 500
    message = _message(error)
    if status >= 500:
        logger.error("[navai] %s: %s", status, " ".join(message.split())[:300])
    return json_response(status, {"error": message})


_BODY_HEADERS = {
    name.encode(): name
    for name in ("content-length", "content-type", "content-encoding", "transfer-encoding")
}
_KEY = "navai.route_key"


def _route_key(path: str) -> str:
    path = path if path.startswith("/") else f"/{path}"
    return path[:-1].lower() if len(path) > 1 and path.endswith("/") else path.lower()


def _request_key(scope: Scope) -> str:
    """The request path as routes compare it; computed once per request, not once per route.

    Express matches the path as sent, percent-escapes and all (``/navai%2Ffunctions`` is
    no route), so the raw path is compared, not the decoded one.
    """
    key: str | None = scope.get(_KEY)
    if key is None:
        raw: bytes | None = scope.get("raw_path")
        path: str = scope["path"] if raw is None else raw.partition(b"?")[0].decode("latin-1")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        key = scope[_KEY] = _route_key(path)
    return key


class _Route(BaseRoute):
    """A route matched as Express 5 does: any case, optional trailing slash, exact method."""

    def __init__(
        self, path: str, methods: Sequence[str], endpoint: Endpoint, cors: CORSPolicy | None
    ) -> None:
        self.key = _route_key(path)
        self.methods = {m.upper() for m in methods} | ({"HEAD"} if "GET" in methods else set())
        self.allow = ", ".join([*methods, "HEAD"] if "GET" in methods else methods)
        self.endpoint = endpoint
        self.cors = cors

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["method"] in self.methods and _request_key(scope) == self.key:
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _respond(self.cors, self.endpoint, Request(scope, receive), send)


async def _respond(cors: CORSPolicy | None, endpoint: Endpoint, request: Request, send: Send) -> None:
    """Send ``endpoint``'s answer to ``request`` under the app's CORS policy: a refused
    origin or a preflight gets the policy's answer instead, an allowed origin's answer
    gets the headers."""
    scope, receive = request.scope, request.receive
    allow = None if cors is None else cors.decide(scope)
    if isinstance(allow, Response):
        await allow(scope, receive, send)
        return
    response = await endpoint(request)
    if allow is not None:
        response.raw_headers = add_cors_headers(response.raw_headers, allow)
    await response(scope, receive, send)


class _NotFound(BaseRoute):
    """Everything else: Express's ``Cannot <METHOD> <path>`` page (``OPTIONS`` lists methods)."""

    def __init__(self, routes: Sequence[_Route], state: _NavaiState, cors: CORSPolicy | None) -> None:
        self.routes = routes
        self.state = state
        self.cors = cors

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return (Match.FULL if scope["type"] == "http" else Match.NONE), {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _respond(self.cors, self._answer, Request(scope, receive), send)

    async def _answer(self, request: Request) -> Response:
        scope = request.scope
        try:
            await self.state.body(request)
        except Exception as exc:
            return error_response(exc)
        key = _request_key(scope)
        allowed = [route.allow for route in self.routes if route.key == key]
        if scope["method"] == "OPTIONS" and allowed:
            text = ", ".join(allowed)
            response = Response(text, headers={"Allow": text, "X-Content-Type-Options": "nosniff"})
            response.headers["content-type"] = "text/plain"
        else:
            url = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")  # no query, as Express
            message = html.escape(f"Cannot {scope['method']} {url}", quote=True).replace("&#x27;", "&#39;")
            response = Response(
                _HTML_PAGE.format(message),
                status_code=404,
                media_type="text/html; charset=utf-8",
                headers=_ERROR_PAGE_HEADERS,
            )
        return response


class _LazyFunctions:
    """Loads the registry once, on first use, in a worker thread; a failure is cached too."""

    def __init__(self, load: Callable[[], FunctionRegistry]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._registry: FunctionRegistry | None = None
        self._error: BaseException | None = None

    def _load_once(self) -> FunctionRegistry:
        with self._lock:
            if self._registry is None and self._error is None:
                try:
                    self._registry = self._load()
                except Exception as exc:
                    self._error = exc
            if self._error is not None:
                raise self._error
            assert self._registry is not None
            return self._registry

    async def get(self) -> FunctionRegistry:
        if self._registry is not None:
            return self._registry
        return await anyio.to_thread.run_sync(self._load_once)


class _PerLoop:
    """One client per running event loop (pooled connections cannot cross loops)."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._clients: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def get(self) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = self._factory()
        return client


class _NavaiState:
    """What the route handlers share."""

    def __init__(
        self,
        options: NavaiVoiceBackendOptions,
        functions: _LazyFunctions | None,
        openai_client: Callable[[], Any],
        http_client: Callable[[], httpx2.AsyncClient],
        body_limit: int,
        function_timeout: float = 30.0,
        upstream_timeout: float = 30.0,
    ) -> None:
        self.options = options
        self.functions = functions
        self.openai_client = openai_client
        self.http_client = http_client
        self.body_limit = body_limit
        self.function_timeout = function_timeout
        self.upstream_timeout = upstream_timeout

    async def body(self, request: Request) -> Any:
        headers: dict[str, str] = {}
        for name, value in request.scope["headers"]:
            key = _BODY_HEADERS.get(name.lower())
            if key is not None:
                headers[key] = value.decode("latin-1")
        return await read_json_body(headers, request.stream(), limit=self.body_limit)

    async def client_secret(self, request: Request) -> Response:
        try:
            body = await self.body(request)
            data = await _bounded(
                request,
                lambda: create_realtime_client_secret(self.options, body, self.openai_client()),
                self.upstream_timeout,
                f"OpenAI client_secrets did not answer within {self.upstream_timeout:g} s.",
            )
            return Response(_GONE_RESPONSE, 400) if data is _GONE else json_response(200, data)
        except Exception as exc:
            return error_response(exc)

    async def speech(self, request: Request) -> Response:
        try:
            body = await self.body(request)
            data = await _bounded(
                request,
                lambda: synthesize_speech(self.options, body, self.http_client()),
                self.upstream_timeout,
                f"Speech synthesis did not answer within {self.upstream_timeout:g} s.",
            )
            return Response(_GONE_RESPONSE, 400) if data is _GONE else json_response(200, data)
        except Exception as exc:
            return error_response(exc)

    async def list_functions(self, request: Request) -> Response:
        try:
            await self.body(request)
            assert self.functions is not None
            registry = await self.functions.get()
            items = [{"name": f.name, "description": f.description, "source": f.source} for f in registry]
            return json_response(200, {"items": items, "warnings": list(registry.warnings)})
        except Exception as exc:
            return error_response(exc)

    async def execute(self, request: Request) -> Response:
        try:
            body = await self.body(request)
            assert self.functions is not None
            registry = await self.functions.get()
            raw = body.get("function_name") if isinstance(body, Mapping) else None
            name = js_trim(raw).lower() if isinstance(raw, str) else ""
            if not name:
                return json_response(400, {"error": "function_name is required."})
            definition = registry.get(name)
            if definition is None:
                return json_response(
                    404, {"error": "Unknown or disallowed function.", "available_functions": registry.names()}
                )
            payload = body.get("payload")
            if not isinstance(payload, Mapping | list):
                payload = {}
            result = await _bounded(
                request,
                lambda: definition.run(payload, request),
                self.function_timeout,
                f"Function {definition.name} did not finish within {self.function_timeout:g} s.",
            )
            if result is _GONE:
                return Response(_GONE_RESPONSE, 400)
            answer: dict[str, Any] = {
                "ok": True,
                "function_name": definition.name,
                "source": definition.source,
            }
            if result is not None:
                answer["result"] = result
            return json_response(200, answer)  # encoded here: a result that is not JSON data is a 500
        except Exception as exc:
            return error_response(exc)
        except BaseException as exc:  # SystemExit/KeyboardInterrupt raised by a function
            if _is_cancellation(exc):
                raise
            return error_response(exc)


def _is_cancellation(exc: BaseException) -> bool:
    return isinstance(exc, anyio.get_cancelled_exc_class())


_GONE: Any = object()
_GONE_RESPONSE = b""  # the answer when the client has left: never delivered


_WATCH_AFTER = 0.05
"""Seconds a call runs before its client's connection is watched (most calls end sooner)."""


class _Guard:
    """Cancels a task at its deadline, or once its client disconnects.

    One timer for a call that ends within `_WATCH_AFTER` (about 2 µs); only a slower call
    gets a task that waits on ``receive()`` for ``http.disconnect`` (a watcher on every call
    cost about 20 µs of CPU a call, a quarter of an execute's).
    """

    __slots__ = ("deadline", "reason", "receive", "task", "timer", "watcher")

    def __init__(self, task: asyncio.Task[Any], receive: Receive, timeout: float) -> None:
        loop = task.get_loop()
        self.task = task
        self.receive = receive
        self.deadline = loop.time() + timeout
        self.reason: str | None = None  # "timeout" or "gone" once the task was cancelled
        self.watcher: asyncio.Task[None] | None = None
        self.timer = loop.call_later(min(_WATCH_AFTER, timeout), self._tick)

    def _tick(self) -> None:
        loop = self.task.get_loop()
        if self.watcher is None:
            self.watcher = loop.create_task(self._watch())
        remaining = self.deadline - loop.time()
        if remaining > 0:
            self.timer = loop.call_later(remaining, self._tick)
        else:
            self._stop("timeout")

    async def _watch(self) -> None:
        while (await self.receive())["type"] != "http.disconnect":
            pass
        self._stop("gone")

    def _stop(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            self.task.cancel()

    def close(self) -> None:
        self.timer.cancel()
        if self.watcher is not None:
            self.watcher.cancel()


async def _bounded(request: Request, work: Callable[[], Awaitable[Any]], timeout: float, late: str) -> Any:
    """``await work()``, bounded by ``timeout`` seconds and cancelled when the client leaves.

    Raises ``NavaiStatusError(504, late)`` past the bound; returns `_GONE` when the client
    disconnected first (nobody reads the answer). Cancelling a sync function's call
    leaves its thread running until it returns (see `navai.functions._hop`).
    """
    try:
        task = asyncio.current_task()
    except RuntimeError:  # not on asyncio (e.g. trio): the bound only
        task = None
    if task is None:
        try:
            with anyio.fail_after(timeout):
                return await work()
        except TimeoutError:
            raise NavaiStatusError(504, late) from None
    guard = _Guard(task, request.receive, timeout)
    result: Any = None
    try:
        result = await work()
    except asyncio.CancelledError:
        if guard.reason is None:
            raise
    finally:
        guard.close()
    if guard.reason is None:
        return result
    task.uncancel()  # the guard's cancel: delivered above, or swallowed by the function
    if guard.reason == "timeout":
        raise NavaiStatusError(504, late)
    return _GONE


async def _health(_request: Request) -> Response:
    return Response(b'{"ok":true}', media_type=_JSON)


def _seconds(given: float | None, environ: Mapping[str, str], variable: str, default: float) -> float:
    """``given``, else ``environ[variable]``, else ``default``: a positive, finite number of seconds."""
    if given is not None:
        value, shown = float(given), repr(given)
    else:
        raw = environ.get(variable, "").strip()
        shown = repr(raw)
        try:
            value = float(raw) if raw else default
        except ValueError:
            value = math.nan
    if not 0 < value < math.inf:
        raise ValueError(f"{variable} must be a positive number of seconds. Received: {shown}")
    return value


def _registry_from(functions: FunctionRegistry | Iterable[Callable[..., Any]]) -> FunctionRegistry:
    if isinstance(functions, FunctionRegistry):
        return functions
    registry = FunctionRegistry()
    for item in functions:
        registry.add(item)
    return registry


def create_navai_app(
    *,
    env: Mapping[str, str] | None = None,
    backend_options: NavaiVoiceBackendOptions | None = None,
    include_functions_routes: bool = True,
    client_secret_path: str = DEFAULT_CLIENT_SECRET_PATH,
    functions_list_path: str = DEFAULT_FUNCTIONS_LIST_PATH,
    functions_execute_path: str = DEFAULT_FUNCTIONS_EXECUTE_PATH,
    speech_synthesize_path: str = DEFAULT_SPEECH_SYNTHESIZE_PATH,
    health_path: str | None = "/health",
    functions_base_dir: str | None = None,
    functions_folders: str | None = None,
    agents_folders: str | None = None,
    include_extensions: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    functions: FunctionRegistry | Iterable[Callable[..., Any]] | None = None,
    openai_client: Any = None,
    http_client: httpx2.AsyncClient | None = None,
    body_limit: int = DEFAULT_LIMIT,
    cors: bool = True,
    cors_origins: str | Sequence[str] | None = None,
    function_timeout: float | None = None,
    upstream_timeout: float | None = None,
    mcp: bool = False,
) -> Starlette:
    """A NAVAI backend as a Starlette app: ``registerNavaiExpressRoutes`` in Python.

    ``env`` replaces ``os.environ``. Without ``backend_options`` they come from the
    environment (``OPENAI_API_KEY``, ``OPENAI_REALTIME_*``, ``NAVAI_TTS_PROVIDER``,
    ``ELEVENLABS_*``, ...); invalid options raise ``ValueError`` here, with Node's
    messages. Without ``functions`` (a :class:`FunctionRegistry` or callables), the
    functions are discovered from ``.py`` modules on the first list or execute call
    (``functions_*``/``agents_folders`` options, else ``NAVAI_FUNCTIONS_*`` variables).
    ``openai_client`` (an ``openai.AsyncOpenAI``) and ``http_client`` (for ElevenLabs)
    replace the clients made per event loop; ``OPENAI_BASE_URL`` moves the former.

    Browsers on other origins are served as NAVAI's playground server serves them
    (``cors=False`` leaves CORS to whatever the app is mounted in): localhost and
    127.0.0.1 origins always, plus ``cors_origins`` (comma-separated text or a list;
    default ``NAVAI_CORS_ORIGIN``; ``*`` allows every origin); other origins get a 403
    JSON error. The app's own routes (and ``/mcp``) apply these rules themselves, with no
    middleware layer; a route you add to the returned app gets them by wrapping its
    endpoint in :class:`NavaiCORSMiddleware`.

    ``function_timeout`` (else ``NAVAI_FUNCTION_TIMEOUT``, else 30 s) bounds an execute
    call: past it the answer is 504; an async function is cancelled, a sync one cannot be
    and keeps its worker thread until it returns (the pool starts a fresh thread in its
    place, up to twice its 40 workers; once all are stuck, sync calls answer 503).
    ``upstream_timeout`` (else ``NAVAI_UPSTREAM_TIMEOUT``, else 30 s) bounds the OpenAI
    and ElevenLabs calls (504). A call whose client disconnects is cancelled.

    ``mcp=True`` (needs ``navai[mcp]``) also serves the functions to MCP clients over
    Streamable HTTP at ``/mcp`` (see :mod:`navai.mcp`).
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    function_timeout = _seconds(function_timeout, environ, "NAVAI_FUNCTION_TIMEOUT", DEFAULT_FUNCTION_TIMEOUT)
    upstream_timeout = _seconds(upstream_timeout, environ, "NAVAI_UPSTREAM_TIMEOUT", DEFAULT_UPSTREAM_TIMEOUT)
    options = backend_options if backend_options is not None else backend_options_from_env(environ)
    validate_options(options)

    lazy: _LazyFunctions | None = None
    if include_functions_routes:
        if functions is not None:
            registry = _registry_from(functions)
            lazy = _LazyFunctions(lambda: registry)
        else:
            lazy = _LazyFunctions(
                lambda: discover_functions(
                    base_dir=functions_base_dir,
                    functions_folders=functions_folders,
                    agents_folders=agents_folders,
                    include_extensions=include_extensions,
                    exclude=exclude,
                    env=environ,
                )
            )

    base_url = read_optional(environ.get("OPENAI_BASE_URL")) or DEFAULT_OPENAI_BASE_URL

    # Imported now, not by the first client-secret request: it takes about a second, which
    # would stall every other request on the event loop.
    with needs_extra("server", "navai.server"):
        import openai

    def make_openai() -> Any:
        # A plain httpx2 client: the SDK's own wrapper closes itself from __del__ with a
        # task on whatever loop is running, which breaks when that loop is shutting down.
        http = httpx2.AsyncClient(timeout=httpx2.Timeout(600.0, connect=5.0))
        return openai.AsyncOpenAI(api_key="unset", base_url=base_url, max_retries=0, http_client=http)

    openai_clients = _PerLoop(make_openai)
    http_clients = _PerLoop(lambda: httpx2.AsyncClient(timeout=httpx2.Timeout(60.0)))
    state = _NavaiState(
        options,
        lazy,
        (lambda: openai_client) if openai_client is not None else openai_clients.get,
        (lambda: http_client) if http_client is not None else http_clients.get,
        body_limit,
        function_timeout,
        upstream_timeout,
    )
    origins: list[str] | None = None
    policy: CORSPolicy | None = None
    if cors:
        origins = cors_origins_from_env(environ) if cors_origins is None else parse_cors_origins(cors_origins)
        policy = CORSPolicy(origins)
    # The busiest route first: Starlette tries them in order (each try costs about 0.6 µs).
    routes: list[_Route] = []
    if include_functions_routes:
        routes.append(_Route(functions_execute_path, ["POST"], state.execute, policy))
        routes.append(_Route(functions_list_path, ["GET"], state.list_functions, policy))
    routes.append(_Route(client_secret_path, ["POST"], state.client_secret, policy))
    routes.append(_Route(speech_synthesize_path, ["POST"], state.speech, policy))
    if health_path:
        routes.append(_Route(health_path, ["GET"], _health, policy))
    extra: list[BaseRoute] = []
    if mcp:
        if lazy is None:
            raise ValueError("mcp=True serves the app's functions: include_functions_routes must be on.")
        from starlette.routing import Route as StarletteRoute

        from ..mcp._server import app_mcp_endpoint

        endpoint: ASGIApp = app_mcp_endpoint(lazy.get, cors_origins=origins, env=environ)
        if policy is not None:
            endpoint = NavaiCORSMiddleware(endpoint, policy.origins)
        extra.append(StarletteRoute("/mcp", endpoint))
    app = Starlette(routes=[*extra, *routes, _NotFound(routes, state, policy)])
    app.state.navai = state
    app.state.navai_cors_origins = origins
    return app
