"""Client secrets (spec section 5) against a loopback OpenAI stand-in, via OPENAI_BASE_URL."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import navai
from navai.server import NavaiVoiceBackendOptions, create_navai_app
from navai.testing import serve

pytestmark = pytest.mark.anyio

SERVER_KEY = "sk-server-secret-0123456789"


class StandIn:
    """Records what the backend sent; answers like the OpenAI stub of tests/backend."""

    def __init__(self) -> None:
        self.seen: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        self.answer: bytes = b'{"value":"ek_test","expires_at":1730000000,"session":{"id":"sess_1"}}'

    async def endpoint(self, request: Request) -> Response:
        self.seen.append((dict(request.headers), await request.body()))
        return Response(self.answer, status_code=self.status, media_type="application/json")


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[StandIn, str]]:
    state = StandIn()
    app = Starlette(routes=[Route("/v1/realtime/client_secrets", state.endpoint, methods=["POST"])])
    with serve(app) as url:
        yield state, f"{url}/v1"


@pytest.fixture
def upstream(stand_in: tuple[StandIn, str]) -> Iterator[tuple[StandIn, str]]:
    state, url = stand_in
    state.seen.clear()
    state.status = 200
    return state, url


def client_for(env: dict[str, str], **options: Any) -> httpx2.AsyncClient:
    app = create_navai_app(env=env, include_functions_routes=False, **options)
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app), base_url="http://navai.test")


SPANISH = "You are a helpful assistant.\nAlways reply in Spanish."


@pytest.mark.parametrize(
    ("body", "session", "auth"),
    [
        (
            {},
            {
                "type": "realtime",
                "model": "gpt-realtime",
                "instructions": SPANISH,
                "audio": {"output": {"voice": "marin"}},
            },
            f"Bearer {SERVER_KEY}",
        ),
        (
            {
                "model": "m1",
                "voice": "v1",
                "instructions": "  Base.  ",
                "language": "",
                "voiceAccent": " neutral ",
                "voiceTone": "warm",
                "apiKey": "sk-client",
            },
            {
                "type": "realtime",
                "model": "m1",
                "instructions": (
                    "Base.\nUse a neutral accent while speaking.\nUse a warm tone while speaking."
                ),
                "audio": {"output": {"voice": "v1"}},
            },
            f"Bearer {SERVER_KEY}",
        ),
    ],
)
async def test_upstream_request_and_response_spec_5_7(
    upstream: tuple[StandIn, str], body: dict[str, Any], session: dict[str, Any], auth: str
) -> None:
    state, url = upstream
    env = {"OPENAI_API_KEY": f" {SERVER_KEY} ", "OPENAI_REALTIME_LANGUAGE": "Spanish", "OPENAI_BASE_URL": url}
    async with client_for(env) as http:
        response = await http.post("/navai/realtime/client-secret", json=body)
    assert response.status_code == 200
    assert response.content == b'{"value":"ek_test","expires_at":1730000000,"speech":{"provider":"openai"}}'
    headers, sent = state.seen[-1]
    assert headers["authorization"] == auth
    assert headers["content-type"] == "application/json"
    assert json.loads(sent) == {"expires_after": {"anchor": "created_at", "seconds": 600}, "session": session}
    assert list(json.loads(sent)) == ["expires_after", "session"]
    assert list(json.loads(sent)["session"]) == list(session)


async def test_elevenlabs_session_is_text_only(upstream: tuple[StandIn, str]) -> None:
    state, url = upstream
    env = {
        "OPENAI_API_KEY": SERVER_KEY,
        "OPENAI_BASE_URL": url,
        "NAVAI_TTS_PROVIDER": " ElevenLabs ",
        "ELEVENLABS_API_KEY": "el",
        "ELEVENLABS_VOICE_ID": "v",
        "OPENAI_REALTIME_CLIENT_SECRET_TTL": "120",
    }
    async with client_for(env) as http:
        response = await http.post("/navai/realtime/client-secret")
    assert response.json()["speech"] == {"provider": "elevenlabs"}
    assert state.seen[-1][1] == (
        b'{"expires_after":{"anchor":"created_at","seconds":120},"session":{"type":"realtime",'
        b'"model":"gpt-realtime","instructions":"You are a helpful assistant.","output_modalities":["text"]}}'
    )


async def test_byok_and_nan_ttl(upstream: tuple[StandIn, str]) -> None:
    state, url = upstream
    env = {"OPENAI_BASE_URL": url, "OPENAI_REALTIME_CLIENT_SECRET_TTL": "abc"}
    async with client_for(env) as http:
        response = await http.post("/navai/realtime/client-secret", json={"apiKey": "  sk-req  "})
        assert response.status_code == 200
        assert state.seen[-1][0]["authorization"] == "Bearer sk-req"
        assert json.loads(state.seen[-1][1])["expires_after"]["seconds"] is None
        response = await http.post("/navai/realtime/client-secret", json={})
        assert (response.status_code, response.json()) == (
            500,
            {"error": "Missing API key. Configure openaiApiKey or send apiKey in request."},
        )
        response = await http.post("/navai/realtime/client-secret", json={"apiKey": 5})
        assert response.json() == {"error": "req?.apiKey?.trim is not a function"}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"instructions": 5}, "input.baseInstructions.trim is not a function"),
        ({"language": 5}, "value?.trim is not a function"),
        ({"voiceTone": [1]}, "value?.trim is not a function"),
    ],
)
async def test_non_string_fields_fail_like_node(
    upstream: tuple[StandIn, str], body: dict[str, Any], error: str
) -> None:
    _, url = upstream
    async with client_for({"OPENAI_API_KEY": SERVER_KEY, "OPENAI_BASE_URL": url}) as http:
        response = await http.post("/navai/realtime/client-secret", json=body)
    assert (response.status_code, response.json()) == (500, {"error": error})


async def test_upstream_failure_message_never_leaks_the_key(
    upstream: tuple[StandIn, str], caplog: pytest.LogCaptureFixture
) -> None:
    state, url = upstream
    state.status = 400
    state.answer = b'{"error":{"message":"bad model ' + SERVER_KEY.encode() + b'"}}'
    caplog.set_level(logging.DEBUG)
    async with client_for({"OPENAI_API_KEY": SERVER_KEY, "OPENAI_BASE_URL": url}) as http:
        response = await http.post("/navai/realtime/client-secret", json={})
    assert response.status_code == 500
    assert response.json() == {
        "error": 'OpenAI client_secrets failed (400): {"error":{"message":"bad model ***"}}'
    }
    assert SERVER_KEY not in caplog.text
    assert SERVER_KEY not in response.text


async def test_unreachable_upstream_is_fetch_failed() -> None:
    env = {"OPENAI_API_KEY": SERVER_KEY, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    async with client_for(env) as http:
        response = await http.post("/navai/realtime/client-secret", json={})
    assert (response.status_code, response.json()) == (500, {"error": "fetch failed"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"OPENAI_REALTIME_CLIENT_SECRET_TTL": ""},
            "clientSecretTtlSeconds must be between 10 and 7200. Received: 0",
        ),
        (
            {"OPENAI_REALTIME_CLIENT_SECRET_TTL": "5"},
            "clientSecretTtlSeconds must be between 10 and 7200. Received: 5",
        ),
        (
            {"OPENAI_REALTIME_CLIENT_SECRET_TTL": "1e5"},
            "clientSecretTtlSeconds must be between 10 and 7200. Received: 100000",
        ),
        (
            {"OPENAI_API_KEY": "k", "NAVAI_TTS_PROVIDER": " ElevenLabs "},
            "Missing elevenLabsApiKey in NavaiVoiceBackendOptions.",
        ),
        (
            {"OPENAI_API_KEY": "k", "NAVAI_TTS_PROVIDER": "elevenlabs", "ELEVENLABS_API_KEY": "e"},
            "Missing elevenLabsVoiceId in NavaiVoiceBackendOptions.",
        ),
    ],
)
def test_startup_validation_messages(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        create_navai_app(env=env)


def test_backend_options_replace_env() -> None:
    with pytest.raises(
        navai.NavaiConfigurationError, match=r"^Missing openaiApiKey in NavaiVoiceBackendOptions\.$"
    ):
        create_navai_app(env={"OPENAI_API_KEY": "k"}, backend_options=NavaiVoiceBackendOptions())
    assert SERVER_KEY not in repr(NavaiVoiceBackendOptions(openai_api_key=SERVER_KEY))
