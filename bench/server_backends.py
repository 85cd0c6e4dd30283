"""The servers ``make bench-server`` loads, each one process on a free 127.0.0.1 port.

- ``navai``: ``python -m navai serve --host 127.0.0.1 --port 0`` over the Python twins of the
  test functions (``tests/server/backend_py``), exactly as a user runs it: ``navai serve``
  configures uvicorn itself (``navai/server/_serve.py``: uvloop and httptools when
  installed, access log off, lifespan off, one process); no flag is needed.
- ``node``: the Node test backend (``tests/backend``: @navai/voice-backend 0.1.3 on Express 5,
  one Node process), started by ``tests/support/backend_harness.py`` (``PORT=0``).
- ``bare``: ``bench/server_bare.py``, one Starlette route on uvicorn with navai serve's
  uvicorn settings: the ceiling reference.

Every process is stopped by its pid (SIGTERM, then SIGKILL after 5 s), also at exit; on
Linux the Python servers also get SIGTERM when the process that started them dies (the
Node backend exits by itself then: ``NAVAI_BACKEND_PARENT_PID``). Standard library only.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.backend_harness import SCRUBBED_ENV_PREFIXES, Backend, health_ok, terminate
from tests.support.py_backend_harness import PY_BACKEND_DIR, die_with_parent

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
EXECUTE_PATH = "/navai/functions/execute"

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
_UVICORN_RE = re.compile(rb"Uvicorn running on http://127\.0\.0\.1:(\d+)")

LABELS = {
    "navai": "navai serve (uvicorn, uvloop, httptools)",
    "navai-nocors": "navai serve --no-cors (the same server, CORS off)",
    "node": "Node backend (@navai/voice-backend, Express 5)",
    "bare": "bare Starlette route on uvicorn (ceiling)",
}


@dataclass
class Server:
    """One running server process."""

    name: str
    url: str
    pid: int
    stop: Callable[[], None] = field(repr=False)
    read_log: Callable[[], str] = field(repr=False)

    @property
    def execute_url(self) -> str:
        return self.url + EXECUTE_PATH


def clean_env() -> dict[str, str]:
    """The caller's environment without proxies and without the backends' own variables."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(SCRUBBED_ENV_PREFIXES) and not k.lower().endswith("_proxy")
    }


def _start_uvicorn(name: str, command: list[str], env: dict[str, str]) -> Server:
    fd, raw = tempfile.mkstemp(prefix=f"navai-bench-{name}-", suffix=".log")
    os.close(fd)
    log_path = Path(raw)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent(),
        )

    def read_log() -> str:
        try:
            return log_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    stopped = False

    def stop() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        atexit.unregister(stop)
        terminate(process)
        log_path.unlink(missing_ok=True)

    atexit.register(stop)
    deadline = time.monotonic() + START_TIMEOUT_S
    port: int | None = None
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if port is None:
                match = _UVICORN_RE.search(log_path.read_bytes())
                if match is None:
                    time.sleep(0.02)
                    continue
                port = int(match.group(1))
            if health_ok(f"http://{HOST}:{port}"):
                return Server(name, f"http://{HOST}:{port}", process.pid, stop, read_log)
            time.sleep(0.05)
    except BaseException:
        stop()
        raise
    tail = read_log()[-3000:]
    stop()
    raise RuntimeError(f"{name} (pid {process.pid}) did not become ready:\n{tail}")


def navai_env() -> dict[str, str]:
    """``navai serve``'s environment: the Python twins of the test functions, an unused key."""
    env = clean_env()
    env.update(
        {
            # execute never calls OpenAI; a key keeps the configuration the usual one
            "OPENAI_API_KEY": "sk-bench-unused",
            "OPENAI_BASE_URL": f"http://{HOST}:9/v1",
            "NAVAI_FUNCTIONS_BASE_DIR": str(PY_BACKEND_DIR),
        }
    )
    return env


def start_navai() -> Server:
    """``navai serve`` as a user runs it, over the Python twins of the test functions."""
    command = [sys.executable, "-m", "navai", "serve", "--host", HOST, "--port", "0", "--log-level", "info"]
    return _start_uvicorn("navai", command, navai_env())


def start_navai_nocors() -> Server:
    """``navai serve --no-cors``: the same server without its CORS middleware."""
    command = [sys.executable, "-m", "navai", "serve", "--host", HOST, "--port", "0", "--log-level", "info"]
    return _start_uvicorn("navai-nocors", [*command, "--no-cors"], navai_env())


def start_variant(variant: str) -> Server:
    """``bench/server_variant.py VARIANT``: navai serve's app with one what-if change."""
    command = [sys.executable, "-m", "bench.server_variant", variant, "--host", HOST, "--port", "0"]
    return _start_uvicorn(f"variant-{variant}", command, navai_env())


def start_bare() -> Server:
    command = [sys.executable, "-m", "bench.server_bare", "--host", HOST, "--port", "0"]
    return _start_uvicorn("bare", command, clean_env())


def start_node() -> Server:
    backend = Backend.start()
    return Server("node", backend.url, backend.pid, backend.stop, backend.read_log)


STARTERS: dict[str, Callable[[], Server]] = {
    "navai": start_navai,
    "navai-nocors": start_navai_nocors,
    "node": start_node,
    "bare": start_bare,
}


def check_echo(
    server: Server, body: dict[str, Any], expected: Any, origin: str | None = None
) -> dict[str, Any]:
    """One execute call: 200, ``ok: true`` and the echoed value, else ``RuntimeError``.

    With ``origin``, navai serve must echo it in ``Access-Control-Allow-Origin`` (CORS
    on) or leave the header out (``navai-nocors``), so the figures measure what they say.
    """
    request = urllib.request.Request(
        server.execute_url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"origin": origin} if origin else {})},
        method="POST",
    )
    with _OPENER.open(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
        status = response.status
        allowed = response.headers.get("access-control-allow-origin")
    if status != 200 or answer.get("ok") is not True or answer.get("result") != expected:
        raise RuntimeError(f"{server.name}: unexpected answer {status} {answer!r}")
    if origin and server.name in ("navai", "navai-nocors"):
        wanted = origin if server.name == "navai" else None
        if allowed != wanted:
            raise RuntimeError(f"{server.name}: Access-Control-Allow-Origin {allowed!r}, expected {wanted!r}")
    return answer


def process_cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process (all its threads), from /proc; 0.0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def process_threads(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None
