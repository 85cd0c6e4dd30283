"""Print the fault table: each injected fault, each call, what the sync client did, and how fast.

.venv/bin/python scripts/fault_table.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import httpx
from fault_server import FaultServer
from test_faults import EXPECTED, METHODS, base_for, call, options_for

import navai


def main() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{sock.getsockname()[1]}"
    print(f"timeout: connect 0.5 s, read 0.5 s; navai {navai.__version__}\n")
    print(f"| {'fault':22} | {'call':20} | {'outcome':70} | time |")
    print(f"|{'-' * 24}|{'-' * 22}|{'-' * 72}|------|")
    with FaultServer() as server, httpx.Client(limits=httpx.Limits(max_connections=1)) as http:
        for fault in EXPECTED:
            client = navai.NavaiBackendClient(
                base_for(fault, server, refused), http_client=http, **options_for(fault)
            )
            for method in METHODS:
                started = time.monotonic()
                try:
                    result = call(client, method)
                    if isinstance(result, navai.BackendFunctionsResult):
                        outcome = (
                            f"warning: {result.warnings[0]}" if result.warnings else f"ok: {result.names()}"
                        )
                    else:
                        outcome = f"ok: {result!r}"
                except navai.NavaiError as error:
                    outcome = f"{type(error).__name__}: {error}"
                elapsed = time.monotonic() - started
                outcome = outcome.replace(server.url, "").replace(refused, "")[:70]
                print(f"| {fault:22} | {method:20} | {outcome:70} | {elapsed:4.2f} |")


if __name__ == "__main__":
    main()
