"""Run an app on uvicorn: ``navai serve`` and ``navai.testing.serve``."""

from __future__ import annotations

import contextlib
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
from typing import Any

import uvicorn

__all__ = ["app_from_environment", "freeze_heap", "load_env_file", "make_server", "run_supervised"]

_CLI_OPTIONS = "_NAVAI_SERVE_APP_OPTIONS"


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


def _config(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 3000,
    log_level: str = "info",
    access_log: bool = False,
    proxy_headers: bool = True,
    forwarded_allow_ips: str | None = None,
    **more: Any,
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        http="httptools" if importlib.util.find_spec("httptools") else "h11",
        lifespan="off",
        log_level=log_level,
        access_log=access_log,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_graceful_shutdown=5,
        server_header=False,
        **more,
    )


def make_server(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 3000,
    log_level: str = "info",
    access_log: bool = False,
    proxy_headers: bool = True,
    forwarded_allow_ips: str | None = None,
) -> uvicorn.Server:
    """A uvicorn server for ``app`` (uvloop and httptools when installed).

    ``proxy_headers`` trusts ``X-Forwarded-For``/``-Proto`` from ``forwarded_allow_ips``
    only (default ``$FORWARDED_ALLOW_IPS``, else 127.0.0.1), as uvicorn does.
    """
    config = _config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    return _Server(config)


def run_supervised(
    app_options: Mapping[str, Any],
    *,
    workers: int = 1,
    reload: bool = False,
    reload_dirs: Sequence[str] = (),
    **options: Any,
) -> bool:
    """Serve ``create_navai_app(**app_options)`` in worker processes; False if it never started.

    ``workers`` processes share one listening socket (uvicorn's process manager, which
    restarts a worker that dies); ``reload`` runs one worker that uvicorn's reloader
    restarts when a ``.py`` file under ``reload_dirs`` changes. Every worker builds the
    same app from the same options, so any of them answers any request. ``options`` are
    :func:`make_server`'s keywords.
    """
    os.environ[_CLI_OPTIONS] = json.dumps(dict(app_options))
    config = _config(
        "navai.server._serve:_worker_app",
        factory=True,
        workers=workers,
        reload=reload,
        reload_dirs=list(reload_dirs) if reload else None,
        reload_includes=["*.py"] if reload else None,
        **options,
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
    return True


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
    the collector takes (about 7 % of a loaded server's CPU) tenfold.
    """
    if not server.config.loaded:
        server.config.load()
    _tune_gc()


def _tune_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def stuck_threads() -> list[threading.Thread]:
    """Non-daemon threads still running (e.g. a sync function that never returns)."""
    return [
        t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]


logging.getLogger("navai.server").addHandler(logging.NullHandler())
