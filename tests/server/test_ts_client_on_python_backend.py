"""The reference TypeScript client passes its suite against ``navai serve``, as against Node.

``tests/server/ts_client_suite.mjs`` drives ``createNavaiBackendClient`` from
``@navai/voice-frontend`` 0.1.7 (installed in ``bench/`` the way ``make bench`` installs
it) through client secrets (server key and BYOK), the function list and execute calls of
every kind, and its error paths. It runs once against the Node backend (``tests/backend``)
and once against ``navai serve`` (``py_backend_harness``; both minting from one stand-in);
the two outcomes must be equal step by step, minted secrets compared by shape and sources
by their ``#export`` part, except where Python must differ (a function returning ``None``:
the client gets ``undefined`` where JS ``null`` gives ``null``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import recording, ts_packages
from tests.support.py_backend_harness import BYOK_PREFIX, SessionBackends, session_backends

pytestmark = pytest.mark.live

SUITE = Path(__file__).resolve().parent / "ts_client_suite.mjs"
BYOK_SECRET = BYOK_PREFIX + "/navai/realtime/client-secret"
TTL = 600
UNDEFINED = {"$undefined": True}
# Steps whose function returns None in Python (null in JS): the client then returns undefined.
NONE_RESULT_STEPS = {"return_null", "echo-null-payload"}


@pytest.fixture(scope="session")
def backends(request: pytest.FixtureRequest) -> SessionBackends:
    ts_packages.require_ts_client()
    return session_backends(request.config, node=True)


def _run_suite(backend: Any, key: str) -> tuple[list[dict[str, Any]], str, float]:
    if hasattr(backend, "endpoint"):  # navai serve: BYOK is its keyless companion
        byok_url, byok_path = backend.endpoint(BYOK_SECRET)
    else:  # the Node backend mounts it under /byok
        byok_url, byok_path = backend.url, BYOK_SECRET
    config = {"url": backend.url, "byokUrl": byok_url, "byokPath": byok_path, "key": key}
    node = shutil.which("node")
    assert node is not None
    started = time.time()
    run = subprocess.run(
        [node, str(SUITE), json.dumps(config)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["entry"] == "@navai/voice-frontend@0.1.7", document["entry"]
    return document["steps"], document["runtime"], started


def _normalise(steps: list[dict[str, Any]], started: float) -> list[dict[str, Any]]:
    """Minted secrets by shape, sources by ``#export`` (paths checked up to the extension)."""
    out = []
    for step in steps:
        step = json.loads(json.dumps(step))
        value = step.get("value")
        if step["step"].startswith("secret") and step["ok"]:
            assert re.fullmatch(r"ek_[A-Za-z0-9]{32}", value["value"]), value
            assert abs(value["expires_at"] - (started + TTL)) <= 10, value
            value["value"], value["expires_at"] = "ek_<minted>", "<now + TTL>"
        if step["step"] == "list" and step["ok"]:
            for item in value["functions"]:
                path, export = item["source"].split("#")
                item["source"] = f"{path.rsplit('.', 1)[0]}.*#{export}"
        out.append(step)
    return out


def test_ts_client_suite_on_navai_serve_equals_node(backends: SessionBackends) -> None:
    node_steps, runtime, node_started = _run_suite(backends.node, backends.key)
    python_steps, _, python_started = _run_suite(backends.py, backends.key)
    node = _normalise(node_steps, node_started)
    python = _normalise(python_steps, python_started)
    assert [s["step"] for s in python] == [s["step"] for s in node]

    for n, p in zip(node, python, strict=True):
        if n["step"] in NONE_RESULT_STEPS:
            # The documented difference: no "result" key, so the client returns undefined.
            assert n == {"step": n["step"], "ok": True, "value": None}, n
            assert p == {"step": n["step"], "ok": True, "value": UNDEFINED}, p
        else:
            assert p == n, f"{runtime}: step {n['step']!r} differs"

    # And the outcomes are the expected ones, not merely equal.
    by_step = {s["step"]: s for s in python}
    assert by_step["say_hello"]["value"] == "Hello, Ana!"
    assert by_step["say_hello-no-payload"]["value"] == "Hello, world!"
    assert by_step["add"]["value"] == 5
    assert by_step["calculator_total"]["value"] == 13
    assert by_step["text_tools_upper"]["value"] == "HOLA"
    assert by_step["return_nothing"]["value"] == UNDEFINED  # undefined in JS too
    assert [f["name"] for f in by_step["list"]["value"]["functions"]] == recording.FUNCTION_NAMES
    assert by_step["list"]["value"]["warnings"] == []
    assert by_step["list-unserved"]["value"] == {
        "functions": [],
        "warnings": ["[navai] Failed to load backend functions (404)."],
    }
    unknown = json.loads(by_step["unknown-function"]["error"])
    assert unknown == {
        "error": "Unknown or disallowed function.",
        "available_functions": recording.FUNCTION_NAMES,
    }
    assert json.loads(by_step["missing-name"]["error"]) == {"error": "function_name is required."}
    assert json.loads(by_step["fail_with_status"]["error"]) == {
        "error": "boom: intentional failure with status 418"
    }
    assert json.loads(by_step["secret-byok-missing-key"]["error"]) == {
        "error": "Missing API key. Configure openaiApiKey or send apiKey in request."
    }
    assert "Incorrect API key provided: sk-*" in by_step["secret-byok-wrong-key"]["error"]
    assert by_step["secret-empty"]["value"]["speech"] == {"provider": "openai"}
    assert "Cannot POST /navai/nope" in by_step["execute-unserved"]["error"]
