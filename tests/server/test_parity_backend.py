"""Parity: ``navai serve`` answers what the Node backend answers, and stands in for it.

1. One scenario table runs against the Node backend in ``tests/backend`` (the JS test
   functions) and against ``navai serve`` (the same functions in Python,
   ``tests/server/backend_py``), started once per session by ``py_backend_harness``. Per
   scenario both must answer the same status, content type and body, byte for byte, after
   two normalisations: a ``source`` is compared by its ``#export`` part (its path only up
   to the extension, ``.js`` vs ``.py``), and a minted secret by its shape (``ek_`` + 32
   alphanumerics, ``expires_at`` now + the TTL). Both backends mint secrets from the same
   `OpenAIStandIn`, and the upstream requests they send for a scenario (method, path,
   ``Authorization``, ``Content-Type``, body bytes) must be identical too. Where JS and
   Python must differ, the scenario carries a `Difference` naming why and what each side
   answers, and the test asserts both answers (so a difference that disappears fails too).
   The Node backend's fetch of OpenAI's URL is redirected to the stand-in by a
   ``NODE_OPTIONS=--import`` module (``py_backend_harness.start_node_backend``);
   ``openai-stub.mjs`` is not changed. Two more pairs check ``NAVAI_FUNCTIONS_FOLDERS``:
   the same fallback warning, and file tokens that name ``.js`` vs ``.py`` files.
2. The navai client's cassette scenarios (tests/support/recording.py ``SCENARIOS``) pass live
   against ``navai serve``, with no Node at all.
3. ``make demo`` (scripts/demo.py) runs with node, npm and npx shadowed by failing shims,
   succeeds, never calls them, and leaves no process behind.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs
import httpx2
import pytest

import navai
from tests.support import recording
from tests.support.py_backend_harness import (
    BYOK_PREFIX,
    PARITY_ENV,
    REVEAL_PREFIX,
    TTS_PREFIX,
    PyBackend,
    SessionBackends,
    UpstreamRequest,
    session_backends,
    start_node_backend,
)

ROOT = Path(__file__).resolve().parents[2]
TTL = 600
EXECUTE = "/navai/functions/execute"
LIST = "/navai/functions"
SECRET = "/navai/realtime/client-secret"
BYOK_SECRET = BYOK_PREFIX + SECRET
SPEECH = "/navai/speech/synthesize"
LIMIT = 100 * 1024  # express.json()'s default limit, in bytes
JSON_TYPE = {"content-type": "application/json"}


@pytest.fixture(scope="session")
def python_backend(request: pytest.FixtureRequest) -> SessionBackends:
    """navai serve of this session (no Node needed)."""
    return session_backends(request.config, node=False)


# -- the scenario table ---------------------------------------------------------------

_UNSET: Any = object()


@dataclass(frozen=True)
class Difference:
    """Where the Python twin must answer otherwise: why, and each side's (status, body)."""

    why: str
    node: tuple[int, Any]
    python: tuple[int, Any]


@dataclass(frozen=True)
class Call:
    """One request, sent to both backends; ``status`` is what both must answer."""

    id: str
    method: str
    path: str
    body: Any = _UNSET  # sent as compact JSON with Content-Type: application/json
    raw: bytes | Callable[[], Iterable[bytes]] | None = None  # sent as is (a callable: chunked)
    headers: Mapping[str, str] = field(default_factory=dict)
    status: int = 200
    upstream: int = 0  # client-secret requests each backend must send upstream
    upstream_body: Any = None  # when set, the JSON body both must send upstream
    differs: Difference | None = None


def _ok(name: str, export: str, *result: Any) -> dict[str, Any]:
    """An execute answer, normalised: ``source`` is its ``#export`` part; no result = no key."""
    answer: dict[str, Any] = {"ok": True, "function_name": name, "source": f"#{export}"}
    if result:
        answer["result"] = result[0]
    return answer


def _execute(
    id: str, name: Any, payload: Any = _UNSET, status: int = 200, differs: Difference | None = None
) -> Call:
    body: dict[str, Any] = {"function_name": name}
    if payload is not _UNSET:
        body["payload"] = payload
    return Call(id, "POST", EXECUTE, body=body, status=status, differs=differs)


def _none_result(name: str, export: str) -> Difference:
    return Difference(
        "a function returning None answers without a result key; JS null keeps 'result': null",
        node=(200, _ok(name, export, None)),
        python=(200, _ok(name, export)),
    )


def _arity(id: str, name: str, export: str, payload: Any, node: tuple[int, Any], message: str) -> Call:
    return _execute(
        id,
        name,
        payload,
        status=node[0],
        differs=Difference(
            "JS ignores extra arguments and passes undefined for missing ones; Python raises TypeError (500)",
            node=node,
            python=(500, {"error": message}),
        ),
    )


def _body(size: int) -> bytes:
    """An execute body of exactly ``size`` bytes (echo of a string)."""
    head, tail = b'{"function_name":"echo","payload":{"value":"', b'"}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def _chunked(size: int) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        data = _body(size)
        for start in range(0, len(data), 16 * 1024):
            yield data[start : start + 16 * 1024]

    return chunks


def _session(
    model: Any = "gpt-realtime",
    instructions: str = "You are a helpful assistant.\nAlways reply in Spanish.",
    voice: Any = "marin",
) -> dict[str, Any]:
    """The upstream body (spec 5.5), with this session's PARITY_ENV defaults."""
    return {
        "expires_after": {"anchor": "created_at", "seconds": TTL},
        "session": {
            "type": "realtime",
            "model": model,
            "instructions": instructions,
            "audio": {"output": {"voice": voice}},
        },
    }


def _upstream_401(key: str, shown: str) -> str:
    body = {
        "error": {
            "message": f"Incorrect API key provided: {shown}. "
            "You can find your API key at https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
    return f"OpenAI client_secrets failed (401): {json.dumps(body, indent=4)}\n"


WRONG_KEY = "sk-test-wrong-key-000000000000"
LEAKED_KEY = REVEAL_PREFIX + "0123456789abcdef"
# Made with Node's zlib.brotliCompressSync(JSON.stringify({function_name: "echo", payload: {value: "br"}})).
BROTLI_BODY = bytes.fromhex(
    "0b18807b2266756e6374696f6e5f6e616d65223a226563686f222c227061796c6f6164223a7b2276616c7565223a226272227d7d03"
)
GZIP_BODY = bytes.fromhex(
    "1f8b0800000000000003ab564a2bcd4b2ec9cccf8bcf4bcc4d55b2524a4dcec857d2512a48acccc94f4c51b2aa562a4bcc2905c9a4"
    "5729d5d602004d8da66931000000"
)
SCENARIOS: list[Call | Any] = [
    # -- the function list: names, descriptions, sources, order, warnings
    Call("list", "GET", LIST),
    Call("list-case-and-trailing-slash", "GET", "/NAVAI/Functions/"),
    Call("list-head", "HEAD", LIST),
    # -- every test function, with representative payloads
    _execute("add-args", "add", {"args": [2, 3]}),
    _execute("add-arguments", "add", {"arguments": [2.5, 4]}),
    _execute("add-one-number", "add", {"args": [2]}, 500),
    _execute("add-not-numbers", "add", {"value": "2"}, 500),
    _execute(
        "add-float-sum",
        "add",
        {"args": [0.5, 1.5]},
        differs=Difference(
            "a float a Python function computes keeps Python's spelling: 2.0, where JS writes 2",
            node=(200, _ok("add", "add", 2)),
            python=(200, _ok("add", "add", 2.0)),
        ),
    ),
    _execute("async_echo-value", "async_echo", {"value": {"a": [1, None], "b": "ü"}}),
    _execute("async_echo-whole-payload", "async_echo", {"x": 1}),
    _execute("echo-value", "echo", {"value": "x"}),
    _execute("echo-args-first", "echo", {"args": ["a", "b"]}),
    _execute("echo-whole-payload", "echo", {"text": "hi", "n": [1, 2.5, None], "nested": {"ok": True}}),
    _execute("echo-array-payload", "echo", [7, 8]),
    _execute("echo-args-null-then-arguments", "echo", {"args": None, "arguments": ["A"]}),
    _execute("echo-args-not-array", "echo", {"args": "x"}),
    _execute("echo-args-empty", "echo", {"args": []}),
    _execute("echo-value-beats-empty-args", "echo", {"value": 5, "args": []}),
    _execute("echo-unicode", "echo", {"value": "Olá 🚀 \u2028 </script>"}),
    _execute("echo-integral-float-input", "echo", {"value": [2.0, 1e2, -0.0, 0.1, 1.5e300]}),
    _execute("echo-no-payload", "echo", differs=_none_result("echo", "echo")),
    _execute("echo-empty-payload", "echo", {}, differs=_none_result("echo", "echo")),
    _execute("echo-null-payload", "echo", None, differs=_none_result("echo", "echo")),
    _execute("echo-string-payload", "echo", "str", differs=_none_result("echo", "echo")),
    _execute("echo-value-null", "echo", {"value": None}, differs=_none_result("echo", "echo")),
    Call(
        "echo-big-integer",
        "POST",
        EXECUTE,
        raw=b'{"function_name":"echo","payload":{"value":12345678901234567890}}',
        headers=JSON_TYPE,
        differs=Difference(
            "integers in a request body stay exact in Python; JS parses them into doubles",
            node=(200, _ok("echo", "echo", 12345678901234567000)),
            python=(200, _ok("echo", "echo", 12345678901234567890)),
        ),
    ),
    Call(
        "echo-lone-surrogate-and-huge-number",
        "POST",
        EXECUTE,
        raw=b'{"function_name":"echo","payload":{"value":["\\ud800",1e400]}}',
        headers=JSON_TYPE,
    ),
    _execute("big_list-n", "big_list", {"n": 3}),
    _execute("big_list-value", "big_list", {"value": 2}),
    _execute("big_list-args", "big_list", {"args": [1]}),
    _execute("big_list-default", "big_list"),
    _execute("big_list-1000", "big_list", {"n": 1000}),
    _execute("big_list-negative", "big_list", {"n": -1}, 500),
    _execute("calculator_multiply-args", "calculator_multiply", {"args": [6, 7]}),
    _execute("calculator_multiply-method-args", "calculator_multiply", {"methodArgs": [6, 7]}),
    _execute("calculator_multiply-context-appended", "calculator_multiply", {"methodArgs": [6]}, 500),
    _arity(
        "calculator_multiply-extra-argument",
        "calculator_multiply",
        "Calculator.multiply",
        {"args": [6, 7, 8]},
        (200, _ok("calculator_multiply", "Calculator.multiply", 42)),
        "Calculator.multiply() takes 3 positional arguments but 4 were given",
    ),
    _arity(
        "calculator_multiply-missing-argument",
        "calculator_multiply",
        "Calculator.multiply",
        {},
        (500, {"error": 'calculator_multiply expects two numbers, e.g. {"args": [6, 7]}'}),
        "Calculator.multiply() missing 1 required positional argument: 'b'",
    ),
    _execute("calculator_total", "calculator_total", {"constructorArgs": [10], "methodArgs": [1, 2]}),
    _execute("calculator_total-constructor-only", "calculator_total", {"constructorArgs": [10]}),
    _execute("calculator_total-mixed", "calculator_total", {"methodArgs": [1, "x", 2]}),
    _execute("calculator_total-bad-base", "calculator_total", {"constructorArgs": ["x"], "methodArgs": [1]}),
    _arity(
        "calculator_total-extra-constructor-argument",
        "calculator_total",
        "Calculator.total",
        {"constructorArgs": [10, 20], "methodArgs": [1]},
        (200, _ok("calculator_total", "Calculator.total", 11)),
        "Calculator.__init__() takes from 1 to 2 positional arguments but 3 were given",
    ),
    _execute("async_fail", "async_fail", {}, 500),
    _execute("fail", "fail", None, 500),
    _execute("fail_with_status-418", "fail_with_status", {"value": 418}, 418),
    _execute("fail_with_status-args-503", "fail_with_status", {"args": [503]}, 503),
    _execute("fail_with_status-default", "fail_with_status", {}, 422),
    _execute("fail_with_status-not-an-error-status", "fail_with_status", {"value": 200}, 422),
    _execute("say_hello-value", "say_hello", {"value": "Ana"}),
    _execute("say_hello-args-trimmed", "say_hello", {"args": ["  Bo  "]}),
    _execute("say_hello-no-payload", "say_hello"),
    *(
        _execute(name, name)
        for name in (
            "return_array",
            "return_empty_array",
            "return_empty_object",
            "return_false",
            "return_float",
            "return_integer",
            "return_nested_object",
            "return_nothing",  # no "result" key on either side
            "return_string",
            "return_true",
            "return_unicode",
        )
    ),
    _execute("return_null", "return_null", differs=_none_result("return_null", "returnNull")),
    _execute("slow_echo-ms", "slow_echo", {"ms": 5}),
    _execute("slow_echo-value-float", "slow_echo", {"value": 1.5}),
    _execute("slow_echo-negative", "slow_echo", {"ms": -1}, 500),
    _execute("text_tools_upper", "text_tools_upper", {"value": "hola ñ straße"}),
    _execute("text_tools_upper-not-a-string", "text_tools_upper", {"value": 5}, 500),
    _execute("text_tools_reverse", "text_tools_reverse", {"value": "añ🚀x"}),
    _execute("text_tools_word_count", "text_tools_word_count", {"value": "  uno  dos\ttres "}),
    _execute("text_tools_word_count-empty", "text_tools_word_count", {"value": "   "}),
    # -- function names: trimmed and case-insensitive; unknown 404; missing or not a string 400
    _execute("name-normalised", " Text_Tools_UPPER ", {"value": "hola"}),
    _execute("name-unknown", "no_such_function", status=404),
    _execute("name-unknown-padded", "  NOPE ", status=404),
    _execute("name-empty", "", status=400),
    _execute("name-blank", "   ", status=400),
    _execute("name-number", 5, status=400),
    _execute("name-null", None, status=400),
    _execute("name-true", True, status=400),
    _execute("name-array", ["echo"], status=400),
    _execute("name-object", {"name": "echo"}, status=400),
    Call("name-missing", "POST", EXECUTE, body={"payload": {"value": 1}}, status=400),
    Call(
        "name-duplicate-key-last-wins",
        "POST",
        EXECUTE,
        raw=b'{"function_name":"echo","function_name":"add","payload":{"args":[1,2]}}',
        headers=JSON_TYPE,
    ),
    # -- bodies: invalid JSON, not an object, too large, content types and encodings
    *(
        Call(f"invalid-json-{i}", "POST", EXECUTE, raw=raw, headers=JSON_TYPE, status=400)
        for i, raw in enumerate(
            [b"{bad", b"not json", b'{"a":1,}', b'{"function_name":"echo"} x', b" ", b'{"a":"\x01"}', b"[1,"]
        )
    ),
    *(
        Call(f"non-object-body-{name}", "POST", EXECUTE, raw=raw, headers=JSON_TYPE, status=400)
        for name, raw in [("string", b'"str"'), ("number", b"5"), ("null", b"null"), ("true", b"true")]
    ),
    Call("array-body", "POST", EXECUTE, raw=b"[1,2]", headers=JSON_TYPE, status=400),
    Call("empty-json-body", "POST", EXECUTE, raw=b"", headers=JSON_TYPE, status=400),
    Call(
        "text-plain-body-ignored",
        "POST",
        EXECUTE,
        raw=b'{"function_name":"echo"}',
        headers={"content-type": "text/plain"},
        status=400,
    ),
    Call("no-content-type-ignored", "POST", EXECUTE, raw=b'{"function_name":"echo"}', status=400),
    Call(
        "vendor-json-type-ignored",
        "POST",
        EXECUTE,
        raw=b'{"function_name":"echo"}',
        headers={"content-type": "application/vnd.api+json"},
        status=400,
    ),
    Call(
        "json-type-any-case",
        "POST",
        EXECUTE,
        raw=b'{"function_name":"echo","payload":{"value":1}}',
        headers={"content-type": "Application/JSON; Charset=UTF-8"},
    ),
    Call(
        "latin1-charset-415",
        "POST",
        EXECUTE,
        raw=b'{"function_name":"echo"}',
        headers={"content-type": "application/json; charset=latin1"},
        status=415,
    ),
    Call(
        "utf8-bom",
        "POST",
        EXECUTE,
        raw=b'\xef\xbb\xbf{"function_name":"echo","payload":{"value":1}}',
        headers=JSON_TYPE,
    ),
    Call(
        "invalid-utf8-replaced",
        "POST",
        EXECUTE,
        raw=b'{"function_name":"echo","payload":{"value":"\xff\xfe"}}',
        headers=JSON_TYPE,
    ),
    Call("body-exactly-100kB", "POST", EXECUTE, raw=_body(LIMIT), headers=JSON_TYPE),
    Call("body-over-100kB-413", "POST", EXECUTE, raw=_body(LIMIT + 1), headers=JSON_TYPE, status=413),
    Call(
        "chunked-body-over-100kB-413", "POST", EXECUTE, raw=_chunked(LIMIT + 1), headers=JSON_TYPE, status=413
    ),
    Call("chunked-body-under-limit", "POST", EXECUTE, raw=_chunked(LIMIT), headers=JSON_TYPE),
    Call("gzip-body", "POST", EXECUTE, raw=GZIP_BODY, headers={**JSON_TYPE, "content-encoding": "gzip"}),
    Call(
        "brotli-body",
        "POST",
        EXECUTE,
        raw=BROTLI_BODY,
        headers={**JSON_TYPE, "content-encoding": "br"},
        differs=Difference(
            "brotli request bodies are unsupported (415); Express 5 decodes them",
            node=(200, _ok("echo", "echo", "br")),
            python=(415, {"error": 'unsupported content encoding "br"'}),
        ),
    ),
    # -- client secrets: the answer and the upstream request
    Call("secret-no-body", "POST", SECRET, upstream=1, upstream_body=_session()),
    Call("secret-defaults", "POST", SECRET, body={}, upstream=1, upstream_body=_session()),
    Call(
        "secret-all-fields",
        "POST",
        SECRET,
        body={
            "model": "m1",
            "voice": "v1",
            "instructions": "  Base.  ",
            "language": "French",
            "voiceAccent": " neutral ",
            "voiceTone": "warm",
            "apiKey": "sk-client-ignored",  # the server key wins
        },
        upstream=1,
        upstream_body=_session(
            "m1",
            "Base.\nAlways reply in French.\n"
            "Use a neutral accent while speaking.\nUse a warm tone while speaking.",
            "v1",
        ),
    ),
    Call(
        "secret-empty-language-overrides-default",
        "POST",
        SECRET,
        body={"language": ""},
        upstream=1,
        upstream_body=_session(instructions="You are a helpful assistant."),
    ),
    Call("secret-empty-model-sent", "POST", SECRET, body={"model": "", "voice": None}, upstream=1),
    Call("secret-non-string-model-passed-on", "POST", SECRET, body={"model": 5}, upstream=1),
    Call("secret-array-body-defaults", "POST", SECRET, raw=b"[1]", headers=JSON_TYPE, upstream=1),
    Call("secret-instructions-not-a-string", "POST", SECRET, body={"instructions": 5}, status=500),
    Call("secret-language-not-a-string", "POST", SECRET, body={"language": ["x"]}, status=500),
    Call("secret-invalid-json", "POST", SECRET, raw=b"{", headers=JSON_TYPE, status=400),
    Call(
        "secret-body-over-100kB",
        "POST",
        SECRET,
        raw=b'{"x":"' + b"y" * LIMIT + b'"}',
        headers=JSON_TYPE,
        status=413,
    ),
    # BYOK ("bring your own key"): Node's /byok routes, navai serve without OPENAI_API_KEY
    Call(
        "byok-valid-key-trimmed",
        "POST",
        BYOK_SECRET,
        body={"apiKey": "<key>", "voice": "cedar"},
        upstream=1,
        upstream_body=_session(voice="cedar"),
    ),
    Call("byok-wrong-key", "POST", BYOK_SECRET, body={"apiKey": WRONG_KEY}, status=500, upstream=1),
    Call("byok-missing-key", "POST", BYOK_SECRET, body={}, status=500),
    Call("byok-no-body", "POST", BYOK_SECRET, status=500),
    Call("byok-blank-key", "POST", BYOK_SECRET, body={"apiKey": "   "}, status=500),
    Call("byok-key-not-a-string", "POST", BYOK_SECRET, body={"apiKey": 5}, status=500),
    Call(
        "byok-upstream-echoes-the-key",
        "POST",
        BYOK_SECRET,
        body={"apiKey": LEAKED_KEY},
        status=500,
        upstream=1,
        differs=Difference(
            "the API key never appears in a Python response: an upstream error that echoes it shows ***",
            node=(500, {"error": _upstream_401(LEAKED_KEY, LEAKED_KEY)}),
            python=(500, {"error": _upstream_401(LEAKED_KEY, "***")}),
        ),
    ),
    # -- speech (no ElevenLabs configured), health, unknown paths and methods
    Call("speech-not-configured", "POST", SPEECH, body={"text": "hola"}, status=500),
    Call("byok-speech-not-configured", "POST", BYOK_PREFIX + SPEECH, body={"text": "hola"}, status=500),
    Call("health", "GET", "/health"),
    Call("unknown-path", "GET", "/navai/nope", status=404),
    Call("unknown-path-escaped", "GET", "/a%20b/%3Cb%3E\"'&", status=404),
    Call("wrong-method", "GET", EXECUTE, status=404),
    Call("options-lists-methods", "OPTIONS", LIST),
    Call("unknown-path-with-query", "GET", "/navai/nope?x=1", status=404),
]


def _id(call: Call | Any) -> str:
    return call.id if isinstance(call, Call) else str(call.id)


# -- sending and normalising ------------------------------------------------------------

_SOURCE = re.compile(r'"source":"([^"#]*)#')
_MINTED = re.compile(r'"value":"ek_[A-Za-z0-9]{32}"')
_EXPIRES = re.compile(r'"expires_at":(\d+)')


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str | None
    text: str  # the body, normalised
    source_paths: list[str]  # the path part of every "source", in order
    upstream: list[UpstreamRequest]


@functools.cache
def _client() -> httpx2.Client:
    """One client for the whole run (making one costs more than a loopback call)."""
    client = httpx2.Client(trust_env=False, timeout=30)
    atexit.register(client.close)
    return client


def _normalise(text: str, sent_at: float) -> tuple[str, list[str]]:
    paths = _SOURCE.findall(text)
    text = _SOURCE.sub('"source":"#', text)
    text = _MINTED.sub('"value":"ek_<32 alphanumerics>"', text)

    def expiry(match: re.Match[str]) -> str:
        ok = abs(int(match.group(1)) - (sent_at + TTL)) <= 5
        return '"expires_at":"<now + TTL>"' if ok else match.group(0)

    return _EXPIRES.sub(expiry, text), paths


def _send(backend: Any, both: SessionBackends, call: Call) -> Answer:
    headers = dict(call.headers)
    content: Any = None
    if call.body is not _UNSET:
        body = call.body
        if isinstance(body, dict) and body.get("apiKey") == "<key>":
            body = {**body, "apiKey": f"  {both.key}  "}
        content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers.setdefault("content-type", "application/json")
    elif call.raw is not None:
        content = call.raw() if callable(call.raw) else call.raw
    mark = both.upstream.mark()
    sent_at = time.time()
    response = _client().request(call.method, backend.url_for(call.path), content=content, headers=headers)
    text, paths = _normalise(response.content.decode("utf-8"), sent_at)
    return Answer(
        response.status_code, response.headers.get("content-type"), text, paths, both.upstream.since(mark)
    )


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _upstream_view(requests: list[UpstreamRequest]) -> list[tuple[str, str, str | None, str | None, bytes]]:
    return [
        (r.method, r.path, r.headers.get("authorization"), r.headers.get("content-type"), r.body)
        for r in requests
    ]


@pytest.mark.live
@pytest.mark.parametrize("call", SCENARIOS, ids=_id)
def test_parity(call: Call, both: SessionBackends) -> None:
    node = _send(both.node, both, call)
    python = _send(both.py, both, call)

    # Upstream: the same requests, byte for byte, from both.
    assert len(node.upstream) == call.upstream, node.upstream
    assert _upstream_view(python.upstream) == _upstream_view(node.upstream)
    if call.upstream_body is not None:
        assert node.upstream[0].body == _compact(call.upstream_body).encode()
    if call.upstream:
        assert node.upstream[0].headers["authorization"] == f"Bearer {_upstream_key(call, both)}"

    if call.differs is None:
        # Sources: the same path up to the extension (.js vs .py), compared apart from the export.
        assert [p.rsplit(".", 1)[0] for p in python.source_paths] == [
            p.rsplit(".", 1)[0] for p in node.source_paths
        ]
        assert all(p.endswith(".js") for p in node.source_paths), node.source_paths
        assert all(p.endswith(".py") for p in python.source_paths), python.source_paths
        assert (python.status, python.content_type, python.text) == (
            node.status,
            node.content_type,
            node.text,
        )
        assert node.status == call.status, node.text
        if node.text and (node.content_type or "").startswith("application/json"):
            json.loads(node.text)
        return

    difference = call.differs
    assert (node.status, node.text) == (difference.node[0], _compact(difference.node[1])), difference.why
    assert (python.status, python.text) == (difference.python[0], _compact(difference.python[1])), (
        difference.why
    )
    assert python.content_type == node.content_type


def _upstream_key(call: Call, both: SessionBackends) -> str:
    if call.path.startswith(BYOK_PREFIX):
        return str(call.body["apiKey"]).replace("<key>", both.key).strip()
    return both.key


@pytest.mark.live
def test_function_list_order_warnings_and_coverage(both: SessionBackends) -> None:
    """Both list the README's functions in its order, with no warnings; every one is exercised above."""
    lists = {}
    backend: Any
    for label, backend in (("node", both.node), ("python", both.py)):
        lists[label] = _client().get(backend.url_for(LIST)).json()
    for listing in lists.values():
        assert [item["name"] for item in listing["items"]] == recording.FUNCTION_NAMES
        assert listing["warnings"] == []
    assert _listing(lists["python"]) == _listing(lists["node"])
    exercised = {
        c.body["function_name"]
        for c in SCENARIOS
        if isinstance(c, Call) and isinstance(c.body, dict) and isinstance(c.body.get("function_name"), str)
    }
    assert set(recording.FUNCTION_NAMES) <= exercised


@pytest.mark.live
def test_upstream_requests_match_the_spec_byte_for_byte(both: SessionBackends) -> None:
    """Spec 5.5's body for the defaults, sent identically by both (key order, compact JSON)."""
    node = _send(both.node, both, Call("d", "POST", SECRET, body={}))
    python = _send(both.py, both, Call("d", "POST", SECRET, body={}))
    expected = (
        b'{"expires_after":{"anchor":"created_at","seconds":600},"session":{"type":"realtime",'
        b'"model":"gpt-realtime","instructions":"You are a helpful assistant.\\nAlways reply in Spanish.",'
        b'"audio":{"output":{"voice":"marin"}}}}'
    )
    assert [r.body for r in node.upstream] == [r.body for r in python.upstream] == [expected]
    assert PARITY_ENV["OPENAI_REALTIME_LANGUAGE"] == "Spanish"
    for request in (*node.upstream, *python.upstream):
        assert (request.method, request.path) == ("POST", "/v1/realtime/client_secrets")
        assert request.headers["content-type"] == "application/json"


FOLDER_CONFIGS = {
    # No module matches: both fall back to the default folder with the same warning.
    "nope/dir": None,
    # File tokens name files: .js for Node, .py for Python, so each side keeps its own file only.
    "src/ai/functions-modules/greeting.js,src/ai/functions-modules/slow.py": Difference(
        "NAVAI_FUNCTIONS_FOLDERS file tokens match .py files in Python where Node matches .js",
        node=(200, ["say_hello"]),
        python=(200, ["slow_echo"]),
    ),
}


@pytest.mark.live
def test_function_folders_warnings_and_file_tokens(both: SessionBackends) -> None:
    """The same NAVAI_FUNCTIONS_FOLDERS on both: the same list and warnings, but for file tokens."""
    from concurrent.futures import ThreadPoolExecutor

    key = both.key
    with ThreadPoolExecutor() as pool:
        started = {
            folders: (
                pool.submit(start_node_backend, both.upstream, key, {"NAVAI_FUNCTIONS_FOLDERS": folders}),
                pool.submit(
                    PyBackend.start,
                    upstream=both.upstream,
                    openai_key=key,
                    env_overrides={"NAVAI_FUNCTIONS_FOLDERS": folders},
                ),
            )
            for folders in FOLDER_CONFIGS
        }
        pairs = {folders: (node.result(), python.result()) for folders, (node, python) in started.items()}
    try:
        for folders, difference in FOLDER_CONFIGS.items():
            node_backend, python_backend = pairs[folders]
            node = _client().get(node_backend.url_for(LIST)).json()
            python = _client().get(python_backend.url_for(LIST)).json()
            if difference is None:
                assert _listing(python) == _listing(node)
                assert [i["name"] for i in node["items"]] == recording.FUNCTION_NAMES
                assert node["warnings"] == [
                    f'[navai] NAVAI_FUNCTIONS_FOLDERS did not match any module: "{folders}". '
                    'Falling back to "src/ai/functions-modules".'
                ]
            else:
                assert ([i["name"] for i in node["items"]], node["warnings"]) == (difference.node[1], [])
                assert ([i["name"] for i in python["items"]], python["warnings"]) == (
                    difference.python[1],
                    [],
                )
    finally:
        for node_backend, python_backend in pairs.values():
            node_backend.stop()
            python_backend.stop()


def _listing(body: dict[str, Any]) -> tuple[list[tuple[str, str, str]], list[str]]:
    items = [(i["name"], i["description"], i["source"].split("#")[1]) for i in body["items"]]
    return items, body["warnings"]


# -- the navai client's cassette scenarios, live against navai serve ---------------------


def _python_source(value: Any) -> Any:
    """An expected value with the Node sources (``x.js#export``) of the Python twins (``x.py#export``)."""
    if isinstance(value, navai.BackendFunction | navai.FunctionResult) and value.source:
        return attrs.evolve(value, source=re.sub(r"\.js#", ".py#", value.source))
    if isinstance(value, navai.BackendFunctionsResult):
        return attrs.evolve(value, functions=[_python_source(f) for f in value.functions])
    return value


def _on_python(scenario: recording.Scenario, backend: Any) -> tuple[recording.Scenario, str]:
    """The scenario as it runs against navai serve: Python sources, BYOK and TTS on companions."""
    expect = scenario.expect
    if isinstance(expect, recording.Returns):
        expect = recording.Returns(_python_source(expect.value))
    options = dict(scenario.client_options)
    url = backend.url
    for option in ("client_secret_path", "speech_synthesize_path"):
        if options.get(option, "").startswith((BYOK_PREFIX + "/", TTS_PREFIX + "/")):
            url, options[option] = backend.endpoint(options[option])
    return attrs.evolve(scenario, expect=expect, client_options=options), url


@pytest.mark.parametrize("kind", recording.KINDS)
@pytest.mark.parametrize("scenario", recording.SCENARIOS, ids=lambda s: s.name)
def test_navai_client_scenarios_on_navai_serve(
    scenario: recording.Scenario, kind: str, python_backend: SessionBackends
) -> None:
    adapted, url = _on_python(scenario, python_backend.py)
    recording.check(adapted, recording.run(adapted, kind, url, python_backend.key), live=True)


# -- make demo: Python only --------------------------------------------------------------


def _processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment contains ``marker`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_demo_needs_no_node_and_leaves_no_process(tmp_path: Path) -> None:
    shims = tmp_path / "shims"
    shims.mkdir()
    calls = tmp_path / "node-calls.log"
    for tool in ("node", "npm", "npx"):
        shim = shims / tool
        shim.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{calls}"\necho "{tool}: not here" >&2\nexit 127\n')
        shim.chmod(0o755)
    marker = f"PARITY_DEMO_RUN={uuid.uuid4().hex}"
    name, value = marker.split("=")

    # The /proc scan sees a process that carries the marker (so an empty scan means something).
    probe = subprocess.Popen(["sleep", "30"], env={**os.environ, name: value})
    try:
        deadline = time.monotonic() + 5
        while probe.pid not in _processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert probe.pid in _processes_with(marker)
    finally:
        probe.send_signal(signal.SIGKILL)
        probe.wait()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NAVAI_", "ELEVENLABS_"))}
    env |= {
        "PATH": os.pathsep.join([str(shims), str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        name: value,
    }
    run = subprocess.run(
        [sys.executable, "-m", "scripts.demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert not calls.exists(), calls.read_text()
    assert "demo: all steps succeeded" in run.stdout
    assert "say_hello" in run.stdout
    assert '"Hello, Ana!"' in run.stdout
    assert "\n5\n" in run.stdout
    assert "secret:  ek_***" in run.stdout
    assert run.stdout.count("(exit code 0)") == 4
    pid = int(re.search(r"backend pid (\d+) stopped", run.stdout).group(1))  # type: ignore[union-attr]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert _processes_with(marker) == []
