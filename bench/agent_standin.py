"""The Realtime stand-in of ``make bench-agent``: its own process, on loopback, timed on both sides.

    python -m bench.agent_standin [--connect-delay-ms N]

prints ``ws://127.0.0.1:PORT/v1`` on its first line and serves until stdin closes. Every
connection gets ``session.created``, then obeys the bench's own client events (the real
API would refuse them; they only drive this stand-in):

- ``{"type": "bench.audio", "count": N, "interval_ms": I, "calls": [[call_id, name, arguments], ...]}``:
  sends the calls (``response.function_call_arguments.done`` each, then one ``response.done``),
  then N ``response.output_audio.delta`` events every I ms, each carrying the
  ``time.monotonic_ns()`` of its sending as its 8 audio bytes (one clock for every process
  of the machine), so the agent can tell how late each delta reached ``on_audio``;
- ``{"type": "bench.calls", "calls": [[call_id, name, arguments], ...]}``: sends the calls
  at once and times each from its ``arguments.done`` going out to its
  ``function_call_output`` coming in (off the socket: see ``_StampedConnection``);
- ``{"type": "bench.report"}``: answers ``{"type": "bench.report", "turnaround_ns": {call_id: ns},
  "outputs": {call_id: output}}`` with everything timed since the last report.

``--connect-delay-ms`` holds every WebSocket handshake that long (a far-away server).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import struct
import sys
import time
from collections import deque
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import DATA_OPCODES, Frame

HOST = "127.0.0.1"


def _calls_events(calls: list[list[str]], response_id: str) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    items = []
    for index, (call_id, name, arguments) in enumerate(calls):
        item = {"id": f"fc_{call_id}", "type": "function_call", "call_id": call_id, "name": name}
        items.append({**item, "status": "completed", "arguments": arguments})
        done = {
            "type": "response.function_call_arguments.done",
            "response_id": response_id,
            "item_id": item["id"],
            "output_index": index,
            "call_id": call_id,
            "name": name,
            "arguments": arguments,
        }
        events.append((call_id, done))
    response = {"id": response_id, "status": "completed", "output": items}
    events.append(("", {"type": "response.done", "response": response}))
    return events


class _StampedConnection(ServerConnection):
    """Notes when each message's last frame came off the socket: the turnaround ends there,
    not when this process's handler gets round to the message (a real server's own
    queue is not the agent's time)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: deque[int] = deque()

    def process_event(self, event: Any) -> None:
        if isinstance(event, Frame) and event.fin and event.opcode in DATA_OPCODES:
            self.arrivals.append(time.monotonic_ns())
        super().process_event(event)


class _Connection:
    def __init__(self, websocket: ServerConnection) -> None:
        self.websocket = websocket
        self.sent_ns: dict[str, int] = {}
        self.turnaround_ns: dict[str, int] = {}
        self.outputs: dict[str, str] = {}
        self.responses = 0

    async def send(self, event: dict[str, Any]) -> None:
        await self.websocket.send(json.dumps(event, separators=(",", ":")))

    async def send_calls(self, calls: list[list[str]]) -> None:
        self.responses += 1
        for call_id, event in _calls_events(calls, f"resp_{self.responses}"):
            if call_id:
                self.sent_ns[call_id] = time.monotonic_ns()
            await self.send(event)

    async def stream_audio(self, count: int, interval_ms: float, calls: list[list[str]]) -> None:
        if calls:
            await self.send_calls(calls)
        start = time.monotonic()
        for index in range(count):
            delay = start + index * interval_ms / 1000 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            stamp = base64.b64encode(struct.pack("<q", time.monotonic_ns())).decode()
            await self.send(
                {
                    "type": "response.output_audio.delta",
                    "response_id": "resp_audio",
                    "item_id": "item_audio",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": stamp,
                }
            )

    def received(self, event: dict[str, Any], now: int) -> None:
        item = event.get("item")
        if event.get("type") == "conversation.item.create" and isinstance(item, dict):
            call_id = item.get("call_id")
            if item.get("type") == "function_call_output" and call_id in self.sent_ns:
                self.turnaround_ns[call_id] = now - self.sent_ns.pop(call_id)
                self.outputs[call_id] = item.get("output", "")

    async def report(self) -> None:
        report = {"type": "bench.report", "turnaround_ns": self.turnaround_ns, "outputs": self.outputs}
        self.turnaround_ns, self.outputs = {}, {}
        await self.send(report)


async def _handle(websocket: ServerConnection) -> None:
    connection = _Connection(websocket)
    await connection.send(
        {"type": "session.created", "session": {"id": "sess_bench", "object": "realtime.session"}}
    )
    streams: set[asyncio.Task[None]] = set()
    assert isinstance(websocket, _StampedConnection)
    async for message in websocket:
        now = websocket.arrivals.popleft()
        event = json.loads(message)
        kind = event.get("type")
        if kind == "bench.audio":
            task = asyncio.create_task(
                connection.stream_audio(
                    int(event["count"]), float(event["interval_ms"]), event.get("calls", [])
                )
            )
            streams.add(task)
            task.add_done_callback(streams.discard)
        elif kind == "bench.calls":
            await connection.send_calls(event["calls"])
        elif kind == "bench.report":
            await connection.report()
        else:
            connection.received(event, now)


async def _main(connect_delay_ms: float) -> None:
    async def hold_handshake(_connection: ServerConnection, _request: Any) -> None:
        if connect_delay_ms:
            await asyncio.sleep(connect_delay_ms / 1000)

    async with serve(
        _handle,
        HOST,
        0,
        process_request=hold_handshake,
        max_size=None,
        create_connection=_StampedConnection,
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"ws://{HOST}:{port}/v1", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connect-delay-ms", type=float, default=0.0)
    asyncio.run(_main(parser.parse_args().connect_delay_ms))
