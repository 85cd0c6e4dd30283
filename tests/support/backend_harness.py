"""Start and stop the real NAVAI test backend (``tests/backend``) on loopback.

The backend is the published ``@navai/voice-backend`` Express helper, run by Node with
an in-process stand-in for OpenAI's client-secret endpoint (``openai-stub.mjs``), so no
request ever leaves the machine. See ``tests/backend/README.md`` for its routes and the
test functions it serves.

Use from tests, benchmarks or the demo, run from the repository root::

    from tests.support.backend_harness import Backend, node_missing_reason

    if (reason := node_missing_reason()) is not None:
        pytest.skip(reason)
    with Backend.start() as backend:
        ...  # talk to backend.url; backend.openai_key is the accepted stand-in key

or from a shell::

    python -m tests.support.backend_harness serve [--port N] [--ttl SECONDS] [--print-key]

Standard library only.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Final

from tests.support.elevenlabs_standin import ElevenLabsStandIn

__all__ = [
    "BACKEND_DIR",
    "SCRUBBED_ENV_PREFIXES",
    "Backend",
    "ensure_installed",
    "free_port",
    "health_ok",
    "node_missing_reason",
    "terminate",
]

BACKEND_DIR: Final[Path] = Path(__file__).resolve().parents[1] / "backend"
"""The Node project holding ``server.mjs``, ``openai-stub.mjs`` and the test functions."""

HOST: Final = "127.0.0.1"
START_TIMEOUT_S: Final = 30.0
STOP_TIMEOUT_S: Final = 5.0
NPM_TIMEOUT_S: Final = 600.0
MIN_NODE_MAJOR: Final = 20

_LISTENING_RE: Final = re.compile(rb"NAVAI_BACKEND_LISTENING http://127\.0\.0\.1:(\d+)")
# Variables of the backend package and of the stand-in that the machine's environment
# must not leak into a run; pass them in ``env_overrides`` to set them on purpose.
SCRUBBED_ENV_PREFIXES: Final = ("OPENAI_", "NAVAI_", "ELEVENLABS_")
_KEY_ALPHABET: Final = string.ascii_letters + string.digits
# Loopback only: never route these requests through a proxy from the environment.
_OPENER: Final = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def node_missing_reason() -> str | None:
    """Why the backend cannot run here, or ``None`` when ``node`` and ``npm`` are usable."""
    node = shutil.which("node")
    if node is None:
        return "node is not on PATH: install Node.js >= 20 to run the NAVAI test backend"
    if shutil.which("npm") is None:
        return "npm is not on PATH: install npm (it ships with Node.js) to run the NAVAI test backend"
    try:
        version = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot run 'node --version': {exc}"
    match = re.match(r"v(\d+)\.", version)
    if match is None or int(match.group(1)) < MIN_NODE_MAJOR:
        return f"node {version or '(unknown version)'} is too old: the NAVAI test backend needs Node.js >= 20"
    return None


def _install_is_fresh() -> bool:
    node_modules = BACKEND_DIR / "node_modules"
    lock = BACKEND_DIR / "package-lock.json"
    required = (node_modules / "@navai" / "voice-backend", node_modules / "express")
    if not node_modules.is_dir() or not all(path.is_dir() for path in required):
        return False
    return node_modules.stat().st_mtime >= lock.stat().st_mtime


@contextlib.contextmanager
def _install_lock(folder: Path) -> Iterator[None]:
    """Serialise installs between processes (e.g. parallel test workers)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(folder / ".install.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def npm_ci(folder: Path, is_fresh: Callable[[], bool], *, ignore_scripts: bool = False) -> None:
    """``npm ci`` in ``folder`` unless ``is_fresh()``, one process at a time (a file lock).

    ``node_modules`` is then marked newer than ``package-lock.json``, which is what the
    ``is_fresh`` checks compare. Raises `RuntimeError` (with npm's output) when npm is
    missing, the install fails or leaves ``is_fresh()`` false.
    """
    if is_fresh():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH")
    with _install_lock(folder):
        if is_fresh():  # another process installed it while we waited
            return
        env = {**os.environ, "npm_config_update_notifier": "false"}
        command = [npm, "ci", *(["--ignore-scripts"] if ignore_scripts else []), "--no-audit", "--no-fund"]
        try:
            done = subprocess.run(
                command,
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"npm ci in {folder} timed out after {NPM_TIMEOUT_S:.0f} s") from exc
        if done.returncode != 0:
            raise RuntimeError(
                f"npm ci in {folder} failed with exit code {done.returncode}:\n"
                f"{done.stdout}\n{done.stderr}".rstrip()
            )
        os.utime(folder / "node_modules")  # mark the install as newer than package-lock.json
        if not is_fresh():
            raise RuntimeError(f"npm ci in {folder} succeeded but node_modules is incomplete")


def ensure_installed() -> None:
    """Run ``npm ci`` in `BACKEND_DIR` when ``node_modules`` is missing or older than the lock file.

    Raises `RuntimeError` (with npm's output) when Node/npm are missing or the install fails.
    """
    if _install_is_fresh():
        return
    reason = node_missing_reason()
    if reason is not None:
        raise RuntimeError(reason)
    npm_ci(BACKEND_DIR, _install_is_fresh)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def fresh_openai_key() -> str:
    return "sk-test-" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(40))


def _tail(path: Path, max_bytes: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"(cannot read log {path}: {exc})"
    text = data[-max_bytes:].decode("utf-8", "replace")
    return text if text.strip() else "(log is empty)"


def health_ok(url: str, timeout: float = 2.0) -> bool:
    """``GET url/health`` answers 200 with ``{"ok": true}``."""
    try:
        with _OPENER.open(f"{url}/health", timeout=timeout) as response:
            body = json.loads(response.read())
            return response.status == 200 and isinstance(body, dict) and body.get("ok") is True
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _wait_until_ready(
    process: subprocess.Popen[bytes],
    log_path: Path,
    port: int | None,
    listening: re.Pattern[bytes] = _LISTENING_RE,
) -> tuple[int | None, str]:
    """``(port, "")`` once ``GET /health`` answers, else ``(None, what went wrong)``.

    The port comes from the server's ``listening`` line (the Node server's
    ``NAVAI_BACKEND_LISTENING``), which is also awaited when ``port`` is given: otherwise
    another server already on that port could answer.
    """
    actual_port: int | None = None
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None, f"exited with code {process.returncode} before it was ready"
        if actual_port is None:
            match = listening.search(log_path.read_bytes())
            if match is None:
                time.sleep(0.05)
                continue
            actual_port = int(match.group(1))
            if port and actual_port != port:
                return None, f"listens on port {actual_port} instead of {port}"
        if health_ok(f"http://{HOST}:{actual_port}", timeout=2.0):
            return actual_port, ""
        time.sleep(0.1)
    return None, f"did not answer GET /health within {START_TIMEOUT_S:.0f} s"


class Backend:
    """One running NAVAI test backend process (``node --import ./openai-stub.mjs server.mjs``).

    Create it with `Backend.start`; stop it with `stop` or by leaving a ``with`` block.
    """

    def __init__(
        self,
        *,
        process: subprocess.Popen[bytes],
        port: int,
        openai_key: str,
        log_path: Path,
        owns_log: bool,
        elevenlabs: ElevenLabsStandIn | None = None,
    ) -> None:
        self.process: Final = process
        self.port: Final = port
        self.url: Final = f"http://{HOST}:{port}"
        self.pid: Final = process.pid
        self.openai_key: Final = openai_key
        """The key the OpenAI stand-in accepts (also the backend's own ``OPENAI_API_KEY``)."""
        self.log_path: Final = log_path
        """The file receiving the child's stdout and stderr."""
        self.elevenlabs: Final = elevenlabs
        """The ElevenLabs stand-in behind the ``/tts`` routes (stopped with the backend)."""
        self._owns_log = owns_log
        self._stopped = False

    @property
    def valid_byok_key(self) -> str:
        """A key that ``/byok/navai/realtime/client-secret`` accepts as ``apiKey`` (= `openai_key`)."""
        return self.openai_key

    @classmethod
    def start(
        cls,
        *,
        port: int | None = None,
        env_overrides: Mapping[str, str | None] | None = None,
        ttl: int = 600,
        log_path: str | os.PathLike[str] | None = None,
    ) -> Backend:
        """Install if needed, spawn the backend and wait (max 30 s) until ``GET /health`` answers.

        ``port=None`` lets the server pick a free port itself (``PORT=0``), which cannot race.
        ``env_overrides`` are applied last; a ``None`` value removes the variable.
        ``ttl`` becomes ``OPENAI_REALTIME_CLIENT_SECRET_TTL`` (the package accepts 10..7200).
        ``log_path`` keeps the child's output there; by default a temporary file is used
        and removed by `stop`.
        Raises `RuntimeError` with the log's tail when the process exits or times out.
        """
        reason = node_missing_reason()
        if reason is not None:
            raise RuntimeError(reason)
        ensure_installed()
        node = shutil.which("node")
        assert node is not None

        openai_key = fresh_openai_key()
        elevenlabs = ElevenLabsStandIn()
        env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_ENV_PREFIXES)}
        env.update(elevenlabs.env())
        env.update(
            {
                "PORT": str(0 if port is None else port),
                "OPENAI_API_KEY": openai_key,
                "NAVAI_STUB_OPENAI_KEY": openai_key,
                "OPENAI_REALTIME_CLIENT_SECRET_TTL": str(ttl),
                "NAVAI_FUNCTIONS_BASE_DIR": str(BACKEND_DIR),
                "NAVAI_BACKEND_PARENT_PID": str(os.getpid()),
            }
        )
        for key, value in (env_overrides or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value

        if log_path is None:
            fd, raw_path = tempfile.mkstemp(prefix="navai-backend-", suffix=".log")
            os.close(fd)
            path, owns_log = Path(raw_path), True
        else:
            path, owns_log = Path(log_path), False
        with open(path, "wb") as log:
            process = subprocess.Popen(
                [node, "--import", "./openai-stub.mjs", "server.mjs"],
                cwd=BACKEND_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        try:
            actual_port, problem = _wait_until_ready(process, path, port)
        except BaseException:  # e.g. Ctrl-C while waiting: do not leave the child behind
            terminate(process)
            elevenlabs.stop()
            raise
        if actual_port is not None:
            backend = cls(
                process=process,
                port=actual_port,
                openai_key=openai_key,
                log_path=path,
                owns_log=owns_log,
                elevenlabs=elevenlabs,
            )
            atexit.register(backend.stop)
            return backend

        terminate(process)
        elevenlabs.stop()
        tail = _tail(path)
        if owns_log:
            path.unlink(missing_ok=True)
        raise RuntimeError(f"NAVAI test backend (pid {process.pid}) {problem}. Log tail:\n{tail}")

    @property
    def running(self) -> bool:
        """Whether the process is still alive."""
        return self.process.poll() is None

    def url_for(self, path: str) -> str:
        """``url`` joined with an absolute ``path`` such as ``/navai/functions``."""
        return self.url + (path if path.startswith("/") else f"/{path}")

    def read_log(self) -> str:
        """Everything the process printed so far (empty once a temporary log was removed)."""
        try:
            return self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the process, wait up to 5 s, then SIGKILL. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        terminate(self.process)
        if self.elevenlabs is not None:
            self.elevenlabs.stop()
        if self._owns_log:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> Backend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited({self.process.returncode})"
        return f"<Backend {self.url} pid={self.pid} {state}>"


def terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM ``process`` unless it has ended; SIGKILL after `STOP_TIMEOUT_S`."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()


def serve_until_stopped(backend: Any, name: str, lines: list[str]) -> int:
    """Print ``backend``'s URL and ``lines``, then keep it up until Ctrl-C or SIGTERM (0) or
    until it exits by itself (1, with its log's tail); it is stopped either way."""

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        print(backend.url, flush=True)
        for line in lines:
            print(line, flush=True)
        while backend.running:
            time.sleep(0.5)
        print(f"{name} exited with code {backend.process.returncode}:\n{_tail(backend.log_path)}")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        backend.stop()
        print(f"{name} stopped", flush=True)


def _serve(port: int | None, ttl: int, print_key: bool) -> int:
    backend = Backend.start(port=port, ttl=ttl)
    lines = [f"pid={backend.pid} log={backend.log_path} (Ctrl-C or SIGTERM to stop)"]
    if print_key:
        lines.append(f"openai_key={backend.openai_key}")
    return serve_until_stopped(backend, "backend", lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``serve`` runs the backend until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the backend, print its URL, stop it on Ctrl-C/SIGTERM")
    serve.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    serve.add_argument("--ttl", type=int, default=600, help="client-secret TTL in seconds (10..7200)")
    serve.add_argument(
        "--print-key", action="store_true", help="also print the stand-in OpenAI key (for the byok route)"
    )
    args = parser.parse_args(argv)
    reason = node_missing_reason()
    if reason is not None:
        print(reason, file=sys.stderr)
        return 2
    try:
        return _serve(args.port, args.ttl, args.print_key)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
