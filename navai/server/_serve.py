"""Run an app on uvicorn: ``navai serve`` and ``navai.testing.serve``."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib.util
import logging
import os
import signal
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import uvicorn

__all__ = ["freeze_heap", "make_server", "protocol_limits"]

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


def make_server(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 3000,
    log_level: str = "info",
    max_header_bytes: int | None = None,
    headers_timeout: float | None = None,
    request_timeout: float | None = None,
) -> uvicorn.Server:
    """A uvicorn server for ``app`` (uvloop and httptools when installed).

    Connections are bounded as Node's HTTP server bounds them (see `protocol_limits`:
    431 past ``max_header_bytes``, 408 past ``headers_timeout``/``request_timeout``);
    ``None`` reads ``NAVAI_MAX_HEADER_BYTES``/``NAVAI_HEADERS_TIMEOUT``/
    ``NAVAI_REQUEST_TIMEOUT``. Without httptools (h11), only the header size is bounded.
    """
    limits = protocol_limits(
        max_header_bytes=max_header_bytes, headers_timeout=headers_timeout, request_timeout=request_timeout
    )
    http: Any = "h11"
    if importlib.util.find_spec("httptools"):
        from ._protocol import bounded_protocol

        http = bounded_protocol(
            max_header_bytes=int(limits["max_header_bytes"]),
            headers_timeout=limits["headers_timeout"],
            request_timeout=limits["request_timeout"],
        )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        http=http,
        h11_max_incomplete_event_size=int(limits["max_header_bytes"]),
        lifespan="off",
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
        server_header=False,
    )
    return _Server(config)


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
