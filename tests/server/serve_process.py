"""``navai serve`` as a subprocess for the server tests: started on a free port, stopped by pid."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx2
import pytest

from tests.support.py_backend_harness import PY_BACKEND_DIR

SCRUBBED = ("OPENAI_", "NAVAI_", "ELEVENLABS_", "PORT", "FORWARDED_ALLOW_IPS")


def serve_env(functions_dir: Path | None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without NAVAI's variables, plus a test key and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    env["OPENAI_API_KEY"] = "sk-test-serve"
    if functions_dir is not None:
        env["NAVAI_FUNCTIONS_BASE_DIR"] = str(functions_dir)
    return env | dict(extra or {})


def start_serve(
    port: int,
    functions_dir: Path | None = PY_BACKEND_DIR,
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log_level: str = "warning",
    port_flag: bool = True,
) -> subprocess.Popen[bytes]:
    """``navai serve`` on ``port`` over ``functions_dir`` once it answers ``/health``.

    ``env`` is added to `serve_env`'s; ``port_flag=False`` leaves ``--port`` out (the
    port then comes from ``PORT`` or the default). stdout/stderr are pipes: read them
    with ``communicate()`` after stopping it.
    """
    command = [sys.executable, "-m", "navai", "serve", "--log-level", log_level, *args]
    if port_flag:
        command += ["--port", str(port)]
    process = subprocess.Popen(
        command,
        env=serve_env(functions_dir, env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            response = httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1)
            break
        except httpx2.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, stderr = process.communicate()
                pytest.fail(f"navai serve did not start: {stderr.decode(errors='replace')}")
            time.sleep(0.05)
    assert response.json() == {"ok": True}
    return process


def stop(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    """SIGTERM, then SIGKILL after 10 s: the exit code and everything it printed."""
    if process.poll() is None:
        process.terminate()
    try:
        out, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, (out + err).decode(errors="replace")
