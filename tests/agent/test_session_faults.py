"""NavaiVoiceAgent under faults (issue 17, items 1 and 2): refusals, cut-off responses, odd
frames, close races, a server that stops answering, and callbacks that block.

Each test is a fault that ended a session or hung ``ask()`` before the fix. The Realtime
side is the loopback stand-in: in this process, in a thread of its own where the test
measures the client's loop, or as a process of its own where the fault is a socket one.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from navai import AsyncNavaiBackendClient, NavaiRealtimeError
from navai.agent import NavaiVoiceAgent
from tests.support.realtime_standin import (
    RealtimeStandIn,
    StandInConnection,
    ThreadedStandIn,
    error_event,
    function_call_response,
    scripted_process,
    text_response,
)

from .test_session import FakeBackend, Session, session

pytestmark = pytest.mark.anyio


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    fake = FakeBackend(functions=[{"name": "secret_word"}], results={"secret_word": "banana"})
    yield fake
    fake.stop()


async def eventually(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def answer_next_ask(s: Session, text: str, *, count: int) -> None:
    """Answer the ``count``-th response.create with a text response."""
    await s.conn.wait_for("response.create", count=count)
    await s.conn.send(*text_response(text))


def outputs(conn: StandInConnection) -> list[dict[str, Any]]:
    return [
        e
        for e in conn.received
        if e.get("type") == "conversation.item.create" and e["item"].get("type") == "function_call_output"
    ]


# -- refused, failed, cancelled and incomplete responses ----------------------------------


@pytest.mark.parametrize("echo_event_id", [True, False], ids=["event-id-echoed", "no-event-id"])
@pytest.mark.parametrize("refused", ["the-question", "the-tool-answer"])
async def test_a_refused_response_create_fails_its_ask_and_the_next_ask_works(
    backend: FakeBackend, refused: str, echo_event_id: bool
) -> None:
    """The server refuses a response.create (not for an active response): that ask raises the
    server's code; the count of requested responses stays right, so the next ask returns."""
    async with session(backend) as s:

        async def model() -> None:
            request = await s.conn.wait_for("response.create")
            if refused == "the-tool-answer":
                await s.conn.send(*function_call_response("c_nav", "navigate_to", '{"target":"perfil"}'))
                request = await s.conn.wait_for("response.create", count=2)
            event_id = request.get("event_id") if echo_event_id else None
            await s.conn.send(error_event("rate_limit_exceeded", "Too many responses.", event_id=event_id))

        server = asyncio.create_task(model())
        with pytest.raises(NavaiRealtimeError, match="Too many responses") as caught:
            await s.agent.ask("open my profile", timeout=5)
        await server
        assert caught.value.code == "rate_limit_exceeded"

        requested = len(s.conn.events("response.create"))
        server = asyncio.create_task(answer_next_ask(s, "Still here.", count=requested + 1))
        assert await s.agent.ask("are you there?", timeout=5) == "Still here."
        await server
        assert s.agent.status == "connected"


def cut_off_response(status: str) -> list[dict[str, Any]]:
    """A response that ends ``status`` while its text and a function call were being written."""
    details = {
        "incomplete": {"type": "incomplete", "reason": "max_output_tokens"},
        "cancelled": {"type": "cancelled", "reason": "turn_detected"},
        "failed": {
            "type": "failed",
            "error": {"type": "server_error", "code": "server_error", "message": "The server had an error."},
        },
    }[status]
    where = {"response_id": "resp_cut", "item_id": "msg_cut", "output_index": 0, "content_index": 0}
    message = {
        "id": "msg_cut",
        "type": "message",
        "role": "assistant",
        "status": "incomplete",
        "content": [{"type": "output_text", "text": "Opening your pro"}],
    }
    call = {
        "id": "fc_cut",
        "type": "function_call",
        "status": "incomplete",
        "call_id": "call_cut",
        "name": "navigate_to",
        "arguments": '{"tar',
    }
    return [
        {"type": "response.created", "response": {"id": "resp_cut", "status": "in_progress", "output": []}},
        {"type": "response.output_text.delta", **where, "delta": "Opening your pro"},
        {"type": "response.output_text.done", **where, "text": "Opening your pro"},
        {"type": "response.output_item.added", "response_id": "resp_cut", "output_index": 1,
         "item": {**call, "status": "in_progress", "arguments": ""}},
        {"type": "response.done", "response": {"id": "resp_cut", "status": status, "status_details": details,
                                               "output": [message, call]}},
    ]  # fmt: skip


@pytest.mark.parametrize("status", ["incomplete", "cancelled", "failed"])
async def test_a_cut_off_response_ends_the_turn(backend: FakeBackend, status: str) -> None:
    """A function call cut off by the response's end never runs, so the turn does not wait for
    it: ``incomplete`` and ``cancelled`` return the text so far, ``failed`` raises its code."""
    async with session(backend) as s:

        async def model() -> None:
            await s.conn.wait_for("response.create")
            await s.conn.send(*cut_off_response(status))

        server = asyncio.create_task(model())
        if status == "failed":
            with pytest.raises(NavaiRealtimeError, match="The server had an error") as caught:
                await s.agent.ask("open my profile", timeout=5)
            assert caught.value.code == "server_error"
        else:
            assert await s.agent.ask("open my profile", timeout=5) == "Opening your pro"
        await server
        server = asyncio.create_task(answer_next_ask(s, "Which profile?", count=2))
        assert await s.agent.ask("mine", timeout=5) == "Which profile?"
        await server
        assert outputs(s.conn) == []
        assert s.seen.paths == []


# -- frames of unexpected shape ----------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000
SKIPPED_FRAMES: list[Any] = [
    "not json",
    b"\x00\xff binary",
    DEEP,
    '{"type": "response.output_text.delta", "deep": ' + DEEP + "}",
    "[1, 2]",
    '"a string"',
    "42",
    "null",
    {},
    {"type": 7},
    {"type": ["response.done"]},
    {"type": {"response": "done"}},
    {"type": None},
    {"type": "response.output_text.delta", "response_id": "r", "item_id": ["i"], "content_index": 0,
     "delta": "x"},
    {"type": "response.output_text.done", "response_id": {"id": "r"}, "item_id": "i", "content_index": 0,
     "text": "t"},
    {"type": "response.output_audio_transcript.delta", "response_id": "r", "item_id": "i",
     "content_index": [0], "delta": "x"},
    {"type": "response.output_text.delta", "response_id": "r", "item_id": "i", "delta": {"text": "x"}},
    {"type": "response.output_audio.delta", "item_id": "i", "delta": 5},
    {"type": "response.output_audio.delta", "item_id": "i", "delta": "%%% not base64"},
    {"type": "response.output_audio.delta", "item_id": {"id": "i"}, "delta": "AAAA"},
]  # fmt: skip
HARMLESS_FRAMES: list[Any] = [
    # Odd values where the agent reads nothing it could misuse: handled, not skipped.
    {"type": "response.function_call_arguments.done", "call_id": ["c"], "name": {}, "arguments": "{}"},
    {"type": "response.output_item.done", "item": {"type": "function_call", "call_id": {"a": 1},
                                                   "name": "navigate_to", "status": ["completed"]}},
    {"type": "response.created", "response": {"id": ["resp"], "status": 3}},
    {"type": "response.done", "response": {"id": {"x": 1}, "status": ["completed"], "output": "none"}},
    {"type": "response.done", "response": "not an object"},
    {"type": "error", "error": {"code": ["x"], "event_id": {"a": 1}, "message": 5, "type": None}},
    {"type": "error", "error": "boom"},
    {"type": "conversation.item.truncated", "item_id": {"a": 1}},
    {"type": "input_audio_buffer.speech_started", "item_id": [1], "audio_start_ms": "soon"},
]  # fmt: skip


async def test_frames_of_unexpected_shape_are_skipped_and_counted(
    backend: FakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="navai.agent")
    seen: list[dict[str, Any]] = []
    async with session(backend, on_event=seen.append) as s:
        assert s.agent.skipped_events == 0
        for frame in [*SKIPPED_FRAMES, *HARMLESS_FRAMES, {"type": "test.all_sent"}]:
            await s.conn.send(frame)
        # Asked only once all of them are handled: the stray response.created/done above
        # would otherwise be taken for this ask's response.
        await eventually(lambda: seen and seen[-1]["type"] == "test.all_sent")
        # on_event never sees the skipped ones.
        assert seen[1:] == [*HARMLESS_FRAMES, {"type": "test.all_sent"}]
        assert seen[0]["type"] == "session.created"
        server = asyncio.create_task(answer_next_ask(s, "Still here.", count=1))
        assert await s.agent.ask("are you there?", timeout=10) == "Still here."
        await server
        assert s.agent.status == "connected"
        assert s.agent.skipped_events == len(SKIPPED_FRAMES)
        assert s.seen.texts == ["Still here."]
        assert s.seen.audio == []
        assert outputs(s.conn) == []
    skipped = [r for r in caplog.records if r.name == "navai.agent" and "skipped" in r.getMessage()]
    assert len(skipped) == len(SKIPPED_FRAMES)
    assert {r.levelno for r in skipped} == {logging.DEBUG}


# -- close races and a server that stops answering ------------------------------------------


@pytest.mark.parametrize(("code", "reason"), [(1000, "session over"), (4000, "maintenance")])
async def test_ask_while_the_close_frame_is_in_flight(backend: FakeBackend, code: int, reason: str) -> None:
    """The server's close frame has arrived, its handshake not done: ask() raises the close
    code and reason, and no future is left with an exception nobody retrieved."""
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    try:
        async with session(backend, reconnect=False) as s:
            closing = s.conn.begin_close(code, reason)
            # The SDK connection's websocket: CLOSING once the client has read the close frame.
            websocket = s.agent._connection._connection  # type: ignore[union-attr]
            await eventually(lambda: websocket.state.name != "OPEN")
            asking = asyncio.create_task(s.agent.ask("hello?", timeout=5))
            await asyncio.sleep(0.05)  # ask() is sending: it waits for the handshake to end
            s.conn.finish_close()
            with pytest.raises(NavaiRealtimeError) as caught:
                await asking
            await closing
            assert caught.value.close_code == code
            assert f"({code}: {reason})" in str(caught.value)
            await asyncio.wait_for(s.agent.wait_closed() if code == 1000 else _closed(s.agent), 5)
            assert s.agent.status == "closed"
            del asking, caught
        gc.collect()
        await asyncio.sleep(0.05)
        assert [c.get("message") for c in unhandled] == []
    finally:
        loop.set_exception_handler(previous)


async def _closed(agent: NavaiVoiceAgent) -> None:
    with pytest.raises(NavaiRealtimeError):
        await agent.wait_closed()


def test_a_server_that_stops_answering_pings_is_noticed(tmp_path: Path) -> None:
    """The stand-in process is stopped (SIGSTOP): no pong comes, and with a 0.2 s interval and
    a 0.5 s timeout the session ends within 1.2 s (interval + 2 x timeout), failing the pending
    ask; before, websockets' defaults applied (up to 20 + 20 + the 5 s closing handshake)."""
    with scripted_process([], tmp_path) as (url, process):

        async def talk() -> tuple[NavaiRealtimeError, NavaiRealtimeError, float]:
            fake = FakeBackend()
            try:
                async with AsyncNavaiBackendClient(fake.url) as client:
                    agent = NavaiVoiceAgent(
                        client,
                        env={},
                        mode="text",
                        realtime_url=url,
                        keepalive_interval=0.2,
                        keepalive_timeout=0.5,
                        reconnect=False,
                    )
                    async with agent:
                        asking = asyncio.create_task(agent.ask("hello?", timeout=30))
                        await asyncio.sleep(0.3)  # the question reached the stand-in, then it stops
                        os.kill(process.pid, signal.SIGSTOP)
                        began = time.monotonic()
                        try:
                            with pytest.raises(NavaiRealtimeError) as ended:
                                await asyncio.wait_for(agent.wait_closed(), 10)
                            noticed = time.monotonic() - began
                            with pytest.raises(NavaiRealtimeError) as asked:
                                await asking
                        finally:
                            os.kill(process.pid, signal.SIGCONT)
                    return ended.value, asked.value, noticed
            finally:
                fake.stop()

        ended, asked, noticed = asyncio.run(talk())
    assert noticed < 3.0, noticed  # 1.2 s at most, with room for a loaded machine
    assert ended.close_code == 1011
    assert "keepalive ping timeout" in str(ended)
    assert asked is ended


async def test_the_default_keepalive_notices_a_dead_server_within_15_s(backend: FakeBackend) -> None:
    async with session(backend) as s:
        assert (s.agent.keepalive_interval, s.agent.keepalive_timeout) == (5.0, 5.0)
        websocket = s.agent._connection._connection  # type: ignore[union-attr]
        # What websockets was given: a ping every interval, the connection failed when no pong
        # comes within the timeout, after a closing handshake a dead server never answers.
        assert (websocket.ping_interval, websocket.ping_timeout, websocket.close_timeout) == (5.0, 5.0, 5.0)
        assert websocket.ping_interval + websocket.ping_timeout + websocket.close_timeout <= 15
    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(backend.url) as client:
        with pytest.raises(ValueError, match="keepalive_timeout"):
            NavaiVoiceAgent(client, env={}, realtime_url=realtime.url, keepalive_timeout=0)


# -- callbacks that block -----------------------------------------------------------------


async def test_a_blocking_sync_navigate_runs_off_the_loop(backend: FakeBackend) -> None:
    """navigate() sleeps 1 s: audio deltas and text sent meanwhile still arrive on time."""
    started = threading.Event()
    finished: list[float] = []
    threads: list[threading.Thread] = []
    arrived: dict[bytes, float] = {}
    texts: list[tuple[str, float]] = []

    def navigate(path: str) -> None:
        threads.append(threading.current_thread())
        started.set()
        time.sleep(1.0)
        finished.append(time.monotonic())

    with ThreadedStandIn() as remote:
        async with AsyncNavaiBackendClient(backend.url) as client:
            agent = NavaiVoiceAgent(
                client,
                env={},
                mode="audio",
                realtime_url=remote.url,
                routes=[{"name": "profile", "path": "/profile", "description": "Profile"}],
                navigate=navigate,
                on_audio=lambda pcm: arrived.setdefault(pcm, time.monotonic()),
                on_text=lambda text: texts.append((text, time.monotonic())),
            )
            async with agent:
                conn: StandInConnection = await remote.call(remote.standin.next_connection())

                async def model() -> dict[bytes, float]:
                    await conn.wait_for("session.update")
                    await conn.send(*function_call_response("c_nav", "navigate_to", '{"target":"profile"}'))
                    await asyncio.to_thread(started.wait, 5)
                    sent: dict[bytes, float] = {}
                    for index in range(6):
                        chunk = bytes([index + 1]) * 480
                        sent[chunk] = time.monotonic()
                        await conn.send(
                            {"type": "response.output_audio.delta", "item_id": "item_a", "content_index": 0,
                             "delta": base64.b64encode(chunk).decode()}
                        )  # fmt: skip
                        await asyncio.sleep(0.05)
                    sent[b"text"] = time.monotonic()
                    await conn.send(
                        {"type": "response.output_audio_transcript.done", "transcript": "On my way."}
                    )
                    await conn.wait_for("conversation.item.create")
                    return sent

                sent = await remote.call(model())
                await eventually(lambda: len(arrived) == 6 and texts)
    assert threads
    assert threads[0] is not threading.main_thread()
    lateness = {chunk: arrived[chunk] - at for chunk, at in sent.items() if chunk != b"text"}
    assert max(lateness.values()) < 0.25, lateness
    assert texts[0][0] == "On my way."
    assert texts[0][1] - sent[b"text"] < 0.25
    assert max(arrived.values()) < finished[0]  # all of it while navigate() was still blocking


async def test_sync_navigate_calls_run_one_at_a_time_in_order(backend: FakeBackend) -> None:
    """Three navigate_to calls of one response: in the model's order, never two at once,
    while local functions still get the app's own navigate in their context."""
    log: list[tuple[str, str]] = []
    running: list[str] = []

    def navigate(path: str) -> None:
        assert not running, running
        running.append(path)
        log.append(("start", path))
        time.sleep(0.1)
        log.append(("end", path))
        running.remove(path)

    async with session(backend, navigate=navigate) as s:
        await s.conn.send(
            *function_call_response(
                [
                    ("c1", "navigate_to", '{"target":"profile"}'),
                    ("c2", "navigate_to", '{"target":"/settings"}'),
                    ("c3", "navigate_to", '{"target":"perfil"}'),
                ]
            )
        )
        await s.answers(3)
        assert s.agent.runtime is not None
        assert s.agent.runtime.context["navigate"] is navigate
    paths = ["/profile", "/settings", "/profile"]
    assert log == [(step, path) for path in paths for step in ("start", "end")]
