"""A stand-in for the OpenAI Realtime WebSocket API on loopback, for tests.

`RealtimeStandIn` is a ``websockets`` asyncio server on ``127.0.0.1`` (a free port),
started and stopped by the test. Each connection is a `StandInConnection` that records
what the client presented (path, ``model`` query, ``Authorization``) and every client
event, in order, and lets the test push server events and wait for client events::

    async with RealtimeStandIn() as realtime:
        agent = NavaiVoiceAgent(client, realtime_url=realtime.url, mode="text")
        await agent.start()
        conn = await realtime.next_connection()
        update = await conn.wait_for("session.update")
        await conn.send(*function_call_response("call_1", "navigate_to", '{"target": "/a"}'))
        answer = await conn.wait_for("conversation.item.create")

Like the real server it sends ``session.created`` first (``session_created=False`` not to),
and it answers ``conversation.item.truncate`` as the real server does: ``conversation.item.truncated``
when the item is an assistant audio item it sent and ``audio_end_ms`` is within the audio it
sent for that part, else an ``error`` naming the client event. `text_response`,
`function_call_response` and `audio_response` build the events of one whole response,
`error_event` a server error. ``expire_after`` ends each session that many seconds
after it opened, as the real server does at 60 minutes (`StandInConnection.expire`: a
``session_expired`` error, then a close). `ThreadedStandIn` runs the server on a loop of its own
thread, for tests that measure how late the client's loop is.

From a shell (for a client in another process)::

    python -m tests.support.realtime_standin --script SCRIPT.json [--record EVENTS.jsonl]

prints the URL (``ws://127.0.0.1:PORT/v1``) on its first line, then serves until stdin
closes or SIGTERM. ``SCRIPT.json`` is ``{"steps": [{"expect": "<client event type>",
"send": [<server events>]}, ...]}``, played on each connection in order: wait for the
next client event of that type, then send those events. ``--record`` appends one JSON
line per connection (``{"connection": {"path", "model", "authorization"}}``) and one per
client event received.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import contextlib
import json
import logging
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

__all__ = [
    "RealtimeStandIn",
    "StandInConnection",
    "ThreadedStandIn",
    "audio_response",
    "error_event",
    "function_call_response",
    "scripted_process",
    "text_response",
]

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
WAIT_S = 5.0
BYTES_PER_MS = 48
"""PCM16 mono 24 kHz: 24 samples of 2 bytes per millisecond."""
_LOGGER = logging.getLogger("realtime_standin")


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


class StandInConnection:
    """One client connection: what it presented, what it sent, and a way to answer."""

    def __init__(self, websocket: ServerConnection) -> None:
        self.websocket = websocket
        request = websocket.request
        assert request is not None
        target = urlsplit(request.path)
        self.path: str = target.path
        self.query: dict[str, list[str]] = parse_qs(target.query)
        self.headers: dict[str, str] = {key.lower(): value for key, value in request.headers.raw_items()}
        self.raw: list[str] = []
        """Every client message, as received."""
        self.received: list[dict[str, Any]] = []
        """Every client message that is a JSON object, in order."""
        self.closed = asyncio.Event()
        self.audio_sent: dict[tuple[str, int], int] = {}
        """Bytes of assistant audio sent per (item id, content index), from the deltas sent."""
        self._changed = asyncio.Condition()

    @property
    def model(self) -> str | None:
        values = self.query.get("model")
        return values[0] if values else None

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """The client events received so far (of ``event_type``, when given)."""
        return [e for e in self.received if event_type is None or e.get("type") == event_type]

    async def send(self, *events: Mapping[str, Any] | str | bytes) -> None:
        """Send server events (mappings are JSON-encoded; strings and bytes are sent as they are,
        as text and binary frames)."""
        for event in events:
            if isinstance(event, Mapping):
                self._count_audio(event)
            await self.websocket.send(event if isinstance(event, str | bytes) else json.dumps(event))

    def _count_audio(self, event: Mapping[str, Any]) -> None:
        if event.get("type") not in ("response.output_audio.delta", "response.audio.delta"):
            return
        item_id, index, delta = event.get("item_id"), event.get("content_index", 0), event.get("delta")
        if isinstance(item_id, str) and isinstance(index, int) and isinstance(delta, str):
            try:
                size = len(base64.b64decode(delta))
            except ValueError:  # a test sending a broken delta on purpose
                return
            key = (item_id, index)
            self.audio_sent[key] = self.audio_sent.get(key, 0) + size

    async def wait_until(
        self, predicate: Callable[[list[dict[str, Any]]], Any], timeout: float = WAIT_S
    ) -> Any:
        """Wait until ``predicate(received)`` is truthy and return it (TimeoutError after ``timeout``)."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                while not (result := predicate(self.received)):
                    await self._changed.wait()
                return result

    async def wait_for(self, event_type: str, count: int = 1, timeout: float = WAIT_S) -> dict[str, Any]:
        """The ``count``-th client event of ``event_type``, once it has arrived."""

        def nth(received: list[dict[str, Any]]) -> dict[str, Any] | None:
            matching = [e for e in received if e.get("type") == event_type]
            return matching[count - 1] if len(matching) >= count else None

        result: dict[str, Any] = await self.wait_until(nth, timeout)
        return result

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection with a close frame."""
        await self.websocket.close(code, reason)

    def begin_close(self, code: int = 1000, reason: str = "") -> asyncio.Task[None]:
        """Send a close frame and hold the closing handshake open: the client's reply is not
        read until :meth:`finish_close`, so the client stays in CLOSING (its close frame in
        flight) meanwhile. Returns the task of the server's close."""
        self.websocket.transport.pause_reading()
        return asyncio.ensure_future(self.websocket.close(code, reason))

    def finish_close(self) -> None:
        """Read the client's close reply: the handshake completes and the TCP connection ends."""
        self.websocket.transport.resume_reading()

    async def expire(self) -> None:
        """End the session as the real server does at its time limit: a ``session_expired``
        error, then a normal close."""
        with contextlib.suppress(ConnectionClosed):
            await self.send(
                error_event(
                    "session_expired", "Your session hit the maximum duration of 60 minutes.", event_id=None
                )
            )
            await self.close(1000, "session expired")

    def drop(self) -> None:
        """Cut the TCP connection without a close frame (a dropped network)."""
        transport = self.websocket.transport
        transport.abort()

    async def _record(self, message: str | bytes) -> None:
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        self.raw.append(text)
        try:
            event = json.loads(text)
        except ValueError:
            event = None
        async with self._changed:
            if isinstance(event, dict):
                self.received.append(event)
            self._changed.notify_all()
        if isinstance(event, dict) and event.get("type") == "conversation.item.truncate":
            await self._truncate(event)

    async def _truncate(self, event: Mapping[str, Any]) -> None:
        """What the real server checks of a truncate: a known audio part, and no ``audio_end_ms``
        past the audio it holds for it (it rejects that)."""
        item_id, index, end = event.get("item_id"), event.get("content_index"), event.get("audio_end_ms")
        sent = (
            self.audio_sent.get((item_id, index))
            if isinstance(item_id, str) and isinstance(index, int)
            else None
        )
        if sent is None:
            problem = f"Audio content {index!r} of item {item_id!r} not found."
        elif not isinstance(end, int) or isinstance(end, bool) or end < 0:
            problem = f"Invalid audio_end_ms: {end!r}."
        elif end > sent // BYTES_PER_MS:
            problem = f"audio_end_ms {end} is longer than the audio ({sent // BYTES_PER_MS} ms)."
        else:
            await self.send(
                {"type": "conversation.item.truncated", "event_id": _id("event"),
                 "item_id": item_id, "content_index": index, "audio_end_ms": end}
            )  # fmt: skip
            return
        await self.send(error_event("invalid_value", problem, event_id=event.get("event_id")))


class RealtimeStandIn:
    """The stand-in server. `url` is the base URL a client is given (``.../v1``)."""

    def __init__(
        self,
        *,
        session_created: bool = True,
        on_connection: Callable[[StandInConnection], Any] | None = None,
        expire_after: float | None = None,
    ) -> None:
        self.session_created = session_created
        self.on_connection = on_connection
        self.expire_after = expire_after
        self.connections: list[StandInConnection] = []
        self._server: Server | None = None
        self._new = asyncio.Condition()
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://{HOST}:{self.port}/v1"

    async def start(self) -> RealtimeStandIn:
        self._server = await serve(self._handle, HOST, 0, max_size=None, logger=_LOGGER)
        self.port = int(next(iter(self._server.sockets)).getsockname()[1])
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> RealtimeStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def next_connection(self, index: int | None = None, timeout: float = WAIT_S) -> StandInConnection:
        """Connection number ``index`` (default: the next one not yet returned), once it is open."""
        wanted = self._returned if index is None else index
        async with asyncio.timeout(timeout):
            async with self._new:
                while len(self.connections) <= wanted:
                    await self._new.wait()
        if index is None:
            self._returned += 1
        return self.connections[wanted]

    _returned = 0

    async def _handle(self, websocket: ServerConnection) -> None:
        connection = StandInConnection(websocket)
        async with self._new:
            self.connections.append(connection)
            self._new.notify_all()
        if self.session_created:
            await connection.send(
                {
                    "type": "session.created",
                    "event_id": _id("event"),
                    "session": {"type": "realtime", "id": _id("sess"), "model": connection.model},
                }
            )
        hook = asyncio.ensure_future(self.on_connection(connection)) if self.on_connection else None
        expiry = asyncio.ensure_future(self._expire(connection)) if self.expire_after is not None else None
        try:
            async for message in websocket:
                await connection._record(message)
        except ConnectionClosed:
            pass
        finally:
            connection.closed.set()
            async with connection._changed:
                connection._changed.notify_all()
            for task in (hook, expiry):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

    async def _expire(self, connection: StandInConnection) -> None:
        assert self.expire_after is not None
        await asyncio.sleep(self.expire_after)
        await connection.expire()


class ThreadedStandIn:
    """A `RealtimeStandIn` served by an event loop in a thread of its own.

    What the server sends then goes out on time even while the client's loop is blocked,
    so a test can measure how late the client handles it. `run` schedules a coroutine on
    the server's loop and returns a `concurrent.futures.Future` (``asyncio.wrap_future``
    it to await it from the client's loop)::

        with ThreadedStandIn() as remote:
            conn = await remote.call(remote.standin.next_connection())
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="standin-loop", daemon=True)
        self.standin: RealtimeStandIn

    @property
    def url(self) -> str:
        return self.standin.url

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """``coroutine`` run on the server's loop, awaited from the caller's."""
        return await asyncio.wrap_future(self.run(coroutine))

    def __enter__(self) -> ThreadedStandIn:
        self._thread.start()

        async def start() -> RealtimeStandIn:
            return await RealtimeStandIn(**self._options).start()

        self.standin = self.run(start()).result(WAIT_S)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.run(self.standin.stop()).result(WAIT_S)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(WAIT_S)
            self._loop.close()


# -- whole responses --------------------------------------------------------------------


def error_event(
    code: str | None, message: str, *, event_id: Any = None, error_type: str = "invalid_request_error"
) -> dict[str, Any]:
    """An ``error`` server event; ``event_id`` names the client event it is about, as the real
    server echoes it (None when the client event had none)."""
    return {
        "type": "error",
        "event_id": _id("event"),
        "error": {"type": error_type, "code": code, "message": message, "param": None, "event_id": event_id},
    }


def audio_response(
    chunks: Iterable[bytes],
    *,
    transcript: str = "",
    response_id: str | None = None,
    item_id: str | None = None,
) -> list[dict[str, Any]]:
    """The events of an audio response: one assistant item whose audio is ``chunks``
    (``response.output_audio.delta`` each), its transcript, and ``response.done``."""
    response_id = response_id or _id("resp")
    item_id = item_id or _id("item")
    item = {"id": item_id, "type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_audio", "transcript": transcript}]}  # fmt: skip
    where = {"response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0}
    return [
        {"type": "response.created", "response": {"id": response_id, "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "response_id": response_id, "output_index": 0,
         "item": {**item, "status": "in_progress", "content": []}},
        *({"type": "response.output_audio.delta", **where, "delta": base64.b64encode(c).decode()}
          for c in chunks),
        {"type": "response.output_audio.done", **where},
        {"type": "response.output_audio_transcript.done", **where, "transcript": transcript},
        {"type": "response.output_item.done", "response_id": response_id, "output_index": 0, "item": item},
        {"type": "response.done", "response": {"id": response_id, "status": "completed", "output": [item]}},
    ]  # fmt: skip


def text_response(text: str, *, response_id: str | None = None, chunks: int = 2) -> list[dict[str, Any]]:
    """The events of a text-only response: created, text deltas, text done, response.done."""
    response_id = response_id or _id("resp")
    item_id = _id("item")
    size = max(1, -(-len(text) // max(chunks, 1)))
    deltas = [text[i : i + size] for i in range(0, len(text), size)] or [""]
    item = {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text}],
    }
    where = {"response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0}
    return [
        {"type": "response.created", "response": {"id": response_id, "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "response_id": response_id, "output_index": 0,
         "item": {**item, "status": "in_progress", "content": []}},
        *({"type": "response.output_text.delta", **where, "delta": d} for d in deltas),
        {"type": "response.output_text.done", **where, "text": text},
        {"type": "response.output_item.done", "response_id": response_id, "output_index": 0, "item": item},
        {"type": "response.done", "response": {"id": response_id, "status": "completed", "output": [item]}},
    ]  # fmt: skip


def function_call_response(
    calls: Iterable[tuple[str, str, str]] | str,
    name: str | None = None,
    arguments: str = "",
    *,
    response_id: str | None = None,
) -> list[dict[str, Any]]:
    """The events of a response whose output is function calls, as the real server sends them.

    ``calls`` is ``(call_id, name, arguments)`` triples, or one call id with ``name`` and
    ``arguments``. Each call appears four times: an in-progress item (name, no
    arguments), ``function_call_arguments.done``, the completed item, and ``response.done``.
    """
    triples = [(calls, name or "", arguments)] if isinstance(calls, str) else list(calls)
    response_id = response_id or _id("resp")
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": response_id, "status": "in_progress", "output": []}}
    ]
    items = []
    for index, (call_id, call_name, call_arguments) in enumerate(triples):
        item = {"id": _id("fc"), "type": "function_call", "call_id": call_id, "name": call_name}
        done = {**item, "status": "completed", "arguments": call_arguments}
        items.append(done)
        events += [
            {"type": "response.output_item.added", "response_id": response_id, "output_index": index,
             "item": {**item, "status": "in_progress", "arguments": ""}},
            {"type": "response.function_call_arguments.delta", "response_id": response_id,
             "item_id": item["id"], "call_id": call_id, "delta": call_arguments},
            {"type": "response.function_call_arguments.done", "response_id": response_id,
             "item_id": item["id"], "output_index": index, "call_id": call_id, "name": call_name,
             "arguments": call_arguments},
            {"type": "response.output_item.done", "response_id": response_id, "output_index": index,
             "item": done},
        ]  # fmt: skip
    events.append(
        {"type": "response.done", "response": {"id": response_id, "status": "completed", "output": items}}
    )
    return events


# -- command line ---------------------------------------------------------------------


def _scripted(steps: list[dict[str, Any]], record: TextIO | None) -> Callable[[StandInConnection], Any]:
    async def play(connection: StandInConnection) -> None:
        if record is not None:
            header = {
                "path": connection.path,
                "model": connection.model,
                "authorization": connection.authorization,
            }
            record.write(json.dumps({"connection": header}) + "\n")
            record.flush()
        written = 0
        position = 0

        def flush() -> None:
            nonlocal written
            if record is not None:
                for event in connection.received[written:]:
                    record.write(json.dumps(event) + "\n")
                record.flush()
            written = len(connection.received)

        for step in steps:
            expected = step.get("expect")
            if expected:

                def found(
                    received: list[dict[str, Any]], expected: str = expected, start: int = position
                ) -> int | None:
                    for index in range(start, len(received)):
                        if received[index].get("type") == expected:
                            return index + 1
                    return None

                position = await connection.wait_until(found, timeout=3600)
            flush()
            await connection.send(*step.get("send", []))
        while not connection.closed.is_set():
            await connection.wait_until(
                lambda r: len(r) > written or connection.closed.is_set(), timeout=3600
            )
            flush()

    return play


async def _serve(script: Path, record_path: Path | None) -> None:
    steps = json.loads(script.read_text(encoding="utf-8")).get("steps", [])
    record = record_path.open("a", encoding="utf-8") if record_path else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    try:
        async with RealtimeStandIn(on_connection=_scripted(steps, record)) as realtime:
            print(realtime.url, flush=True)
            await stop.wait()
    finally:
        if record is not None:
            record.close()


@contextlib.contextmanager
def scripted_process(
    steps: list[dict[str, Any]], folder: Path, *, record: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """This module as a process playing ``steps``: (its URL, the process). The script goes
    into ``folder``; at exit stdin is closed, so the stand-in stops (killed if it does not)."""
    script = folder / "realtime_script.json"
    script.write_text(json.dumps({"steps": steps}), encoding="utf-8")
    command = [sys.executable, "-m", "tests.support.realtime_standin", "--script", str(script)]
    if record is not None:
        command += ["--record", str(record)]
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:"), url
        yield url, process
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--script", type=Path, required=True, help="JSON file: {'steps': [...]}")
    parser.add_argument(
        "--record", type=Path, default=None, help="append received client events (JSON lines)"
    )
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.script, args.record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
