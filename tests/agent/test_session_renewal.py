"""Sessions that outlive the Realtime API's cap and survive drops (issue 17, item 4).

The stand-in expires each session 1.5 s after it opens (``session_expired``, then a
close), as the real server does at 60 minutes, or drops the TCP connection on cue. The
agent reopens the session with a fresh secret, the same ``session.update`` and the
conversation's texts replayed; these tests check what each new connection received.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from navai import AsyncNavaiBackendClient, NavaiInvalidRequestError, NavaiRealtimeError
from navai.agent import NavaiVoiceAgent, Reconnection
from tests.support.realtime_standin import (
    RealtimeStandIn,
    StandInConnection,
    function_call_response,
    text_response,
)

from .test_session import FakeBackend

pytestmark = pytest.mark.anyio


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    fake = FakeBackend()
    yield fake
    fake.stop()


async def eventually(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def answering(delay: float = 0.0) -> Any:
    """An on_connection hook: each response.create is answered "Answer N." (N counts across
    connections), ``delay`` seconds later."""
    numbers = itertools.count(1)

    async def model(conn: StandInConnection) -> None:
        answered = 0
        while True:
            await conn.wait_for("response.create", count=answered + 1, timeout=3600)
            answered += 1
            await asyncio.sleep(delay)
            await conn.send(*text_response(f"Answer {next(numbers)}."))

    return model


def replayed(conn: StandInConnection) -> list[tuple[str, str]]:
    """(role, text) of the messages a new connection was given before its first question
    (the user message its first response.create follows)."""
    items = []
    for event in conn.received[1:]:
        if event.get("type") == "response.create":
            return items[:-1]
        if event.get("type") != "conversation.item.create" or event["item"].get("type") != "message":
            break
        items.append((event["item"]["role"], event["item"]["content"][0]["text"]))
    return items


@pytest.fixture
async def agent_on(backend: FakeBackend) -> AsyncIterator[Any]:
    """Make an agent on a stand-in: ``await make(realtime, **options)``; closed at the end."""
    clients: list[AsyncNavaiBackendClient] = []
    agents: list[NavaiVoiceAgent] = []

    async def make(realtime: RealtimeStandIn, **options: Any) -> NavaiVoiceAgent:
        client = AsyncNavaiBackendClient(backend.url)
        clients.append(client)
        arguments: dict[str, Any] = {"mode": "text", "env": {}, "realtime_url": realtime.url}
        agent = NavaiVoiceAgent(client, **{**arguments, **options})
        agents.append(agent)
        await agent.start()
        return agent

    yield make
    for agent in agents:
        await agent.close()
    for client in clients:
        await client.aclose()


async def test_a_conversation_survives_three_expiries_and_a_drop_with_its_context(
    backend: FakeBackend, agent_on: Any
) -> None:
    reconnects: list[Reconnection] = []
    errors: list[NavaiRealtimeError] = []
    async with RealtimeStandIn(on_connection=answering(), expire_after=1.5) as realtime:
        agent = await agent_on(
            realtime, on_reconnect=reconnects.append, on_error=errors.append, session_lifetime=None
        )
        replies = [await agent.ask("Question 1", timeout=5)]
        for number in (2, 3, 4):  # each session expires 1.5 s after it opened
            await eventually(lambda number=number: len(reconnects) == number - 1)
            replies.append(await agent.ask(f"Question {number}", timeout=5))
        realtime.connections[-1].drop()
        await eventually(lambda: len(reconnects) == 4)
        replies.append(await agent.ask("Question 5", timeout=5))
        assert agent.status == "connected"
        # As things stand now: the fifth session expires in turn a moment later.
        connections, minted = realtime.connections[:5], backend.minted[:5]
        reconnects, reconnections = reconnects[:4], agent.reconnections

    assert replies == [f"Answer {n}." for n in range(1, 6)]
    assert [(r.reason, r.attempts) for r in reconnects] == [("expired", 1)] * 3 + [("dropped", 1)]
    assert reconnections == 4
    assert [e.code for e in errors][:3] == ["session_expired"] * 3
    # A fresh secret for every session; the same configuration each time.
    assert len(set(minted)) == 5
    assert [c.authorization for c in connections] == [f"Bearer {m}" for m in minted]
    first_update = connections[0].received[0]
    for number, conn in enumerate(connections, start=1):
        assert conn.received[0] == first_update
        history = [
            item
            for n in range(1, number)
            for item in (("user", f"Question {n}"), ("assistant", f"Answer {n}."))
        ]
        assert replayed(conn) == history
        assert [r.restored for r in reconnects][number - 2 : number - 1] == (
            [len(history)] if number > 1 else []
        )
        question = conn.received[1 + len(history)]
        assert question["item"]["content"][0]["text"] == f"Question {number}"


async def test_the_session_is_renewed_ahead_of_its_cap_at_a_pause(
    backend: FakeBackend, agent_on: Any
) -> None:
    """session_lifetime 0.6 s, the server's cap 3 s: renewed before any expiry, and not in the
    middle of an answer (the one in progress when the renewal is due completes)."""
    reconnects: list[Reconnection] = []
    errors: list[NavaiRealtimeError] = []
    async with RealtimeStandIn(on_connection=answering(delay=0.6), expire_after=3.0) as realtime:
        agent = await agent_on(
            realtime, on_reconnect=reconnects.append, on_error=errors.append, session_lifetime=0.6
        )
        began = time.monotonic()
        assert await agent.ask("Question 1", timeout=5) == "Answer 1."  # due at 0.6 s, answered at ~0.6 s
        await eventually(lambda: len(reconnects) == 1)
        assert await agent.ask("Question 2", timeout=5) == "Answer 2."
        await eventually(lambda: len(reconnects) == 2)
        elapsed = time.monotonic() - began
        connections = list(realtime.connections)
    assert [r.reason for r in reconnects] == ["renewal", "renewal"]
    assert errors == []  # no session_expired: each was renewed first
    assert elapsed < 3.0
    assert replayed(connections[1]) == [("user", "Question 1"), ("assistant", "Answer 1.")]
    assert replayed(connections[2])[-2:] == [("user", "Question 2"), ("assistant", "Answer 2.")]
    for old in connections[:2]:
        assert old.closed.is_set()


async def test_a_drop_mid_turn_fails_that_ask_and_answers_the_running_tool_call_once(
    backend: FakeBackend, agent_on: Any
) -> None:
    release = asyncio.Event()
    runs: list[str] = []

    async def lookup(city: str) -> str:
        """Slow lookup."""
        runs.append(city)
        await release.wait()
        return f"sunny in {city}"

    reconnects: list[Reconnection] = []
    async with RealtimeStandIn() as realtime:
        agent = await agent_on(realtime, functions=[lookup], on_reconnect=reconnects.append, restore_limit=25)
        first = await realtime.next_connection()

        async def model() -> None:
            await first.wait_for("response.create")
            await first.send(*text_response("Hello."))
            await first.wait_for("response.create", count=2)
            arguments = '{"function_name":"lookup","payload":{"args":["Lima"]}}'
            await first.send(*function_call_response("call_1", "execute_app_function", arguments))

        server = asyncio.create_task(model())
        assert await agent.ask("Hi there", timeout=5) == "Hello."
        asking = asyncio.create_task(agent.ask("Weather in Lima?", timeout=5))
        await eventually(lambda: runs == ["Lima"])
        await server
        first.drop()
        with pytest.raises(NavaiRealtimeError, match="ask again") as caught:
            await asking
        assert caught.value.code == "session_interrupted"
        assert caught.value.close_code == 1006
        second = await realtime.next_connection()
        await eventually(lambda: len(reconnects) == 1)
        release.set()
        answer = await second.wait_for("conversation.item.create", count=4)
        # Replayed: the most recent texts within 25 characters, then the call still running.
        assert [e["item"] for e in second.received[1:4]] == [
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello."}]},
            {"type": "message", "role": "user",
             "content": [{"type": "input_text", "text": "Weather in Lima?"}]},
            {"type": "function_call", "call_id": "call_1", "name": "execute_app_function",
             "arguments": '{"function_name": "lookup", "payload": {"args": ["Lima"]}}'},
        ]  # fmt: skip
        assert reconnects[0].restored == 3
        assert answer["item"]["type"] == "function_call_output"
        assert answer["item"]["call_id"] == "call_1"
        assert "sunny in Lima" in answer["item"]["output"]
        await second.wait_for("response.create")
        await second.send(*text_response("It is sunny."))
        await asyncio.sleep(0.1)
        outputs = [
            e
            for conn in realtime.connections
            for e in conn.received
            if e.get("type") == "conversation.item.create" and e["item"]["type"] == "function_call_output"
        ]
        assert len(outputs) == 1  # answered once, on the new session
        assert runs == ["Lima"]  # and run once
        second_answer = asyncio.create_task(agent.ask("Thanks", timeout=5))
        await second.wait_for("response.create", count=2)
        await second.send(*text_response("You're welcome."))
        assert await second_answer == "You're welcome."


async def test_after_the_attempts_the_session_ends_with_an_error(backend: FakeBackend, agent_on: Any) -> None:
    reconnects: list[Reconnection] = []
    async with RealtimeStandIn() as realtime:
        agent = await agent_on(
            realtime, on_reconnect=reconnects.append, reconnect_attempts=3, reconnect_backoff=0.05
        )
        conn = await realtime.next_connection()
        backend.mint_status = 500
        began = time.monotonic()
        conn.drop()
        with pytest.raises(NavaiRealtimeError, match="after 3 attempts") as caught:
            await asyncio.wait_for(agent.wait_closed(), 5)
        elapsed = time.monotonic() - began
        assert "mint failed" in str(caught.value)
        assert agent.status == "closed"
        with pytest.raises(NavaiRealtimeError, match="after 3 attempts"):
            await agent.ask("anyone?", timeout=5)
    mints = [r for r in backend.requests if r[1] == "/navai/realtime/client-secret"]
    assert len(mints) == 1 + 3
    assert 0.05 + 0.1 <= elapsed < 3.0  # backoff between attempts: 0.05 s, then 0.1 s
    assert reconnects == []
    assert len(realtime.connections) == 1


async def test_reconnect_false_lets_the_session_end(backend: FakeBackend, agent_on: Any) -> None:
    async with RealtimeStandIn(expire_after=0.3) as realtime:
        agent = await agent_on(realtime, reconnect=False)
        await asyncio.wait_for(agent.wait_closed(), 5)  # a normal close after session_expired
        assert agent.status == "closed"
        assert len(realtime.connections) == 1
        with pytest.raises(NavaiRealtimeError, match=r"closed the connection \(1000: session expired\)"):
            await agent.ask("still there?")


async def test_ask_before_start_still_says_so(backend: FakeBackend) -> None:
    async with AsyncNavaiBackendClient(backend.url) as client:
        agent = NavaiVoiceAgent(client, env={})
        with pytest.raises(NavaiInvalidRequestError, match="not started"):
            await asyncio.wait_for(agent.ask("hi"), 2)


async def test_the_terminal_chat_goes_on_after_a_drop(backend: FakeBackend) -> None:
    """navai agent's chat loop: the message the connection dropped under is reported on
    stderr, and the next one is answered on the reopened session."""
    from navai.agent._chat import chat

    async def model(conn: StandInConnection) -> None:
        await conn.wait_for("response.create")
        if len(realtime.connections) == 1:
            conn.drop()
        else:
            await conn.send(*text_response("Second answer."))

    out, err = io.StringIO(), io.StringIO()
    async with (
        RealtimeStandIn(on_connection=model) as realtime,
        AsyncNavaiBackendClient(backend.url) as client,
    ):

        class Lines(io.StringIO):
            """stdin: the second line comes once the session was reopened."""

            def __iter__(self) -> Any:
                yield "first question\n"
                deadline = time.monotonic() + 10
                while len(realtime.connections) < 2 and time.monotonic() < deadline:
                    time.sleep(0.01)
                yield "second question\n"

        await asyncio.wait_for(chat(client, lines=Lines(), out=out, err=err, realtime_url=realtime.url), 10)
    assert out.getvalue() == "Second answer.\n"
    assert "warning: The Realtime session ended during this turn (1006)" in err.getvalue()


async def test_a_tool_answer_that_meets_the_drop_first_goes_to_the_new_session(
    backend: FakeBackend, agent_on: Any
) -> None:
    """The tool's answer finds the connection closed before the receive loop does (it is
    held in a callback): the answer waits, and goes to the reopened session, once."""
    started, release, holding, resume = asyncio.Event(), asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def slow() -> str:
        """Waits to be released."""
        started.set()
        await release.wait()
        return "done"

    async def on_event(event: dict[str, Any]) -> None:
        if event["type"] == "test.hold":
            holding.set()
            await resume.wait()

    async with RealtimeStandIn() as realtime:
        agent = await agent_on(realtime, functions=[slow], on_event=on_event)
        first = await realtime.next_connection()
        await first.send(
            *function_call_response("call_s", "execute_app_function", '{"function_name":"slow"}')
        )
        await asyncio.wait_for(started.wait(), 5)
        await first.send({"type": "test.hold"})
        await asyncio.wait_for(holding.wait(), 5)
        first.drop()
        await asyncio.sleep(0.05)
        release.set()  # the answer is sent on the dead connection; the loop has not seen it
        await asyncio.sleep(0.1)
        resume.set()
        second = await realtime.next_connection()
        answer = await second.wait_for("conversation.item.create", count=2)
        assert second.received[1]["item"]["type"] == "function_call"
        assert answer["item"] == {
            "type": "function_call_output",
            "call_id": "call_s",
            "output": answer["item"]["output"],
        }
        assert '"result":"done"' in answer["item"]["output"]
        assert [e for e in first.received if e.get("type") == "conversation.item.create"] == []
        assert agent.reconnections == 1
