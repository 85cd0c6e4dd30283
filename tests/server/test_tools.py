"""navai.testing, mounting, the registry decorator, speech and env options."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

import navai
from navai.server import FunctionRegistry, backend_options_from_env, create_navai_app
from navai.testing import FakeOpenAI, SyncASGITransport, create_test_app, serve

registry = FunctionRegistry()


@registry.function
def add(a: int, b: int) -> int:
    """Adds two numbers.

    More text.
    """
    return a + b


@registry.function(name="greetUser", description="Says hello.")
async def hello(name: str = "world") -> str:
    return f"Hello, {name}!"


@registry.function
class Counter:
    def __init__(self, start: int = 0) -> None:
        self.start = start

    def bump(self, by: int) -> int:
        return self.start + by


def test_registry_names_descriptions_sources() -> None:
    rows = [(f.name, f.description, f.source) for f in registry]
    assert rows == [
        ("add", "Adds two numbers.", f"{__name__}#add"),
        ("greet_user", "Says hello.", f"{__name__}#hello"),
        ("counter_bump", "Call class method Counter.bump().", f"{__name__}#Counter.bump"),
    ]
    assert registry.get("  ADD ") is registry.functions[0]


def test_sync_client_through_sync_asgi_transport() -> None:
    fake = FakeOpenAI(value="ek_fixed", expires_at=123)
    app = create_test_app(registry, client_secret=fake)
    transport = SyncASGITransport(app)
    with navai.NavaiBackendClient("http://navai.test", transport=transport) as client:
        assert client.execute_function("add", {"args": [2, 3]}) == 5
        assert client.execute_function("greet_user") == "Hello, world!"
        assert client.execute_function("counter_bump", {"constructorArgs": [10], "methodArgs": [1]}) == 11
        assert client.list_functions().names() == ["add", "greet_user", "counter_bump"]
        secret = client.create_client_secret(model="m", voice_tone="calm")
        assert (secret.value, secret.expires_at) == ("ek_fixed", 123)
    transport.close()
    assert fake.requests == [
        {
            "expires_after": {"anchor": "created_at", "seconds": 600},
            "session": {
                "type": "realtime",
                "model": "m",
                "instructions": "You are a helpful assistant.\nUse a calm tone while speaking.",
                "audio": {"output": {"voice": "marin"}},
            },
        }
    ]


@pytest.mark.anyio
async def test_async_client_through_asgi_transport() -> None:
    app = create_test_app([add])
    async with navai.AsyncNavaiBackendClient(
        "http://navai.test", http_client=httpx2.AsyncClient(transport=httpx2.ASGITransport(app))
    ) as client:
        assert await client.execute_function("add", {"args": [1, 1]}) == 2


def test_serve_gives_a_loopback_url() -> None:
    with serve(create_test_app([add])) as url:
        assert url.startswith("http://127.0.0.1:")
        assert httpx2.get(f"{url}/health").json() == {"ok": True}
        with navai.NavaiBackendClient(url) as client:
            assert client.execute_function("add", {"args": [4, 5]}) == 9


def test_mounts_into_a_starlette_app() -> None:
    navai_app = create_navai_app(env={"OPENAI_API_KEY": "k"}, functions=registry)
    host = Starlette(
        routes=[
            Route("/", lambda _r: PlainTextResponse("home")),
            Mount("/api", app=navai_app),
            Mount("/", app=navai_app),
        ]
    )
    transport = SyncASGITransport(host)
    with httpx2.Client(transport=transport, base_url="http://host.test") as http:
        assert http.get("/").text == "home"
        response = http.post(
            "/api/navai/functions/execute", json={"function_name": "add", "payload": {"args": [1, 2]}}
        )
        assert response.json()["result"] == 3
        assert http.get("/navai/functions").status_code == 200
        assert http.get("/api/nope").status_code == 404
    transport.close()


def test_env_options_spec_3_example() -> None:
    env = {
        "OPENAI_API_KEY": "k",
        "NAVAI_TTS_PROVIDER": "elevenlabs",
        "ELEVENLABS_API_KEY": " el-key ",
        "ELEVENLABS_VOICE_ID": "voice/1",
        "ELEVENLABS_STABILITY": "0.5",
        "ELEVENLABS_USE_SPEAKER_BOOST": "yes",
        "ELEVENLABS_OPTIMIZE_STREAMING_LATENCY": "2.6",
    }
    opts = backend_options_from_env(env)
    assert opts.client_secret_ttl_seconds == 600
    assert opts.allow_api_key_from_request is False
    assert opts.tts_provider == "elevenlabs"
    assert opts.elevenlabs_optimize_streaming_latency == 2.6
    assert opts.elevenlabs_voice_settings is not None
    assert (opts.elevenlabs_voice_settings.stability, opts.elevenlabs_voice_settings.use_speaker_boost) == (
        0.5,
        True,
    )
    assert "el-key" not in repr(opts)
    assert backend_options_from_env({}).allow_api_key_from_request is True


def test_speech_route_spec_6_example() -> None:
    seen: list[httpx2.Request] = []

    def elevenlabs(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, content=b"\x01\x02\x03")

    env = {
        "OPENAI_API_KEY": "k",
        "NAVAI_TTS_PROVIDER": "elevenlabs",
        "ELEVENLABS_API_KEY": " el-key ",
        "ELEVENLABS_VOICE_ID": "voice/1",
        "ELEVENLABS_BASE_URL": "https://el.example/base/",
        "ELEVENLABS_STABILITY": "0.5",
        "ELEVENLABS_USE_SPEAKER_BOOST": "yes",
        "ELEVENLABS_OPTIMIZE_STREAMING_LATENCY": "2.6",
    }
    app = create_navai_app(
        env=env, functions=[], http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(elevenlabs))
    )
    transport = SyncASGITransport(app)
    with httpx2.Client(transport=transport, base_url="http://navai.test") as http:
        response = http.post("/navai/speech/synthesize", json={"text": "  Hola  "})
        assert response.json() == {"provider": "elevenlabs", "mimeType": "audio/mpeg", "audioBase64": "AQID"}
        assert str(seen[0].url) == (
            "https://el.example/v1/text-to-speech/voice%2F1?output_format=mp3_44100_128&optimize_streaming_latency=3"
        )
        assert seen[0].headers["xi-api-key"] == "el-key"
        assert seen[0].headers["accept"] == "audio/mpeg"
        assert json.loads(seen[0].content) == {
            "text": "Hola",
            "voice_settings": {"stability": 0.5, "use_speaker_boost": True},
        }
        assert http.post("/navai/speech/synthesize", json={}).json() == {"error": "text is required."}
        assert http.post("/navai/speech/synthesize", json={"text": 5}).json() == {
            "error": "value?.trim is not a function"
        }
    transport.close()


def test_speech_needs_elevenlabs() -> None:
    app = create_navai_app(env={"OPENAI_API_KEY": "k"}, functions=[])
    transport = SyncASGITransport(app)
    with httpx2.Client(transport=transport, base_url="http://navai.test") as http:
        response = http.post("/navai/speech/synthesize", json={"text": "hi"})
    transport.close()
    assert (response.status_code, response.json()) == (
        500,
        {"error": 'Speech synthesis is only available when NAVAI_TTS_PROVIDER is set to "elevenlabs".'},
    )


def _unused(*_args: Any) -> None:
    return None
