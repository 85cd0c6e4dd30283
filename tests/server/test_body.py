"""express.json() twin: V8 messages, strict mode, 413/415, encodings (spec section 10)."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import httpx2
import pytest

from navai.server._v8json import JSONSyntaxError, parse_json

pytestmark = pytest.mark.anyio
CASES = json.loads((Path(__file__).parent / "v8_json_errors.json").read_text())


@pytest.mark.parametrize(("text", "message"), CASES)
def test_json_parse_messages_match_node_20(text: str, message: str | None) -> None:
    """Expected messages were recorded from ``JSON.parse`` on Node 20.20.2."""
    with pytest.raises(JSONSyntaxError) as caught:
        parse_json(text)
    assert str(caught.value) == message


async def post(client: httpx2.AsyncClient, content: bytes, **headers: str) -> httpx2.Response:
    headers.setdefault("content-type", "application/json")
    return await client.post("/navai/functions/execute", content=content, headers=headers)


@pytest.mark.parametrize(
    ("raw", "status", "error"),
    [  # observed on the Node test backend
        (b"not json", 400, "Unexpected token 'n', \"not json\" is not valid JSON"),
        (b'{"a":', 400, "Unexpected end of JSON input"),
        (b"5", 400, "Unexpected token '5', \"5\" is not valid JSON"),
        (b'"str"', 400, 'Unexpected token \'"\', ""str"" is not valid JSON'),
        (b"null", 400, "Unexpected token 'n', \"null\" is not valid JSON"),
        (b"true", 400, "Unexpected token 't', \"true\" is not valid JSON"),
        (b' {"a":1}x', 400, "Unexpected non-whitespace character after JSON at position 8"),
        (b"[1,2]", 400, "function_name is required."),
        (b"", 400, "function_name is required."),
    ],
)
async def test_bad_bodies(client: httpx2.AsyncClient, raw: bytes, status: int, error: str) -> None:
    response = await post(client, raw)
    assert (response.status_code, response.json()) == (status, {"error": error})
    assert response.headers["content-type"] == "application/json; charset=utf-8"


async def test_body_limit_is_100kb(client: httpx2.AsyncClient) -> None:
    big = json.dumps({"a": "x" * 102400}).encode()
    response = await post(client, big)
    assert (response.status_code, response.json()) == (413, {"error": "request entity too large"})
    ok = json.dumps({"function_name": "echo", "payload": {"value": "x" * 102300}}).encode()
    assert len(ok) <= 102400
    assert (await post(client, ok)).status_code == 200
    bomb = gzip.compress(b'{"a":"' + b"x" * 200_000 + b'"}')
    response = await post(client, bomb, **{"content-encoding": "gzip"})
    assert (response.status_code, response.json()) == (413, {"error": "request entity too large"})


@pytest.mark.parametrize(
    ("headers", "status", "error"),
    [
        ({"content-type": "application/json; charset=latin1"}, 415, 'unsupported charset "LATIN1"'),
        ({"content-type": "application/json; charset=utf-99"}, 415, 'unsupported charset "UTF-99"'),
        ({"content-encoding": "foo"}, 415, 'unsupported content encoding "foo"'),
    ],
)
async def test_unsupported_charset_and_encoding(
    client: httpx2.AsyncClient, headers: dict[str, str], status: int, error: str
) -> None:
    response = await post(client, b"{}", **headers)
    assert (response.status_code, response.json()) == (status, {"error": error})


async def test_encodings_and_non_json_types(client: httpx2.AsyncClient) -> None:
    body = b'{"function_name":"echo","payload":{"value":"gz"}}'
    for encoding, data in (("gzip", gzip.compress(body)), ("deflate", zlib.compress(body))):
        response = await post(client, data, **{"content-encoding": encoding})
        assert response.json()["result"] == "gz"
    response = await post(client, b"\x1f\x8b garbage", **{"content-encoding": "gzip"})
    assert (response.status_code, response.json()) == (400, {"error": "Decompression failed"})
    utf16 = body.decode().encode("utf-16")
    response = await post(client, utf16, **{"content-type": "application/json; charset=utf-16"})
    assert response.json()["result"] == "gz"
    response = await post(client, body, **{"content-type": "text/plain"})
    assert (response.status_code, response.json()) == (400, {"error": "function_name is required."})


async def test_unknown_path_parses_the_body_first(client: httpx2.AsyncClient) -> None:
    response = await client.post("/nope", content=b"{", headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (
        400,
        {"error": "Expected property name or '}' in JSON at position 1"},
    )
    response = await client.post("/nope", json={})
    assert response.status_code == 404
    assert "<pre>Cannot POST /nope</pre>" in response.text
