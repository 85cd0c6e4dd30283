"""What the clients put on the wire."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import httpx2
import pytest

import navai
from tests.support.drivers import Driver, json_response

SECRET_OK = {"value": "ek_test", "expires_at": 1}
ALL_FIELDS = {
    "model": "gpt-realtime",
    "voice": "marin",
    "instructions": "Be brief.",
    "language": "es",
    "voice_accent": "neutral",
    "voice_tone": "warm",
    "api_key": "sk-test-not-a-real-key",
}
ALL_WIRE = {
    "model": "gpt-realtime",
    "voice": "marin",
    "instructions": "Be brief.",
    "language": "es",
    "voiceAccent": "neutral",
    "voiceTone": "warm",
    "apiKey": "sk-test-not-a-real-key",
}


def body_of(request: httpx2.Request) -> object:
    return json.loads(request.content)


def test_client_secret_without_input_sends_an_empty_object(make_driver: Callable[..., Driver]) -> None:
    recorder = json_response(200, SECRET_OK)
    client = make_driver(recorder)
    client.create_client_secret()
    request = recorder.last
    assert request.method == "POST"
    assert request.content == b"{}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == f"navai-python/{navai.__version__}"


@pytest.mark.parametrize(
    "make_input",
    [
        lambda: ((navai.CreateRealtimeClientSecretInput(**ALL_FIELDS),), {}),
        lambda: ((ALL_FIELDS,), {}),
        lambda: ((ALL_WIRE,), {}),
        lambda: ((), ALL_FIELDS),
        lambda: (
            ({"model": "gpt-realtime", "voiceAccent": "neutral"},),
            {k: v for k, v in ALL_FIELDS.items() if k not in ("model", "voice_accent")},
        ),
    ],
    ids=["input-object", "snake-mapping", "wire-mapping", "keywords", "mixed"],
)
def test_client_secret_sends_every_field_by_its_wire_name(
    make_driver: Callable[..., Driver], make_input
) -> None:  # type: ignore[no-untyped-def]
    recorder = json_response(200, SECRET_OK)
    client = make_driver(recorder)
    args, kwargs = make_input()
    client.create_client_secret(*args, **kwargs)
    assert body_of(recorder.last) == ALL_WIRE


def test_client_secret_sends_only_set_fields(make_driver: Callable[..., Driver]) -> None:
    recorder = json_response(200, SECRET_OK)
    client = make_driver(recorder)
    client.create_client_secret({"voice": "cedar", "model": None}, language="fr", voice_tone=None)
    assert body_of(recorder.last) == {"voice": "cedar", "language": "fr"}


def test_keyword_fields_override_the_input(make_driver: Callable[..., Driver]) -> None:
    recorder = json_response(200, SECRET_OK)
    client = make_driver(recorder)
    client.create_client_secret(navai.CreateRealtimeClientSecretInput(voice="a", model="m"), voice="b")
    assert body_of(recorder.last) == {"voice": "b", "model": "m"}


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (({"colour": "red"},), {}, "Unknown client-secret field 'colour'"),
        ((), {"colour": "red"}, "Unknown client-secret field 'colour'"),
        (({"voice": 3},), {}, "voice must be a string or None; got int"),
        ((["model"],), {}, "input must be a CreateRealtimeClientSecretInput, a mapping or None; got list"),
    ],
)
def test_bad_client_secret_input_fails_before_sending(
    make_driver: Callable[..., Driver], args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    recorder = json_response(200, SECRET_OK)
    client = make_driver(recorder)
    with pytest.raises(navai.NavaiInvalidRequestError, match=message):
        client.create_client_secret(*args, **kwargs)
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("payload", "wire"),
    [
        (None, None),
        ({}, {}),
        ({"value": 3}, {"value": 3}),
        ({"args": [1, 2]}, {"args": [1, 2]}),
        (
            {"text": "héllo ✓", "n": None, "nested": {"l": [True, 1.5]}},
            {"text": "héllo ✓", "n": None, "nested": {"l": [True, 1.5]}},
        ),
    ],
)
def test_execute_sends_function_name_and_payload(
    make_driver: Callable[..., Driver], payload: object, wire: object
) -> None:
    recorder = json_response(200, {"ok": True, "result": None})
    client = make_driver(recorder)
    client.execute_function("get_weather", payload)
    assert recorder.last.method == "POST"
    assert body_of(recorder.last) == {"function_name": "get_weather", "payload": wire}
    assert recorder.last.headers["content-type"] == "application/json"


def test_execute_payload_none_is_json_null(make_driver: Callable[..., Driver]) -> None:
    recorder = json_response(200, {"ok": True, "result": None})
    client = make_driver(recorder)
    client.execute_function("f")
    assert recorder.last.content == b'{"function_name":"f","payload":null}'


@pytest.mark.parametrize(
    ("body", "has_result"),
    [
        ({"ok": True, "function_name": "f", "result": None}, True),  # the contract's model path
        ({"ok": True, "function_name": "f"}, False),
        ({"ok": True, "function_name": 7, "result": None}, True),  # the lenient path
        ({"ok": True, "function_name": 7}, False),
    ],
)
def test_execute_detailed_tells_null_from_no_result(
    make_driver: Callable[..., Driver], body: dict[str, object], has_result: bool
) -> None:
    """The TypeScript client returns ``null`` or ``undefined``; Python's None needs the flag."""
    client = make_driver(json_response(200, body))
    result = client.execute_function_detailed("f")
    assert result.result is None
    assert result.has_result is has_result


def _circular() -> dict[str, object]:
    payload: dict[str, object] = {}
    payload["self"] = payload
    return payload


@pytest.mark.parametrize(
    "payload",
    [{"when": object()}, {"n": math.nan}, {"n": math.inf}, {"s": {1, 2}}, {"b": b"bytes"}, _circular()],
    ids=["object", "nan", "inf", "set", "bytes", "circular"],
)
def test_unencodable_payload_fails_before_sending(
    make_driver: Callable[..., Driver], payload: dict[str, object]
) -> None:
    recorder = json_response(200, {"ok": True, "result": None})
    client = make_driver(recorder)
    with pytest.raises(
        navai.NavaiInvalidRequestError, match=r"^The function payload cannot be encoded as JSON: "
    ):
        client.execute_function("f", payload)
    assert recorder.requests == []


@pytest.mark.parametrize(("name", "payload"), [(3, None), ("f", [1, 2]), ("f", "text")])
def test_execute_argument_types_are_checked(
    make_driver: Callable[..., Driver], name: object, payload: object
) -> None:
    recorder = json_response(200, {"ok": True, "result": None})
    client = make_driver(recorder)
    with pytest.raises(navai.NavaiInvalidRequestError):
        client.execute_function(name, payload)
    assert recorder.requests == []


def test_list_functions_is_a_plain_get(make_driver: Callable[..., Driver]) -> None:
    recorder = json_response(200, {"items": [], "warnings": []})
    client = make_driver(recorder)
    client.list_functions()
    assert recorder.last.method == "GET"
    assert recorder.last.content == b""
    assert "content-type" not in recorder.last.headers


def test_custom_headers_are_sent_on_every_call(make_driver: Callable[..., Driver]) -> None:
    def respond(request: httpx2.Request) -> httpx2.Response:
        if request.method == "GET":
            return httpx2.Response(200, json={"items": [], "warnings": []})
        return httpx2.Response(200, json={"ok": True, "value": "ek_x"})

    recorder = json_response(200, {})
    recorder._respond = respond
    client = make_driver(recorder, headers={"X-WP-Nonce": "abc123", "User-Agent": "my-app/1"})
    client.list_functions()
    client.execute_function("f")
    client.create_client_secret()
    assert [r.headers["x-wp-nonce"] for r in recorder.requests] == ["abc123"] * 3
    assert {r.headers["user-agent"] for r in recorder.requests} == {"my-app/1"}


@pytest.mark.parametrize("timeout", [0, -1, "5", True])
def test_invalid_timeout_is_rejected(make_driver: Callable[..., Driver], timeout: object) -> None:
    with pytest.raises(navai.NavaiInvalidRequestError, match="timeout must be"):
        make_driver(timeout=timeout)


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (2.5, httpx2.Timeout(2.5)),
        (7, httpx2.Timeout(7)),
        (None, httpx2.Timeout(None)),
        (httpx2.Timeout(1.0, connect=0.5), httpx2.Timeout(1.0, connect=0.5)),
    ],
)
def test_timeout_is_applied_to_requests(
    make_driver: Callable[..., Driver], timeout: object, expected: httpx2.Timeout
) -> None:
    recorder = json_response(200, {"ok": True, "result": 1})
    client = make_driver(recorder, timeout=timeout)
    client.execute_function("f")
    assert client.timeout == expected
    assert recorder.last.extensions["timeout"] == expected.as_dict()


def test_default_timeout(make_driver: Callable[..., Driver]) -> None:
    client = make_driver()
    assert client.timeout == httpx2.Timeout(30.0, connect=5.0) == navai.DEFAULT_TIMEOUT


def test_caller_headers_replace_defaults_whatever_their_case(make_driver: Callable[..., Driver]) -> None:
    recorder = json_response(200, {"ok": True, "result": 1})
    client = make_driver(recorder, headers={"user-agent": "kiosk/2", "X-WP-Nonce": "n"})
    client.execute_function("f")
    wire = [(k.decode(), v.decode()) for k, v in recorder.last.headers.raw]
    assert [(k, v) for k, v in wire if k.lower() == "user-agent"] == [("user-agent", "kiosk/2")]
    assert ("X-WP-Nonce", "n") in wire, "the caller's spelling is kept on the wire"
    assert [v for k, v in wire if k.lower() == "content-type"] == ["application/json"]
