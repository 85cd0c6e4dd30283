"""What the browser suite runs: npm packages, the bundle, the page server, the playground
server and the Chromium driver, all on loopback.

- `ensure_installed`: ``npm ci --ignore-scripts`` in ``tests/browser`` when its
  ``node_modules`` is missing or older than ``package-lock.json`` (under a file lock, so
  parallel runs install once). ``--ignore-scripts``: @navai/voice-frontend's postinstall
  edits the consuming project.
- `build_bundle`: esbuild (``bundle.mjs``) turns the published @navai/voice-frontend into
  one browser script in ``build/browser/`` (never committed).
- `PageServer`: ``page.html`` and that bundle from a ``http.server`` on ``127.0.0.1``, so
  the page can be opened as ``http://localhost:P``, ``http://127.0.0.1:P`` or, through
  Chromium's host resolver rules, ``http://app.navai.test:P``.
- `PlaygroundServer`: ``playground_server.mjs`` (Express + cors with the NAVAI playground's
  rules) with its OpenAI client-secret calls sent to an `OpenAIStandIn`.
- `run_browser`: one headless Chromium (``driver.mjs``) for a list of visits.
"""

from __future__ import annotations

import atexit
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from tests.support.backend_harness import (
    BACKEND_DIR,
    SCRUBBED_ENV_PREFIXES,
    _tail,
    _wait_until_ready,
    node_missing_reason,
    npm_ci,
    terminate,
)
from tests.support.py_backend_harness import OpenAIStandIn, node_redirect_env

BROWSER_DIR: Final = Path(__file__).resolve().parent
ROOT: Final = BROWSER_DIR.parent.parent
BUILD_DIR: Final = ROOT / "build" / "browser"
BUNDLE_PATH: Final = BUILD_DIR / "navai-frontend.js"
CHROMIUM: Final = Path("/usr/bin/chromium")
HOST: Final = "127.0.0.1"
TEST_HOSTS: Final = ("app.navai.test", "evil.navai.test")
"""Non-local names Chromium resolves to 127.0.0.1 (its ``--host-resolver-rules``)."""
HOST_RULES: Final = ", ".join(f"MAP {name} {HOST}" for name in TEST_HOSTS)
DRIVER_TIMEOUT_S: Final = 90.0
_REQUIRED_PACKAGES: Final = (
    "@navai/voice-frontend",
    "@navai/voice-backend",
    "playwright-core",
    "esbuild",
    "express",
    "cors",
)


def missing_reason() -> str | None:
    """Why the suite cannot run here (no usable node/npm, no Chromium), or ``None``."""
    reason = node_missing_reason()
    if reason is not None:
        return reason
    if not os.access(CHROMIUM, os.X_OK):
        return (
            f"{CHROMIUM} is missing: install Debian's Chromium "
            "(apt-get install --no-install-recommends chromium) to run the browser suite"
        )
    return None


# -- npm packages and the bundle ----------------------------------------------------------


def _install_is_fresh() -> bool:
    modules = BROWSER_DIR / "node_modules"
    if not all((modules / name / "package.json").is_file() for name in _REQUIRED_PACKAGES):
        return False
    return modules.stat().st_mtime >= (BROWSER_DIR / "package-lock.json").stat().st_mtime


def ensure_installed() -> None:
    """``npm ci --ignore-scripts`` in `BROWSER_DIR` unless its install is fresh; `RuntimeError` on failure."""
    npm_ci(BROWSER_DIR, _install_is_fresh, ignore_scripts=True)


def build_bundle() -> Path:
    """Bundle @navai/voice-frontend into `BUNDLE_PATH` (written aside, then moved in place)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH")
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    partial = BUILD_DIR / f".navai-frontend.{os.getpid()}.js"
    done = subprocess.run(
        [node, "bundle.mjs", str(partial)],
        cwd=BROWSER_DIR,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise RuntimeError(
            f"esbuild bundle failed ({done.returncode}):\n{done.stdout}\n{done.stderr}".rstrip()
        )
    os.replace(partial, BUNDLE_PATH)
    return BUNDLE_PATH


# -- the page -------------------------------------------------------------------------------


class PageServer:
    """``GET /`` (any query) is ``page.html``, ``GET /navai-frontend.js`` the bundle; else 404.

    Serves on ``127.0.0.1:<free port>`` from a daemon thread.
    """

    def __init__(self, bundle: Path) -> None:
        files = {
            "/": ("text/html; charset=utf-8", (BROWSER_DIR / "page.html").read_bytes()),
            "/navai-frontend.js": ("text/javascript; charset=utf-8", bundle.read_bytes()),
        }

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                found = files.get(urlsplit(self.path).path)
                content_type, body = found or ("text/plain; charset=utf-8", b"not found\n")
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self.port: Final = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="browser-page", daemon=True)
        self._thread.start()

    def origin(self, host: str) -> str:
        """The page's origin under ``host`` (``localhost``, ``127.0.0.1`` or a `TEST_HOSTS` name)."""
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# -- the playground-like Node server --------------------------------------------------------


class PlaygroundServer:
    """One ``node playground_server.mjs`` on ``127.0.0.1``; stop it with `stop` (by its pid)."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.process: Final = process
        self.pid: Final = process.pid
        self.port: Final = port
        self.url: Final = f"http://{HOST}:{port}"
        self.log_path: Final = log_path
        self._stopped = False

    @classmethod
    def start(
        cls, upstream: OpenAIStandIn, openai_key: str, env_overrides: Mapping[str, str] | None = None
    ) -> PlaygroundServer:
        """Start it with the test functions of ``tests/backend`` and OpenAI replaced by ``upstream``.

        The environment is the caller's without ``OPENAI_*``/``NAVAI_*``/``ELEVENLABS_*``,
        plus ``OPENAI_API_KEY=openai_key`` (added to ``upstream``'s accepted keys) and
        ``env_overrides`` (e.g. ``NAVAI_CORS_ORIGIN``).
        """
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on PATH")
        upstream.accepted_keys.add(openai_key)
        env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_ENV_PREFIXES)}
        env.update(
            {
                "PORT": "0",
                "OPENAI_API_KEY": openai_key,
                "NAVAI_FUNCTIONS_BASE_DIR": str(BACKEND_DIR),
                "NAVAI_BACKEND_PARENT_PID": str(os.getpid()),
                **node_redirect_env(upstream),
                **(env_overrides or {}),
            }
        )
        fd, raw = tempfile.mkstemp(prefix="navai-playground-", suffix=".log")
        os.close(fd)
        log_path = Path(raw)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [node, "playground_server.mjs"],
                cwd=BROWSER_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            port, problem = _wait_until_ready(process, log_path, None)
        except BaseException:
            terminate(process)
            raise
        if port is None:
            terminate(process)
            tail = _tail(log_path)
            log_path.unlink(missing_ok=True)
            raise RuntimeError(f"playground_server.mjs (pid {process.pid}) {problem}. Log tail:\n{tail}")
        server = cls(process, port, log_path)
        atexit.register(server.stop)
        return server

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s; removes the log. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        terminate(self.process)
        self.log_path.unlink(missing_ok=True)


# -- Chromium ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitResult:
    """What one tab saw: the page's outcome (or why there is none), its console, failed requests."""

    outcome: dict[str, Any] | None
    error: str | None
    console: list[dict[str, str]]
    failed_requests: list[dict[str, str]]

    @property
    def console_text(self) -> str:
        return "\n".join(f"[{item['type']}] {item['text']}" for item in self.console)


def run_browser(visits: Mapping[str, str]) -> dict[str, VisitResult]:
    """Open each URL of ``visits`` (id -> URL) in one headless Chromium, one tab after another."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH")
    job = {
        "executablePath": str(CHROMIUM),
        "hostRules": HOST_RULES,
        "timeoutMs": 20_000,
        "visits": [{"id": key, "url": url} for key, url in visits.items()],
    }
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    done = subprocess.run(
        [node, "driver.mjs"],
        cwd=BROWSER_DIR,
        env=env,
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=DRIVER_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"driver.mjs failed ({done.returncode}):\n{done.stderr[-4000:]}".rstrip())
    raw = json.loads(done.stdout)["visits"]
    return {
        key: VisitResult(
            outcome=item["outcome"],
            error=item["error"],
            console=item["console"],
            failed_requests=item["failedRequests"],
        )
        for key, item in raw.items()
    }
