"""Hostile suite, the request path: malformed, wrongly typed, oversized, deeply nested and
invalid UTF-8 bodies; ``function_name`` values that are no exposed function; functions that
fail in ways that are hard to report; on raw sockets.

Cases that run on both backends (``backend`` parameter, as in ``test_hostile_http``)
compare navai serve's answer with the Node backend's: the same status and the same JSON.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.py_backend_harness import PyBackend, SessionBackends
from tests.support.raw_http import RawResponse, exchange, request

from .hostile import EXECUTE, assert_json_error, execute, healthy, log_lines, start_hostile

JSON = "application/json"


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-bodies") / "calls.log"


@pytest.fixture(scope="module")
def hostile(log: Path) -> Iterator[PyBackend]:
    with start_hostile(log) as backend:
        yield backend


def post(port: int, body: bytes, content_type: str | None = JSON, **headers: str) -> RawResponse:
    return exchange(port, request("POST", EXECUTE, body, headers, content_type=content_type))


def same_on_both(both: SessionBackends, body: bytes, content_type: str | None = JSON, **headers: str) -> Any:
    """The answer's status and JSON, asserted equal on navai serve and the Node backend."""
    ours = post(both.py.port, body, content_type, **headers)
    theirs = post(both.node.port, body, content_type, **headers)
    assert ours.is_json, ours.body[:200]
    assert b"Traceback" not in ours.body
    mine, node = ours.json(), theirs.json()
    if ours.status == 200:  # sources differ (.py/.js); a None result has no key in Python
        mine, node = mine.get("result"), node.get("result")
    assert (ours.status, mine) == (theirs.status, node)
    return ours.status, mine


# -- bodies ----------------------------------------------------------------------------------

LIMIT = 100 * 1024
_FILL = b'{"function_name":"echo","payload":{"value":"'

BAD_BODIES: dict[str, tuple[bytes, str | None, dict[str, str], int]] = {
    "empty, Content-Length 0": (b"", JSON, {}, 400),
    "empty, no type": (b"", None, {}, 400),
    "only whitespace": (b"   \n\t", JSON, {}, 400),
    "truncated": (b'{"function_name": "echo"', JSON, {}, 400),
    "a trailing comma": (b'{"function_name": "echo",}', JSON, {}, 400),
    "single quotes": (b"{'function_name': 'echo'}", JSON, {}, 400),
    "NaN": (b'{"function_name": "echo", "payload": {"value": NaN}}', JSON, {}, 400),
    "a comment": (b'{"function_name": "echo" /* x */}', JSON, {}, 400),
    "two documents": (b'{"function_name": "echo"}{"a":1}', JSON, {}, 400),
    "a top-level string": (b'"echo"', JSON, {}, 400),
    "a top-level number": (b"42", JSON, {}, 400),
    "a top-level null": (b"null", JSON, {}, 400),
    "a top-level true": (b"true", JSON, {}, 400),
    "a top-level array": (b'["echo"]', JSON, {}, 400),
    "a bare word": (b"echo", JSON, {}, 400),
    "a control character in a string": (b'{"function_name": "ec\x01ho"}', JSON, {}, 400),
    "a bad escape": (b'{"function_name": "\\x65cho"}', JSON, {}, 400),
    "text/plain": (b'{"function_name":"echo"}', "text/plain", {}, 400),
    "a form": (b"function_name=echo", "application/x-www-form-urlencoded", {}, 400),
    "application/vnd.api+json": (b'{"function_name":"echo"}', "application/vnd.api+json", {}, 400),
    "charset latin1": (b'{"function_name":"echo"}', "application/json; charset=latin1", {}, 415),
    "charset utf-99": (b'{"function_name":"echo"}', "application/json; charset=koi8-r", {}, 415),
    "function_name 1": (b'{"function_name": 1}', JSON, {}, 400),
    "function_name true": (b'{"function_name": true}', JSON, {}, 400),
    "function_name null": (b'{"function_name": null}', JSON, {}, 400),
    "function_name an array": (b'{"function_name": ["echo"]}', JSON, {}, 400),
    "function_name an object": (b'{"function_name": {"toString": "echo"}}', JSON, {}, 400),
    "function_name empty": (b'{"function_name": ""}', JSON, {}, 400),
    "function_name blank": (b'{"function_name": " \\t\\n "}', JSON, {}, 400),
    "function_name under __proto__": (b'{"__proto__": {"function_name": "echo"}}', JSON, {}, 400),
    "function_name under constructor": (
        b'{"constructor": {"prototype": {"function_name": "echo"}}}',
        JSON,
        {},
        400,
    ),
    "invalid UTF-8 in function_name": (b'{"function_name":"ec\xff\xfeho"}', JSON, {}, 404),
    "over the 100 KB limit": (_FILL + b"x" * LIMIT + b'"}}', JSON, {}, 413),
    "8,000 keys (over the limit)": (json.dumps({f"k{i}": i for i in range(8000)}).encode(), JSON, {}, 413),
    "20,000 nested objects (over the limit)": (b'{"a":' * 20000 + b"1" + b"}" * 20000, JSON, {}, 413),
    "a gzip bomb": (
        gzip.compress(b'{"a":"' + b"x" * 20_000_000 + b'"}'),
        JSON,
        {"Content-Encoding": "gzip"},
        413,
    ),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_a_bad_body_gets_the_json_error_node_gives(both: SessionBackends, case: str) -> None:
    body, content_type, headers, status = BAD_BODIES[case]
    answered, answer = same_on_both(both, body, content_type, **headers)
    assert answered == status
    assert isinstance(answer["error"], str)
    assert healthy(both.py.port)


GOOD_BODIES: dict[str, tuple[bytes, str, dict[str, str], Any]] = {
    "a byte-order mark": (b'\xef\xbb\xbf{"function_name":"echo","payload":{"value":1}}', JSON, {}, 1),
    "invalid UTF-8 in a value": (
        b'{"function_name":"echo","payload":{"value":"\xc3\x28"}}',
        JSON,
        {},
        "\ufffd(",
    ),
    "an overlong UTF-8 slash": (
        b'{"function_name":"echo","payload":{"value":"\xc0\xaf"}}',
        JSON,
        {},
        "\ufffd\ufffd",
    ),
    "a lone surrogate escape": (
        b'{"function_name":"echo","payload":{"value":"\\ud800"}}',
        JSON,
        {},
        "\ud800",
    ),
    "UTF-16 with its charset": (
        '{"function_name":"echo","payload":{"value":"é"}}'.encode("utf-16"),
        "application/json; charset=utf-16",
        {},
        "é",
    ),
    "extra type parameters": (
        b'{"function_name":"echo","payload":{"value":2}}',
        "application/json; charset=utf-8; x=y",
        {},
        2,
    ),
    "an upper-case type": (b'{"function_name":"echo","payload":{"value":3}}', "APPLICATION/JSON", {}, 3),
    "a duplicate key (the last wins)": (b'{"function_name":"nope","function_name":"echo"}', JSON, {}, None),
    "payload a string": (b'{"function_name":"echo","payload":"x"}', JSON, {}, None),
    "payload a number": (b'{"function_name":"echo","payload":5}', JSON, {}, None),
    "payload null": (b'{"function_name":"echo","payload":null}', JSON, {}, None),
    "payload an array": (b'{"function_name":"echo","payload":[1,2]}', JSON, {}, [1, 2]),
    "args an object": (b'{"function_name":"echo","payload":{"args":{"a":1}}}', JSON, {}, {"args": {"a": 1}}),
    "1e999": (b'{"function_name":"echo","payload":{"value":1e999}}', JSON, {}, None),
    "a 5,000-digit number": (
        b'{"function_name":"echo","payload":{"value":' + b"9" * 5000 + b"}}",
        JSON,
        {},
        None,
    ),
    "15,000 escapes": (
        b'{"function_name":"echo","payload":{"value":"' + b"\\u0041" * 15000 + b'"}}',
        JSON,
        {},
        "A" * 15000,
    ),
    "exactly at the limit": (
        _FILL + b"x" * (LIMIT - len(_FILL) - 3) + b'"}}',
        JSON,
        {},
        "x" * (LIMIT - len(_FILL) - 3),
    ),
    "gzip": (
        gzip.compress(b'{"function_name":"echo","payload":{"value":4}}'),
        JSON,
        {"Content-Encoding": "gzip"},
        4,
    ),
    "identity encoding": (
        b'{"function_name":"echo","payload":{"value":5}}',
        JSON,
        {"Content-Encoding": "identity"},
        5,
    ),
}


@pytest.mark.parametrize("case", list(GOOD_BODIES))
def test_an_odd_but_valid_body_is_read_as_node_reads_it(both: SessionBackends, case: str) -> None:
    body, content_type, headers, result = GOOD_BODIES[case]
    assert same_on_both(both, body, content_type, **headers) == (200, result)


def test_nesting_deeper_than_python_parses_is_a_json_400(both: SessionBackends) -> None:
    """Node's parser takes 50,000 nested arrays; Python's stops near 1,000 levels: a 400, not a crash."""
    for body in (b"[" * 50000 + b"]" * 50000, _FILL[:-1] + b"[" * 10000 + b"]" * 10000 + b"}}"):
        assert_json_error(post(both.py.port, body), 400, "Maximum call stack size exceeded")
    assert healthy(both.py.port)


def test_a_body_claiming_a_gigabyte_is_refused_before_it_is_read(both: SessionBackends) -> None:
    raw = request("POST", EXECUTE, b"{}").replace(b"Content-Length: 2", b"Content-Length: 1073741824")
    assert_json_error(exchange(both.py.port, raw), 413, "request entity too large")


@pytest.mark.parametrize("encoding", ["br", "compress", "x-unknown"])
def test_an_unsupported_content_encoding_is_415(both: SessionBackends, encoding: str) -> None:
    answer = post(both.py.port, b"\x00\x01", **{"Content-Encoding": encoding})
    assert_json_error(answer, 415, f'unsupported content encoding "{encoding}"')


# -- function names --------------------------------------------------------------------------------

NOT_FUNCTIONS = [
    "__class__",
    "__init__",
    "__import__",
    "os.system",
    "../x",
    "constructor",
    "__proto__",
    "\u0000",
    "echo\u0000",
    "x" * 10_000,
    "toString",
    "hasOwnProperty",
    "valueOf",
    "__defineGetter__",
    "prototype",
    "eval",
    "exec",
    "__builtins__",
    "__dict__",
    "__globals__",
    "globals",
    "sys.exit",
    "basics.echo",
    "basics_echo",
    "echo()",
    "echo;add",
    "%65cho",
    "echo/../echo",
    "src/ai/functions-modules/basics.py#echo",
    "echo\u200b",
    "\uff25\uff23\uff28\uff2f",  # full-width ECHO
    "e\u0301cho",
    "'; DROP TABLE functions; --",
    "<script>alert(1)</script>",
    "${7*7}",
    "{{7*7}}",
    "\r\nX-Injected: 1",
]


@pytest.mark.parametrize("name", NOT_FUNCTIONS, ids=lambda name: repr(name[:24]))
def test_a_name_that_is_no_exposed_function_answers_as_an_unknown_function(
    both: SessionBackends, name: str
) -> None:
    status, answer = same_on_both(both, json.dumps({"function_name": name}).encode())
    assert status == 404
    assert answer["error"] == "Unknown or disallowed function."
    assert "echo" in answer["available_functions"]


@pytest.mark.parametrize("name", ["ECHO", " echo\t", "\u00a0echo\u00a0", "\ufeffecho", "ecHo"])
def test_names_are_trimmed_and_lower_cased_as_node_does(both: SessionBackends, name: str) -> None:
    body = json.dumps({"function_name": name, "payload": {"value": "ok"}}).encode()
    assert same_on_both(both, body) == (200, "ok")


@pytest.mark.parametrize(
    "name",
    [
        "tool___init__",
        "Tool___class__",
        "tool___dict__",
        "tool___module__",
        "tool___call__",
        "tool_run.__globals__",
    ],
)
def test_a_class_exposes_its_public_methods_only(hostile: PyBackend, name: str, log: Path) -> None:
    answer = execute(hostile.port, {"function_name": name})
    assert_json_error(answer, 404, "Unknown or disallowed function.")
    assert "tool_run" in answer.json()["available_functions"]
    assert execute(hostile.port, {"function_name": "tool_run"}).json()["result"] == "ran"


def test_an_unknown_name_runs_nothing(hostile: PyBackend, log: Path) -> None:
    for name in NOT_FUNCTIONS:
        assert execute(hostile.port, {"function_name": name, "payload": {"value": name}}).status == 404
    assert execute(hostile.port, {"function_name": "record", "payload": {"value": "known"}}).status == 200
    assert log_lines(log) == ["ran known"]


# -- functions that fail awkwardly ---------------------------------------------------------------

FAILURES = {
    "unprintable": "_Unprintable (its message could not be read)",
    "bad_status": "a status that is not a number",
    "out_of_memory": "Out of memory (MemoryError).",
    "system_exit": "The function raised SystemExit: 3",
    "keyboard_interrupt": "The function raised KeyboardInterrupt.",
    "unencodable_set": "Object of type set is not JSON serializable",
    "unencodable_object": "Object of type object is not JSON serializable",
    "circular": "Circular reference detected",
    "huge_int": "Exceeds the limit",
    "bad_key": "keys must be str, int, float, bool or None, not tuple",
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_a_function_failing_awkwardly_gets_a_json_500_and_the_server_goes_on(
    hostile: PyBackend, name: str
) -> None:
    error = assert_json_error(execute(hostile.port, {"function_name": name}), 500, FAILURES[name])
    assert "Traceback" not in error
    assert healthy(hostile.port)
    assert execute(hostile.port, {"function_name": "echo", "payload": {"value": 1}}).json()["result"] == 1
