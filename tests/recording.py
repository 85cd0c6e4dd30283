"""Scenarios against the real NAVAI backend, and the vcrpy set-up that records and replays them.

One table drives three things, so they cannot drift: ``make record`` (scripts/record.py)
records each scenario for the sync and the async client into ``cassettes/``; the replay
tests run every cassette offline; the live tests run the same scenarios against the
backend the test run starts. Everything is scrubbed before it is written.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import vcr

import navai

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
SECRET_PLACEHOLDER = "ek_REDACTED_PLACEHOLDER"
REPLAY_URL = "http://navai-backend.localhost"
BYOK_PATH = "/byok/navai/realtime/client-secret"
WRONG_KEY = "sk-test-wrong-key-000000000000"

_SECRET_VALUE = re.compile(r"ek_[A-Za-z0-9_-]+")
_API_KEY = re.compile(r"sk-[A-Za-z0-9_-]{6,}")
_DROPPED_HEADERS = re.compile(r"(?i)authorization|cookie|x-wp-nonce|.*(key|token|auth).*")
_VOLATILE_HEADERS = ("date", "etag", "x-request-id", "keep-alive", "connection", "x-powered-by")


def scrub_text(text: str) -> str:
    """Minted secrets become the placeholder, anything shaped like an API key becomes ``sk-***``."""
    text = _SECRET_VALUE.sub(
        lambda m: m.group(0) if m.group(0) == SECRET_PLACEHOLDER else SECRET_PLACEHOLDER, text
    )
    return _API_KEY.sub("sk-***", text)


def scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if _DROPPED_HEADERS.fullmatch(name) or name.lower() in _VOLATILE_HEADERS:
            del request.headers[name]
    body = request.body
    if body:
        text = body.decode() if isinstance(body, bytes) else str(body)
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and "apiKey" in data:
            data["apiKey"] = "REDACTED"
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        request.body = scrub_text(text).encode()
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if _DROPPED_HEADERS.fullmatch(name) or name.lower() in (*_VOLATILE_HEADERS, "set-cookie"):
            del headers[name]
    body = response.get("body", {})
    content = body.get("string")
    if isinstance(content, bytes):
        scrubbed = scrub_text(content.decode("utf-8", errors="replace")).encode()
        body["string"] = scrubbed
        for name in list(headers):
            if name.lower() == "content-length":
                headers[name] = [str(len(scrubbed))]
    elif isinstance(content, str):
        body["string"] = scrub_text(content)
    return response


def make_vcr(record_mode: str) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        serializer="yaml",
        record_mode=record_mode,
        match_on=["method", "path", "body"],
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )


# -- the scenarios ------------------------------------------------------------------


@attrs.frozen
class Scenario:
    """A call against the backend and what it must produce, recorded or live."""

    name: str
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = attrs.field(factory=dict)
    client_options: dict[str, Any] = attrs.field(factory=dict)
    check: Callable[[Any, bool], None] = attrs.field(default=lambda outcome, live: None)

    def cassette(self, kind: str) -> str:
        return f"{kind}-{self.name}.yaml"


def _equals(expected: Any) -> Callable[[Any, bool], None]:
    def check(outcome: Any, live: bool) -> None:
        assert not isinstance(outcome, BaseException), repr(outcome)
        assert outcome == expected, outcome
        assert type(outcome) is type(expected), outcome

    return check


def _http_error(status: int, message: str | None = None, prefix: str | None = None, **fields: Any) -> Any:
    def check(outcome: Any, live: bool) -> None:
        assert isinstance(outcome, navai.NavaiHTTPError), repr(outcome)
        assert outcome.status_code == status
        if message is not None:
            assert str(outcome) == message
        if prefix is not None:
            assert str(outcome).startswith(prefix), str(outcome)
        for name, expected in fields.items():
            assert getattr(outcome, name) == expected, (name, getattr(outcome, name))

    return check


def _secret(outcome: Any, live: bool) -> None:
    assert isinstance(outcome, navai.ClientSecret), repr(outcome)
    if live:
        assert re.fullmatch(r"ek_[A-Za-z0-9]{32}", outcome.value)
        assert isinstance(outcome.expires_at, int)
        assert abs(outcome.expires_at - (time.time() + 600)) < 60
    else:
        assert outcome.value == SECRET_PLACEHOLDER
        assert isinstance(outcome.expires_at, int)
    assert outcome.extra == {"speech": {"provider": "openai"}}


def _listing(outcome: Any, live: bool) -> None:
    assert isinstance(outcome, navai.BackendFunctionsResult)
    assert outcome.warnings == []
    assert len(outcome.functions) == 26
    assert outcome.functions[0] == navai.BackendFunction(
        "add", "Call exported function add.", "src/ai/functions-modules/basics.js#add"
    )
    assert {"echo", "say_hello", "calculator_multiply", "text_tools_upper"} <= set(outcome.names())


def _unknown(outcome: Any, live: bool) -> None:
    _http_error(404, error="Unknown or disallowed function.")(outcome, live)
    assert outcome.available_functions is not None
    assert "echo" in outcome.available_functions
    assert len(outcome.available_functions) == 26


RESULTS: dict[str, Any] = {
    "return_string": "hello from navai",
    "return_integer": 42,
    "return_float": 3.25,
    "return_true": True,
    "return_false": False,
    "return_null": None,
    "return_nothing": None,
    "return_array": [1, "two", 3.5, True, None, {"six": 6}, [7]],
    "return_nested_object": {
        "name": "navai",
        "version": 1,
        "ratio": 0.5,
        "enabled": True,
        "missing": None,
        "tags": ["voice", "navigation"],
        "owner": {"id": 7, "roles": ["admin", "dev"], "profile": {"locale": "es-CO", "verified": False}},
    },
    "return_empty_object": {},
    "return_empty_array": [],
    "return_unicode": "Olá, señor Müller! Привет, 你好, こんにちは, مرحبا — 🚀✨",
}
ALL_FIELDS = {
    "model": "gpt-realtime",
    "voice": "marin",
    "instructions": "You help people navigate the app.",
    "language": "es",
    "voice_accent": "neutral",
    "voice_tone": "warm",
}

SCENARIOS: list[Scenario] = [
    Scenario("list", "list_functions", check=_listing),
    *(
        Scenario(f"execute-{name}", "execute_function", (name,), check=_equals(value))
        for name, value in RESULTS.items()
    ),
    Scenario("execute-payload-null", "execute_function", ("echo", None), check=_equals(None)),
    Scenario(
        "execute-payload-object",
        "execute_function",
        ("echo", {"text": "hi", "n": [1, 2]}),
        check=_equals({"text": "hi", "n": [1, 2]}),
    ),
    Scenario("execute-payload-args", "execute_function", ("add", {"args": [2, 3]}), check=_equals(5)),
    Scenario(
        "execute-payload-value",
        "execute_function",
        ("say_hello", {"value": "Ana"}),
        check=_equals("Hello, Ana!"),
    ),
    Scenario(
        "execute-class-method",
        "execute_function",
        ("calculator_total", {"constructorArgs": [10], "methodArgs": [1, 2]}),
        check=_equals(13),
    ),
    Scenario("execute-unknown-function", "execute_function", ("no_such_function",), check=_unknown),
    Scenario(
        "execute-missing-name",
        "execute_function",
        ("",),
        check=_http_error(400, '{"error":"function_name is required."}', error="function_name is required."),
    ),
    Scenario(
        "execute-throws",
        "execute_function",
        ("fail",),
        check=_http_error(500, '{"error":"boom: intentional failure"}', error="boom: intentional failure"),
    ),
    Scenario(
        "execute-unserved-path",
        "execute_function",
        ("echo",),
        client_options={"functions_execute_path": "/navai/nope"},
        check=_http_error(404, prefix="<!DOCTYPE html>"),
    ),
    Scenario(
        "list-unserved-path",
        "list_functions",
        client_options={"functions_list_path": "/navai/nope"},
        check=_equals(navai.BackendFunctionsResult([], ["[navai] Failed to load backend functions (404)."])),
    ),
    Scenario("secret-default", "create_client_secret", check=_secret),
    Scenario("secret-all-fields", "create_client_secret", kwargs=ALL_FIELDS, check=_secret),
    Scenario(
        "secret-upstream-failure",
        "create_client_secret",
        kwargs={"api_key": WRONG_KEY},
        client_options={"client_secret_path": BYOK_PATH},
        check=_http_error(500, prefix='{"error":"OpenAI client_secrets failed (401): '),
    ),
    Scenario(
        "secret-byok-valid-key",
        "create_client_secret",
        kwargs={"api_key": "<backend key>"},
        client_options={"client_secret_path": BYOK_PATH},
        check=_secret,
    ),
]


def run(scenario: Scenario, kind: str, url: str, backend_key: str | None) -> Any:
    """Run one scenario with a fresh client of this kind; returns the result or the NavaiError."""
    key = backend_key or "sk-test-replayed-key-000000"
    kwargs = {name: key if value == "<backend key>" else value for name, value in scenario.kwargs.items()}
    options = {"env": {}, "max_retries": 0, **scenario.client_options}
    if kind == "sync":
        with navai.NavaiBackendClient(url, **options) as client:
            try:
                return getattr(client, scenario.method)(*scenario.args, **kwargs)
            except navai.NavaiError as exc:
                return exc

    async def main() -> Any:
        async with navai.AsyncNavaiBackendClient(url, **options) as client:
            try:
                return await getattr(client, scenario.method)(*scenario.args, **kwargs)
            except navai.NavaiError as exc:
                return exc

    return asyncio.run(main())
