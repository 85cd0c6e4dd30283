"""The Python examples of the README and of the docs site (docs/) run, against the real backend,
so they cannot rot.

A block is a script (run as ``__main__``) or, when it defines ``test_`` functions, a pytest
file (run by pytest in a scratch folder, twice for the vcrpy one: recording, then replaying
with the backend out of reach).
"""

from __future__ import annotations

import contextlib
import json
import re
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import backend_harness
from tests.support.realtime_standin import function_call_response, scripted_process, text_response

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SOURCES = [
    (f"{page.relative_to(ROOT)}#{n}", block)
    for page in PAGES
    for n, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S), start=1)
]
IDS = [name for name, _ in SOURCES]
BLOCKS = [block for _, block in SOURCES]
SCRIPTS = [
    i for i, block in enumerate(BLOCKS) if "\ndef test_" not in block and "\nasync def test_" not in block
]
TEST_FILES = [i for i in range(len(BLOCKS)) if i not in SCRIPTS]


def test_readme_has_examples() -> None:
    assert len(SCRIPTS) >= 7
    assert len(TEST_FILES) >= 4
    assert sum(name.startswith("README.md#") for name in IDS) >= 3


AGENT_REPLY = "Clear and 21 °C in Bogotá."


def _strict(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with what the Agents SDK's strict event models require (the real server sends
    both): an ``event_id`` on each, an ``output_index`` on argument deltas."""
    done = []
    for index, event in enumerate(events):
        event = {**event, "event_id": f"event_{index}"}
        if event["type"] == "response.function_call_arguments.delta":
            event.setdefault("output_index", 0)
        done.append(event)
    return done


@contextlib.contextmanager
def realtime_stand_in(folder: Path, *, strict: bool = False) -> Iterator[str]:
    """The stand-in Realtime server, in its own process, playing the agent example's turn:
    the model calls ``get_weather`` for Bogotá, then answers `AGENT_REPLY`."""
    arguments = json.dumps({"function_name": "get_weather", "payload": {"args": ["Bogotá"]}})
    call = function_call_response("call_1", "execute_app_function", arguments)
    reply = text_response(AGENT_REPLY)
    if strict:
        call, reply = _strict(call), _strict(reply)
    steps = [
        {"expect": "response.create", "send": call},
        {"expect": "response.create", "send": reply},
    ]
    with scripted_process(steps, folder) as (url, _):
        yield url


@pytest.mark.live
@pytest.mark.parametrize("index", SCRIPTS, ids=[IDS[i] for i in SCRIPTS])
def test_readme_example_runs(
    index: int,
    live_backend: backend_harness.Backend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NAVAI_API_URL", live_backend.url)
    source = BLOCKS[index].replace("http://localhost:3000", live_backend.url)
    script = tmp_path / f"readme_example_{index}.py"
    script.write_text(source)
    realtime_agent = "create_realtime_agent(" in source  # the Agents SDK's RealtimeRunner
    if "NavaiVoiceAgent(" not in source and not realtime_agent:
        runpy.run_path(str(script), run_name="__main__")
        assert capsys.readouterr().out.strip() or "assert" in source
        return
    if realtime_agent:
        monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")
    with realtime_stand_in(tmp_path, strict=realtime_agent) as url:
        monkeypatch.setenv("NAVAI_REALTIME_URL", url)
        runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.splitlines()[-1] == AGENT_REPLY


def _pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(folder)],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
    )


@pytest.mark.live
@pytest.mark.parametrize("index", TEST_FILES, ids=[IDS[i] for i in TEST_FILES])
def test_readme_test_file_passes(index: int, live_backend: backend_harness.Backend, tmp_path: Path) -> None:
    source = BLOCKS[index]
    if "use_cassette" not in source:
        (tmp_path / "test_readme_block.py").write_text(
            source.replace("http://localhost:3000", live_backend.url)
        )
        run = _pytest(tmp_path)
        assert run.returncode == 0, run.stdout + run.stderr
        return
    # Record against a backend of its own, stop it, and replay with nothing listening there.
    with backend_harness.Backend.start() as backend:
        (tmp_path / "test_readme_block.py").write_text(source.replace("http://localhost:3000", backend.url))
        recording = _pytest(tmp_path)
    assert recording.returncode == 0, recording.stdout + recording.stderr
    assert len(list((tmp_path / "cassettes").glob("*.yaml"))) == 2
    replay = _pytest(tmp_path)
    assert replay.returncode == 0, replay.stdout + replay.stderr
