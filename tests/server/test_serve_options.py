"""``navai serve``'s configuration and deployment switches, each on a real process and socket.

``.env`` and ``--env-file``, ``PORT``, ``--cors-origin``, ``--workers``, ``--reload``,
``--proxy-headers``/``--forwarded-allow-ips``, ``--access-log``, ``--help``'s list of
variables, and the app factory under gunicorn and ``uvicorn --factory``.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from tests.support.backend_harness import free_port

from .serve_process import serve_env, start_serve, stop

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = """\
import os


def whoami():
    return {"pid": os.getpid(), "mark": os.environ.get("NAVAI_TEST_MARK")}


def peer(value, request):
    return {"client": request.client.host, "scheme": request.url.scheme}
"""


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "src" / "ai" / "functions-modules"
    folder.mkdir(parents=True)
    (folder / "tools.py").write_text(FUNCTIONS)
    return tmp_path


def _execute(port: int, name: str, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.post(
        f"http://127.0.0.1:{port}/navai/functions/execute",
        json={"function_name": name, "payload": {"value": 1} if name == "peer" else {}},
        headers={"Connection": "close", **(headers or {})},
        timeout=10,
    )


def test_dotenv_in_the_working_directory_is_read_and_the_environment_wins(app_dir: Path) -> None:
    (app_dir / ".env").write_text(
        "NAVAI_TEST_MARK=from-dotenv\nNAVAI_CORS_ORIGIN=https://app.example.com\nOPENAI_API_KEY=sk-dotenv\n"
    )
    port = free_port()
    process = start_serve(port, app_dir, cwd=app_dir)
    try:
        assert _execute(port, "whoami").json()["result"]["mark"] == "from-dotenv"
        listed = httpx2.get(
            f"http://127.0.0.1:{port}/navai/functions", headers={"Origin": "https://app.example.com"}
        )
        assert listed.headers["access-control-allow-origin"] == "https://app.example.com"
    finally:
        stop(process)
    process = start_serve(port, app_dir, cwd=app_dir, env={"NAVAI_TEST_MARK": "from-environment"})
    try:
        assert _execute(port, "whoami").json()["result"]["mark"] == "from-environment"
    finally:
        stop(process)


def test_env_file_names_another_file_and_a_missing_one_is_an_error(app_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "staging.env"
    other.write_text("NAVAI_TEST_MARK=from-staging\n")
    (app_dir / ".env").write_text("NAVAI_TEST_MARK=from-dotenv\n")
    port = free_port()
    process = start_serve(port, app_dir, ["--env-file", str(other)], cwd=app_dir)
    try:
        assert _execute(port, "whoami").json()["result"]["mark"] == "from-staging"
    finally:
        stop(process)
    missing = subprocess.run(
        [sys.executable, "-m", "navai", "serve", "--env-file", str(tmp_path / "nope.env")],
        env=serve_env(app_dir),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"navai: error: env file not found: {tmp_path / 'nope.env'}"


def test_port_comes_from_the_environment_when_no_flag_names_it(app_dir: Path) -> None:
    port = free_port()
    process = start_serve(port, app_dir, env={"PORT": str(port)}, port_flag=False)
    stop(process)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_listed_origins_on_a_real_socket(app_dir: Path, how: str) -> None:
    port = free_port()
    args = ["--cors-origin", "https://a.example", "--cors-origin", "https://b.example,https://c.example"]
    env = {"NAVAI_CORS_ORIGIN": "https://a.example,https://b.example,https://c.example"}
    process = start_serve(port, app_dir, args if how == "flag" else (), env=env if how == "env" else None)
    try:
        for origin in ("https://a.example", "https://b.example", "https://c.example", "http://localhost:1"):
            response = httpx2.get(f"http://127.0.0.1:{port}/navai/functions", headers={"Origin": origin})
            assert response.headers["access-control-allow-origin"] == origin
        refused = httpx2.get(
            f"http://127.0.0.1:{port}/navai/functions", headers={"Origin": "https://d.example"}
        )
        assert refused.status_code == 403
        assert "https://d.example" in refused.json()["error"]
    finally:
        _, output = stop(process)
    assert "navai serve: CORS: localhost and 127.0.0.1 origins allowed, https://a.example" in output


def test_no_cors_leaves_every_origin_to_a_proxy_in_front(app_dir: Path) -> None:
    port = free_port()
    process = start_serve(port, app_dir, ["--no-cors"])
    try:
        response = httpx2.get(
            f"http://127.0.0.1:{port}/navai/functions", headers={"Origin": "https://d.example"}
        )
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
    finally:
        stop(process)


def test_workers_share_the_port_and_answer_the_same(app_dir: Path) -> None:
    port = free_port()
    process = start_serve(port, app_dir, ["--workers", "2"])
    try:
        pids = set()
        deadline = time.monotonic() + 20
        while len(pids) < 2 and time.monotonic() < deadline:
            pids.add(_execute(port, "whoami").json()["result"]["pid"])
        assert len(pids) == 2, "every call went to one worker"
        assert process.pid not in pids
        listings = {httpx2.get(f"http://127.0.0.1:{port}/navai/functions").text for _ in range(20)}
        assert len(listings) == 1
    finally:
        code, output = stop(process)
    assert code == 0, output
    assert "(2 workers)" in output


def test_reload_restarts_when_a_function_file_changes(app_dir: Path) -> None:
    port = free_port()
    process = start_serve(port, app_dir, ["--reload"])
    try:
        assert _execute(port, "whoami").json()["result"]["mark"] is None
        tools = app_dir / "src" / "ai" / "functions-modules" / "tools.py"
        tools.write_text(FUNCTIONS.replace('os.environ.get("NAVAI_TEST_MARK")', '"reloaded"'))
        deadline = time.monotonic() + 20
        mark = None
        while mark != "reloaded" and time.monotonic() < deadline:
            time.sleep(0.2)
            with contextlib.suppress(httpx2.TransportError):  # the worker is restarting
                mark = _execute(port, "whoami").json()["result"]["mark"]
        assert mark == "reloaded"
    finally:
        stop(process)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), {"client": "203.0.113.9", "scheme": "https"}),
        (("--no-proxy-headers",), {"client": "127.0.0.1", "scheme": "http"}),
        (("--forwarded-allow-ips", "10.0.0.1"), {"client": "127.0.0.1", "scheme": "http"}),
        (("--forwarded-allow-ips", "127.0.0.0/8"), {"client": "203.0.113.9", "scheme": "https"}),
    ],
)
def test_proxy_headers_are_trusted_only_from_the_allowed_proxies(
    app_dir: Path, args: tuple[str, ...], expected: dict[str, str]
) -> None:
    port = free_port()
    process = start_serve(port, app_dir, args)
    try:
        forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        assert _execute(port, "peer", forwarded).json()["result"] == expected
    finally:
        stop(process)


@pytest.mark.parametrize("access_log", [True, False])
def test_the_access_log_is_a_switch(app_dir: Path, access_log: bool) -> None:
    port = free_port()
    process = start_serve(port, app_dir, ["--access-log"] if access_log else [], log_level="info")
    try:
        _execute(port, "whoami")
    finally:
        _, output = stop(process)
    logged = re.search(r'"POST /navai/functions/execute HTTP/1\.1" 200', output) is not None
    assert logged is access_log, output


def test_help_lists_every_variable_the_server_reads() -> None:
    sources = "".join(p.read_text() for p in (ROOT / "navai" / "server").glob("*.py"))
    read = set(re.findall(r'"((?:OPENAI|NAVAI|ELEVENLABS)_[A-Z_]+)"', sources)) - {"NAVAI_ENV_FILE"}
    assert len(read) > 20
    shown = subprocess.run(
        [sys.executable, "-m", "navai", "serve", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert {name for name in read if name not in shown} == set()
    for name in ("PORT", "FORWARDED_ALLOW_IPS", ".env", "--env-file"):
        assert name in shown


@pytest.mark.parametrize("runner", ["gunicorn", "uvicorn"])
def test_the_app_factory_runs_under_gunicorn_and_uvicorn(app_dir: Path, runner: str) -> None:
    port = free_port()
    (app_dir / ".env").write_text("NAVAI_TEST_MARK=factory\n")
    bin_dir = Path(sys.executable).parent
    gunicorn = [str(bin_dir / "gunicorn"), "-k", "uvicorn.workers.UvicornWorker", "-w", "2"]
    uvicorn = [str(bin_dir / "uvicorn"), "--factory", "--host", "127.0.0.1", "--port", str(port)]
    command = (
        [*gunicorn, "-b", f"127.0.0.1:{port}", "navai.server:app_from_environment()"]
        if runner == "gunicorn"
        else [*uvicorn, "navai.server:app_from_environment"]
    )
    process = subprocess.Popen(
        command, cwd=app_dir, env=serve_env(app_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                result = _execute(port, "whoami").json()["result"]
                break
            except httpx2.TransportError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert result["mark"] == "factory"
        refused = httpx2.get(
            f"http://127.0.0.1:{port}/navai/functions", headers={"Origin": "https://d.example"}
        )
        assert refused.status_code == 403
    finally:
        _, output = stop(process)
    assert "sk-test-serve" not in output
