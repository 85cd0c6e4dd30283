"""A burst of frames leaves corked: the peer reads it at once, not frame by frame (real sockets)."""

from __future__ import annotations

import asyncio
import socket
import sys

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from navai.agent._wire import connection_class, corked

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        not hasattr(socket, "TCP_CORK"), reason=f"no TCP_CORK on {sys.platform}: bursts go uncorked"
    ),
]


async def _reads_of_a_burst(cork: bool, gap: float) -> list[bytes]:
    """Three writes ``gap`` s apart, read by the peer as they arrive: the chunks it got by the
    end of the burst, and then (when none came during it) the chunk the cork held."""
    received: asyncio.Queue[bytes] = asyncio.Queue()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while chunk := await reader.read(1024):
            received.put_nowait(chunk)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        with corked(writer.transport if cork else None):
            for part in (b"one,", b"two,", b"three"):
                writer.write(part)
                await asyncio.sleep(gap)
            await asyncio.sleep(gap)
            during = [received.get_nowait() for _ in range(received.qsize())]
        if during:
            return during
        return [await asyncio.wait_for(received.get(), 5)]
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


async def test_a_corked_burst_is_held_until_the_block_ends_and_then_sent_at_once() -> None:
    # Linux sends corked data by itself after 200 ms: the burst stays well within that.
    assert await _reads_of_a_burst(cork=True, gap=0.02) == [b"one,two,three"]
    uncorked = await _reads_of_a_burst(cork=False, gap=0.05)  # each write its own segment
    assert b"".join(uncorked) == b"one,two,three"
    assert len(uncorked) > 1


async def test_corked_is_a_no_op_without_a_transport_or_a_tcp_socket() -> None:
    with corked(None):
        pass
    left, right = socket.socketpair()  # a Unix socket: TCP_CORK does not apply
    try:
        transport_like = type("T", (), {"get_extra_info": lambda self, name: left})()
        with corked(transport_like):  # type: ignore[arg-type]
            left.send(b"x")
        assert right.recv(1) == b"x"
    finally:
        left.close()
        right.close()


async def test_the_connection_class_hands_over_the_socket_that_corked_holds() -> None:
    seen: list[asyncio.BaseTransport] = []

    async def echo(websocket: object) -> None:
        async for message in websocket:  # type: ignore[attr-defined]
            await websocket.send(message)  # type: ignore[attr-defined]

    async with serve(echo, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}", create_connection=connection_class(seen.append)) as ws:
            assert len(seen) == 1
            sock = seen[0].get_extra_info("socket")
            with corked(seen[0]):
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK) == 1
                await ws.send("hi")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK) == 0
            assert await ws.recv() == "hi"
