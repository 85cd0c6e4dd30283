"""Run an app on uvicorn: ``navai serve`` and ``navai.testing.serve``."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict, Unpack

from .._extras import needs_extra

with needs_extra("server", "navai.server"):
    import uvicorn

__all__ = [
    "ServerOptions",
    "app_from_environment",
    "freeze_heap",
    "load_env_file",
    "make_server",
    "protocol_limits",
    "run_supervised",
]

_CLI_OPTIONS = "_NAVAI_SERVE_APP_OPTIONS"

DEFAULT_MAX_HEADER_BYTES = 16 * 1024
"""Node's ``--max-http-header-size`` (request line and headers)."""
DEFAULT_HEADERS_TIMEOUT = 60.0
"""Node's ``server.headersTimeout``, in seconds."""
DEFAULT_REQUEST_TIMEOUT = 300.0
"""Node's ``server.requestTimeout``, in seconds."""

LIMIT_VARIABLES = {
    "max_header_bytes": ("NAVAI_MAX_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES),
    "headers_timeout": ("NAVAI_HEADERS_TIMEOUT", DEFAULT_HEADERS_TIMEOUT),
    "request_timeout": ("NAVAI_REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT),
}
"""Each connection bound: its environment variable and its default (Node's)."""


class _Server(uvicorn.Server):
    """uvicorn, except that SIGINT/SIGTERM end ``run()`` normally (exit code 0).

    uvicorn re-raises the captured signal after shutting down, which makes the
    process die of it; ``navai serve`` treats both as a clean stop instead.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def protocol_limits(env: Mapping[str, str] | None = None, **given: float | None) -> dict[str, float]:
    """The connection bounds: each from ``given``, else its ``NAVAI_*`` variable, else Node's default.

    ``max_header_bytes`` (request line and headers; past it, 431), ``headers_timeout``
    and ``request_timeout`` (seconds until the headers, and the whole request, have
    arrived; past them, 408). Raises ``ValueError`` naming a variable that is not a
    positive number.
    """
    environ = os.environ if env is None else env
    limits: dict[str, float] = {}
    for name, (variable, default) in LIMIT_VARIABLES.items():
        value = given.get(name)
        if value is None:
            raw = environ.get(variable, "").strip()
            try:
                value = float(raw) if raw else default
            except ValueError:
                raise ValueError(f"{variable} must be a positive number. Received: {raw!r}") from None
            if not value > 0 or value == float("inf"):
                raise ValueError(f"{variable} must be a positive number. Received: {raw!r}")
        limits[name] = value
    limits["max_header_bytes"] = int(limits["max_header_bytes"])
    return limits


class ServerOptions(TypedDict, total=False):
    """How ``navai serve`` runs uvicorn: `make_server` and `run_supervised` take these keywords.

    ``proxy_headers`` (default True) trusts ``X-Forwarded-For``/``-Proto`` from
    ``forwarded_allow_ips`` only (default ``$FORWARDED_ALLOW_IPS``, else 127.0.0.1), as
    uvicorn does. The connection bounds default to `protocol_limits`'s variables.
    """

    host: str  # default 127.0.0.1
    port: int  # default 3000
    log_level: str  # default info
    access_log: bool  # default False
    proxy_headers: bool
    forwarded_allow_ips: str | None
    max_header_bytes: int | None
    headers_timeout: float | None
    request_timeout: float | None


def _config(app: Any, options: ServerOptions, **more: Any) -> uvicorn.Config:
    limits = protocol_limits(
        max_header_bytes=options.get("max_header_bytes"),
        headers_timeout=options.get("headers_timeout"),
        request_timeout=options.get("request_timeout"),
    )
    http: Any = "h11"
    if importlib.util.find_spec("httptools"):
        from ._protocol import BoundedHttpToolsProtocol

        http = BoundedHttpToolsProtocol
    config = uvicorn.Config(
        app,
        host=options.get("host", "127.0.0.1"),
        port=options.get("port", 3000),
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        http=http,
        ws="none",  # no NAVAI route is a WebSocket: an Upgrade is answered as plain HTTP, as Node does
        h11_max_incomplete_event_size=int(limits["max_header_bytes"]),
        lifespan="off",
        log_level=options.get("log_level", "info"),
        access_log=options.get("access_log", False),
        proxy_headers=options.get("proxy_headers", True),
        forwarded_allow_ips=options.get("forwarded_allow_ips"),
        timeout_graceful_shutdown=5,
        server_header=False,
        **more,
    )
    config.navai_limits = limits  # type: ignore[attr-defined]  # read by BoundedHttpToolsProtocol
    return config


def make_server(app: Any, **options: Unpack[ServerOptions]) -> uvicorn.Server:
    """A uvicorn server for ``app`` (uvloop and httptools when installed), as `ServerOptions` say.

    Connections are bounded as Node's HTTP server bounds them (see `protocol_limits`:
    431 past ``max_header_bytes``, 408 past ``headers_timeout``/``request_timeout``);
    ``None`` reads ``NAVAI_MAX_HEADER_BYTES``/``NAVAI_HEADERS_TIMEOUT``/
    ``NAVAI_REQUEST_TIMEOUT``. Without httptools (h11), only the header size is bounded.
    """
    return _Server(_config(app, options))


def run_supervised(
    app_options: Mapping[str, Any],
    *,
    workers: int = 1,
    reload: bool = False,
    reload_dirs: Sequence[str] = (),
    **options: Unpack[ServerOptions],
) -> None:
    """Serve ``create_navai_app(**app_options)`` in worker processes until SIGINT/SIGTERM.

    ``workers`` processes share one listening socket (uvicorn's process manager, which
    restarts a worker that dies); ``reload`` runs one worker that uvicorn's reloader
    restarts when a ``.py`` file under ``reload_dirs`` changes. Every worker builds the
    same app from the same options, so any of them answers any request. A port that
    cannot be bound ends the process, as uvicorn does (``SystemExit``).
    """
    os.environ[_CLI_OPTIONS] = json.dumps(dict(app_options))
    config = _config(
        "navai.server._serve:_worker_app",
        options,
        factory=True,
        workers=workers,
        reload=reload,
        reload_dirs=list(reload_dirs) if reload else None,
        reload_includes=["*.py"] if reload else None,
    )
    from uvicorn.supervisors import ChangeReload, Multiprocess

    server = _Server(config)
    sock = config.bind_socket()
    bound = sock.getsockname()[1]
    mode = "reloading on change" if reload else f"{workers} workers"
    print(f"navai serve: listening on http://{config.host}:{bound} ({mode})", file=sys.stderr, flush=True)
    if config.should_reload:
        ChangeReload(config, target=server.run, sockets=[sock]).run()
    else:
        Multiprocess(config, sockets=[sock]).run()


def _worker_app() -> Any:
    """The app of one ``navai serve --workers``/``--reload`` worker, from its parent's options."""
    from ._app import create_navai_app

    app = create_navai_app(**json.loads(os.environ[_CLI_OPTIONS]))
    _tune_gc()
    return app


def load_env_file(path: str | os.PathLike[str] | None = None) -> Path | None:
    """Load ``path`` (default ``./.env`` when present) into ``os.environ``, as dotenv does.

    Variables already in the environment win. Returns the file loaded, None when the
    default file is absent; a named file that does not exist raises ``FileNotFoundError``.
    """
    with needs_extra("server", "navai.server"):
        from dotenv import load_dotenv

    target = Path(".env") if path is None else Path(path)
    if not target.is_file():
        if path is None:
            return None
        raise FileNotFoundError(f"env file not found: {target}")
    load_dotenv(target, override=False)
    return target


def app_from_environment() -> Any:
    """The app ``navai serve`` runs, configured from the environment: an app factory.

    For servers that import the app themselves (``gunicorn -k uvicorn.workers.UvicornWorker
    'navai.server:app_from_environment()'``, ``uvicorn --factory
    navai.server:app_from_environment``). ``./.env`` is loaded first when present (or the
    file ``NAVAI_ENV_FILE`` names), then ``create_navai_app()`` reads ``OPENAI_*``,
    ``NAVAI_*`` and ``ELEVENLABS_*``. The garbage collector is tuned as :func:`freeze_heap`
    does, so call this in the serving process, after the server has loaded.
    """
    from ._app import create_navai_app

    load_env_file(os.environ.get("NAVAI_ENV_FILE") or None)
    app = create_navai_app()
    _tune_gc()
    return app


def freeze_heap(server: uvicorn.Server) -> None:
    """Tune the cyclic garbage collector for serving ``server``: call just before ``run()``.

    ``server``'s configuration is loaded first (uvicorn's protocol classes, the app's
    wrappers), so that what it imports is frozen too.

    What start-up allocated (openai, pydantic, Starlette, uvicorn's protocols) lives as long
    as the process: frozen, full collections no longer walk it. Without this, each of them
    stalled every request in flight for tens of ms (a p99 several times the median under
    load). A request's objects die by reference counting, so young collections mostly
    re-scan what is in flight: one per 10,000 allocations instead of per 700 cuts the time
    the collector takes (about 7 % of a loaded server's CPU) tenfold. Large blocks are
    returned to the system when freed (`_return_large_blocks`).
    """
    if not server.config.loaded:
        server.config.load()
    _tune_gc()


def _tune_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    _return_large_blocks()


_M_MMAP_THRESHOLD = -3


def _return_large_blocks() -> None:
    """On glibc, give every allocation of 1 MiB or more its own mapping, unmapped when freed.

    glibc raises that threshold (up to 32 MiB) each time such a block is freed, after which
    large blocks are cached in the freeing thread's arena: a result of tens of MB then kept
    its size resident in every worker thread that ever produced one (measured: +30 MB per
    thread, up to the pool's 40). No effect elsewhere (musl, macOS).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 1 << 20)


def stuck_threads() -> list[threading.Thread]:
    """Non-daemon threads still running (e.g. a sync function that never returns)."""
    return [
        t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]


logging.getLogger("navai.server").addHandler(logging.NullHandler())
