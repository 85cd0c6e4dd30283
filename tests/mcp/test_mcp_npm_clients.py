"""MCP clients from npm against ``navai serve --mcp`` and ``navai mcp``: the MCP Inspector's
CLI (the TypeScript SDK's client) lists and calls the tools, and the MCP conformance suite's
server scenarios that apply to any server (the initialize handshake, a valid tool list) pass.

The Inspector CLI 1.0.3 and conformance 0.1.5 are the last releases that run on Node 20
(the Inspector 0.16+ and conformance 0.1.16 need Node 22). They install from
``npm/package-lock.json`` on first use with ``npm install --ignore-scripts``, which keeps the
locked versions (``npm ci`` refuses this lock: its ``lefthook`` dependency lists optional
binaries for other platforms). Without node they skip, except under CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import backend_harness, skips
from tests.support.py_backend_harness import PyBackend

pytestmark = pytest.mark.live

NPM_DIR = Path(__file__).resolve().parent / "npm"
INSPECTOR_BUILD = NPM_DIR / "node_modules" / "@modelcontextprotocol" / "inspector-cli" / "build"
CONFORMANCE = NPM_DIR / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.mjs"


def _fresh() -> bool:
    modules = NPM_DIR / "node_modules"
    return (
        INSPECTOR_BUILD.is_dir()
        and CONFORMANCE.is_file()
        and modules.stat().st_mtime >= (NPM_DIR / "package-lock.json").stat().st_mtime
    )


@pytest.fixture(scope="module")
def npm_clients() -> None:
    skips.require_node("node for the npm MCP clients")
    if _fresh():
        return
    npm = shutil.which("npm")
    assert npm is not None
    done = subprocess.run(
        [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save"],
        cwd=NPM_DIR,
        env={**os.environ, "npm_config_update_notifier": "false"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    os.utime(NPM_DIR / "node_modules")
    assert _fresh()


@pytest.fixture(scope="module")
def served() -> Iterator[PyBackend]:
    with PyBackend.start(serve_args=["--mcp"]) as backend:
        yield backend


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NAVAI_", "OPENAI_"))}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def _inspector(*args: str) -> dict[str, object]:
    # The CLI reads its own package.json relative to the working directory: run it from its build/.
    done = subprocess.run(
        ["node", "index.js", *args],
        cwd=INSPECTOR_BUILD,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_inspector_cli_lists_and_calls_over_streamable_http(npm_clients: None, served: PyBackend) -> None:
    url = f"{served.url}/mcp"
    listed = _inspector(url, "--method", "tools/list")
    called = _inspector(
        url, "--method", "tools/call", "--tool-name", "add", "--tool-arg", 'payload={"args":[2,3]}'
    )
    failed = _inspector(url, "--method", "tools/call", "--tool-name", "fail")
    names = [tool["name"] for tool in listed["tools"]]  # type: ignore[attr-defined]
    assert names[:3] == ["add", "async_echo", "echo"]
    assert called["isError"] is False
    assert json.loads(called["content"][0]["text"])["result"] == 5  # type: ignore[index]
    assert failed["isError"] is True


def test_the_inspector_cli_over_stdio_against_navai_mcp(
    npm_clients: None, live_backend: backend_harness.Backend
) -> None:
    command = [
        sys.executable,
        "-m",
        "navai",
        "--api-url",
        live_backend.url,
        "mcp",
        "--route",
        "profile=/profile",
    ]
    opened = _inspector(
        *command, "--method", "tools/call", "--tool-name", "navigate_to", "--tool-arg", "target=profile"
    )
    greeted = _inspector(
        *command,
        "--method",
        "tools/call",
        "--tool-name",
        "say_hello",
        "--tool-arg",
        'payload={"value":"Ana"}',
    )
    assert json.loads(opened["content"][0]["text"]) == {"ok": True, "path": "/profile"}  # type: ignore[index]
    assert json.loads(greeted["content"][0]["text"])["result"] == "Hello, Ana!"  # type: ignore[index]


@pytest.mark.parametrize("scenario", ["server-initialize", "tools-list"])
def test_the_conformance_suite_scenarios_that_apply(
    npm_clients: None, served: PyBackend, scenario: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        ["node", str(CONFORMANCE), "server", "--url", f"{served.url}/mcp", "--scenario", scenario],
        cwd=tmp_path,  # it writes results/ where it runs
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Passed: (\d+)/\1, 0 failed", done.stdout), done.stdout
    assert '"status": "FAILURE"' not in done.stdout
