"""CORS as NAVAI's playground server applies it (in process; tests/browser runs real browsers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from navai.server import NavaiCORSMiddleware

pytestmark = pytest.mark.anyio

ROUTES = [
    ("GET", "/navai/functions"),
    ("POST", "/navai/functions/execute"),
    ("POST", "/navai/realtime/client-secret"),
    ("POST", "/navai/speech/synthesize"),
    ("GET", "/health"),
]
LOCAL = [
    "http://localhost:5173",
    "http://localhost",
    "https://localhost:8443",
    "http://127.0.0.1:3001",
    "https://127.0.0.1",
]
REFUSED = [
    "https://evil.example",
    "http://localhost.evil.example",
    "http://127.0.0.1.nip.io:3000",
    "http://[::1]:5173",
    "ftp://localhost",
    "null",
    "http://app.example.com:444",  # listed is :443 / no port only
]


async def _call(client: httpx2.AsyncClient, method: str, path: str, origin: str | None) -> httpx2.Response:
    headers = {"Origin": origin} if origin else {}
    body: Any = {"function_name": "echo", "payload": {"value": 1}} if method == "POST" else None
    return await client.request(method, path, json=body, headers=headers)


async def test_a_request_without_origin_is_served_without_cors_headers(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    async with make_client() as client:
        response = await _call(client, "POST", "/navai/functions/execute", None)
    assert response.status_code == 200
    assert response.json()["result"] == 1
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("origin", LOCAL)
@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_local_origins_are_allowed_with_no_configuration(
    make_client: Callable[..., httpx2.AsyncClient], origin: str, method: str, path: str
) -> None:
    async with make_client() as client:
        response = await _call(client, method, path, origin)
    assert response.status_code != 403, response.text
    assert response.headers["access-control-allow-origin"] == origin
    assert "Origin" in response.headers["vary"]


async def test_errors_from_allowed_origins_carry_cors_headers_so_the_page_can_read_them(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    async with make_client() as client:
        response = await client.post(
            "/navai/functions/execute", json={"function_name": "nope"}, headers={"Origin": LOCAL[0]}
        )
    assert response.status_code == 404
    assert response.json()["error"] == "Unknown or disallowed function."
    assert response.headers["access-control-allow-origin"] == LOCAL[0]


@pytest.mark.parametrize("origin", REFUSED)
@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_other_origins_are_refused_with_a_json_403_that_says_how_to_allow_them(
    make_client: Callable[..., httpx2.AsyncClient], origin: str, method: str, path: str
) -> None:
    async with make_client(cors_origins=["https://app.example.com"]) as client:
        response = await _call(client, method, path, origin)
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    message = response.json()["error"]
    assert message.startswith(f"CORS blocked for origin: {origin}.")
    assert "NAVAI_CORS_ORIGIN" in message
    assert "--cors-origin" in message


async def test_a_refused_origin_never_reaches_the_function(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    calls: list[object] = []

    def record(value: object) -> object:
        calls.append(value)
        return value

    async with make_client(functions=[record]) as client:
        response = await client.post(
            "/navai/functions/execute",
            json={"function_name": "record", "payload": {"value": 1}},
            headers={"Origin": "https://evil.example"},
        )
    assert response.status_code == 403
    assert calls == []


@pytest.mark.parametrize(
    ("configured", "origin"),
    [
        ("https://app.example.com", "https://app.example.com"),
        (" https://a.example , https://app.example.com ,", "https://app.example.com"),
        ("https://app.example.com:8443", "https://app.example.com:8443"),
    ],
)
@pytest.mark.parametrize("source", ["env", "keyword"])
async def test_listed_origins_are_allowed(
    make_client: Callable[..., httpx2.AsyncClient], configured: str, origin: str, source: str
) -> None:
    options: dict[str, Any] = (
        {"env": {"NAVAI_CORS_ORIGIN": configured, "NAVAI_FUNCTIONS_BASE_DIR": "."}}
        if source == "env"
        else {"cors_origins": configured}
    )
    async with make_client(**options) as client:
        listed = await _call(client, "GET", "/navai/functions", origin)
        other = await _call(client, "GET", "/navai/functions", "https://other.example.com")
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == origin
    assert other.status_code == 403


async def test_the_keyword_takes_a_list_and_replaces_the_environment(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    env = {"NAVAI_CORS_ORIGIN": "https://from-env.example", "NAVAI_FUNCTIONS_BASE_DIR": "."}
    async with make_client(env=env, cors_origins=["https://a.example", "https://b.example"]) as client:
        allowed = [
            await _call(client, "GET", "/health", o) for o in ("https://a.example", "https://b.example")
        ]
        from_env = await _call(client, "GET", "/health", "https://from-env.example")
    assert [r.status_code for r in allowed] == [200, 200]
    assert from_env.status_code == 403


@pytest.mark.parametrize("configured", ["*", "https://a.example,*"])
async def test_a_star_allows_every_origin(
    make_client: Callable[..., httpx2.AsyncClient], configured: str
) -> None:
    async with make_client(cors_origins=configured) as client:
        response = await _call(client, "POST", "/navai/functions/execute", "https://anything.example")
        preflight = await client.options(
            "/navai/functions/execute",
            headers={"Origin": "https://anything.example", "Access-Control-Request-Method": "POST"},
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "https://anything.example")
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://anything.example")


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_preflights_answer_the_methods_echo_the_headers_and_vary_on_origin(
    make_client: Callable[..., httpx2.AsyncClient], method: str, path: str
) -> None:
    async with make_client() as client:
        response = await client.options(
            path,
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "content-type, authorization, x-navai-trace",
            },
        )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert {m.strip() for m in response.headers["access-control-allow-methods"].split(",")} >= {"GET", "POST"}
    assert response.headers["access-control-allow-headers"] == "content-type, authorization, x-navai-trace"
    assert "Origin" in [v.strip() for v in response.headers["vary"].split(",")]


async def test_a_preflight_for_a_method_no_route_takes_is_refused_in_json(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    async with make_client() as client:
        response = await client.options(
            "/navai/functions/execute",
            headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "DELETE"},
        )
    assert response.status_code == 400
    assert response.json() == {
        "error": "CORS preflight refused: method DELETE is not allowed (allowed: GET, HEAD, POST)."
    }


async def test_a_preflight_from_a_refused_origin_is_refused(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    async with make_client() as client:
        response = await client.options(
            "/navai/functions/execute",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert "https://evil.example" in response.json()["error"]


async def test_an_options_request_without_cors_headers_is_still_expresss_allow_answer(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    async with make_client() as client:
        response = await client.options("/navai/functions/execute")
    assert response.status_code == 200
    assert response.text == "POST"


async def test_same_origin_requests_are_served_whatever_the_list(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    """A same-origin fetch POST carries Origin too (e.g. behind a proxy that serves the app)."""
    async with make_client() as client:
        response = await client.post(
            "/navai/functions/execute",
            json={"function_name": "echo", "payload": {"value": 2}},
            headers={"Origin": "https://navai.test", "Host": "navai.test"},
        )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_cors_false_leaves_origins_to_the_surrounding_app(
    make_client: Callable[..., httpx2.AsyncClient],
) -> None:
    async with make_client(cors=False) as client:
        response = await _call(client, "GET", "/navai/functions", "https://evil.example")
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_the_middleware_says_which_origins_it_allows() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not called")

    assert NavaiCORSMiddleware(app).summary() == "CORS: localhost and 127.0.0.1 origins allowed"
    assert NavaiCORSMiddleware(app, ["https://a.example"]).summary() == (
        "CORS: localhost and 127.0.0.1 origins allowed, https://a.example"
    )
    assert NavaiCORSMiddleware(app, ["*"]).summary() == "CORS: every origin allowed"


async def test_an_app_s_own_vary_and_allow_origin_are_merged_as_starlette_merges_them() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [
            (b"vary", b"Accept-Encoding"),
            (b"access-control-allow-origin", b"https://x"),
            (b"x-a", b"1"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(NavaiCORSMiddleware(app)), base_url="http://navai.test"
    ) as client:
        response = await client.get("/", headers={"Origin": "http://localhost:5173"})
    assert response.headers.get_list("access-control-allow-origin") == ["http://localhost:5173"]
    assert response.headers["vary"] == "Accept-Encoding, Origin"
    assert response.headers["x-a"] == "1"
    assert response.text == "ok"
