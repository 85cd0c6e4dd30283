"""What the hostile-input suite (``test_hostile_*.py``) shares: servers, answers, memory.

`start_hostile` runs ``navai serve`` over ``hostile_py`` (functions that hang, fail
oddly or return what JSON cannot hold) with short bounds, so a slow-client or stuck-call
case takes a second or two; `assert_json_error` is what every refusal must look like.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from tests.support.py_backend_harness import OpenAIStandIn, PyBackend
from tests.support.raw_http import RawResponse, exchange, request

HOSTILE_PY: Final = Path(__file__).parent / "hostile_py"
HEADERS_TIMEOUT: Final = 1.0
REQUEST_TIMEOUT: Final = 2.0
FUNCTION_TIMEOUT: Final = 1.0
UPSTREAM_TIMEOUT: Final = 1.5
EXECUTE: Final = "/navai/functions/execute"


def start_hostile(log: Path, upstream: OpenAIStandIn | None = None, **env: str) -> PyBackend:
    """``navai serve`` over the hostile functions, bounds in seconds as above; ``env`` added."""
    overrides = {
        "NAVAI_HEADERS_TIMEOUT": str(HEADERS_TIMEOUT),
        "NAVAI_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
        "NAVAI_FUNCTION_TIMEOUT": str(FUNCTION_TIMEOUT),
        "NAVAI_UPSTREAM_TIMEOUT": str(UPSTREAM_TIMEOUT),
        "NAVAI_HOSTILE_LOG": str(log),
        **env,
    }
    return PyBackend.start(functions_base_dir=HOSTILE_PY, env_overrides=overrides, upstream=upstream)


def execute(port: int, body: bytes | Mapping[str, Any], *, timeout: float = 10.0) -> RawResponse:
    """``POST /navai/functions/execute`` with ``body`` (JSON-encoded unless bytes) on a new connection."""
    import json

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return exchange(port, request("POST", EXECUTE, raw), timeout=timeout)


def assert_json_error(answer: RawResponse, status: int, fragment: str = "") -> str:
    """``answer`` is ``status`` with ``{"error": <text containing fragment>}`` and no traceback."""
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.is_json, answer.headers
    error = answer.json()["error"]
    assert isinstance(error, str)
    assert fragment in error, error
    assert b"Traceback" not in answer.body
    assert b'File "' not in answer.body
    return error


def rss_mb(pid: int) -> float:
    """The resident set size of process ``pid``, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def log_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def wait_for_line(log: Path, line: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if line in log_lines(log):
            return True
        time.sleep(0.05)
    return False


def healthy(port: int) -> bool:
    answer = exchange(port, request("GET", "/health"), timeout=5)
    return answer.status == 200 and answer.json() == {"ok": True}
