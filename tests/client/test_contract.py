"""Contract truth: schemathesis drives openapi.yaml against the live backend, and every
response the backend sends must conform to it (status code documented, content type,
headers, body schema).

`test_backend_conforms_to_openapi` is schemathesis's own pytest integration
(``schema.parametrize()``): for each operation it runs the spec's examples, the coverage
phase (boundary and schema-violating values, undeclared methods) and up to `MAX_EXAMPLES`
fuzzed cases, and validates each response with schemathesis's checks. What it cannot
reach with generated data (unreadable bodies, every result type, the backend's error
answers) `test_documented_answers_conform` sends on purpose and validates with the same
checks.

Excluded checks, each with its reason, and each reason pinned by a test below so that
the exclusion cannot outlive it:

* ``unsupported_method`` (expects 405 for a method the spec does not declare): the
  backend is Express, which answers such a request with its own ``404 text/html`` page;
  OpenAPI has no way to document the answer to an undeclared method, short of declaring
  fake operations. Pinned by `test_undeclared_methods_get_express_404_page`.
* ``negative_data_rejection`` and ``not_a_server_error``, for schema-violating requests
  only: ``@navai/voice-backend`` does not validate request types. It reads each field
  with ``??`` and trims some of them, so a wrong type is either accepted (200: ``model``,
  ``voice``, ``apiKey`` on the server-key route, an array body, an array ``payload``) or
  crashes the handler (500 with the documented ``{"error": ...}`` body: ``language``,
  ``instructions``, ...). The response checks still run on every one of those answers.
  Pinned by `test_the_backend_does_not_validate_request_types`. Valid requests keep
  both checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from tests.support import backend_harness
from tests.support.recording import RESULTS, express_404

pytestmark = pytest.mark.live

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"
SCHEMA = schemathesis.openapi.from_path(SPEC)
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}
MAX_EXAMPLES = 50
"""Fuzzed cases per operation (the examples and coverage phases add a bounded set of their own)."""

SECRET, FUNCTIONS, EXECUTE, SPEECH = (
    "POST /navai/realtime/client-secret",
    "GET /navai/functions",
    "POST /navai/functions/execute",
    "POST /navai/speech/synthesize",
)
TTS = "/tts"
"""The test backend's routes that speak through ElevenLabs (the stand-in): speech is driven there."""
RESPONSE_CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_every_operation_is_driven() -> None:
    assert set(OPERATIONS) == {SECRET, FUNCTIONS, EXECUTE, SPEECH}


@SCHEMA.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    # The body strategies filter (non-blank function_name); loopback calls are slow for hypothesis.
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_backend_conforms_to_openapi(case: schemathesis.Case, live_backend: backend_harness.Backend) -> None:
    excluded = [unsupported_method]  # Express: 404 page, see the module docstring
    if case.meta is not None and case.meta.generation.mode is GenerationMode.NEGATIVE:
        excluded += [negative_data_rejection, not_a_server_error]  # no type validation, see above
    base_url = live_backend.url + (TTS if case.operation.label == SPEECH else "")
    case.call_and_validate(base_url=base_url, excluded_checks=excluded, timeout=10)


# -- answers generated data does not reach ----------------------------------------------


def _json(body: Any) -> Callable[[httpx2.Client, str], httpx2.Response]:
    return lambda client, path: client.post(path, json=body)


def _raw(content: bytes, **headers: str) -> Callable[[httpx2.Client, str], httpx2.Response]:
    return lambda client, path: client.post(path, content=content, headers=headers)


_LATIN1 = {"content-type": "application/json; charset=latin1"}
_ZSTD = {"content-type": "application/json", "content-encoding": "zstd"}
_BIG = {"function_name": "echo", "payload": {"value": "x" * 120_000}}

DOCUMENTED_ANSWERS: list[tuple[str, str, str, Callable[[httpx2.Client, str], httpx2.Response], int]] = [
    ("list", FUNCTIONS, "/navai/functions", lambda client, path: client.get(path), 200),
    *(
        (f"result-{name}", EXECUTE, "/navai/functions/execute", _json({"function_name": name}), 200)
        for name in RESULTS
    ),
    (
        "args",
        EXECUTE,
        "/navai/functions/execute",
        _json({"function_name": "add", "payload": {"args": [2, 3]}}),
        200,
    ),
    ("blank-name", EXECUTE, "/navai/functions/execute", _json({"function_name": "  "}), 400),
    ("name-not-a-string", EXECUTE, "/navai/functions/execute", _json({"function_name": 5}), 400),
    (
        "malformed-json",
        EXECUTE,
        "/navai/functions/execute",
        _raw(b"{bad", **{"content-type": "application/json"}),
        400,
    ),
    (
        "bare-json-null",
        EXECUTE,
        "/navai/functions/execute",
        _raw(b"null", **{"content-type": "application/json"}),
        400,
    ),
    ("unknown", EXECUTE, "/navai/functions/execute", _json({"function_name": "no_such_function"}), 404),
    ("too-large", EXECUTE, "/navai/functions/execute", _json(_BIG), 413),
    ("latin1", EXECUTE, "/navai/functions/execute", _raw(b'{"function_name":"echo"}', **_LATIN1), 415),
    ("zstd", EXECUTE, "/navai/functions/execute", _raw(b'{"function_name":"echo"}', **_ZSTD), 415),
    ("throws", EXECUTE, "/navai/functions/execute", _json({"function_name": "fail"}), 500),
    ("async-throws", EXECUTE, "/navai/functions/execute", _json({"function_name": "async_fail"}), 500),
    ("secret", SECRET, "/navai/realtime/client-secret", _json({"language": "es"}), 200),
    ("secret-no-body", SECRET, "/navai/realtime/client-secret", lambda client, path: client.post(path), 200),
    (
        "secret-malformed-json",
        SECRET,
        "/navai/realtime/client-secret",
        _raw(b"{", **{"content-type": "application/json"}),
        400,
    ),
    (
        "secret-too-large",
        SECRET,
        "/navai/realtime/client-secret",
        _json({"instructions": "x" * 120_000}),
        413,
    ),
    ("secret-latin1", SECRET, "/navai/realtime/client-secret", _raw(b"{}", **_LATIN1), 415),
    (
        "secret-upstream-401",
        SECRET,
        "/byok/navai/realtime/client-secret",
        _json({"apiKey": "sk-wrong-0000"}),
        500,
    ),
    ("secret-no-key", SECRET, "/byok/navai/realtime/client-secret", _json({}), 500),
    ("speech", SPEECH, "/tts/navai/speech/synthesize", _json({"text": "Hola"}), 200),
    ("speech-blank-text", SPEECH, "/tts/navai/speech/synthesize", _json({"text": "  "}), 500),
    ("speech-not-configured", SPEECH, "/navai/speech/synthesize", _json({"text": "Hola"}), 500),
    (
        "speech-malformed-json",
        SPEECH,
        "/tts/navai/speech/synthesize",
        _raw(b"{", **{"content-type": "application/json"}),
        400,
    ),
]


@pytest.mark.parametrize(
    ("operation", "path", "send", "status"),
    [pytest.param(*row[1:], id=row[0]) for row in DOCUMENTED_ANSWERS],
)
def test_documented_answers_conform(
    operation: str,
    path: str,
    send: Callable[[httpx2.Client, str], httpx2.Response],
    status: int,
    live_backend: backend_harness.Backend,
) -> None:
    """Each answer is the one intended, and conforms to what the spec documents for it.

    The ``/byok`` and ``/tts`` routes are validated against their operations: they are the
    same handlers mounted under another path (tests/backend/server.mjs).
    """
    with httpx2.Client(base_url=live_backend.url, timeout=10, trust_env=False) as client:
        response = send(client, path)
    assert response.status_code == status, response.text[:300]
    OPERATIONS[operation].Case().validate_response(response, checks=RESPONSE_CHECKS)


# -- the reasons for the exclusions, pinned ---------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/navai/realtime/client-secret",
        "/navai/functions",
        "/navai/functions/execute",
        "/navai/speech/synthesize",
    ],
)
def test_undeclared_methods_get_express_404_page(path: str, live_backend: backend_harness.Backend) -> None:
    declared = {operation.method.upper() for operation in OPERATIONS.values() if operation.path == path}
    with httpx2.Client(base_url=live_backend.url, timeout=10, trust_env=False) as client:
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - declared):
            response = client.request(method, path)
            assert response.status_code == 404, (method, response.status_code)
            assert response.headers["content-type"] == "text/html; charset=utf-8"
            assert response.text == express_404(method, path)


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        ({"model": 5}, 200, None),
        ({"voice": ["marin"]}, 200, None),
        ({"apiKey": {"not": "a string"}}, 200, None),
        ([1, 2], 200, None),
        ({"language": 5}, 500, {"error": "value?.trim is not a function"}),
        ({"instructions": 5}, 500, {"error": "input.baseInstructions.trim is not a function"}),
    ],
    ids=lambda value: json.dumps(value) if not isinstance(value, int) else str(value),
)
def test_the_backend_does_not_validate_request_types(
    body: Any, status: int, answer: dict[str, str] | None, live_backend: backend_harness.Backend
) -> None:
    with httpx2.Client(base_url=live_backend.url, timeout=10, trust_env=False) as client:
        response = client.post("/navai/realtime/client-secret", json=body)
    assert response.status_code == status, response.text
    if answer is not None:
        assert response.json() == answer
    OPERATIONS[SECRET].Case().validate_response(response, checks=RESPONSE_CHECKS)
