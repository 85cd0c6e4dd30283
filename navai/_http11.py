"""HTTP/1.1 on the wire, without I/O: request bytes out, response events in.

The fast senders in `_fast` move bytes over a socket (sync) or an asyncio transport
(async); everything about the protocol itself lives here, once, so the two cannot
disagree. It covers what a JSON API client meets: Content-Length and chunked bodies,
bodies delimited by the connection closing, 1xx interim responses, keep-alive rules
for HTTP/1.0 and 1.1, and gzip or deflate content encodings. Anything else is a
`ProtocolError`, which the senders report as httpx's ``RemoteProtocolError``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

import attrs

MAX_HEAD_BYTES = 64 * 1024
"""A response head (status line and headers), or a chunked body's trailers, larger than this is refused."""
_HEAD_END = re.compile(rb"\n\r?\n")
"""The blank line after a head; bare LF line endings are accepted, as httpx (h11) accepts them."""
_MAX_LINE_BYTES = 4 * 1024
_NO_BODY: list[bytes] = []
_FORBIDDEN_IN_HEADERS = frozenset("\r\n\0")


class ProtocolError(Exception):
    """The peer broke HTTP/1.1 framing (or sent something this client does not speak)."""


@attrs.frozen
class Target:
    """Where a URL's requests go: the connection key, the request target and the Host header.

    ``path`` must already be percent-encoded and ``host`` IDNA-encoded (see `_fast.target_for`).
    """

    scheme: str
    host: str
    port: int
    path: str
    host_header: str

    @property
    def key(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port


@attrs.frozen
class HeaderBlock:
    """A caller's headers, checked and encoded once: the lines, and a Host that replaces the URL's."""

    lines: bytes
    host: str | None = None


_OWN_HEADERS = frozenset({"content-length", "transfer-encoding"})
"""Framing headers this client writes itself, from the body it sends."""


def header_block(headers: dict[str, str]) -> HeaderBlock:
    """The header lines for ``headers``, with ``Accept-Encoding`` added as httpx would.

    Raises `ValueError` for a name or value that could split the head (CR, LF or NUL), so a
    caller's header can never inject another header or a second request. A caller's ``Host``
    replaces the URL's, as in httpx; ``Content-Length`` and ``Transfer-Encoding`` always
    describe the body actually sent.
    """
    lines = []
    host = None
    has_encoding = False
    for name, value in headers.items():
        splits_head = _FORBIDDEN_IN_HEADERS.intersection(name + value)
        if not name or ":" in name or " " in name or "\t" in name or splits_head:
            raise ValueError(f"Invalid HTTP header: {name!r}")
        lowered = name.lower()
        if lowered == "host":
            host = value
        elif lowered not in _OWN_HEADERS:
            has_encoding = has_encoding or lowered == "accept-encoding"
            lines.append(f"{name}: {value}\r\n")
    if not has_encoding:
        lines.append("Accept-Encoding: gzip, deflate\r\n")
    return HeaderBlock("".join(lines).encode("latin-1"), host)


def encode_request(method: str, target: Target, headers: HeaderBlock, body: bytes | None) -> bytes:
    """One request: request line, Host, the prepared ``headers``, Content-Length, body."""
    host = target.host_header if headers.host is None else headers.host
    head = f"{method} {target.path} HTTP/1.1\r\nHost: {host}\r\n".encode("latin-1") + headers.lines
    if body is None:
        if method in ("POST", "PUT", "PATCH"):
            return head + b"Content-Length: 0\r\n\r\n"
        return head + b"\r\n"
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


# parser states
_HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILERS, _UNTIL_CLOSE, _DONE = range(8)


class ResponseParser:
    """Parses one response, fed with whatever bytes arrive; `feed` returns the body pieces.

    After the head is parsed, `status`, `headers` (lower-case names, repeated headers joined
    with ``", "``) and `keep_alive` are set and `head_done` is true; `complete` turns true when
    the body is whole. At end of input call `eof`, which completes a close-delimited body and
    raises `ProtocolError` for anything cut short.
    """

    __slots__ = (
        "_buffer",
        "_no_body",
        "_remaining",
        "_state",
        "headers",
        "keep_alive",
        "received",
        "status",
        "trailing_data",
    )

    def __init__(self, *, head_request: bool = False) -> None:
        self._buffer = b""
        self._no_body = head_request
        self._remaining = 0
        self._state = _HEAD
        self.status = 0
        self.headers: dict[str, str] = {}
        self.keep_alive = False
        self.received = 0
        self.trailing_data = False
        """Bytes arrived after the response ended: the connection is not safe to reuse."""

    @property
    def head_done(self) -> bool:
        return self._state != _HEAD

    @property
    def complete(self) -> bool:
        return self._state == _DONE

    def feed(self, data: bytes) -> list[bytes]:
        self.received += len(data)
        state = self._state
        if state == _LENGTH and not self._buffer:
            return self._fixed(data)
        if state == _DONE:
            self.trailing_data = self.trailing_data or bool(data)
            return _NO_BODY
        if self._buffer:
            data = self._buffer + data
            self._buffer = b""
        if state == _HEAD:
            data = self._head(data)
            if self._state == _HEAD:
                return _NO_BODY
            if self._state == _LENGTH:
                return self._fixed(data)
        if self._state == _UNTIL_CLOSE:
            return [data] if data else _NO_BODY
        if self._state == _DONE:
            self.trailing_data = bool(data)
            return _NO_BODY
        return self._chunked(data)

    def eof(self) -> None:
        """The peer closed the connection: fine only for a close-delimited or finished body."""
        if self._state == _UNTIL_CLOSE:
            self._state = _DONE
        elif self._state == _HEAD:
            if self.received:
                raise ProtocolError("Server disconnected while sending the response head.")
            raise ProtocolError("Server disconnected without sending a response.")
        elif self._state != _DONE:
            raise ProtocolError("peer closed connection without sending complete message body")

    # -- head ------------------------------------------------------------------------

    def _head(self, data: bytes) -> bytes:
        """Parses every complete head in ``data`` (1xx interim ones are skipped); returns the rest."""
        while True:
            match = _HEAD_END.search(data)
            if match is None:
                if len(data) > MAX_HEAD_BYTES:
                    raise ProtocolError(f"Response head exceeds {MAX_HEAD_BYTES} bytes.")
                self._buffer = data
                return b""
            if match.start() > MAX_HEAD_BYTES:
                raise ProtocolError(f"Response head exceeds {MAX_HEAD_BYTES} bytes.")
            lines = data[: match.start()].decode("latin-1").split("\n")
            lines = [line[:-1] if line.endswith("\r") else line for line in lines]
            data = data[match.end() :]
            status, http10 = _status_line(lines[0])
            if 100 <= status < 200:
                if status == 101:
                    raise ProtocolError("Unexpected protocol switch (101) in a response.")
                continue
            self.status = status
            self.headers = headers = _header_lines(lines)
            connection = headers.get("connection", "").lower()
            self.keep_alive = "keep-alive" in connection if http10 else "close" not in connection
            self._frame(headers, http10)
            return data

    def _frame(self, headers: dict[str, str], http10: bool) -> None:
        """Chooses how the body is delimited (RFC 9112, section 6.3)."""
        if self._no_body or self.status in (204, 304):
            self._state = _DONE
            return
        coding = headers.get("transfer-encoding")
        if coding is not None:
            if coding.strip().lower() != "chunked":
                raise ProtocolError(f"Unsupported Transfer-Encoding: {coding!r}")
            self._state = _CHUNK_SIZE
            if "content-length" in headers or http10:
                self.keep_alive = False  # framing a smuggler would use: read it, then drop the connection
            return
        length = headers.get("content-length")
        if length is None:
            self._state = _UNTIL_CLOSE
            self.keep_alive = False
            return
        values = {value.strip() for value in length.split(",")}
        (value,) = values if len(values) == 1 else (None,)
        if value is None or not value.isdigit() or not value.isascii():
            raise ProtocolError(f"Invalid Content-Length: {length!r}")
        self._remaining = int(value)
        self._state = _LENGTH if self._remaining else _DONE

    # -- bodies ----------------------------------------------------------------------

    def _fixed(self, data: bytes) -> list[bytes]:
        remaining = self._remaining
        size = len(data)
        if size < remaining:
            self._remaining = remaining - size
            return [data] if data else _NO_BODY
        self._state = _DONE
        self._remaining = 0
        if size > remaining:
            self.trailing_data = True
            return [data[:remaining]]
        return [data]

    def _chunked(self, data: bytes) -> list[bytes]:
        pieces: list[bytes] = []
        position = 0
        end = len(data)
        while position < end:
            state = self._state
            if state == _CHUNK_DATA:
                take = min(self._remaining, end - position)
                pieces.append(data[position : position + take])
                position += take
                self._remaining -= take
                if not self._remaining:
                    self._state = _CHUNK_END
            elif state == _CHUNK_END:
                if end - position < 2:
                    break
                if data[position : position + 2] != b"\r\n":
                    raise ProtocolError("Malformed chunked body: chunk data not followed by CRLF.")
                position += 2
                self._state = _CHUNK_SIZE
            elif state in (_CHUNK_SIZE, _TRAILERS):
                newline = data.find(b"\r\n", position)
                if newline < 0:
                    if end - position > _MAX_LINE_BYTES:
                        raise ProtocolError("Malformed chunked body: line too long.")
                    break
                line = data[position:newline]
                position = newline + 2
                if state == _TRAILERS:
                    if not line:
                        self._state = _DONE
                        self.trailing_data = position < end
                        return pieces
                    self._remaining += len(line) + 2  # trailer bytes so far
                    if self._remaining > MAX_HEAD_BYTES:
                        raise ProtocolError(f"Chunked body trailers exceed {MAX_HEAD_BYTES} bytes.")
                    continue
                size = _chunk_size(line)
                if size:
                    self._remaining = size
                    self._state = _CHUNK_DATA
                else:
                    self._remaining = 0
                    self._state = _TRAILERS
            else:  # pragma: no cover - _chunked runs only in chunked states
                raise AssertionError(state)
        self._buffer = data[position:]
        return pieces


def _status_line(line: str) -> tuple[int, bool]:
    """(status, is HTTP/1.0) from ``HTTP/1.x NNN reason``."""
    version, _, rest = line.partition(" ")
    code = rest[:3]
    if (
        version not in ("HTTP/1.1", "HTTP/1.0")
        or len(code) != 3
        or not code.isdigit()
        or not code.isascii()
        or rest[3:4] not in ("", " ")
    ):
        raise ProtocolError(f"Invalid HTTP status line: {line[:100]!r}")
    return int(code), version == "HTTP/1.0"


def _header_lines(lines: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or " " in name or "\t" in name:
            raise ProtocolError(f"Invalid HTTP header line: {line[:100]!r}")
        name = name.lower()
        value = value.strip(" \t")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


def _chunk_size(line: bytes) -> int:
    text = line.split(b";", 1)[0].strip(b" \t")
    if not text or len(text) > 16 or not _HEX_DIGITS.issuperset(text):
        raise ProtocolError(f"Malformed chunked body: invalid chunk size {line[:40]!r}.")
    return int(text, 16)


DECODE_STEP = 64 * 1024
"""Decoded bytes come out in pieces of at most this size, so a size limit stops a compression bomb."""


class _Stage:
    """One content coding: gzip, or deflate (zlib-wrapped, else raw, as httpx accepts both)."""

    __slots__ = ("_fallback", "_inflate")

    def __init__(self, coding: str) -> None:
        gzip = coding != "deflate"
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self._fallback = not gzip

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._fallback and data:
            self._fallback = False
            try:
                out = self._inflate.decompress(data, DECODE_STEP)
            except zlib.error:
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._inflate.decompress(data, DECODE_STEP)
        else:
            out = self._inflate.decompress(data, DECODE_STEP)
        while True:
            if out:
                yield out
            tail = self._inflate.unconsumed_tail
            if not tail and len(out) < DECODE_STEP:
                return
            out = self._inflate.decompress(tail, DECODE_STEP)

    def finish(self) -> Iterator[bytes]:
        yield from self.decode(b"")
        if rest := self._inflate.flush():
            yield rest


class Decoder:
    """Undoes a body's content codings (``Content-Encoding: deflate, gzip`` last-applied first).

    Both methods yield the decoded body in pieces of at most `DECODE_STEP` bytes.
    """

    __slots__ = ("_stages",)

    def __init__(self, stages: list[_Stage]) -> None:
        self._stages = stages

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def finish(self) -> Iterator[bytes]:
        """What the codings still hold once the body has ended."""
        for index, stage in enumerate(self._stages):
            for piece in stage.finish():
                yield from self._through(index + 1, piece)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            yield data
            return
        for piece in self._stages[index].decode(data):
            yield from self._through(index + 1, piece)


def decoder_for(content_encoding: str | None) -> Decoder | None:
    """A decoder for gzip and deflate bodies (servers may compress even unasked), else None.

    Codings it does not know pass through undecoded, as httpx passes those it has no decoder for.
    """
    if not content_encoding:
        return None
    stages = [
        _Stage(coding.strip())
        for coding in reversed(content_encoding.lower().split(","))
        if coding.strip() in ("gzip", "x-gzip", "deflate")
    ]
    return Decoder(stages) if stages else None
