"""Start and stop ``navai serve`` (the Python twin of ``tests/backend``) on loopback.

`PyBackend` mirrors `backend_harness.Backend` (``start``, ``url``, ``url_for``, ``pid``,
``openai_key``, ``valid_byok_key``, ``read_log``, ``stop``, ``with``), so scenario code
can take either. It runs ``python -m navai serve`` with the Python twins of the test
functions (``tests/server/backend_py``) and points ``OPENAI_BASE_URL`` at an
`OpenAIStandIn`: a stand-in for OpenAI's client-secret endpoint on ``127.0.0.1`` that
answers as ``tests/backend/openai-stub.mjs`` does and records every request it gets.

The Node backend mounts "bring your own key" routes under ``/byok``; ``navai serve``
has one configuration per process, so ``PyBackend.start(byok=True)`` also starts a
second ``navai serve`` without a server key, and `PyBackend.url_for` sends ``/byok/...``
paths there (`PyBackend.endpoint` splits such a path into base URL and route path).

`start_node_backend` starts the Node backend with its client-secret calls sent to an
`OpenAIStandIn` too (a ``NODE_OPTIONS=--import`` module redirects that one URL), so a
test can compare the upstream requests both backends send.

Processes are stopped by their pid (SIGTERM, then SIGKILL after 5 s); on Linux a
``navai serve`` started from the main thread also gets SIGTERM when the process that
started it dies.

Standard library only (used by ``scripts/demo.py``); from the repository root (as ``make`` runs)::

    from tests.support.py_backend_harness import PyBackend

    with PyBackend.start() as backend:
        ...  # backend.url; backend.upstream.requests

or from a shell: ``python -m tests.support.py_backend_harness serve [--port N]``.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import http.server
import json
import os
import re
import secrets
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from tests.support.backend_harness import (
    SCRUBBED_ENV_PREFIXES,
    _tail,
    _wait_until_ready,
    free_port,
    fresh_openai_key,
    serve_until_stopped,
    terminate,
)
from tests.support.elevenlabs_standin import VOICE_ID, ElevenLabsStandIn

__all__ = [
    "BYOK_PREFIX",
    "PY_BACKEND_DIR",
    "OpenAIStandIn",
    "PyBackend",
    "SessionBackends",
    "UpstreamRequest",
    "die_with_parent",
    "free_port",
    "session_backends",
    "start_node_backend",
]

TESTS_DIR: Final[Path] = Path(__file__).resolve().parents[1]
PY_BACKEND_DIR: Final[Path] = TESTS_DIR / "server" / "backend_py"
"""The Python twins of ``tests/backend/src/ai/functions-modules/*.js``."""

HOST: Final = "127.0.0.1"
STOP_TIMEOUT_S: Final = 5.0
BYOK_PREFIX: Final = "/byok"
TTS_PREFIX: Final = "/tts"
"""The Node backend's routes with ElevenLabs as the speech provider; ``tts=True`` here."""
"""``tests/backend/server.mjs`` mounts its bring-your-own-key routes under this prefix."""
CLIENT_SECRETS_PATH: Final = "/v1/realtime/client_secrets"
OPENAI_CLIENT_SECRETS_URL: Final = "https://api.openai.com/v1/realtime/client_secrets"
REVEAL_PREFIX: Final = "sk-reveal-"
"""A rejected key starting with this is echoed unmasked in the stand-in's 401 body."""

_LISTENING_RE: Final = re.compile(rb"Uvicorn running on http://127\.0\.0\.1:(\d+)")
_KEY_ALPHABET: Final = string.ascii_letters + string.digits
_OPENER: Final = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class UpstreamRequest:
    """One request the stand-in received (header names lower-case)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def mask_key(key: str) -> str:
    """OpenAI's (and ``openai-stub.mjs``'s) masking: 3 characters, asterisks, the last 4."""
    if len(key) < 8:
        return "*" * max(len(key), 1)
    return f"{key[:3]}{'*' * (len(key) - 7)}{key[-4:]}"


def _openai_json(status: int, body: Any) -> tuple[int, bytes]:
    # OpenAI pretty-prints with a 4-space indent and a trailing newline, as the Node stub does.
    return status, (json.dumps(body, indent=4, ensure_ascii=False) + "\n").encode("utf-8")


def _openai_error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> tuple[int, bytes]:
    return _openai_json(
        status, {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    )


_NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using "
    "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) "
    "if you're accessing the API from your browser and are prompted for a username and password. You "
    "can obtain an API key from https://platform.openai.com/account/api-keys."
)


class OpenAIStandIn:
    """OpenAI's ``POST /v1/realtime/client_secrets`` on ``127.0.0.1``, in a daemon thread.

    Answers as ``tests/backend/openai-stub.mjs`` does (same keys check, messages, pretty
    JSON and ``ek_`` + 32 alphanumerics), except that a rejected key starting with
    `REVEAL_PREFIX` is echoed unmasked (an upstream that leaks the key it was sent).
    Every request is kept in `requests`; `mark` and `since` pick out one call's.
    """

    def __init__(self, accepted_keys: set[str] | None = None) -> None:
        self.accepted_keys: set[str] = set(accepted_keys or ())
        self.requests: list[UpstreamRequest] = []
        self._lock = threading.Lock()
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _body(self) -> bytes:
                if "chunked" in self.headers.get("transfer-encoding", "").lower():
                    parts = []
                    while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                        parts.append(self.rfile.read(size))
                        self.rfile.readline()
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                length = int(self.headers.get("content-length") or 0)
                return self.rfile.read(length) if length else b""

            def _handle(self) -> None:
                body = self._body()
                request = UpstreamRequest(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with stand_in._lock:
                    stand_in.requests.append(request)
                status, payload = stand_in.answer(request)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self.port: Final = int(self._server.server_address[1])
        self.url: Final = f"http://{HOST}:{self.port}"
        self.base_url: Final = f"{self.url}/v1"
        """What ``OPENAI_BASE_URL`` is set to for ``navai serve``."""
        self.client_secrets_url: Final = self.url + CLIENT_SECRETS_PATH
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="openai-stand-in", daemon=True
        )
        self._thread.start()

    def answer(self, request: UpstreamRequest) -> tuple[int, bytes]:
        """The status and body for ``request`` (what ``openai-stub.mjs`` would answer)."""
        if request.method != "POST" or request.path != CLIENT_SECRETS_PATH:
            return _openai_error(404, f"Invalid URL ({request.method} {request.path})")
        match = re.match(r"^Bearer\s+(.+)$", request.headers.get("authorization", "").strip(), re.IGNORECASE)
        if match is None:
            return _openai_error(401, _NO_KEY)
        key = match.group(1).strip()
        if key not in self.accepted_keys:
            shown = key if key.startswith(REVEAL_PREFIX) else mask_key(key)
            return _openai_error(
                401,
                f"Incorrect API key provided: {shown}. "
                "You can find your API key at https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
        try:
            body = json.loads(request.body)
        except ValueError:
            return _openai_error(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict):
            return _openai_error(400, "Invalid body: expected an object.")
        seconds = (body.get("expires_after") or {}).get("seconds", 600)
        seconds = 600 if seconds is None else seconds
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not 10 <= seconds <= 7200:
            return _openai_error(
                400,
                "Invalid 'expires_after.seconds': must be an integer between 10 and 7200.",
                "expires_after.seconds",
                "invalid_value",
            )
        raw_session = body.get("session")
        session: dict[str, Any] = raw_session if isinstance(raw_session, dict) else {}
        return _openai_json(
            200,
            {
                "value": "ek_" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(32)),
                "expires_at": int(time.time()) + seconds,
                "session": {
                    "type": "realtime",
                    **session,
                    "object": "realtime.session",
                    "id": f"sess_{secrets.token_hex(12)}",
                },
            },
        )

    def mark(self) -> int:
        """A position in `requests`, for `since`."""
        with self._lock:
            return len(self.requests)

    def since(self, mark: int) -> list[UpstreamRequest]:
        """The requests received after `mark` was taken."""
        with self._lock:
            return self.requests[mark:]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OpenAIStandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- navai serve ------------------------------------------------------------------------


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks Linux to SIGTERM the child when its parent dies.

    Only from the main thread: Linux sends the signal when the *thread* that forked the
    child ends, so a child started from a worker thread would die with that thread.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


class PyBackend:
    """One running ``navai serve`` (plus, with ``byok=True``, its keyless companion).

    Create it with `PyBackend.start`; stop it with `stop` or by leaving a ``with`` block.
    """

    def __init__(
        self,
        *,
        process: subprocess.Popen[bytes],
        port: int,
        openai_key: str,
        log_path: Path,
        owns_log: bool,
        upstream: OpenAIStandIn,
        owns_upstream: bool,
        byok: PyBackend | None = None,
        tts: PyBackend | None = None,
        elevenlabs: ElevenLabsStandIn | None = None,
    ) -> None:
        self.process: Final = process
        self.port: Final = port
        self.url: Final = f"http://{HOST}:{port}"
        self.pid: Final = process.pid
        self.openai_key: Final = openai_key
        """The key the stand-in accepts (also this backend's own ``OPENAI_API_KEY``)."""
        self.log_path: Final = log_path
        self.upstream: Final = upstream
        """The `OpenAIStandIn` this backend mints client secrets from."""
        self.byok: Final = byok
        """The ``navai serve`` without a server key that ``/byok/...`` paths go to (or ``None``)."""
        self.tts: Final = tts
        """The ``navai serve`` speaking through ElevenLabs that ``/tts/...`` paths go to (or ``None``)."""
        self.elevenlabs: Final = elevenlabs
        """The ElevenLabs stand-in `tts` speaks through (stopped with this backend)."""
        self._owns_log = owns_log
        self._owns_upstream = owns_upstream
        self._stopped = False

    @property
    def valid_byok_key(self) -> str:
        """A key the BYOK route accepts as ``apiKey`` (= `openai_key`)."""
        return self.openai_key

    @property
    def pids(self) -> list[int]:
        """This backend's process id and its companion's."""
        return [self.pid, *[companion.pid for companion in (self.byok, self.tts) if companion]]

    @classmethod
    def start(
        cls,
        *,
        port: int | None = None,
        env_overrides: Mapping[str, str | None] | None = None,
        ttl: int = 600,
        log_path: str | os.PathLike[str] | None = None,
        upstream: OpenAIStandIn | None = None,
        openai_key: str | None = None,
        byok: bool = False,
        tts: bool = False,
        functions_base_dir: str | os.PathLike[str] = PY_BACKEND_DIR,
        serve_args: Sequence[str] = (),
    ) -> PyBackend:
        """Spawn ``python -m navai serve`` and wait (max 30 s) until ``GET /health`` answers.

        As `backend_harness.Backend.start`: ``port=None`` lets the server pick a free
        port (``--port 0``); ``env_overrides`` are applied last, a ``None`` value removes
        the variable; ``ttl`` becomes ``OPENAI_REALTIME_CLIENT_SECRET_TTL``; the output goes
        to ``log_path`` or a temporary file removed by `stop`. The environment is the
        caller's without its ``OPENAI_*``/``NAVAI_*``/``ELEVENLABS_*`` variables, plus
        ``OPENAI_API_KEY`` (``openai_key``, default a fresh ``sk-test-...``),
        ``OPENAI_BASE_URL`` (``upstream``, default a new `OpenAIStandIn` accepting that key
        and stopped by `stop`) and ``NAVAI_FUNCTIONS_BASE_DIR`` (``functions_base_dir``).
        ``byok=True`` also starts the companion for ``/byok/...`` paths (no server key);
        ``tts=True`` one for ``/tts/...`` paths (speech through an `ElevenLabsStandIn`, as the
        Node backend's ``/tts`` routes). ``serve_args`` are added to each ``navai serve``
        command line (e.g. ``--cors-origin``).
        Raises `RuntimeError` with the log's tail when a process exits or times out.
        """
        key = openai_key or fresh_openai_key()
        owns_upstream = upstream is None
        stand_in = upstream if upstream is not None else OpenAIStandIn()
        stand_in.accepted_keys.add(key)
        env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_ENV_PREFIXES)}
        no_proxy = ",".join(filter(None, [env.get("NO_PROXY", ""), HOST, "localhost"]))
        env.update(
            {
                "OPENAI_API_KEY": key,
                "OPENAI_BASE_URL": stand_in.base_url,
                "OPENAI_REALTIME_CLIENT_SECRET_TTL": str(ttl),
                "NAVAI_FUNCTIONS_BASE_DIR": str(functions_base_dir),
                "NO_PROXY": no_proxy,
                "no_proxy": no_proxy,
                "PYTHONUNBUFFERED": "1",
            }
        )
        for name, value in (env_overrides or {}).items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        companion: PyBackend | None = None
        speaker: PyBackend | None = None
        elevenlabs = ElevenLabsStandIn() if tts else None
        try:
            if byok:
                companion = cls._spawn(
                    env={**{k: v for k, v in env.items() if k != "OPENAI_API_KEY"}},
                    port=None,
                    key=key,
                    log_path=None,
                    upstream=stand_in,
                    serve_args=serve_args,
                )
            if elevenlabs is not None:
                speech_env = {
                    "NAVAI_TTS_PROVIDER": "elevenlabs",
                    "ELEVENLABS_API_KEY": elevenlabs.api_key,
                    "ELEVENLABS_VOICE_ID": VOICE_ID,
                    "ELEVENLABS_BASE_URL": elevenlabs.base_url,
                }
                speaker = cls._spawn(
                    env=env | speech_env,
                    port=None,
                    key=key,
                    log_path=None,
                    upstream=stand_in,
                    serve_args=serve_args,
                )
            return cls._spawn(
                env=env,
                port=port,
                key=key,
                log_path=log_path,
                upstream=stand_in,
                owns_upstream=owns_upstream,
                byok=companion,
                tts=speaker,
                elevenlabs=elevenlabs,
                serve_args=serve_args,
            )
        except BaseException:
            for started in (companion, speaker):
                if started is not None:
                    started.stop()
            if elevenlabs is not None:
                elevenlabs.stop()
            if owns_upstream:
                stand_in.stop()
            raise

    @classmethod
    def _spawn(
        cls,
        *,
        env: dict[str, str],
        port: int | None,
        key: str,
        log_path: str | os.PathLike[str] | None,
        upstream: OpenAIStandIn,
        owns_upstream: bool = False,
        byok: PyBackend | None = None,
        tts: PyBackend | None = None,
        elevenlabs: ElevenLabsStandIn | None = None,
        serve_args: Sequence[str] = (),
    ) -> PyBackend:
        if log_path is None:
            fd, raw = tempfile.mkstemp(prefix="navai-serve-", suffix=".log")
            os.close(fd)
            path, owns_log = Path(raw), True
        else:
            path, owns_log = Path(log_path), False
        command = [sys.executable, "-m", "navai", "serve", "--host", HOST, "--port", str(port or 0)]
        with open(path, "wb") as log:
            process = subprocess.Popen(
                [*command, "--log-level", "info", *serve_args],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(),
            )
        try:
            actual, problem = _wait_until_ready(process, path, port, _LISTENING_RE)
        except BaseException:
            terminate(process)
            raise
        if actual is not None:
            backend = cls(
                process=process,
                port=actual,
                openai_key=key,
                log_path=path,
                owns_log=owns_log,
                upstream=upstream,
                owns_upstream=owns_upstream,
                byok=byok,
                tts=tts,
                elevenlabs=elevenlabs,
            )
            atexit.register(backend.stop)
            return backend
        terminate(process)
        tail = _tail(path)
        if owns_log:
            path.unlink(missing_ok=True)
        raise RuntimeError(f"navai serve (pid {process.pid}) {problem}. Log tail:\n{tail}")

    @property
    def running(self) -> bool:
        """Whether the process (and its companion) is still alive."""
        companions = (self.byok, self.tts)
        return self.process.poll() is None and all(c is None or c.running for c in companions)

    def endpoint(self, path: str) -> tuple[str, str]:
        """``(base URL, route path)`` serving ``path``; ``/byok/...`` and ``/tts/...`` go to companions."""
        path = path if path.startswith("/") else f"/{path}"
        for prefix, companion, flag in ((BYOK_PREFIX, self.byok, "byok"), (TTS_PREFIX, self.tts, "tts")):
            if path.startswith(prefix + "/"):
                if companion is None:
                    raise RuntimeError(f"this PyBackend was started without {flag}=True")
                return companion.url, path[len(prefix) :]
        return self.url, path

    def url_for(self, path: str) -> str:
        """The URL serving ``path`` (an absolute route path such as ``/navai/functions``)."""
        base, route = self.endpoint(path)
        return base + route

    def read_log(self) -> str:
        """Everything the process printed so far (empty once a temporary log was removed)."""
        try:
            return self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the process(es), wait up to 5 s, then SIGKILL. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        terminate(self.process)
        if self._owns_log:
            self.log_path.unlink(missing_ok=True)
        for companion in (self.byok, self.tts):
            if companion is not None:
                companion.stop()
        if self.elevenlabs is not None:
            self.elevenlabs.stop()
        if self._owns_upstream:
            self.upstream.stop()

    def __enter__(self) -> PyBackend:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.process.poll() is None else f"exited({self.process.returncode})"
        return f"<PyBackend {self.url} pid={self.pid} {state}>"


# -- the Node backend, with its client-secret calls sent to a stand-in --------------------

# Loaded with NODE_OPTIONS=--import before tests/backend/openai-stub.mjs: fetch() of
# OpenAI's client-secret URL goes to NAVAI_PARITY_OPENAI_URL instead; every other URL is
# fetched as before. The stub's later assignment to globalThis.fetch is ignored, so this
# redirect, not the stub, answers those calls.
_NODE_REDIRECT = """
const target = process.env.NAVAI_PARITY_OPENAI_URL;
const original = "__OPENAI_CLIENT_SECRETS_URL__";
const base = globalThis.fetch;
function urlOf(input) {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  return input && typeof input.url === "string" ? input.url : String(input);
}
function redirecting(input, init) {
  return base(target && urlOf(input) === original ? target : input, init);
}
Object.defineProperty(globalThis, "fetch", {
  configurable: true,
  enumerable: true,
  get: () => redirecting,
  set: () => {},
});
""".replace("__OPENAI_CLIENT_SECRETS_URL__", OPENAI_CLIENT_SECRETS_URL)


def node_redirect_env(upstream: OpenAIStandIn) -> dict[str, str]:
    """The variables that send the Node backend's client-secret calls to ``upstream``."""
    module = "data:text/javascript;base64," + base64.b64encode(_NODE_REDIRECT.encode()).decode()
    return {"NODE_OPTIONS": f"--import={module}", "NAVAI_PARITY_OPENAI_URL": upstream.client_secrets_url}


def start_node_backend(
    upstream: OpenAIStandIn,
    openai_key: str,
    env_overrides: Mapping[str, str | None] | None = None,
    ttl: int = 600,
) -> Any:
    """`backend_harness.Backend.start` with OpenAI replaced by ``upstream``, and ``openai_key``.

    The Node backend's ``openai_key`` attribute is then not the key it uses: ``openai_key`` is.
    """
    from tests.support.backend_harness import Backend

    upstream.accepted_keys.add(openai_key)
    overrides: dict[str, str | None] = {
        **node_redirect_env(upstream),
        "OPENAI_API_KEY": openai_key,
        "NAVAI_STUB_OPENAI_KEY": openai_key,
        **(env_overrides or {}),
    }
    return Backend.start(env_overrides=overrides, ttl=ttl)


# -- one set of backends per test session ---------------------------------------------

PARITY_ENV: Final[Mapping[str, str]] = {"OPENAI_REALTIME_LANGUAGE": "Spanish"}
"""Set on every backend of a session: the client-secret defaults then also come from the environment."""


@dataclass
class SessionBackends:
    """What `session_backends` shares: one stand-in, ``navai serve`` (with BYOK) and the Node backend."""

    upstream: OpenAIStandIn
    py: PyBackend
    node: Any | None = None
    """A `backend_harness.Backend` (its ``openai_key`` attribute is not the key it uses: `key` is)."""

    @property
    def key(self) -> str:
        """The server key of every backend here, which the stand-in accepts."""
        return self.py.openai_key


_SESSIONS: dict[int, SessionBackends] = {}


def session_backends(config: Any, *, node: bool) -> SessionBackends:
    """The backends of this pytest session (``config``), started on first use.

    Every test module that asks gets the same processes; they are stopped by pid when
    the session ends (``config.add_cleanup``). ``node=True`` also starts the Node backend
    (the caller checks ``backend_harness.node_missing_reason()`` first).
    """
    shared = _SESSIONS.get(id(config))
    if shared is None:
        upstream = OpenAIStandIn()
        try:
            py = PyBackend.start(upstream=upstream, byok=True, tts=True, env_overrides=PARITY_ENV)
        except BaseException:
            upstream.stop()
            raise
        shared = _SESSIONS[id(config)] = SessionBackends(upstream, py)

        def stop() -> None:
            _SESSIONS.pop(id(config), None)
            if shared.node is not None:
                shared.node.stop()
            shared.py.stop()
            shared.upstream.stop()

        config.add_cleanup(stop)
    if node and shared.node is None:
        shared.node = start_node_backend(shared.upstream, shared.key, env_overrides=PARITY_ENV)
    return shared


# -- command line -----------------------------------------------------------------------


def _serve(port: int | None) -> int:
    backend = PyBackend.start(port=port, byok=True, tts=True)
    details = f"pid={backend.pid} log={backend.log_path} upstream={backend.upstream.base_url}"
    return serve_until_stopped(backend, "navai serve", [details])


def main(argv: list[str] | None = None) -> int:
    """Command line: ``serve`` runs ``navai serve`` (and its stand-in) until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start navai serve, print its URL, stop it on Ctrl-C/SIGTERM")
    serve.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args(argv)
    try:
        return _serve(args.port)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
