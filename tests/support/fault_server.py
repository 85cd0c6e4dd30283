"""A loopback HTTP server that misbehaves on purpose, for fault-tolerance tests.

The ``X-Fault`` request header, or else the first path segment, picks the fault; the rest
of the path is a NAVAI route. ``X-Fault-Seconds`` sets how long the slow faults (``stall``,
``trickle``, ``slow_head``) go on before the server gives up and closes the connection
(default `SLOW_SECONDS`). ``ok`` answers correctly, so a test can send a faulty call and
then a healthy one through the same connection pool::

    with FaultServer() as server:
        client = NavaiBackendClient(f"{server.url}/ok", max_connections=1)
        client.execute_function("echo", headers={"X-Fault": "truncate"})  # raises
        client.execute_function("echo")                                    # still works
"""

from __future__ import annotations

import functools
import gzip
import json
import socket
import struct
import threading
import time
from types import TracebackType

FAULTS = (
    "ok",
    "reset_before_response",
    "reset_mid_body",
    "truncate",
    "stall",
    "trickle",
    "huge",
    "html",
    "bad_chunked",
    "redirect",
    "gzip",
    "close",
    "chunked",
    "interim",
    "http10",
    "slow_head",
    "idle_close",
    "close_soon",
    "slow_ok",
    "see_other",
    "multiple_choices",
    "gzip_bomb",
    "garbage",
    "slow_redirect",
)
HUGE_BYTES = 10 * 1024 * 1024
SLOW_SECONDS = 30.0
"""How long ``stall``, ``trickle`` and ``slow_head`` last unless ``X-Fault-Seconds`` says otherwise."""
TRICKLE_INTERVAL = 0.05
"""Seconds between two bytes of ``trickle`` and ``slow_head``: well inside any read timeout."""
SLOW_REDIRECT_SECONDS = 0.2
"""How long ``slow_redirect`` takes to answer each request."""
GARBAGE = b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe not http at all \x1b[31m\r\n\r\n"


def _ok_body(route: str) -> bytes:
    if route.endswith("/functions"):
        return json.dumps({"items": [{"name": "echo", "description": "Echo."}], "warnings": []}).encode()
    if route.endswith("/client-secret"):
        return json.dumps({"value": "ek_fault_server_ok", "expires_at": int(time.time()) + 600}).encode()
    return json.dumps({"ok": True, "function_name": "echo", "source": "fault", "result": "pong"}).encode()


@functools.cache
def gzip_bomb() -> bytes:
    return gzip.compress(bytes(50_000_000), compresslevel=9)


def _head(status: str, length: int | None, content_type: str = "application/json", extra: str = "") -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", "Connection: keep-alive"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


class FaultServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept_loop, name="fault-server", daemon=True)
        self.requests: list[str] = []
        """Request lines seen, as "METHOD target"."""
        self.heads: list[list[str]] = []
        """The header lines of each request seen."""
        self.bodies: list[bytes] = []
        """The body of each request seen."""
        self.connections_accepted = 0
        self.connections_ended = 0
        self.requests_served = 0
        self.redirect_base = ""
        """Where the redirecting faults send the client: "" for this server, else another origin."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()
        with self._lock:
            for conn in self._connections:
                conn.close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
                self.connections_accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(
        self, conn: socket.socket, buffer: bytes
    ) -> tuple[str, str | None, float, bytes] | None:
        while b"\r\n\r\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        fault = None
        seconds = SLOW_SECONDS
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
            if name.strip().lower() == "x-fault":
                fault = value.strip()
            if name.strip().lower() == "x-fault-seconds":
                seconds = float(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        path = lines[0].split(" ")[1]
        self.requests.append(f"{lines[0].split(' ')[0]} {path}")
        self.heads.append(lines[1:])
        self.bodies.append(rest[:length])
        return path, fault, seconds, rest[length:]

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        try:
            while not self._stop.is_set():
                request = self._read_request(conn, buffer)
                if request is None:
                    return
                path, header_fault, seconds, buffer = request
                self.requests_served += 1
                fault, _, route = path.lstrip("/").partition("/")
                if not self._respond(conn, header_fault or fault, "/" + route, seconds):
                    return
        except OSError:
            return
        finally:
            conn.close()
            with self._lock:
                self.connections_ended += 1

    def _respond(self, conn: socket.socket, fault: str, route: str, seconds: float = SLOW_SECONDS) -> bool:
        """Answer one request; False when the connection must end."""
        body = _ok_body(route)
        if fault == "ok":
            conn.sendall(_head("200 OK", len(body)) + body)
            return True
        if fault == "reset_before_response":
            self._reset(conn)
            return False
        if fault == "reset_mid_body":
            conn.sendall(_head("200 OK", len(body) + 500) + body[:10])
            time.sleep(0.05)
            self._reset(conn)
            return False
        if fault == "truncate":
            conn.sendall(_head("200 OK", len(body) + 500) + body[:10])
            conn.shutdown(socket.SHUT_WR)
            return False
        if fault == "stall":
            self._stop.wait(seconds)
            return False
        if fault == "trickle":  # a byte at a time, each well inside the read timeout; never complete
            conn.sendall(_head("200 OK", 100_000))
            for _ in range(round(seconds / TRICKLE_INTERVAL)):
                if self._stop.wait(TRICKLE_INTERVAL):
                    break
                conn.sendall(b" ")
            return False
        if fault == "slow_redirect":  # each answer well inside the read timeout, redirecting for ever
            self._stop.wait(SLOW_REDIRECT_SECONDS)
            location = f"{self.redirect_base}/slow_redirect{route}"
            conn.sendall(_head("307 Temporary Redirect", 0, extra=f"Location: {location}\r\n"))
            return True
        if fault == "garbage":  # not HTTP at all
            conn.sendall(GARBAGE)
            conn.shutdown(socket.SHUT_WR)
            return False
        if fault == "huge":
            padding = b" " * (HUGE_BYTES - len(body))
            conn.sendall(_head("200 OK", len(body) + len(padding)) + padding + body)
            return True
        if fault == "html":
            page = b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"
            conn.sendall(_head("200 OK", len(page), content_type="text/html") + page)
            return True
        if fault == "bad_chunked":
            conn.sendall(
                _head("200 OK", None, extra="Transfer-Encoding: chunked\r\n") + b"zz\r\nnot a chunk\r\n"
            )
            conn.shutdown(socket.SHUT_WR)
            return False
        if fault == "redirect":
            conn.sendall(
                _head("307 Temporary Redirect", 0, extra=f"Location: {self.redirect_base}/ok{route}\r\n")
            )
            return True
        if fault == "gzip":
            packed = gzip.compress(body)
            conn.sendall(_head("200 OK", len(packed), extra="Content-Encoding: gzip\r\n") + packed)
            return True
        if fault == "close":
            head = _head("200 OK", len(body)).replace(b"Connection: keep-alive", b"Connection: close")
            conn.sendall(head + body)
            return False
        if fault == "chunked":
            head = _head("200 OK", None, extra="Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n")
            third = len(body) // 3
            pieces = [body[:third], body[third : 2 * third], body[2 * third :]]
            wire = head + b"".join(b"%x;part=1\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
            wire += b"0\r\nX-Checksum: none\r\n\r\n"
            for start in range(0, len(wire), 7):  # arrives in many small reads, split anywhere
                conn.sendall(wire[start : start + 7])
                time.sleep(0.001)
            return True
        if fault == "interim":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            time.sleep(0.01)
            conn.sendall(_head("200 OK", len(body)) + body)
            return True
        if fault == "http10":  # no length: the body ends when the connection closes
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body)
            return False
        if fault == "idle_close":  # a keep-alive answer, then the server drops the idle connection
            conn.sendall(_head("200 OK", len(body)) + body)
            self._stop.wait(0.1)
            return False
        if fault == "close_soon":  # a keep-alive answer, then the server drops the connection at once
            conn.sendall(_head("200 OK", len(body)) + body)
            time.sleep(0.02)
            return False
        if fault == "slow_ok":
            self._stop.wait(0.3)
            conn.sendall(_head("200 OK", len(body)) + body)
            return True
        if fault == "see_other":
            conn.sendall(_head("303 See Other", 0, extra=f"Location: {self.redirect_base}/ok{route}\r\n"))
            return True
        if fault == "multiple_choices":
            conn.sendall(
                _head("300 Multiple Choices", 0, extra=f"Location: {self.redirect_base}/ok{route}\r\n")
            )
            return True
        if fault == "gzip_bomb":  # 50 MB of zeros in about 50 KB
            packed = gzip_bomb()
            conn.sendall(_head("200 OK", len(packed), extra="Content-Encoding: gzip\r\n") + packed)
            return True
        if fault == "slow_head":  # the head a byte at a time for ``seconds`` (padded); then no body
            head = _head("200 OK", len(body))
            pad = round(seconds / TRICKLE_INTERVAL) - len(head) - len("X-Padding: \r\n")
            if pad > 0:
                head = _head("200 OK", len(body), extra=f"X-Padding: {'a' * pad}\r\n")
            for byte in head:
                if self._stop.wait(seconds / len(head)):
                    break
                conn.sendall(bytes([byte]))
            return False
        conn.sendall(_head("404 Not Found", 0))
        return True

    @staticmethod
    def _reset(conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
