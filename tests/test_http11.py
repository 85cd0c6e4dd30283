"""The HTTP/1.1 wire format the fast paths speak (navai._http11), byte by byte.

The fault server and the real backend exercise it over sockets; here every framing rule is
pinned down directly, including responses split at every possible byte boundary.
"""

from __future__ import annotations

import gzip
import itertools
import zlib

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from navai._fast import target_for
from navai._http11 import (
    DECODE_STEP,
    MAX_HEAD_BYTES,
    Decoder,
    ProtocolError,
    ResponseParser,
    decoder_for,
    encode_request,
    header_block,
)

BODY = b'{"ok":true,"result":"pong"}'


def feed(
    wire: bytes, *, split: list[int] | None = None, head_request: bool = False
) -> tuple[ResponseParser, bytes]:
    """Feeds ``wire`` in pieces cut at the ``split`` offsets: the parser and the body it returned."""
    parser = ResponseParser(head_request=head_request)
    cuts = [0, *sorted(split or []), len(wire)]
    body = b"".join(b"".join(parser.feed(wire[a:b])) for a, b in itertools.pairwise(cuts))
    return parser, body


def parse(wire: bytes, **options: object) -> ResponseParser:
    return feed(wire, **options)[0]  # type: ignore[arg-type]


def length_response(body: bytes = BODY, *, version: str = "1.1", extra: str = "") -> bytes:
    return f"HTTP/{version} 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


def chunked_response(pieces: list[bytes], trailer: bytes = b"") -> bytes:
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    wire += b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces if piece)
    return wire + b"0\r\n" + trailer + b"\r\n"


# -- requests ---------------------------------------------------------------------------


def test_a_post_carries_host_headers_length_and_body() -> None:
    target = target_for("http://127.0.0.1:3000/navai/functions/execute?x=1")
    wire = encode_request("POST", target, header_block({"Content-Type": "application/json"}), b"{}")
    assert wire == (
        b"POST /navai/functions/execute?x=1 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n"
        b"Content-Type: application/json\r\nAccept-Encoding: gzip, deflate\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )


def test_a_get_has_no_length_and_default_ports_stay_out_of_host() -> None:
    target = target_for("https://api.example/navai/functions")
    assert encode_request("GET", target, header_block({"Accept-Encoding": "identity"}), None) == (
        b"GET /navai/functions HTTP/1.1\r\nHost: api.example\r\nAccept-Encoding: identity\r\n\r\n"
    )
    assert target_for("http://[::1]:8080/").host_header == "[::1]:8080"
    assert target_for("http://[::1]/").key == ("http", "::1", 80)


@pytest.mark.parametrize(
    ("url", "path", "host_header"),
    [
        ("http://h.test/a b/c?q=x y", "/a%20b/c?q=x%20y", "h.test"),
        ("http://h.test/café/функции", "/caf%C3%A9/%D1%84%D1%83%D0%BD%D0%BA%D1%86%D0%B8%D0%B8", "h.test"),
        ("http://пример.test:8080/x", "/x", "xn--e1afmkfd.test:8080"),
        ("http://h.test", "/", "h.test"),
    ],
)
def test_urls_go_on_the_wire_as_httpx_sends_them(url: str, path: str, host_header: str) -> None:
    target = target_for(url)
    assert (target.path, target.host_header) == (path, host_header)
    assert str(httpx.Request("GET", url).url.raw_path.decode()) == path


def test_a_callers_host_replaces_the_urls_and_framing_headers_are_the_clients_own() -> None:
    block = header_block({"Host": "api.example", "Content-Length": "99", "Transfer-Encoding": "chunked"})
    wire = encode_request("POST", target_for("http://127.0.0.1:3000/x"), block, b"{}")
    assert wire == (
        b"POST /x HTTP/1.1\r\nHost: api.example\r\nAccept-Encoding: gzip, deflate\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"X-A": "1\r\nX-B: 2"},
        {"X-A": "1\n"},
        {"X-A": "\x00"},
        {"X A": "1"},
        {"X:A": "1"},
        {"": "1"},
        {" X": "1"},
        {"X\t": "1"},
    ],
)
def test_headers_that_could_split_the_head_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="Invalid HTTP header"):
        header_block(headers)


# -- response framing --------------------------------------------------------------------


def test_a_content_length_response() -> None:
    extra = "Content-Type: application/json\r\nX-Multi: a\r\nx-multi: b\r\n"
    parser, body = feed(length_response(extra=extra))
    assert (parser.status, parser.complete, parser.keep_alive) == (200, True, True)
    assert body == BODY
    assert parser.headers["x-multi"] == "a, b"
    assert not parser.trailing_data


@given(st.binary(max_size=300), st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_a_content_length_body_survives_any_split(body: bytes, cuts: list[int]) -> None:
    wire = length_response(body)
    parser, received = feed(wire, split=[c % (len(wire) + 1) for c in cuts])
    assert parser.complete
    assert received == body


@given(
    st.lists(st.binary(min_size=1, max_size=40), max_size=6),
    st.lists(st.integers(min_value=0, max_value=600), max_size=10),
    st.booleans(),
)
def test_a_chunked_body_survives_any_split(pieces: list[bytes], cuts: list[int], trailer: bool) -> None:
    wire = chunked_response(pieces, b"X-Trailer: yes\r\n" if trailer else b"")
    parser, body = feed(wire, split=[c % (len(wire) + 1) for c in cuts])
    assert parser.complete
    assert body == b"".join(pieces)
    assert parser.keep_alive
    assert not parser.trailing_data


def test_chunk_extensions_and_upper_case_sizes_are_understood() -> None:
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA;name=value\r\n0123456789\r\n0\r\n\r\n"
    assert feed(wire)[1] == b"0123456789"


def test_a_head_with_bare_lf_line_endings_is_understood() -> None:
    """h11 (and so httpx) accepts LF without CR; so does this parser, for the head."""
    parser, body = feed(b"HTTP/1.1 200 OK\nContent-Length: 2\nX-A: b\r\n\nok", split=[5, 17])
    assert (parser.status, parser.headers["x-a"], body) == (200, "b", b"ok")


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x1e\r\n", "invalid chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+1e\r\n", "invalid chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1_0\r\n", "invalid chunk size"),
        (b"HTTP/1.1 200 OK\r\nX A: b\r\n\r\n", "Invalid HTTP header line"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", "invalid chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", "not followed by CRLF"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "Unsupported Transfer-Encoding"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", "Invalid Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Invalid Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: \xd9\xa3\r\n\r\n", "Invalid Content-Length"),
        (b"HTTP/2 200 OK\r\n\r\n", "Invalid HTTP status line"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "Invalid HTTP status line"),
        (b"ICY 200 OK\r\n\r\n", "Invalid HTTP status line"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "Invalid HTTP header line"),
        (b"HTTP/1.1 200 OK\r\nName : value\r\n\r\n", "Invalid HTTP header line"),
        (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", "protocol switch"),
    ],
)
def test_broken_framing_is_a_protocol_error(wire: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse(wire)


def test_a_repeated_identical_content_length_is_accepted() -> None:
    wire = b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok"
    assert feed(wire)[1] == b"ok"


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (b"HTTP/1.1 200 OK\r\n", "head exceeds"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", "trailers exceed"),
    ],
)
def test_endless_heads_and_trailers_are_refused(start: bytes, message: str) -> None:
    parser = ResponseParser()
    parser.feed(start)
    line = b"X-Padding: " + b"a" * 1000 + b"\r\n"
    for _ in range(MAX_HEAD_BYTES // len(line)):
        parser.feed(line)
    with pytest.raises(ProtocolError, match=message):
        parser.feed(line)


def test_interim_responses_are_skipped() -> None:
    wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + length_response()
    parser, body = feed(wire, split=[10, 30])
    assert (parser.status, body) == (200, BODY)
    assert "link" not in parser.headers


@pytest.mark.parametrize(
    ("version", "connection", "keep_alive"),
    [
        ("1.1", "", True),
        ("1.1", "Connection: close\r\n", False),
        ("1.1", "Connection: Keep-Alive, Close\r\n", False),
        ("1.0", "", False),
        ("1.0", "Connection: keep-alive\r\n", True),
    ],
)
def test_keep_alive_follows_the_version_and_connection_header(
    version: str, connection: str, keep_alive: bool
) -> None:
    assert parse(length_response(version=version, extra=connection)).keep_alive is keep_alive


@pytest.mark.parametrize(
    "head",
    [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n",
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n",
    ],
)
def test_ambiguous_framing_is_read_as_chunked_and_the_connection_dropped(head: str) -> None:
    """RFC 9112, 6.1 and 6.3: Transfer-Encoding wins, and the connection is not reused."""
    parser, body = feed(head.encode() + b"\r\n3\r\nabc\r\n0\r\n\r\n")
    assert parser.complete
    assert body == b"abc"
    assert not parser.keep_alive


def test_a_body_without_length_ends_with_the_connection() -> None:
    parser = parse(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ", split=[20])
    assert not parser.complete
    assert parser.feed(b"part two") == [b"part two"]
    parser.eof()
    assert parser.complete
    assert not parser.keep_alive


@pytest.mark.parametrize("status", [204, 304])
def test_no_body_statuses_and_head_requests_end_at_the_head(status: int) -> None:
    parser, body = feed(f"HTTP/1.1 {status} X\r\nContent-Length: 10\r\n\r\n".encode())
    assert parser.complete
    assert body == b""
    head, body = feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", head_request=True)
    assert head.complete
    assert body == b""


def test_bytes_after_the_response_make_the_connection_unusable() -> None:
    parser, body = feed(length_response() + b"HTTP/1.1 200 OK\r\n")
    assert parser.complete
    assert body == BODY
    assert parser.trailing_data
    chunked = parse(chunked_response([b"ab"]) + b"junk")
    assert chunked.complete
    assert chunked.trailing_data


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (b"", "without sending a response"),
        (b"HTTP/1.1 200 OK\r\nContent-", "while sending the response head"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "without sending complete message body"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "complete message body"),
    ],
)
def test_a_connection_closed_too_early_is_a_protocol_error(wire: bytes, message: str) -> None:
    parser = parse(wire)
    with pytest.raises(ProtocolError, match=message):
        parser.eof()


# -- content codings -----------------------------------------------------------------------


def decode(decoder: Decoder, *chunks: bytes) -> bytes:
    pieces = [piece for chunk in chunks for piece in decoder.decode(chunk)] + list(decoder.finish())
    assert all(len(piece) <= DECODE_STEP for piece in pieces)
    return b"".join(pieces)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "gzip, gzip"])
def test_a_compression_bomb_comes_out_in_bounded_pieces(coding: str) -> None:
    """20 MB of zeros in ~20 KB: decoded piece by piece, so a size limit can stop it early."""
    bomb = zlib.compress(bytes(20_000_000), 9) if coding == "deflate" else gzip.compress(bytes(20_000_000))
    if coding == "gzip, gzip":
        bomb = gzip.compress(bomb)
    decoder = decoder_for(coding)
    assert decoder is not None
    total = 0
    for piece in decoder.decode(bomb):
        assert 0 < len(piece) <= DECODE_STEP
        total += len(piece)
    total += sum(len(piece) for piece in decoder.finish())
    assert total == 20_000_000


@pytest.mark.parametrize(
    ("coding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("GZIP ", gzip.compress),
    ],
)
def test_gzip_and_deflate_bodies_are_decoded(coding: str, pack: object) -> None:
    decoder = decoder_for(coding)
    assert decoder is not None
    assert decode(decoder, pack(BODY)) == BODY  # type: ignore[operator]


def test_raw_deflate_and_stacked_codings_are_decoded_as_httpx_decodes_them() -> None:
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = raw.compress(BODY) + raw.flush()
    decoder = decoder_for("deflate")
    assert decoder is not None
    assert decode(decoder, raw_deflate[:3], raw_deflate[3:]) == BODY
    stacked = gzip.compress(zlib.compress(BODY))  # deflate applied first, then gzip
    decoder = decoder_for("deflate, gzip")
    assert decoder is not None
    assert decode(decoder, stacked[:10], stacked[10:]) == BODY
    decoder = decoder_for("gzip, br")  # br is not decoded, as httpx without brotli leaves it
    assert decoder is not None
    assert decode(decoder, gzip.compress(BODY)) == BODY
    for coding in ("gzip, gzip", "deflate, gzip"):
        wire = gzip.compress(gzip.compress(BODY)) if coding == "gzip, gzip" else stacked
        response = httpx.Response(200, content=wire, headers={"Content-Encoding": coding})
        decoder = decoder_for(coding)
        assert decoder is not None
        assert decode(decoder, wire) == response.read() == BODY


@pytest.mark.parametrize("coding", [None, "", "identity", "br", "zstd"])
def test_other_codings_pass_through_as_httpx_leaves_them(coding: str | None) -> None:
    assert decoder_for(coding) is None
