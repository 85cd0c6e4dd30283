"""The ceiling reference of ``make bench-server``: a bare Starlette route on uvicorn.

    python -m bench.server_bare [--host 127.0.0.1] [--port 0]

One route, ``POST /navai/functions/execute``: read the body, ``json.loads`` it, answer a
small JSON object shaped like an execute answer (``{"ok":true,"function_name":...,
"source":...,"result":<payload.value>}``) with ``JSONResponse``. No body limit, no
function lookup, no thread hop: what any JSON POST route on this stack costs at least.
``GET /health`` answers ``{"ok":true}`` (readiness).

uvicorn is configured as ``navai serve`` configures it (``navai/server/_serve.py``): one
process, uvloop, httptools, lifespan off, access log off, no server header; it prints
uvicorn's ``Uvicorn running on http://HOST:PORT`` line once it listens.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def execute(request: Request) -> Response:
    body: Any = json.loads(await request.body())
    payload = body.get("payload") if isinstance(body, dict) else None
    value = payload.get("value") if isinstance(payload, dict) else None
    return JSONResponse(
        {
            "ok": True,
            "function_name": body.get("function_name"),
            "source": "bench/server_bare.py#execute",
            "result": value,
        }
    )


async def health(_request: Request) -> Response:
    return Response(b'{"ok":true}', media_type="application/json")


app = Starlette(
    routes=[Route("/navai/functions/execute", execute, methods=["POST"]), Route("/health", health)]
)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        log_level="info",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
