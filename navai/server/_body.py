"""``express.json()`` for ASGI: content type, charset, encoding, 100 kB limit, strict JSON."""

from __future__ import annotations

import codecs
import zlib
from collections.abc import AsyncIterator
from typing import Any

from ._errors import NavaiStatusError
from ._v8json import parse_strict_body

__all__ = ["DEFAULT_LIMIT", "NO_BODY", "read_json_body"]

DEFAULT_LIMIT = 100 * 1024
NO_BODY: Any = None  # ``req.body`` left undefined (no body, or not JSON)
_TOO_LARGE = "request entity too large"


def _parse_media_type(content_type: str) -> tuple[str, str]:
    kind, *params = content_type.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        key, sep, value = param.partition("=")
        if sep:
            parsed[key.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), parsed.get("charset", "utf-8").lower()


_MEDIA_TYPES: dict[str, tuple[str, str]] = {}


def _media_type(content_type: str) -> tuple[str, str]:
    """The media type and charset of a ``Content-Type`` (lower case; charset default utf-8),
    remembered for the few values clients send (at most 64, so hostile ones cannot grow it)."""
    known = _MEDIA_TYPES.get(content_type)
    if known is None:
        known = _parse_media_type(content_type)
        if len(_MEDIA_TYPES) < 64:
            _MEDIA_TYPES[content_type] = known
    return known


class _Inflater:
    """Streaming gzip/deflate decoder bounded by the size limit."""

    def __init__(self, encoding: str, limit: int) -> None:
        wbits = zlib.MAX_WBITS | 32 if encoding == "gzip" else zlib.MAX_WBITS
        self.encoding = encoding
        self.decoder = zlib.decompressobj(wbits)
        self.limit = limit
        self.raw_deflate = False

    def feed(self, chunk: bytes, *, final: bool = False) -> bytes:
        try:
            out = self.decoder.decompress(chunk, self.limit + 1)
            if final:
                out += self.decoder.flush()
        except zlib.error:
            if self.encoding == "deflate" and not self.raw_deflate:
                # Node also accepts raw deflate streams (no zlib header).
                self.raw_deflate = True
                self.decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(chunk, final=final)
            raise NavaiStatusError(400, "Decompression failed") from None
        if self.decoder.unconsumed_tail:
            raise NavaiStatusError(413, _TOO_LARGE)
        return out


async def read_json_body(
    headers: dict[str, str], chunks: AsyncIterator[bytes], *, limit: int = DEFAULT_LIMIT
) -> Any:
    """The parsed body, ``NO_BODY`` when Express would leave ``req.body`` undefined.

    ``headers`` maps lower-case names to values. Raises :class:`NavaiStatusError` (400, 413, 415)
    with body-parser's messages, or ``JSONSyntaxError`` (400) with V8's.
    """
    length = headers.get("content-length")
    if "transfer-encoding" not in headers and (length is None or not length.strip().isdigit()):
        return NO_BODY
    kind, charset = _media_type(headers.get("content-type", ""))
    if kind != "application/json":
        return NO_BODY
    if not charset.startswith("utf-"):
        raise NavaiStatusError(415, f'unsupported charset "{charset.upper()}"')
    encoding = headers.get("content-encoding", "identity").lower()
    if encoding not in ("identity", "gzip", "deflate"):
        raise NavaiStatusError(415, f'unsupported content encoding "{encoding}"')
    if encoding == "identity" and length is not None and length.strip().isdigit() and int(length) > limit:
        raise NavaiStatusError(413, _TOO_LARGE)
    decoder = None
    if charset != "utf-8":
        try:
            decoder = codecs.getincrementaldecoder(charset)("replace")
        except LookupError:
            raise NavaiStatusError(415, f'unsupported charset "{charset.upper()}"') from None
    inflater = None if encoding == "identity" else _Inflater(encoding, limit)
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        data = inflater.feed(chunk) if inflater else chunk
        size += len(data)
        if size > limit:
            raise NavaiStatusError(413, _TOO_LARGE)
        parts.append(data)
    if inflater:
        tail = inflater.feed(b"", final=True)
        size += len(tail)
        if size > limit:
            raise NavaiStatusError(413, _TOO_LARGE)
        parts.append(tail)
    data = parts[0] if len(parts) == 1 else b"".join(parts)
    text = data.decode("utf-8", "replace") if decoder is None else decoder.decode(data, final=True)
    if text.startswith("\ufeff"):
        text = text[1:]
    return parse_strict_body(text)
