"""``navai agent``: a scripted text conversation through the real command, ``navai serve``
(which mints the secret from its OpenAI stand-in) and the stand-in Realtime server, each in
its own process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from navai.agent._js import json_stringify
from tests.support.py_backend_harness import SessionBackends, session_backends
from tests.support.realtime_standin import function_call_response, scripted_process, text_response

TOOLS = """\
def get_weather(city):
    return {"city": city, "sky": "clear", "celsius": 21}
"""


def _arguments(function_name: str, payload: Any) -> str:
    return json.dumps({"function_name": function_name, "payload": payload})


SCRIPT = [
    {"expect": "session.update", "send": []},
    # first message: a local function, then a backend function, then the answer
    {
        "expect": "response.create",
        "send": function_call_response(
            "call_w", "execute_app_function", _arguments("get_weather", {"args": ["Bogotá"]})
        ),
    },
    {
        "expect": "response.create",
        "send": function_call_response(
            "call_m", "execute_app_function", _arguments("calculator_multiply", {"args": [6, 7]})
        ),
    },
    {"expect": "response.create", "send": text_response("Clear, 21 °C in Bogotá; 6 x 7 is 42.")},
    # second message: a route
    {
        "expect": "response.create",
        "send": function_call_response("call_n", "navigate_to", '{"target": "my profile"}'),
    },
    {"expect": "response.create", "send": text_response("Your profile is open.")},
]


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> SessionBackends:
    return session_backends(request.config, node=False)


@pytest.fixture
def realtime(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The stand-in in its own process, playing `SCRIPT`: (its URL, its record file)."""
    record = tmp_path / "events.jsonl"
    with scripted_process(SCRIPT, tmp_path, record=record) as (url, _):
        yield url, record


def navai(*args: str, stdin: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "navai", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )


def test_a_scripted_conversation_with_tool_calls(
    backend: SessionBackends, realtime: tuple[str, Path], tmp_path: Path
) -> None:
    url, record = realtime
    tools = tmp_path / "tools.py"
    tools.write_text(TOOLS)
    run = navai(
        "--api-url", backend.py.url,
        "agent", "--text", "--realtime-url", url, "--model", "gpt-realtime-mini",
        "--functions", str(tools), "--route", "profile=/profile",
        stdin="What's the weather in Bogotá, and 6 times 7?\n\nOpen my perfil\n",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr

    assert run.stdout.splitlines() == ["Clear, 21 °C in Bogotá; 6 x 7 is 42.", "Your profile is open."]
    weather = {
        "ok": True,
        "function_name": "get_weather",
        "source": "tools.py#get_weather",
        "result": {"city": "Bogotá", "sky": "clear", "celsius": 21},
    }
    navigated = {"ok": True, "path": "/profile"}
    asked = '{"function_name":"get_weather","payload":{"args":["Bogotá"]}}'
    notes = run.stderr.splitlines()
    assert f"tool: execute_app_function {asked} -> {json_stringify(weather)}" in notes
    assert "navigate: /profile" in notes
    assert f'tool: navigate_to {{"target":"my profile"}} -> {json_stringify(navigated)}' in notes

    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    [connection] = [line["connection"] for line in lines if "connection" in line]
    assert connection["model"] == "gpt-realtime-mini"
    secret = connection["authorization"].removeprefix("Bearer ")
    assert re.fullmatch(r"ek_[A-Za-z0-9]{32}", secret)
    assert secret not in run.stdout + run.stderr
    events = [line for line in lines if "connection" not in line]
    update = events[0]
    assert update["type"] == "session.update"
    assert update["session"]["output_modalities"] == ["text"]
    assert update["session"]["tool_choice"] == "auto"
    assert "- get_weather: Call exported function get_weather." in update["session"]["instructions"]
    assert "- calculator_multiply: " in update["session"]["instructions"]
    assert "- profile (/profile)" in update["session"]["instructions"]
    outputs = {
        event["item"]["call_id"]: json.loads(event["item"]["output"])
        for event in events
        if event["type"] == "conversation.item.create" and event["item"]["type"] == "function_call_output"
    }
    assert outputs["call_w"] == weather
    assert outputs["call_m"]["result"] == 42
    assert outputs["call_n"] == navigated
    users = [
        event["item"]["content"][0]["text"]
        for event in events
        if event["type"] == "conversation.item.create" and event["item"]["type"] == "message"
    ]
    assert users == ["What's the weather in Bogotá, and 6 times 7?", "Open my perfil"]


def test_an_unreachable_backend_exits_1_with_the_error(realtime: tuple[str, Path]) -> None:
    url, _ = realtime
    run = navai("--api-url", "http://127.0.0.1:9", "agent", "--realtime-url", url, stdin="hello\n")
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.startswith("navai: error: Request failed: POST http://127.0.0.1:9/")
    assert "Traceback" not in run.stderr


def test_an_unreachable_realtime_server_exits_1(backend: SessionBackends) -> None:
    run = navai(
        "--api-url", backend.py.url, "agent", "--realtime-url", "ws://127.0.0.1:9/v1", stdin="hello\n"
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.startswith("navai: error: ")
    assert "ek_" not in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--route", "profile"], "--route must look like NAME=PATH"),
        (["--functions", "/nonexistent/tools"], "--functions: no Python file or folder"),
        (["--functions", ".", "--agents", "main"], "--functions cannot be used with --agents"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    run = navai("agent", *args, stdin="")
    assert run.returncode == 2
    assert message in run.stderr


AGENTS_SCRIPT = [
    {"expect": "session.update", "send": []},
    {"expect": "response.create", "send": function_call_response("call_t", "transfer_to_Food", "{}")},
    {
        "expect": "response.create",
        "send": function_call_response(
            "call_s", "execute_app_function", _arguments("suggest_meal", {"args": ["veggie"]})
        ),
    },
    {"expect": "response.create", "send": text_response("Veggie tacos it is.")},
]


def test_specialist_agents_from_an_app_folder(backend: SessionBackends, tmp_path: Path) -> None:
    folder = tmp_path / "app" / "src" / "ai" / "functions-modules"
    (folder / "main").mkdir(parents=True)
    (folder / "main" / "weather.py").write_text(TOOLS)
    (folder / "food").mkdir()
    (folder / "food" / "menu.py").write_text("def suggest_meal(diet):\n    return f'{diet} tacos'\n")
    (folder / "food" / "agent.config.py").write_text(
        'NAVAI_AGENT = {"name": "Food", "description": "Meals."}\n'
    )
    record = tmp_path / "events.jsonl"
    with scripted_process(AGENTS_SCRIPT, tmp_path, record=record) as (url, _):
        run = navai(
            "--api-url", backend.py.url,
            "agent", "--realtime-url", url, "--app-dir", str(tmp_path / "app"), "--agents", "main,food",
            stdin="A veggie meal, please\n",
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["Veggie tacos it is."]
    notes = run.stderr.splitlines()
    assert 'tool: transfer_to_food {} -> {"assistant":"Food"}' in notes
    events = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    updates = [event["session"] for event in events if event.get("type") == "session.update"]
    assert [tool["name"] for tool in updates[0]["tools"]] == [
        "navigate_to",
        "execute_app_function",
        "transfer_to_Food",
    ]
    assert updates[1]["instructions"].startswith("You are the Food specialist agent for this web app.\n")
    assert [tool["name"] for tool in updates[1]["tools"]] == ["execute_app_function", "transfer_to_Main"]
    [meal] = [
        json.loads(event["item"]["output"])
        for event in events
        if event.get("type") == "conversation.item.create" and event["item"].get("call_id") == "call_s"
    ]
    assert meal["result"] == "veggie tacos"
    assert meal["source"] == "src/ai/functions-modules/food/menu.py#suggest_meal"
