"""HTTP/1.1 on the wire, without I/O: request bytes out, response events in.

The fast senders in `_fast` move bytes over a socket (sync) or an asyncio transport
(async); everything about the protocol itself lives here, once, so the two cannot
disagree. It covers what a JSON API client meets: Content-Length and chunked bodies,
bodies delimited by the connection closing, 1xx interim responses, keep-alive rules
for HTTP/1.0 and 1.1, and gzip or deflate content encodings. Anything else is a
`ProtocolError`, which the senders report as httpx's ``RemoteProtocolError``.
"""

from __future__ import annotations

import zlib
from urllib.parse import urlsplit

import attrs

MAX_HEAD_BYTES = 64 * 1024
"""A response head (status line and headers) larger than this is refused."""
_MAX_LINE_BYTES = 4 * 1024
_NO_BODY: list[bytes] = []
_FORBIDDEN_IN_HEADERS = frozenset("\r\n\0")


class ProtocolError(Exception):
    """The peer broke HTTP/1.1 framing (or sent something this client does not speak)."""


@attrs.frozen
class Target:
    """Where a URL's requests go: the connection key and what the request line and Host say."""

    scheme: str
    host: str
    port: int
    path: str
    host_header: str

    @classmethod
    def from_url(cls, url: str) -> Target:
        parts = urlsplit(url)
        scheme = parts.scheme
        host = parts.hostname or ""
        default_port = 443 if scheme == "https" else 80
        port = parts.port or default_port
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        shown = f"[{host}]" if ":" in host else host
        return cls(scheme, host, port, path, shown if port == default_port else f"{shown}:{port}")

    @property
    def key(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port


def header_block(headers: dict[str, str]) -> bytes:
    """The header lines for ``headers``, with ``Accept-Encoding`` added as httpx would.

    Raises `ValueError` for a name or value that could split the head (CR, LF or NUL), so a
    caller's header can never inject another header or a second request.
    """
    lines = []
    has_encoding = False
    for name, value in headers.items():
        splits_head = _FORBIDDEN_IN_HEADERS.intersection(name + value)
        if not name or ":" in name or name != name.strip() or splits_head:
            raise ValueError(f"Invalid HTTP header: {name!r}")
        has_encoding = has_encoding or name.lower() == "accept-encoding"
        lines.append(f"{name}: {value}\r\n")
    if not has_encoding:
        lines.append("Accept-Encoding: gzip, deflate\r\n")
    return "".join(lines).encode("latin-1")


def encode_request(method: str, target: Target, headers: bytes, body: bytes | None) -> bytes:
    """One request: request line, Host, the prepared ``headers`` block, Content-Length, body."""
    head = f"{method} {target.path} HTTP/1.1\r\nHost: {target.host_header}\r\n".encode("latin-1") + headers
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
            end = data.find(b"\r\n\r\n")
            if end < 0:
                if len(data) > MAX_HEAD_BYTES:
                    raise ProtocolError(f"Response head exceeds {MAX_HEAD_BYTES} bytes.")
                self._buffer = data
                return b""
            if end > MAX_HEAD_BYTES:
                raise ProtocolError(f"Response head exceeds {MAX_HEAD_BYTES} bytes.")
            lines = data[:end].decode("latin-1").split("\r\n")
            data = data[end + 4 :]
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
                    continue
                size = _chunk_size(line)
                if size:
                    self._remaining = size
                    self._state = _CHUNK_DATA
                else:
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
        if not colon or not name or name != name.strip():
            raise ProtocolError(f"Invalid HTTP header line: {line[:100]!r}")
        name = name.lower()
        value = value.strip(" \t")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _chunk_size(line: bytes) -> int:
    text = line.split(b";", 1)[0].strip(b" \t")
    try:
        if not text or not text.isalnum():
            raise ValueError
        return int(text, 16)
    except ValueError:
        raise ProtocolError(f"Malformed chunked body: invalid chunk size {line[:40]!r}.") from None


def decoder_for(content_encoding: str | None) -> zlib._Decompress | None:
    """A decompressor for gzip or deflate bodies (servers may compress even unasked), else None.

    Other codings pass through undecoded, as httpx passes those it has no decoder for.
    """
    if not content_encoding:
        return None
    encoding = content_encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None  # identity, or a coding httpx would not decode either
