"""Scenarios against the real NAVAI backend, and the vcrpy set-up that records and replays them.

One table, `SCENARIOS`, drives three things so they cannot drift:

* ``make record`` (``scripts/record.py``) runs each scenario once per client kind (sync,
  async) against the backend on loopback, inside its own cassette ``cassettes/<kind>-<name>.yaml``;
* ``tests/client/test_cassettes.py`` replays every cassette offline (``record_mode="none"``) and
  asserts the facade's outcome equals the expected one exactly;
* ``tests/client/test_live.py`` runs the same scenarios against the backend the test run starts and
  asserts the same outcome, except for the values that change on every mint (the secret's
  value and ``expires_at``), whose shape it checks instead.

Everything vcrpy writes goes through `scrub_request` / `scrub_response` first: credentials
and cookies are dropped, ``apiKey`` becomes ``REDACTED``, minted secrets become
`SECRET_PLACEHOLDER`, anything shaped like an OpenAI key becomes ``sk-***``, and volatile
headers (``Date``, ``Keep-Alive``, the host's port, ...) are left out, so that re-recording
an unchanged backend only changes ``expires_at``. `find_secrets` is the scanner that
``tests/client/test_cassette_secrets.py`` and ``make record`` run over what was written.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs
import vcr

import navai
from tests.support.elevenlabs_standin import VOICE_ID, fake_audio

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
KINDS = ("sync", "async")
Kind = Literal["sync", "async"]

SECRET_PLACEHOLDER = "ek_REDACTED_PLACEHOLDER"
"""What every minted client secret (``ek_...``) becomes in a cassette."""
API_KEY_PLACEHOLDER = "sk-***"
"""What any other string shaped like an OpenAI key becomes (the scanner does not match it)."""
REDACTED = "REDACTED"
"""What the value of a key-like JSON field (``apiKey``) in a request body becomes."""

REPLAY_URL = "http://navai-backend.localhost"
"""Every recorded URI is rewritten to this base, and replays use it (the port changes per run).

A ``.localhost`` host counts as loopback, so sending ``api_key`` to it raises no
`navai.NavaiInsecureTransportWarning`, exactly as with the real ``127.0.0.1`` backend."""

BYOK_PATH = "/byok/navai/realtime/client-secret"
TTS_SECRET_PATH = "/tts/navai/realtime/client-secret"
TTS_SPEECH_PATH = "/tts/navai/speech/synthesize"
"""The test backend's routes whose speech provider is ElevenLabs (an `ElevenLabsStandIn`)."""
"""The test backend's "bring your own key" route: the body's ``apiKey`` is the upstream key."""
UNSERVED_PATH = "/navai/nope"
WRONG_KEY = "sk-test-wrong-key-000000000000"
"""A key the OpenAI stand-in rejects (401), so the backend answers 500."""
BACKEND_KEY = "<the key the OpenAI stand-in accepts>"
"""Stands for ``Backend.openai_key`` in a scenario; a replay sends `REPLAYED_KEY` instead."""
REPLAYED_KEY = "sk-test-replayed-key-000000"

# -- scrubbing ------------------------------------------------------------------------

_MINTED_SECRET = re.compile(r"ek_[A-Za-z0-9_-]+")
_OPENAI_KEY = re.compile(r"sk-[A-Za-z0-9_-]{6,}")
_SENSITIVE_NAME = re.compile(r"(?i)auth|cookie|nonce|key|token|secret|password")
"""Header, query and JSON field names whose values are credentials (``Authorization``,
``Cookie``/``Set-Cookie``, ``X-WP-Nonce``, ``X-Api-Key``, ``apiKey``, ``X-Auth-Token``, ...)."""
_VOLATILE_HEADERS = frozenset(
    {
        "host",  # carries the backend's random port
        "date",
        "etag",
        "last-modified",
        "age",
        "expires",
        "x-request-id",
        "request-id",
        "x-response-time",
        "keep-alive",
        "connection",
        "x-powered-by",
        "server",
    }
)
FILTERED_HEADERS = ("authorization", "proxy-authorization", "cookie", "x-wp-nonce", "host")
"""Passed to vcrpy's own ``filter_headers`` too, before `scrub_request` runs."""


def scrub_text(text: str) -> str:
    """Minted secrets become `SECRET_PLACEHOLDER`, anything shaped like an OpenAI key ``sk-***``."""
    text = _MINTED_SECRET.sub(SECRET_PLACEHOLDER, text)
    return _OPENAI_KEY.sub(API_KEY_PLACEHOLDER, text)


def _redact_fields(data: Any) -> tuple[Any, bool]:
    """``data`` with the value of every key-like field (at any depth) set to `REDACTED`."""
    if isinstance(data, dict):
        changed = False
        out: dict[str, Any] = {}
        for name, value in data.items():
            if _SENSITIVE_NAME.search(name) and value is not None:
                out[name], changed = REDACTED, True
            else:
                out[name], inner = _redact_fields(value)
                changed = changed or inner
        return out, changed
    if isinstance(data, list):
        items = [_redact_fields(item) for item in data]
        return [item for item, _ in items], any(changed for _, changed in items)
    return data, False


def _scrub_body(body: bytes | str | None) -> bytes | None:
    if body is None:
        return None
    raw = body.encode() if isinstance(body, str) else body
    if not raw:
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    try:
        data = json.loads(text)
    except ValueError:
        pass
    else:
        data, changed = _redact_fields(data)
        if changed:  # re-serialised only when something was redacted, compact like the facade
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return scrub_text(text).encode("utf-8")


def _drop_headers(headers: dict[str, Any]) -> None:
    for name in list(headers):
        if _SENSITIVE_NAME.search(name) or name.lower() in _VOLATILE_HEADERS:
            del headers[name]


def _fix_content_length(headers: dict[str, Any], body: bytes | None, as_list: bool) -> None:
    for name in list(headers):
        if name.lower() == "content-length":
            length = str(len(body or b""))
            headers[name] = [length] if as_list else length


def scrub_request(request: Any) -> Any:
    """vcrpy ``before_record_request``: also applied to each replayed request before matching."""
    parts = urlsplit(request.uri)
    base = urlsplit(REPLAY_URL)
    query = urlencode(
        [
            (name, REDACTED if _SENSITIVE_NAME.search(name) else value)
            for name, value in parse_qsl(parts.query)
        ]
    )
    request.uri = urlunsplit((base.scheme, base.netloc, parts.path, query, ""))
    _drop_headers(request.headers)
    request.body = _scrub_body(request.body)
    _fix_content_length(request.headers, request.body, as_list=False)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy ``before_record_response``."""
    headers = response.setdefault("headers", {})
    _drop_headers(headers)
    body = response.setdefault("body", {})
    if isinstance(body.get("string"), (bytes, str)):
        body["string"] = _scrub_body(body["string"])
        _fix_content_length(headers, body["string"], as_list=True)
    return response


def make_vcr(record_mode: str, cassette_dir: Path = CASSETTES) -> vcr.VCR:
    """The one vcrpy configuration: ``"all"`` to record (``make record``), ``"none"`` to replay.

    Requests match on method, path, query and body (JSON bodies compare as JSON): the
    recorded host is always `REPLAY_URL`'s, so the backend's port never matters.
    """
    return vcr.VCR(
        cassette_library_dir=str(cassette_dir),
        serializer="yaml",
        record_mode=record_mode,
        match_on=["method", "path", "query", "body"],
        filter_headers=list(FILTERED_HEADERS),
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )


def find_secrets(text: str) -> list[str]:
    """Everything in ``text`` (a cassette file) that looks like a secret; empty when clean.

    OpenAI keys (``sk-`` + 6 or more of ``[A-Za-z0-9_-]``), minted secrets (``ek_...``)
    other than `SECRET_PLACEHOLDER`, header or field names that carry credentials
    (``Authorization``, ``Cookie``, ``Set-Cookie``, ``X-WP-Nonce``, ``...key...``,
    ``...token...``, ``...auth...``), and an ``apiKey`` that is not `REDACTED`.
    """
    found = [f"OpenAI-style key {m.group(0)[:6]}..." for m in _OPENAI_KEY.finditer(text)]
    without_placeholder = text.replace(SECRET_PLACEHOLDER, "")
    found += [
        f"minted secret {m.group(0)[:6]}..." for m in re.finditer(r"ek_[A-Za-z0-9]+", without_placeholder)
    ]
    found += [
        f"credential header {m.group(1)}"
        for m in re.finditer(
            r"(?im)^\s*-?\s*['\"]?((?:proxy-)?authorization|(?:set-)?cookie|x-wp-nonce|[\w-]*(?:key|token|auth)[\w-]*)['\"]?\s*:",
            text,
        )
    ]
    found += [
        f"apiKey value {m.group(1)[:3]}..."
        for m in re.finditer(r'\\?"apiKey\\?"\s*:\s*\\?"([^"\\]*)', text)
        if m.group(1) != REDACTED
    ]
    return found


# -- expected outcomes ----------------------------------------------------------------


@attrs.frozen
class Recorded:
    """What a replay can compare with: the cassette's single interaction."""

    request: dict[str, Any]
    response: dict[str, Any]

    @property
    def response_json(self) -> Any:
        return json.loads(self.response["body"]["string"])


def _same(actual: Any, expected: Any) -> bool:
    """Equal, and of the same JSON types all the way down (``True != 1``, ``1.0 != 1``)."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(_same(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(
            _same(a, e) for a, e in zip(actual, expected, strict=True)
        )
    return bool(actual == expected)


@attrs.frozen
class Returns:
    """The call returns exactly ``value`` (compared with `_same`)."""

    value: Any

    def check(self, outcome: Any, *, live: bool, recorded: Recorded | None) -> None:
        assert not isinstance(outcome, BaseException), f"expected {self.value!r}, raised {outcome!r}"
        assert _same(outcome, self.value), f"expected {self.value!r}, got {outcome!r}"


@attrs.frozen
class Raises:
    """The call raises ``error_type`` with exactly this message and these attributes."""

    error_type: type[navai.NavaiError]
    message: str
    status_code: int | None = None
    error: str | None = None
    available_functions: list[str] | None = None

    def check(self, outcome: Any, *, live: bool, recorded: Recorded | None) -> None:
        assert type(outcome) is self.error_type, f"expected {self.error_type.__name__}, got {outcome!r}"
        assert str(outcome) == self.message, f"message {str(outcome)!r} != {self.message!r}"
        if isinstance(outcome, navai.NavaiHTTPError):
            assert outcome.status_code == self.status_code
            assert outcome.body == self.message  # the message is the response text, verbatim
            assert outcome.error == self.error, outcome.error
            assert outcome.available_functions == self.available_functions


@attrs.frozen
class MintsSecret:
    """A `navai.ClientSecret` for a session of ``ttl`` seconds.

    Replayed: the value is `SECRET_PLACEHOLDER` and ``expires_at`` is the recorded one.
    Live: the value is ``ek_`` + 32 letters or digits, ``expires_at`` now + ``ttl``.
    """

    ttl: int = 600
    extra: Mapping[str, Any] = attrs.field(factory=lambda: {"speech": {"provider": "openai"}})

    def check(self, outcome: Any, *, live: bool, recorded: Recorded | None) -> None:
        assert type(outcome) is navai.ClientSecret, repr(outcome)
        assert dict(outcome.extra) == dict(self.extra), outcome.extra
        assert type(outcome.expires_at) is int, outcome.expires_at
        if live:
            assert re.fullmatch(r"ek_[A-Za-z0-9]{32}", outcome.value), "not an ek_ secret"
            assert abs(outcome.expires_at - (time.time() + self.ttl)) <= 5, outcome.expires_at
        else:
            assert recorded is not None
            assert outcome.value == SECRET_PLACEHOLDER
            assert outcome.expires_at == recorded.response_json["expires_at"]


Expectation = Returns | Raises | MintsSecret


@attrs.frozen
class Scenario:
    """One call against the backend (a fresh client of each kind) and its expected outcome."""

    name: str
    method: Literal[
        "list_functions",
        "execute_function",
        "execute_function_detailed",
        "create_client_secret",
        "synthesize_speech",
    ]
    expect: Expectation
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)
    client_options: Mapping[str, Any] = attrs.field(factory=dict)

    def cassette(self, kind: str) -> str:
        return f"{kind}-{self.name}.yaml"


# -- what the test backend serves (tests/backend/README.md) ---------------------------

_BASICS, _JSON = "src/ai/functions-modules/basics.js", "src/ai/functions-modules/json-types.js"


def _exported(name: str, export: str, module: str) -> navai.BackendFunction:
    return navai.BackendFunction(name, f"Call exported function {export}.", f"{module}#{export}")


FUNCTIONS = [
    _exported("add", "add", _BASICS),
    _exported("async_echo", "asyncEcho", _BASICS),
    _exported("echo", "echo", _BASICS),
    _exported("big_list", "bigList", "src/ai/functions-modules/big.js"),
    navai.BackendFunction(
        "calculator_multiply",
        "Call class method Calculator.multiply().",
        "src/ai/functions-modules/calculator.js#Calculator.multiply",
    ),
    navai.BackendFunction(
        "calculator_total",
        "Call class method Calculator.total().",
        "src/ai/functions-modules/calculator.js#Calculator.total",
    ),
    _exported("async_fail", "asyncFail", "src/ai/functions-modules/errors.js"),
    _exported("fail", "fail", "src/ai/functions-modules/errors.js"),
    _exported("fail_with_status", "failWithStatus", "src/ai/functions-modules/errors.js"),
    _exported("say_hello", "default", "src/ai/functions-modules/greeting.js"),
    _exported("return_array", "returnArray", _JSON),
    _exported("return_empty_array", "returnEmptyArray", _JSON),
    _exported("return_empty_object", "returnEmptyObject", _JSON),
    _exported("return_false", "returnFalse", _JSON),
    _exported("return_float", "returnFloat", _JSON),
    _exported("return_integer", "returnInteger", _JSON),
    _exported("return_nested_object", "returnNestedObject", _JSON),
    _exported("return_nothing", "returnNothing", _JSON),
    _exported("return_null", "returnNull", _JSON),
    _exported("return_string", "returnString", _JSON),
    _exported("return_true", "returnTrue", _JSON),
    _exported("return_unicode", "returnUnicode", _JSON),
    _exported("slow_echo", "slowEcho", "src/ai/functions-modules/slow.js"),
    *(
        navai.BackendFunction(
            f"text_tools_{snake}",
            f"Call exported object member textTools.{member}().",
            f"src/ai/functions-modules/text-tools.js#textTools.{member}",
        )
        for snake, member in (("upper", "upper"), ("reverse", "reverse"), ("word_count", "wordCount"))
    ),
]
FUNCTION_NAMES = [function.name for function in FUNCTIONS]
SOURCES = {function.name: function.source for function in FUNCTIONS}

RESULTS: dict[str, Any] = {
    "return_string": "hello from navai",
    "return_integer": 42,
    "return_float": 3.25,
    "return_true": True,
    "return_false": False,
    "return_null": None,
    "return_nothing": None,  # the response has no "result" key at all
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

ALL_SECRET_FIELDS = {
    "model": "gpt-realtime",
    "voice": "marin",
    "instructions": "You help people navigate the app.",
    "language": "es",
    "voice_accent": "neutral",
    "voice_tone": "warm",
}


def _json_text(data: Any) -> str:
    """``data`` as Express's ``res.json`` writes it (``JSON.stringify``: compact, UTF-8)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def express_404(method: str, path: str) -> str:
    """Express's own page for a path (or method) no route serves."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
        f"</head>\n<body>\n<pre>Cannot {method} {path}</pre>\n</body>\n</html>\n"
    )


def _error(status: int, error: str) -> Raises:
    return Raises(navai.NavaiHTTPError, _json_text({"error": error}), status, error)


def _upstream_401(key: str) -> Raises:
    """The backend's 500 when the OpenAI stand-in rejects ``key`` (tests/backend/openai-stub.mjs)."""
    masked = key[:3] + "*" * (len(key) - 7) + key[-4:]
    openai_body = {
        "error": {
            "message": f"Incorrect API key provided: {masked}. "
            "You can find your API key at https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
    # OpenAI (and the stand-in) pretty-print with a 4-space indent and a trailing newline.
    return _error(500, f"OpenAI client_secrets failed (401): {json.dumps(openai_body, indent=4)}\n")


_UNKNOWN = "Unknown or disallowed function."

SCENARIOS: list[Scenario] = [
    Scenario("list", "list_functions", Returns(navai.BackendFunctionsResult(FUNCTIONS, []))),
    # one success per JSON type a function can return
    *(
        Scenario(f"execute-{name}", "execute_function", Returns(value), (name,))
        for name, value in RESULTS.items()
    ),
    Scenario(
        "execute-detailed",
        "execute_function_detailed",
        Returns(navai.FunctionResult("Hello, Ana!", "say_hello", SOURCES["say_hello"])),
        ("say_hello", {"value": "Ana"}),
    ),
    Scenario(
        "execute-name-normalized",
        "execute_function_detailed",
        Returns(navai.FunctionResult("HOLA", "text_tools_upper", SOURCES["text_tools_upper"])),
        (" Text_Tools_UPPER ", {"value": "hola"}),
    ),
    # payload shapes
    Scenario("execute-payload-null", "execute_function", Returns(None), ("echo", None)),
    Scenario("execute-payload-empty-object", "execute_function", Returns(None), ("echo", {})),
    Scenario(
        "execute-payload-object",
        "execute_function",
        Returns({"text": "hi", "n": [1, 2.5, None], "nested": {"ok": True}}),
        ("echo", {"text": "hi", "n": [1, 2.5, None], "nested": {"ok": True}}),
    ),
    Scenario("execute-payload-args", "execute_function", Returns(5), ("add", {"args": [2, 3]})),
    Scenario(
        "execute-payload-value", "execute_function", Returns("Hello, Ana!"), ("say_hello", {"value": "Ana"})
    ),
    Scenario(
        "execute-class-method",
        "execute_function",
        Returns(13),
        ("calculator_total", {"constructorArgs": [10], "methodArgs": [1, 2]}),
    ),
    Scenario(
        "execute-async-function",
        "execute_function",
        Returns([1, {"a": None}]),
        ("async_echo", {"value": [1, {"a": None}]}),
    ),
    # the backend's error answers
    Scenario(
        "execute-unknown-function",
        "execute_function",
        Raises(
            navai.NavaiHTTPError,
            _json_text({"error": _UNKNOWN, "available_functions": FUNCTION_NAMES}),
            404,
            _UNKNOWN,
            FUNCTION_NAMES,
        ),
        ("no_such_function",),
    ),
    Scenario("execute-missing-name", "execute_function", _error(400, "function_name is required."), ("",)),
    Scenario("execute-throws", "execute_function", _error(500, "boom: intentional failure"), ("fail",)),
    Scenario(
        "execute-async-throws",
        "execute_function",
        _error(500, "boom: intentional async failure"),
        ("async_fail",),
    ),
    Scenario(
        "execute-custom-status",
        "execute_function",
        _error(418, "boom: intentional failure with status 418"),
        ("fail_with_status", {"value": 418}),
    ),
    # paths the backend does not serve: Express's own 404 page
    Scenario(
        "execute-unserved-path",
        "execute_function",
        Raises(navai.NavaiHTTPError, express_404("POST", UNSERVED_PATH), 404),
        ("echo",),
        client_options={"functions_execute_path": UNSERVED_PATH},
    ),
    Scenario(
        "list-unserved-path",
        "list_functions",
        Returns(
            navai.BackendFunctionsResult([], ["[navai] Failed to load backend functions (404)."], failed=True)
        ),
        client_options={"functions_list_path": UNSERVED_PATH},
    ),
    Scenario(
        "secret-unserved-path",
        "create_client_secret",
        Raises(navai.NavaiHTTPError, express_404("POST", UNSERVED_PATH), 404),
        client_options={"client_secret_path": UNSERVED_PATH},
    ),
    # client secrets
    Scenario("secret-default", "create_client_secret", MintsSecret()),
    Scenario("secret-all-fields", "create_client_secret", MintsSecret(), kwargs=ALL_SECRET_FIELDS),
    Scenario(
        "secret-upstream-failure",
        "create_client_secret",
        _upstream_401(WRONG_KEY),
        kwargs={"api_key": WRONG_KEY},
        client_options={"client_secret_path": BYOK_PATH},
    ),
    Scenario(
        "secret-byok-valid-key",
        "create_client_secret",
        MintsSecret(),
        kwargs={"api_key": BACKEND_KEY, "voice": "cedar"},
        client_options={"client_secret_path": BYOK_PATH},
    ),
    Scenario(
        "secret-byok-missing-key",
        "create_client_secret",
        _error(500, "Missing API key. Configure openaiApiKey or send apiKey in request."),
        client_options={"client_secret_path": BYOK_PATH},
    ),
    # speech: the provider a secret reports, and synthesis through ElevenLabs (the stand-in)
    Scenario(
        "secret-speech-elevenlabs",
        "create_client_secret",
        MintsSecret(extra={"speech": {"provider": "elevenlabs"}}),
        client_options={"client_secret_path": TTS_SECRET_PATH},
    ),
    Scenario(
        "speech-default-voice",
        "synthesize_speech",
        Returns(navai.SynthesizedSpeech(fake_audio(VOICE_ID, "Hola"), "audio/mpeg")),
        args=("  Hola  ",),
        client_options={"speech_synthesize_path": TTS_SPEECH_PATH},
    ),
    Scenario(
        "speech-every-field",
        "synthesize_speech",
        Returns(navai.SynthesizedSpeech(fake_audio("voice/2", "¿Qué tal? 👋"), "audio/pcm")),
        args=("¿Qué tal? 👋",),
        kwargs={
            "voice_id": "voice/2",
            "model_id": "eleven_flash_v2_5",
            "output_format": "pcm_24000",
            "optimize_streaming_latency": 2.6,
            "voice_settings": {
                "stability": 0.4,
                "similarity_boost": 0.8,
                "style": 0,
                "use_speaker_boost": True,
            },
        },
        client_options={"speech_synthesize_path": TTS_SPEECH_PATH},
    ),
    Scenario(
        "speech-blank-text",
        "synthesize_speech",
        _error(500, "text is required."),
        args=("   ",),
        client_options={"speech_synthesize_path": TTS_SPEECH_PATH},
    ),
    Scenario(
        "speech-not-configured",
        "synthesize_speech",
        _error(500, 'Speech synthesis is only available when NAVAI_TTS_PROVIDER is set to "elevenlabs".'),
        args=("Hola",),
    ),
]


@attrs.frozen
class Run:
    """What one scenario produced: the return value or the `navai.NavaiError`, and warnings."""

    outcome: Any
    insecure_transport_warnings: list[str]


def run(scenario: Scenario, kind: Kind | str, url: str, backend_key: str | None) -> Run:
    """Run ``scenario`` with a fresh client of this kind against ``url``.

    ``backend_key`` is the key the OpenAI stand-in accepts (live and recording); ``None``
    replays, sending `REPLAYED_KEY` in its place (it is scrubbed before matching).
    """
    key = backend_key or REPLAYED_KEY
    kwargs = {name: key if value == BACKEND_KEY else value for name, value in scenario.kwargs.items()}
    options = {"env": {}, "max_retries": 0, **scenario.client_options}

    def sync_call() -> Any:
        with navai.NavaiBackendClient(url, **options) as client:
            try:
                return getattr(client, scenario.method)(*scenario.args, **kwargs)
            except navai.NavaiError as exc:
                return exc

    async def async_call() -> Any:
        async with navai.AsyncNavaiBackendClient(url, **options) as client:
            try:
                return await getattr(client, scenario.method)(*scenario.args, **kwargs)
            except navai.NavaiError as exc:
                return exc

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", navai.NavaiInsecureTransportWarning)
        outcome = sync_call() if kind == "sync" else asyncio.run(async_call())
    insecure = [str(w.message) for w in caught if issubclass(w.category, navai.NavaiInsecureTransportWarning)]
    return Run(outcome, insecure)


def check(scenario: Scenario, result: Run, *, live: bool, recorded: Recorded | None = None) -> None:
    """Assert ``result`` is what ``scenario`` expects (see `Returns`, `Raises`, `MintsSecret`)."""
    scenario.expect.check(result.outcome, live=live, recorded=recorded)
    assert result.insecure_transport_warnings == [], result.insecure_transport_warnings
