"""A NAVAI backend whose function list and client secrets take a set time: ``make bench-agent`` (c).

    python -m bench.agent_backend --list-delay-ms 150 --mint-delay-ms 250

navai.server's app (``navai.testing.create_test_app``: client secrets from a ``FakeOpenAI``,
nothing leaves the machine) behind a delay on ``GET /navai/functions`` and ``POST
/navai/realtime/client-secret``, so the order in which an agent makes those calls shows in
how long it takes to start. One process on 127.0.0.1, a free port, printed as uvicorn's
``Uvicorn running on http://127.0.0.1:PORT`` line; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def delayed(app: Any, delays: dict[tuple[str, str], float]) -> Any:
    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seconds = delays.get((scope["method"], scope["path"]), 0.0)
            if seconds:
                await asyncio.sleep(seconds)
        await app(scope, receive, send)

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list-delay-ms", type=float, default=0.0)
    parser.add_argument("--mint-delay-ms", type=float, default=0.0)
    args = parser.parse_args()

    from navai.server._serve import freeze_heap, make_server
    from navai.testing import create_test_app

    def echo(value: Any = None) -> Any:
        """Returns its payload."""
        return value

    app = delayed(
        create_test_app([echo]),
        {
            ("GET", "/navai/functions"): args.list_delay_ms / 1000,
            ("POST", "/navai/realtime/client-secret"): args.mint_delay_ms / 1000,
        },
    )
    server = make_server(app, port=0, log_level="info")
    freeze_heap(server)
    server.run()
    sys.exit(0 if server.started else 1)


if __name__ == "__main__":
    main()
