"""A raw-socket HTTP/1.1 client for hostile-input tests: sends exactly the bytes given.

httpx2 and urllib refuse to send what these tests need (10,000 headers, a header that never
ends, ``Content-Length`` twice, a byte a second), so this module writes bytes to a socket
and reads back what the server answers, or how long it took the server to hang up::

    answer = exchange(port, b"GET /health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    assert answer.status == 200 and answer.json() == {"ok": True}

    with open_connection(port) as sock:
        dropped_after = trickle(sock, b"GET / HTTP/1.1\\r\\n", interval=0.5, limit=10)

Responses are read with ``Content-Length``, chunked encoding or until the server closes;
`read_responses` reads several pipelined answers. Standard library only.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "RawResponse",
    "closed_within",
    "exchange",
    "open_connection",
    "read_response",
    "read_responses",
    "request",
    "trickle",
]

HOST: Final = "127.0.0.1"


@dataclass
class RawResponse:
    """One HTTP response as it came off the wire (header names lower-case)."""

    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of header ``name``, or ``None``."""
        for key, value in self.headers:
            if key == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def is_json(self) -> bool:
        return (self.header("content-type") or "").startswith("application/json")


class _Reader:
    """Buffered reads from a socket, with one deadline for the whole exchange."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.buffer = b""
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete response before the deadline")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        except TimeoutError:
            raise TimeoutError("no complete response before the deadline") from None
        if not data:
            self.eof = True
            return False
        self.buffer += data
        return True

    def until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"connection closed before {marker!r}")
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self._fill():
                raise ConnectionError("connection closed mid-body")
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def rest(self) -> bytes:
        while self._fill():
            pass
        data, self.buffer = self.buffer, b""
        return data


def _read_one(reader: _Reader, *, head_request: bool = False) -> RawResponse:
    head = reader.until(b"\r\n\r\n").decode("latin-1")
    status_line, *lines = head.split("\r\n")
    _version, status, *reason = status_line.split(" ", 2)
    headers = []
    for line in lines:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    response = RawResponse(int(status), reason[0] if reason else "", headers)
    if head_request or response.status in (204, 304) or 100 <= response.status < 200:
        return response
    encoding = (response.header("transfer-encoding") or "").lower()
    length = response.header("content-length")
    if "chunked" in encoding:
        parts = []
        while size := int(reader.until(b"\r\n").split(b";")[0], 16):
            parts.append(reader.exactly(size))
            reader.until(b"\r\n")
        while reader.until(b"\r\n"):
            pass
        response.body = b"".join(parts)
    elif length is not None:
        response.body = reader.exactly(int(length))
    else:
        response.body = reader.rest()
    return response


@contextlib.contextmanager
def open_connection(port: int, *, timeout: float = 10.0) -> Iterator[socket.socket]:
    """A TCP connection to ``127.0.0.1:port``, closed on exit."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    try:
        yield sock
    finally:
        sock.close()


def read_response(sock: socket.socket, *, timeout: float = 10.0, head_request: bool = False) -> RawResponse:
    """Read one response from ``sock``; `TimeoutError` or `ConnectionError` when none comes."""
    return _read_one(_Reader(sock, time.monotonic() + timeout), head_request=head_request)


def read_responses(sock: socket.socket, count: int, *, timeout: float = 10.0) -> list[RawResponse]:
    """Read ``count`` pipelined responses from ``sock``."""
    reader = _Reader(sock, time.monotonic() + timeout)
    return [_read_one(reader) for _ in range(count)]


def exchange(port: int, data: bytes, *, timeout: float = 10.0, head_request: bool = False) -> RawResponse:
    """Send ``data`` on a new connection and read one response.

    A server that refuses a request by closing the connection without answering raises
    `ConnectionError`; one that does nothing raises `TimeoutError`.
    """
    with open_connection(port, timeout=timeout) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        return read_response(sock, timeout=timeout, head_request=head_request)


def request(
    method: str,
    target: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    content_type: str | None = "application/json",
) -> bytes:
    """The bytes of an ordinary request (``Host``, ``Content-Length`` added)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    if body is not None:
        if content_type is not None:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closes ``sock`` (reading and dropping what it sends), or ``None``."""
    start = time.monotonic()
    deadline = start + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        sock.settimeout(remaining)
        try:
            if not sock.recv(65536):
                return time.monotonic() - start
        except ConnectionResetError:
            return time.monotonic() - start
        except TimeoutError:
            return None
    return None


def trickle(sock: socket.socket, data: bytes, *, interval: float, limit: float) -> tuple[float | None, bytes]:
    """Send ``data`` one byte per ``interval`` for at most ``limit`` seconds.

    Returns the seconds until the server hung up (``None`` if it never did) and what it
    sent back meanwhile.
    """
    start = time.monotonic()
    received = b""
    for index in range(len(data)):
        if time.monotonic() - start > limit:
            return None, received
        try:
            sock.sendall(data[index : index + 1])
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - start, received
        sock.settimeout(interval)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - start, received
        if not chunk:
            return time.monotonic() - start, received
        received += chunk
    return None, received
