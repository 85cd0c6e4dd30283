"""Print the fault table: each injected fault, each call, what the sync client did, and how fast,
for both engines (the fast path and a caller's httpx2 client).

    .venv/bin/python scripts/fault_table.py
"""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fault_server import FaultServer
from test_faults import ENGINES, EXPECTED, METHODS, base_url, call, client_options, fault_headers

import navai


def describe(result: object) -> str:
    if isinstance(result, navai.BackendFunctionsResult):
        return f"warning: {result.warnings[0]}" if result.warnings else f"ok: {result.names()}"
    return f"ok: {result!r}"


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{sock.getsockname()[1]}"
    print(f"timeout: connect 0.5 s, read 0.5 s; navai {navai.__version__}\n")
    print("| engine | fault | call | outcome | time (s) |")
    print("|---|---|---|---|---:|")
    with FaultServer() as server:
        for engine in ENGINES:
            for fault in EXPECTED:
                options = client_options(fault, engine, is_async=False)
                with navai.NavaiBackendClient(base_url(fault, server, refused), **options) as client:
                    for method in METHODS:
                        started = time.monotonic()
                        try:
                            outcome = describe(call(client, method, fault_headers(fault)))
                        except navai.NavaiError as error:
                            outcome = f"{type(error).__name__}: {error}"
                        elapsed = time.monotonic() - started
                        outcome = outcome.replace(server.url, "").replace(refused, "")[:90]
                        print(f"| {engine} | {fault} | {method} | {outcome} | {elapsed:.2f} |")


if __name__ == "__main__":
    main()
