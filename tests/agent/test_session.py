"""NavaiVoiceAgent against a stand-in Realtime server and a stand-in NAVAI backend, on loopback.

The Realtime side is `realtime_standin.RealtimeStandIn` (a ``websockets`` server); the
backend is `FakeBackend` below (``http.server`` in a thread, with optional delays), so
every byte goes over real sockets and nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.server
import json
import logging
import secrets
import string
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import navai
import navai.agent
from navai import AsyncNavaiBackendClient, NavaiHTTPError, NavaiInvalidRequestError, NavaiRealtimeError
from navai.agent import NavaiVoiceAgent, Route, ToolCallResult
from tests.support.realtime_standin import (
    RealtimeStandIn,
    StandInConnection,
    function_call_response,
    scripted_process,
    text_response,
)

pytestmark = pytest.mark.anyio

_ALPHABET = string.ascii_letters + string.digits


# -- the stand-in backend ---------------------------------------------------------------


@dataclass
class FakeBackend:
    """A NAVAI backend on 127.0.0.1: lists ``functions``, mints ``ek_`` secrets, runs ``results``.

    ``results`` maps a function name to its result; any other name gets the 404 the
    Node backend sends. ``list_delay``/``mint_delay`` hold those answers back (seconds).
    """

    functions: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    list_delay: float = 0.0
    mint_delay: float = 0.0
    mint_status: int = 200
    minted: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        backend = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def do_GET(self) -> None:
                backend.requests.append(("GET", self.path, None))
                if self.path == "/navai/functions":
                    time.sleep(backend.list_delay)
                    return self._answer(200, {"items": backend.functions, "warnings": backend.warnings})
                return self._answer(404, {"error": "Not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                backend.requests.append(("POST", self.path, body))
                if self.path == "/navai/realtime/client-secret":
                    time.sleep(backend.mint_delay)
                    if backend.mint_status != 200:
                        return self._answer(backend.mint_status, {"error": "mint failed"})
                    value = "ek_" + "".join(secrets.choice(_ALPHABET) for _ in range(32))
                    backend.minted.append(value)
                    return self._answer(200, {"value": value, "expires_at": int(time.time()) + 600})
                if self.path == "/navai/functions/execute":
                    name = body.get("function_name")
                    if name in backend.results:
                        answer = {"ok": True, "function_name": name, "source": f"fake.py#{name}"}
                        return self._answer(200, {**answer, "result": backend.results[name]})
                    return self._answer(
                        404,
                        {
                            "error": "Unknown or disallowed function.",
                            "available_functions": list(backend.results),
                        },
                    )
                return self._answer(404, {"error": "Not found"})

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def backend() -> Any:
    fake = FakeBackend(
        functions=[
            {
                "name": "secret_word",
                "description": "Returns the secret word.",
                "source": "fake.py#secret_word",
            },
            {"name": "Calculator_Multiply"},
        ],
        warnings=["[navai] backend warning."],
        results={"secret_word": "banana", "calculator_multiply": 42},
    )
    yield fake
    fake.stop()


# -- the agent under test ---------------------------------------------------------------


def get_weather(city: str) -> dict[str, Any]:
    """Weather for a city.

    Second line, not part of the description.
    """
    return {"city": city, "temp": 21}


def echo(*args: Any) -> Any:
    """Echoes its arguments."""
    return list(args)


ROUTES = [
    Route("profile", "/profile", "User profile", synonyms=("perfil",)),
    Route("settings", "/settings", ""),
]


@dataclass
class Seen:
    """What the callbacks received."""

    texts: list[str] = field(default_factory=list)
    audio: list[bytes] = field(default_factory=list)
    tools: list[ToolCallResult] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[NavaiRealtimeError] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def callbacks(self) -> dict[str, Any]:
        async def navigate(path: str) -> None:
            self.paths.append(path)

        return {
            "navigate": navigate,
            "on_text": self.texts.append,
            "on_audio": self.audio.append,
            "on_tool_call": self.tools.append,
            "on_voice_state": self.states.append,
            "on_warning": self.warnings.append,
            "on_error": self.errors.append,
        }


@dataclass
class Session:
    agent: NavaiVoiceAgent
    conn: StandInConnection
    seen: Seen
    backend: FakeBackend
    realtime: RealtimeStandIn

    async def answers(self, count: int) -> list[dict[str, Any]]:
        """The first ``count`` function_call_output items the agent sent, once all are there."""
        outputs: list[dict[str, Any]] = await self.conn.wait_until(
            lambda received: found if len(found := [e for e in received if _is_output(e)]) >= count else None
        )
        return outputs


def _is_output(event: Mapping[str, Any]) -> bool:
    return (
        event.get("type") == "conversation.item.create"
        and event["item"].get("type") == "function_call_output"
    )


@contextlib.asynccontextmanager
async def session(backend: FakeBackend, **options: Any) -> AsyncIterator[Session]:
    seen = Seen()
    arguments: dict[str, Any] = {
        "functions": [get_weather, echo],
        "routes": ROUTES,
        "mode": "text",
        "env": {},
    }
    arguments.update(seen.callbacks())
    arguments.update(options)
    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(backend.url) as client:
        arguments.setdefault("realtime_url", realtime.url)
        async with NavaiVoiceAgent(client, **arguments) as agent:
            conn = await realtime.next_connection()
            await conn.wait_for("session.update")
            yield Session(agent, conn, seen, backend, realtime)


def output_events(call_id: str, output: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": call_id, "output": output},
        },
        {"type": "response.create"},
    ]


def after(received: list[dict[str, Any]], first: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An answer and the first event after it that is not another answer (the response.create
    that answers sent together share), without the ``event_id`` the agent gives each
    response.create (to match refusals to it)."""
    index = received.index(dict(first))
    rest = [event for event in received[index + 1 :] if not _is_output(event)]
    return without_event_ids([received[index], *rest[:1]])


def without_event_ids(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stripped = []
    for event in events:
        if event.get("type") == "response.create":
            assert str(event.get("event_id")).startswith("navai_"), event
            event = {key: value for key, value in event.items() if key != "event_id"}
        stripped.append(event)
    return stripped


# -- connection and session.update ---------------------------------------------------

INSTRUCTIONS = "\n".join(
    [
        "You are the kiosk.",
        "Allowed routes:",
        "- profile (/profile), aliases: perfil",
        "- settings (/settings)",
        "Allowed app functions:",
        "- get_weather: Weather for a city.",
        "- echo: Echoes its arguments.",
        "- secret_word: Returns the secret word.",
        "- calculator_multiply: Execute backend function.",
        "Rules:",
        "- The only valid tool names are navigate_to and execute_app_function.",
        "- If user asks to go/open a section, always call navigate_to.",
        "- If user asks to run an internal action, always call execute_app_function.",
        "- Always call a tool before claiming that navigation/action was completed.",
        "- Do not repeat greetings or the same sentence multiple times.",
        "- Do not call the same tool repeatedly for the same request unless user explicitly asks to retry.",
        "- payload is optional in execute_app_function. Use null when no arguments are needed.",
        "- For execute_app_function, pass arguments using payload.args (array).",
        "- For class methods, pass payload.constructorArgs and payload.methodArgs.",
        '- Use exact function_name from the allowed list (example: "secret_word").',
        "- Never invent routes or function names that are not listed.",
        "- If destination/action is unclear, ask a brief clarifying question.",
    ]
)
TOOLS = [
    {
        "type": "function",
        "name": "navigate_to",
        "description": "Navigate to an allowed route in the current app.",
        "parameters": {
            "type": "object",
            "properties": {
                "target": {
                    "type": "string",
                    "description": "Route name or route path. Example: perfil, ajustes, /profile, /settings",
                }
            },
            "required": ["target"],
            "additionalProperties": False,
        },
    },
    {
        "type": "function",
        "name": "execute_app_function",
        "description": "Execute an allowed internal app function by name.",
        "parameters": {
            "type": "object",
            "properties": {
                "function_name": {"type": "string", "description": "Allowed function name from the list."},
                "payload": {
                    "anyOf": [{"type": "object", "additionalProperties": True}, {"type": "null"}],
                    "description": "Payload object. Use null when no arguments are needed."
                    " Use payload.args as array for function args,"
                    " payload.constructorArgs for class constructors, payload.methodArgs for class methods.",
                },
            },
            "required": ["function_name"],
            "additionalProperties": False,
        },
    },
]


async def test_connects_with_the_minted_secret_and_configures_the_session(backend: FakeBackend) -> None:
    async with session(backend, base_instructions="You are the kiosk.") as s:
        assert s.conn.path == "/v1/realtime"
        assert s.conn.query == {"model": ["gpt-realtime"]}
        assert len(backend.minted) == 1
        assert s.conn.authorization == f"Bearer {backend.minted[0]}"
        # No model was chosen, so the mint asks for none (the backend's default applies).
        assert [r[2] for r in backend.requests if r[1] == "/navai/realtime/client-secret"] == [{}]
        first = s.conn.received[0]
        expected = {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "instructions": INSTRUCTIONS,
                "tools": TOOLS,
                "tool_choice": "auto",
                "output_modalities": ["text"],
            },
        }
        assert first == expected
        assert list(first["session"]) == ["type", "instructions", "tools", "tool_choice", "output_modalities"]
        assert s.conn.raw[0] == json.dumps(expected)  # what the SDK writes: json.dumps of the event
        assert s.agent.status == "connected"
        assert s.agent.warnings == s.seen.warnings == ["[navai] backend warning."]
        assert s.agent.runtime is not None
        assert s.agent.runtime.tools == TOOLS


async def test_audio_mode_sets_pcm16_24khz_and_direct_alias_tools(backend: FakeBackend) -> None:
    async with session(backend, mode="audio", direct_alias_tools=True) as s:
        config = s.conn.received[0]["session"]
        pcm = {"type": "audio/pcm", "rate": 24000}
        assert config["audio"] == {"input": {"format": pcm}, "output": {"format": pcm}}
        assert "output_modalities" not in config
        names = [tool["name"] for tool in config["tools"]]
        assert names == [
            "navigate_to",
            "execute_app_function",
            "get_weather",
            "echo",
            "secret_word",
            "calculator_multiply",
        ]
        assert config["tools"][2]["description"] == 'Direct alias for execute_app_function("get_weather").'


async def test_model_and_url_come_from_arguments_then_environment(backend: FakeBackend) -> None:
    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(backend.url) as client:
        env = {"NAVAI_REALTIME_MODEL": "gpt-realtime-mini", "NAVAI_REALTIME_URL": realtime.url}
        async with NavaiVoiceAgent(client, mode="text", env=env) as agent:
            conn = await realtime.next_connection()
            assert conn.query == {"model": ["gpt-realtime-mini"]}
            assert agent.model == "gpt-realtime-mini"
            assert agent.realtime_url == realtime.url
        async with NavaiVoiceAgent(client, mode="text", env=env, model="gpt-realtime-2025") as agent:
            conn = await realtime.next_connection()
            assert conn.query == {"model": ["gpt-realtime-2025"]}
        mints = [r[2] for r in backend.requests if r[1] == "/navai/realtime/client-secret"]
        assert mints == [{"model": "gpt-realtime-mini"}, {"model": "gpt-realtime-2025"}]
    agent = NavaiVoiceAgent(client, env={})
    assert (agent.model, agent.realtime_url, agent.mode) == (
        "gpt-realtime",
        "wss://api.openai.com/v1",
        "audio",
    )
    assert navai.agent.DEFAULT_REALTIME_URL == "wss://api.openai.com/v1"


async def test_start_lists_and_mints_concurrently() -> None:
    """Both backend calls take 0.6 s: one after the other would be 1.2 s at least."""
    delayed = FakeBackend(functions=[{"name": "secret_word"}], list_delay=0.6, mint_delay=0.6)
    try:
        async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(delayed.url) as client:
            agent = NavaiVoiceAgent(client, mode="text", env={}, realtime_url=realtime.url)
            began = time.perf_counter()
            await agent.start()
            elapsed = time.perf_counter() - began
            try:
                assert 0.6 <= elapsed < 1.0, elapsed
                assert agent.runtime is not None
                assert agent.runtime.available_function_names == ["secret_word"]
            finally:
                await agent.close()
    finally:
        delayed.stop()


# -- tool calls: every event shape of spec section 6 ---------------------------------


async def test_a_whole_function_call_response_runs_the_call_once(backend: FakeBackend) -> None:
    async with session(backend) as s:
        await s.conn.send(*function_call_response("call_1", "navigate_to", '{"target": "Perfil"}'))
        [answer] = await s.answers(1)
        assert after(s.conn.received, answer) == output_events("call_1", '{"ok":true,"path":"/profile"}')
        await asyncio.sleep(0.1)
        assert s.seen.paths == ["/profile"]
        assert len([e for e in s.conn.received if _is_output(e)]) == 1
        assert s.seen.tools == [
            ToolCallResult("call_1", "navigate_to", {"target": "Perfil"}, {"ok": True, "path": "/profile"})
        ]


async def test_arguments_done_without_a_name_takes_it_from_the_in_progress_item(backend: FakeBackend) -> None:
    async with session(backend) as s:
        await s.conn.send(
            {
                "type": "response.output_item.added",
                "item": {
                    "id": "fc_1",
                    "type": "function_call",
                    "status": "in_progress",
                    "call_id": "call_7",
                    "name": "execute_app_function",
                    "arguments": "",
                },
            },
            {
                "type": "response.function_call_arguments.done",
                "call_id": "call_7",
                "arguments": '{"function_name": "secret_word", "payload": null}',
            },
        )
        [answer] = await s.answers(1)
        output = '{"ok":true,"function_name":"secret_word","source":"fake.py#secret_word","result":"banana"}'
        assert after(s.conn.received, answer) == output_events("call_7", output)
        assert ("POST", "/navai/functions/execute", {"function_name": "secret_word", "payload": None}) in (
            backend.requests
        )


async def test_answers_ready_together_share_one_response_create(backend: FakeBackend) -> None:
    release = asyncio.Event()

    async def first_half() -> str:
        await release.wait()
        return "one"

    async def second_half() -> str:
        await release.wait()
        return "two"

    async def late() -> str:
        await asyncio.sleep(0.3)
        return "three"

    def call(call_id: str, name: str) -> dict[str, Any]:
        arguments = json.dumps({"function_name": name})
        return {"type": "response.function_call_arguments.done", "call_id": call_id,
                "name": "execute_app_function", "arguments": arguments}  # fmt: skip

    async with session(backend, functions=[first_half, second_half, late]) as s:
        await s.conn.send(call("call_1", "first_half"), call("call_2", "second_half"), call("call_3", "late"))
        await asyncio.sleep(0.1)
        release.set()
        await s.answers(3)
        sent = [e["type"] if not _is_output(e) else e["item"]["call_id"] for e in s.conn.received]
        answered = sent[sent.index("session.update") + 1 :]
        assert answered in (
            ["call_1", "call_2", "response.create", "call_3", "response.create"],
            ["call_2", "call_1", "response.create", "call_3", "response.create"],
        )


async def test_in_progress_items_wait_for_the_completed_one(backend: FakeBackend) -> None:
    item = {"id": "fc_2", "type": "function_call", "call_id": "call_2", "name": "ECHO", "arguments": ""}
    async with session(backend) as s:
        await s.conn.send({"type": "conversation.item.added", "item": {**item, "status": "in_progress"}})
        await asyncio.sleep(0.2)
        assert not [e for e in s.conn.received if _is_output(e)]
        done = {**item, "status": "completed", "arguments": '{"args": [1, "two"]}'}
        await s.conn.send({"type": "conversation.item.done", "item": done})
        [answer] = await s.answers(1)
        output = f'{{"ok":true,"function_name":"echo","source":"{echo.__module__}#echo","result":[1,"two"]}}'
        assert after(s.conn.received, answer) == output_events("call_2", output)


async def test_item_without_status_and_response_done_batches(backend: FakeBackend) -> None:
    async with session(backend) as s:
        await s.conn.send(
            {"type": "conversation.item.created",
             "item": {"type": "function_call", "call_id": "call_a", "name": "navigate_to",
                      "arguments": '{"target":"/settings"}'}},
            {"type": "response.done",
             "response": {"id": "resp_1", "status": "completed", "output": [
                 {"type": "message", "role": "assistant", "content": []},
                 {"type": "function_call", "status": "completed", "call_id": "call_b", "name": "navigate_to",
                  "arguments": '{"target":"nowhere"}'},
                 {"type": "function_call", "status": "completed", "call_id": "call_c",
                  "name": "execute_app_function", "arguments": '{"function_name":"calculator_multiply"}'},
                 {"type": "function_call", "status": "completed", "call_id": "call_a", "name": "navigate_to",
                  "arguments": '{"target":"/settings"}'},
             ]}},
        )  # fmt: skip
        answers = await s.answers(3)
        by_id = {a["item"]["call_id"]: a["item"]["output"] for a in answers}
        assert by_id == {
            "call_a": '{"ok":true,"path":"/settings"}',
            "call_b": '{"ok":false,"error":"Unknown or disallowed route."}',
            "call_c": '{"ok":true,"function_name":"calculator_multiply","source":"backend","result":42}',
        }
        for answer in answers:
            assert after(s.conn.received, answer) == output_events(
                answer["item"]["call_id"], answer["item"]["output"]
            )
        await asyncio.sleep(0.1)
        assert len([e for e in s.conn.received if _is_output(e)]) == 3
        assert s.seen.paths == ["/settings"]


async def test_duplicate_call_ids_run_once(backend: FakeBackend) -> None:
    runs: list[Any] = []

    def count(*args: Any) -> int:
        """Counts its runs."""
        runs.append(args)
        return len(runs)

    async with session(backend, functions=[count]) as s:
        events = function_call_response("call_dup", "execute_app_function", '{"function_name":"count"}')
        await s.conn.send(*events, *events[1:])
        [answer] = await s.answers(1)
        await asyncio.sleep(0.2)
        assert runs == [()]
        assert len([e for e in s.conn.received if _is_output(e)]) == 1
        assert json.loads(answer["item"]["output"])["result"] == 1


async def test_malformed_and_empty_arguments(backend: FakeBackend) -> None:
    async with session(backend) as s:
        await s.conn.send(
            *function_call_response(
                [
                    ("call_raw", "echo", "{not json"),
                    ("call_empty", "execute_app_function", ""),
                    ("call_value", "echo", "7"),
                    ("call_tool", "delete_everything", "{}"),
                ]
            )
        )
        answers = {a["item"]["call_id"]: json.loads(a["item"]["output"]) for a in await s.answers(4)}
        assert answers["call_raw"]["result"] == [{"raw": "{not json"}]
        assert answers["call_empty"] == {"ok": False, "error": "function_name is required."}
        assert answers["call_value"]["result"] == [7]
        assert answers["call_tool"] == {
            "ok": False,
            "error": "Unknown or disallowed tool.",
            "available_tools": ["navigate_to", "execute_app_function"],
        }


async def test_local_and_failing_functions(backend: FakeBackend) -> None:
    def boom() -> None:
        """Fails."""
        raise ValueError("kaput")

    async with session(backend, functions=[get_weather, boom]) as s:
        await s.conn.send(
            *function_call_response(
                [
                    (
                        "c1",
                        "execute_app_function",
                        '{"function_name":"get_weather","payload":{"args":["Lima"]}}',
                    ),
                    ("c2", "execute_app_function", '{"function_name":"BOOM"}'),
                    ("c3", "execute_app_function", '{"function_name":"nope"}'),
                ]
            )
        )
        answers = {a["item"]["call_id"]: a["item"]["output"] for a in await s.answers(3)}
        source = json.loads(answers["c1"])["source"]
        assert answers["c1"] == (
            '{"ok":true,"function_name":"get_weather","source":' + json.dumps(source) + ',"result":'
            '{"city":"Lima","temp":21}}'
        )
        assert answers["c2"] == (
            '{"ok":false,"function_name":"boom","error":"Function execution failed.","details":"kaput"}'
        )
        assert answers["c3"] == (
            '{"ok":false,"error":"Unknown or disallowed function.",'
            '"available_functions":["get_weather","boom","secret_word","calculator_multiply"]}'
        )


async def test_backend_404_surfaces_as_details() -> None:
    """A listed function the backend does not run: its raw 404 body is the details."""
    fake = FakeBackend(functions=[{"name": "gone"}], results={"other": 1})
    try:
        async with session(fake, functions=[]) as s:
            await s.conn.send(
                *function_call_response("c404", "execute_app_function", '{"function_name":"gone"}')
            )
            [answer] = await s.answers(1)
            body = json.dumps({"error": "Unknown or disallowed function.", "available_functions": ["other"]})
            assert json.loads(answer["item"]["output"]) == {
                "ok": False,
                "function_name": "gone",
                "error": "Function execution failed.",
                "details": body,
            }
    finally:
        fake.stop()


async def test_calls_before_the_runtime_exists_are_queued_and_replayed() -> None:
    slow_list = FakeBackend(
        functions=[{"name": "secret_word"}], results={"secret_word": "kiwi"}, list_delay=0.8
    )
    try:
        async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(slow_list.url) as client:
            agent = NavaiVoiceAgent(client, mode="text", env={}, realtime_url=realtime.url)
            starting = asyncio.create_task(agent.start())
            conn = await realtime.next_connection()
            await conn.send(
                *function_call_response("early", "execute_app_function", '{"function_name":"secret_word"}')
            )
            await asyncio.sleep(0.2)
            assert agent.status == "connecting"
            assert agent.runtime is None
            assert conn.received == []
            await starting
            try:
                answer = await conn.wait_for("conversation.item.create")
                assert conn.received[0]["type"] == "session.update"
                assert without_event_ids(conn.received[1:]) == output_events(
                    "early", '{"ok":true,"function_name":"secret_word","source":"backend","result":"kiwi"}'
                )
                assert answer == conn.received[1]
            finally:
                await agent.close()
    finally:
        slow_list.stop()


async def test_a_slow_tool_does_not_stall_the_session(backend: FakeBackend) -> None:
    release = asyncio.Event()

    async def slow() -> str:
        """Waits to be released."""
        await release.wait()
        return "slow done"

    async with session(backend, functions=[slow, echo]) as s:
        await s.conn.send(
            *function_call_response("c_slow", "execute_app_function", '{"function_name":"slow"}')
        )
        await s.conn.send(
            *function_call_response("c_fast", "execute_app_function", '{"function_name":"echo"}')
        )
        [first] = await s.answers(1)
        assert first["item"]["call_id"] == "c_fast"
        await s.conn.send({"type": "output_audio_buffer.started"})
        await _eventually(lambda: s.agent.voice_state == "speaking")
        release.set()
        answers = await s.answers(2)
        assert answers[1]["item"]["call_id"] == "c_slow"
        assert json.loads(answers[1]["item"]["output"])["result"] == "slow done"


async def _eventually(condition: Any, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_voice_state_transitions(backend: FakeBackend) -> None:
    async with session(backend) as s:
        assert s.agent.voice_state == "idle"
        script = [
            ("output_audio_buffer.started", "speaking"),
            ("response.output_audio.delta", "speaking"),
            ("response.output_audio.done", "idle"),
            ("response.audio.delta", "speaking"),
            ("conversation.interrupted", "idle"),
            ("response.audio.delta", "speaking"),
            ("error", "idle"),
        ]
        for event_type, state in script:
            event: dict[str, Any] = {"type": event_type}
            if event_type.endswith(".delta"):
                event["delta"] = ""
            await s.conn.send(event)
            await _eventually(lambda state=state: s.agent.voice_state == state)
        assert s.seen.states == ["speaking", "idle", "speaking", "idle", "speaking", "idle"]


# -- text and audio ---------------------------------------------------------------------


async def test_ask_returns_after_the_tool_call_and_its_follow_up(backend: FakeBackend) -> None:
    tool_started = asyncio.Event()

    async def lookup() -> str:
        """Slow enough to still run when the first response is done."""
        tool_started.set()
        await asyncio.sleep(0.3)
        return "42"

    async with session(backend, functions=[lookup]) as s:

        async def model() -> None:
            message = await s.conn.wait_for("conversation.item.create")
            assert message["item"] == {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "What is the answer?"}],
            }
            await s.conn.wait_for("response.create")
            first = function_call_response("c_look", "execute_app_function", '{"function_name":"lookup"}')
            text = text_response("Let me look.", response_id="resp_1")[2:5]
            await s.conn.send(first[0], *text, *first[1:])
            await s.conn.wait_for("response.create", count=2)
            await s.conn.send(*text_response("The answer is 42.", chunks=3))

        server = asyncio.create_task(model())
        reply = await s.agent.ask("What is the answer?", timeout=5)
        await server
        assert reply == "Let me look.\nThe answer is 42."
        assert s.seen.texts == ["Let me look.", "The answer is 42."]
        assert [t.output for t in s.seen.tools] == [
            {
                "ok": True,
                "function_name": "lookup",
                "source": s.seen.tools[0].output["source"],
                "result": "42",
            }
        ]
        types = [e["type"] for e in s.conn.received]
        assert types == [
            "session.update",
            "conversation.item.create",
            "response.create",
            "conversation.item.create",
            "response.create",
        ]


async def test_ask_asks_again_when_the_server_refuses_a_response_create(backend: FakeBackend) -> None:
    """Answered while the response still runs, the real server refuses the second response.create."""
    async with session(backend) as s:

        async def model() -> None:
            await s.conn.wait_for("response.create")
            events = function_call_response("c_fast", "navigate_to", '{"target":"perfil"}')
            await s.conn.send(*events[:-1])
            await s.conn.wait_for("response.create", count=2)
            refused = {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "code": "conversation_already_has_active_response",
                    "message": "Conversation already has an active response in progress.",
                },
            }
            await s.conn.send(refused, events[-1])
            await s.conn.wait_for("response.create", count=3)
            await s.conn.send(*text_response("Opened your profile."))

        server = asyncio.create_task(model())
        assert await s.agent.ask("open my profile", timeout=5) == "Opened your profile."
        await server
        assert [e.code for e in s.seen.errors] == ["conversation_already_has_active_response"]


async def test_text_done_without_text_uses_the_deltas_and_send_text(backend: FakeBackend) -> None:
    async with session(backend) as s:
        await s.agent.send_text("hi")
        await s.conn.wait_for("response.create")
        where = {"response_id": "r", "item_id": "i", "content_index": 0}
        await s.conn.send(
            {"type": "response.output_text.delta", **where, "delta": "Hel"},
            {"type": "response.output_text.delta", **where, "delta": "lo"},
            {"type": "response.output_text.done", **where},
            {"type": "response.output_audio_transcript.done", "response_id": "r", "transcript": "spoken"},
        )
        await _eventually(lambda: len(s.seen.texts) == 2)
        assert s.seen.texts == ["Hello", "spoken"]


async def test_audio_in_and_out(backend: FakeBackend) -> None:
    pcm = bytes(range(256)) * 4
    async with session(backend, mode="audio") as s:
        await s.agent.send_audio(pcm)
        appended = await s.conn.wait_for("input_audio_buffer.append")
        assert appended == {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm).decode()}
        await s.agent.commit_audio()
        assert await s.conn.wait_for("input_audio_buffer.commit") == {"type": "input_audio_buffer.commit"}
        chunks = [b"\x01\x02" * 10, b"\xff\x7f" * 3]
        await s.conn.send(
            *({"type": "response.output_audio.delta", "delta": base64.b64encode(c).decode()} for c in chunks),
            {"type": "response.audio.delta", "delta": base64.b64encode(b"legacy").decode()},
        )
        await _eventually(lambda: len(s.seen.audio) == 3)
        assert s.seen.audio == [*chunks, b"legacy"]


# -- errors, closing, secrets ----------------------------------------------------------


async def test_error_events_reach_on_error_and_fail_ask(backend: FakeBackend) -> None:
    async with session(backend) as s:

        async def model() -> None:
            await s.conn.wait_for("response.create")
            await s.conn.send(
                {
                    "type": "error",
                    "event_id": "event_9",
                    "error": {
                        "type": "invalid_request_error",
                        "code": "bad_thing",
                        "message": "Nope.",
                        "param": "x",
                    },
                }
            )

        server = asyncio.create_task(model())
        with pytest.raises(NavaiRealtimeError, match=r"^Nope\.$") as caught:
            await s.agent.ask("hi", timeout=5)
        await server
        assert (caught.value.code, caught.value.error_type, caught.value.param) == (
            "bad_thing",
            "invalid_request_error",
            "x",
        )
        assert [str(e) for e in s.seen.errors] == ["Nope."]
        assert s.agent.status == "connected"


async def test_a_dropped_connection_fails_a_pending_ask(backend: FakeBackend) -> None:
    async with session(backend, reconnect=False) as s:
        asking = asyncio.create_task(s.agent.ask("hello?", timeout=5))
        await s.conn.wait_for("response.create")
        s.conn.drop()
        with pytest.raises(NavaiRealtimeError, match="closed unexpectedly") as caught:
            await asking
        assert caught.value.close_code == 1006
        assert s.agent.status == "closed"
        assert s.agent.error is caught.value
        with pytest.raises(NavaiRealtimeError):
            await s.agent.wait_closed()
        with pytest.raises(NavaiRealtimeError):
            await s.agent.send_text("still there?")


async def test_a_normal_server_close_ends_the_session(backend: FakeBackend) -> None:
    async with session(backend) as s:
        asking = asyncio.create_task(s.agent.ask("hello?", timeout=5))
        await s.conn.wait_for("response.create")
        await s.conn.close()
        with pytest.raises(NavaiRealtimeError, match="closed the connection"):
            await asking
        await asyncio.wait_for(s.agent.wait_closed(), 2)
        assert s.agent.error is None


async def test_close_ends_everything_and_is_idempotent(backend: FakeBackend) -> None:
    before = asyncio.all_tasks()
    started = asyncio.Event()

    async def forever() -> None:
        """Never returns."""
        started.set()
        await asyncio.Event().wait()

    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(backend.url) as client:
        agent = NavaiVoiceAgent(client, functions=[forever], mode="text", env={}, realtime_url=realtime.url)
        await agent.start()
        conn = await realtime.next_connection()
        await conn.send(
            *function_call_response("c_forever", "execute_app_function", '{"function_name":"forever"}')
        )
        await asyncio.wait_for(started.wait(), 2)
        asking = asyncio.create_task(agent.ask("anything"))
        await conn.wait_for("response.create")
        assert len(asyncio.all_tasks() - before) >= 3  # this test's ask, the receive loop, the tool
        await agent.close()
        with pytest.raises(NavaiRealtimeError, match="closed"):
            await asking
        await asyncio.wait_for(conn.closed.wait(), 2)
        assert asyncio.all_tasks() - before == set()
        assert agent.status == "closed"
        await agent.close()
        await asyncio.wait_for(agent.wait_closed(), 1)
        with pytest.raises(NavaiInvalidRequestError, match="already"):
            await agent.start()


async def test_misuse_before_start(backend: FakeBackend) -> None:
    async with AsyncNavaiBackendClient(backend.url) as client:
        agent = NavaiVoiceAgent(client, env={})
        with pytest.raises(NavaiInvalidRequestError, match="not started"):
            await agent.send_text("hi")
        with pytest.raises(NavaiInvalidRequestError, match="mode"):
            NavaiVoiceAgent(client, mode="video")  # type: ignore[arg-type]
        await agent.close()
        assert agent.status == "closed"


async def test_a_failed_mint_closes_without_connecting() -> None:
    failing = FakeBackend(mint_status=500, list_delay=1.0)
    try:
        async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(failing.url) as client:
            before = asyncio.all_tasks()
            agent = NavaiVoiceAgent(client, env={}, realtime_url=realtime.url)
            began = time.perf_counter()
            with pytest.raises(NavaiHTTPError, match="mint failed"):
                await agent.start()
            assert time.perf_counter() - began < 0.8  # the slow list was not waited for
            assert agent.status == "closed"
            assert realtime.connections == []
            assert asyncio.all_tasks() - before == set()
    finally:
        failing.stop()


async def test_the_secret_stays_out_of_reprs_logs_and_errors(
    backend: FakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with session(backend) as s:
        secret = backend.minted[0]
        await s.conn.send(
            {"type": "error", "error": {"type": "invalid_request_error", "message": f"Bad key {secret}."}},
            *function_call_response("c1", "navigate_to", '{"target":"perfil"}'),
        )
        await s.answers(1)
        assert s.seen.errors[0].message == "Bad key ***."
        assert secret not in repr(s.agent)
        assert s.conn.authorization == f"Bearer {secret}"
    # The stand-in server logs what it received; everything else is the agent's side.
    records = [r for r in caplog.records if r.name != "realtime_standin"]
    assert any(r.name == "websockets.client" and "Authorization" in r.getMessage() for r in records)
    assert secret not in "\n".join(r.getMessage() for r in records)

    # A failed handshake (an HTTP server, not a WebSocket one): the error names the URL, not the key.
    caplog.clear()
    async with AsyncNavaiBackendClient(backend.url) as client:
        agent = NavaiVoiceAgent(client, env={}, realtime_url=backend.url.replace("http", "ws") + "/v1")
        with pytest.raises(NavaiRealtimeError, match="Cannot connect to the Realtime API at ws://") as caught:
            await agent.start()
    secret = backend.minted[-1]
    chain = "".join(traceback.format_exception(caught.value))
    assert secret not in chain
    assert secret not in repr(caught.value)
    assert secret not in "\n".join(r.getMessage() for r in caplog.records if r.name != "realtime_standin")
    assert agent.status == "closed"


# -- the package -------------------------------------------------------------------------


def test_agent_names_are_exported_lazily() -> None:
    code = (
        "import sys, navai, navai.agent\n"
        "light = not {'openai', 'websockets'} & {m.split('.')[0] for m in sys.modules}\n"
        "names = {'NavaiVoiceAgent', 'ToolCallResult', 'DEFAULT_REALTIME_MODEL'}\n"
        "listed = names <= set(navai.agent.__all__) and names <= set(dir(navai.agent))\n"
        "agent = navai.agent.NavaiVoiceAgent\n"
        "loaded = 'openai' in sys.modules\n"
        "agent(navai.AsyncNavaiBackendClient('http://127.0.0.1:9'), env={})\n"
        "print(light, listed, agent.__module__, loaded, 'openai' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The SDK is imported when an agent is made, not when the name is looked up.
    assert out.stdout.split() == ["True", "True", "navai.agent._session", "False", "True"]
    assert navai.NavaiRealtimeError.__mro__[1] is navai.NavaiError
    assert "NavaiRealtimeError" in navai.__all__


def test_standin_script_mode(tmp_path: Path) -> None:
    """The stand-in as a process: prints its URL, plays the script, records what it got."""
    record = tmp_path / "events.jsonl"
    steps = [{"expect": "response.create", "send": text_response("Hi there.")}]
    with scripted_process(steps, tmp_path, record=record) as (url, process):

        async def talk() -> str:
            fake = FakeBackend()
            try:
                async with (
                    AsyncNavaiBackendClient(fake.url) as client,
                    NavaiVoiceAgent(client, env={}, mode="text", realtime_url=url) as agent,
                ):
                    return await agent.ask("hello", timeout=5)
            finally:
                fake.stop()

        assert asyncio.run(talk()) == "Hi there."
    assert process.returncode == 0  # stdin closed: a clean stop
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines[0]["connection"]["path"] == "/v1/realtime"
    assert lines[0]["connection"]["authorization"].startswith("Bearer ek_")
    assert [line.get("type") for line in lines[1:]] == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]
