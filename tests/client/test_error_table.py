"""Every row of the seed's error table, for the sync and the async client alike."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx2
import pytest

import navai
from tests.support.drivers import Driver, Recorder, json_response, raw_response

# -- create_client_secret ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            500,
            '{"error":"OpenAI client_secrets failed (401): nope"}',
            '{"error":"OpenAI client_secrets failed (401): nope"}',
        ),
        (400, "Bad Request", "Bad Request"),
        (503, "", "HTTP 503"),
        (404, "<!DOCTYPE html><pre>Cannot POST /x</pre>", "<!DOCTYPE html><pre>Cannot POST /x</pre>"),
        (301, "moved", "moved"),
    ],
)
def test_client_secret_http_error_is_the_response_text(
    make_driver: Callable[..., Driver], status: int, body: str, message: str
) -> None:
    client = make_driver(raw_response(status, body))
    with pytest.raises(navai.NavaiHTTPError) as info:
        client.create_client_secret()
    assert str(info.value) == message
    assert info.value.status_code == status
    assert info.value.body == body
    assert info.value.method == "POST"
    assert info.value.url == client.client_secret_url


def test_http_error_parses_the_backend_error_field(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(json_response(500, {"error": "Missing API key."}))
    with pytest.raises(navai.NavaiHTTPError) as info:
        client.create_client_secret()
    assert info.value.error == "Missing API key."
    assert json.loads(str(info.value)) == {"error": "Missing API key."}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"ek_string"',
        b"null",
        b"{}",
        b'{"value": 12}',
        b'{"value": null}',
        b'{"value": ["ek_x"]}',
        b'{"expires_at": 1}',
        b'{"value": "ek_x", "expires_at": NaN',
        b'{"value": "ek_x", "expires_at": NaN}',
    ],
)
def test_client_secret_invalid_response(make_driver: Callable[..., Driver], body: bytes) -> None:
    client = make_driver(raw_response(200, body))
    with pytest.raises(navai.NavaiInvalidResponseError) as info:
        client.create_client_secret()
    assert str(info.value) == "Invalid client-secret response."


@pytest.mark.parametrize(
    ("expires_at", "kept"),
    [
        (1700000000, 1700000000),
        (1.5, 1.5),
        (0, 0),
        (-1, -1),
        (True, None),
        (False, None),
        ("1700000000", None),
        (None, None),
        ({}, None),
    ],
)
def test_client_secret_expires_at_kept_only_when_a_number(
    make_driver: Callable[..., Driver], expires_at: object, kept: object
) -> None:
    client = make_driver(json_response(200, {"value": "ek_abc", "expires_at": expires_at}))
    secret = client.create_client_secret()
    assert secret.value == "ek_abc"
    assert secret.expires_at == kept
    assert type(secret.expires_at) is type(kept)


def test_client_secret_without_expires_at(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(json_response(201, {"value": "ek_abc"}))
    assert client.create_client_secret() == navai.ClientSecret("ek_abc")


def test_client_secret_keeps_extra_fields(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(
        json_response(200, {"value": "ek_a", "expires_at": 5, "speech": {"provider": "openai"}})
    )
    secret = client.create_client_secret()
    assert secret.extra == {"speech": {"provider": "openai"}}


# -- list_functions ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 404, 500, 502, 503, 301, 199, 300])
def test_list_functions_http_error_becomes_a_warning(make_driver: Callable[..., Driver], status: int) -> None:
    client = make_driver(json_response(status, {"items": [{"name": "ignored"}], "warnings": []}))
    result = client.list_functions()
    assert result == navai.BackendFunctionsResult(
        functions=[], warnings=[f"[navai] Failed to load backend functions ({status})."], failed=True
    )


@pytest.mark.parametrize("body", [b"", b"<html>", b"[]", b"[{}]", b'"items"', b"42", b"null", b"{broken"])
def test_list_functions_parse_error_becomes_a_warning(
    make_driver: Callable[..., Driver], body: bytes
) -> None:
    client = make_driver(raw_response(200, body))
    result = client.list_functions()
    assert result.functions == []
    assert result.warnings == ["[navai] Failed to parse backend functions response."]


def test_list_functions_network_failure_becomes_a_warning(make_driver: Callable[..., Driver]) -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    client = make_driver(refuse)
    result = client.list_functions()
    assert result.functions == []
    assert result.warnings == [
        "[navai] Failed to load backend functions: "
        f"Request failed: GET {client.functions_list_url}: connection refused"
    ]


def test_list_functions_timeout_becomes_a_warning(make_driver: Callable[..., Driver]) -> None:
    def stall(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    client = make_driver(stall)
    (warning,) = client.list_functions().warnings
    assert warning.startswith("[navai] Failed to load backend functions: Timed out: GET ")


def test_list_functions_lenient_items(make_driver: Callable[..., Driver]) -> None:
    body = {
        "items": [
            {"name": "a", "description": "A", "source": "src/a.js#a"},
            {"name": "b", "description": 3, "source": None},
            {"name": "  "},
            {"name": ""},
            {"name": 7},
            {"description": "no name"},
            "string item",
            None,
            ["list item"],
            {"name": " padded ", "extra": True},
        ],
        "warnings": ["w1", 2, None, {"w": 1}, "w2"],
    }
    client = make_driver(json_response(200, body))
    result = client.list_functions()
    assert result.functions == [
        navai.BackendFunction("a", "A", "src/a.js#a"),
        navai.BackendFunction("b"),
        navai.BackendFunction(" padded "),
    ]
    assert result.warnings == ["w1", "w2"]
    assert result.names() == ["a", "b", " padded "]


@pytest.mark.parametrize(
    "body", [{}, {"items": None, "warnings": None}, {"items": {"name": "a"}, "warnings": "w"}]
)
def test_list_functions_missing_or_wrong_arrays_are_empty(
    make_driver: Callable[..., Driver], body: dict[str, object]
) -> None:
    client = make_driver(json_response(200, body))
    assert client.list_functions() == navai.BackendFunctionsResult([], [])


# -- execute_function -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            404,
            '{"error":"Unknown or disallowed function.","available_functions":["a"]}',
            '{"error":"Unknown or disallowed function.","available_functions":["a"]}',
        ),
        (400, '{"error":"function_name is required."}', '{"error":"function_name is required."}'),
        (500, '{"error":"boom"}', '{"error":"boom"}'),
        (502, "", "HTTP 502"),
        (418, "teapot", "teapot"),
    ],
)
def test_execute_http_error_is_the_response_text(
    make_driver: Callable[..., Driver], status: int, body: str, message: str
) -> None:
    client = make_driver(raw_response(status, body))
    with pytest.raises(navai.NavaiHTTPError) as info:
        client.execute_function("a")
    assert str(info.value) == message
    assert info.value.status_code == status


def test_execute_404_exposes_available_functions(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(
        json_response(404, {"error": "Unknown or disallowed function.", "available_functions": ["a", 1, "b"]})
    )
    with pytest.raises(navai.NavaiHTTPError) as info:
        client.execute_function("zzz")
    assert info.value.error == "Unknown or disallowed function."
    assert info.value.available_functions == ["a", "b"]


@pytest.mark.parametrize("body", [b"", b"nope", b"[]", b"[1]", b'"ok"', b"true", b"null", b"{"])
def test_execute_invalid_response(make_driver: Callable[..., Driver], body: bytes) -> None:
    client = make_driver(raw_response(200, body))
    with pytest.raises(navai.NavaiInvalidResponseError) as info:
        client.execute_function("a")
    assert str(info.value) == "Invalid backend function response."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ok": False, "error": "E", "details": "D"}, "D"),
        ({"ok": False, "error": "E"}, "E"),
        ({"ok": False, "error": "E", "details": {"why": 1}}, "E"),
        ({"ok": False, "details": ""}, ""),
        ({"ok": False}, "Backend function failed."),
        ({"ok": False, "error": 5, "details": None}, "Backend function failed."),
        ({}, "Backend function failed."),
        ({"ok": "true", "result": 1}, "Backend function failed."),
        ({"ok": 1, "result": 1}, "Backend function failed."),
        ({"result": 1, "error": "no ok field"}, "no ok field"),
    ],
)
def test_execute_not_ok_is_a_function_error(
    make_driver: Callable[..., Driver], body: dict[str, object], message: str
) -> None:
    client = make_driver(json_response(200, body))
    with pytest.raises(navai.NavaiFunctionError) as info:
        client.execute_function("a")
    assert str(info.value) == message
    assert info.value.error == body.get("error")
    assert info.value.details == body.get("details")


@pytest.mark.parametrize("result", ["s", 1, 1.5, True, False, None, [1, "a"], {"k": {"n": [None]}}, {}, []])
def test_execute_returns_the_result(make_driver: Callable[..., Driver], result: object) -> None:
    client = make_driver(
        json_response(200, {"ok": True, "function_name": "a", "source": "s#a", "result": result})
    )
    assert client.execute_function("a") == result


def test_execute_ok_without_result_is_none(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(json_response(200, {"ok": True}))
    assert client.execute_function("a") is None


def test_execute_detailed(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(
        json_response(200, {"ok": True, "function_name": "a_b", "source": "src/x.js#a", "result": 3})
    )
    assert client.execute_function_detailed("A_B", {"x": 1}) == navai.FunctionResult(3, "a_b", "src/x.js#a")


# -- transport failures for the raising calls --------------------------------------------


@pytest.mark.parametrize(
    ("exc", "error_type"),
    [
        (httpx2.ConnectError("refused"), navai.NavaiConnectionError),
        (httpx2.ConnectTimeout("slow connect"), navai.NavaiTimeoutError),
        (httpx2.ReadTimeout("slow read"), navai.NavaiTimeoutError),
        (httpx2.RemoteProtocolError("peer closed"), navai.NavaiConnectionError),
        (httpx2.ReadError("reset"), navai.NavaiConnectionError),
        (RuntimeError("handler bug"), navai.NavaiConnectionError),
    ],
)
@pytest.mark.parametrize("method", ["create_client_secret", "execute_function"])
def test_transport_errors_are_navai_errors(
    make_driver: Callable[..., Driver], exc: Exception, error_type: type[navai.NavaiError], method: str
) -> None:
    def fail(request: httpx2.Request) -> httpx2.Response:
        raise exc

    client = make_driver(fail)
    args = ("f",) if method == "execute_function" else ()
    with pytest.raises(error_type) as info:
        getattr(client, method)(*args)
    assert info.value.__cause__ is exc
    assert info.value.url is not None
    assert info.value.url in str(info.value)


def test_an_error_body_cut_off_mid_read_is_a_connection_error(make_driver: Callable[..., Driver]) -> None:
    """As in the TypeScript client, whose ``response.text()`` rejects: the status alone is not an answer."""

    class Broken(httpx2.SyncByteStream, httpx2.AsyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield b"partial"
            raise httpx2.ReadError("connection reset")

        async def __aiter__(self):  # type: ignore[no-untyped-def]
            yield b"partial"
            raise httpx2.ReadError("connection reset")

    client = make_driver(Recorder(lambda _r: httpx2.Response(500, stream=Broken())))
    with pytest.raises(navai.NavaiConnectionError, match=r"^Request failed: POST .*: connection reset$"):
        client.execute_function("a")
    with pytest.raises(navai.NavaiConnectionError, match="connection reset"):
        client.create_client_secret()
    listing = client.list_functions()
    assert listing.failed
    assert listing.warnings == [
        "[navai] Failed to load backend functions: Request failed: GET "
        "http://localhost:3000/navai/functions: connection reset"
    ]
