"""The installed ``navai`` console script, driven as a subprocess against the real backend."""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import navai
from tests.support import backend_harness

pytestmark = pytest.mark.live

NAVAI = str(Path(sys.executable).with_name("navai"))
ROOT = Path(__file__).resolve().parents[2]


def navai_cli(*args: str, url: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NAVAI_API_URL"}
    prefix = ["--api-url", url] if url else []
    return subprocess.run([NAVAI, *prefix, *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def url(live_backend: backend_harness.Backend) -> str:
    return live_backend.url


def test_functions_table(url: str) -> None:
    run = navai_cli("functions", url=url)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert re.match(r"NAME\s+DESCRIPTION\s+SOURCE", lines[0])
    assert any(
        re.match(r"say_hello\s+Call exported function default\.\s+src/ai/functions-modules/greeting", x)
        for x in lines
    )
    assert len(lines) == 27
    assert run.stderr == ""


def test_functions_json(url: str) -> None:
    run = navai_cli("functions", "--json", url=url)
    assert run.returncode == 0
    data = json.loads(run.stdout)
    assert data["warnings"] == []
    assert {
        "name": "add",
        "description": "Call exported function add.",
        "source": "src/ai/functions-modules/basics.js#add",
    } in data["functions"]


def test_call_with_payload_and_args(url: str) -> None:
    run = navai_cli("call", "add", "--payload", '{"args": [2, 3.5]}', url=url)
    assert (run.returncode, run.stdout) == (0, "5.5\n")
    run = navai_cli("call", "say_hello", "--arg", "value=Ana", url=url)
    assert (run.returncode, run.stdout) == (0, '"Hello, Ana!"\n')
    run = navai_cli(
        "call", "echo", "--arg", "n=[1, 2]", "--arg", "text=hi there", "--arg", "flag=true", url=url
    )
    assert json.loads(run.stdout) == {"n": [1, 2], "text": "hi there", "flag": True}
    assert run.stdout.startswith("{\n  "), "pretty JSON by default"


def test_call_json_is_compact(url: str) -> None:
    run = navai_cli("call", "return_nested_object", "--json", url=url)
    assert run.returncode == 0
    assert "\n" not in run.stdout.strip()
    assert isinstance(json.loads(run.stdout), dict)


def test_secret_is_masked_unless_asked(url: str) -> None:
    run = navai_cli("secret", "--voice", "marin", "--language", "es", url=url)
    assert run.returncode == 0, run.stderr
    assert "secret:  ek_***\n" in run.stdout
    assert re.search(r"expires: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d .* \(in (59\d|600) s\)", run.stdout)
    assert not re.search(r"ek_[A-Za-z0-9]{6,}", run.stdout)
    shown = navai_cli("secret", "--show-secret", url=url)
    assert re.search(r"secret:  ek_[A-Za-z0-9]{20,}", shown.stdout)
    as_json = json.loads(navai_cli("secret", "--json", "--model", "gpt-realtime", url=url).stdout)
    assert as_json["value"] == "ek_***"
    assert isinstance(as_json["expires_at"], int)
    assert as_json["speech"] == {"provider": "openai"}


def test_version_and_help(url: str) -> None:
    assert navai_cli("--version").stdout == f"navai {navai.__version__}\n"
    for command in ([], ["functions"], ["call"], ["secret"]):
        run = navai_cli(*command, "--help")
        assert run.returncode == 0
        assert "usage: navai" in run.stdout
    assert "--payload" in navai_cli("call", "--help").stdout
    assert "--show-secret" in navai_cli("secret", "--help").stdout
    assert "--api-url" in navai_cli("--help").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["call", "echo", "--payload", "{not json"], "--payload is not valid JSON"),
        (["call", "echo", "--payload", "[1, 2]"], "--payload must be a JSON object"),
        (["call", "echo", "--payload", "{}", "--arg", "a=1"], "not allowed with argument"),
        (["call", "echo", "--arg", "novalue"], "--arg must look like KEY=VALUE"),
        (["--header", "no-colon", "functions"], "--header must look like KEY:VALUE"),
        (["--timeout", "0", "functions"], "--timeout must be a positive number"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2(url: str, args: list[str], message: str) -> None:
    run = navai_cli(*args, url=url)
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_unknown_function_exits_1(url: str) -> None:
    run = navai_cli("call", "no_such_function", url=url)
    assert run.returncode == 1
    assert run.stderr.startswith('navai: error: {"error":"Unknown or disallowed function."')
    assert "Traceback" not in run.stderr


def test_throwing_function_exits_1(url: str) -> None:
    run = navai_cli("call", "fail", url=url)
    assert run.returncode == 1
    assert run.stderr == 'navai: error: {"error":"boom: intentional failure"}\n'


def test_timeout_exits_1(url: str) -> None:
    run = navai_cli("--timeout", "0.5", "call", "slow_echo", "--payload", '{"ms": 3000}', url=url)
    assert run.returncode == 1
    assert run.stderr.startswith("navai: error: Timed out: POST ")


def test_unreachable_url_names_the_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    run = navai_cli("call", "echo", url=dead)
    assert run.returncode == 1
    assert f"POST {dead}/navai/functions/execute" in run.stderr
    listing = navai_cli("functions", url=dead)
    assert listing.returncode == 1
    assert f"GET {dead}/navai/functions" in listing.stderr


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(dict(self.headers.items()))
            body = b'{"items": [{"name": "x"}], "warnings": []}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_headers_and_custom_paths_are_used(recording_server: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = recording_server
    run = navai_cli(
        "--header",
        "X-WP-Nonce: abc",
        "--header",
        "X-App:demo",
        "--functions-path",
        "wp/functions",
        "functions",
        url=url,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1].startswith("x ")
    assert seen[0]["X-WP-Nonce"] == "abc"
    assert seen[0]["X-App"] == "demo"


def test_api_url_defaults_to_the_environment(url: str) -> None:
    env = {**os.environ, "NAVAI_API_URL": url}
    run = subprocess.run(
        [NAVAI, "call", "return_integer"], capture_output=True, text=True, env=env, timeout=60
    )
    assert (run.returncode, run.stdout) == (0, "42\n")


def test_python_dash_m(url: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "navai", "--api-url", url, "call", "return_true"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode, run.stdout) == (0, "true\n")


def _run_demo(script: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", f"scripts.{script}"], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "say_hello" in run.stdout
    assert '"Hello, Ana!"' in run.stdout
    assert "\n5\n" in run.stdout
    assert "secret:  ek_***" in run.stdout
    pid = int(re.search(r"backend pid (\d+) stopped", run.stdout).group(1))  # type: ignore[union-attr]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_demo_runs_and_stops_its_backend() -> None:
    """``make demo``: navai serve, Python only (tests/server/test_parity_backend.py runs it without
    node on PATH)."""
    _run_demo("demo")


def test_demo_node_runs_and_stops_its_backend(live_backend: backend_harness.Backend) -> None:
    """``make demo-node``: the same steps on the Node backend."""
    _run_demo("demo_node")


def _serve_once(status: int, body: bytes) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        # A backend with no functions whose own warning reads like navai's: a listing, not a failure.
        (200, b'{"items": [], "warnings": ["[navai] Failed to load module x"]}', 0),
        (500, b'{"error": "runtime failed"}', 1),
        (200, b"<html>", 1),
    ],
)
def test_functions_exit_code_follows_the_failed_flag_not_the_warning_text(
    status: int, body: bytes, code: int
) -> None:
    server, url = _serve_once(status, body)
    try:
        run = navai_cli("functions", url=url)
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == code, run.stderr
    assert "warning: [navai] Failed to" in run.stderr


@pytest.mark.parametrize(
    ("seconds", "connect", "read"),
    [(None, 5.0, 30.0), (30.0, 5.0, 30.0), (120.0, 5.0, 120.0), (2.0, 2.0, 2.0)],
)
def test_timeout_bounds_reads_and_keeps_connecting_short(
    seconds: float | None, connect: float, read: float
) -> None:
    from navai._cli import _timeout

    timeout = _timeout(seconds)
    assert (timeout.connect, timeout.read, timeout.write) == (connect, read, read)


def test_speak_writes_the_audio_the_backend_synthesized(url: str, tmp_path: Path) -> None:
    from tests.support.elevenlabs_standin import VOICE_ID, fake_audio

    out = tmp_path / "hola.pcm"
    run = navai_cli(
        "--speech-path", "/tts/navai/speech/synthesize", "speak", "Hola", "--out", str(out),
        "--output-format", "pcm_24000", url=url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == fake_audio(VOICE_ID, "Hola")
    assert run.stderr == f"wrote {len(fake_audio(VOICE_ID, 'Hola'))} bytes of audio/pcm to {out}\n"
    assert run.stdout == ""


def test_speak_to_stdout_and_its_errors(url: str, tmp_path: Path) -> None:
    from tests.support.elevenlabs_standin import fake_audio

    tts = ["--api-url", url, "--speech-path", "/tts/navai/speech/synthesize"]
    piped = subprocess.run(
        [NAVAI, *tts, "speak", "Hi", "--out", "-", "--voice-id", "v9"], capture_output=True, timeout=60
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == fake_audio("v9", "Hi")

    not_configured = navai_cli("speak", "Hola", "--out", str(tmp_path / "x.mp3"), url=url)
    assert not_configured.returncode == 1
    assert not_configured.stderr.startswith('navai: error: {"error":"Speech synthesis is only available')
    assert not (tmp_path / "x.mp3").exists()

    unwritable = navai_cli(
        "--speech-path", "/tts/navai/speech/synthesize", "speak", "Hola", "--out", str(tmp_path / "no" / "x"),
        url=url,
    )  # fmt: skip
    assert unwritable.returncode == 1
    assert unwritable.stderr.startswith(f"navai: error: cannot write {tmp_path / 'no' / 'x'}:")
