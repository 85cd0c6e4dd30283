"""NavaiVoiceAgent with a backend that speaks through ElevenLabs (issue 18, item 2).

The backend is ``navai serve`` configured with ``NAVAI_TTS_PROVIDER=elevenlabs`` and an
`ElevenLabsStandIn` (``py_backend_harness``'s ``tts`` companion); the Realtime side is the
loopback `RealtimeStandIn`. As in the web runtime 0.1.7, the minted secret names the
provider, the session runs with text output, and each completed assistant text is spoken
through the backend.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from navai import AsyncNavaiBackendClient
from navai.agent import NavaiVoiceAgent
from tests.support.elevenlabs_standin import VOICE_ID, ElevenLabsStandIn, fake_audio
from tests.support.py_backend_harness import PyBackend, session_backends
from tests.support.realtime_standin import RealtimeStandIn, text_response

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def speaking_backend(request: pytest.FixtureRequest) -> tuple[PyBackend, ElevenLabsStandIn]:
    """The session's ``navai serve`` whose speech provider is ElevenLabs, and its stand-in."""
    py = session_backends(request.config, node=False).py
    assert py.tts is not None
    assert py.elevenlabs is not None
    return py.tts, py.elevenlabs


async def _until(condition: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_each_assistant_text_is_spoken_through_the_backend(
    speaking_backend: tuple[PyBackend, ElevenLabsStandIn],
) -> None:
    backend, eleven = speaking_backend
    spoken: list[tuple[bytes, str]] = []
    states: list[str] = []
    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(backend.url) as client:
        agent = NavaiVoiceAgent(
            client,
            mode="audio",
            realtime_url=realtime.url,
            env={},
            on_speech=lambda audio, mime: spoken.append((audio, mime)),
            on_voice_state=states.append,
        )
        async with agent:
            conn = await realtime.next_connection()
            update = await conn.wait_for("session.update")
            assert update["session"]["output_modalities"] == ["text"]
            assert update["session"]["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
            await conn.send(*text_response("Hola, ¿en qué te ayudo?"))
            await _until(lambda: spoken and states[-1:] == ["idle"])
            await conn.send(*text_response("Listo."))
            await _until(lambda: len(spoken) == 2 and states[-1:] == ["idle"])
    assert spoken == [
        (fake_audio(VOICE_ID, "Hola, ¿en qué te ayudo?"), "audio/mpeg"),
        (fake_audio(VOICE_ID, "Listo."), "audio/mpeg"),
    ]
    assert states == ["speaking", "idle", "speaking", "idle"]
    said = [r["body"]["text"] for r in eleven.requests if r["key_ok"]]
    assert said[-2:] == ["Hola, ¿en qué te ayudo?", "Listo."]  # once each, though response.done repeats it


async def test_the_output_format_is_asked_for_and_the_user_talking_stops_the_speech(
    speaking_backend: tuple[PyBackend, ElevenLabsStandIn],
) -> None:
    backend, eleven = speaking_backend
    heard = asyncio.Event()
    stopped: list[bool] = []
    playing: list[bytes] = []

    async def play(audio: bytes, mime: str) -> None:
        playing.append(audio)
        heard.set()
        await asyncio.sleep(30)  # a long answer, still playing when the user speaks

    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(backend.url) as client:
        agent = NavaiVoiceAgent(
            client,
            mode="audio",
            realtime_url=realtime.url,
            env={},
            on_speech=play,
            speech_output_format="pcm_24000",
            stop_playback=lambda: stopped.append(True),
        )
        async with agent:
            conn = await realtime.next_connection()
            await conn.wait_for("session.update")
            await conn.send(*text_response("Una respuesta muy larga."))
            await asyncio.wait_for(heard.wait(), 10)
            assert agent.voice_state == "speaking"
            await conn.send(
                {"type": "input_audio_buffer.speech_started", "audio_start_ms": 10, "item_id": "u1"}
            )
            await _until(lambda: agent.voice_state == "idle")
    assert stopped == [True]
    assert playing == [fake_audio(VOICE_ID, "Una respuesta muy larga.")]
    assert eleven.requests[-1]["query"]["output_format"] == "pcm_24000"


async def test_an_openai_backend_keeps_the_realtime_voice(request: pytest.FixtureRequest) -> None:
    shared = session_backends(request.config, node=False)
    spoken: list[bytes] = []
    async with RealtimeStandIn() as realtime, AsyncNavaiBackendClient(shared.py.url) as client:
        agent = NavaiVoiceAgent(
            client, mode="audio", realtime_url=realtime.url, env={}, on_speech=lambda a, m: spoken.append(a)
        )
        async with agent:
            conn = await realtime.next_connection()
            update = await conn.wait_for("session.update")
            assert "output_modalities" not in update["session"]
            await conn.send(*text_response("Hola."))
            await asyncio.sleep(0.2)
    assert spoken == []
