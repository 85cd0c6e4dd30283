"""uvicorn's httptools protocol with the bounds Node's HTTP server keeps on every connection.

uvicorn (0.55, httptools) reads a header section of any size, and waits forever for
headers or a body that trickle in or stall. Node refuses a header section past 16 KB
(431) and drops a request whose headers take longer than ``headersTimeout`` (60 s) or
whose whole request takes longer than ``requestTimeout`` (300 s), with 408.
`BoundedHttpToolsProtocol` gives uvicorn the same three bounds. It parses nothing itself:
llhttp (through uvicorn's protocol) does, and this class only counts the bytes the
parser reports, starts and stops two timers on the parser's callbacks, and answers
refusals (and uvicorn's own 400) with a JSON body, so that every refusal a client gets
is ``{"error": message}``. It also keeps reading paused while pipelined requests are
queued, which bounds what a client that never reads its answers can make the server hold.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sized
from typing import Any

from .._extras import needs_extra
from ._serve import DEFAULT_HEADERS_TIMEOUT, DEFAULT_MAX_HEADER_BYTES, DEFAULT_REQUEST_TIMEOUT

with needs_extra("server", "navai.server"):
    from uvicorn.config import Config
    from uvicorn.protocols.http.flow_control import FlowControl
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol, RequestResponseCycle

_DEFAULTS = {
    "max_header_bytes": DEFAULT_MAX_HEADER_BYTES,
    "headers_timeout": DEFAULT_HEADERS_TIMEOUT,
    "request_timeout": DEFAULT_REQUEST_TIMEOUT,
}

__all__ = ["BoundedHttpToolsProtocol", "refusal"]


def refusal(status: int, message: str) -> bytes:
    """A complete ``Connection: close`` response with a ``{"error": message}`` body."""
    body = json.dumps({"error": message}).encode()
    head = (
        b"content-type: application/json; charset=utf-8\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n"
    )
    return STATUS_LINE[status] + head + body


class _PipelineFlow(FlowControl):
    """uvicorn's flow control, except that reading stays paused while requests are queued.

    uvicorn resumes reading whenever a request's body is read or an answer is complete, so
    a client that pipelines requests and never reads the answers had another read's worth
    of requests queued each time, without bound.
    """

    def __init__(self, transport: asyncio.Transport, pipeline: Sized) -> None:
        super().__init__(transport)
        self._pipeline = pipeline

    def resume_reading(self) -> None:
        if not self._pipeline:
            super().resume_reading()


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a request that is refused."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol plus a header size cap, a headers timeout and a request timeout.

    An HTTP/1.1 request without ``Host`` is refused (400), as Node refuses it.

    The bounds come from the uvicorn config's ``navai_limits`` (set by ``make_server``;
    a plain attribute, so it reaches ``--workers`` processes), else Node's defaults.
    """

    def __init__(self, config: Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        limits = getattr(config, "navai_limits", _DEFAULTS)
        self.max_header_bytes = int(limits["max_header_bytes"])
        self.headers_timeout = float(limits["headers_timeout"])
        self.request_timeout = float(limits["request_timeout"])
        self._head_size = 0  # request line and complete headers of the message being read
        self._partial_head = 0  # bytes received while the header section was still incomplete
        self._in_head = True
        self._crossed = False  # a message ended during the current feed
        self._refused: bytes | None = None
        self._headers_timer: asyncio.TimerHandle | None = None
        self._request_timer: asyncio.TimerHandle | None = None
        self._running: RequestResponseCycle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.flow = _PipelineFlow(transport, self.pipeline)
        self._headers_timer = self.loop.call_later(self.headers_timeout, self._headers_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        running = self._running
        if running is not None and running is not self.cycle and not running.response_complete:
            # uvicorn marks only the newest parsed request as disconnected; with pipelined
            # requests queued behind it, the one running would write to a closed transport.
            running.disconnected = True
            running.message_event.set()
        super().connection_lost(exc)

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        self._running = cycle
        super()._start_asgi_task(cycle, app)

    def data_received(self, data: bytes) -> None:
        self._crossed = False
        super().data_received(data)
        if self._in_head and not self.transport.is_closing():
            # A feed that ended a message may hold the next head's start: not counted, so
            # a pipelining client is never refused for its earlier requests' bytes.
            self._partial_head = 0 if self._crossed else self._partial_head + len(data)
            if self._partial_head > self.max_header_bytes:
                self._refuse_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_size = 0
        if self._headers_timer is None:
            self._headers_timer = self.loop.call_later(self.headers_timeout, self._headers_timed_out)
        self._request_timer = self.loop.call_later(self.request_timeout, self._request_timed_out)

    def on_url(self, url: bytes) -> None:
        self._grow_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._grow_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self.parser.get_http_version() == "1.1" and not any(name == b"host" for name, _ in self.headers):
            self._refused = refusal(400, "Missing Host header.")  # RFC 9112 3.2, as Node refuses it
            raise _Refused
        self._in_head = False
        self._partial_head = 0
        if self._headers_timer is not None:
            self._headers_timer.cancel()
            self._headers_timer = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True
        self._crossed = True
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        self._cancel_timers()
        self.transport.write(self._refused or refusal(400, msg))
        self.transport.close()

    def _grow_head(self, size: int) -> None:
        self._head_size += size
        if self._head_size > self.max_header_bytes:
            self._refused = self._too_large()
            raise _Refused

    def _refuse_head(self) -> None:
        self._refused = self._too_large()
        self.send_400_response("")

    def _too_large(self) -> bytes:
        return refusal(431, f"Request header fields too large (limit {self.max_header_bytes} bytes).")

    def _cancel_timers(self) -> None:
        for timer in (self._headers_timer, self._request_timer):
            if timer is not None:
                timer.cancel()
        self._headers_timer = self._request_timer = None

    def _headers_timed_out(self) -> None:
        self._headers_timer = None
        self._drop(f"Request headers not received within {self.headers_timeout:g} s.")

    def _request_timed_out(self) -> None:
        self._request_timer = None
        self._drop(f"Request not received within {self.request_timeout:g} s.")

    def _drop(self, message: str) -> None:
        """408 and close, unless a response is being written: then only close."""
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self._refused = refusal(408, message)
            if cycle is not None and not cycle.response_complete:
                cycle.response_complete = True  # the app's own answer would follow the 408
                cycle.disconnected = True
                cycle.message_event.set()
        self.logger.info("Dropped a connection: %s", message)
        if self._refused is not None:
            self.send_400_response(message)
        else:
            self._cancel_timers()
            self.transport.close()
