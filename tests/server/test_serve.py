"""``navai serve`` as a subprocess: ready on /health, clean exit on SIGTERM and SIGINT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

BACKEND_PY = Path(__file__).parent / "backend_py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_health_and_stops_cleanly(sig: signal.Signals) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NAVAI_", "ELEVENLABS_"))}
    env |= {"OPENAI_API_KEY": "sk-test-serve", "NAVAI_FUNCTIONS_BASE_DIR": str(BACKEND_PY)}
    process = subprocess.Popen(
        [sys.executable, "-m", "navai", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx2.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.json() == {"ok": True}
        call = httpx2.post(
            f"http://127.0.0.1:{port}/navai/functions/execute",
            json={"function_name": "add", "payload": {"args": [2, 3]}},
        )
        assert call.json()["result"] == 5
        process.send_signal(sig)
        assert process.wait(timeout=10) == 0
        _, stderr = process.communicate()
        assert b"sk-test-serve" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with pytest.raises(httpx2.TransportError):
        httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1)
