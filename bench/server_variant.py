"""``navai serve`` with one what-if change, for ``bench/server_profile.py`` (measurement only).

    python -m bench.server_variant VARIANT [--host 127.0.0.1] [--port 0]

Builds the app as ``navai serve`` does (``create_navai_app()`` from the environment, then
``navai.server._serve.make_server``: uvloop, httptools, access log off) and, in this process
only, replaces how a sync function reaches its worker thread (``in_thread`` as seen from
``navai/functions/_model.py``, which navai serve runs on its ``ThreadHop``):

- ``anyio``: ``anyio.to_thread.run_sync`` (what navai serve used before ``ThreadHop``);
- ``executor``: ``loop.run_in_executor(None, ...)``, asyncio's default thread pool
  (``min(32, cores + 4)`` threads), in a copy of the context as ``asyncio.to_thread`` and
  anyio do, without anyio's limiter, cancel scope and checkpoints;
- ``executor-40``: the same on a ``ThreadPoolExecutor(max_workers=40)``, anyio's default
  thread limit (so as many hung sync functions fit as today);
- ``executor-1``: the same on a single worker thread (jobs queue behind each other: a slow
  sync function would hold up the others, so this only prices the thread count);
- ``inline``: the sync function is called on the event loop thread (no thread at all; a
  slow sync function would block the server: an upper bound, not a proposal).

Nothing under ``navai/`` is edited; the replacement lives in this process only.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextvars
from collections.abc import Callable
from typing import Any

VARIANTS = ("anyio", "executor", "executor-40", "executor-1", "inline")


def patch(variant: str) -> None:
    import navai.functions._model as functions

    if variant == "anyio":
        import anyio.to_thread

        async def run_sync(call: Callable[[], Any]) -> Any:
            return await anyio.to_thread.run_sync(call)

    elif variant == "inline":

        async def run_sync(call: Callable[[], Any]) -> Any:
            return call()

    else:
        workers = {"executor-1": 1, "executor-40": 40}.get(variant)
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=workers) if workers else None

        async def run_sync(call: Callable[[], Any]) -> Any:
            context = contextvars.copy_context()
            return await asyncio.get_running_loop().run_in_executor(executor, context.run, call)

    functions.in_thread = run_sync


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    from navai.server import create_navai_app
    from navai.server._serve import freeze_heap, make_server

    patch(args.variant)
    server = make_server(create_navai_app(), host=args.host, port=args.port, log_level="info")
    freeze_heap(server)  # as navai serve does
    server.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
